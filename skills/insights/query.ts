import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { insightQueryRules, parseInsightQuery } from './parse.ts';

export const INSIGHT_METRICS = ['clv', 'churn_risk', 'health', 'segments', 'equity'] as const;
export const INSIGHT_GROUPS = ['segment', 'industry', 'tier', 'region', 'owner'] as const;

const InsightQuery = z.strictObject({
  type: z.literal('insight.query'),
  metric: z.enum(INSIGHT_METRICS),
  account: text(200).optional(),
  groupBy: z.enum(INSIGHT_GROUPS).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});

/** insight.query: lifetime value, churn risk, health, segments and customer equity of accounts. */
export const insightQuery = defineAction({
  schema: InsightQuery,
  canonical: true,
  roles: ['rep', 'manager', 'admin'],
  scope: 'pipeline',
  refusal: 'ask about account insights',
  writes: false,
  local: true, // answered "not yet" by prepare until its database function lands
  nlu: { rules: insightQueryRules, extract: parseInsightQuery },
  prepare: async () => ({ answer: "I can't compute lifetime value, churn risk, health or segments yet." }),
  format: () => ({ kind: 'answer', text: '' }),
});
