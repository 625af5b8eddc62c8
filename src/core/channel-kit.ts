import type { Assistant } from './assistant.ts';
import { GUEST_ACCOUNT, guestRequester, NOT_LINKED, type Speaker } from './guest.ts';
import { type Action, specOf } from '../actions/index.ts';
import type { CrmDb, Requester } from '../db/port.ts';
import { type DialogueContext, focusAfter } from '../nlu/dialogue.ts';
import type { ActionInput, CaseAction, Inbound, Reply } from './types.ts';

export { GUEST_ACCOUNT, NOT_LINKED, type Speaker } from './guest.ts';

/**
 * What every channel shares, so that an adapter (the REPL, Slack, Teams, a web chat tomorrow) is only rendering and
 * transport: who may do what, which replies are private, the round trips of a conversation (a yes or no to a
 * pending write, a pick among "which one?" answers, a button on a case post), and how to address the assistant.
 */

const refusalFor = (speaker: Speaker) =>
  speaker.kind === 'guest' && speaker.why !== 'unlinked' ? GUEST_ACCOUNT : NOT_LINKED;

/** Kinds of reply that are the asker's alone in a shared place: refusals, errors, questions back and pending writes. */
const PRIVATE_KINDS = new Set<Reply['kind']>(['refusal', 'error', 'confirm', 'question']);

/**
 * Whether a reply, asked in a shared place (a channel, a group chat), goes to the asker only. Amounts, contact
 * details and data-request contents (`sensitive`) do too; in a direct conversation everything is shown in full.
 */
export const isPrivate = (reply: Reply, shared: boolean) =>
  shared && (Boolean(reply.sensitive) || PRIVATE_KINDS.has(reply.kind));

/**
 * What the others see when a reply to a question they saw (a mention in a channel) goes to the asker only, or that
 * it could not be delivered privately at all.
 */
export function privateNote(reply: Reply, delivered = true): Reply {
  if (!delivered)
    return {
      kind: 'refusal',
      text: "I can't show that here and couldn't message you privately. Ask me in a direct message.",
    };
  const what =
    reply.kind === 'confirm'
      ? 'a confirmation'
      : reply.kind === 'answer' || reply.kind === 'done'
        ? 'the answer'
        : 'my reply';
  return { kind: 'done', text: `I've sent you ${what} privately.` };
}

const OPENER = String.raw`(?:(?:actually|wait|hmm+|oh|oops|ah|well|then)[\s,.!]+)?`;
const YES_WORDS =
  "y|ya|yes|yep|yeah|yea|yup|sure(?: thing)?|ok|okay|kk|confirm(?:ed)?|go(?: ahead| for it)?|do it|save it|send it|ship it|correct|that'?s right|looks good|lgtm|perfect|👍|✅|👌";
const NO_WORDS =
  "n|no|nope|nah|cancel(?: (?:it|that))?|stop|don'?t|do not|never ?mind|nvm|abort|forget it|scrap (?:it|that)|👎|❌|🚫";
/** Words that may follow an answer ("yes please", "no thanks") but are no answer alone ("thanks!" is a greeting). */
const POLITE = 'please|pls|plz|thanks|thank you|thx';
/** "Yes please!", "yep, go ahead", "ok go 👍"; "actually no, cancel": a whole message made of answer words. */
const YES = new RegExp(String.raw`^${OPENER}(?:${YES_WORDS})(?:[\s,.!]+(?:${YES_WORDS}|${POLITE}))*[\s.!]*$`, 'u');
const NO = new RegExp(String.raw`^${OPENER}(?:${NO_WORDS})(?:[\s,.!]+(?:${NO_WORDS}|${POLITE}))*[\s.!]*$`, 'u');
function answerOf(text: string): 'yes' | 'no' | undefined {
  const t = text.trim().toLowerCase();
  return NO.test(t) ? 'no' : YES.test(t) ? 'yes' : undefined;
}

/**
 * What a conversation remembers between two messages: the write waiting for a yes or no, the answers last offered,
 * and what the parser needs to read the next message in context.
 */
export interface TurnState {
  pending?: string;
  choices?: Reply['choices'];
  dialogue?: DialogueContext;
}

/** Where a conversation's state lives, by conversation key (one per person and place). */
export interface StateStore {
  get(user: Requester, key: string): Promise<TurnState>;
  set(user: Requester, key: string, state: TurnState): Promise<void>;
}

/**
 * Conversations kept in Postgres as their user (RLS keeps each to its own), so that every replica of a chat channel
 * continues the same conversation; forgotten after 30 minutes of silence (`conversation_get`).
 */
export function databaseStore(db: CrmDb): StateStore {
  return {
    get: async (user, conversation) => (await db.rpc(user, 'conversation_get', { conversation })) as TurnState,
    set: async (user, conversation, state) =>
      void (await db.rpc(user, 'conversation_put', { conversation, state: state as Record<string, unknown> })),
  };
}

/** A store in this process: a terminal session's one conversation. */
export function memoryStore(): StateStore {
  const states = new Map<string, TurnState>();
  return {
    get: async (user, key) => structuredClone(states.get(`${user.id}:${key}`) ?? {}),
    set: async (user, key, state) => void states.set(`${user.id}:${key}`, structuredClone(state)),
  };
}

/** What the conversation knows after a reply: the write now waiting, the question asked back, what was talked about. */
function contextAfter(before: DialogueContext, text: string, reply: Reply): DialogueContext {
  const read = reply.read as Action | undefined;
  if (!read) return before;
  const { pending, last } = before;
  if (read.type === 'clarify')
    return { pending, last, asked: before.asked ? `${before.asked}, ${text}` : text, focus: before.focus };
  const focus = focusAfter(read, before.focus);
  if (reply.confirm) return { last, pending: read, focus };
  const writes = specOf(read.type)?.writes;
  if (reply.kind === 'question' || (writes && reply.kind === 'answer')) return { pending, last, question: read, focus };
  return { pending, last: writes === false && read.type !== 'help' ? read : last, focus };
}

/** A message or a click as a channel hands it over: where it happened and its idempotency key. */
export type Turn = Omit<Inbound, 'user' | 'text'>;

const CASE_CHANGE: Record<Exclude<CaseAction, 'reassign'>, 'acknowledged' | 'resolved'> = {
  acknowledge: 'acknowledged',
  resolve: 'resolved',
};

export function createChannelKit({
  assistant,
  db,
  store = databaseStore(db),
}: {
  assistant: Assistant;
  db: CrmDb;
  store?: StateStore;
}) {
  const keyOf = (user: Requester, turn: Turn) => `${turn.channel}:${turn.conversation ?? 'dm'}:${user.id}`;

  /** The CRM user a speaker acts as: their own, or the guest user (for the one write a guest may make). */
  const actingAs = async (speaker: Speaker): Promise<Requester> =>
    speaker.kind === 'member' ? speaker.user : guestRequester(db, speaker.displayName);

  /** Remembers what a reply leaves open: its pending write, its "which one?" answers. */
  async function remember(user: Requester, turn: Turn, reply: Reply, dialogue?: DialogueContext): Promise<Reply> {
    const state = dialogue ?? (await store.get(user, keyOf(user, turn))).dialogue ?? {};
    const pending = reply.confirm?.pendingId;
    await store.set(user, keyOf(user, turn), {
      pending,
      choices: reply.choices,
      dialogue: pending ? state : { ...state, pending: undefined },
    });
    return reply;
  }

  /** A picked answer of a "which one?" question: a number ("2") or the start of its label. */
  const picked = (state: TurnState, text: string) =>
    state.choices?.[Number(text) - 1] ??
    state.choices?.find((c) => text.length > 2 && c.label.toLowerCase().startsWith(text.toLowerCase()));

  return {
    /**
     * A typed message. For a member: a yes or no answers the write waiting for one, a number or a name picks one of
     * the answers offered, anything else is a new request (a new write replaces the one waiting, saying so; anything
     * else leaves it waiting). For anyone else: help, or the sentence that says why not.
     */
    async say(speaker: Speaker, turn: Turn, text: string): Promise<Reply> {
      if (speaker.kind === 'guest') {
        const help = /^\s*(?:help\b\s*(.*))?$/i.exec(text);
        if (!help) return { kind: 'refusal', text: refusalFor(speaker) };
        const topic = help[1]?.trim();
        const reply = await assistant.run(
          { type: 'help', ...(topic ? { topic } : {}) },
          { ...turn, user: await actingAs(speaker) },
        );
        return { ...reply, text: `${reply.text}\n\n${refusalFor(speaker)}` };
      }
      const { user } = speaker;
      const key = keyOf(user, turn);
      const state = await store.get(user, key);
      const dialogue = state.dialogue ?? {};
      const answer = answerOf(text);
      if (answer) {
        const read = { type: answer === 'yes' ? 'confirm' : 'cancel' };
        if (!state.pending) return { kind: 'refusal', text: 'Nothing is waiting for your confirmation.', read };
        const reply = await assistant.confirm(state.pending, user, answer === 'yes', turn.progress);
        const written = answer === 'yes' && reply.kind === 'done' ? dialogue.pending : undefined;
        return remember(
          user,
          turn,
          { ...reply, read },
          { ...dialogue, asked: undefined, focus: written ? focusAfter(written, dialogue.focus) : dialogue.focus },
        );
      }
      const choice = text.trim() && picked(state, text.trim());
      if (choice) return remember(user, turn, await assistant.run(choice.action, { ...turn, user }), dialogue);
      const reply = await assistant.handle({ ...turn, text, user }, dialogue);
      const next = contextAfter(dialogue, text, reply);
      const earlier = state.pending;
      if (!earlier || reply.confirm?.pendingId === earlier) return remember(user, turn, reply, next);
      if (reply.confirm) {
        // A new write replaces the one waiting: only one yes or no is ever open. A correction of it says nothing more.
        await assistant.confirm(earlier, user, false);
        const corrected = reply.read?.type === dialogue.pending?.type;
        const note = corrected ? '' : '(Your earlier request was not confirmed, so it was not written.)\n';
        return remember(user, turn, { ...reply, text: `${note}${reply.text}` }, next);
      }
      // A question or an answer in between leaves the earlier write waiting for its yes or no (said when the message
      // was not understood, since it was probably meant as that answer).
      await store.set(user, key, {
        pending: earlier,
        choices: reply.choices,
        dialogue: { ...next, pending: dialogue.pending },
      });
      const unclear = reply.kind === 'question' && !reply.choices;
      return unclear ? { ...reply, text: `${reply.text}\n(Your earlier request is still waiting: yes or no?)` } : reply;
    },

    /** Confirm or Cancel on a pending write (a button): only its author's click runs it, once. */
    async answer(speaker: Speaker, turn: Turn, pendingId: string, yes: boolean): Promise<Reply> {
      const user = await actingAs(speaker);
      return remember(user, turn, await assistant.confirm(pendingId, user, yes, turn.progress));
    },

    /** A "which one?" answer clicked (its action validated and permission-checked again, as the clicker). */
    async choose(speaker: Speaker, turn: Turn, action: unknown): Promise<Reply> {
      if (speaker.kind === 'guest') return { kind: 'refusal', text: refusalFor(speaker) };
      return remember(speaker.user, turn, await assistant.run(action, { ...turn, user: speaker.user }));
    },

    /** A button on a case post: the change it stands for, as a write its clicker confirms. */
    async onCase(
      speaker: Speaker,
      turn: Turn,
      caseNo: string,
      change: Exclude<CaseAction, 'reassign'> | { assignee: string },
    ): Promise<Reply> {
      if (speaker.kind === 'guest') return { kind: 'refusal', text: refusalFor(speaker) };
      const update = typeof change === 'string' ? { status: CASE_CHANGE[change] } : change;
      return remember(
        speaker.user,
        turn,
        await assistant.run({ type: 'escalation.update', case: caseNo, ...update }, { ...turn, user: speaker.user }),
      );
    },

    /** A case raised from a customer's message (a shortcut, a reaction, a message action); guests may, where the channel allows. */
    async escalate(
      speaker: Speaker,
      turn: Turn & { source: NonNullable<Inbound['source']> },
      summary: string,
    ): Promise<Reply> {
      const user = await actingAs(speaker);
      return remember(user, turn, await assistant.run({ type: 'escalation.create', summary }, { ...turn, user }));
    },

    /**
     * The write waiting for a member, to edit it (null when it is no longer waiting): its action type, and its fields
     * as the action names them (what the user named, then what was resolved; the stored payload's keys are snake_case).
     */
    async pending(speaker: Speaker, pendingId: string) {
      if (speaker.kind === 'guest') return null;
      const row = await db.rpc(speaker.user, 'pending_get', { id: pendingId });
      if (row?.status !== 'pending') return null;
      const fields = Object.entries(row.action).map(([k, v]) => [
        k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
        v,
      ]);
      return { id: row.id, type: row.action.type, values: { ...row.names, ...Object.fromEntries(fields) } };
    },

    /** An edited write replaces the one it edits: that one is cancelled, the edited one waits for its own yes. */
    async replace(speaker: Speaker, turn: Turn, pendingId: string, edited: ActionInput): Promise<Reply> {
      if (speaker.kind === 'guest') return { kind: 'refusal', text: refusalFor(speaker) };
      await assistant.confirm(pendingId, speaker.user, false);
      return remember(speaker.user, turn, await assistant.run(edited, { ...turn, user: speaker.user }));
    },

    /** A request a channel makes on its own (the Slack App Home's task list), run as the member. */
    async show(speaker: Speaker, turn: Turn, action: ActionInput): Promise<Reply> {
      if (speaker.kind === 'guest') return { kind: 'refusal', text: refusalFor(speaker) };
      return assistant.run(action, { ...turn, user: speaker.user });
    },
  };
}

export type ChannelKit = ReturnType<typeof createChannelKit>;
