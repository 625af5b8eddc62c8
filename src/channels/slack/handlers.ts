import type { App, BlockButtonAction, MessageShortcut, webApi } from '@slack/bolt';
import type { Action } from '../../actions/index.ts';
import type { Assistant } from '../../core/assistant.ts';
import type { Reply } from '../../core/types.ts';
import { guestRequester } from '../../core/guest.ts';
import type { CrmDb, Requester } from '../../db/port.ts';
import { ACTION, CHOOSE_ACTION, VIEW, homeView, noticeView } from './blocks.ts';
import { conversationOf, deliver, tell, type Place } from './deliver.ts';
import { editView, editedAction, type EditOrigin } from './edit-form.ts';
import { createSeen } from './seen.ts';
import { LINK_YOUR_ACCOUNT, READ_ONLY, type SlackIdentity, type UserDirectory } from './users.ts';

export const ESCALATE_SHORTCUT = 'escalate_message';
export const ESCALATE_REACTION = 'rotating_light';

interface Deps {
  app: App;
  assistant: Assistant;
  db: CrmDb;
  users: UserDirectory;
  log: (m: string) => void;
}

type Client = webApi.WebClient;

const HELP = /^\s*(?:help\b\s*(.*))?$/i;

interface PendingRow {
  id: string;
  action: Record<string, unknown>;
  preview: string;
  status: string;
  /** Names of the records the stored action points at by id (contact_id -> contact, ...). */
  names: Record<string, string>;
}

/** A button's JSON value, or undefined when it is not JSON (the core validates what it holds). */
function parsedJson(value: string | undefined): unknown {
  try {
    return JSON.parse(value ?? '') as unknown;
  } catch {
    return undefined;
  }
}

/** The stored action as the form shows it: what the user named, then what the skill resolved. */
const formValues = (p: PendingRow) => ({ ...p.names, ...p.action });

/** Every Slack entry point: each one acks first, then runs the request through the same action core. */
export function registerHandlers({ app, assistant, db, users, log }: Deps): void {
  const seen = createSeen();

  /** Runs the work after the ack; a failure is logged and the asker hears that nothing changed. */
  async function work(client: Client, place: Place, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      log(`slack: ${(err as Error)?.stack ?? String(err)}`);
      await tell(client, place, 'Something went wrong on my side, so nothing was changed. Please try again.').catch(() => undefined);
    }
  }

  /** The CRM user behind a click on a member-only control, or a private note saying why there is none. */
  async function member(client: Client, place: Place): Promise<Requester | undefined> {
    const who = await users.identify(place.user);
    if (who.kind === 'member') return who.user;
    await tell(client, place, who.kind === 'read-only' && who.user ? READ_ONLY : LINK_YOUR_ACCOUNT);
    return undefined;
  }

  /**
   * Whoever clicked or raised a case. Someone without a linked account acts as the guest user, whose
   * only write (a case from a customer's message, where the channel allows it) the core decides.
   */
  async function actor(place: Place): Promise<Requester> {
    const who = await users.identify(place.user);
    if (who.kind !== 'unknown' && who.user) return who.user;
    return guestRequester(db, await users.displayName(place.user));
  }

  async function helpFor(who: SlackIdentity, topic: string | undefined, requestId: string): Promise<Reply> {
    const user = who.kind !== 'unknown' && who.user ? who.user : await guestRequester(db);
    const reply = await assistant.run({ type: 'help', ...(topic ? { topic } : {}) }, { requestId, channel: 'slack', user });
    return who.kind === 'unknown' ? { ...reply, text: `${reply.text}\n\n${LINK_YOUR_ACCOUNT}` } : reply;
  }

  /** A sentence typed to the bot (slash command, mention, DM). */
  async function answer(client: Client, place: Place, text: string, requestId: string): Promise<void> {
    const who = await users.identify(place.user);
    const help = HELP.exec(text);
    let reply: Reply;
    if (who.kind === 'member') {
      reply = await assistant.handle({ requestId, channel: 'slack', conversation: conversationOf(place.channel), text, user: who.user });
    } else if (help) {
      reply = await helpFor(who, help[1]?.trim() || undefined, requestId);
    } else {
      reply = { kind: 'refusal', text: who.kind === 'unknown' ? LINK_YOUR_ACCOUNT : READ_ONLY };
    }
    await deliver(client, place, reply);
  }

  /** Raises a support case from a customer's message (shortcut or reaction). */
  async function escalate(client: Client, place: Place, message: { text?: string; ts: string; user?: string }, requestId: string): Promise<void> {
    const user = await actor(place);
    const permalink = await client.chat.getPermalink({ channel: place.channel, message_ts: message.ts }).catch(() => undefined);
    const text = (message.text ?? '').trim();
    const author = message.user ? await users.displayName(message.user) : undefined;
    const summary = text ? text.replace(/\s+/g, ' ').slice(0, 300) : `Message from ${author ?? 'a customer'}`;
    const reply = await assistant.run(
      { type: 'escalation.create', summary },
      {
        requestId, channel: 'slack', conversation: conversationOf(place.channel), user,
        source: { text: text || summary, ...(permalink?.permalink ? { link: permalink.permalink } : {}), ...(author ? { author } : {}) },
      },
    );
    await deliver(client, place, reply);
  }

  /** Turns Slack mention markup into plain names; the bot's own mention is dropped. */
  async function plainText(text: string, botUserId?: string): Promise<string> {
    let out = text;
    for (const [tag, id] of text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)) {
      out = out.replace(tag, id === botUserId ? '' : `@${await users.displayName(id)}`);
    }
    return out.replace(/\s+/g, ' ').trim();
  }

  app.command('/crm', async ({ command, ack, respond, client }) => {
    await ack();
    const place: Place = { channel: command.channel_id, user: command.user_id, respond };
    await work(client, place, () => answer(client, place, command.text?.trim() || 'help', `slack:command:${command.trigger_id}`));
  });

  app.event('app_mention', async ({ event, body, client, context }) => {
    if (!event.user || seen.repeat(body.event_id)) return;
    const place: Place = { channel: event.channel, user: event.user, threadTs: event.thread_ts, acknowledgePublicly: true };
    await work(client, place, async () => answer(client, place, await plainText(event.text, context.botUserId), `slack:event:${body.event_id}`));
  });

  app.message(async ({ message, body, client, context }) => {
    if (message.channel_type !== 'im' || message.subtype !== undefined || !message.user) return;
    if (seen.repeat(body.event_id)) return;
    const place: Place = { channel: message.channel, user: message.user };
    await work(client, place, async () => answer(client, place, await plainText(message.text ?? '', context.botUserId), `slack:event:${body.event_id}`));
  });

  app.shortcut<MessageShortcut>(ESCALATE_SHORTCUT, async ({ shortcut, ack, client, respond }) => {
    await ack();
    const place: Place = { channel: shortcut.channel.id, user: shortcut.user.id, respond };
    await work(client, place, () => escalate(client, place, shortcut.message, `slack:shortcut:${shortcut.trigger_id}`));
  });

  app.event('reaction_added', async ({ event, body, client }) => {
    if (event.reaction !== ESCALATE_REACTION || event.item.type !== 'message' || seen.repeat(body.event_id)) return;
    const { channel, ts } = event.item;
    const place: Place = { channel, user: event.user };
    await work(client, place, async () => {
      const history = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
      let message = history.messages?.find((m) => m.ts === ts);
      if (!message) {
        // A reply inside a thread is not in the channel history.
        const replies = await client.conversations.replies({ channel, ts, inclusive: true, limit: 1 });
        message = replies.messages?.find((m) => m.ts === ts);
      }
      if (!message) return tell(client, place, "I couldn't read that message, so no case was raised.");
      await escalate(client, place, { text: message.text, ts, user: message.user }, `slack:event:${body.event_id}`);
    });
  });

  const clickPlace = (body: BlockButtonAction, respond?: Place['respond']): Place => ({
    channel: body.channel?.id ?? body.user.id, user: body.user.id, respond, threadTs: body.message?.thread_ts,
  });

  for (const [id, yes] of [[ACTION.confirm, true], [ACTION.cancel, false]] as const) {
    app.action<BlockButtonAction>(id, async ({ ack, body, action, client, respond }) => {
      await ack();
      const place = clickPlace(body, respond);
      await work(client, place, async () => {
        const user = await actor(place);
        const progress = (text: string) => void tell(client, place, text).catch(() => undefined);
        await deliver(client, place, await assistant.confirm(action.value ?? '', user, yes, progress), { replace: true });
      });
    });
  }

  // An answer to a "which one?" question: the same request naming one record, run (and checked) as the clicker.
  app.action<BlockButtonAction>(CHOOSE_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const place = clickPlace(body, respond);
    await work(client, place, async () => {
      const user = await member(client, place);
      if (!user) return;
      const chosen = parsedJson(action.value);
      if (chosen === undefined) return tell(client, place, 'That choice is no longer valid; nothing was changed. Please ask again.');
      const reply = await assistant.run(chosen, {
        requestId: `slack:action:${body.trigger_id}`, channel: 'slack', conversation: conversationOf(place.channel), user,
      });
      await deliver(client, place, reply, { replace: true });
    });
  });

  app.action<BlockButtonAction>(ACTION.edit, async ({ ack, body, action, client, respond }) => {
    await ack();
    const place = clickPlace(body, respond);
    await work(client, place, async () => {
      const user = await actor(place);
      const pending = await db.rpc(user, 'pending_get', { id: action.value ?? '' });
      if (!pending || pending.status !== 'pending') {
        await client.views.open({ trigger_id: body.trigger_id, view: noticeView('Nothing to edit', 'That request is no longer waiting for you: it was confirmed, cancelled or has expired.') });
        return;
      }
      const origin: EditOrigin = {
        pendingId: pending.id, type: String(pending.action.type) as Action['type'], channel: place.channel,
        threadTs: place.threadTs, responseUrl: body.response_url,
      };
      await client.views.open({ trigger_id: body.trigger_id, view: editView(formValues(pending), origin) });
    });
  });

  app.view(VIEW.edit, async ({ ack, body, view, client }) => {
    const origin = JSON.parse(view.private_metadata) as EditOrigin;
    const values = view.state.values as never;
    // The form alone decides whether it is valid, so the ack (with field errors) never waits for the database.
    const checked = editedAction({}, origin, values);
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: checked.errors });
      return;
    }
    await ack();
    const place: Place = { channel: origin.channel, user: body.user.id, threadTs: origin.threadTs };
    await work(client, place, async () => {
      const user = await actor(place);
      const pending = await db.rpc(user, 'pending_get', { id: origin.pendingId });
      if (!pending || pending.status !== 'pending') return tell(client, place, 'That request is no longer waiting for you; nothing was changed.');
      const edited = editedAction(formValues(pending), origin, values);
      if (!edited.ok) return tell(client, place, 'That edit could not be applied; nothing was changed.');
      await assistant.confirm(origin.pendingId, user, false);
      if (origin.responseUrl) {
        await fetch(origin.responseUrl, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ replace_original: true, text: 'Replaced by your edited request.' }),
        }).catch(() => undefined);
      }
      const reply = await assistant.run(edited.action, {
        requestId: `slack:view:${view.id}:${view.hash}`, channel: 'slack', conversation: conversationOf(origin.channel), user,
      });
      await deliver(client, place, reply);
    });
  });

  // Buttons on escalation posts: each becomes an escalation.update that its clicker confirms.
  const caseUpdate = async (client: Client, place: Place, requestId: string, change: Omit<Extract<Action, { type: 'escalation.update' }>, 'type'>) => {
    const user = await member(client, place);
    if (!user) return;
    const reply = await assistant.run({ type: 'escalation.update', ...change }, { requestId, channel: 'slack', conversation: conversationOf(place.channel), user });
    await deliver(client, place, reply);
  };

  for (const [id, status] of [[ACTION.caseAcknowledge, 'acknowledged'], [ACTION.caseResolve, 'resolved']] as const) {
    app.action<BlockButtonAction>(id, async ({ ack, body, action, client }) => {
      await ack();
      const place = clickPlace(body);
      await work(client, place, () => caseUpdate(client, place, `slack:action:${body.trigger_id}`, { case: action.value ?? '', status }));
    });
  }

  app.action<BlockButtonAction>(ACTION.caseReassign, async ({ ack, body, action, client }) => {
    await ack();
    const place = clickPlace(body);
    await work(client, place, async () => {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal', callback_id: VIEW.reassign, private_metadata: JSON.stringify({ case: action.value, channel: place.channel }),
          title: { type: 'plain_text', text: `Reassign case #${action.value}`.slice(0, 24) },
          submit: { type: 'plain_text', text: 'Review' },
          blocks: [{ type: 'input', block_id: 'assignee', label: { type: 'plain_text', text: 'New assignee' }, element: { type: 'users_select', action_id: 'v' } }],
        },
      });
    });
  });

  app.view(VIEW.reassign, async ({ ack, body, view, client }) => {
    const meta = JSON.parse(view.private_metadata) as { case: string; channel: string };
    const picked = view.state.values.assignee?.v?.selected_user;
    const target = picked ? await users.identify(picked) : undefined;
    if (!target || target.kind !== 'member') {
      await ack({ response_action: 'errors', errors: { assignee: 'That person has no CRM account linked to Slack.' } });
      return;
    }
    await ack();
    const place: Place = { channel: meta.channel, user: body.user.id };
    await work(client, place, () => caseUpdate(client, place, `slack:view:${view.id}:${view.hash}`, { case: meta.case, assignee: target.user.name }));
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home' || seen.repeat(body.event_id)) return;
    try {
      const who = await users.identify(event.user);
      if (who.kind !== 'member') {
        const view = homeView('there', [{ title: 'Your CRM', reply: { kind: 'refusal', text: who.kind === 'unknown' ? LINK_YOUR_ACCOUNT : READ_ONLY } }]);
        await client.views.publish({ user_id: event.user, view });
        return;
      }
      const tasks = await assistant.run(
        { type: 'task.list', due: 'all' },
        { requestId: `slack:event:${body.event_id}`, channel: 'slack', conversation: 'dm', user: who.user },
      );
      await client.views.publish({ user_id: event.user, view: homeView(who.user.name, [{ title: 'Your tasks and open cases', reply: tasks }]) });
    } catch (err) {
      log(`slack home: ${(err as Error)?.stack ?? String(err)}`);
    }
  });
}
