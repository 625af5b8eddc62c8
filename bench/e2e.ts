import { createAssistant } from '../src/core/assistant.ts';
import type { Requester, SqlDb } from '../src/db/port.ts';
import { offlineParser } from '../src/nlu/offline-parser.ts';
import { SCENARIOS } from './scenarios.ts';
import { median, percentile } from './stats.ts';

export interface E2eRow {
  skill: string;
  reply: string;
  medianMs: number;
  p95Ms: number;
  confirmMedianMs?: number;
  confirmP95Ms?: number;
}

/** Message -> reply through the REPL core (no channel), per skill, `runs` times each. */
export async function benchEndToEnd(db: SqlDb, runs: number, today: string): Promise<E2eRow[]> {
  const now = () => new Date(`${today}T15:00:00Z`);
  const withCharts = createAssistant({ db, parser: offlineParser, now });
  const textOnly = createAssistant({ db, parser: offlineParser, now, charts: false });
  const users = new Map<string, Requester>();
  const rows: E2eRow[] = [];
  let id = 0;
  const cases = SCENARIOS.flatMap((s) =>
    s.chart
      ? [
          { ...s, skill: `${s.skill}, no chart`, assistant: textOnly },
          { ...s, skill: `${s.skill}, with chart`, assistant: withCharts },
        ]
      : [{ ...s, assistant: textOnly }],
  );
  for (const { assistant, ...s } of cases) {
    if (!users.has(s.user)) users.set(s.user, (await db.serviceRpc('user_for_channel', { name: s.user }))!);
    const user = users.get(s.user)!;
    const ask: number[] = [];
    const confirm: number[] = [];
    let kind = '';
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const reply = await assistant.handle({
        requestId: `bench-${process.pid}-${Date.now()}-${++id}`,
        channel: 'repl',
        user,
        text: s.text,
      });
      const t1 = performance.now();
      kind = reply.kind;
      if (reply.confirm) {
        if (s.confirm) {
          const done = await assistant.confirm(reply.confirm.pendingId, user, true);
          if (i >= 3) confirm.push(performance.now() - t1);
          kind = `${reply.kind} → ${done.kind}`;
        } else await assistant.confirm(reply.confirm.pendingId, user, false);
      }
      if (i >= 3) ask.push(t1 - t0); // the first runs warm caches and plans
    }
    rows.push({
      skill: s.skill,
      reply: kind,
      medianMs: median(ask),
      p95Ms: percentile(ask, 95),
      ...(confirm.length ? { confirmMedianMs: median(confirm), confirmP95Ms: percentile(confirm, 95) } : {}),
    });
  }
  return rows;
}
