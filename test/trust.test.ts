import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant } from '../src/core/assistant.ts';
import { guestRequester } from '../src/core/guest.ts';
import { NOT_LINKED as LINK_YOUR_ACCOUNT } from '../src/core/channel-kit.ts';
import type { Requester } from '../src/db/port.ts';
import { createParser } from '../src/nlu/create-parser.ts';
import { offlineParser } from '../src/nlu/offline-parser.ts';
import { loadConfig } from '../src/config.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';
import { startOpenAiStandin } from './support/openai-standin.ts';

const now = () => new Date(`${TODAY}T15:00:00Z`);
const realToday = () => new Date().toISOString().slice(0, 10);

describe.each(TARGETS)('trust layer on %s', (target) => {
  let db: TestDb;
  let alex: Requester;
  let jordan: Requester;
  let elena: Requester;
  beforeAll(async () => {
    db = await freshDb(target, { deals: 600 });
    [alex, jordan, elena] = await Promise.all(
      ['Alex Morgan', 'Jordan Lee', 'Elena Novak'].map((n) => userNamed(db, n)),
    );
  });
  afterAll(() => db?.close());
  const assistant = () => createAssistant({ db, parser: offlineParser, now });
  const say = (user: Requester, text: string, conversation?: string, id = `${user.id}:${text}:${conversation}`) =>
    assistant().handle({ requestId: id, channel: 'slack', conversation, user, text });
  const yes = async (user: Requester, reply: Awaited<ReturnType<typeof say>>) => {
    expect(reply.kind, reply.text).toBe('confirm');
    return assistant().confirm(reply.confirm!.pendingId, user, true);
  };
  const count = async (sql: string, p: unknown[] = []) =>
    (await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, p))[0].n;

  it("a rep asking in chat for another team's pipeline sees none of its deals", async () => {
    const reply = await say(alex, "show Marco's deals this quarter");
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from public.deals d join public.users u on u.id = d.owner_id
       where u.name = 'Marco Rossi' and d.close_date between '2026-10-01' and '2026-12-31' and d.stage not in ('closed_won', 'closed_lost')`,
    );
    expect(n).toBeGreaterThan(0);
    expect(reply.text).toMatch(/\$0|0 open deals/);
    expect(reply.table).toBeUndefined();
  });

  it('an admin sets a channel to escalations only from chat; a pipeline question there is refused, DMs are not affected', async () => {
    expect((await say(alex, 'set this channel to escalations only', 'C0SUPPORT')).kind).toBe('refusal');
    const done = await yes(jordan, await say(jordan, 'set this channel to escalations only', 'C0SUPPORT'));
    expect(done.text).toMatch(/escalations/);
    const refused = await say(alex, "what's my pipeline this quarter", 'C0SUPPORT');
    expect(refused).toMatchObject({ kind: 'refusal' });
    expect(refused.text).toMatch(/escalations only/);
    expect((await say(alex, "what's my pipeline this quarter")).kind).toBe('answer');
    expect((await say(alex, "what's my pipeline this quarter", 'C0OTHER')).kind).toBe('answer');
    const escalation = await say(alex, 'escalate: Acme says checkout is down for all their users', 'C0SUPPORT');
    expect(escalation.kind).toBe('confirm');
  });

  it('an admin chooses the one channel that receives escalation notices', async () => {
    expect(await db.serviceRpc('notice_target', { channel: 'slack', notices: 'escalations' })).toBeNull();
    await yes(jordan, await say(jordan, 'post escalations here', 'C0SUPPORT'));
    expect(await db.serviceRpc('notice_target', { channel: 'slack', notices: 'escalations' })).toBe('C0SUPPORT');
    await yes(jordan, await say(jordan, 'send case notices to this channel', 'C0ONCALL'));
    expect(await db.serviceRpc('notice_target', { channel: 'slack', notices: 'escalations' })).toBe('C0ONCALL');
    expect(await db.serviceRpc('notice_target', { channel: 'teams', notices: 'escalations' })).toBeNull();
    // the earlier "escalations only" setting of C0SUPPORT is kept
    const refused = await say(alex, "what's my pipeline this quarter", 'C0SUPPORT');
    expect(refused.text).toMatch(/escalations only/);
  });

  it('the bot installation scopes narrow every user, admins included', async () => {
    const narrow = createAssistant({ db, parser: offlineParser, now, botScopes: ['pipeline'] });
    const reply = await narrow.handle({
      requestId: 'scoped-1',
      channel: 'repl',
      user: jordan,
      text: 'log a call with Dana Reyes about pricing',
    });
    expect(reply).toMatchObject({ kind: 'refusal' });
    expect(
      (await narrow.handle({ requestId: 'scoped-2', channel: 'repl', user: jordan, text: 'total pipeline' })).kind,
    ).toBe('answer');
  });

  it('someone without a linked account may only raise a case from a customer message, where the channel allows it', async () => {
    const guest = await guestRequester(db, 'Visitor Vic');
    const source = {
      text: 'Hooli: our dashboard is down for everyone',
      link: 'https://crm-demo.slack.com/archives/C0SUPPORT/p1',
    };
    const typed = await say(guest, 'log a call with Dana Reyes about pricing', 'C0SUPPORT');
    expect(typed).toEqual({ kind: 'refusal', text: LINK_YOUR_ACCOUNT });
    const elsewhere = await assistant().run(
      { type: 'escalation.create', summary: 'this' },
      { requestId: 'g-1', channel: 'slack', conversation: 'C0RANDOM', user: guest, source },
    );
    expect(elsewhere.text).toBe(LINK_YOUR_ACCOUNT);
    const before = await count('public.cases');
    const pending = await assistant().run(
      { type: 'escalation.create', summary: 'this' },
      { requestId: 'g-2', channel: 'slack', conversation: 'C0SUPPORT', user: guest, source },
    );
    const done = await yes(guest, pending);
    expect(done.kind).toBe('done');
    expect(await count('public.cases')).toBe(before + 1);
    const [c] = await db.query<{ source_text: string; reporter: string; severity: string }>(
      `select c.source_text, u.role::text as reporter, c.severity::text from public.cases c join public.users u on u.id = c.reporter_id order by c.id desc limit 1`,
    );
    expect(c).toEqual({ source_text: source.text, reporter: 'guest', severity: 'urgent' });
    // and the guest's database role reads no contacts at all
    const visible = await db.rpc(guest, 'find_entities', { kind: 'contact', q: 'Dana Reyes' });
    expect(visible).toEqual([]);
  });

  it('the audit trail answers "who exported data" and "what changed on Acme" for admins and privacy officers only', async () => {
    const logged = await yes(
      alex,
      await say(alex, 'log a 15 min call with Dana Reyes at Acme, discussed renewal terms'),
    );
    expect(logged.kind).toBe('done');
    const day = realToday();
    const onAcme = await assistant().run(
      { type: 'audit.query', action: 'write', account: 'Acme', from: day, to: day },
      { requestId: 'audit-1', channel: 'slack', user: jordan },
    );
    expect(onAcme.kind).toBe('answer');
    expect(
      onAcme.table!.rows.some(
        (r) => r[1] === 'Alex Morgan (rep)' && r[3] === 'activity.log' && r[4] === 'call on Acme',
      ),
    ).toBe(true);
    expect(JSON.stringify(onAcme)).not.toMatch(/Dana|renewal terms/);
    const exports = await assistant().run(
      { type: 'audit.query', action: 'export', from: day, to: day },
      { requestId: 'audit-2', channel: 'slack', user: elena },
    );
    expect(exports.text).toMatch(/^0 data exports/);
    // one export, and a second "execute" of the completed request (a no-op): the trail shows one export
    const filed = await yes(
      alex,
      await assistant().run(
        { type: 'data_request.create', kind: 'access', subject: 'jane.doe@hooli.com' },
        { requestId: 'audit-dr', channel: 'slack', user: alex },
      ),
    );
    const id = /#(\d+)/.exec(filed.text)![1];
    for (const [step, extra] of [
      ['verify', { note: 'reply from the email on file' }],
      ['approve', {}],
      ['execute', {}],
    ] as const) {
      const done = await yes(
        elena,
        await assistant().run(
          { type: 'data_request.step', request: id, step, ...extra },
          { requestId: `audit-${step}`, channel: 'slack', user: elena },
        ),
      );
      expect(done.kind).toBe('done');
    }
    expect(
      (
        await assistant().run(
          { type: 'data_request.step', request: id, step: 'execute' },
          { requestId: 'audit-again', channel: 'slack', user: elena },
        )
      ).kind,
    ).toBe('answer');
    const after = await assistant().run(
      { type: 'audit.query', action: 'export', from: day, to: day },
      { requestId: 'audit-4', channel: 'slack', user: elena },
    );
    expect(after.text).toMatch(/^1 data export between/);
    expect(after.table!.rows).toEqual([
      [
        expect.any(String),
        'Elena Novak (privacy_officer)',
        'slack',
        'data_request.step (execute, access)',
        `request #${id}`,
      ],
    ]);
    const refused = await assistant().run(
      { type: 'audit.query', action: 'any' },
      { requestId: 'audit-3', channel: 'slack', user: alex },
    );
    expect(refused.kind).toBe('refusal');
    expect(await count(`public.audit_log where action = 'audit.query' and actor_id = $1`, [jordan.id])).toBe(1);
  });

  it('every LLM call is in the audit log with a hash of the prompt, never the text', async () => {
    const standin = await startOpenAiStandin(() => ({ tool: 'contact_lookup', args: { query: '<EMAIL_1>' } }));
    try {
      const config = loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: standin.baseUrl, OPENAI_MODEL: 'scripted' });
      const llm = createAssistant({ db, parser: createParser(config, db), now });
      const reply = await llm.handle({
        requestId: 'llm-audit-1',
        channel: 'repl',
        user: alex,
        text: 'look up dana.reyes@acme.com for Dana Reyes',
      });
      expect(reply.kind).toBe('answer');
      expect(standin.sentText()).not.toMatch(/dana\.reyes@acme\.com|Dana Reyes/);
      const rows = await db.query<{ detail: Record<string, unknown>; target_id: string; actor_id: string }>(
        `select detail, target_id, actor_id from public.audit_log where action = 'llm.call'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        target_id: 'scripted',
        actor_id: alex.id,
        detail: { outcome: 'ok', prompt_sha256: expect.stringMatching(/^[0-9a-f]{32}$/) },
      });
      expect(JSON.stringify(rows)).not.toMatch(/dana/i);
    } finally {
      await standin.close();
    }
  });
});
