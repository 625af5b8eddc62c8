import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Action } from '../src/actions/index.ts';
import { startSlack, type SlackServer } from '../src/channels/slack/app.ts';
import { ACTION, VIEW, replyBlocks } from '../src/channels/slack/blocks.ts';
import { ESCALATE_REACTION, ESCALATE_SHORTCUT } from '../src/channels/slack/listeners/index.ts';
import { GUEST_ACCOUNT as READ_ONLY, NOT_LINKED as LINK_YOUR_ACCOUNT } from '../src/core/channel-kit.ts';
import { loadConfig } from '../src/config.ts';
import { createAssistant } from '../src/core/assistant.ts';
import { refusalFor } from '../src/core/permissions.ts';
import type { Parser } from '../src/nlu/parser.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';
import { recordingLogger } from './support/log.ts';
import {
  BOT_USER_ID,
  startSlackStandin,
  TEAM_ID,
  type SlackCall,
  type SlackStandin,
} from './support/slack-api-standin.ts';

const SECRET = 'test-signing-secret-8f2c';
const CALL_TEXT = 'log a call with Dana Reyes at Acme about the renewal';
const CALL: Action = {
  type: 'activity.log',
  kind: 'call',
  contact: 'Dana Reyes',
  account: 'Acme',
  summary: 'Talked about the renewal',
  durationMinutes: 20,
};
const WHICH_DANA_TEXT = 'log a call with Dana about pricing';
const WHICH_DANA: Action = { type: 'activity.log', kind: 'call', contact: 'Dana', summary: 'about pricing' };

/** Parsing is not under test here: sentences map to fixed actions; "slow" waits until the test lets it go. */
function scriptedParser(gate: { wait?: Promise<void> }): Parser {
  const script: Record<string, Action> = {
    [CALL_TEXT]: CALL,
    [WHICH_DANA_TEXT]: WHICH_DANA,
    'what is my open pipeline': { type: 'pipeline.query', metric: 'total' },
    'pipeline by stage': { type: 'pipeline.query', metric: 'total', groupBy: 'stage' },
  };
  return {
    name: 'scripted',
    async parse(text) {
      if (text.startsWith('slow ')) {
        await gate.wait;
        return script[text.slice(5)] ?? { type: 'help' };
      }
      return script[text] ?? { type: 'help' };
    },
  };
}

const signed = (body: string, ts = Math.floor(Date.now() / 1000), secret = SECRET) => ({
  'x-slack-request-timestamp': String(ts),
  'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
});

type Buttons = { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[];
const buttonsOf = (call: SlackCall) =>
  ((call.body.blocks ?? []) as Buttons).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
const hasConfirm = (c: SlackCall) => buttonsOf(c).some((e) => e.action_id === ACTION.confirm);

describe('slack-manifest.yaml', () => {
  it('declares the command, shortcut, events and scopes the app uses', () => {
    const manifest = readFileSync(new URL('../slack-manifest.yaml', import.meta.url), 'utf8');
    const listed = (key: string) =>
      [...manifest.matchAll(new RegExp(`^\\s*(?:- )?${key}:\\s*(\\S+)`, 'gm'))].map((m) => m[1]);
    expect(listed('command')).toEqual(['/crm']);
    expect(listed('callback_id')).toEqual([ESCALATE_SHORTCUT]);
    for (const e of ['app_mention', 'message.im', 'reaction_added', 'app_home_opened'])
      expect(manifest).toMatch(new RegExp(`^\\s*- ${e}$`, 'm'));
    for (const s of [
      'commands',
      'app_mentions:read',
      'chat:write',
      'im:history',
      'im:write',
      'users:read',
      'users:read.email',
      'reactions:read',
      'channels:history',
      'files:write',
    ]) {
      expect(manifest).toMatch(new RegExp(`^\\s*- ${s.replace('.', '\\.')}\\b`, 'm'));
    }
    expect(ESCALATE_REACTION).toBe('rotating_light');
  });
});

describe('answer buttons of a "which one?" question', () => {
  const question = (choices: { label: string; action: Action }[]) =>
    replyBlocks({ kind: 'question', text: 'Which one?', choices });
  const elements = (blocks: ReturnType<typeof replyBlocks>) =>
    (blocks as Buttons).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

  it('truncates a label to the 75 characters of a button and leaves out an answer whose action does not fit in 2,000', () => {
    const long = `Dana Whitfield (${'A'.repeat(100)})`;
    const fits: Action = { type: 'activity.log', kind: 'call', contact: 'Dana Whitfield', summary: 's'.repeat(1800) };
    const tooBig: Action = { type: 'activity.log', kind: 'call', contact: 'Dana Reyes', summary: 's'.repeat(2000) };
    const buttons = elements(
      question([
        { label: long, action: fits },
        { label: 'Dana Reyes (Acme)', action: tooBig },
      ]),
    );
    expect(buttons.map((b) => [b.action_id, b.text.text.length])).toEqual([[`${ACTION.choose}_0`, 75]]);
    expect(buttons[0].text.text).toBe(`${long.slice(0, 74)}…`);
    expect(JSON.parse(buttons[0].value)).toEqual(fits);
    expect(buttons[0].value.length).toBeLessThanOrEqual(2000);
    expect(elements(question([{ label: 'Dana Reyes (Acme)', action: tooBig }]))).toEqual([]);
  });
});

describe.each(TARGETS)('Slack app over HTTP (%s)', (target) => {
  let db: TestDb;
  let api: SlackStandin;
  let slack: SlackServer;
  let url: string;
  const gate: { wait?: Promise<void> } = {};
  const ackMs: number[] = [];
  const errors: string[] = [];
  let alex: string; // Slack ids
  let priya: string;
  let omar: string;
  let alexId: string; // CRM id
  let seq = 0;

  beforeAll(async () => {
    db = await freshDb(target, { deals: 400 });
    const ids = Object.fromEntries(
      (await db.query<{ name: string; slack_user_id: string }>(`select name, slack_user_id from public.users`)).map(
        (r) => [r.name, r.slack_user_id],
      ),
    );
    [alex, priya, omar] = [ids['Alex Morgan'], ids['Priya Shah'], ids['Omar Haddad']];
    alexId = (await userNamed(db, 'Alex Morgan')).id;
    const marta = await userNamed(db, 'Marta Schulz');
    api = await startSlackStandin({
      users: [
        { id: alex, name: 'Alex Morgan', email: 'alex.morgan@crm-demo.test' },
        { id: omar, name: 'Omar Haddad', email: 'omar.haddad@crm-demo.test' },
        // a single-channel guest whose Slack id is linked to a CRM user: still read-only
        { id: priya, name: 'Priya Shah', email: 'priya.shah@crm-demo.test', is_ultra_restricted: true },
        // a Slack id the CRM does not know, with a CRM user's email
        { id: 'U0MARTA2', name: 'Marta Schulz', email: marta.email },
        { id: 'U0NOBODY', name: 'Nobody Known', email: 'nobody@elsewhere.test' },
        { id: 'U0CUSTOMER', name: 'Casey Customer', email: 'casey@acme.test', team_id: 'T0ACME' },
      ],
      messages: [
        {
          channel: 'C0SUPPORT',
          ts: '1763890000.000100',
          user: 'U0CUSTOMER',
          text: 'Our whole team is locked out of the dashboard since this morning, this is urgent!',
        },
        {
          channel: 'C0SUPPORT',
          ts: '1763890000.000200',
          user: 'U0CUSTOMER',
          text: 'Billing charged us twice for November.',
        },
      ],
    });
    const config = loadConfig({});
    config.slack = { botToken: 'xoxb-test-token', signingSecret: SECRET, port: 0, apiUrl: api.apiUrl };
    const assistant = createAssistant({ db, parser: scriptedParser(gate), now: () => new Date(`${TODAY}T17:00:00Z`) });
    slack = await startSlack({ config, assistant, db, log: recordingLogger(errors) });
    url = `http://127.0.0.1:${slack.port}/slack/events`;
  });

  afterAll(async () => {
    await slack?.close();
    await api?.close();
    await db?.close();
    if (ackMs.length) {
      const sorted = [...ackMs].sort((a, b) => a - b);
      console.log(
        `[slack:${target}] ack latency over ${sorted.length} requests: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
      );
    }
  });

  /** Another process of the app: its own Slack server and assistant, the same database and Slack API. */
  const replicaConfig = () => {
    const config = loadConfig({});
    config.slack = { botToken: 'xoxb-test-token', signingSecret: SECRET, port: 0, apiUrl: api.apiUrl };
    return config;
  };
  const replicaAssistant = () =>
    createAssistant({ db, parser: scriptedParser(gate), now: () => new Date(`${TODAY}T17:00:00Z`) });

  async function send(body: string, type: 'form' | 'json', headers: Record<string, string> = signed(body)) {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
        ...headers,
      },
      body,
    });
    const ms = performance.now() - started;
    await res.text();
    if (res.status === 200) ackMs.push(ms);
    return { status: res.status, ms };
  }

  const command = (user: string, text: string, channel = 'C0SALES') => {
    const trigger = `trig.cmd.${++seq}`;
    return {
      trigger,
      responseUrl: api.responseUrl(`cmd-${seq}`),
      body: new URLSearchParams({
        token: 'legacy',
        team_id: TEAM_ID,
        channel_id: channel,
        channel_name: 'sales',
        user_id: user,
        user_name: 'u',
        command: '/crm',
        text,
        api_app_id: 'A0CRM',
        response_url: api.responseUrl(`cmd-${seq}`),
        trigger_id: trigger,
      }).toString(),
    };
  };

  const event = (inner: Record<string, unknown>, eventId = `Ev${++seq}`) =>
    JSON.stringify({
      token: 'legacy',
      team_id: TEAM_ID,
      api_app_id: 'A0CRM',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true }],
      event: { event_ts: `1763900100.${seq}`, ...inner },
    });

  const mention = (user: string, text: string, channel = 'C0SALES', eventId?: string) =>
    event(
      { type: 'app_mention', user, text: `<@${BOT_USER_ID}> ${text}`, channel, ts: `1763900100.${++seq}` },
      eventId,
    );

  const interactive = (payload: Record<string, unknown>) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;

  const click = (user: string, actionId: string, value: string, channel = 'C0SALES', ephemeral = true) => {
    const responseUrl = api.responseUrl(`act-${++seq}`);
    return {
      responseUrl,
      trigger: `trig.act.${seq}`,
      body: interactive({
        type: 'block_actions',
        team: { id: TEAM_ID },
        user: { id: user, team_id: TEAM_ID },
        api_app_id: 'A0CRM',
        token: 'legacy',
        trigger_id: `trig.act.${seq}`,
        response_url: responseUrl,
        channel: { id: channel },
        container: { type: 'message', channel_id: channel, message_ts: '1763900000.000001', is_ephemeral: ephemeral },
        actions: [{ type: 'button', action_id: actionId, block_id: `b${seq}`, value, action_ts: `1763900200.${seq}` }],
      }),
    };
  };

  const activities = async () =>
    (
      await db.query<{ n: number }>(
        `select count(*)::int as n from public.activities where owner_id = $1 and summary = $2`,
        [alexId, CALL.summary],
      )
    )[0].n;

  /** Sends a request that surely produces an answer, to know the app has finished what came before. */
  async function settle() {
    const mark = api.calls.length;
    await send(mention(alex, 'help', 'D0SETTLE'), 'json');
    await api.waitFor(mark, (c) => c.method === 'chat.postMessage' && c.body.channel === 'D0SETTLE');
  }

  // Each test counts the calls it causes: first let the previous test's last answers land.
  beforeEach(() => settle());

  describe('commands (/crm)', () => {
    it('acks a slash command before the work, then answers with a Confirm / Cancel / Edit confirmation; Confirm writes the activity once', async () => {
      let release!: () => void;
      gate.wait = new Promise((r) => (release = r));
      const mark = api.calls.length;
      const cmd = command(alex, `slow ${CALL_TEXT}`);
      const ack = await send(cmd.body, 'form');
      expect(ack.status).toBe(200);
      // The ack came back while the parser was still blocked: nothing has been answered yet.
      expect(api.since(mark, 'respond', 'chat.postMessage', 'chat.postEphemeral')).toHaveLength(0);
      release();

      const posted = await api.waitFor(mark, (c) => c.method === 'respond' && hasConfirm(c));
      expect(posted.body.response_url).toBe(new URL(cmd.responseUrl).pathname);
      expect(posted.body.response_type).toBe('ephemeral'); // a pending write in a channel is for its author only
      const buttons = buttonsOf(posted);
      expect(buttons.map((b) => [b.action_id, b.text.text])).toEqual([
        [ACTION.confirm, 'Confirm'],
        [ACTION.cancel, 'Cancel'],
        [ACTION.edit, 'Edit'],
      ]);
      const pendingId = buttons[0].value;
      expect(buttons.every((b) => b.value === pendingId)).toBe(true);
      const [pending] = await db.query<{
        status: string;
        user_id: string;
        channel: string;
        request_id: string;
        action: Record<string, unknown>;
      }>(`select status, user_id, channel, request_id, action from public.pending_actions where id = $1`, [pendingId]);
      expect(pending).toMatchObject({
        status: 'pending',
        user_id: alexId,
        channel: 'slack',
        request_id: `slack:command:${cmd.trigger}`,
      });
      expect(pending.action).toMatchObject({
        type: 'activity.log',
        kind: 'call',
        summary: CALL.summary,
        duration_minutes: 20,
      });
      expect(await activities()).toBe(0);

      const mark2 = api.calls.length;
      const yes = click(alex, ACTION.confirm, pendingId);
      expect((await send(yes.body, 'form')).status).toBe(200);
      const done = await api.waitFor(mark2, (c) => c.method === 'chat.postMessage' && c.body.channel === 'C0SALES');
      expect(String(done.body.text)).toMatch(/^Logged the call with Dana Reyes \(Acme\)/);
      // the ephemeral confirmation is removed; the outcome (no amounts) is shared with the channel
      expect(api.since(mark2, 'respond')[0].body).toMatchObject({ delete_original: true });
      expect(await activities()).toBe(1);
      const audit = await db.query<{ channel: string; actor_id: string }>(
        `select channel, actor_id from public.audit_log where action = 'activity.log' and request_id = $1`,
        [`pending:${pendingId}`],
      );
      expect(audit).toEqual([{ channel: 'slack', actor_id: alexId }]);

      // A second click on the same Confirm (or a replayed click) writes nothing.
      const mark3 = api.calls.length;
      await send(click(alex, ACTION.confirm, pendingId).body, 'form');
      const again = await api.waitFor(mark3, (c) => /already done/.test(String(c.body.text)));
      expect(again.method).toBe('chat.postMessage');
      expect(await activities()).toBe(1);
    });

    it('maps Slack users: by Slack id, by email, unknown people are asked to link their account, guests are read-only', async () => {
      const mark = api.calls.length;
      await send(mention('U0NOBODY', CALL_TEXT, 'C0SALES', 'EvNobody'), 'json');
      const unknown = await api.waitFor(mark, (c) => c.method === 'chat.postEphemeral');
      expect(unknown.body).toMatchObject({ user: 'U0NOBODY', text: LINK_YOUR_ACCOUNT });
      expect(
        await db.query(`select 1 from public.pending_actions where request_id = 'slack:event:EvNobody'`),
      ).toHaveLength(0);

      // someone from another organisation in a shared channel
      const markX = api.calls.length;
      await send(mention('U0CUSTOMER', 'what is my open pipeline', 'C0SHARED'), 'json');
      const external = await api.waitFor(markX, (c) => c.method === 'chat.postEphemeral');
      expect(external.body).toMatchObject({ user: 'U0CUSTOMER', text: READ_ONLY });

      const mark2 = api.calls.length;
      await send(mention('U0MARTA2', 'what is my open pipeline'), 'json');
      const byEmail = await api.waitFor(mark2, (c) => c.method === 'chat.postEphemeral');
      expect(String(byEmail.body.text)).toMatch(/\$\d/);

      const mark3 = api.calls.length;
      const guestCmd = command(priya, CALL_TEXT);
      await send(guestCmd.body, 'form');
      const guest = await api.waitFor(mark3, (c) => c.method === 'respond');
      expect(guest.body).toMatchObject({ text: READ_ONLY, response_type: 'ephemeral' });
      expect(
        await db.query(`select 1 from public.pending_actions where request_id = $1`, [
          `slack:command:${guestCmd.trigger}`,
        ]),
      ).toHaveLength(0);

      const mark4 = api.calls.length;
      await send(command(priya, 'help').body, 'form');
      const help = await api.waitFor(mark4, (c) => c.method === 'respond');
      expect(String(help.body.text)).toMatch(/^Here is what I can do/);
    });
  });

  describe('messages (mentions and DMs)', () => {
    it('answers an app mention with amounts privately (chat.postEphemeral) and says so publicly; the same question in a DM is answered in full', async () => {
      const mark = api.calls.length;
      const ack = await send(mention(alex, 'what is my open pipeline'), 'json');
      expect(ack.status).toBe(200);
      const privately = await api.waitFor(mark, (c) => c.method === 'chat.postEphemeral');
      expect(privately.body).toMatchObject({ channel: 'C0SALES', user: alex });
      expect(String(privately.body.text)).toMatch(/\$\d/);
      await api.waitFor(mark, (c) => c.method === 'chat.postMessage');
      const publicly = api.since(mark, 'chat.postMessage');
      expect(publicly).toHaveLength(1);
      expect(publicly[0].body).toMatchObject({
        channel: 'C0SALES',
        text: `<@${alex}> I've sent you the answer privately.`,
      });

      const mark2 = api.calls.length;
      await send(
        event({
          type: 'message',
          channel_type: 'im',
          channel: 'D0ALEX',
          user: alex,
          text: 'what is my open pipeline',
          ts: '1763900300.1',
        }),
        'json',
      );
      const full = await api.waitFor(mark2, (c) => c.method === 'chat.postMessage');
      expect(full.body.channel).toBe('D0ALEX');
      expect(full.body.text).toBe(privately.body.text);
      expect(api.since(mark2, 'chat.postEphemeral')).toHaveLength(0);
    });

    it('posts a confirmation for a write asked in a channel only to its author, and a retried event (same event_id) writes once', async () => {
      const mark = api.calls.length;
      const body = mention(alex, CALL_TEXT, 'C0SALES', 'EvRetry1');
      expect((await send(body, 'json')).status).toBe(200);
      const first = await api.waitFor(mark, (c) => c.method === 'chat.postEphemeral' && hasConfirm(c));
      expect(first.body.user).toBe(alex);

      const retry = await send(body, 'json', {
        ...signed(body),
        'x-slack-retry-num': '1',
        'x-slack-retry-reason': 'http_timeout',
      });
      expect(retry.status).toBe(200);
      await settle();
      expect(api.since(mark).filter(hasConfirm)).toHaveLength(1);
      const rows = await db.query<{ id: string }>(
        `select id from public.pending_actions where request_id = 'slack:event:EvRetry1'`,
      );
      expect(rows).toHaveLength(1);

      // A process that never saw the first delivery (a restart) does not answer it again either: the
      // delivery was claimed in Postgres. Confirming twice writes one activity.
      const before = await activities();
      const restarted = await startSlack({
        config: replicaConfig(),
        assistant: replicaAssistant(),
        db,
        log: recordingLogger(),
      });
      try {
        const mark2 = api.calls.length;
        const res = await fetch(`http://127.0.0.1:${restarted.port}/slack/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signed(body), 'x-slack-retry-num': '2' },
          body,
        });
        expect(res.status).toBe(200);
        await settle();
        expect(api.since(mark2).filter(hasConfirm)).toHaveLength(0);
      } finally {
        await restarted.close();
      }
      for (let i = 0; i < 2; i++) {
        const m = api.calls.length;
        await send(click(alex, ACTION.confirm, rows[0].id).body, 'form');
        await api.waitFor(m, (c) => c.method === 'respond' || c.method === 'chat.postMessage');
      }
      expect(await activities()).toBe(before + 1);
    });

    it('duplicate deliveries of one event and double clicks, all at once, write once', async () => {
      const body = mention(alex, CALL_TEXT, 'C0SALES', 'EvBurst1');
      const burst = api.calls.length;
      const deliveries = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          send(
            body,
            'json',
            i === 0
              ? signed(body)
              : { ...signed(body), 'x-slack-retry-num': String(i), 'x-slack-retry-reason': 'http_timeout' },
          ),
        ),
      );
      expect(deliveries.map((d) => d.status)).toEqual(Array(8).fill(200));
      await api.waitFor(burst, (c) => c.method === 'chat.postEphemeral' && hasConfirm(c));
      await settle();
      expect(api.since(burst).filter(hasConfirm)).toHaveLength(1);
      const rows = await db.query<{ id: string }>(
        `select id from public.pending_actions where request_id = 'slack:event:EvBurst1'`,
      );
      expect(rows).toHaveLength(1);
      const before = await activities();
      const mark = api.calls.length;
      const clicks = await Promise.all(
        Array.from({ length: 6 }, () => send(click(alex, ACTION.confirm, rows[0].id).body, 'form')),
      );
      expect(clicks.map((c) => c.status)).toEqual(Array(6).fill(200));
      for (let waited = 0; api.since(mark, 'respond').length < 6 && waited < 15_000; waited += 20)
        await new Promise((r) => setTimeout(r, 20));
      expect(api.since(mark, 'respond')).toHaveLength(6); // every click was answered (one "done", the rest "already done")
      expect(await activities()).toBe(before + 1);
      const [{ n }] = await db.query<{ n: number }>(
        `select count(*)::int as n from public.audit_log where request_id = $1`,
        [`pending:${rows[0].id}`],
      );
      expect(n).toBe(1);
    });
  });

  describe('two replicas sharing one Postgres', () => {
    it('the same event delivered 10 times at once to each replica: one answer, one pending write', async () => {
      const other = await startSlack({
        config: replicaConfig(),
        assistant: replicaAssistant(),
        db,
        log: recordingLogger(),
      });
      try {
        const body = mention(alex, CALL_TEXT, 'C0SALES', 'EvTwoReplicas1');
        const urls = [url, `http://127.0.0.1:${other.port}/slack/events`];
        const mark = api.calls.length;
        const deliveries = await Promise.all(
          urls.flatMap((to) =>
            Array.from({ length: 10 }, (_, i) =>
              fetch(to, {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  ...signed(body),
                  ...(i ? { 'x-slack-retry-num': String(i), 'x-slack-retry-reason': 'http_timeout' } : {}),
                },
                body,
              }).then(async (r) => {
                await r.text();
                return r.status;
              }),
            ),
          ),
        );
        expect(deliveries).toEqual(Array(20).fill(200));
        await api.waitFor(mark, (c) => c.method === 'chat.postEphemeral' && hasConfirm(c));
        await settle();
        const answers = api.since(mark).filter((c) => c.body.channel === 'C0SALES');
        expect(answers.filter(hasConfirm)).toHaveLength(1);
        // what one delivery gets: the confirmation to its author, and a public note that it was answered privately
        expect(answers.map((c) => c.method).sort()).toEqual(['chat.postEphemeral', 'chat.postMessage']);
        const rows = await db.query(
          `select id from public.pending_actions where request_id = 'slack:event:EvTwoReplicas1'`,
        );
        expect(rows).toHaveLength(1);
      } finally {
        await other.close();
      }
    });
  });

  describe('requests Slack did not sign', () => {
    it('rejects a bad signature and a stale or future timestamp with 401, with no Slack call and no row', async () => {
      const countRows = async () =>
        (
          await db.query<{ n: number }>(
            `select (select count(*) from public.pending_actions) + (select count(*) from public.processed_requests) as n`,
          )
        )[0].n;
      const rowsBefore = await countRows();
      const mark = api.calls.length;

      const forged = command(alex, CALL_TEXT);
      expect((await send(forged.body, 'form', signed(forged.body, undefined, 'not-the-secret'))).status).toBe(401);
      const tampered = command(alex, CALL_TEXT);
      expect((await send(tampered.body.replace('C0SALES', 'C0OTHER'), 'form', signed(tampered.body))).status).toBe(401);
      const stale = command(alex, CALL_TEXT);
      expect((await send(stale.body, 'form', signed(stale.body, Math.floor(Date.now() / 1000) - 301))).status).toBe(
        401,
      );
      const staleEvent = mention(alex, CALL_TEXT);
      expect((await send(staleEvent, 'json', signed(staleEvent, Math.floor(Date.now() / 1000) - 600))).status).toBe(
        401,
      );
      // correctly signed, but dated an hour ahead: replayable for that hour, so refused too
      const future = mention(alex, CALL_TEXT);
      expect((await send(future, 'json', signed(future, Math.floor(Date.now() / 1000) + 3600))).status).toBe(401);
      const futureCommand = command(alex, CALL_TEXT);
      expect(
        (await send(futureCommand.body, 'form', signed(futureCommand.body, Math.floor(Date.now() / 1000) + 301)))
          .status,
      ).toBe(401);

      await settle();
      expect(api.since(mark).filter((c) => c.body.channel !== 'D0SETTLE' && c.method !== 'users.info')).toEqual([]);
      expect(Number(await countRows())).toBe(Number(rowsBefore)); // help (the settle request) is answered locally, never stored
    });
  });

  describe('shortcuts', () => {
    it('escalates a customer message from the message shortcut with its text, permalink and author; the case post carries Acknowledge / Resolve / Reassign', async () => {
      const mark = api.calls.length;
      const responseUrl = api.responseUrl('shortcut-1');
      const ack = await send(
        interactive({
          type: 'message_action',
          callback_id: 'escalate_message',
          trigger_id: 'trig.short.1',
          response_url: responseUrl,
          team: { id: TEAM_ID },
          user: { id: omar, team_id: TEAM_ID },
          channel: { id: 'C0SUPPORT', name: 'support' },
          token: 'legacy',
          message_ts: '1763890000.000100',
          message: {
            type: 'message',
            ts: '1763890000.000100',
            user: 'U0CUSTOMER',
            text: 'Our whole team is locked out of the dashboard since this morning, this is urgent!',
          },
        }),
        'form',
      );
      expect(ack.status).toBe(200);
      const confirm = await api.waitFor(mark, (c) => c.method === 'respond' && hasConfirm(c));
      expect(api.since(mark, 'chat.getPermalink')[0].body).toMatchObject({
        channel: 'C0SUPPORT',
        message_ts: '1763890000.000100',
      });
      const pendingId = buttonsOf(confirm)[0].value;
      const [pending] = await db.query<{ action: Record<string, unknown> }>(
        `select action from public.pending_actions where id = $1`,
        [pendingId],
      );
      expect(pending.action).toMatchObject({
        type: 'escalation.create',
        source_text: 'Our whole team is locked out of the dashboard since this morning, this is urgent!',
        source_link: 'https://crm-demo.slack.com/archives/C0SUPPORT/p1763890000000100',
      });

      const mark2 = api.calls.length;
      await send(click(omar, ACTION.confirm, pendingId, 'C0SUPPORT').body, 'form');
      const post = await api.waitFor(mark2, (c) => c.method === 'chat.postMessage' && c.body.channel === 'C0SUPPORT');
      const caseNo = /case #(\d+)/.exec(String(post.body.text))![1];
      expect(buttonsOf(post).map((b) => [b.action_id, b.value])).toEqual([
        [ACTION.caseAcknowledge, caseNo],
        [ACTION.caseResolve, caseNo],
        [ACTION.caseReassign, caseNo],
      ]);
      const [row] = await db.query<{ source_link: string; status: string }>(
        `select source_link, status::text from public.cases where id = $1`,
        [caseNo],
      );
      expect(row.source_link).toBe('https://crm-demo.slack.com/archives/C0SUPPORT/p1763890000000100');

      // Acknowledge on the post -> an escalation.update confirmation for the clicker only (the post stays as it is).
      const mark3 = api.calls.length;
      await send(click(omar, ACTION.caseAcknowledge, caseNo, 'C0SUPPORT', false).body, 'form');
      const ackConfirm = await api.waitFor(mark3, (c) => c.method === 'chat.postEphemeral' && hasConfirm(c));
      expect(ackConfirm.body).toMatchObject({ channel: 'C0SUPPORT', user: omar });
      expect(api.since(mark3, 'respond', 'chat.update')).toHaveLength(0);
      const [update] = await db.query<{ action: Record<string, unknown> }>(
        `select action from public.pending_actions where id = $1`,
        [buttonsOf(ackConfirm)[0].value],
      );
      expect(update.action).toMatchObject({ type: 'escalation.update', case: caseNo, status: 'acknowledged' });
    });
  });

  describe('events (reactions, App Home, files)', () => {
    it('escalates on the :rotating_light: reaction, reading the message with conversations.history', async () => {
      const mark = api.calls.length;
      await send(
        event({
          type: 'reaction_added',
          user: omar,
          reaction: 'rotating_light',
          item: { type: 'message', channel: 'C0SUPPORT', ts: '1763890000.000200' },
          item_user: 'U0CUSTOMER',
        }),
        'json',
      );
      const confirm = await api.waitFor(mark, (c) => c.method === 'chat.postEphemeral' && hasConfirm(c));
      expect(api.since(mark, 'conversations.history')[0].body).toMatchObject({
        channel: 'C0SUPPORT',
        latest: '1763890000.000200',
      });
      const [pending] = await db.query<{ action: Record<string, unknown> }>(
        `select action from public.pending_actions where id = $1`,
        [buttonsOf(confirm)[0].value],
      );
      expect(pending.action).toMatchObject({
        type: 'escalation.create',
        category: 'billing',
        source_text: 'Billing charged us twice for November.',
      });
      // another reaction is ignored
      const mark2 = api.calls.length;
      await send(
        event({
          type: 'reaction_added',
          user: omar,
          reaction: 'thumbsup',
          item: { type: 'message', channel: 'C0SUPPORT', ts: '1763890000.000200' },
        }),
        'json',
      );
      await settle();
      expect(api.since(mark2, 'conversations.history')).toHaveLength(0);
    });

    it("uploads a chart with files.uploadV2 and publishes the App Home tab with the user's tasks", async () => {
      const mark = api.calls.length;
      await send(
        event({
          type: 'message',
          channel_type: 'im',
          channel: 'D0ALEX',
          user: alex,
          text: 'pipeline by stage',
          ts: '1763900500.1',
        }),
        'json',
      );
      const done = await api.waitFor(mark, (c) => c.method === 'files.completeUploadExternal');
      const upload = api.since(mark, 'files.getUploadURLExternal')[0];
      expect(upload.body.filename).toMatch(/\.png$/);
      expect(Number(upload.body.length)).toBeGreaterThan(1000);
      expect(api.since(mark, 'upload')[0].body.bytes).toBeGreaterThanOrEqual(Number(upload.body.length));
      expect(done.body.channel_id).toBe('D0ALEX');

      const mark2 = api.calls.length;
      await send(event({ type: 'app_home_opened', user: alex, channel: 'D0ALEX', tab: 'home' }), 'json');
      const published = await api.waitFor(mark2, (c) => c.method === 'views.publish');
      expect(published.body.user_id).toBe(alex);
      const home = published.body.view as { type: string; blocks: { type: string; text?: { text: string } }[] };
      expect(home.type).toBe('home');
      expect(home.blocks[0].text?.text).toBe('Hi Alex — your CRM');
      const shown = home.blocks.map((b) => b.text?.text ?? '').join('\n');
      const open = await db.query<{ text: string }>(
        `select text from public.tasks where assignee_id = $1 and status = 'open'`,
        [alexId],
      );
      expect(open.length).toBeGreaterThan(0);
      expect(shown).toContain(`You have ${open.length} tasks open`);
      for (const t of open) expect(shown).toContain(t.text);
    });
  });

  describe('actions and views (buttons, the Edit form)', () => {
    it('Edit opens a form prefilled from the pending call log; submitting it replaces the pending action with the edited one', async () => {
      const mark = api.calls.length;
      await send(
        event({
          type: 'message',
          channel_type: 'im',
          channel: 'D0ALEX',
          user: alex,
          text: CALL_TEXT,
          ts: '1763900400.1',
        }),
        'json',
      );
      const confirm = await api.waitFor(mark, (c) => c.method === 'chat.postMessage' && hasConfirm(c));
      const oldId = buttonsOf(confirm)[0].value;

      const mark2 = api.calls.length;
      const editClick = click(alex, ACTION.edit, oldId, 'D0ALEX', false);
      await send(editClick.body, 'form');
      const opened = await api.waitFor(mark2, (c) => c.method === 'views.open');
      const view = opened.body.view as {
        callback_id: string;
        private_metadata: string;
        blocks: { block_id: string; element: Record<string, unknown> }[];
      };
      expect(view.callback_id).toBe(VIEW.edit);
      const field = (key: string) => view.blocks.find((b) => b.block_id === `f:${key}`)!.element;
      expect(field('kind')).toMatchObject({ type: 'static_select', initial_option: { value: 'call' } });
      expect(field('contact')).toMatchObject({ initial_value: 'Dana Reyes' });
      expect(field('account')).toMatchObject({ initial_value: 'Acme' });
      expect(field('summary')).toMatchObject({ initial_value: CALL.summary, multiline: true });
      expect(field('durationMinutes')).toMatchObject({ type: 'number_input', initial_value: '20' });

      const submit = (values: Record<string, unknown>) =>
        interactive({
          type: 'view_submission',
          team: { id: TEAM_ID },
          user: { id: alex, team_id: TEAM_ID },
          api_app_id: 'A0CRM',
          token: 'legacy',
          trigger_id: `trig.view.${++seq}`,
          view: {
            id: 'V0EDIT',
            hash: `h${seq}`,
            type: 'modal',
            callback_id: VIEW.edit,
            private_metadata: view.private_metadata,
            state: { values },
          },
        });
      const values = {
        'f:kind': { v: { type: 'static_select', selected_option: { value: 'meeting' } } },
        'f:contact': { v: { type: 'plain_text_input', value: 'Dana Reyes' } },
        'f:account': { v: { type: 'plain_text_input', value: 'Acme' } },
        'f:summary': { v: { type: 'plain_text_input', value: 'Renewal review on site' } },
        'f:durationMinutes': { v: { type: 'number_input', value: '45' } },
      };
      // A bad value is reported on its field and changes nothing.
      const badBody = submit({ ...values, 'f:durationMinutes': { v: { value: '0' } } });
      const bad = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...signed(badBody) },
        body: badBody,
      });
      expect(await bad.json()).toMatchObject({
        response_action: 'errors',
        errors: { 'f:durationMinutes': expect.any(String) },
      });

      const mark3 = api.calls.length;
      expect((await send(submit(values), 'form')).status).toBe(200);
      const fresh = await api.waitFor(mark3, (c) => c.method === 'chat.postMessage' && hasConfirm(c));
      expect(fresh.body.channel).toBe('D0ALEX');
      const newId = buttonsOf(fresh)[0].value;
      expect(newId).not.toBe(oldId);
      const rows = await db.query<{ id: string; status: string; action: Record<string, unknown> }>(
        `select id, status, action from public.pending_actions where id in ($1, $2)`,
        [oldId, newId],
      );
      expect(rows.find((r) => r.id === oldId)!.status).toBe('cancelled');
      expect(rows.find((r) => r.id === newId)!.action).toMatchObject({
        kind: 'meeting',
        summary: 'Renewal review on site',
        duration_minutes: 45,
      });
      // the old confirmation (and its buttons) is replaced through the Edit click's response_url
      expect(api.since(mark3, 'respond').map((c) => [c.body.response_url, c.body.text])).toEqual([
        [new URL(editClick.responseUrl).pathname, 'Replaced by your edited request.'],
      ]);
    });

    it('offers the answers of a "which one?" question as buttons; a pick runs the request with that record, a tampered one is refused', async () => {
      const logged = async () =>
        await db.query<{ contact: string }>(
          `select c.name as contact from public.activities a join public.contacts c on c.id = a.contact_id where a.owner_id = $1 and a.summary = $2`,
          [alexId, WHICH_DANA.summary],
        );
      const mark = api.calls.length;
      await send(mention(alex, WHICH_DANA_TEXT), 'json');
      const asked = await api.waitFor(mark, (c) => c.method === 'chat.postEphemeral' && buttonsOf(c).length > 0);
      expect(asked.body).toMatchObject({
        channel: 'C0SALES',
        user: alex,
        text: 'Which contact do you mean: Dana Reyes (Acme) or Dana Whitfield (Acme Logistics)?',
      });
      const choices = buttonsOf(asked);
      expect(choices.map((b) => [b.action_id, b.text.text])).toEqual([
        [`${ACTION.choose}_0`, 'Dana Reyes (Acme)'],
        [`${ACTION.choose}_1`, 'Dana Whitfield (Acme Logistics)'],
      ]);
      expect(JSON.parse(choices[1].value)).toEqual({ ...WHICH_DANA, contact: 'Dana Whitfield' });
      // the question (and its buttons) is the asker's alone; the channel sees only that a reply went privately
      await api.waitFor(mark, (c) => c.method === 'chat.postMessage');
      expect(api.since(mark, 'chat.postMessage').map((c) => [c.body.text, buttonsOf(c).length])).toEqual([
        [`<@${alex}> I've sent you my reply privately.`, 0],
      ]);

      // Picking Dana Whitfield replaces the question with the confirmation, still only for the asker.
      const mark2 = api.calls.length;
      const pick = click(alex, choices[1].action_id, choices[1].value);
      expect((await send(pick.body, 'form')).status).toBe(200);
      const confirm = await api.waitFor(mark2, (c) => c.method === 'respond' && hasConfirm(c));
      expect(confirm.body).toMatchObject({ response_url: new URL(pick.responseUrl).pathname, replace_original: true });
      expect(String(confirm.body.text)).toMatch(/Dana Whitfield \(Acme Logistics\)/);
      expect(String(confirm.body.text)).not.toMatch(/Dana Reyes/);
      const pendingId = buttonsOf(confirm)[0].value;
      const [pending] = await db.query<{ request_id: string; user_id: string }>(
        `select request_id, user_id from public.pending_actions where id = $1`,
        [pendingId],
      );
      expect(pending).toEqual({ request_id: `slack:action:${pick.trigger}`, user_id: alexId });
      expect(await logged()).toEqual([]);

      const mark3 = api.calls.length;
      await send(click(alex, ACTION.confirm, pendingId).body, 'form');
      await api.waitFor(
        mark3,
        (c) => c.method === 'chat.postMessage' && /^Logged the call with Dana Whitfield/.test(String(c.body.text)),
      );
      expect(await logged()).toEqual([{ contact: 'Dana Whitfield' }]);

      // A hand-made value is only a request like any other: a rep may not approve a data request.
      const rows = async () =>
        (
          await db.query<{ n: number }>(
            `select (select count(*) from public.pending_actions) + (select count(*) from public.processed_requests) + (select count(*) from public.audit_log) as n`,
          )
        )[0].n;
      const before = Number(await rows());
      const mark4 = api.calls.length;
      await send(
        click(alex, `${ACTION.choose}_0`, JSON.stringify({ type: 'data_request.step', request: '1', step: 'approve' }))
          .body,
        'form',
      );
      const refused = await api.waitFor(mark4, (c) => c.method === 'respond');
      expect(refused.body).toMatchObject({ text: refusalFor('rep', 'data_request.step'), replace_original: true });
      expect(hasConfirm(refused)).toBe(false);
      expect(Number(await rows())).toBe(before);

      // Not JSON at all: a private note. A read-only guest's click runs nothing.
      const mark5 = api.calls.length;
      await send(click(alex, `${ACTION.choose}_1`, '{"type":"activity.log",').body, 'form');
      const stale = await api.waitFor(mark5, (c) => c.method === 'respond');
      expect(stale.body).toMatchObject({
        text: 'That choice is no longer valid; nothing was changed. Please ask again.',
        response_type: 'ephemeral',
      });
      const mark6 = api.calls.length;
      await send(click(priya, choices[0].action_id, choices[0].value).body, 'form');
      expect((await api.waitFor(mark6, (c) => c.method === 'respond')).body).toMatchObject({ text: READ_ONLY });
      expect(Number(await rows())).toBe(before);
    });
  });

  it('logged no handler errors along the way', () => {
    expect(errors).toEqual([]);
  });
});
