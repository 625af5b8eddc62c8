import pg from 'pg';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import type { TestDb } from './db.ts';

/** A new, empty database (not migrated): in memory on PGlite, or created on the TEST_DATABASE_URL server. Close it to drop it. */
export async function emptyDb(target: 'pglite' | 'postgres'): Promise<TestDb> {
  if (target === 'pglite') return openPglite();
  const base = process.env.TEST_DATABASE_URL!;
  const name = `crm_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(base, `create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const inner = openPostgres(url.toString(), 2);
  return {
    ...inner,
    url: url.toString(),
    close: async () => {
      await inner.close();
      await adminQuery(base, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(url: string, sql: string) {
  const admin = new pg.Client(url);
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
