import { createHmac } from 'node:crypto';
import { log } from '../src/core/log.ts';
import { startSlack } from '../src/channels/slack/app.ts';
import { loadConfig } from '../src/config.ts';
import { createAssistant } from '../src/core/assistant.ts';
import type { SqlDb } from '../src/db/port.ts';
import { offlineParser } from '../src/nlu/offline-parser.ts';
import { startSlackStandin, TEAM_ID } from '../test/support/slack-api-standin.ts';
import { median, ms, percentile } from './stats.ts';

const SECRET = 'bench-signing-secret';

/**
 * Slack in HTTP mode on the benchmark database, a local stand-in for slack.com, and signed slash
 * commands sent concurrently from this process: ack latency (HTTP 200) and answer latency (the
 * response_url call), at growing concurrency until the answers' p95 passes 1 s.
 */
export async function benchSlack(db: SqlDb, { quick, today }: { quick: boolean; today: string }): Promise<string> {
  const api = await startSlackStandin();
  const config = loadConfig({});
  config.slack = { botToken: 'xoxb-bench', signingSecret: SECRET, port: 0, apiUrl: api.apiUrl };
  const assistant = createAssistant({ db, parser: offlineParser, now: () => new Date(`${today}T15:00:00Z`) });
  const slack = await startSlack({ config, assistant, db, log: log.with({ component: 'slack' }) });
  const url = `http://127.0.0.1:${slack.port}/slack/events`;
  const [{ slack_user_id: user }] = await db.query<{ slack_user_id: string }>(
    `select slack_user_id from public.users where name = 'Alex Morgan'`,
  );
  let seq = 0;

  async function one(): Promise<{ ack: number; answer: number }> {
    const id = `load-${++seq}`;
    const body = new URLSearchParams({
      team_id: TEAM_ID,
      channel_id: 'D0BENCH',
      user_id: user,
      command: '/crm',
      text: "what's my pipeline this quarter",
      response_url: api.responseUrl(id),
      trigger_id: `trig.${id}`,
    }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const t0 = performance.now();
    const wall0 = Date.now();
    const mark = api.calls.length;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
      },
      body,
    });
    await res.text();
    const ack = performance.now() - t0;
    if (res.status !== 200) throw new Error(`slack answered ${res.status}`);
    const call = await api.waitFor(
      mark,
      (c) => c.method === 'respond' && c.body.response_url === `/respond/${id}`,
      30_000,
    );
    return { ack, answer: call.at - wall0 };
  }

  const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
  let peakRss = rssBefore;
  const levels = quick ? [1, 4, 16] : [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
  const rows: string[] = [];
  const acks: number[] = [];
  let sustained = 0;
  for (const concurrency of levels) {
    const perLevel = Math.max(quick ? 40 : 150, concurrency * 4);
    const answers: number[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < perLevel) {
          const r = await one();
          acks.push(r.ack);
          answers.push(r.answer);
          peakRss = Math.max(peakRss, Math.round(process.memoryUsage().rss / 2 ** 20));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const throughput = perLevel / seconds;
    const p95 = percentile(answers, 95);
    rows.push(`| ${concurrency} | ${perLevel} | ${throughput.toFixed(1)} | ${ms(median(answers))} | ${ms(p95)} |`);
    if (p95 <= 1000) sustained = Math.max(sustained, throughput);
    else break;
  }
  await slack.close();
  await api.close();
  return [
    `Signed \`/crm what's my pipeline this quarter\` commands from a DM (Alex Morgan), at doubling concurrency until the answers' p95 passes 1 s, against the server Postgres benchmark database; slack.com is a local stand-in, so Slack's own network time is not included.`,
    '',
    `Ack (HTTP 200) over ${acks.length} requests: median **${ms(median(acks))}**, p99 **${ms(percentile(acks, 99))}** (Slack's limit: 3 s).`,
    '',
    '| concurrent senders | messages | answers/s | answer median | answer p95 |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Sustained throughput with answer p95 ≤ 1 s: **${sustained.toFixed(1)} messages/s**. RSS: ${rssBefore} MiB before the load, ${peakRss} MiB at peak.`,
  ].join('\n');
}
