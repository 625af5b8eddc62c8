import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../src/db/migrate.ts';
import { CrmError, type CrmDb, type Requester } from '../src/db/port.ts';
import { freshDb, TARGETS, userNamed, type TestDb } from './support/db.ts';
import { freshSupabase } from './support/postgrest-standin.ts';

/**
 * The data surface every adapter shares, run on PGlite, on the server Postgres through pg, and
 * through supabase-js against the PostgREST stand-in (in front of a server database).
 */
const DATA_TARGETS = [...TARGETS, ...(process.env.TEST_DATABASE_URL ? (['supabase'] as const) : [])];

/** A test-only action, so these checks do not depend on any skill's SQL: renames a deal, under RLS. */
const RENAME_DEAL_ACTION = `
  create or replace function private.act_test_rename_deal(payload jsonb) returns jsonb language plpgsql as $$
  declare v_id uuid;
  begin
    update public.deals set name = payload ->> 'name' where id = (payload ->> 'deal_id')::uuid returning id into v_id;
    if v_id is null then raise exception 'You can only rename deals you own.'; end if;
    return jsonb_build_object('target_type', 'deal', 'target_id', v_id, 'name', payload ->> 'name');
  end $$;
  -- registered as every action is: runs as the writer role, allowed for reps
  alter function private.act_test_rename_deal(jsonb) security definer set search_path = public, private;
  alter function private.act_test_rename_deal(jsonb) owner to crm_writer;
  insert into private.capabilities (role, action) values ('rep', 'test.rename_deal') on conflict do nothing;`;

describe.each(DATA_TARGETS)('data layer on %s', (target) => {
  let db: CrmDb;
  let sql: TestDb;
  let close: () => Promise<void>;
  let alex: Requester;
  let marco: Requester;
  beforeAll(async () => {
    if (target === 'supabase') {
      const s = await freshSupabase({ deals: 600 });
      [db, sql, close] = [s.db, s.sql, s.close];
    } else {
      sql = await freshDb(target, { deals: 600 });
      [db, close] = [sql, () => sql.close()];
    }
    await sql.exec(RENAME_DEAL_ACTION);
    alex = await userNamed(sql, 'Alex Morgan');
    marco = await userNamed(sql, 'Marco Rossi');
  });
  afterAll(() => close?.());
  const count = async (from: string, params: unknown[] = []) =>
    (await sql.query<{ n: number }>(`select count(*)::int as n from ${from}`, params))[0].n;
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => {
        if (!(e instanceof CrmError)) throw e;
        return { code: e.code, message: e.message };
      },
    );
  /** A deal owned by the user, and one of another team, chosen from the seeded data. */
  const dealOf = async (owner: Requester) =>
    (
      await sql.query<{ id: string; name: string }>(
        'select id, name from public.deals where owner_id = $1 order by id limit 1',
        [owner.id],
      )
    )[0];

  it('migrations apply twice without error: a second run applies none, the auth shim re-runs as a no-op', async () => {
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql'));
    expect(await migrate(sql)).toEqual([]);
    expect(await count('supabase_migrations.schema_migrations')).toBe(files.length);

    const shim = readFileSync(join(MIGRATIONS_DIR, '20261101000000_auth_shim.sql'), 'utf8');
    await sql.exec(shim);
    await sql.exec(shim);
    const roles = await sql.query<{ rolname: string; rolbypassrls: boolean }>(
      `select rolname, rolbypassrls from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by rolname`,
    );
    expect(roles).toEqual([
      { rolname: 'anon', rolbypassrls: false },
      { rolname: 'authenticated', rolbypassrls: false },
      { rolname: 'service_role', rolbypassrls: true },
    ]);
    // On a Supabase project the platform's own auth functions exist: the shim must leave them alone.
    await sql.exec(
      `create or replace function auth.role() returns text language sql stable as $$ select 'platform'::text $$`,
    );
    await sql.exec(shim);
    expect((await sql.query<{ r: string }>('select auth.role() as r'))[0].r).toBe('platform');
    await sql.exec('drop function auth.role()');
    await sql.exec(shim);
    expect((await sql.query<{ r: string | null }>('select auth.role() as r'))[0].r).toBeNull();
  });

  it('auth.uid() inside an RPC is the requester, running as the authenticated role', async () => {
    expect(await db.rpc(alex, 'whoami')).toEqual({
      uid: alex.id,
      role: 'rep',
      team: 'Growth West',
      db_role: 'authenticated',
    });
    expect(await db.rpc(marco, 'whoami')).toEqual({
      uid: marco.id,
      role: 'rep',
      team: 'Enterprise EMEA',
      db_role: 'authenticated',
    });
    const service = await db.serviceRpc('whoami');
    expect(service.uid).toBeNull();
    if (target === 'supabase') expect(service.db_role).toBe('service_role');
    else expect(service.db_role).not.toBe('authenticated');
  });

  it("a rep finds only their team's deals: another team's are invisible", async () => {
    // An account whose deals all belong to Enterprise EMEA and whose name matches no other deal.
    const candidates = await sql.query<{ name: string }>(
      `select a.name from public.accounts a join public.deals d on d.account_id = a.id
       group by a.id, a.name having bool_and(d.team = 'Enterprise EMEA') and count(*) between 2 and 10
       order by count(*) desc, a.name limit 10`,
    );
    let q = '';
    let all: { id: string }[] = [];
    const admin = await userNamed(sql, 'Jordan Lee'); // sees every deal
    for (const c of candidates) {
      all = await db.rpc(admin, 'find_entities', { kind: 'deal', q: c.name, limit: 20 });
      const teams = await sql.query<{ team: string }>(
        'select distinct team from public.deals where id = any($1::uuid[])',
        [all.map((d) => d.id)],
      );
      if (all.length > 0 && teams.every((t) => t.team === 'Enterprise EMEA')) {
        q = c.name;
        break;
      }
    }
    expect(q).not.toBe('');
    const find = (as: Requester) => db.rpc(as, 'find_entities', { kind: 'deal', q, limit: 20 });
    expect(await find(alex)).toEqual([]);
    expect(await find(await userNamed(sql, 'Marta Schulz'))).toEqual([]); // Growth West's manager
    expect(await find(await userNamed(sql, 'Omar Haddad'))).toEqual([]); // support sees no deals
    expect(await find(marco)).toEqual(all);
    expect(await find(await userNamed(sql, 'Elena Novak'))).toEqual(all); // privacy officer sees all
  });

  it("a rep cannot change another team's deal: the SQL refusal reaches them verbatim and nothing is written", async () => {
    const theirs = await dealOf(marco);
    const [processed, audit] = [await count('public.processed_requests'), await count('public.audit_log')];
    const refused = await refusal(
      db.rpc(alex, 'perform', {
        request_id: `dl-${target}-steal`,
        action: 'test.rename_deal',
        channel: 'repl',
        payload: { deal_id: theirs.id, name: 'Mine now' },
      }),
    );
    expect(refused).toEqual({ code: 'refused', message: 'You can only rename deals you own.' });
    expect(
      (await sql.query<{ name: string }>('select name from public.deals where id = $1', [theirs.id]))[0].name,
    ).toBe(theirs.name);
    expect(await count('public.processed_requests')).toBe(processed);
    expect(await count('public.audit_log')).toBe(audit);
  });

  it('pending_put and perform are idempotent per request id', async () => {
    const mine = await dealOf(alex);
    const action = { type: 'test.rename_deal', deal_id: mine.id, name: 'Renewal (confirmed once)' };
    const put = { request_id: `dl-${target}-pending`, channel: 'slack', action, preview: 'Rename the deal?' };
    const first = await db.rpc(alex, 'pending_put', put);
    const second = await db.rpc(alex, 'pending_put', put);
    expect(second).toEqual(first);
    expect(first.status).toBe('pending');
    expect(await count('public.pending_actions where request_id = $1', [put.request_id])).toBe(1);

    // Another user cannot confirm it (RLS hides it from them).
    expect(await db.rpc(marco, 'perform', { pending_id: first.id })).toMatchObject({ error: 'not_found' });
    const done = await db.rpc(alex, 'perform', { pending_id: first.id });
    expect(done).toEqual({ target_type: 'deal', target_id: mine.id, name: action.name, action: 'test.rename_deal' });
    expect(await db.rpc(alex, 'perform', { pending_id: first.id })).toEqual({
      replayed: true,
      action: 'test.rename_deal',
    });
    const audit = await sql.query<{
      actor_id: string;
      channel: string;
      target_id: string;
      detail: { name: string; deal_id: string };
    }>('select actor_id, channel, target_id, detail from public.audit_log where request_id = $1', [
      `pending:${first.id}`,
    ]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: alex.id,
      channel: 'slack',
      target_id: mine.id,
      detail: { deal_id: mine.id },
    });
    expect(audit[0].detail.name).toMatch(/^sha256:[0-9a-f]{16}$/); // free text is never kept in the audit log

    // A direct perform under one request id runs once; the replay writes nothing.
    const direct = {
      request_id: `dl-${target}-direct`,
      action: 'test.rename_deal',
      channel: 'repl',
      payload: { deal_id: mine.id, name: 'Renewal (direct)' },
    };
    expect(await db.rpc(alex, 'perform', direct)).toMatchObject({ target_id: mine.id, name: 'Renewal (direct)' });
    await sql.query('update public.deals set name = $2 where id = $1', [mine.id, 'Reset by the test']);
    expect(await db.rpc(alex, 'perform', direct)).toEqual({ replayed: true, action: 'test.rename_deal' });
    expect((await sql.query<{ name: string }>('select name from public.deals where id = $1', [mine.id]))[0].name).toBe(
      'Reset by the test',
    );
    expect(await count('public.audit_log where request_id = $1', [direct.request_id])).toBe(1);
  });

  it('system RPCs are refused to a user and open to the service', async () => {
    expect(await refusal(db.rpc(alex, 'user_for_channel', { name: 'Marco' }))).toEqual({
      code: 'forbidden',
      message: "You don't have permission to do that.",
    });
    expect(await db.serviceRpc('user_for_channel', { name: 'Marco' })).toMatchObject({
      id: marco.id,
      team: 'Enterprise EMEA',
    });
  });
});
