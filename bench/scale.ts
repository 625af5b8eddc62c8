import type { SqlDb } from '../src/db/port.ts';

/**
 * Grows the seeded deals to `target` rows inside the database: copies of the demo deals with
 * deterministic jitter on amount, close date and stage age (hashtext of id and copy number), so a
 * 1,000,000-deal benchmark database takes a minute to build instead of generating it in JS.
 */
export async function scaleDeals(db: SqlDb, target: number, log: (m: string) => void): Promise<void> {
  const [{ n: base }] = await db.query<{ n: number }>('select count(*)::int as n from public.deals');
  if (base >= target) return;
  const copies = Math.ceil(target / base) - 1;
  await db.transaction(async (tx) => {
    await tx.query('create temp table base_deals on commit drop as select * from public.deals');
    for (let c = 1; c <= copies; c++) {
      const remaining = target - base * c;
      await tx.query(
        `insert into public.deals (name, account_id, contact_id, owner_id, stage, amount, currency, close_date, closed_at,
                                 stage_changed_at, last_activity_at, created_at)
       select d.name, d.account_id, d.contact_id, d.owner_id, d.stage,
              greatest(500, round(d.amount * (0.5 + (abs(hashtext(d.id::text || $1)) % 1000) / 1000.0) / 500) * 500),
              d.currency, d.close_date + ((abs(hashtext($1 || d.id::text)) % 61) - 30), d.closed_at,
              d.stage_changed_at - make_interval(days => abs(hashtext(d.id::text)) % 20), d.last_activity_at, d.created_at
       from (select * from base_deals order by id limit $2) d`,
        [String(c), Math.min(base, remaining)],
      );
      if (c % 10 === 0) log(`  … ${Math.min(target, base * (c + 1))} deals`);
    }
  });
  await db.query('vacuum analyze public.deals'); // index-only scans need the visibility map
}
