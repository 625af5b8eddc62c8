import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant } from '../src/core/assistant.ts';
import type { Reply } from '../src/core/types.ts';
import type { Requester } from '../src/db/port.ts';
import type { Notifier } from '../src/jobs/notifier.ts';
import { createScheduler } from '../src/jobs/scheduler.ts';
import { supportJobs } from '../skills/escalations/jobs.ts';
import { formatSpan } from '../skills/escalations/show.ts';
import { freshDb, TARGETS, userNamed, userWithRole, type TestDb } from './support/db.ts';

const parser = { name: 'test', parse: async () => ({ type: 'help' as const }) };
const MIN = 60_000;

describe.each(TARGETS)('the support desk in chat on %s', (target) => {
  let db: TestDb;
  let alex: Requester, omar: Requester, marta: Requester, guest: Requester, otherRep: Requester;
  let agents: { id: string; name: string }[];
  let seq = 0;

  beforeAll(async () => {
    db = await freshDb(target, { deals: 60 });
    [alex, omar, marta] = await Promise.all(
      ['Alex Morgan', 'Omar Haddad', 'Marta Schulz'].map((n) => userNamed(db, n)),
    );
    guest = await userWithRole(db, 'guest');
    otherRep = (
      await db.query<Requester>(
        `select id, name, email, role, team, region from public.users u
      where role = 'rep' and active and id <> $1 and not exists (select 1 from public.accounts a where a.owner_id = u.id and a.name = 'Hooli')
      order by name limit 1`,
        [alex.id],
      )
    )[0];
    // Two agents on shift around the clock; the seeded ones stay, inactive.
    await db.query('update public.support_agents set active = false');
    agents = [];
    for (const [i, capacity] of [5, 3].entries()) {
      const [u] = await db.query<{ id: string; name: string }>(
        `insert into public.users (name, email, role, team) values ($1, $2, 'support', 'Support') returning id, name`,
        [`Desk${'AB'[i]} Agent`, `desk${i}@test.example`],
      );
      await db.query(
        `insert into public.support_agents (user_id, skills, location, shift_start, shift_end, capacity)
         values ($1, '{billing,technical,outage}', 'EMEA', 0, 24, $2)`,
        [u.id, capacity],
      );
      agents.push(u);
    }
  });
  afterAll(() => db?.close());

  const assistant = () => createAssistant({ db, parser });
  const one = async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params))[0];
  const ask = (user: Requester, action: Record<string, unknown>) =>
    assistant().run(action, { requestId: `desk-${++seq}`, channel: 'repl', user });
  async function write(user: Requester, action: Record<string, unknown>): Promise<[Reply, Reply]> {
    const a = assistant();
    const preview = await a.run(action, { requestId: `desk-${++seq}`, channel: 'slack', user });
    if (preview.kind !== 'confirm') return [preview, preview];
    return [preview, await a.confirm(preview.confirm!.pendingId, user, true)];
  }
  async function open(summary: string, extra: Record<string, unknown> = {}) {
    const [, done] = await write(alex, { type: 'escalation.create', summary, category: 'billing', ...extra });
    expect(done.kind, done.text).toBe('done');
    return Number(/case #(\d+)/i.exec(done.text)![1]);
  }
  const update = (user: Requester, id: number, change: Record<string, unknown>) =>
    write(user, { type: 'escalation.update', case: String(id), ...change });
  const count = async (sql: string, params: unknown[] = []) => (await one<{ n: number }>(sql, params)).n;
  const assigneeName = async (id: number) =>
    (
      await one<{ name: string | null }>(
        'select u.name from public.cases c left join public.users u on u.id = c.assignee_id where c.id = $1',
        [id],
      )
    ).name;
  const minutesTo = async (id: number, col: string) =>
    (
      await one<{ m: number }>(
        `select (extract(epoch from ${col} - now()) / 60)::float8 as m from public.cases where id = $1`,
        [id],
      )
    ).m;

  it('case.show: details, SLA clocks with the time left, links, timeline with notes; scoped like the cases it reads', async () => {
    const id = await open('refund not received after cancelling', { contact: 'Jane Doe' });
    const routed = await assigneeName(id);
    const other = agents.find((a) => a.name !== routed)!;
    await update(omar, id, { status: 'acknowledged' });
    await write(omar, { type: 'case.note', case: String(id), note: 'asked billing for the refund reference' });
    await update(omar, id, { assignee: other.name, note: 'the other desk knows the refund tool' });
    // The clocks the reply must read, to the minute: resolution 3 h 20 min ahead, as the database counts it.
    await db.query(`update public.cases set resolution_due = now() + interval '200 minutes 20 seconds' where id = $1`, [
      id,
    ]);

    const shown = await ask(omar, { type: 'case.show', case: String(id) });
    const left = await minutesTo(id, 'resolution_due');
    const row = await one<{ fr_at: Date; fr_due: Date; account: string; contact: string; tier: string }>(
      `select c.first_response_at as fr_at, c.first_response_due as fr_due, a.name as account, ct.name as contact, a.tier
         from public.cases c join public.accounts a on a.id = c.account_id join public.contacts ct on ct.id = c.contact_id
        where c.id = $1`,
      [id],
    );
    expect(shown.kind).toBe('answer');
    const lines = shown.text.split('\n');
    expect(lines[0]).toBe(`Case #${id} (medium · billing · ${row.account}): acknowledged`);
    expect(lines[1]).toBe('refund not received after cancelling');
    expect(lines[2]).toBe(`Account: ${row.account} (${row.tier}) · contact: ${row.contact}`);
    expect(lines[3]).toMatch(new RegExp(`^Assigned to ${other.name} · raised by Alex Morgan, `));
    expect(lines[4]).toMatch(row.fr_at <= row.fr_due ? /^First response: met, / : /^First response: missed, /);
    expect(lines[5]).toMatch(/^Resolution: due .+, 3 h 20 min left$/);
    expect(formatSpan(left * MIN)).toBe('3 h 20 min');
    expect(lines.slice(6).map((l) => l.replace(/^ {2}[^·]+ · /, ''))).toEqual([
      'Timeline (internal notes are never shown to the customer):',
      `opened, routed to ${routed} · Alex Morgan`,
      'acknowledged · Omar Haddad',
      'internal note · Omar Haddad — "asked billing for the refund reference"',
      `reassigned to ${other.name} · Omar Haddad — "the other desk knows the refund tool"`,
    ]);
    expect(shown.caseActions).toEqual({ case: String(id), actions: ['acknowledge', 'resolve', 'reassign'] });

    // an overdue first response, counted the same way
    await db.query(
      `update public.cases set first_response_at = null, first_response_due = now() - interval '95 minutes 10 seconds' where id = $1`,
      [id],
    );
    const late = await ask(omar, { type: 'case.show', case: String(id) });
    const ago = -(await minutesTo(id, 'first_response_due'));
    expect(late.text.split('\n')[4]).toMatch(/^First response: overdue by 1 h 35 min \(was due .+\)$/);
    expect(formatSpan(ago * MIN)).toBe('1 h 35 min');

    // the rep who raised it sees it; another rep, and a number that does not exist, do not
    expect((await ask(alex, { type: 'case.show', case: String(id) })).kind).toBe('answer');
    for (const [user, n] of [
      [otherRep, id],
      [omar, 99999],
    ] as const) {
      expect(await ask(user, { type: 'case.show', case: String(n) })).toMatchObject({
        text: `I can't find case #${n} among the cases you can see.`,
      });
    }
    expect((await ask(guest, { type: 'case.show', case: String(id) })).kind).toBe('refusal');
  });

  it('case.note: an internal note, confirmed, audited with its text hashed, once per request; never to the customer', async () => {
    const id = await open('charged twice for November');
    const routedTo = await assigneeName(id);
    const text = 'customer sent the bank statement, checking with finance';
    const [preview, done] = await write(omar, { type: 'case.note', case: String(id), note: text });
    expect(preview.kind).toBe('confirm');
    expect(preview.text).toContain(`Add an internal note to case #${id}`);
    expect(preview.text).toContain(`"${text}"`);
    expect(done).toMatchObject({ kind: 'done', text: `Internal note added to case #${id}: "${text}"` });
    const notes = await db.query<{ body: string; author_id: string; event_id: number | null }>(
      'select body, author_id, event_id from public.case_notes where case_id = $1',
      [id],
    );
    expect(notes).toEqual([{ body: text, author_id: omar.id, event_id: null }]);
    const audit = await db.query<{ actor_id: string; detail: { note: string } }>(
      `select actor_id, detail from public.audit_log where action = 'case.note' and target_id = $1`,
      [String(id)],
    );
    expect(audit.length).toBe(1);
    expect(audit[0].actor_id).toBe(omar.id);
    expect(audit[0].detail.note).toMatch(/^sha256:/);
    // a note is no response: the first-response clock keeps running
    expect(
      await count('select count(*)::int as n from public.cases where id = $1 and first_response_at is null', [id]),
    ).toBe(1);

    // the same request again runs once
    const direct = () =>
      db.rpc(omar, 'perform', {
        request_id: `note-twice-${target}`,
        channel: 'slack',
        action: 'case.note',
        payload: { case: String(id), note: 'second' },
      });
    await direct();
    expect(await direct()).toMatchObject({ replayed: true });
    expect(await count('select count(*)::int as n from public.case_notes where case_id = $1', [id])).toBe(2);

    // refused: a rep, a case that does not exist; nothing written
    expect((await write(alex, { type: 'case.note', case: String(id), note: 'x' }))[0].kind).toBe('refusal');
    expect((await write(omar, { type: 'case.note', case: '99999', note: 'x' }))[0].kind).toBe('question');
    expect(await count('select count(*)::int as n from public.case_notes where case_id = $1', [id])).toBe(2);

    // a guest (the customer) reads no notes, even of a case it can see; the assignee's notices carry none
    await db.query('update public.cases set reporter_id = $1 where id = $2', [guest.id, id]);
    const asGuest = await db.transaction(async (tx) => {
      await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
        JSON.stringify({ sub: guest.id, role: 'authenticated', crm_role: 'guest' }),
      ]);
      return tx.query<{ cases: number; notes: number }>(
        `select (select count(*)::int from public.cases where id = $1) as cases, (select count(*)::int from public.case_notes) as notes`,
        [id],
      );
    });
    expect(asGuest[0]).toEqual({ cases: 1, notes: 0 });
    await db.query('update public.cases set reporter_id = $1 where id = $2', [alex.id, id]);
    const sent: string[] = [];
    const notifier: Notifier = {
      toUser: async (_id, r) => {
        sent.push(r.text);
        return true;
      },
      toChannel: async (_ch, r) => {
        sent.push(r.text);
        return true;
      },
    };
    const next = agents.find((a) => a.name !== routedTo)!;
    await update(omar, id, { assignee: next.name, note: 'secret hand-over detail' });
    const clock = () => new Date(Date.now() + MIN);
    const scheduler = createScheduler(
      db,
      { 'case.assigned': supportJobs({ db, notifier, now: clock })['case.assigned'] },
      clock,
    );
    while (await scheduler.tick(100));
    expect(sent.some((t) => t.includes(`#${id} `))).toBe(true);
    expect(sent.filter((t) => t.includes('secret') || t.includes('bank statement'))).toEqual([]);
  });

  it('notes given with resolve, reopen and reassign are shown in the confirmation and kept on their step', async () => {
    const id = await open('billing contact is out of date');
    const [preview, done] = await update(omar, id, { status: 'resolved', note: 'billing contact updated' });
    expect(preview.text).toContain(
      'Resolve it.\nWith the internal note (kept in the case timeline, not shown to the customer): "billing contact updated"',
    );
    expect(done).toMatchObject({
      kind: 'done',
      text: `Case #${id} resolved.\nNote kept in the case timeline: "billing contact updated"`,
    });
    const [, reopened] = await update(omar, id, {
      status: 'reopened',
      note: 'customer says invoices still go to the old address',
    });
    expect(reopened.text).toContain(
      'Note kept in the case timeline: "customer says invoices still go to the old address"',
    );
    const kept = await db.query<{ kind: string; body: string }>(
      `select e.kind, n.body from public.case_notes n join public.case_events e on e.id = n.event_id
        where n.case_id = $1 order by n.id`,
      [id],
    );
    expect(kept).toEqual([
      { kind: 'resolved', body: 'billing contact updated' },
      { kind: 'reopened', body: 'customer says invoices still go to the old address' },
    ]);
    // a note alone through escalation.update is a note too, on a resolved case as well
    await update(omar, id, { status: 'resolved' });
    const [, alone] = await update(omar, id, { note: 'closing remark' });
    expect(alone).toMatchObject({ kind: 'done', text: `Internal note added to case #${id}: "closing remark"` });
  });

  it('case.list filters: mine, unassigned, breaching or at risk within N hours, by account, by severity — counts as SQL counts them', async () => {
    // a case at risk: its first response is due in 90 minutes
    const atRisk = await open('export to the accounting tool fails', { severity: 'high' });
    await db.query(`update public.cases set first_response_due = now() + interval '90 minutes' where id = $1`, [
      atRisk,
    ]);
    const acme = (await one<{ id: string }>(`select id from public.accounts where name = 'Acme'`)).id;
    // two cases waiting in the queue, one of them for Acme
    for (const extra of [{ account: 'Acme' }, {}]) {
      const queued = await open('nobody has this yet', extra);
      await db.query('update public.cases set assignee_id = null where id = $1', [queued]);
    }
    const list = (user: Requester, action: Record<string, unknown>) => ask(user, { type: 'case.list', ...action });
    const expected = async (where: string, params: unknown[] = []) =>
      (
        await db.query<{ id: number }>(
          `select id::int from public.cases c where c.status <> 'resolved' and ${where}
            order by c.severity desc, coalesce(c.first_response_at, c.first_response_due), c.id`,
          params,
        )
      ).map((r) => r.id);
    const breaching = (hours: number) =>
      `((c.first_response_at is null and c.first_response_due < now() + interval '${hours} hours') or c.resolution_due < now() + interval '${hours} hours')`;
    const cases: [Requester, Record<string, unknown>, string, unknown[], string][] = [
      [omar, { filter: 'unassigned' }, 'c.assignee_id is null', [], 'unassigned open cases in the support queue'],
      [omar, { filter: 'breaching' }, breaching(0), [], 'open cases past a deadline in the support queue'],
      [
        omar,
        { filter: 'breaching', withinHours: 2 },
        breaching(2),
        [],
        'open cases past a deadline or due within 2 hours in the support queue',
      ],
      [omar, { account: 'Acme' }, 'c.account_id = $1', [acme], 'open cases for Acme in the support queue'],
      [omar, { severity: 'high' }, `c.severity = 'high'`, [], 'high open cases in the support queue'],
      [
        omar,
        { filter: 'mine' },
        '(c.assignee_id = $1 or c.reporter_id = $1)',
        [omar.id],
        'open cases assigned to you or raised by you',
      ],
      [
        alex,
        { filter: 'unassigned' },
        'c.assignee_id is null and (c.assignee_id = $1 or c.reporter_id = $1)',
        [alex.id],
        '',
      ],
      [
        alex,
        { filter: 'breaching' },
        `${breaching(0)} and (c.assignee_id = $1 or c.reporter_id = $1)`,
        [alex.id],
        'open cases past a deadline assigned to you or raised by you',
      ],
    ];
    for (const [user, action, where, params, words] of cases) {
      const reply = await list(user, action);
      const ids = await expected(where, params);
      const label = JSON.stringify(action);
      expect(reply.table?.rows.map((r) => r[0]) ?? [], label).toEqual(ids.slice(0, 20));
      expect(reply.table?.more ?? 0, label).toBe(Math.max(0, ids.length - 20));
      if (ids.length) expect(reply.text, label).toMatch(new RegExp(`^${ids.length} `));
      if (words && ids.length > 1) expect(reply.text, label).toBe(`${ids.length} ${words}, most urgent first:`);
    }
    expect((await expected(breaching(2))).includes(atRisk)).toBe(true);
    expect((await expected(breaching(0))).includes(atRisk)).toBe(false);
    expect((await expected(breaching(0))).length).toBeGreaterThan(1); // the seeded cases are past their deadlines
    expect((await expected('c.assignee_id is null')).length).toBeGreaterThan(1);
    expect(await list(omar, { account: 'Zzyzx Quasar' })).toMatchObject({ kind: 'question' });
  });

  it('capacity is checked before a reassignment is confirmed; nothing is left pending', async () => {
    const id = await open('card declined at checkout');
    // "assign it to me" is the asker (Omar is no active agent here)
    expect((await update(omar, id, { assignee: 'me' }))[0]).toEqual({
      kind: 'refusal',
      text: "Omar Haddad is not an active support agent, so I can't give them the case.",
    });
    const holder = await assigneeName(id);
    const full = agents.find((a) => a.name !== holder)!;
    expect((await update(omar, id, { assignee: holder }))[0]).toEqual({
      kind: 'refusal',
      text: `Case #${id} is already with ${holder}.`,
    });
    await db.query('update public.support_agents set open_cases = capacity where user_id = $1', [full.id]);
    const cap = await count('select capacity as n from public.support_agents where user_id = $1', [full.id]);
    const pending = await count('select count(*)::int as n from public.pending_actions');
    const [preview] = await update(omar, id, { assignee: full.name });
    expect(preview).toMatchObject({
      kind: 'refusal',
      text: `${full.name} already has ${cap} open cases (capacity ${cap}); choose someone else.`,
    });
    expect(await count('select count(*)::int as n from public.pending_actions')).toBe(pending);
    await db.query(
      `update public.support_agents a set open_cases = (select count(*) from public.cases c where c.assignee_id = a.user_id and c.status <> 'resolved') where user_id = $1`,
      [full.id],
    );
  });

  it('a queued case is picked up when an agent frees a place (durable case.pickup job), most urgent first', async () => {
    // only these two wait in the queue, everyone is full
    await db.query(`update public.cases set status = 'resolved', resolved_at = now() where assignee_id is null`);
    await db.query(`delete from public.jobs where kind = 'case.pickup'`);
    await db.query('update public.support_agents set open_cases = capacity where user_id = any ($1::uuid[])', [
      agents.map((a) => a.id),
    ]);
    const low = await open('typo on the invoice footer', { severity: 'low' });
    const high = await open('invoices not generated this month', { severity: 'high' });
    const assignee = async (id: number) =>
      (await one<{ a: string | null }>('select assignee_id as a from public.cases where id = $1', [id])).a;
    expect([await assignee(low), await assignee(high)]).toEqual([null, null]);
    const jobs = () =>
      count(`select count(*)::int as n from public.jobs where kind = 'case.pickup' and status = 'pending'`);
    expect(await jobs()).toBe(0);

    // one place frees up: a case of DeskA's is resolved
    const freed = agents[0];
    const mine = await open('placeholder', {});
    await db.query('update public.cases set assignee_id = $1 where id = $2', [freed.id, mine]);
    await db.query(
      `update public.support_agents a set open_cases = (select count(*) from public.cases c where c.assignee_id = a.user_id and c.status <> 'resolved') where user_id = $1`,
      [freed.id],
    );
    const cap = await count('select capacity - open_cases as n from public.support_agents where user_id = $1', [
      freed.id,
    ]);
    await db.query('update public.support_agents set capacity = open_cases where user_id = $1', [freed.id]);
    await update(omar, mine, { status: 'resolved' });
    expect(await jobs()).toBe(1);

    const sent: { to: string; text: string }[] = [];
    const notifier: Notifier = {
      toUser: async (to, r) => {
        sent.push({ to, text: r.text });
        return true;
      },
      toChannel: async (to, r) => {
        sent.push({ to: `#${to}`, text: r.text });
        return true;
      },
    };
    const clock = () => new Date(Date.now() + MIN);
    const jobsOf = supportJobs({ db, notifier, now: clock });
    const s = createScheduler(
      db,
      { 'case.pickup': jobsOf['case.pickup'], 'case.assigned': jobsOf['case.assigned'] },
      clock,
    );
    while (await s.tick(100));
    expect([await assignee(high), await assignee(low)]).toEqual([freed.id, null]); // one place: the high one
    expect(await jobs()).toBe(0);
    const load = await one<{ open_cases: number; capacity: number; counted: number }>(
      `select open_cases, capacity, (select count(*)::int from public.cases c where c.assignee_id = a.user_id and c.status <> 'resolved') as counted
         from public.support_agents a where user_id = $1`,
      [freed.id],
    );
    expect(load.open_cases).toBe(load.counted);
    expect(load.open_cases).toBe(load.capacity);
    expect(
      await count(
        `select count(*)::int as n from public.case_events where case_id = $1 and kind = 'reassigned' and detail ->> 'routing' = 'queue'`,
        [high],
      ),
    ).toBe(1);
    expect(sent.filter((m) => m.to === freed.id && m.text.includes(`case #${high} `)).length).toBe(1);
    // back to the room the agents had
    await db.query('update public.support_agents set capacity = capacity + $2 where user_id = $1', [freed.id, cap]);
    await db.query(
      `update public.support_agents a set open_cases = (select count(*) from public.cases c where c.assignee_id = a.user_id and c.status <> 'resolved')`,
    );
  });

  describe('SLA clocks start at the event that starts them (jobs on a pinned clock)', () => {
    const policy = async (severity: string) =>
      one<{ fr: number; res: number }>(
        `select first_response_minutes as fr, resolution_minutes as res from public.sla_policies where severity = $1 and tier = 'standard'`,
        [severity],
      );
    /** A case opened `hours` ago (standard tier), with its deadlines from then. */
    async function openedAgo(severity: string, hours: number) {
      const id = await open(`fixture ${severity} ${hours}h`, { severity });
      const p = await policy(severity);
      await db.query(
        `update public.cases set created_at = now() - make_interval(hours => $2), first_response_due = now() - make_interval(hours => $2) + make_interval(mins => $3),
                resolution_due = now() - make_interval(hours => $2) + make_interval(mins => $4) where id = $1`,
        [id, hours, p.fr, p.res],
      );
      await db.query(`update public.case_events set at = now() - make_interval(hours => $2) where case_id = $1`, [
        id,
        hours,
      ]);
      return id;
    }
    const clocks = (id: number) =>
      one<{ fr_due: number; res_due: number; fr_at: number | null; event: number; created: number }>(
        `select (extract(epoch from first_response_due) * 1000)::float8 as fr_due, (extract(epoch from resolution_due) * 1000)::float8 as res_due,
                (extract(epoch from first_response_at) * 1000)::float8 as fr_at, (extract(epoch from created_at) * 1000)::float8 as created,
                (select (extract(epoch from max(at)) * 1000)::float8 from public.case_events where case_id = c.id) as event
           from public.cases c where id = $1`,
        [id],
      );
    async function runChecksAt(t: number) {
      const clock = () => new Date(t);
      const notifier: Notifier = { toUser: async () => true, toChannel: async () => true };
      const s = createScheduler(db, { 'sla.check': supportJobs({ db, notifier, now: clock })['sla.check'] }, clock);
      while (await s.tick(100));
    }
    const steps = (id: number) =>
      db.query<{ kind: string; check: string }>(
        `select kind, detail ->> 'check' as check from public.case_events where case_id = $1 and kind in ('escalated', 'sla_breached') order by id`,
        [id],
      );

    it('a reopen restarts both clocks from now and needs a new first response', async () => {
      const id = await openedAgo('high', 72);
      await update(omar, id, { status: 'acknowledged' });
      await update(omar, id, { status: 'resolved' });
      await runChecksAt(Date.now() + MIN); // the old deadlines' checks find the case resolved
      const [, done] = await update(omar, id, { status: 'reopened' });
      const c = await clocks(id);
      const p = await policy('high');
      expect([Math.round(c.fr_due - c.event), Math.round(c.res_due - c.event), c.fr_at]).toEqual([
        p.fr * MIN,
        p.res * MIN,
        null,
      ]);
      expect(done.text).toContain('First response due');
      await runChecksAt(c.event + MIN);
      expect(await steps(id)).toEqual([]);
      await runChecksAt(c.fr_due + MIN); // the new first response, missed: one step
      expect(await steps(id)).toEqual([{ kind: 'escalated', check: 'first_response' }]);
    });

    it('a severity change re-derives the deadlines without breaching in the past; a met first response stays met', async () => {
      const id = await openedAgo('medium', 3);
      const [med, urgent, low] = [await policy('medium'), await policy('urgent'), await policy('low')];
      const before = await clocks(id);
      await update(omar, id, { severity: 'urgent' });
      let c = await clocks(id);
      // urgent from the start (created + 30 min) is past: now + 30 min; the resolution (created + 4 h) is still ahead
      expect(Math.round(c.fr_due - c.event)).toBe(urgent.fr * MIN);
      expect(Math.round(c.res_due - c.created)).toBe(urgent.res * MIN);
      expect(c.fr_due).toBeLessThan(before.fr_due);
      await runChecksAt(c.event + MIN);
      expect(await steps(id)).toEqual([]); // nothing escalates the minute after the change
      // down to low: the longer objectives from the start
      await update(omar, id, { severity: 'low' });
      c = await clocks(id);
      expect([Math.round(c.fr_due - c.created), Math.round(c.res_due - c.created)]).toEqual([
        low.fr * MIN,
        low.res * MIN,
      ]);
      // acknowledged, then raised: the first response was met and stays as it was
      await update(omar, id, { status: 'acknowledged' });
      const acked = await clocks(id);
      await update(omar, id, { severity: 'high' });
      c = await clocks(id);
      expect(c.fr_due).toBe(acked.fr_due);
      expect(med.fr).toBeGreaterThan(urgent.fr);
    });

    it('an acknowledged case does not escalate for its first response; its resolution still does, once', async () => {
      const id = await open('invoice totals are wrong', { severity: 'urgent' });
      await update(omar, id, { status: 'acknowledged' });
      const c = await clocks(id);
      await runChecksAt(c.fr_due + 60 * MIN);
      expect(await steps(id)).toEqual([]);
      await runChecksAt(c.res_due + MIN);
      await runChecksAt(c.res_due + 2 * MIN);
      expect(await steps(id)).toEqual([{ kind: 'escalated', check: 'resolution' }]);
    });
  });

  it('a manager works cases too', async () => {
    const id = await open('wrong VAT rate');
    expect((await write(marta, { type: 'case.note', case: String(id), note: 'VAT team looped in' }))[1].kind).toBe(
      'done',
    );
  });
});
