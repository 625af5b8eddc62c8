import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR, splitStatements } from '../src/db/migrate.ts';
import { catalogOf } from './support/catalog.ts';
import { freshDb, TODAY, type TestDb } from './support/db.ts';
import { emptyDb } from './support/empty-db.ts';

/**
 * The real Supabase CLI, the version pinned in package.json, against fresh databases on the local
 * server: what `supabase db push` builds, the project accepts and seeds and starts on; what the
 * project migrates, the CLI finds up to date.
 */
const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'node_modules', '.bin', 'supabase');
const PINNED = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).devDependencies.supabase as string;
const FILES = readdirSync(MIGRATIONS_DIR)
  .filter((f) => /^\d+_.*\.sql$/.test(f))
  .sort();
/** Every setting the assistant reads: the child processes below get none but the database. */
const CONFIG_KEYS =
  /^(DATABASE_URL|TEST_DATABASE_URL|PGLITE_DIR|DEMO_DEALS|CRM_|OUT_DIR|SUPABASE_|OPENAI_|LLM_|SLACK_|MICROSOFT_|TEAMS_|BOT_SCOPES)/;
const bareEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_KEYS.test(k)));
const run = (cmd: string, args: string[], opts: SpawnSyncOptions = {}) =>
  spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 180_000, env: bareEnv(), ...opts }) as {
    status: number | null;
    stdout: string;
    stderr: string;
  };
const supabase = (...args: string[]) => run(CLI, args);
/** The CLI wants TLS unless told otherwise; the local server has none. */
const cliUrl = (db: TestDb) => `${db.url}?sslmode=disable`;

const SKIPPED = 'skipped: set TEST_DATABASE_URL to a server Postgres to run the real CLI against it';
if (!process.env.TEST_DATABASE_URL) console.warn(`test/supabase-cli.test.ts: ${SKIPPED}`);

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  `the Supabase CLI and the project agree${process.env.TEST_DATABASE_URL ? '' : ` (${SKIPPED})`}`,
  () => {
    const opened: TestDb[] = [];
    afterAll(() => Promise.all(opened.map((db) => db.close())));

    it(`the CLI in node_modules is the pinned supabase ${PINNED}`, () => {
      const version = supabase('--version');
      expect(version.status).toBe(0);
      expect(version.stdout.trim()).toBe(PINNED);
    });

    it('a database migrated by supabase db push is accepted: the runner, npm run db:seed and npm start', async () => {
      const pushed = await emptyDb('postgres');
      opened.push(pushed);
      const push = supabase('db', 'push', '--db-url', cliUrl(pushed), '--yes');
      expect(push.status, push.stdout + push.stderr).toBe(0);
      for (const f of FILES) expect(push.stdout + push.stderr).toContain(`Applying migration ${f}`);

      // The CLI's record of each migration is the runner's, statement for statement.
      const recorded = await pushed.query<{ version: string; name: string; statements: string[] }>(
        'select version, name, statements from supabase_migrations.schema_migrations order by version',
      );
      expect(recorded).toEqual(
        FILES.map((f) => ({
          version: f.split('_')[0],
          name: f.replace(/^\d+_|\.sql$/g, ''),
          statements: splitStatements(readFileSync(join(MIGRATIONS_DIR, f), 'utf8')),
        })),
      );
      expect(await migrate(pushed)).toEqual([]);
      // …and what it built is what the runner builds.
      const migrated = await freshDb('postgres', { deals: 0 });
      opened.push(migrated);
      expect(await catalogOf(pushed)).toEqual(await catalogOf(migrated));

      const seed = run('npm', ['run', 'db:seed', '--', '--deals', '300', '--today', TODAY], {
        env: { ...bareEnv(), DATABASE_URL: pushed.url },
      });
      expect(seed.status, seed.stdout + seed.stderr).toBe(0);
      expect(seed.stdout).toMatch(/seeded postgres/);
      const start = run('sh', ['-c', `echo "what's my pipeline this quarter" | npm start`], {
        env: { ...bareEnv(), DATABASE_URL: pushed.url, CRM_TODAY: TODAY },
      });
      expect(start.status, start.stderr).toBe(0);
      expect(start.stdout).toMatch(/Your pipeline, Q\d \d{4}: [\d,]+ open deals? worth \$[\d,]+/);
    });

    it('a database migrated by the project is up to date for supabase migration list and supabase db push --dry-run', async () => {
      const migrated = await freshDb('postgres', { deals: 0 });
      opened.push(migrated);
      const list = supabase('migration', 'list', '--db-url', cliUrl(migrated), '--output-format', 'json');
      expect(list.status, list.stderr).toBe(0);
      const versions = FILES.map((f) => f.split('_')[0]);
      expect(
        (JSON.parse(list.stdout) as { migrations: { local: string; remote: string }[] }).migrations.map(
          ({ local, remote }) => ({ local, remote }),
        ),
      ).toEqual(versions.map((v) => ({ local: v, remote: v })));
      const push = supabase('db', 'push', '--dry-run', '--db-url', cliUrl(migrated));
      expect(push.status, push.stderr).toBe(0);
      expect(push.stdout + push.stderr).toMatch(/Remote database is up to date/);
    });
  },
);
