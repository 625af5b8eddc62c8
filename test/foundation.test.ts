import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRepl } from '../src/channels/repl.ts';
import { createAssistant } from '../src/core/assistant.ts';
import { migrate, MIGRATIONS_DIR } from '../src/db/migrate.ts';
import type { Requester } from '../src/db/port.ts';
import { offlineParser } from '../src/nlu/offline-parser.ts';
import { localFileStore } from '../src/storage/file-store.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';

const now = () => new Date(`${TODAY}T15:00:00Z`);
/** Every setting the assistant reads (the README's table) and the test runner's database. */
const CONFIG_KEYS =
  /^(DATABASE_URL|TEST_DATABASE_URL|PGLITE_DIR|DEMO_DEALS|CRM_|OUT_DIR|SUPABASE_|OPENAI_|LLM_|SLACK_|MICROSOFT_|TEAMS_|BOT_SCOPES)/;

describe.each(TARGETS)('foundation on %s', (target) => {
  let db: TestDb;
  let alex: Requester;
  let marco: Requester;
  beforeAll(async () => {
    db = await freshDb(target, { deals: 800 });
    alex = await userNamed(db, 'Alex Morgan');
    marco = await userNamed(db, 'Marco Rossi');
  });
  afterAll(() => db?.close());
  const assistant = () => createAssistant({ db, parser: offlineParser, now });
  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0].n;

  it('applies every migration once; a second run applies none; an applied migration edited later is refused', async () => {
    expect(await migrate(db)).toEqual([]);
    const [{ n }] = await db.query<{ n: number }>(
      'select count(*)::int as n from supabase_migrations.schema_migrations',
    );
    expect(n).toBe(readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length);
    const edited = mkdtempSync(join(tmpdir(), 'crm-migrations-'));
    for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(edited, f));
    const first = readdirSync(edited).sort()[1];
    appendFileSync(join(edited, first), '\n-- edited\n');
    await expect(migrate(db, edited)).rejects.toThrow(`supabase/migrations/${first} was changed after it was applied`);
  });

  it("RLS: as a rep's database role, another team's deals are invisible", async () => {
    const visible = await db.transaction(async (tx) => {
      await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
        JSON.stringify({ sub: alex.id, role: 'authenticated', crm_role: 'rep', team: alex.team }),
      ]);
      return tx.query<{ team: string; n: number }>('select team, count(*)::int as n from public.deals group by team');
    });
    const all = await db.query<{ team: string; n: number }>(
      'select team, count(*)::int as n from public.deals group by team',
    );
    expect(all.length).toBe(4);
    expect(visible).toEqual([{ team: 'Growth West', n: all.find((r) => r.team === 'Growth West')!.n }]);
    // and the shortcut of forging a role inside the same claims does not work without the JWT's crm_role
    const asNobody = await db.transaction(async (tx) => {
      await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
        JSON.stringify({ sub: alex.id, role: 'authenticated' }),
      ]);
      return tx.query<{ n: number }>('select count(*)::int as n from public.deals');
    });
    expect(asNobody[0].n).toBe(0);
  });

  it('a deal won or lost closes today, unless its close date is set in the same change', async () => {
    const [a, b] = await db.query<{ id: string }>(
      `select id from public.deals where stage = 'proposal' and close_date > current_date + 10 order by id limit 2`,
    );
    await db.query(`update public.deals set stage = 'closed_won' where id = $1`, [a.id]);
    await db.query(`update public.deals set stage = 'closed_lost', close_date = current_date + 3 where id = $1`, [
      b.id,
    ]);
    const rows = await db.query<{ id: string; closed_today: boolean; in_three: boolean }>(
      `select id, close_date = current_date as closed_today, close_date = current_date + 3 as in_three from public.deals where id = any($1::uuid[])`,
      [[a.id, b.id]],
    );
    expect(rows.find((r) => r.id === a.id)!.closed_today).toBe(true);
    expect(rows.find((r) => r.id === b.id)!.in_three).toBe(true);
  });

  it('a write waits for confirmation: unconfirmed or cancelled, nothing is written', async () => {
    const before = await count('public.activities');
    const auditBefore = await count('public.audit_log');
    const a = assistant();
    const reply = await a.run(
      {
        type: 'activity.log',
        kind: 'call',
        contact: 'Dana Reyes',
        summary: 'talked about pricing',
        durationMinutes: 20,
      },
      { requestId: 't-unconfirmed', channel: 'repl', user: alex },
    );
    expect(reply.kind).toBe('confirm');
    expect(reply.text).toMatch(/Dana Reyes/);
    expect(await count('public.activities')).toBe(before);
    const cancelled = await a.confirm(reply.confirm!.pendingId, alex, false);
    expect(cancelled.text).toMatch(/nothing was written/i);
    expect(await a.confirm(reply.confirm!.pendingId, alex, true)).toMatchObject({ kind: 'refusal' });
    expect(await count('public.activities')).toBe(before);
    expect(await count('public.audit_log')).toBe(auditBefore);
  });

  it('the same request id twice writes one activity and one audit row', async () => {
    const a = assistant();
    const msg = {
      requestId: 'slack:Ev0001',
      channel: 'slack' as const,
      user: alex,
      text: 'log a 20 min call with Dana Reyes, discussed pricing',
    };
    const before = await count('public.activities');
    const first = await a.handle(msg);
    const second = await a.handle(msg);
    expect(first.kind).toBe('confirm');
    expect(second.confirm?.pendingId ?? first.confirm!.pendingId).toBe(first.confirm!.pendingId);
    const done = await a.confirm(first.confirm!.pendingId, alex, true);
    expect(done.kind).toBe('done');
    const again = await a.confirm(first.confirm!.pendingId, alex, true);
    expect(again.text).toMatch(/already/i);
    expect(await count('public.activities')).toBe(before + 1);
    expect(await count(`public.audit_log where request_id = $1`, [`pending:${first.confirm!.pendingId}`])).toBe(1);
    const [audit] = await db.query<{ actor_id: string; channel: string; action: string }>(
      `select actor_id, channel, action from public.audit_log where request_id = $1`,
      [`pending:${first.confirm!.pendingId}`],
    );
    expect(audit).toEqual({ actor_id: alex.id, channel: 'slack', action: 'activity.log' });
  });

  it('another user cannot confirm my pending write', async () => {
    const a = assistant();
    const reply = await a.run(
      { type: 'task.create', text: 'call Dana', dueDate: '2026-11-27' },
      { requestId: 't-other', channel: 'repl', user: alex },
    );
    const before = await count('public.tasks');
    expect((await a.confirm(reply.confirm!.pendingId, marco, true)).kind).toBe('refusal');
    expect(await count('public.tasks')).toBe(before);
  });

  it('rejects invalid action payloads with a clear message and writes nothing', async () => {
    const a = assistant();
    const before = await count('public.pending_actions');
    const bad = [
      { type: 'activity.log', kind: 'telegram', summary: 'x' },
      { type: 'activity.log', kind: 'call' },
      { type: 'deal.update', deal: 'Acme', amount: -5 },
      { type: 'pipeline.query', metric: 'total', from: '23/11/2026' },
      { type: 'drop.tables' },
      { type: 'contact.create', name: 'X', email: 'not-an-email', injected: 'field' },
    ];
    for (const action of bad) {
      const reply = await a.run(action, { requestId: `bad-${JSON.stringify(action)}`, channel: 'repl', user: alex });
      expect(reply.kind).toBe('refusal');
      expect(reply.text).toMatch(/nothing was changed/);
    }
    expect((await a.run(bad[0], { requestId: 'b', channel: 'repl', user: alex })).text).toMatch(/kind/);
    expect(await count('public.pending_actions')).toBe(before);
  });

  it('a role without the capability is refused before anything runs', async () => {
    const omar = await userNamed(db, 'Omar Haddad');
    const reply = await assistant().run(
      { type: 'pipeline.query', metric: 'total' },
      { requestId: 'r-support', channel: 'repl', user: omar },
    );
    expect(reply).toMatchObject({ kind: 'refusal' });
    expect(reply.text).toMatch(/support/);
  });

  it('the REPL answers a pipeline question and exits at end of input', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (c) => (text += c));
    input.end("what's my pipeline this quarter\n");
    await runRepl({
      assistant: assistant(),
      db,
      user: alex,
      input,
      output,
      files: localFileStore(mkdtempSync(join(tmpdir(), 'crm-out-'))),
    });
    const answer = text.split('\n').slice(1).join('\n');
    expect(answer).toMatch(/\$[\d,]+/);
  });
});

describe('npm start on a fresh machine', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'crm-start-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  /** The environment of someone who configured nothing. */
  const bare = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_KEYS.test(k)));
  const start = (cwd: string, env: NodeJS.ProcessEnv) =>
    spawnSync('sh', ['-c', `echo "what's my pipeline this quarter" | npm start`], {
      cwd,
      env,
      encoding: 'utf8',
      timeout: 180_000,
    });

  it("the README's command in a fresh git clone: seeds ./.data (which does not exist yet), answers with a figure, exits 0", () => {
    // A clone of what is committed, as a newcomer gets it. `npm install` is what .ci/run's `npm ci` already did
    // for this checkout, so the clone borrows its node_modules; nothing else is made by hand.
    const clone = join(scratch, 'clone');
    const root = spawnSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).stdout.trim();
    expect(spawnSync('git', ['clone', '--quiet', root, clone]).status).toBe(0);
    symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
    expect(existsSync(join(clone, '.data'))).toBe(false);
    const run = start(clone, bare());
    expect(run.stderr).not.toMatch(/ENOENT|Error:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/you are Alex Morgan/);
    expect(run.stdout).toMatch(/Your pipeline, Q\d \d{4}: [\d,]+ open deals? worth \$[\d,]+/);
    expect(existsSync(join(clone, '.data', 'pglite', 'PG_VERSION'))).toBe(true);
  });

  it('any PGLITE_DIR works: the folders above it are created', () => {
    const run = start(process.cwd(), {
      ...bare(),
      PGLITE_DIR: join(scratch, 'not', 'yet', 'there'),
      DEMO_DEALS: '600',
      CRM_TODAY: TODAY,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\$[\d,]+/);
  });
});
