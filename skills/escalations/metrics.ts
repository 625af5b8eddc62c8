import { z } from 'zod';
import { isoDate } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { share } from '../../src/format/labels.ts';
import { parseCaseMetrics, caseMetricsRules } from './parse.ts';

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
}

function formatMetrics(m: Metrics): Reply {
  const severities = ['urgent', 'high', 'medium', 'low'];
  const openTotal = severities.reduce((n, s) => n + (m.open[s] ?? 0), 0);
  const median = m.median_first_response_minutes;
  const lines = [
    `Support cases: ${openTotal} open now.`,
    `Opened ${m.from} to ${m.to}: ${m.created}.`,
    `SLA attainment — first response: ${share(m.response_met, m.response_decided)}; resolution: ${share(m.resolution_met, m.resolution_decided)}.`,
    `Median first-response time: ${median === null ? 'n/a (no responses yet)' : `${median} min`}.`,
  ];
  return {
    kind: 'answer',
    text: lines.join('\n'),
    table: { columns: ['severity', 'open'], rows: severities.map((s) => [s, m.open[s] ?? 0]) },
  };
}

const DAY = 86_400_000;

/** case.metrics: SLA attainment and response times over a period (the last 30 days by default). */
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
