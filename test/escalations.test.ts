import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant } from '../src/core/assistant.ts';
import type { Reply } from '../src/core/types.ts';
import type { Requester, SqlDb } from '../src/db/port.ts';
import { openPostgres } from '../src/db/postgres.ts';
import type { Notifier } from '../src/jobs/notifier.ts';
import { createScheduler } from '../src/jobs/scheduler.ts';
import { supportJobs } from '../skills/escalations/jobs.ts';
import { inferCategory, inferSeverity, isGenericSummary } from '../skills/escalations/triage.ts';
import { freshDb, TARGETS, userNamed, type TestDb } from './support/db.ts';

const parser = { name: 'test', parse: async () => ({ type: 'help' as const }) };
const MIN = 60_000;

/** The hour it is now in a timezone, and a shift window starting some hours from it. */
const localHour = (timeZone: string) =>
  Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
const shift = (timeZone: string, fromNow: number, hours: number) => {
  const start = (localHour(timeZone) + fromNow + 24) % 24;
  return { timeZone, start, end: (start + hours) % 24 || 24 };
};
const ON = (tz = 'UTC') => shift(tz, -1, 4);
const OFF = (tz = 'UTC') => shift(tz, 8, 4);

function recorder() {
  const sent: { to: string; text: string; caseActions?: Reply['caseActions'] }[] = [];
  const notifier: Notifier = {
    toUser: async (id, r) => {
      sent.push({ to: id, text: r.text, caseActions: r.caseActions });
      return true;
    },
    toChannel: async (ch, r) => {
      sent.push({ to: `#${ch}`, text: r.text, caseActions: r.caseActions });
      return true;
    },
  };
  return { notifier, sent, about: (caseId: number) => sent.filter((m) => m.text.includes(`#${caseId} `)) };
}

describe('triage', () => {
  it('infers severity and category from the words of the message', () => {
    expect([
      inferSeverity('the dashboard is down for everyone'),
      inferCategory('the dashboard is down for everyone'),
    ]).toEqual(['urgent', 'outage']);
    expect([
      inferSeverity('customer data leak on the export page'),
      inferCategory('customer data leak on the export page'),
    ]).toEqual(['urgent', 'security']);
    expect([
      inferSeverity('question about a security vulnerability'),
      inferCategory('question about a security vulnerability'),
    ]).toEqual(['high', 'security']);
    expect([
      inferSeverity('we were charged twice on the invoice'),
      inferCategory('we were charged twice on the invoice'),
    ]).toEqual(['medium', 'billing']);
    expect([
      inferSeverity('they would like a call next week'),
      inferCategory('they would like a call next week'),
    ]).toEqual(['medium', 'other']);
    expect(['this', 'escalate this', 'that message', 'This.'].every(isGenericSummary)).toBe(true);
    expect(isGenericSummary('this export keeps failing')).toBe(false);
  });
});

describe.each(TARGETS)('escalations on %s', (target) => {
  let db: TestDb;
  let alex: Requester, omar: Requester, marta: Requester, elena: Requester;
  let graceId: string, samId: string;
  let seq = 0;
  let agentSeq = 0;

  beforeAll(async () => {
    db = await freshDb(target, { deals: 60 });
    [alex, omar, marta, elena] = await Promise.all(
      ['Alex Morgan', 'Omar Haddad', 'Marta Schulz', 'Elena Novak'].map((n) => userNamed(db, n)),
    );
    graceId = (await userNamed(db, 'Grace Kim')).id;
    samId = (await userNamed(db, 'Sam Okafor')).id;
  });
  afterAll(() => db?.close());

  const assistant = () => createAssistant({ db, parser });
  const one = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params))[0];

  /** Runs a write as `user` and confirms it: [the preview reply, the final reply]. */
  async function write(
    user: Requester,
    action: Record<string, unknown>,
    source?: { text: string; link?: string },
  ): Promise<[Reply, Reply]> {
    const a = assistant();
    const preview = await a.run(action, { requestId: `esc-${++seq}`, channel: 'slack', user, source });
    if (preview.kind !== 'confirm') return [preview, preview];
    return [preview, await a.confirm(preview.confirm!.pendingId, user, true)];
  }
  const caseIdOf = (r: Reply) => Number(/case #(\d+)/i.exec(r.text)?.[1]);
  async function escalate(user: Requester, action: Record<string, unknown>, source?: { text: string; link?: string }) {
    const [, done] = await write(user, { type: 'escalation.create', ...action }, source);
    expect(done.kind, done.text).toBe('done');
    return { id: caseIdOf(done), reply: done };
  }
  const update = (user: Requester, caseId: number, change: Record<string, unknown>) =>
    write(user, { type: 'escalation.update', case: String(caseId), ...change }).then(([, done]) => done);

  /** Only these agents take cases from now on (the seeded ones stay, inactive). */
  async function onlyAgents(
    specs: {
      skills: string[];
      at: { timeZone: string; start: number; end: number };
      capacity: number;
      open?: number;
      manager?: string;
    }[],
  ): Promise<{ id: string; name: string }[]> {
    await db.query('update public.support_agents set active = false');
    const made = [];
    for (const s of specs) {
      const name = `Agent${String.fromCharCode(65 + (agentSeq % 26))}${agentSeq} Tester`;
      const [u] = await db.query<{ id: string }>(
        `insert into public.users (name, email, role, team, timezone, manager_id) values ($1, $2, 'support', 'Support', $3, $4) returning id`,
        [name, `agent${agentSeq++}@test.example`, s.at.timeZone, s.manager ?? null],
      );
      await db.query(
        `insert into public.support_agents (user_id, skills, location, timezone, shift_start, shift_end, capacity, open_cases)
         values ($1, $2::text[]::public.case_category[], 'EMEA', $3, $4, $5, $6, $7)`,
        [u.id, s.skills, s.at.timeZone, s.at.start, s.at.end, s.capacity, s.open ?? 0],
      );
      made.push({ id: u.id, name });
    }
    return made;
  }
  const load = async (id: string) =>
    (await one<{ n: number }>('select open_cases as n from public.support_agents where user_id = $1', [id])).n;
  const assigneeOf = async (caseId: number) =>
    (await one<{ a: string | null }>('select assignee_id as a from public.cases where id = $1', [caseId])).a;
  const ms = async (caseId: number, col: 'created_at' | 'first_response_due' | 'resolution_due') =>
    (
      await one<{ t: number }>(
        `select (extract(epoch from ${col}) * 1000)::float8 as t from public.cases where id = $1`,
        [caseId],
      )
    ).t;

  it('opens a case from a Slack message: source kept, account from the contact, severity inferred, deadlines from the tier', async () => {
    await onlyAgents([{ skills: ['outage'], at: ON(), capacity: 5 }]);
    const source = {
      text: 'Hi, our whole dashboard is down since 9am, nobody can work!',
      link: 'https://acme.slack.com/archives/C01/p1700000000',
    };
    const [preview, done] = await write(
      alex,
      { type: 'escalation.create', summary: 'this', contact: 'Jane Doe' },
      source,
    );
    expect(preview.kind).toBe('confirm');
    expect(preview.text).toContain('account: Hooli · contact: Jane Doe');
    expect(preview.text).toContain('severity: urgent (inferred) · category: outage (inferred)');
    expect(preview.text).toContain('summary: Hi, our whole dashboard is down since 9am, nobody can work!');
    expect(done.kind).toBe('done');
    const id = caseIdOf(done);
    const row = await one<Record<string, unknown>>(
      `select c.summary, c.source_text, c.source_link, a.name as account, ct.name as contact, c.severity, c.category, c.status,
              c.reporter_id, (extract(epoch from c.first_response_due - c.created_at) / 60)::int as fr,
              (extract(epoch from c.resolution_due - c.created_at) / 60)::int as res, p.first_response_minutes, p.resolution_minutes
         from public.cases c join public.accounts a on a.id = c.account_id join public.contacts ct on ct.id = c.contact_id
         join public.sla_policies p on p.severity = c.severity and p.tier = a.tier where c.id = $1`,
      [id],
    );
    expect(row).toMatchObject({
      summary: source.text,
      source_text: source.text,
      source_link: source.link,
      account: 'Hooli',
      contact: 'Jane Doe',
      severity: 'urgent',
      category: 'outage',
      status: 'new',
      reporter_id: alex.id,
    });
    expect([row.fr, row.res]).toEqual([row.first_response_minutes, row.resolution_minutes]);
    expect(done.text).toMatch(/Agent\w+ Tester has it/);
    expect(done.text).toMatch(/First response due .+, resolution due .+/);
    expect(
      (
        await one<{ n: number }>(
          `select count(*)::int as n from public.audit_log where action = 'escalation.create' and target_id = $1`,
          [String(id)],
        )
      ).n,
    ).toBe(1);

    // no account: the standard tier's objectives; a security question is high
    const plain = await escalate(alex, { summary: 'customer asks about a security vulnerability in the API' });
    const p = await one<{ severity: string; category: string; fr: number; want: number }>(
      `select c.severity, c.category, (extract(epoch from c.first_response_due - c.created_at) / 60)::int as fr, p.first_response_minutes as want
         from public.cases c join public.sla_policies p on p.severity = c.severity and p.tier = 'standard' where c.id = $1`,
      [plain.id],
    );
    expect(p).toEqual({ severity: 'high', category: 'security', fr: p.want, want: 120 });
  });

  it('asks instead of guessing: a generic summary with no message, an unknown account', async () => {
    const before = await one<{ n: number }>('select count(*)::int as n from public.cases');
    const [generic] = await write(alex, { type: 'escalation.create', summary: 'this' });
    expect(generic.kind).toBe('question');
    const [unknown] = await write(alex, {
      type: 'escalation.create',
      summary: 'printer on fire',
      account: 'Zzyzx Quasar',
    });
    expect(unknown).toMatchObject({ kind: 'question' });
    expect(unknown.text).toContain('"Zzyzx Quasar"');
    expect((await one<{ n: number }>('select count(*)::int as n from public.cases')).n).toBe(before.n);
  });

  it('routes by skill, then shift in the agent timezone, then load, then round robin; falls back, then queues', async () => {
    const [skilledOff, skilledBusy, skilledTokyo, unskilledIdle] = await onlyAgents([
      { skills: ['security'], at: OFF('America/New_York'), capacity: 5 }, // idle and skilled, but off shift
      { skills: ['security'], at: ON(), capacity: 4, open: 2 }, // 50% occupied
      { skills: ['security', 'billing'], at: shift('Asia/Tokyo', 0, 2), capacity: 10, open: 3 }, // 30%, on shift only in Tokyo time
      { skills: ['billing'], at: ON(), capacity: 5 }, // idle and on shift, no security skill
    ]);
    const tokyoInUtc = await one<{ on: boolean }>(
      `select private.on_shift('UTC', shift_start, shift_end, now()) as on from public.support_agents where user_id = $1`,
      [skilledTokyo.id],
    );
    expect(tokyoInUtc.on).toBe(false); // so only the agent's own timezone puts them on shift

    const first = await escalate(alex, {
      summary: 'suspicious logins on admin accounts',
      category: 'security',
      severity: 'high',
    });
    expect(await assigneeOf(first.id)).toBe(skilledTokyo.id); // 3/10 beats 2/4; the idle ones lack skill or shift
    const second = await escalate(alex, {
      summary: 'phishing mails in their name',
      category: 'security',
      severity: 'high',
    });
    expect(await assigneeOf(second.id)).toBe(skilledTokyo.id); // 4/10 still below 2/4
    const third = await escalate(alex, { summary: 'a leaked API token', category: 'security', severity: 'high' });
    expect(await assigneeOf(third.id)).toBe(skilledBusy.id); // 5/10 = 2/4: round robin, the one not assigned for longest
    const billing = await escalate(alex, { summary: 'charged twice', category: 'billing' });
    expect(await assigneeOf(billing.id)).toBe(unskilledIdle.id); // billing: 0/5 beats 5/10
    expect(first.reply.text).toContain(`${skilledTokyo.name} has it.`);

    const nobodySkilled = await escalate(alex, {
      summary: 'the CSV export is down',
      category: 'outage',
      severity: 'urgent',
    });
    expect(await assigneeOf(nobodySkilled.id)).toBe(unskilledIdle.id); // on shift and least occupied (1/5)
    expect(nobodySkilled.reply.text).toContain('(nobody with that skill was free on shift)');
    expect(await assigneeOf(nobodySkilled.id)).not.toBe(skilledOff.id);

    expect([
      await load(skilledOff.id),
      await load(skilledBusy.id),
      await load(skilledTokyo.id),
      await load(unskilledIdle.id),
    ]).toEqual([0, 3, 5, 2]);

    await db.query('update public.support_agents set open_cases = capacity where user_id = any ($1::uuid[])', [
      [skilledOff.id, skilledBusy.id, skilledTokyo.id, unskilledIdle.id],
    ]);
    const queued = await escalate(alex, { summary: 'nobody can take this', category: 'security' });
    expect(await assigneeOf(queued.id)).toBeNull();
    expect(queued.reply.text).toContain('waits in the support queue');
  });

  it('tells the assignee and the escalation channel (durable case.assigned job), with the case id for the buttons', async () => {
    const [agent] = await onlyAgents([{ skills: ['billing'], at: ON(), capacity: 3 }]);
    const { id } = await escalate(alex, { summary: 'refund not received', account: 'Acme', category: 'billing' });
    const { notifier, about } = recorder();
    const clock = () => new Date(Date.now() + MIN);
    const scheduler = createScheduler(db, supportJobs({ db, notifier, now: clock }), clock);
    while (await scheduler.tick(100));
    const notices = about(id);
    expect(notices.map((m) => m.to).sort()).toEqual(['#escalations', agent.id].sort());
    expect(notices.find((m) => m.to === '#escalations')!.text).toContain(
      `New case #${id} (medium · billing · Acme): refund not received`,
    );
    expect(notices.find((m) => m.to === agent.id)!.text).toContain('Raised by Alex Morgan');
    for (const m of notices)
      expect(m.caseActions).toEqual({ case: String(id), actions: ['acknowledge', 'resolve', 'reassign'] });
  });

  it('lists open cases: mine (assigned to or raised by me) and the whole queue, most urgent first', async () => {
    const list = (user: Requester, filter: 'mine' | 'open') =>
      assistant().run({ type: 'case.list', filter }, { requestId: `esc-list-${++seq}`, channel: 'repl', user });
    const expected = async (where: string, params: unknown[]) =>
      (
        await db.query<{ id: number }>(
          `select id::int from public.cases c where c.status <> 'resolved' and ${where}
        order by c.severity desc, coalesce(c.first_response_at, c.first_response_due), c.id`,
          params,
        )
      ).map((r) => r.id);
    const mine = await list(omar, 'mine');
    const omarIds = await expected('(assignee_id = $1 or reporter_id = $1)', [omar.id]);
    expect(mine.table?.rows.map((r) => r[0]) ?? []).toEqual(omarIds.slice(0, 20));
    const queue = await list(omar, 'open');
    const all = await expected('true', []);
    expect(queue.text).toBe(`${all.length} open cases in the support queue, most urgent first:`);
    expect(queue.table!.rows.map((r) => r[0])).toEqual(all.slice(0, 20));
    expect(queue.table!.more).toBe(Math.max(0, all.length - 20));
    // a rep asking for the queue gets the cases they raised
    const alexIds = await expected('(assignee_id = $1 or reporter_id = $1)', [alex.id]);
    expect((await list(alex, 'open')).table?.rows.map((r) => r[0]) ?? []).toEqual(alexIds.slice(0, 20));
  });

  it('refuses impossible case updates before asking for confirmation', async () => {
    const [agent] = await onlyAgents([{ skills: ['billing'], at: ON(), capacity: 5 }]);
    const { id } = await escalate(alex, { summary: 'charged twice', category: 'billing', severity: 'low' });
    const pendingBefore = (await one<{ n: number }>('select count(*)::int as n from public.pending_actions')).n;
    const ask = (change: Record<string, unknown>) =>
      assistant().run(
        { type: 'escalation.update', case: String(id), ...change },
        { requestId: `esc-early-${++seq}`, channel: 'slack', user: omar },
      );
    expect(await ask({ status: 'reopened' })).toEqual({
      kind: 'refusal',
      text: `Case #${id} is not resolved, so there is nothing to reopen.`,
    });
    expect(await ask({ assignee: 'Alex Morgan' })).toEqual({
      kind: 'refusal',
      text: "Alex Morgan is not an active support agent, so I can't give them the case.",
    });
    expect((await update(omar, id, { status: 'resolved' })).kind).toBe('done');
    expect(await ask({ status: 'resolved' })).toEqual({
      kind: 'refusal',
      text: `Case #${id} is resolved; reopen it first.`,
    });
    expect((await one<{ n: number }>('select count(*)::int as n from public.pending_actions')).n).toBe(
      pendingBefore + 1,
    );
    expect(agent.name).toMatch(/Tester$/);
  });

  it('escalation.update: acknowledge, reassign (capacity checked), severity, resolve, reopen; only support, managers, admins', async () => {
    const [a, b, full] = await onlyAgents([
      { skills: ['technical'], at: ON(), capacity: 3 },
      { skills: ['technical'], at: ON(), capacity: 3, open: 1 },
      { skills: [], at: ON(), capacity: 2, open: 2 },
    ]);
    const { id } = await escalate(alex, {
      summary: 'SSO configuration fails',
      category: 'technical',
      severity: 'medium',
    });
    expect(await assigneeOf(id)).toBe(a.id);

    expect(await update(alex, id, { status: 'acknowledged' })).toMatchObject({ kind: 'refusal' });
    expect(await update(elena, id, { status: 'acknowledged' })).toMatchObject({ kind: 'refusal' });
    // and the database says no too, when perform is called directly
    await expect(
      db.rpc(alex, 'perform', {
        request_id: `direct-${id}`,
        channel: 'slack',
        action: 'escalation.update',
        payload: { case: String(id), status: 'resolved' },
      }),
    ).rejects.toThrow("You don't have permission to do that.");

    const ack = await update(omar, id, { status: 'acknowledged' });
    expect(ack.text).toBe(`Case #${id} acknowledged.`);
    const acked = await one<{ status: string; responded: boolean }>(
      'select status, first_response_at is not null as responded from public.cases where id = $1',
      [id],
    );
    expect(acked).toEqual({ status: 'acknowledged', responded: true });
    expect(await update(omar, id, { status: 'acknowledged' })).toMatchObject({
      kind: 'refusal',
      text: `Case #${id} is already acknowledged.`,
    });

    expect(await update(omar, id, { assignee: full.name })).toMatchObject({
      kind: 'refusal',
      text: `${full.name} already has 2 open cases (capacity 2); choose someone else.`,
    });
    expect(await update(omar, id, { assignee: 'Alex Morgan' })).toMatchObject({
      kind: 'refusal',
      text: "Alex Morgan is not an active support agent, so I can't give them the case.",
    });
    expect(await update(marta, id, { assignee: b.name })).toMatchObject({
      kind: 'done',
      text: `Case #${id} reassigned to ${b.name}.`,
    });
    expect([await load(a.id), await load(b.id)]).toEqual([0, 2]);

    const severity = await update(omar, id, { severity: 'urgent' });
    expect(severity.text).toContain(`Case #${id} now urgent.`);
    const clocks = await one<{ fr: number; res: number }>(
      `select (extract(epoch from first_response_due - created_at) / 60)::int as fr, (extract(epoch from resolution_due - created_at) / 60)::int as res
         from public.cases where id = $1`,
      [id],
    );
    expect(clocks).toEqual({ fr: 480, res: 240 }); // urgent, standard tier; the first response (met) stays as it was

    expect((await update(omar, id, { status: 'resolved' })).text).toBe(`Case #${id} resolved.`);
    expect(await load(b.id)).toBe(1);
    expect(await update(omar, id, { status: 'acknowledged' })).toMatchObject({
      kind: 'refusal',
      text: `Case #${id} is resolved; reopen it first.`,
    });

    const reopened = await update(omar, id, { status: 'reopened' });
    expect(reopened.text).toContain(`Case #${id} reopened with ${b.name}.`);
    expect(await load(b.id)).toBe(2);
    const r = await one<{ status: string; resolved: boolean; res: number }>(
      `select status, resolved_at is not null as resolved,
              round(extract(epoch from resolution_due - (select max(at) from public.case_events where case_id = $1 and kind = 'reopened')) / 60)::int as res
         from public.cases where id = $1`,
      [id],
    );
    expect(r).toEqual({ status: 'reopened', resolved: false, res: 240 });

    // reopened while the assignee is full: routed again (to the one with room)
    await update(omar, id, { status: 'resolved' });
    await db.query('update public.support_agents set open_cases = capacity where user_id = $1', [b.id]);
    expect((await update(omar, id, { status: 'reopened' })).text).toContain(`reopened with ${a.name}`);
    expect([await load(a.id), await assigneeOf(id)]).toEqual([1, a.id]);

    const kinds = await db.query<{ kind: string }>(
      'select kind from public.case_events where case_id = $1 order by id',
      [id],
    );
    expect(kinds.map((k) => k.kind)).toEqual([
      'created',
      'acknowledged',
      'reassigned',
      'severity_changed',
      'resolved',
      'reopened',
      'resolved',
      'reassigned',
      'reopened',
    ]);
  });

  it('a missed deadline climbs the chain one level per breach, exactly once, and survives a restart', async () => {
    const [agent] = await onlyAgents([{ skills: ['outage'], at: ON(), capacity: 5, manager: graceId }]);
    const { id } = await escalate(alex, { summary: 'checkout is down', category: 'outage', severity: 'urgent' });
    const [frDue, resDue] = [await ms(id, 'first_response_due'), await ms(id, 'resolution_due')];
    let t = frDue - MIN;
    const clock = () => new Date(t);
    const { notifier, about } = recorder();
    const steps = async () =>
      db.query<{ kind: string; level: string | null; to: string | null; check: string }>(
        `select kind, detail ->> 'level' as level, detail ->> 'to_user_id' as to, detail ->> 'check' as check
         from public.case_events where case_id = $1 and kind in ('escalated', 'sla_breached') order by id`,
        [id],
      );
    const drain = async (s: ReturnType<typeof createScheduler>) => {
      while (await s.tick(100));
    };

    await drain(createScheduler(db, supportJobs({ db, notifier, now: clock }), clock));
    expect(await steps()).toEqual([]); // before the deadline: nothing

    // a restart: a new scheduler (on Postgres, a new connection pool) finds the pending check in the jobs table
    const second: SqlDb = target === 'postgres' ? openPostgres(db.url!) : db;
    try {
      const restarted = createScheduler(second, supportJobs({ db: second, notifier, now: clock }), clock);
      t = frDue + 1000;
      await drain(restarted);
      expect(await steps()).toEqual([{ kind: 'escalated', level: '1', to: graceId, check: 'first_response' }]);
      // the same check again (a job that runs twice, a duplicate job): no second step
      await supportJobs({ db: second, notifier, now: clock })['sla.check'](
        { case_id: id, check: 'first_response' },
        { id: 0, attempts: 1 },
      );
      await restarted.enqueue('sla.check', new Date(frDue), { case_id: id, check: 'first_response' }, `dup-${id}`);
      await drain(restarted);
      expect((await steps()).length).toBe(1);

      t = frDue + 30 * MIN + 1000; // one more first-response objective without an answer
      await drain(restarted);
      t = resDue + 1000;
      await drain(restarted);
      t = resDue + 24 * 60 * MIN;
      await drain(restarted);
    } finally {
      if (second !== db) await second.close();
    }
    expect(await steps()).toEqual([
      { kind: 'escalated', level: '1', to: graceId, check: 'first_response' },
      { kind: 'escalated', level: '2', to: samId, check: 'first_response' },
      { kind: 'sla_breached', level: null, to: samId, check: 'resolution' },
    ]);
    expect((await one<{ l: number }>('select escalation_level as l from public.cases where id = $1', [id])).l).toBe(2);
    const pending = await one<{ n: number }>(
      `select count(*)::int as n from public.jobs where status = 'pending' and payload ->> 'case_id' = $1`,
      [String(id)],
    );
    expect(pending.n).toBe(0);
    expect(
      (await one<{ n: number }>('select count(*)::int as n from public.jobs where last_error is not null')).n,
    ).toBe(0);
    const told = about(id).filter((m) => m.text.startsWith('SLA breach'));
    expect(told.map((m) => m.to)).toEqual([
      '#escalations',
      graceId,
      agent.id,
      '#escalations',
      samId,
      agent.id,
      '#escalations',
      samId,
      agent.id,
    ]);
    expect(told[0].text).toContain('Escalated to Grace Kim (team lead), level 1.');
    expect(told[3].text).toContain('Escalated to Sam Okafor (support manager), level 2.');
  });

  it('a check claimed by a process that died is run by the next one; an answered case is not escalated', async () => {
    await onlyAgents([{ skills: ['outage'], at: ON(), capacity: 5, manager: graceId }]);
    const lost = await escalate(alex, { summary: 'login page is down', category: 'outage', severity: 'urgent' });
    const answered = await escalate(alex, { summary: 'status page is down', category: 'outage', severity: 'urgent' });
    await update(omar, answered.id, { status: 'acknowledged' });
    const due = await ms(lost.id, 'first_response_due');
    // the dying process claims the job and never finishes it
    const claimed = await db.serviceRpc('claim_jobs', {
      now: new Date(due + 1000).toISOString(),
      limit: 100,
      kinds: ['sla.check'],
    });
    expect(claimed.some((j) => j.payload.case_id === lost.id)).toBe(true);
    let t = due + 30_000;
    const clock = () => new Date(t);
    const { notifier } = recorder();
    const next = createScheduler(db, supportJobs({ db, notifier, now: clock }), clock);
    while (await next.tick(100));
    const levels = async (caseId: number) =>
      (await one<{ l: number }>('select escalation_level as l from public.cases where id = $1', [caseId])).l;
    expect(await levels(lost.id)).toBe(0); // still within the dead worker's one-minute lease
    t = due + 2 * MIN;
    while (await next.tick(100));
    expect([await levels(lost.id), await levels(answered.id)]).toEqual([1, 0]);
  });

  it('50 concurrent escalations never over-assign an agent', async () => {
    const agents = await onlyAgents([
      { skills: ['outage'], at: ON(), capacity: 3 },
      { skills: ['outage'], at: ON(), capacity: 5 },
      { skills: ['outage'], at: ON(), capacity: 2 },
      { skills: ['billing'], at: ON(), capacity: 6 },
      { skills: ['outage'], at: OFF(), capacity: 4 },
    ]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db.rpc(alex, 'perform', {
          request_id: `burst-${target}-${i}`,
          channel: 'slack',
          action: 'escalation.create',
          payload: { summary: `site down #${i}`, severity: 'urgent', category: 'outage' },
        }),
      ),
    );
    const ids = results.map((r) => (r.case as { id: number }).id);
    expect(new Set(ids).size).toBe(50);
    const per = await db.query<{ id: string; capacity: number; open_cases: number; assigned: number }>(
      `select a.user_id as id, a.capacity, a.open_cases,
              (select count(*)::int from public.cases c where c.assignee_id = a.user_id and c.status <> 'resolved') as assigned
         from public.support_agents a where a.user_id = any ($1::uuid[])`,
      [agents.map((a) => a.id)],
    );
    for (const a of per) {
      expect(a.assigned).toBeLessThanOrEqual(a.capacity);
      expect(a.open_cases).toBe(a.assigned);
    }
    // every free place was used (20 = 3 + 5 + 2 + 6 + 4), the other 30 wait in the queue
    expect(per.reduce((n, a) => n + a.assigned, 0)).toBe(20);
    const queued = await one<{ n: number }>(
      'select count(*)::int as n from public.cases where id = any ($1::bigint[]) and assignee_id is null',
      [ids],
    );
    expect(queued.n).toBe(30);
  });

  it('50 concurrent escalations with room for all: none refused, each agent within capacity', async () => {
    const agents = await onlyAgents([
      { skills: ['outage'], at: ON(), capacity: 20 },
      { skills: ['outage'], at: ON(), capacity: 20 },
      { skills: ['outage'], at: ON(), capacity: 20 },
    ]);
    // As many connections as escalations, so that all 50 are in flight at once on the server.
    const wide = db.url ? openPostgres(db.url, 50) : db;
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          wide.rpc(alex, 'perform', {
            request_id: `room-${target}-${i}`,
            channel: 'slack',
            action: 'escalation.create',
            payload: { summary: `checkout down #${i}`, severity: 'urgent', category: 'outage' },
          }),
        ),
      );
      expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual([]);
    } finally {
      if (wide !== db) await wide.close();
    }
    const per = await db.query<{ capacity: number; open_cases: number; assigned: number }>(
      `select a.capacity, a.open_cases,
              (select count(*)::int from public.cases c where c.assignee_id = a.user_id and c.status <> 'resolved') as assigned
         from public.support_agents a where a.user_id = any ($1::uuid[])`,
      [agents.map((a) => a.id)],
    );
    expect(per.reduce((n, a) => n + a.assigned, 0)).toBe(50);
    for (const a of per) {
      expect(a.assigned).toBeLessThanOrEqual(a.capacity);
      expect(a.open_cases).toBe(a.assigned);
    }
  });

  it('case.metrics: open by severity, SLA attainment and median first response, as computed here', async () => {
    // October is empty in the demo data; these cases are built with known times
    const day = (d: number, h: number, m = 0) => new Date(Date.UTC(2026, 9, d, h, m));
    const built = [
      { created: day(2, 9), frDue: 30, resDue: 240, fr: 10, res: 100, severity: 'urgent' },
      { created: day(5, 9), frDue: 120, resDue: 1440, fr: 45, res: 2000, severity: 'high' },
      { created: day(9, 9), frDue: 480, resDue: 4320, fr: 20, res: null, severity: 'medium' },
      { created: day(12, 9), frDue: 30, resDue: 240, fr: 90, res: 200, severity: 'urgent' },
      { created: day(20, 9), frDue: 120, resDue: 1440, fr: null, res: null, severity: 'high' },
      { created: day(31, 23, 30), frDue: 1440, resDue: 10080, fr: null, res: null, severity: 'low' },
      { created: new Date(Date.UTC(2026, 10, 1, 0, 30)), frDue: 30, resDue: 240, fr: 1, res: 2, severity: 'urgent' }, // November: outside
    ];
    const at = (base: Date, minutes: number | null) =>
      minutes === null ? null : new Date(base.getTime() + minutes * MIN).toISOString();
    for (const c of built) {
      await db.query(
        `insert into public.cases (summary, severity, category, status, reporter_id, created_at, first_response_due, resolution_due, first_response_at, resolved_at)
         values ('metrics fixture', $1, 'technical', $2, $3, $4, $5, $6, $7, $8)`,
        [
          c.severity,
          c.res !== null ? 'resolved' : c.fr !== null ? 'acknowledged' : 'new',
          alex.id,
          c.created.toISOString(),
          at(c.created, c.frDue),
          at(c.created, c.resDue),
          at(c.created, c.fr),
          at(c.created, c.res),
        ],
      );
    }
    const october = built.slice(0, 6);
    const nowMs = Date.now();
    const decidedFr = october.filter((c) => c.fr !== null || c.created.getTime() + c.frDue * MIN < nowMs);
    const metFr = october.filter((c) => c.fr !== null && c.fr <= c.frDue);
    const decidedRes = october.filter((c) => c.res !== null || c.created.getTime() + c.resDue * MIN < nowMs);
    const metRes = october.filter((c) => c.res !== null && c.res <= c.resDue);
    const times = october
      .map((c) => c.fr)
      .filter((x): x is number => x !== null)
      .sort((x, y) => x - y);
    const median = (times[1] + times[2]) / 2;
    expect([decidedFr.length, metFr.length, decidedRes.length, metRes.length, median]).toEqual([6, 3, 6, 2, 32.5]);
    const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
    const resTimes = october
      .map((c) => c.res)
      .filter((x): x is number => x !== null)
      .sort((x, y) => x - y);
    expect([mean(times), mean(resTimes), resTimes[1]]).toEqual([41.3, 766.7, 200]);

    const all = await db.query<{ severity: string; status: string; age: number }>(
      `select severity, status, extract(epoch from now() - created_at)::float8 / 86400 as age from public.cases`,
    );
    const openBy = (s: string) => all.filter((c) => c.severity === s && c.status !== 'resolved').length;
    const openAged = (from: number, to: number) =>
      all.filter((c) => c.status !== 'resolved' && c.age >= from && c.age < to).length;

    const raw = await db.rpc(marta, 'perform', {
      request_id: 'metrics-raw',
      channel: 'repl',
      action: 'case.metrics',
      payload: { from: '2026-10-01', to: '2026-10-31' },
    });
    expect(raw).toMatchObject({
      created: october.length,
      response_met: metFr.length,
      response_decided: decidedFr.length,
      resolution_met: metRes.length,
      resolution_decided: decidedRes.length,
      median_first_response_minutes: median,
      mean_first_response_minutes: mean(times),
      mean_resolution_minutes: mean(resTimes),
      median_resolution_minutes: resTimes[1],
      backlog: {
        under_1_day: openAged(0, 1),
        '1_to_3_days': openAged(1, 3),
        '3_to_7_days': openAged(3, 7),
        over_7_days: openAged(7, Number.POSITIVE_INFINITY),
      },
      open: { urgent: openBy('urgent'), high: openBy('high'), medium: openBy('medium'), low: openBy('low') },
    });

    const reply = await assistant().run(
      { type: 'case.metrics', from: '2026-10-01', to: '2026-10-31' },
      { requestId: 'metrics-1', channel: 'repl', user: omar },
    );
    expect(reply.kind).toBe('answer');
    expect(reply.text).toContain('first response: 50% (3 of 6); resolution: 33.3% (2 of 6)');
    expect(reply.text).toContain('Median first-response time: 32.5 min.');
    expect(reply.text).toContain(
      'Mean first-response time: 41.3 min; time to resolution: mean 766.7 min (12 h 47 min), median 200 min (3 h 20 min).',
    );
    expect(reply.table!.rows).toEqual(['urgent', 'high', 'medium', 'low'].map((s) => [s, openBy(s)]));
    expect(
      await assistant().run({ type: 'case.metrics' }, { requestId: 'metrics-2', channel: 'repl', user: alex }),
    ).toMatchObject({ kind: 'refusal' });
  });
});
