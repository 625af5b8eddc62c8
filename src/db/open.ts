import type { Config } from '../config.ts';
import { generateDemo } from '../demo/generate.ts';
import { loadDemo } from '../demo/load.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import type { CrmDb, SqlDb } from './port.ts';
import { openPostgres } from './postgres.ts';

/** Opens the configured database, migrates it, and seeds the demo CRM into an empty one. */
export async function openDb(config: Config, log: (msg: string) => void = () => {}): Promise<CrmDb> {
  if (config.supabase) {
    const { openSupabase } = await import('./supabase.ts');
    return openSupabase(config.supabase);
  }
  const db: SqlDb = config.databaseUrl ? openPostgres(config.databaseUrl) : await openPglite(config.pgliteDir);
  const applied = await migrate(db);
  if (applied.length) log(`applied ${applied.length} migration(s)`);
  await seedIfEmpty(db, config.demoDeals, config.today ?? new Date().toISOString().slice(0, 10), log);
  return db;
}

export async function seedIfEmpty(db: SqlDb, deals: number, today: string, log: (msg: string) => void = () => {}) {
  const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from public.accounts');
  if (n > 0) return;
  log(`seeding a demo CRM with ${deals} deals…`);
  await loadDemo(db, generateDemo({ deals, today }));
}
