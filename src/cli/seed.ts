import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { openPglite } from '../db/pglite.ts';
import { openPostgres } from '../db/postgres.ts';
import { generateDemo } from '../demo/generate.ts';
import { demoAsSql, loadDemo } from '../demo/load.ts';

// npm run db:seed -- [--deals N] [--seed S] [--today YYYY-MM-DD] [--reset] [--sql supabase/seed.sql]
const { values } = parseArgs({
  options: {
    deals: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '42' },
    today: { type: 'string' },
    reset: { type: 'boolean', default: false },
    sql: { type: 'string' },
  },
});
const config = loadConfig();
const today = values.today ?? config.today ?? new Date().toISOString().slice(0, 10);
const data = generateDemo({ deals: Number(values.deals), seed: Number(values.seed), today });

if (values.sql) {
  writeFileSync(values.sql, demoAsSql(data));
  console.log(`wrote ${values.sql}`);
} else {
  const db = config.databaseUrl ? openPostgres(config.databaseUrl) : await openPglite(config.pgliteDir);
  if (values.reset)
    await db.exec(
      'drop schema if exists public cascade; drop schema if exists private cascade; drop schema if exists supabase_migrations cascade; create schema public;',
    );
  await migrate(db);
  const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from public.accounts');
  if (n > 0) {
    console.log(
      `The ${db.kind} database already holds a CRM (${n} accounts); pass --reset to replace it with the demo data.`,
    );
  } else {
    const started = Date.now();
    await loadDemo(db, data, (table, rows) => console.log(`${table.padEnd(20)} ${rows}`));
    console.log(`seeded ${db.kind} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  await db.close();
}
