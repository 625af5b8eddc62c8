import { z } from 'zod';
import { isoDate } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { share } from '../../src/format/labels.ts';
import { parseCaseMetrics, caseMetricsRules } from './parse.ts';
import { formatSpan } from './show.ts';

const CaseMetrics = z.strictObject({
  type: z.literal('case.metrics'),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

interface Metrics {
  from: string;
  to: string;
  open: Record<string, number>;
  created: number;
  response_met: number;
  response_decided: number;
  resolution_met: number;
  resolution_decided: number;
  median_first_response_minutes: number | null;
  mean_first_response_minutes: number | null;
  median_resolution_minutes: number | null;
  mean_resolution_minutes: number | null;
  /** Open cases now, by how long ago they were opened. */
  backlog: { under_1_day: number; '1_to_3_days': number; '3_to_7_days': number; over_7_days: number };
}

/** "41.3 min", "4537.9 min (3 d 4 h)": the database's figure, and a readable one when it is long. */
const minutes = (m: number | null) =>
  m === null ? 'n/a' : m >= 120 ? `${m} min (${formatSpan(m * 60_000)})` : `${m} min`;

function formatMetrics(m: Metrics): Reply {
  const severities = ['urgent', 'high', 'medium', 'low'];
  const openTotal = severities.reduce((n, s) => n + (m.open[s] ?? 0), 0);
  const median = m.median_first_response_minutes;
  const lines = [
    `Support cases: ${openTotal} open now.`,
    `Opened ${m.from} to ${m.to}: ${m.created}.`,
    `SLA attainment — first response: ${share(m.response_met, m.response_decided)}; resolution: ${share(m.resolution_met, m.resolution_decided)}.`,
    `Median first-response time: ${median === null ? 'n/a (no responses yet)' : `${median} min`}.`,
    `Mean first-response time: ${minutes(m.mean_first_response_minutes)}; time to resolution: mean ${minutes(m.mean_resolution_minutes)}, median ${minutes(m.median_resolution_minutes)}.`,
    `Open backlog by age: under 1 day ${m.backlog.under_1_day}, 1–3 days ${m.backlog['1_to_3_days']}, 3–7 days ${m.backlog['3_to_7_days']}, over 7 days ${m.backlog.over_7_days}.`,
  ];
  return {
    kind: 'answer',
    text: lines.join('\n'),
    table: { columns: ['severity', 'open'], rows: severities.map((s) => [s, m.open[s] ?? 0]) },
  };
}

const DAY = 86_400_000;

/** case.metrics: SLA attainment, response and resolution times over a period (the last 30 days by default), the backlog by age. */
export const caseMetrics = defineAction({
  schema: CaseMetrics,
  canonical: false,
  roles: ['manager', 'support', 'admin'],
  scope: 'escalations',
  refusal: 'see support metrics',
  writes: false,
  nlu: { rules: caseMetricsRules, extract: parseCaseMetrics },
  async prepare(action, ctx) {
    const to = action.to ?? ctx.today;
    const from = action.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY).toISOString().slice(0, 10);
    return { payload: { from, to } };
  },
  format: formatMetrics,
});
