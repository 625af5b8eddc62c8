import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../src/actions/index.ts';
import { startSlack, type SlackServer } from '../src/channels/slack/app.ts';
import { ACTION } from '../src/channels/slack/blocks.ts';
import { loadConfig } from '../src/config.ts';
import { createAssistant } from '../src/core/assistant.ts';
import { freshDb, TODAY, userNamed, type TestDb } from './support/db.ts';
import { recordingLogger } from './support/log.ts';
import { startSlackStandin, TEAM_ID, type SlackCall, type SlackStandin } from './support/slack-api-standin.ts';
import { startSocketModeStandin } from './support/slack-socket-standin.ts';

const CALL_TEXT = 'log a call with Dana Reyes at Acme about the socket';
const CALL: Action = {
  type: 'activity.log',
  kind: 'call',
  contact: 'Dana Reyes',
  account: 'Acme',
  summary: 'Socket mode: renewal talk',
};
const script: Record<string, Action> = {
  [CALL_TEXT]: CALL,
  'what is my open pipeline': { type: 'pipeline.query', metric: 'total' },
  'log a call with Dana about pricing': {
    type: 'activity.log',
    kind: 'call',
    contact: 'Dana',
    summary: 'Socket mode: pricing',
  },
};

type Buttons = { type: string; elements?: { action_id: string; value: string }[] }[];
const buttonsOf = (c: SlackCall) =>
  ((c.body.blocks ?? []) as Buttons).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

/** The real Bolt SocketModeReceiver (and @slack/socket-mode client) against a local stand-in for Slack's WebSocket. */
describe('Slack in Socket Mode', () => {
  let db: TestDb;
  let api: SlackStandin;
  let socket: Awaited<ReturnType<typeof startSocketModeStandin>>;
  let slack: SlackServer;
  let alex: string;
  let alexId: string;
  let seq = 0;

  beforeAll(async () => {
    db = await freshDb('pglite', { deals: 300 });
    const [row] = await db.query<{ slack_user_id: string }>(
      `select slack_user_id from public.users where name = 'Alex Morgan'`,
    );
    alex = row.slack_user_id;
    alexId = (await userNamed(db, 'Alex Morgan')).id;
    socket = await startSocketModeStandin();
    api = await startSlackStandin({
      users: [{ id: alex, name: 'Alex Morgan', email: 'alex.morgan@crm-demo.test' }],
      socketUrl: socket.url,
    });
    const config = loadConfig({});
    config.slack = {
      botToken: 'xoxb-test-token',
      signingSecret: 'unused-in-socket-mode',
      appToken: 'xapp-test-token',
      port: 0,
      apiUrl: api.apiUrl,
    };
    const parser = { name: 'scripted', parse: async (text: string) => script[text] ?? ({ type: 'help' } as Action) };
    const assistant = createAssistant({ db, parser, now: () => new Date(`${TODAY}T17:00:00Z`) });
    slack = await startSlack({ config, assistant, db, log: recordingLogger() });
    await socket.connected(1);
  }, 120_000);

  afterAll(async () => {
    await slack?.close();
    await socket?.close();
    await api?.close();
    await db?.close();
  });

  const dm = (text: string) =>
    socket.send('events_api', {
      token: 'legacy',
      team_id: TEAM_ID,
      api_app_id: 'A0CRMDEMO',
      type: 'event_callback',
      event_id: `EvSock${++seq}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        channel_type: 'im',
        channel: 'D0ALEX',
        user: alex,
        text,
        ts: `1763900300.${seq}`,
        event_ts: `1763900300.${seq}`,
      },
    });
  const click = (actionId: string, value: string, channel: string) => {
    const responseUrl = api.responseUrl(`sock-act-${++seq}`);
    const envelope = socket.send('interactive', {
      type: 'block_actions',
      team: { id: TEAM_ID },
      user: { id: alex, team_id: TEAM_ID },
      api_app_id: 'A0CRMDEMO',
      trigger_id: `trig.sock.${seq}`,
      response_url: responseUrl,
      channel: { id: channel },
      container: {
        type: 'message',
        channel_id: channel,
        message_ts: '1763900000.000001',
        is_ephemeral: channel.startsWith('C'),
      },
      actions: [{ type: 'button', action_id: actionId, block_id: `b${seq}`, value, action_ts: `1763900400.${seq}` }],
    });
    return { envelope, responseUrl: new URL(responseUrl).pathname };
  };

  it('answers a DM, acking the envelope by its id', async () => {
    const mark = api.calls.length;
    const envelope = dm('what is my open pipeline');
    await socket.acked(envelope);
    const answer = await api.waitFor(mark, (c) => c.method === 'chat.postMessage' && c.body.channel === 'D0ALEX');
    expect(String(answer.body.text)).toMatch(/^Your pipeline, any close date: \$[\d,]+ in \d+ open deals?\./);
  });

  it('a slash command gets a private confirmation; Confirm writes the activity once', async () => {
    const logged = async () =>
      (
        await db.query<{ n: number }>(
          `select count(*)::int as n from public.activities where owner_id = $1 and summary = $2`,
          [alexId, CALL.summary],
        )
      )[0].n;
    const mark = api.calls.length;
    const responseUrl = api.responseUrl(`sock-cmd-${++seq}`);
    const envelope = socket.send('slash_commands', {
      token: 'legacy',
      team_id: TEAM_ID,
      channel_id: 'C0SALES',
      channel_name: 'sales',
      user_id: alex,
      user_name: 'alex',
      command: '/crm',
      text: CALL_TEXT,
      api_app_id: 'A0CRMDEMO',
      response_url: responseUrl,
      trigger_id: `trig.sock.${seq}`,
    });
    await socket.acked(envelope);
    const asked = await api.waitFor(
      mark,
      (c) => c.method === 'respond' && buttonsOf(c).some((b) => b.action_id === ACTION.confirm),
    );
    expect(asked.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(asked.body.text)).toMatch(/^Log a call with Dana Reyes \(Acme\)/);
    expect(await logged()).toBe(0);

    const pendingId = buttonsOf(asked).find((b) => b.action_id === ACTION.confirm)!.value;
    const mark2 = api.calls.length;
    const first = click(ACTION.confirm, pendingId, 'C0SALES');
    const second = click(ACTION.confirm, pendingId, 'C0SALES'); // a double click
    await Promise.all([socket.acked(first.envelope), socket.acked(second.envelope)]);
    await api.waitFor(mark2, (c) => /^Logged the call with Dana Reyes/.test(String(c.body.text)));
    await api.waitFor(mark2, (c) => /already/.test(String(c.body.text)));
    expect(await logged()).toBe(1);
  });

  it('in a DM, a "which one?" answer replaces the question it answers', async () => {
    const mark = api.calls.length;
    dm('log a call with Dana about pricing');
    const question = await api.waitFor(mark, (c) => c.method === 'chat.postMessage' && buttonsOf(c).length === 2);
    const pick = buttonsOf(question)[1];
    const mark2 = api.calls.length;
    click(pick.action_id, pick.value, 'D0ALEX');
    const replaced = await api.waitFor(mark2, (c) => c.method === 'respond');
    expect(replaced.body).toMatchObject({ replace_original: true });
    expect(String(replaced.body.text)).toMatch(/^Log a call with Dana Whitfield \(Acme Logistics\)/);
  });

  it('survives a server-requested reconnect: a new connection through apps.connections.open, then answers again', async () => {
    const opened = () => api.calls.filter((c) => c.method === 'apps.connections.open').length;
    const before = opened();
    socket.disconnect('refresh_requested');
    await socket.connected(2);
    expect(opened()).toBe(before + 1);
    const mark = api.calls.length;
    await socket.acked(dm('what is my open pipeline'));
    await api.waitFor(mark, (c) => c.method === 'chat.postMessage' && c.body.channel === 'D0ALEX');
  });
});
