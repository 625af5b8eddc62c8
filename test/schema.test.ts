import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR, splitStatements } from '../src/db/migrate.ts';
import { catalogOf } from './support/catalog.ts';
import { TARGETS, type TestDb } from './support/db.ts';
import { emptyDb } from './support/empty-db.ts';

const SCHEMAS_DIR = new URL('../supabase/schemas/', import.meta.url).pathname;
const sqlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

/** The server Postgres when there is one (the closest to Supabase, and quicker to start), else PGlite. */
const TARGET = TARGETS.at(-1)!;

describe(`supabase/schemas and supabase/migrations on ${TARGET}`, () => {
  let fromSchemas: TestDb;
  let fromMigrations: TestDb;
  beforeAll(async () => {
    [fromSchemas, fromMigrations] = [await emptyDb(TARGET), await emptyDb(TARGET)];
    await migrate(fromMigrations);
    // The platform's part is there already on Supabase; elsewhere the auth shim makes it.
    await fromSchemas.exec(read(MIGRATIONS_DIR, '20261101000000_auth_shim.sql'));
    for (const f of sqlFiles(SCHEMAS_DIR)) await fromSchemas.transaction((tx) => tx.exec(read(SCHEMAS_DIR, f)));
  });
  afterAll(async () => {
    await fromSchemas?.close();
    await fromMigrations?.close();
  });

  it('build exactly the same catalog: definitions, owners, privileges, policies, triggers, reference rows', async () => {
    const [schemas, migrations] = [await catalogOf(fromSchemas), await catalogOf(fromMigrations)];
    expect(Object.keys(migrations).filter((k) => k.startsWith('function ')).length).toBeGreaterThan(100);
    expect(Object.keys(migrations).filter((k) => k.startsWith('policy ')).length).toBeGreaterThan(40);
    expect(schemas).toEqual(migrations);
  });
});

describe('the layout of the schema', () => {
  it('supabase/schemas states each function once, with its definer rights in its own header', () => {
    const text = sqlFiles(SCHEMAS_DIR)
      .map((f) => read(SCHEMAS_DIR, f))
      .join('\n');
    const created = [...text.matchAll(/^create function ([\w.]+)\(/gm)].map((m) => m[1]);
    expect(created.length).toBeGreaterThan(100);
    expect(created.filter((name, i) => created.indexOf(name) !== i)).toEqual([]);
    expect(text).not.toMatch(/create or replace function|alter function [^;]* security definer|^alter policy/im);
  });

  it('supabase/migrations holds the baseline and a handful of files, none with a statement the CLI cannot run', () => {
    const files = sqlFiles(MIGRATIONS_DIR);
    expect(files).toContain('20261101000020_baseline.sql');
    expect(files.length).toBeLessThanOrEqual(12);
    const statements = files.flatMap((f) => splitStatements(read(MIGRATIONS_DIR, f)));
    const bare = statements.map((s) => s.replace(/^(--[^\n]*\n|\s)*/, '').toLowerCase());
    // Since 2.115 the CLI sends a migration as a pipelined batch, which is no transaction block.
    expect(bare.filter((s) => /^(lock|set local|begin|commit|rollback|savepoint|vacuum)\b/.test(s))).toEqual([]);
  });
});

describe(`the migration runner on ${TARGET}`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await emptyDb(TARGET);
  });
  afterAll(() => db?.close());
  /** The database, its migration history holding the given versions and nothing else. */
  async function withHistory(versions: string[]) {
    await db.exec(`drop schema if exists supabase_migrations cascade; create schema supabase_migrations;
      create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text);`);
    for (const v of versions)
      await db.query('insert into supabase_migrations.schema_migrations (version) values ($1)', [v]);
    return db;
  }

  it('refuses a database migrated before the squash, saying how to recreate it, and changes nothing', async () => {
    await withHistory(['20261101000000', '20261101000100', '20261101000200', '20261101002500']);
    await expect(migrate(db)).rejects.toThrow(
      /database was migrated before the schema's migrations were squashed .* delete its folder \(PGLITE_DIR, by default \.\/\.data\/pglite\) and npm start creates and seeds a new one; for a server database, drop it/,
    );
    expect(await db.query(`select to_regclass('public.users') as t`)).toEqual([{ t: null }]);
  });

  it('refuses a database with a migration this checkout does not hold', async () => {
    await withHistory(['20990101000000']);
    await expect(migrate(db)).rejects.toThrow(
      'This database has migrations that supabase/migrations does not hold (20990101000000)',
    );
  });

  it('splits a migration into statements exactly as supabase db push records them', () => {
    // Each input was pushed with supabase 2.111.0 and 2.114.0; the arrays are what both stored in schema_migrations.statements.
    const recordedByTheCli: [string, string[]][] = [
      ['select 1 as atomic; select 2;', ['select 1 as atomic', 'select 2']],
      [
        'create function q_atomic() returns int language sql\nbegin atomic select 1; select 2; end;\nselect 4;',
        ['create function q_atomic() returns int language sql\nbegin atomic select 1; select 2; end', 'select 4'],
      ],
      [
        'select (1\n); select 5 -- trailing\n;\n-- a last comment\n',
        ['select (1\n)', 'select 5 -- trailing', '-- a last comment'],
      ],
      [
        `select 'it''s;' as "a;b" /* c; /* nested; */ ; */; select E'\\\\'; select 6;`,
        [`select 'it''s;' as "a;b" /* c; /* nested; */ ; */`, `select E'\\\\'`, 'select 6'],
      ],
      ['select $é$ x $é$; select 3;', ['select $é$ x $é$', 'select 3']],
    ];
    for (const [sql, statements] of recordedByTheCli) expect(splitStatements(sql)).toEqual(statements);
  });
});
