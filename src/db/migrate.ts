import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDb } from './port.ts';

export const MIGRATIONS_DIR = new URL('../../supabase/migrations/', import.meta.url).pathname;

/**
 * Applies supabase/migrations in order, each in its own transaction, recording them (with their
 * text) in the same table the Supabase CLI uses, so a database migrated here and one pushed with the
 * CLI agree. A migration edited after it was applied is refused: it would never run again here, and
 * the databases would silently differ.
 */
export async function migrate(db: SqlDb, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (
      version text primary key, statements text[], name text);`);
  const done = new Map(
    (await db.query<{ version: string; statements: string[] | null }>('select version, statements from supabase_migrations.schema_migrations'))
      .map((r) => [r.version, r.statements?.join('\n') ?? null]),
  );
  const applied: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const [version, ...rest] = file.replace(/\.sql$/, '').split('_');
    const sql = readFileSync(join(dir, file), 'utf8');
    if (done.has(version)) {
      const recorded = done.get(version);
      if (recorded != null && recorded !== sql) {
        throw new Error(`supabase/migrations/${file} was changed after it was applied to this database; add a new migration instead.`);
      }
      continue;
    }
    await db.transaction(async (tx) => {
      await tx.exec(sql);
      await tx.query('insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)', [
        version, rest.join('_'), [sql],
      ]);
    });
    applied.push(file);
  }
  return applied;
}
