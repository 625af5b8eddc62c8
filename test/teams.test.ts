import { readFileSync } from 'node:fs';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { Resvg } from '@resvg/resvg-js';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../src/actions/index.ts';
import { ESCALATE_COMMAND } from '../src/channels/teams/handler.ts';
import { replyActivity } from '../src/channels/teams/cards.ts';
import { startTeams, type TeamsServer } from '../src/channels/teams/bot.ts';
import { NOT_LINKED } from '../src/core/channel-kit.ts';
import { loadConfig } from '../src/config.ts';
import { createAssistant, type Assistant } from '../src/core/assistant.ts';
import { refusalFor } from '../src/core/permissions.ts';
import type { Requester } from '../src/db/port.ts';
import type { FileStore } from '../src/storage/file-store.ts';
import { buildTeamsPackage, COLOR_SVG, OUTLINE_SVG, packagedManifest, renderPng } from '../scripts/package-teams.ts';
import {
  APP_ID,
  OUTGOING_TOKEN,
  startConnectorStandIn,
  type ConnectorStandIn,
} from './support/bot-connector-standin.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';
import { recordingLogger } from './support/log.ts';

const TENANT = '72f988bf-0000-4000-8000-000000000001';
const BOT = { id: `28:${APP_ID}`, name: 'CRM Assistant' };
const SALES_CHANNEL = '19:sales@thread.tacv2';
const SUPPORT_CHANNEL = '19:support@thread.tacv2';
const CARD = 'application/vnd.microsoft.card.adaptive';

type Json = Record<string, any>;

describe.each(TARGETS)('Teams bot on %s', (target) => {
  let db: TestDb;
  let standin: ConnectorStandIn;
  let bot: TeamsServer;
  let assistant: Assistant;
  let alex: Requester;
  const aad: Record<string, string> = {};
  /** The scripted parser: exact text -> action; what it was asked, in order. */
  const script = new Map<string, Action>();
  const parsed: string[] = [];
  let seq = 0;
  /** Stands in for Supabase Storage: what was stored, for whom, and the signed link it gave. */
  const stored: { owner: string; name: string; bytes: number }[] = [];
  const fileStore: FileStore = {
    kind: 'supabase',
    put: async (owner, file) => {
      stored.push({ owner: owner.id, name: file.name, bytes: file.data.byteLength });
      return `https://files.example/signed/${stored.length}/${file.name}?token=t`;
    },
  };

  beforeAll(async () => {
    db = await freshDb(target, { deals: 300 });
    for (const r of await db.query<{ name: string; teams_aad_id: string }>(
      'select name, teams_aad_id from public.users',
    ))
      aad[r.name] = r.teams_aad_id;
    alex = await userNamed(db, 'Alex Morgan');
    standin = await startConnectorStandIn();
    const parser = {
      name: 'scripted',
      parse: async (text: string) => {
        parsed.push(text);
        return script.get(text) ?? ({ type: 'clarify', question: 'Not scripted.' } as Action);
      },
    };
    assistant = createAssistant({ db, parser, now: () => new Date(`${TODAY}T12:00:00Z`) });
    const config = {
      ...loadConfig({}),
      teams: { appId: APP_ID, appPassword: 'unused-with-test-credentials', port: 0 },
    };
    bot = await startTeams({ config, assistant, db, auth: standin.auth, files: fileStore, log: recordingLogger() });
  }, 120_000);

  afterAll(async () => {
    await bot?.close();
    await standin?.close();
    await db?.close();
  });

  beforeEach(() => {
    standin.calls.length = 0;
    parsed.length = 0;
  });

  const person = (name: string) => ({
    id: `29:${name.replace(' ', '-')}`,
    aadObjectId: aad[name] ?? 'aaaaaaaa-0000-4000-8000-00000000dead',
    name,
  });
  const base = (from: string, conversation: Json, extra: Json = {}) => ({
    channelId: 'msteams',
    serviceUrl: standin.serviceUrl,
    id: `activity-${++seq}`,
    timestamp: new Date().toISOString(),
    from: person(from),
    recipient: BOT,
    conversation: { tenantId: TENANT, ...conversation } as Json,
    channelData: { tenant: { id: TENANT } },
    locale: 'en-US',
    ...extra,
  });
  const personal = (from: string, text: string) =>
    base(from, { id: `a:personal-${from.replace(' ', '-')}`, conversationType: 'personal' }, { type: 'message', text });
  const inChannel = (from: string, text: string, channel = SALES_CHANNEL) =>
    base(
      from,
      { id: `${channel};messageid=${1_700_000_000_000 + seq}`, conversationType: 'channel', isGroup: true },
      {
        type: 'message',
        text: `<at>CRM Assistant</at> ${text}`,
        entities: [{ type: 'mention', text: '<at>CRM Assistant</at>', mentioned: BOT }],
        channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' }, channel: { id: channel } },
      },
    );
  const invoke = (
    from: string,
    name: string,
    value: Json,
    conversation: Json = { id: `a:personal-${from.replace(' ', '-')}`, conversationType: 'personal' },
  ) => base(from, conversation, { type: 'invoke', name, value });

  async function post(activity: Json, token?: string | null): Promise<{ status: number; body: any }> {
    const auth = token === undefined ? `Bearer ${await standin.token()}` : token === null ? undefined : token;
    const res = await fetch(`http://127.0.0.1:${bot.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
    };
  }

  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0].n;
  const cardOf = (call: { body: Json }) => call.body.attachments?.find((a: Json) => a.contentType === CARD)?.content;

  it('rejects a request with no token, a forged, foreign or mismatched token (401) and does nothing', async () => {
    script.set('help', { type: 'help' });
    const activity = personal('Alex Morgan', 'help');
    const before = { refs: await count('public.teams_conversations'), pending: await count('public.pending_actions') };
    const attempts = [
      null,
      'Bearer not-a-jwt',
      `Bearer ${await standin.forgedToken()}`,
      `Bearer ${await standin.token({ aud: '99999999-2222-4333-8444-555555555555' })}`,
      `Bearer ${await standin.token({ serviceurl: 'https://attacker.example/' })}`,
      `Basic ${Buffer.from('a:b').toString('base64')}`,
    ];
    const statuses = [];
    for (const auth of attempts) statuses.push((await post(activity, auth)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect(standin.calls).toEqual([]);
    expect(parsed).toEqual([]);
    expect({ refs: await count('public.teams_conversations'), pending: await count('public.pending_actions') }).toEqual(
      before,
    );
    // The same activity with a valid token goes through.
    expect((await post(activity)).status).toBe(200);
    expect(standin.calls).toHaveLength(1);
  });

  it('with MICROSOFT_APP_TENANT_ID set, serves only that tenant: an activity from another one is ignored', async () => {
    script.set('help', { type: 'help' });
    const config = { ...loadConfig({}), teams: { appId: APP_ID, appPassword: 'unused', tenantId: TENANT, port: 0 } };
    const single = await startTeams({ config, assistant, db, auth: standin.auth, log: recordingLogger() });
    const to = async (activity: Json) =>
      (
        await fetch(`http://127.0.0.1:${single.port}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${await standin.token()}` },
          body: JSON.stringify(activity),
        })
      ).status;
    try {
      const OTHER = '0000dead-0000-4000-8000-000000000002';
      const foreign = personal('Alex Morgan', 'help');
      const statuses = [
        await to({
          ...foreign,
          conversation: { ...foreign.conversation, tenantId: OTHER },
          channelData: { tenant: { id: OTHER } },
        }),
        await to({ ...foreign, channelData: { tenant: { id: OTHER } } }),
        await to({ ...foreign, conversation: { ...foreign.conversation, tenantId: undefined }, channelData: {} }),
      ];
      expect(statuses.every((st) => st < 500)).toBe(true);
      expect(standin.calls).toEqual([]);
      expect(parsed).toEqual([]);
      expect(await to(personal('Alex Morgan', 'help'))).toBe(200);
      expect(standin.calls).toHaveLength(1);
    } finally {
      await single.close();
    }
  });

  it('an activity without an id is one request however often it is replayed', async () => {
    const ask = 'log a call with Dana Reyes about the id-less replay';
    script.set(ask, {
      type: 'activity.log',
      kind: 'call',
      contact: 'Dana Reyes',
      summary: 'Teams test: id-less replay',
    });
    const activity = { ...personal('Alex Morgan', ask), id: undefined };
    for (let i = 0; i < 3; i++) expect((await post(activity)).status).toBe(200);
    expect(
      await count(
        `public.pending_actions where user_id = $1 and request_id like 'teams:%' and preview like '%id-less replay%'`,
        [alex.id],
      ),
    ).toBe(1);
    const other = { ...activity, timestamp: new Date(Date.parse(activity.timestamp) + 1000).toISOString() };
    expect((await post(other)).status).toBe(200);
    expect(
      await count(
        `public.pending_actions where user_id = $1 and request_id like 'teams:%' and preview like '%id-less replay%'`,
        [alex.id],
      ),
    ).toBe(2);
  });

  it('answers a body over 1 MB with 413 and closes that connection; the next request is served', async () => {
    script.set('help', { type: 'help' });
    const huge = { ...personal('Alex Morgan', 'help'), text: 'x'.repeat(1_100_000) };
    const sizes = [];
    for (let i = 0; i < 2; i++) {
      sizes.push((await post(huge)).status);
      sizes.push((await post(personal('Alex Morgan', 'help'))).status);
    }
    expect(sizes).toEqual([413, 200, 413, 200]);
    expect(parsed).toEqual(['help', 'help']); // the oversized ones were never read
    expect(standin.calls).toHaveLength(2);
  });

  it("answers a 1:1 message in the same chat, with the outgoing token, and remembers the chat as the user's", async () => {
    script.set('help', { type: 'help' });
    const activity = personal('Alex Morgan', 'help');
    expect((await post(activity)).status).toBe(200);
    expect(standin.calls).toHaveLength(1);
    const [call] = standin.calls;
    expect(call.method).toBe('POST');
    expect(call.path).toBe(`/v3/conversations/a:personal-Alex-Morgan/activities/${activity.id}`);
    expect(call.authorization).toBe(`Bearer ${OUTGOING_TOKEN}`);
    expect(call.body.text).toMatch(/^Here is what I can do/);
    expect(call.body.replyToId).toBe(activity.id);
    const [ref] = await db.query<{ kind: string; user_id: string; conversation_id: string }>(
      `select kind, user_id, conversation_id from public.teams_conversations where user_id = $1`,
      [alex.id],
    );
    expect(ref).toEqual({ kind: 'personal', user_id: alex.id, conversation_id: 'a:personal-Alex-Morgan' });
  });

  it('tells an unlinked Teams user to ask an admin, and runs nothing for them but help', async () => {
    const before = await count('public.teams_conversations');
    expect((await post(personal('Nobody Known', 'what is the total pipeline'))).status).toBe(200);
    expect((await post(personal('Nobody Known', 'help'))).status).toBe(200);
    expect(parsed).toEqual([]);
    const [refused, help] = standin.calls.map((c) => String(c.body.text));
    expect(refused).toBe(NOT_LINKED);
    expect(help).toMatch(/^Here is what I can do/);
    expect(help.endsWith(NOT_LINKED.replace(/\n/g, '\n\n'))).toBe(true);
    expect(await count('public.teams_conversations')).toBe(before);
  });

  it('in a channel: strips the @mention, answers help publicly in the thread', async () => {
    script.set('help', { type: 'help' });
    const activity = inChannel('Alex Morgan', 'help');
    expect((await post(activity)).status).toBe(200);
    expect(parsed).toEqual(['help']);
    expect(standin.calls.map((c) => c.path)).toEqual([
      `/v3/conversations/${activity.conversation.id}/activities/${activity.id}`,
    ]);
    expect(standin.calls[0].body.text).toMatch(/^Here is what I can do/);
  });

  it('in a channel: an answer with amounts goes to a 1:1 chat, with a public acknowledgement', async () => {
    const ask = 'what is the total pipeline';
    const action: Action = { type: 'pipeline.query', metric: 'total' };
    script.set(ask, action);
    const direct = await assistant.run(action, { requestId: 'direct-total', channel: 'repl', user: alex });
    expect(direct.sensitive).toBe(true);

    const activity = inChannel('Alex Morgan', ask);
    expect((await post(activity)).status).toBe(200);
    expect(parsed).toEqual([ask]);
    const [create, privately, ack] = standin.calls;
    expect(standin.calls).toHaveLength(3);
    expect(create.path).toBe('/v3/conversations');
    expect(create.body).toMatchObject({
      isGroup: false,
      bot: BOT,
      members: [{ aadObjectId: aad['Alex Morgan'] }],
      tenantId: TENANT,
    });
    expect(privately.path).toMatch(/^\/v3\/conversations\/a:direct-\d+\/activities$/);
    const expected = replyActivity(direct);
    expect(privately.body.text ?? null).toEqual(expected.text ?? null);
    expect(cardOf(privately) ?? null).toEqual(expected.attachments?.[0].content ?? null);
    expect(ack.path).toBe(`/v3/conversations/${activity.conversation.id}/activities/${activity.id}`);
    expect(ack.body.text).toBe("I've sent you the answer privately.");
    expect(JSON.stringify(ack.body)).not.toMatch(/\$\d/);
    // The 1:1 chat it created is now where proactive messages reach Alex.
    const [ref] = await db.query<{ conversation_id: string }>(
      `select conversation_id from public.teams_conversations where kind = 'personal' and user_id = $1`,
      [alex.id],
    );
    expect(privately.path).toBe(`/v3/conversations/${ref.conversation_id}/activities`);
  });

  it('in a channel: a refusal is private too', async () => {
    const ask = 'pipeline please';
    script.set(ask, { type: 'pipeline.query', metric: 'total' });
    const activity = inChannel('Omar Haddad', ask);
    expect((await post(activity)).status).toBe(200);
    expect(standin.calls.map((c) => c.path.replace(/a:direct-\d+/, 'a:direct'))).toEqual([
      '/v3/conversations',
      '/v3/conversations/a:direct/activities',
      `/v3/conversations/${activity.conversation.id}/activities/${activity.id}`,
    ]);
    expect(standin.calls[1].body.text).toMatch(/^Your role \(support\) can't ask about the pipeline/);
    expect(standin.calls[2].body.text).toBe("I've sent you my reply privately.");
  });

  it('confirms a logged call with an Adaptive Card (Action.Execute) and writes it once', async () => {
    const summary = 'Teams test: discussed the renewal timeline';
    const ask = 'log a call with Dana Reyes about the renewal';
    script.set(ask, { type: 'activity.log', kind: 'call', contact: 'Dana Reyes', summary });
    const rows = () => count(`public.activities where summary = $1`, [summary]);

    expect((await post(personal('Alex Morgan', ask))).status).toBe(200);
    expect(standin.calls).toHaveLength(1);
    const card = cardOf(standin.calls[0]);
    expect(card.version).toBe('1.5');
    expect(card.body.map((b: Json) => b.text).join('\n')).toMatch(/Dana Reyes/);
    expect(card.actions.map((a: Json) => [a.type, a.verb])).toEqual([
      ['Action.Execute', 'confirm'],
      ['Action.Execute', 'cancel'],
    ]);
    const pendingId = card.actions[0].data.pendingId;
    expect(await rows()).toBe(0);

    const click = () =>
      post(
        invoke('Alex Morgan', 'adaptiveCard/action', {
          action: { type: 'Action.Execute', verb: 'confirm', data: card.actions[0].data },
          trigger: 'manual',
        }),
      );
    const first = await click();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ statusCode: 200, type: CARD });
    expect(first.body.value.actions).toBeUndefined();
    expect(first.body.value.body[0].text).not.toMatch(/Confirm\?/);
    expect(await rows()).toBe(1);
    const [written] = await db.query<Json>(
      `select a.kind::text, a.owner_id, c.name as contact from public.activities a left join public.contacts c on c.id = a.contact_id where a.summary = $1`,
      [summary],
    );
    expect(written).toEqual({ kind: 'call', owner_id: alex.id, contact: 'Dana Reyes' });
    const audit = await db.query<Json>(
      `select actor_id, channel from public.audit_log where action = 'activity.log' and request_id = $1`,
      [`pending:${pendingId}`],
    );
    expect(audit).toEqual([{ actor_id: alex.id, channel: 'teams' }]);

    const again = await click();
    expect(again.body.value.body[0].text).toBe('That was already done; nothing was written twice.');
    expect(await rows()).toBe(1);
  });

  it('cancels a write from the card: nothing is written', async () => {
    const summary = 'Teams test: a call that was never logged';
    const ask = 'log a call with Jane Doe';
    script.set(ask, { type: 'activity.log', kind: 'call', contact: 'Jane Doe', summary });
    await post(personal('Alex Morgan', ask));
    const data = cardOf(standin.calls[0]).actions[1].data;
    const res = await post(
      invoke('Alex Morgan', 'adaptiveCard/action', {
        action: { type: 'Action.Execute', verb: 'cancel', data },
        trigger: 'manual',
      }),
    );
    expect(res.body.value.body[0].text).toBe('Cancelled. Nothing was written.');
    expect(await count(`public.activities where summary = $1`, [summary])).toBe(0);
    // Someone else clicking Alex's button changes nothing either.
    const other = await post(
      invoke('Priya Shah', 'adaptiveCard/action', {
        action: { type: 'Action.Execute', verb: 'confirm', data },
        trigger: 'manual',
      }),
    );
    expect(other.body.value.body[0].text).toBe('That request is not one of yours, or it no longer exists.');
    expect(await count(`public.activities where summary = $1`, [summary])).toBe(0);
  });

  it('offers the answers of a "which one?" question as Action.Execute buttons; a pick replaces the question card and runs the request as the clicker, a tampered one is refused', async () => {
    const ask = 'log a call with Dana about pricing';
    const action: Action = {
      type: 'activity.log',
      kind: 'call',
      contact: 'Dana',
      summary: 'Teams test: about pricing',
    };
    script.set(ask, action);
    const logged = () =>
      db.query<Json>(
        `select c.name as contact, a.owner_id from public.activities a join public.contacts c on c.id = a.contact_id where a.summary = $1`,
        [action.summary],
      );
    const asked = inChannel('Alex Morgan', ask);
    const conversation = asked.conversation;
    expect((await post(asked)).status).toBe(200);
    // asked in a channel, the question (with its choices) goes to the asker's 1:1 chat
    expect(standin.calls.map((c) => c.path.replace(/a:direct-\d+/, 'a:direct'))).toEqual([
      '/v3/conversations',
      '/v3/conversations/a:direct/activities',
      `/v3/conversations/${conversation.id}/activities/${asked.id}`,
    ]);
    const question = cardOf(standin.calls[1]);
    expect(question.body.map((b: Json) => b.text).join('\n')).toBe(
      'Which contact do you mean: Dana Reyes (Acme) or Dana Whitfield (Acme Logistics)?',
    );
    expect(question.actions.map((a: Json) => [a.type, a.title, a.verb])).toEqual([
      ['Action.Execute', 'Dana Reyes (Acme)', 'choose'],
      ['Action.Execute', 'Dana Whitfield (Acme Logistics)', 'choose'],
    ]);
    expect(question.actions[1].data.action).toEqual({ ...action, contact: 'Dana Whitfield' });

    // The click is an invoke in the 1:1 chat the question went to; its response replaces the question card.
    const direct = { id: 'a:personal-Alex-Morgan', conversationType: 'personal' };
    const click = (from: string, data: unknown) =>
      invoke(
        from,
        'adaptiveCard/action',
        { action: { type: 'Action.Execute', verb: 'choose', data }, trigger: 'manual' },
        direct,
      );
    const rows = async () =>
      (await count(`public.pending_actions`)) +
      (await count(`public.processed_requests`)) +
      (await count(`public.audit_log`));
    standin.calls.length = 0;
    const pick = click('Alex Morgan', question.actions[1].data);
    const picked = await post(pick);
    expect(picked.status).toBe(200);
    const confirm = picked.body.value;
    expect(confirm.body.map((b: Json) => b.text).join('\n')).toMatch(/Dana Whitfield \(Acme Logistics\)/);
    expect(confirm.actions.map((a: Json) => [a.type, a.verb])).toEqual([
      ['Action.Execute', 'confirm'],
      ['Action.Execute', 'cancel'],
    ]);
    expect(standin.calls).toEqual([]);
    const [pending] = await db.query<Json>(`select user_id, request_id from public.pending_actions where id = $1`, [
      confirm.actions[0].data.pendingId,
    ]);
    expect(pending).toEqual({ user_id: alex.id, request_id: `teams:${pick.id}` });
    expect(await logged()).toEqual([]);
    await post(
      invoke('Alex Morgan', 'adaptiveCard/action', {
        action: { type: 'Action.Execute', verb: 'confirm', data: confirm.actions[0].data },
        trigger: 'manual',
      }),
    );
    expect(await logged()).toEqual([{ contact: 'Dana Whitfield', owner_id: alex.id }]);

    // A hand-made value is only a request like any other: a rep may not approve a data request.
    const before = await rows();
    const texts = (res: { body: Json }) => res.body.value.body.map((b: Json) => b.text).join('\n');
    expect(
      texts(await post(click('Alex Morgan', { action: { type: 'data_request.step', request: '1', step: 'approve' } }))),
    ).toBe(refusalFor('rep', 'data_request.step'));
    // Unknown or malformed values get a note and run nothing.
    for (const data of [{ action: 'activity.log' }, { crm: 'launch' }, 'not a card']) {
      expect(texts(await post(click('Alex Morgan', data)))).toBe(
        "Sorry, I can't use that button; nothing was changed. Please ask me again.",
      );
    }
    // A stray Action.Submit (a message carrying `value`) is not one of our buttons.
    standin.calls.length = 0;
    await post(base('Alex Morgan', direct, { type: 'message', value: question.actions[0].data }));
    expect(standin.calls.map((c) => c.body.text)).toEqual([
      "Sorry, I can't use that button; nothing was changed. Please ask me again.",
    ]);
    expect(await rows()).toBe(before);
    expect(parsed).toEqual([ask]); // a click is never parsed as text
  });

  it('"Escalate to support" on a message opens a case from it after a confirmation in the dialog', async () => {
    const link = 'https://teams.microsoft.com/l/message/19:support@thread.tacv2/1700000000999';
    const conversation = {
      id: `${SUPPORT_CHANNEL};messageid=1700000000999`,
      conversationType: 'channel',
      isGroup: true,
    };
    const messagePayload = {
      id: '1700000000999',
      body: {
        contentType: 'html',
        content: '<p>Globex here: our dashboard is down for all users &amp; we cannot ship orders!</p>',
      },
      from: { user: { id: 'x', displayName: 'Globex Buyer' } },
      linkToMessage: link,
    };
    const cases = () => count(`public.cases where source_link = $1`, [link]);
    const open = await post(
      invoke(
        'Omar Haddad',
        'composeExtension/submitAction',
        { commandId: ESCALATE_COMMAND, commandContext: 'message', messagePayload, data: {} },
        conversation,
      ),
    );
    expect(open.status).toBe(200);
    expect(open.body.task.type).toBe('continue');
    const card = open.body.task.value.card.content;
    expect(card.actions.map((a: Json) => [a.type, a.data.crm])).toEqual([
      ['Action.Submit', 'confirm'],
      ['Action.Submit', 'cancel'],
    ]);
    expect(card.body.map((b: Json) => b.text).join('\n')).toContain(link);
    expect(standin.calls).toEqual([]);
    expect(await cases()).toBe(0);

    const submit = await post(
      invoke(
        'Omar Haddad',
        'composeExtension/submitAction',
        { commandId: ESCALATE_COMMAND, commandContext: 'message', data: card.actions[0].data },
        conversation,
      ),
    );
    expect(submit.body.task.type).toBe('message');
    expect(submit.body.task.value).toMatch(/^Opened case #\d+/);
    const [row] = await db.query<Json>(
      `select summary, source_text, source_channel, reporter_id from public.cases where source_link = $1`,
      [link],
    );
    expect(row.source_text).toBe('Globex here: our dashboard is down for all users & we cannot ship orders!');
    expect(row.reporter_id).toBe((await userNamed(db, 'Omar Haddad')).id);
    expect(await cases()).toBe(1);
  });

  it('sends proactive messages through stored references: to a user, and to the channel an admin chose', async () => {
    await post(personal('Alex Morgan', 'help'));
    standin.calls.length = 0;
    expect(await bot.notifier.toUser(alex.id, { kind: 'answer', text: 'Reminder: call Dana Reyes today.' })).toBe(true);
    const [ref] = await db.query<{ conversation_id: string }>(
      `select conversation_id from public.teams_conversations where kind = 'personal' and user_id = $1`,
      [alex.id],
    );
    expect(standin.calls.map((c) => [c.method, c.path, c.body.text])).toEqual([
      ['POST', `/v3/conversations/${ref.conversation_id}/activities`, 'Reminder: call Dana Reyes today.'],
    ]);
    const jordan = await userNamed(db, 'Jordan Lee');
    expect(await bot.notifier.toUser((await userNamed(db, 'Sam Okafor')).id, { kind: 'answer', text: 'x' })).toBe(
      false,
    );

    standin.calls.length = 0;
    script.set('post escalations here', { type: 'channel.configure', notices: 'escalations' });
    expect(await bot.notifier.toChannel('escalations', { kind: 'answer', text: 'x' })).toBe(false);
    await post(inChannel('Priya Shah', 'post escalations here', SUPPORT_CHANNEL));
    expect(standin.calls.map((c) => c.body.text).at(-1)).toBe("I've sent you my reply privately.");
    expect(await bot.notifier.toChannel('escalations', { kind: 'answer', text: 'x' })).toBe(false);

    // An admin's channel setting is a write like any other: confirmed privately, then in force.
    standin.calls.length = 0;
    await post(inChannel('Jordan Lee', 'post escalations here', SUPPORT_CHANNEL));
    const confirmCard = standin.calls.map(cardOf).find((c) => c?.actions?.[0]?.data?.pendingId);
    expect(confirmCard).toBeDefined();
    await post(
      invoke('Jordan Lee', 'adaptiveCard/action', {
        action: { type: 'Action.Execute', verb: 'confirm', data: confirmCard.actions[0].data },
        trigger: 'manual',
      }),
    );
    const [setting] = await db.query<Json>(
      `select conversation, notices from public.channel_settings where channel = 'teams'`,
    );
    expect(setting).toEqual({ conversation: SUPPORT_CHANNEL, notices: 'escalations' });
    expect(jordan.role).toBe('admin');
    standin.calls.length = 0;
    expect(
      await bot.notifier.toChannel('escalations', { kind: 'answer', text: 'New case #1: Globex dashboard down' }),
    ).toBe(true);
    expect(standin.calls.map((c) => [c.path, c.body.text])).toEqual([
      [`/v3/conversations/${SUPPORT_CHANNEL}/activities`, 'New case #1: Globex dashboard down'],
    ]);
  });

  it('a chart too large for a card is stored for its owner and shown by its signed link', async () => {
    const ask = 'pipeline by stage';
    script.set(ask, { type: 'pipeline.query', metric: 'total', groupBy: 'stage' });
    stored.length = 0;
    expect((await post(personal('Alex Morgan', ask))).status).toBe(200);
    const direct = await assistant.run(script.get(ask), { requestId: 'direct-by-stage', channel: 'repl', user: alex });
    const chart = direct.files?.find((f) => f.mime === 'image/png');
    expect(chart!.data.byteLength).toBeGreaterThan(15_000);
    expect(stored).toEqual([{ owner: alex.id, name: chart!.name, bytes: chart!.data.byteLength }]);
    const card = cardOf(standin.calls[0]);
    expect(card.body.filter((b: Json) => b.type === 'Image').map((b: Json) => b.url)).toEqual([
      `https://files.example/signed/1/${chart!.name}?token=t`,
    ]);
    expect(card.body.find((b: Json) => b.type === 'Table').rows).toHaveLength(direct.table!.rows.length + 1);
    expect(JSON.stringify(standin.calls[0].body).length).toBeLessThan(28_000);
  });

  it('renders tables as an Adaptive Card Table and charts as inline images', () => {
    const png = renderPng(OUTLINE_SVG);
    const activity = replyActivity({
      kind: 'answer',
      text: 'Top deals',
      table: {
        columns: ['Deal', 'Amount'],
        rows: [
          ['Acme renewal', '$12,000'],
          ['Globex', '$9,500'],
        ],
        more: 3,
      },
      files: [{ name: 'chart.png', mime: 'image/png', data: png }],
    });
    const card = activity.attachments![0].content as Json;
    const table = card.body.find((b: Json) => b.type === 'Table');
    expect(table.rows.map((r: Json) => r.cells.map((c: Json) => c.items[0].text))).toEqual([
      ['Deal', 'Amount'],
      ['Acme renewal', '$12,000'],
      ['Globex', '$9,500'],
    ]);
    expect(card.body.find((b: Json) => b.text === '… and 3 more')).toBeDefined();
    expect(card.body.find((b: Json) => b.type === 'Image').url).toBe(
      `data:image/png;base64,${Buffer.from(png).toString('base64')}`,
    );
  });
});

describe('Teams app package', () => {
  const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));
  const version = manifest.manifestVersion as string;
  const schema = JSON.parse(
    readFileSync(
      new URL(
        `../node_modules/@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`,
        import.meta.url,
      ),
      'utf8',
    ),
  );

  it('manifest.json validates against the bundled Teams schema of its version (the newest bundled)', async () => {
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`,
    );
    expect(await AppManifestUtils.validateAgainstSchema(manifest, schema)).toEqual([]);
    // The validator does catch mistakes: no bot id, an unknown scope.
    const broken = { ...manifest, bots: [{ ...manifest.bots[0], botId: 'not-a-guid', scopes: ['everyone'] }] };
    expect((await AppManifestUtils.validateAgainstSchema(broken, schema)).length).toBeGreaterThanOrEqual(2);
  });

  it('declares the bot scopes, commands with examples and the "Escalate to support" message action', () => {
    expect(manifest.bots[0].scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest.bots[0].commandLists[0].commands.length).toBeGreaterThanOrEqual(8);
    for (const c of manifest.bots[0].commandLists[0].commands) expect(c.description).toMatch(/e\.g\.|Admins/);
    const [command] = manifest.composeExtensions[0].commands;
    expect(command).toMatchObject({
      id: ESCALATE_COMMAND,
      type: 'action',
      title: 'Escalate to support',
      context: ['message'],
    });
  });

  it('zips the manifest (with the real bot id) and the icons, reproducibly', async () => {
    const appId = '0b6c3f2a-1d4e-4f5a-8b9c-0d1e2f3a4b5c';
    const zip = buildTeamsPackage(appId);
    expect(Buffer.from(buildTeamsPackage(appId)).equals(Buffer.from(zip))).toBe(true);
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const packaged = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    expect(packaged.bots[0].botId).toBe(appId);
    expect(packaged.composeExtensions[0].botId).toBe(appId);
    expect(await AppManifestUtils.validateAgainstSchema(packaged, schema)).toEqual([]);
    expect(() => packagedManifest(manifest, 'my-bot')).toThrow(/GUID/);
    const size = (png: Uint8Array) => [Buffer.from(png).readUInt32BE(16), Buffer.from(png).readUInt32BE(20)];
    expect(size(files['color.png'])).toEqual([192, 192]);
    expect(size(files['outline.png'])).toEqual([32, 32]);
    expect(
      Buffer.from(readFileSync(new URL('../teams/color.png', import.meta.url))).equals(Buffer.from(files['color.png'])),
    ).toBe(true);
    expect(
      Buffer.from(readFileSync(new URL('../teams/outline.png', import.meta.url))).equals(
        Buffer.from(files['outline.png']),
      ),
    ).toBe(true);
    // The outline icon is white on transparent (premultiplied: r = g = b = alpha), the color icon opaque.
    const outline = new Resvg(OUTLINE_SVG).render().pixels;
    let drawn = 0;
    for (let i = 0; i < outline.length; i += 4) {
      if (outline[i + 3] === 0) continue;
      drawn++;
      expect([outline[i], outline[i + 1], outline[i + 2]]).toEqual([outline[i + 3], outline[i + 3], outline[i + 3]]);
    }
    expect(drawn).toBeGreaterThan(100);
    const color = new Resvg(COLOR_SVG).render().pixels;
    expect(color.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true);
  });
});
