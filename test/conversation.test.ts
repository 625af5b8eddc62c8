import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant } from '../src/core/assistant.ts';
import { createChannelKit } from '../src/core/channel-kit.ts';
import type { Reply } from '../src/core/types.ts';
import type { Requester } from '../src/db/port.ts';
import { conversations } from '../src/demo/conversation.ts';
import { type Dialogue, evaluateDialogues, parseCases } from '../src/nlu/evaluate.ts';
import { offlineParser } from '../src/nlu/offline-parser.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';

const NOW = `${TODAY}T18:00:00.000Z`;

describe.each(TARGETS)('a conversation on %s', (target) => {
  let db: TestDb;
  let alex: Requester, elena: Requester;
  let seq = 0;
  beforeAll(async () => {
    db = await freshDb(target, { deals: 400 });
    [alex, elena] = await Promise.all(['Alex Morgan', 'Elena Novak'].map((n) => userNamed(db, n)));
  });
  afterAll(() => db?.close());

  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0].n;
  /** A channel replica: its own assistant and kit, sharing the one database (as two Slack or Teams replicas do). */
  const replica = () =>
    createChannelKit({ assistant: createAssistant({ db, parser: offlineParser, now: () => new Date(NOW) }), db });
  /** A new direct conversation of one user (what earlier tests said is forgotten), said through the replicas in turn. */
  function chat(user = alex, kits = [replica()]) {
    const id = ++seq;
    let turn = 0;
    return async (text: string, kit = kits[turn % kits.length]): Promise<Reply> => {
      if (turn === 0) await db.query('delete from public.conversation_states where user_id = $1', [user.id]);
      return kit.say({ kind: 'member', user }, { requestId: `conv-${id}-${++turn}`, channel: 'slack' }, text);
    };
  }
  const key = (user: Requester) => `slack:dm:${user.id}`;

  it('a follow-up keeps the filters it does not replace, and its figure equals the SQL', async () => {
    const say = chat();
    const first = await say('how many deals do I have in discovery this quarter');
    expect(first.read).toMatchObject({ metric: 'count', owner: 'me', stage: 'discovery' });
    const next = await say('and in proposal?');
    expect(next.read).toEqual({
      type: 'pipeline.query',
      metric: 'count',
      owner: 'me',
      stage: 'proposal',
      from: '2026-10-01',
      to: '2026-12-31',
    });
    const n = await count(
      `public.deals where owner_id = $1 and stage = 'proposal' and close_date between '2026-10-01' and '2026-12-31'`,
      [alex.id],
    );
    expect(next.text).toContain(String(n));
    expect((await say('remind me to call Sara Kim tomorrow')).read).toEqual({
      type: 'task.create',
      text: 'call Sara Kim',
      contact: 'Sara Kim',
      dueDate: '2026-11-24',
    });
  });

  it('a correction edits the pending write, silently replacing it; one yes writes it once', async () => {
    const say = chat();
    const before = await count('public.activities where owner_id = $1', [alex.id]);
    const first = await say('log a 15 min call with Maria Lopez at Initech, she needs the SOC 2 report');
    expect(first.kind).toBe('confirm');
    const fixed = await say('make that 30 minutes');
    expect(fixed.kind).toBe('confirm');
    expect(fixed.text).toContain('30 min');
    expect(fixed.text).not.toContain('earlier request');
    const [{ status }] = await db.query<{ status: string }>('select status from public.pending_actions where id = $1', [
      first.confirm!.pendingId,
    ]);
    expect(status).toBe('cancelled');
    expect((await say('yes please')).kind).toBe('done');
    expect(await count('public.activities where owner_id = $1', [alex.id])).toBe(before + 1);
    const [a] = await db.query<{ duration_minutes: number }>(
      'select duration_minutes from public.activities where owner_id = $1 order by created_at desc limit 1',
      [alex.id],
    );
    expect(a.duration_minutes).toBe(30);
  });

  it("an answer to the assistant's question completes the request it asked about", async () => {
    const say = chat();
    expect((await say('log a meeting with Ken Watanabe')).kind).toBe('question');
    const answered = await say('we agreed on a pilot starting in January');
    expect(answered.read).toMatchObject({ type: 'activity.log', kind: 'meeting', contact: 'Ken Watanabe' });
    expect(answered.kind).toBe('confirm');
    expect((await say('no')).text).toMatch(/Cancelled/);
  });

  it('"him" and "it" are the person and the record talked about last', async () => {
    const say = chat();
    await say('who is Tom Becker');
    expect((await say('log a call with him, he confirmed the budget')).read).toMatchObject({
      type: 'activity.log',
      contact: 'Tom Becker',
    });
    await say('cancel');
    await say('move the Acme platform deal to negotiation');
    await say('yes');
    expect((await say('and set its close date to December 18')).read).toEqual({
      type: 'deal.update',
      deal: 'Acme platform',
      closeDate: '2026-12-18',
    });
  });

  it('two replicas continue the same conversation: the state is in Postgres, private to its user', async () => {
    const say = chat(alex, [replica(), replica()]);
    const before = await count('public.activities where owner_id = $1', [alex.id]);
    await say('log a 20 min call with Maria Lopez at Initech, she asked for references');
    expect((await say('make that 45 minutes')).text).toContain('45 min');
    expect((await say('yes')).kind).toBe('done');
    expect(await count('public.activities where owner_id = $1', [alex.id])).toBe(before + 1);
    expect(await db.rpc(elena, 'conversation_get', { conversation: key(alex) })).toEqual({});
    expect(await db.rpc(alex, 'conversation_get', { conversation: key(alex) })).toHaveProperty('dialogue');
  });

  it('a conversation silent for 30 minutes is forgotten', async () => {
    const say = chat();
    await say('how many deals do I have in discovery this quarter');
    expect((await say('and in proposal?')).read?.type).toBe('pipeline.query');
    await db.query(
      `update public.conversation_states set updated_at = now() - interval '31 minutes' where user_id = $1`,
      [alex.id],
    );
    expect((await say('and in negotiation?')).read).toEqual({
      type: 'pipeline.query',
      metric: 'list',
      stage: 'negotiation',
    });
  });

  it('erasing a person removes every conversation that names them', async () => {
    const say = chat();
    await say('who is Tom Becker');
    expect(await count(`public.conversation_states where state::text ilike '%tom becker%'`)).toBeGreaterThan(0);
    await db.query(`update public.contacts set erased_at = now() where name = 'Tom Becker'`);
    expect(await count(`public.conversation_states where state::text ilike '%tom becker%'`)).toBe(0);
  });

  it('undo takes back the last own write once, confirmed and audited; what it cannot take back is said', async () => {
    const say = chat();
    const activities = await count('public.activities where owner_id = $1', [alex.id]);
    const openTasks = await count(`public.tasks where assignee_id = $1 and status = 'open'`, [alex.id]);
    await say('log a call with Maria Lopez at Initech, she wants pricing by Friday');
    expect((await say('yes')).kind).toBe('done');
    expect(await count(`public.tasks where assignee_id = $1 and status = 'open'`, [alex.id])).toBe(openTasks + 1);
    const preview = await say('undo that');
    expect(preview.kind).toBe('confirm');
    expect(preview.text).toMatch(
      /Take back the logged call: she wants pricing by Friday \(and its open follow-up task\)/,
    );
    expect((await say('yes')).kind).toBe('done');
    expect(await count('public.activities where owner_id = $1', [alex.id])).toBe(activities);
    expect(await count(`public.tasks where assignee_id = $1 and status = 'open'`, [alex.id])).toBe(openTasks);
    expect(await count(`public.audit_log where action = 'undo' and actor_id = $1`, [alex.id])).toBe(1);
    expect((await say('undo')).text).toMatch(/already taken back/);

    expect((await say('escalate for Umbrella Corp: invoices show the wrong VAT rate')).kind).toBe('confirm');
    expect((await say('yes')).kind).toBe('done');
    const cases = await count('public.cases');
    const refused = await say('undo');
    expect(refused.kind).toBe('answer');
    expect(refused.text).toMatch(/\(escalation\.create\) is not one I can take back/);
    expect(await count('public.cases')).toBe(cases);
  });

  it.runIf(target === 'pglite')('reads every development and blind conversation as labelled', async () => {
    const sets = [
      './fixtures/dialogue-dev.jsonl',
      './fixtures/dialogue-blind-1.jsonl',
      './fixtures/dialogue-blind-2.jsonl',
    ];
    const talk = conversations(db);
    for (const file of sets) {
      const dialogues = parseCases(readFileSync(new URL(file, import.meta.url), 'utf8')) as unknown as Dialogue[];
      const report = await evaluateDialogues(dialogues, async (d) => {
        const say = await talk.converse(d.user, d.today);
        return async (text) => (await say(text)).read;
      });
      expect(report.turns.rate, JSON.stringify(report.misses.map((m) => m.got))).toBeGreaterThanOrEqual(0.95);
      expect(report.conversations.rate).toBeGreaterThanOrEqual(file.includes('dev') ? 1 : 0.9);
    }
  });
});
