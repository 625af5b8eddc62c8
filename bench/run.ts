import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import type { SqlDb } from '../src/db/port.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { seedIfEmpty } from '../src/db/open.ts';
import { benchEndToEnd, type E2eRow } from './e2e.ts';
import { benchParse, benchParseInContext } from './parse.ts';
import { scaleDeals } from './scale.ts';
import { benchSlack } from './slack-load.ts';
import { ms } from './stats.ts';

// npm run bench [-- --quick] : writes bench/REPORT.md
const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench/REPORT.md' } },
});
const quick = values.quick;
const TODAY = '2026-11-23';
const sizes = { pglite: quick ? 2_000 : 10_000, postgres: quick ? 50_000 : 1_000_000 };
const runs = quick ? 20 : 100;
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const serverUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

async function benchDatabase(deals: number): Promise<SqlDb> {
  const name = `crm_bench_${deals}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount;
  if (!exists) await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = openPostgres(url.toString());
  await migrate(db);
  await seedIfEmpty(db, 10_000, TODAY, log);
  await scaleDeals(db, deals, log);
  return db;
}

function e2eTable(rows: E2eRow[]): string {
  return [
    '| skill (message) | reply | median | p95 | confirm median | confirm p95 |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.skill} | ${r.reply} | ${ms(r.medianMs)} | ${ms(r.p95Ms)} | ${ms(r.confirmMedianMs ?? NaN)} | ${ms(r.confirmP95Ms ?? NaN)} |`,
    ),
  ].join('\n');
}

const rss = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const report: string[] = [];
const started = new Date();

log('offline parser…');
const parse = benchParse(quick ? 20 : 200);
const inContext = benchParseInContext(quick ? 20 : 200);

log(`PGlite with ${sizes.pglite} deals…`);
const lite = await openPglite();
await migrate(lite);
await seedIfEmpty(lite, sizes.pglite, TODAY);
const rssAtRest = rss();
const liteRows = await benchEndToEnd(lite, runs, TODAY);
await lite.close();

log(`server Postgres with ${sizes.postgres} deals…`);
const server = await benchDatabase(sizes.postgres);
const serverRows = await benchEndToEnd(server, runs, TODAY);

log('Slack HTTP under load…');
const slack = await benchSlack(server, { quick, today: TODAY });
await server.close();

const [{ version }] = await (async () => {
  const c = new pg.Client(serverUrl);
  await c.connect();
  const r = await c.query('show server_version');
  await c.end();
  return [{ version: r.rows[0].server_version as string }];
})();

report.push(
  `# Benchmark report`,
  '',
  `Run: \`npm run bench${quick ? ' -- --quick' : ''}\` on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s.`,
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL ${version}, PGlite (Postgres 18 in WASM). Shared and noisy: read medians and ratios, not absolutes.`,
  '',
  '## Offline parser',
  '',
  `${parse.samples} parses of ${parse.utterances} utterances (skills' examples and the dev set): median **${ms(parse.medianMs)}**, p99 **${ms(parse.p99Ms)}** (goal: p99 < 2 ms).`,
  `In a conversation (${inContext.utterances} turns of the dialogue sets, with the previous turn as context; ${inContext.samples} reads): median **${ms(inContext.medianMs)}**, p99 **${ms(inContext.p99Ms)}** (goal: p99 < 1 ms).`,
  '',
  `## Message -> reply, REPL core (no channel), PGlite, ${sizes.pglite.toLocaleString('en-US')} deals`,
  '',
  `${runs} runs per row after 3 warm-up runs; parse + resolve + query + format (+ chart where the row says so). Goal for pipeline answers: p95 < 100 ms.`,
  '',
  e2eTable(liteRows),
  '',
  `## Message -> reply, REPL core, server Postgres, ${sizes.postgres.toLocaleString('en-US')} deals`,
  '',
  `Same scenarios, pg pool of 10. Goal for pipeline answers: p95 < 150 ms.`,
  '',
  e2eTable(serverRows),
  '',
  '## Slack HTTP (Events API) under load',
  '',
  slack,
  '',
  '## Memory',
  '',
  `RSS of the benchmark process with PGlite loaded and seeded, at rest: ${rssAtRest} MiB; at the end (after the load runs): ${rss()} MiB.`,
  '',
);
writeFileSync(values.out!, report.join('\n'));
log(`wrote ${values.out}`);
