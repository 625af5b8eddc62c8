import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import type { Requester, SqlDb } from '../../src/db/port.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { generateDemo } from '../../src/demo/generate.ts';
import { loadDemo } from '../../src/demo/load.ts';

export const TODAY = '2026-11-23';
/** A timestamp column as UTC ISO text, for comparing rows with expected instants. */
export const utc = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')`;
/** The databases every data test runs on: PGlite always, the server Postgres when TEST_DATABASE_URL is set. */
export const TARGETS: ('pglite' | 'postgres')[] = [
  'pglite',
  ...(process.env.TEST_DATABASE_URL ? (['postgres'] as const) : []),
];

export type TestDb = SqlDb & { url?: string };

/** A fresh, migrated database with the demo CRM (or empty with deals: 0). Close it to drop it. */
export async function freshDb(target: 'pglite' | 'postgres', { deals = 1500, today = TODAY } = {}): Promise<TestDb> {
  let db: TestDb;
  if (target === 'pglite') db = await openPglite();
  else {
    const base = process.env.TEST_DATABASE_URL!;
    const name = `crm_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client(base);
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    const inner = openPostgres(url.toString());
    db = {
      ...inner,
      url: url.toString(),
      close: async () => {
        await inner.close();
        const a = new pg.Client(base);
        await a.connect();
        await a.query(`drop database if exists ${name} with (force)`);
        await a.end();
      },
    };
  }
  await migrate(db);
  if (deals > 0) await loadDemo(db, generateDemo({ deals, today }));
  return db;
}

/** A seeded CRM user by (first) name, as the core would see them. */
export async function userNamed(db: SqlDb, name: string): Promise<Requester> {
  const u = await db.serviceRpc('user_for_channel', { name });
  if (!u) throw new Error(`no user ${name}`);
  return u;
}

/** A user of the given role (the first seeded one), optionally in a team. */
export async function userWithRole(db: SqlDb, role: string, team?: string): Promise<Requester> {
  const [row] = await db.query<{ id: string }>(
    `select id from public.users where role = $1 and ($2::text is null or team = $2) order by name limit 1`,
    [role, team ?? null],
  );
  return (await db.serviceRpc('user_for_channel', { id: row.id }))!;
}
