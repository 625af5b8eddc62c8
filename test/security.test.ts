import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TYPES_IN_DB } from './support/actions.ts';
import { capabilityMatrix } from '../src/core/permissions.ts';
import type { Requester } from '../src/db/port.ts';
import { freshDb, TARGETS, userNamed, userWithRole, type TestDb } from './support/db.ts';

/** Runs SQL as a token with the given claims would through PostgREST: role `authenticated`, claims set. */
async function asClaims(db: TestDb, claims: Record<string, unknown>, sql: string, params: unknown[] = []) {
  return db.transaction(async (tx) => {
    await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
      JSON.stringify(claims),
    ]);
    return tx.query<Record<string, unknown>>(sql, params);
  });
}
const claimsOf = (u: Requester) => ({ sub: u.id, role: 'authenticated', crm_role: u.role, team: u.team });

describe.each(TARGETS)('database hardening on %s', (target) => {
  let db: TestDb;
  let alex: Requester;
  let elena: Requester;
  beforeAll(async () => {
    db = await freshDb(target, { deals: 300 });
    [alex, elena] = await Promise.all([userNamed(db, 'Alex Morgan'), userNamed(db, 'Elena Novak')]);
  });
  afterAll(() => db?.close());

  it("perform's capability table is the core's capability table", async () => {
    const rows = await db.query<{ role: string; action: string }>(
      'select role, action from private.capabilities order by 1, 2',
    );
    const fromCore = Object.entries(capabilityMatrix())
      .flatMap(([role, types]) =>
        [...types].filter((t) => ACTION_TYPES_IN_DB.includes(t)).map((action) => ({ role, action })),
      )
      .sort((a, b) => a.role.localeCompare(b.role) || a.action.localeCompare(b.action));
    expect(rows).toEqual(fromCore);
  });

  it('every action function runs as the writer role, which is subject to row-level security', async () => {
    const fns = await db.query<{ name: string; owner: string; definer: boolean }>(
      `select p.proname as name, r.rolname as owner, p.prosecdef as definer from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace join pg_roles r on r.oid = p.proowner
       where n.nspname = 'private' and p.proname like 'act\\_%' order by 1`,
    );
    expect(fns.map((f) => f.name.replace(/^act_/, '').replace('_', '.'))).toEqual(
      expect.arrayContaining(['activity.log', 'deal.update']),
    );
    expect(fns.filter((f) => f.owner !== 'crm_writer' || !f.definer)).toEqual([]);
    const [writer] = await db.query<{ rolbypassrls: boolean; rolsuper: boolean }>(
      `select rolbypassrls, rolsuper from pg_roles where rolname = 'crm_writer'`,
    );
    expect(writer).toEqual({ rolbypassrls: false, rolsuper: false });
  });

  it('a user cannot write tables directly, only through the actions', async () => {
    const attempts = [
      `update public.deals set amount = 1 where owner_id = '${alex.id}'`,
      `insert into public.case_events (case_id, kind, actor_id) select id, 'escalated', '${alex.id}' from public.cases limit 1`,
      `insert into public.data_requests (kind, subject, requested_by, due_date, status) values ('erasure', 'x', '${alex.id}', current_date, 'approved')`,
      `update public.contacts set processing_restricted = false`,
      `update public.consents set granted = true`,
      `delete from public.audit_log`,
    ];
    for (const sql of attempts)
      await expect(asClaims(db, claimsOf(alex), sql), sql).rejects.toThrow(/permission denied/);
    await expect(db.exec('truncate public.audit_log')).rejects.toThrow(/append-only/);
  });

  it('contact details are not readable from the table, only through functions that mask them by role', async () => {
    await expect(asClaims(db, claimsOf(alex), 'select email, phone from public.contacts limit 1')).rejects.toThrow(
      /permission denied/,
    );
    const [named] = await asClaims(
      db,
      claimsOf(alex),
      `select count(*)::int as n from public.contacts where name = 'Dana Reyes'`,
    );
    expect(named.n).toBe(1);
  });

  it("an email finds a contact only for someone who may see that contact's details", async () => {
    const [ken] = await db.query<{ email: string }>(`select email from public.contacts where name = 'Ken Watanabe'`); // Stark: not Alex's team
    expect(await db.rpc(alex, 'find_entities', { kind: 'contact', q: ken.email })).toEqual([]);
    const [{ problem }] = [
      await db.rpc(alex, 'check_rep_action', { action: 'contact.create', payload: { email: ken.email } }),
    ];
    expect(problem).toBe(
      'A contact with that email already exists on an account outside your team; ask its owner to add you.',
    );
    const marco = await userNamed(db, 'Marco Rossi');
    expect((await db.rpc(marco, 'find_entities', { kind: 'contact', q: ken.email })).map((c) => c.name)).toEqual([
      'Ken Watanabe',
    ]);
  });

  it('the definer helpers that change counters, queue jobs or read past the policies are for the actions only', async () => {
    const [{ id: caseId }] = await db.query<{ id: number }>(`select min(id)::int as id from public.cases`);
    const [{ user_id: agent }] = await db.query<{ user_id: string }>(
      `select user_id from public.support_agents limit 1`,
    );
    const state = () =>
      db.query(
        `select (select sum(amount) from public.deal_totals)::text as totals, (select count(*) from public.jobs)::int as jobs,
                (select sum(open_cases) from public.support_agents)::int as load`,
      );
    const before = await state();
    const calls = [
      `select private.deal_totals_add(array(select d from public.deals d where d.team <> '${alex.team}' limit 50), null)`,
      `select private.count_new_case('${agent}', now())`,
      `select private.schedule_case_jobs(${caseId}, true)`,
      `select private.enqueue_sla_check(${caseId}, 'resolution', now())`,
      `select private.route_case('billing', now())`,
      `select private.lock_agents(array['${agent}'::uuid])`,
      `select private.chain_holder(1, '${agent}')`,
      `select private.case_json(${caseId})`,
    ];
    const guest = { sub: '00000000-0000-4000-8000-00000000a0e5', role: 'authenticated', crm_role: 'guest', team: null };
    for (const claims of [claimsOf(alex), claimsOf(elena), guest])
      for (const sql of calls) await expect(asClaims(db, claims, sql), sql).rejects.toThrow(/permission denied/);
    expect(await state()).toEqual(before);
  });

  it("a lead's email and phone are not readable from the table, and an email finds a lead only for its own team", async () => {
    await expect(asClaims(db, claimsOf(alex), 'select email from public.leads limit 1')).rejects.toThrow(
      /permission denied/,
    );
    await expect(asClaims(db, claimsOf(alex), 'select phone from public.leads limit 1')).rejects.toThrow(
      /permission denied/,
    );
    const [theirs] = await db.query<{ name: string; email: string }>(
      `select l.name, l.email from public.leads l join public.users u on u.id = l.owner_id
       where l.email is not null and u.team is distinct from $1 order by l.name limit 1`,
      [alex.team],
    );
    const [ours] = await db.query<{ name: string; email: string }>(
      `select l.name, l.email from public.leads l join public.users u on u.id = l.owner_id
       where l.email is not null and u.team = $1 order by l.name limit 1`,
      [alex.team],
    );
    const found = async (email: string) =>
      (await db.rpc(alex, 'find_leads', { q: email, limit: 6 })).map((l: { name: string }) => l.name);
    expect(await found(theirs.email)).toEqual([]);
    expect(await found(ours.email)).toEqual([ours.name]);
  });

  it('role and team come from public.users: claims that disagree are refused, and the audit log records the real role', async () => {
    await db.rpc(alex, 'perform', {
      request_id: 'real-role-1',
      channel: 'slack',
      action: 'case.list',
      payload: { scope: 'mine' },
    });
    const forged = [
      { ...claimsOf(alex), crm_role: 'admin' },
      { ...claimsOf(alex), team: elena.team === alex.team ? 'Enterprise' : 'APAC' },
    ];
    for (const claims of forged) {
      for (const sql of [
        'select count(*) from public.audit_log',
        'select count(*) from public.deals',
        `select public.perform('{"request_id": "forged-1", "channel": "slack", "action": "audit.query", "payload": {"action": "any"}}')`,
      ])
        await expect(asClaims(db, claims, sql), sql).rejects.toThrow(/does not match the CRM's record/);
    }
    const [who] = await asClaims(db, claimsOf(alex), 'select public.whoami() as w');
    expect(who.w).toMatchObject({ uid: alex.id, role: 'rep', team: alex.team });
    const rows = await db.query<{ actor_role: string }>(`select actor_role from public.audit_log where actor_id = $1`, [
      alex.id,
    ]);
    expect(rows).toEqual([{ actor_role: 'rep' }]);
  });

  it("a rep reads over SQL the cases chat shows them: raised, held, or on their team's accounts", async () => {
    const [expected] = await db.query<{ n: number }>(
      `select count(*)::int as n from public.cases c
       where c.reporter_id = $1 or c.assignee_id = $1
          or c.account_id in (select a.id from public.accounts a join public.users u on u.id = a.owner_id where u.team = $2)`,
      [alex.id, alex.team],
    );
    const [all] = await db.query<{ n: number }>('select count(*)::int as n from public.cases');
    expect(expected.n).toBeGreaterThan(0);
    expect(expected.n).toBeLessThan(all.n);
    const [seen] = await asClaims(db, claimsOf(alex), 'select count(*)::int as n from public.cases');
    expect(seen.n).toBe(expected.n);
    const [events] = await asClaims(
      db,
      claimsOf(alex),
      'select count(*)::int as n from public.case_events e where not exists (select 1 from public.cases c where c.id = e.case_id)',
    );
    expect(events.n).toBe(0);
    const [support] = await asClaims(
      db,
      claimsOf(await userWithRole(db, 'support')),
      'select count(*)::int as n from public.cases',
    );
    expect(support.n).toBe(all.n);
  });

  it('the API cannot rewrite its own pending or processed requests, or put free text in the audit log', async () => {
    await expect(asClaims(db, claimsOf(alex), `update public.pending_actions set status = 'pending'`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asClaims(db, claimsOf(alex), `delete from public.processed_requests`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(asClaims(db, claimsOf(alex), `select nextval('public.audit_log_id_seq')`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      db.rpc(alex, 'perform', {
        request_id: 'x-1',
        channel: 'Jane Doe has cancer',
        action: 'case.list',
        payload: { scope: 'mine' },
      }),
    ).rejects.toThrow(/could not be applied/);
    await db.rpc(alex, 'perform', {
      request_id: 'Jane Doe jane@x.io',
      channel: 'slack',
      action: 'case.list',
      payload: { scope: 'mine', status: 'Jane Doe, born 1980' },
    });
    const [row] = await db.query<{ request_id: string; detail: Record<string, string> }>(
      `select request_id, detail from public.audit_log where action = 'case.list' order by id desc limit 1`,
    );
    expect(row.request_id).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(row.detail).toEqual({ scope: 'mine', status: expect.stringMatching(/^sha256:/) });
    await expect(
      asClaims(
        db,
        { sub: '11111111-1111-4111-8111-111111111111', role: 'authenticated' },
        `select public.record_llm_call('{"model":"m","outcome":"ok","prompt_hash":"0123456789abcdef"}')`,
      ),
    ).rejects.toThrow(/not an LLM call record/);
  });

  it('a signed-in token without a CRM role reads nothing', async () => {
    const [seen] = await asClaims(
      db,
      { sub: '11111111-1111-4111-8111-111111111111', role: 'authenticated' },
      `select (select count(*) from public.contacts)::int as contacts, (select count(*) from public.users)::int as users,
              (select count(*) from public.cases)::int as cases, (select count(*) from public.consents)::int as consents,
              (select count(*) from public.deals)::int as deals, (select count(*) from public.accounts)::int as accounts`,
    );
    expect(seen).toEqual({ contacts: 0, users: 0, cases: 0, consents: 0, deals: 0, accounts: 0 });
  });

  it('perform refuses actions the role may not run, and spellings that are not action names', async () => {
    const step = { request: '100', step: 'verify', method: 'passport' };
    await expect(
      db.rpc(alex, 'perform', { request_id: 's-1', channel: 'repl', action: 'data_request.step', payload: step }),
    ).rejects.toThrow(/permission/);
    await expect(
      db.rpc(elena, 'perform', { request_id: 's-2', channel: 'repl', action: 'data.request_step', payload: step }),
    ).rejects.toThrow(/known action/);
    await expect(
      db.rpc(elena, 'perform', {
        request_id: 's-3',
        channel: 'repl',
        action: 'deal.update',
        payload: { deal_id: alex.id, amount: 1 },
      }),
    ).rejects.toThrow(/permission/);
  });

  it("request ids are per user: one user's id cannot pre-empt another's request", async () => {
    const priya = await userNamed(db, 'Priya Shah');
    const put = (u: Requester) =>
      db.rpc(u, 'pending_put', { request_id: 'shared-id', channel: 'slack', action: { type: 'help' }, preview: 'x' });
    const [a, b] = [await put(alex), await put(priya)];
    expect(a.status).toBe('pending');
    expect(b.status).toBe('pending');
    expect(a.id).not.toBe(b.id);
  });

  it("moving a rep to another team moves their deals' visibility with them", async () => {
    const rep = await userWithRole(db, 'rep', 'APAC');
    const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from public.deals where owner_id = $1`, [
      rep.id,
    ]);
    await db.query(`update public.users set team = 'Growth West', region = 'West' where id = $1`, [rep.id]);
    const [{ moved }] = await db.query<{ moved: number }>(
      `select count(*)::int as moved from public.deals where owner_id = $1 and team = 'Growth West'`,
      [rep.id],
    );
    expect(moved).toBe(n);
    const [visible] = await asClaims(
      db,
      claimsOf(alex),
      `select count(*)::int as n from public.deals where owner_id = $1`,
      [rep.id],
    );
    expect(visible.n).toBe(n);
  });
});
