import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Requester } from '../src/db/port.ts';
import { freshDb, TARGETS, userNamed, type TestDb } from './support/db.ts';

/** The running totals the pipeline reads, recomputed from the deals; any difference is returned. */
const MISMATCHES = `
  with kept as (
    select team, owner_id, stage, region, close_date, deals, amount from public.deal_totals where deals <> 0 or amount <> 0),
  truth as (
    select team, owner_id, stage, region, close_date, count(*) as deals, sum(amount) as amount from public.deals group by 1, 2, 3, 4, 5),
  idle_kept as (
    select team, owner_id, stage, region, idle_date, deals, amount from public.deal_idle_totals where deals <> 0 or amount <> 0),
  idle_truth as (
    select team, owner_id, stage, region, (greatest(stage_changed_at, last_activity_at) at time zone 'UTC')::date as idle_date,
           count(*) as deals, sum(amount) as amount
    from public.deals where stage not in ('closed_won', 'closed_lost') group by 1, 2, 3, 4, 5)
  select 'extra' as side, to_jsonb(x) as row from (select * from kept except select * from truth) x
  union all select 'missing', to_jsonb(x) from (select * from truth except select * from kept) x
  union all select 'idle extra', to_jsonb(x) from (select * from idle_kept except select * from idle_truth) x
  union all select 'idle missing', to_jsonb(x) from (select * from idle_truth except select * from idle_kept) x`;

describe.each(TARGETS)('pipeline running totals on %s', (target) => {
  let db: TestDb;
  let marta: Requester, jordan: Requester, alex: Requester, marco: Requester;
  const perform = (user: Requester, action: string, payload: Record<string, unknown>) =>
    db.rpc(user, 'perform', { request_id: randomUUID(), channel: 'repl', action, payload });
  const mismatches = () => db.query<{ side: string; row: unknown }>(MISMATCHES);
  const dealsOf = (team: string, n: number, open = true) =>
    db.query<{ id: string; owner_id: string }>(
      `select id::text, owner_id::text from public.deals where team = $1 and (stage not in ('closed_won', 'closed_lost')) = $2
     order by id limit $3`,
      [team, open, n],
    );

  beforeAll(async () => {
    db = await freshDb(target, { deals: 600 });
    [marta, jordan, alex, marco] = await Promise.all(
      ['Marta Schulz', 'Jordan Lee', 'Alex Morgan', 'Marco Rossi'].map((n) => userNamed(db, n)),
    );
  });
  afterAll(async () => db?.close());

  it('start equal to the deals, company-wide and for every team', async () => {
    expect(await mismatches()).toEqual([]);
    const [{ n }] = await db.query<{ n: number }>('select sum(deals)::int as n from public.deal_totals');
    expect(n).toBe(600);
  });

  it('follow every kind of deal write: create, stage, amount, close date, owner, activity, bulk update, delete', async () => {
    const acme = (await db.query<{ id: string }>(`select id::text from public.accounts where name = 'Acme'`))[0].id;
    await perform(alex, 'deal.create', {
      account_id: acme,
      name: 'Totals probe',
      amount: 12345.67,
      stage: 'proposal',
      close_date: '2026-12-05',
    });
    const [west1, west2, west3] = await dealsOf('Growth West', 3);
    await perform(marta, 'deal.update', { deal_id: west1.id, stage: 'negotiation', amount: 99999.99 });
    await perform(marta, 'deal.update', { deal_id: west2.id, close_date: '2027-02-28' });
    await perform(marta, 'deal.update', { deal_id: west3.id, stage: 'closed_won' });
    const [emea] = await dealsOf('Enterprise EMEA', 1);
    await perform(jordan, 'deal.update', { deal_id: emea.id, owner_id: alex.id }); // moves the deal to another team
    await db.query(`update public.deals set last_activity_at = now() where id = $1`, [west2.id]);
    await db.query(`update public.deals set amount = amount + 1 where team = 'APAC'`);
    await db.query(`update public.deals set name = name || ' (renamed)' where team = 'Growth East'`); // no totals change
    await db.query(`delete from public.deals d where d.team = 'Growth East' and d.id in (
      select x.id from public.deals x where not exists (select 1 from public.activities a where a.deal_id = x.id)
        and not exists (select 1 from public.tasks t where t.deal_id = x.id) order by x.id limit 5)`);
    await db.query(`delete from public.deals where name = 'Totals probe'`);
    expect(await mismatches()).toEqual([]);
    const [moved] = await db.query<{ team: string }>('select team from public.deals where id = $1', [emea.id]);
    expect(moved.team).toBe('Growth West');
  });

  it('stay exact under concurrent writers moving deals between the same keys', async () => {
    const west = await dealsOf('Growth West', 12);
    const emea = await dealsOf('Enterprise EMEA', 6);
    const stages = ['prospecting', 'qualification', 'discovery', 'proposal', 'negotiation'];
    const writes = Array.from({ length: 60 }, (_, i) => {
      const [user, deal] = i % 3 === 2 ? [jordan, emea[i % emea.length]] : [marta, west[i % west.length]];
      return perform(user, 'deal.update', {
        deal_id: deal.id,
        stage: stages[i % stages.length],
        amount: 1000 + i,
        close_date: i % 2 ? '2026-12-31' : '2027-01-01',
      }).catch((e: Error) => e.message); // "already in that stage" refusals are fine: nothing is written
    });
    await Promise.all(writes);
    expect(await mismatches()).toEqual([]);
  });

  it('are read through the deals policy: a rep adds up only their team, and cannot write them', async () => {
    const seen = await db.rpc(marco, 'pipeline_teams', {}); // any read-only RPC to prove the session works
    expect(seen.length).toBeGreaterThan(1);
    const asRep = await db.transaction(async (tx) => {
      await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
        JSON.stringify({ sub: marco.id, crm_role: marco.role, team: marco.team }),
      ]);
      return tx.query<{ team: string; n: number }>(
        'select team, sum(deals)::int as n from public.deal_totals group by team',
      );
    });
    const truth = await db.query<{ n: number }>('select count(*)::int as n from public.deals where team = $1', [
      marco.team,
    ]);
    expect(asRep).toEqual([{ team: marco.team, n: truth[0].n }]);
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
          JSON.stringify({ sub: jordan.id, crm_role: 'admin' }),
        ]);
        await tx.query('update public.deal_totals set deals = deals + 1');
      }),
    ).rejects.toThrow(/permission denied/);
  });
});
