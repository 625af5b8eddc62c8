import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant, type Assistant } from '../src/core/assistant.ts';
import type { Reply } from '../src/core/types.ts';
import type { Requester } from '../src/db/port.ts';
import { buildExport, type ExportProgress } from '../skills/data-requests/export.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';

/** "+1 555 710 4526" written as "+1 (555) 710-4526": the erasure must find it either way. */
const otherFormat = (phone: string) => phone.replace(/^(\+\d+) (\d{3}) (\d{3}) (\d{4})$/, '$1 ($2) $3-$4');
const now = () => new Date(`${TODAY}T10:00:00Z`);
const parser = { name: 'test', parse: async () => ({ type: 'help' as const }) };

interface Person {
  id: string;
  name: string;
  email: string;
  phone: string;
  account_id: string;
}

/** The tables an export covers, each with the SQL (written independently of the migration) for the rows about $1. */
const ABOUT: Record<string, string> = {
  contacts: `select id::text from public.contacts where id = $1`,
  activities: `select id::text from public.activities where contact_id = $1`,
  tasks: `select id::text from public.tasks where contact_id = $1`,
  cases: `select id::text from public.cases where contact_id = $1`,
  case_events: `select e.id::text from public.case_events e join public.cases c on c.id = e.case_id where c.contact_id = $1`,
  deals: `select id::text from public.deals where contact_id = $1`,
  consents: `select id::text from public.consents where contact_id = $1`,
  leads: `select l.id::text from public.leads l, public.contacts c where c.id = $1 and (l.contact_id = c.id or lower(l.email) = lower(c.email))`,
  data_requests: `select r.id::text from public.data_requests r, public.contacts c
                  where c.id = $1 and (r.subject_contact_id = c.id or lower(r.subject) in (lower(c.email), lower(c.name)))`,
};

describe.each(TARGETS)('data requests on %s', (target) => {
  let db: TestDb;
  let assistant: Assistant;
  let officer: Requester;
  let admin: Requester;
  let rep: Requester;
  let jane: Person;
  let heldCase: number;
  let seq = 0;

  const person = async (name: string) =>
    (
      await db.query<Person>(
        `select id::text, name, email, phone, account_id::text from public.contacts where name = $1`,
        [name],
      )
    )[0];
  const ask = (action: Record<string, unknown>, user: Requester) =>
    assistant.run(action, { requestId: `dr-test-${++seq}`, channel: 'repl', user });
  /** Runs a write the way a user does: the preview, then "yes". */
  const write = async (action: Record<string, unknown>, user: Requester): Promise<Reply> => {
    const first = await ask(action, user);
    if (first.kind !== 'confirm') return first;
    return assistant.confirm(first.confirm!.pendingId, user, true);
  };
  const requestId = (reply: Reply) => Number(/#(\d+)/.exec(reply.text)![1]);
  const request = async (id: number) =>
    (
      await db.query<Record<string, any>>(
        `select *, received_on::text as received_on, due_date::text as due_date from public.data_requests where id = $1`,
        [id],
      )
    )[0];
  const fileAndApprove = async (action: Record<string, unknown>, filer: Requester) => {
    const filed = await write({ type: 'data_request.create', ...action }, filer);
    expect(filed.kind).toBe('done');
    const id = requestId(filed);
    expect(
      (
        await write(
          { type: 'data_request.step', request: String(id), step: 'verify', note: 'reply from the email on file' },
          officer,
        )
      ).kind,
    ).toBe('done');
    expect((await write({ type: 'data_request.step', request: String(id), step: 'approve' }, admin)).kind).toBe('done');
    return id;
  };

  beforeAll(async () => {
    db = await freshDb(target, { deals: 400 });
    assistant = createAssistant({ db, parser, now });
    officer = await userNamed(db, 'Elena Novak');
    admin = await userNamed(db, 'Jordan Lee');
    rep = await userNamed(db, 'Alex Morgan');
    jane = await person('Jane Doe');
    const dana = await person('Dana Reyes');
    // Jane's seeded case goes under legal hold (the seed gives her none) and names her; a second one does not.
    const [held] = await db.query<{ id: number }>(
      `update public.cases set legal_hold = true, summary = summary || ' (reported by Jane Doe)'
       where id = (select min(id) from public.cases where contact_id = $1) returning id::int`,
      [jane.id],
    );
    heldCase = held.id;
    await db.query(
      `insert into public.case_events (case_id, kind, detail) values ($1, 'note', '{"text": "Jane Doe called"}')`,
      [heldCase],
    );
    const [open] = await db.query<{ id: number }>(
      `insert into public.cases (summary, source_text, account_id, contact_id, category, reporter_id)
       values ('refund for Jane Doe', 'From jane.doe@hooli.com: please call me on ' || $4, $2, $1, 'billing', $3)
       returning id::int`,
      [jane.id, jane.account_id, rep.id, otherFormat(jane.phone)],
    );
    await db.query(
      `insert into public.case_events (case_id, kind, detail) values ($1, 'note', '{"text": "left Jane Doe a voicemail", "n": 1}')`,
      [open.id],
    );
    // internal notes on both: erased on the open case, kept on the held one
    await db.query(
      `insert into public.case_notes (case_id, author_id, body) values ($1, $3, 'Jane Doe sent the invoice'), ($2, $3, 'called Jane Doe back')`,
      [open.id, heldCase, rep.id],
    );
    await db.query(
      `insert into public.tasks (text, due_date, status, purpose, assignee_id, contact_id, account_id) values
         ('send Jane the revised pricing', '2026-11-30', 'open', 'sales', $2, $1, $3),
         ('invite Jane to the spring webinar', '2026-12-02', 'open', 'marketing', $2, $1, $3)`,
      [jane.id, rep.id, jane.account_id],
    );
    await db.query(
      `insert into public.activities (kind, summary, contact_id, account_id, owner_id)
       values ('call', 'Dana says Jane Doe (' || $4 || ', jane.doe@hooli.com) moved teams', $1, $2, $3)`,
      [dana.id, dana.account_id, rep.id, jane.phone],
    );
    await db.query(
      `insert into public.leads (name, email, company, owner_id) values ('Jane Doe', 'Jane.Doe@hooli.com', 'Hooli', $1)`,
      [rep.id],
    );
    await db.query(
      `insert into public.jobs (kind, run_at, payload) values ('mail.send', now(), '{"to": "jane.doe@hooli.com"}')`,
    );
  }, 240_000);
  afterAll(() => db?.close());

  it('computes the legal deadline per law, month ends included', async () => {
    const due = async (law: string, day: string) =>
      (await db.query<{ d: string }>(`select private.data_request_due($1, $2::date)::text as d`, [law, day]))[0].d;
    expect(await due('gdpr', '2026-01-31')).toBe('2026-02-28');
    expect(await due('gdpr', '2028-01-31')).toBe('2028-02-29');
    expect(await due('gdpr', '2026-03-31')).toBe('2026-04-30');
    expect(await due('gdpr', '2026-12-31')).toBe('2027-01-31');
    expect(await due('gdpr', '2026-11-23')).toBe('2026-12-23');
    expect(await due('ccpa', '2026-01-31')).toBe('2026-03-17');
    expect(await due('ccpa', '2026-11-23')).toBe('2027-01-07');
    expect(await due('ccpa', '2026-12-31')).toBe('2027-02-14');

    const gdpr = await write({ type: 'data_request.create', kind: 'access', subject: 'Bob Grant', law: 'gdpr' }, rep);
    const ccpa = await write({ type: 'data_request.create', kind: 'access', subject: 'Bob Grant', law: 'ccpa' }, rep);
    const unsaid = await write({ type: 'data_request.create', kind: 'access', subject: 'Bob Grant' }, rep);
    expect(gdpr.text).toContain('due 2026-12-23');
    expect(ccpa.text).toContain('due 2027-01-07');
    expect(unsaid.text).toContain('No law was named, so it runs under GDPR');
    const rows = await Promise.all([gdpr, ccpa, unsaid].map((r) => request(requestId(r))));
    expect(rows.map((r) => [r.law, r.received_on, r.due_date, r.requested_by, r.status])).toEqual([
      ['gdpr', TODAY, '2026-12-23', rep.id, 'received'],
      ['ccpa', TODAY, '2027-01-07', rep.id, 'received'],
      ['gdpr', TODAY, '2026-12-23', rep.id, 'received'],
    ]);
    const bob = await person('Bob Grant');
    expect(rows.every((r) => r.subject_contact_id === bob.id)).toBe(true);
  });

  it('links the subject only on an exact name or email, and asks otherwise', async () => {
    const ambiguous = await ask({ type: 'data_request.create', kind: 'erasure', subject: 'Dana' }, rep);
    expect(ambiguous.kind).toBe('question');
    expect(ambiguous.text).toMatch(/Dana Reyes \(Acme\).*Dana Whitfield \(Acme Logistics\)/);
    const nearMiss = await ask({ type: 'data_request.create', kind: 'erasure', subject: 'Jane Do' }, rep);
    expect(nearMiss.kind).toBe('question');
    expect(nearMiss.text).toContain('Jane Doe (Hooli)');
    const byEmail = await ask({ type: 'data_request.create', kind: 'access', subject: 'JANE.DOE@hooli.com' }, rep);
    expect(byEmail.kind).toBe('confirm');
    expect(byEmail.text).toContain('about Jane Doe (Hooli)');
    await assistant.confirm(byEmail.confirm!.pendingId, rep, false);
    const stranger = await ask(
      {
        type: 'data_request.create',
        kind: 'rectification',
        subject: 'nobody@nowhere.example',
        changes: { phone: '+1 555 0100' },
      },
      rep,
    );
    expect(stranger).toEqual({
      kind: 'refusal',
      text: 'A rectification request needs a contact in the CRM; I could not match the subject to one.',
    });
    const address = await ask(
      {
        type: 'data_request.create',
        kind: 'rectification',
        subject: 'Paul Smith',
        changes: { address: '12 High Street' },
      },
      rep,
    );
    expect(address).toEqual({
      kind: 'refusal',
      text: "I can correct a contact's name, email, phone or title, not address.",
    });
  });

  it('an erasure preview by email names only contacts the asker may see: a right guess reads like a wrong one', async () => {
    const [ken] = await db.query<{ email: string }>(`select email from public.contacts where name = 'Ken Watanabe'`); // Stark: not Alex's team
    const preview = async (subject: string) => {
      const reply = await ask({ type: 'data_request.create', kind: 'erasure', subject }, rep);
      expect(reply.kind).toBe('confirm');
      await assistant.confirm(reply.confirm!.pendingId, rep, false);
      return reply.text.replace(subject, '<email>');
    };
    const right = await preview(ken.email);
    expect(right).not.toContain('Ken');
    expect(right).toBe(await preview('k.nobody@stark.example'));
    expect(await db.rpc(rep, 'contacts_with_email', { email: ken.email })).toEqual([]);
    expect((await db.rpc(officer, 'contacts_with_email', { email: ken.email })).map((c) => c.name)).toEqual([
      'Ken Watanabe',
    ]);
    expect(await preview(jane.email)).toContain('about Jane Doe (Hooli)');
  });

  it('only a privacy officer or an admin moves a request on, refused in the core and in SQL', async () => {
    const id = requestId(await write({ type: 'data_request.create', kind: 'erasure', subject: 'Ken Watanabe' }, rep));
    for (const step of ['verify', 'approve', 'execute'] as const) {
      const reply = await ask({ type: 'data_request.step', request: String(id), step, note: 'passport' }, rep);
      expect(reply).toMatchObject({ kind: 'refusal' });
      expect(reply.text).toContain("can't approve or execute data requests");
      await expect(
        db.rpc(rep, 'perform', {
          request_id: `dr-direct-${step}`,
          channel: 'repl',
          action: 'data_request.step',
          payload: { request: String(id), step, method: 'passport' },
        }),
      ).rejects.toThrow("You don't have permission to do that."); // perform's own capability check
    }
    const row = await request(id);
    expect([row.status, row.verified_by, row.approved_by, row.executed_by]).toEqual(['received', null, null, null]);
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from public.processed_requests where request_id like 'dr-direct-%'`,
    );
    expect(n).toBe(0);
    // the list: officers see everyone's open requests, a rep follows only the ones they filed (RLS)
    expect((await write({ type: 'data_request.create', kind: 'access', subject: 'Tom Becker' }, officer)).kind).toBe(
      'done',
    );
    const asRep = await ask({ type: 'data_request.list' }, rep);
    const mine = await db.query<{ id: number }>(
      `select id::int from public.data_requests where requested_by = $1 and status not in ('completed', 'rejected')`,
      [rep.id],
    );
    expect(asRep.table!.rows.map((r) => r[0]).sort()).toEqual(mine.map((r) => r.id).sort());
    const [{ others }] = await db.query<{ others: number }>(
      `select count(*)::int as others from public.data_requests where requested_by <> $1`,
      [rep.id],
    );
    expect(others).toBeGreaterThan(0);
    const list = await ask({ type: 'data_request.list' }, officer);
    const [{ open }] = await db.query<{ open: number }>(
      `select count(*)::int as open from public.data_requests where status not in ('completed', 'rejected')`,
    );
    expect(list.table!.rows.length).toBe(open);
    expect(list.table!.rows.find((r) => r[0] === id)).toEqual([
      id,
      'erasure',
      'GDPR',
      'Ken Watanabe (Stark Industries)',
      'received',
      'Alex Morgan',
      '2026-12-23',
      '30 days left',
    ]);
    expect(list.sensitive).toBe(true);
  });

  it('refuses to execute before the identity is verified and the request approved', async () => {
    const id = requestId(
      await write({ type: 'data_request.create', kind: 'erasure', subject: 'Maria Lopez' }, officer),
    );
    const early = await ask({ type: 'data_request.step', request: String(id), step: 'execute' }, officer);
    expect(early).toEqual({
      kind: 'refusal',
      text: `Request #${id} must be verified and approved before it is executed (it is received).`,
    });
    const approve = await ask({ type: 'data_request.step', request: String(id), step: 'approve' }, officer);
    expect(approve.text).toBe(`Request #${id} must have the identity verified before it can be approved.`);
    const noMethod = await ask({ type: 'data_request.step', request: String(id), step: 'verify' }, officer);
    expect(noMethod.kind).toBe('question');
    expect(
      (
        await write(
          { type: 'data_request.step', request: String(id), step: 'verify', note: 'call-back on file number' },
          officer,
        )
      ).text,
    ).toBe(`Request #${id}: identity verified by Elena Novak (call-back on file number). Next: approve it.`);
    // the SQL refuses on its own, too (a pending action confirmed after the state changed)
    await expect(
      db.rpc(officer, 'perform', {
        request_id: 'dr-early-exec',
        channel: 'repl',
        action: 'data_request.step',
        payload: { request: String(id), step: 'execute' },
      }),
    ).rejects.toThrow('must be verified and approved');
    expect(
      (
        await write(
          { type: 'data_request.step', request: String(id), step: 'reject', note: 'requester withdrew' },
          officer,
        )
      ).text,
    ).toBe(`Request #${id} rejected.`);
    const after = await ask({ type: 'data_request.step', request: String(id), step: 'execute' }, officer);
    expect(after.text).toContain('was rejected');
    expect((await person('Maria Lopez')).email).toBe('maria.lopez@initech.com');
  });

  it('exports every row about the subject and none about anyone else, as JSON and CSV per table', async () => {
    const id = await fileAndApprove({ kind: 'access', subject: 'jane.doe@hooli.com', law: 'ccpa' }, rep);
    const reply = await write({ type: 'data_request.step', request: String(id), step: 'execute' }, officer);
    expect(reply.kind).toBe('done');
    expect(reply.sensitive).toBe(true);
    const json = JSON.parse(
      new TextDecoder().decode(reply.files!.find((f) => f.name === `data-request-${id}.json`)!.data),
    );
    const tables = json.tables as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(tables).sort()).toEqual(Object.keys(ABOUT).sort());
    let total = 0;
    for (const [table, sql] of Object.entries(ABOUT)) {
      const expected = (await db.query<{ id: string }>(sql, [jane.id])).map((r) => r.id).sort();
      expect([table, tables[table].map((r) => String(r.id)).sort()]).toEqual([table, expected]);
      expect(reply.text).toContain(`${table.replace(/_/g, ' ')} ${expected.length}`);
      total += expected.length;
      const csv = reply.files!.find((f) => f.name === `data-request-${id}-${table}.csv`);
      if (!expected.length) expect(csv).toBeUndefined();
      else expect(new TextDecoder().decode(csv!.data).trim().split('\n').length).toBe(expected.length + 1);
    }
    // the seed gives Jane rows in most tables; the test added a lead, tasks, a case and its events
    expect(tables.activities.length).toBeGreaterThan(0);
    expect(tables.deals.length).toBeGreaterThan(0);
    expect([
      tables.leads.length,
      tables.tasks.length,
      tables.cases.length,
      tables.case_events.length,
      tables.consents.length,
    ]).toEqual([1, 2, 2, 2, 1]);
    expect(tables.contacts[0]).toMatchObject({ name: 'Jane Doe', email: 'jane.doe@hooli.com', account_name: 'Hooli' });
    for (const table of ['activities', 'tasks', 'cases', 'deals', 'consents']) {
      expect(tables[table].every((r) => r.contact_id === jane.id)).toBe(true);
    }
    expect(reply.text).toContain(`exported ${total} rows from`);
    const done = await request(id);
    expect(done.status).toBe('completed');
    expect(done.result.counts.deals).toBe(tables.deals.length);
    expect(JSON.stringify(done.result)).not.toMatch(/jane/i);
  });

  it('a privacy officer puts a case under legal hold from chat, and lifts it; a rep cannot', async () => {
    const [{ id }] = await db.query<{ id: number }>(
      `select id::int from public.cases where not legal_hold order by id limit 1`,
    );
    expect((await ask({ type: 'case.hold', case: String(id), hold: true }, rep)).kind).toBe('refusal');
    const held = await write({ type: 'case.hold', case: String(id), hold: true }, officer);
    expect(held.text).toBe(`Case #${id} is now under legal hold.`);
    expect(
      (await db.query<{ legal_hold: boolean }>(`select legal_hold from public.cases where id = $1`, [id]))[0]
        .legal_hold,
    ).toBe(true);
    const lifted = await write({ type: 'case.hold', case: String(id), hold: false }, officer);
    expect(lifted.text).toBe(`Case #${id} is no longer under legal hold.`);
    const events = await db.query<{ kind: string }>(
      `select kind from public.case_events where case_id = $1 and kind like 'legal%' order by id`,
      [id],
    );
    expect(events.map((e) => e.kind)).toEqual(['legal_hold', 'legal_hold_lifted']);
  });

  it('shows progress to the asker while a large export is written', async () => {
    const paul = await person('Paul Smith');
    const [{ owner }] = await db.query<{ owner: string }>(
      `select owner_id::text as owner from public.accounts where id = $1`,
      [paul.account_id],
    );
    await db.query(
      `insert into public.activities (kind, summary, contact_id, account_id, owner_id)
       select 'email', 'newsletter ' || n, $1, $2, $3 from generate_series(1, 260) n`,
      [paul.id, paul.account_id, owner],
    );
    const id = await fileAndApprove({ kind: 'portability', subject: paul.email }, rep);
    const preview = await ask({ type: 'data_request.step', request: String(id), step: 'execute' }, officer);
    const progress: string[] = [];
    const reply = await assistant.confirm(preview.confirm!.pendingId, officer, true, (t) => progress.push(t));
    expect(reply.kind).toBe('done');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.some((p) => /^Exporting activities: [\d,]+ of [\d,]+ rows…$/.test(p))).toBe(true);
  });

  it('reports export progress a chunk at a time', () => {
    const data = {
      contacts: [{ id: 'c1', name: '=HYPERLINK("x")', active: true }],
      activities: Array.from({ length: 5 }, (_, i) => ({ id: `a${i}`, detail: { n: i } })),
    };
    const seen: ExportProgress[] = [];
    const files = buildExport(data, {
      requestId: 7,
      generatedAt: now(),
      chunkRows: 2,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => `${p.table}:${p.rowsDone}/${p.rowsTotal}`)).toEqual([
      'contacts:1/6',
      'activities:3/6',
      'activities:5/6',
      'activities:6/6',
    ]);
    expect(files.map((f) => f.name)).toEqual([
      'data-request-7.json',
      'data-request-7-contacts.csv',
      'data-request-7-activities.csv',
    ]);
    expect(new TextDecoder().decode(files[1].data)).toBe('id,name,active\nc1,"\'=HYPERLINK(""x"")",true\n');
    expect(new TextDecoder().decode(files[2].data).split('\n')[1]).toBe('a0,"{""n"":0}"');
  });

  it('rectifies with old -> new kept as hashes, restricts, and withdraws consent with its outreach tasks', async () => {
    const paul = await person('Paul Smith');
    const rect = await fileAndApprove(
      { kind: 'rectification', subject: 'Paul Smith', changes: { phone: '+1 555 222 3333', title: 'CMO' } },
      rep,
    );
    const done = await write({ type: 'data_request.step', request: String(rect), step: 'execute' }, officer);
    expect(done.text).toContain('corrected phone');
    expect(await person('Paul Smith')).toMatchObject({ phone: '+1 555 222 3333' });
    const [{ title }] = await db.query<{ title: string }>(`select title from public.contacts where id = $1`, [paul.id]);
    expect(title).toBe('CMO');
    const [hashes] = await db.query<{ old: string; new: string }>(
      `select private.hash_pii($1) as old, private.hash_pii('+1 555 222 3333') as new`,
      [paul.phone],
    );
    const row = await request(rect);
    expect(row.result.rectified).toContainEqual({ field: 'phone', from: hashes.old, to: hashes.new });
    expect(JSON.stringify([row.result, row.changes])).not.toContain('555');

    const restrict = await fileAndApprove({ kind: 'restriction', subject: 'Tom Becker' }, rep);
    await write({ type: 'data_request.step', request: String(restrict), step: 'execute' }, officer);
    const [tom] = await db.query<{ processing_restricted: boolean }>(
      `select processing_restricted from public.contacts where name = 'Tom Becker'`,
    );
    expect(tom.processing_restricted).toBe(true);
    // a restriction is honoured: nothing new is recorded about Tom, and his 360 says why
    const activitiesBefore = (await db.query<{ n: number }>(`select count(*)::int as n from public.activities`))[0].n;
    for (const action of [
      { type: 'activity.log', kind: 'call', contact: 'Tom Becker', summary: 'renewal call' },
      { type: 'task.create', text: 'call Tom', contact: 'Tom Becker', dueDate: '2026-12-01' },
    ]) {
      const refused = await ask(action, rep);
      expect(refused).toMatchObject({ kind: 'refusal' });
      expect(refused.text).toMatch(/Processing of Tom Becker's data is restricted/);
    }
    await expect(
      db.rpc(rep, 'perform', {
        request_id: 'dr-restricted-direct',
        channel: 'repl',
        action: 'activity.log',
        payload: { kind: 'call', summary: 'x', contact_id: (await person('Tom Becker')).id },
      }),
    ).rejects.toThrow(/restricted/);
    expect((await db.query<{ n: number }>(`select count(*)::int as n from public.activities`))[0].n).toBe(
      activitiesBefore,
    );
    expect((await ask({ type: 'contact.lookup', query: 'Tom Becker' }, rep)).text).toMatch(/Processing restricted/);

    const tasksBefore = await db.query<{ purpose: string; status: string }>(
      `select purpose, status from public.tasks where contact_id = $1 order by purpose`,
      [paul.id],
    );
    expect(tasksBefore).toContainEqual({ purpose: 'marketing', status: 'open' });
    const consent = await fileAndApprove(
      { kind: 'consent_withdrawal', subject: 'Paul Smith', changes: { purpose: 'marketing' } },
      rep,
    );
    const withdrawn = await write({ type: 'data_request.step', request: String(consent), step: 'execute' }, officer);
    expect(withdrawn.text).toContain('withdrew consent for marketing');
    const tasksAfter = await db.query<{ purpose: string; status: string }>(
      `select purpose, status from public.tasks where contact_id = $1 order by purpose`,
      [paul.id],
    );
    expect(tasksAfter).toEqual(
      tasksBefore.map((t) => (t.purpose === 'marketing' && t.status === 'open' ? { ...t, status: 'cancelled' } : t)),
    );
    const consents = await db.query<{ purpose: string; granted: boolean }>(
      `select purpose, granted from public.consents where contact_id = $1`,
      [paul.id],
    );
    expect(consents).toEqual([{ purpose: 'marketing', granted: false }]);
  });

  it('erases a subject known only by email: the lead and the mentions, no contact', async () => {
    const [lead] = await db.query<{ id: string; email: string }>(
      `select id::text, email from public.leads where name = 'Lee Chen'`,
    );
    await db.query(
      `insert into public.activities (kind, summary, owner_id) values ('note', 'Lee asked us to stop mailing ' || $1, $2)`,
      [lead.email, rep.id],
    );
    const contactsBefore = await db.query(
      `select md5(string_agg(to_jsonb(c)::text, '' order by id)) as h from public.contacts c`,
    );
    const id = await fileAndApprove({ kind: 'erasure', subject: lead.email }, rep);
    const reply = await write({ type: 'data_request.step', request: String(id), step: 'execute' }, officer);
    expect(reply.text).toContain('leads anonymised: 1');
    expect(reply.text).toContain('activities scrubbed: 1');
    expect(reply.text).not.toContain('contacts anonymised');
    const [after] = await db.query<{ name: string; email: string | null }>(
      `select name, email from public.leads where id = $1`,
      [lead.id],
    );
    expect(after.email).toBeNull();
    expect(after.name).toMatch(/^Erased lead [0-9a-f]{8}$/);
    const [note] = await db.query<{ summary: string }>(
      `select summary from public.activities where summary like 'Lee asked%'`,
    );
    expect(note.summary).toBe('Lee asked us to stop mailing [erased]');
    expect(
      await db.query(`select md5(string_agg(to_jsonb(c)::text, '' order by id)) as h from public.contacts c`),
    ).toEqual(contactsBefore);
  });

  it('erases the subject from every text column, keeps and reports the legal hold, and does it once', async () => {
    const dana = await person('Dana Reyes');
    // Jane entered twice: a second contact row with her email, and a lead with her name and phone but no email
    await db.query(
      `insert into public.contacts (account_id, name, email, phone) select account_id, 'J. Doe', email, null from public.contacts where id = $1`,
      [jane.id],
    );
    await db.query(`insert into public.leads (name, phone, company, status) values ($1, $2, 'Hooli', 'mql')`, [
      jane.name,
      jane.phone,
    ]);
    const id = await fileAndApprove({ kind: 'erasure', subject: 'Jane Doe' }, rep);
    const preview = await ask({ type: 'data_request.step', request: String(id), step: 'execute' }, officer);
    expect(preview.text).toContain('This cannot be undone');
    const reply = await assistant.confirm(preview.confirm!.pendingId, officer, true);
    expect(reply.kind).toBe('done');
    expect(reply.text).toContain(`kept under legal hold: case ${heldCase}`);
    expect(reply.text).toMatch(/contacts anonymised: 2/);
    expect(reply.text).toMatch(/consents deleted: 1/);
    expect(reply.text).toMatch(/leads anonymised: 2/);

    // Every text, varchar and json column of every table in public, searched for her email, name and phone.
    const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns c
       where table_schema = 'public' and data_type in ('text', 'character varying', 'character', 'jsonb', 'json')
         and exists (select 1 from information_schema.tables t where t.table_schema = 'public' and t.table_name = c.table_name and t.table_type = 'BASE TABLE')`,
    );
    expect(columns.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const c of columns) {
      const found = await db.query<{ row: Record<string, unknown> }>(
        `select to_jsonb(t) as row from public.${c.table_name} t
         where t.${c.column_name}::text ilike any ($1) or regexp_replace(t.${c.column_name}::text, '\\D', '', 'g') like $2`,
        [[`%${jane.email}%`, `%${jane.name}%`, `%${jane.phone}%`], `%${jane.phone.replace(/\D/g, '')}%`],
      );
      for (const { row } of found) hits.push(`${c.table_name}.${c.column_name}:${row.case_id ?? row.id}`);
    }
    expect(hits.sort()).toEqual([
      `case_events.detail:${heldCase}`,
      `case_notes.body:${heldCase}`,
      `cases.summary:${heldCase}`,
    ]);

    const contact = (
      await db.query<Record<string, unknown>>(
        `select name, email, phone, title, erased_at from public.contacts where id = $1`,
        [jane.id],
      )
    )[0];
    expect(contact).toMatchObject({ email: null, phone: null, title: null });
    expect(contact.name).toMatch(/^Erased contact [0-9a-f]{8}$/);
    expect(await db.query(`select 1 from public.consents where contact_id = $1`, [jane.id])).toEqual([]);
    const tasks = await db.query<{ text: string; status: string }>(
      `select text, status from public.tasks where contact_id = $1 order by text`,
      [jane.id],
    );
    expect(tasks).toEqual([
      { text: 'invite [erased] to the spring webinar', status: 'cancelled' },
      { text: 'send [erased] the revised pricing', status: 'cancelled' },
    ]);
    // someone else's record only lost the mention
    expect(await person('Dana Reyes')).toEqual(dana);
    const [mention] = await db.query<{ summary: string }>(
      `select summary from public.activities where contact_id = $1 and summary like 'Dana says%'`,
      [dana.id],
    );
    expect(mention.summary).toBe('Dana says [erased] ([erased], [erased]) moved teams');
    // the audit trail names the request by number only
    const audit = await db.query<{ target_id: string }>(
      `select target_id from public.audit_log where action like 'data_request.%'`,
    );
    expect(audit.every((a) => a.target_id === null || /^\d+$/.test(a.target_id))).toBe(true);
    const record = await request(id);
    expect(record.status).toBe('completed');
    expect(record.result.kept).toEqual([`kept under legal hold: case ${heldCase}`]);
    expect(record.subject).toMatch(/^Erased subject sha256:[0-9a-f]{16}$/);

    // Running it again is a no-op.
    const snapshot = () =>
      db.query<{ t: string; h: string }>(
        `select t, md5(string_agg(r, '|' order by r)) as h from (
         select 'contacts' as t, to_jsonb(x)::text as r from public.contacts x union all
         select 'cases', to_jsonb(x)::text from public.cases x union all
         select 'activities', to_jsonb(x)::text from public.activities x union all
         select 'tasks', to_jsonb(x)::text from public.tasks x union all
         select 'leads', to_jsonb(x)::text from public.leads x union all
         select 'consents', to_jsonb(x)::text from public.consents x union all
         select 'data_requests', to_jsonb(x)::text from public.data_requests x) s group by t order by t`,
      );
    const before = await snapshot();
    const again = await write({ type: 'data_request.step', request: String(id), step: 'execute' }, officer);
    expect(again.kind).toBe('answer');
    expect(again.text).toMatch(
      new RegExp(`^Request #${id} was already completed on \\d{4}-\\d{2}-\\d{2}; nothing changed\\.$`),
    );
    expect(await snapshot()).toEqual(before);
  });
});
