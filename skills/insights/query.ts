import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Prepared, Reply, ReplyFile, Table } from '../../src/core/types.ts';
import { boundLabel, formatMoney, percent, plural } from '../../src/format/labels.ts';
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
type Metric = (typeof INSIGHT_METRICS)[number];

/** A churn-risk signal as the SQL reports it (supabase/schemas/13_insights.sql). */
interface Signal {
  signal: string;
  points: number;
  count?: number;
  days?: number;
  before?: number;
  now?: number;
}
/** One account's figures (private.insight_accounts). */
export interface AccountInsight {
  account_id: string;
  name: string;
  owner: string | null;
  tier: string;
  historic_value: number;
  first_win: string | null;
  last_win: string | null;
  wins_3y: number;
  won_3y: number;
  customer_years: number | null;
  avg_annual: number;
  churn_rate: number | null;
  renewals_due: number;
  renewals_churned: number;
  lifetime: number;
  clv: number;
  risk: number;
  signals: Signal[];
  grade: string;
  r: number | null;
  f: number | null;
  m: number | null;
  segment: string;
}
interface Group {
  key: string;
  accounts: number;
  historic_value: number;
  equity: number;
  avg_risk: number;
  at_risk: number;
  grades: Record<string, number>;
  segments: Record<string, number>;
}
export interface InsightResult {
  metric: Metric;
  group_by: (typeof INSIGHT_GROUPS)[number] | null;
  as_of: string;
  margin: number;
  discount_rate: number;
  viewer: { role: string | null; team: string | null };
  summary: {
    accounts: number;
    customers: number;
    historic_value: number;
    equity: number;
    avg_risk: number;
    at_risk: number;
  };
  grades: Record<string, number>;
  account: AccountInsight | null;
  rows: AccountInsight[] | null;
  groups: Group[] | null;
}

/** CRM_MARGIN (default 1) and CRM_DISCOUNT_RATE (default 10%; "0.1", "10" and "10%" all mean 10%). */
export function insightSettings(env: NodeJS.ProcessEnv = process.env): { margin: number; discount_rate: number } {
  const margin = Number(env.CRM_MARGIN ?? 1);
  const raw = Number(String(env.CRM_DISCOUNT_RATE ?? '0.1').replace('%', ''));
  const rate = raw > 1 ? raw / 100 : raw;
  return { margin: Number.isFinite(margin) ? margin : 1, discount_rate: Number.isFinite(rate) ? rate : 0.1 };
}

export const GRADES = ['A', 'B', 'C', 'D', 'F'] as const;
/** RFM groups in the order answers list them. */
export const SEGMENTS: Record<string, string> = {
  champion: 'Champions',
  loyal: 'Loyal',
  new: 'New customers',
  'needs attention': 'Needs attention',
  'at risk': 'At risk',
  hibernating: 'Hibernating',
  prospect: 'Prospects (no win yet)',
};
const AT_RISK = 60;

/** insight.query: lifetime value, churn risk, health, segments and customer equity of accounts. */
export const insightQuery = defineAction({
  schema: InsightQuery,
  canonical: true,
  roles: ['rep', 'manager', 'admin'],
  scope: 'pipeline',
  refusal: 'ask about account insights',
  writes: false,
  nlu: { rules: insightQueryRules, extract: parseInsightQuery },
  prepare: async (q, ctx): Promise<Prepared> => {
    const payload: Record<string, unknown> = {
      metric: q.metric,
      group_by: q.groupBy,
      limit: q.limit ?? (q.metric === 'health' ? 5 : 10),
      today: ctx.today,
      now: ctx.now().toISOString(),
      ...insightSettings(),
    };
    if (q.account) {
      const found = await resolveEntity(ctx, 'account', q.account);
      if ('question' in found) return { question: found.question };
      Object.assign(payload, { account_id: found.entity.id, account_name: found.entity.name });
    }
    return { payload: Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined)) };
  },
  format: async (r: InsightResult, ctx) => {
    const reply: Reply = { kind: 'answer', text: '', sensitive: true };
    const lines = r.account ? accountLines(r, r.account) : r.groups ? groupLines(r) : listLines(r);
    reply.text = lines.join('\n');
    const table = r.account ? undefined : r.groups ? groupTable(r) : listTable(r);
    if (table?.rows.length) reply.table = table;
    if (ctx.charts && !r.account) {
      const chart = await chartOf(r);
      if (chart) reply.files = [chart];
    }
    return reply;
  },
});

// --- the words ----------------------------------------------------------------------------------

function scopeLabel(r: InsightResult): string {
  if (r.viewer.role === 'rep') return 'your accounts';
  if (r.viewer.role === 'manager') return `your team's accounts${r.viewer.team ? ` (${r.viewer.team})` : ''}`;
  return 'all accounts';
}
const asOf = (r: InsightResult) => `as of ${boundLabel(r.as_of)}`;

/** A signal in words: "no activity for 120 days". */
export function reason(s: Signal): string {
  const n = s.count ?? 0;
  switch (s.signal) {
    case 'lost_renewal':
      return `lost ${plural(n, 'renewal')} in the last 2 years`;
    case 'slipped_renewal':
      return `${plural(n, 'renewal')} past the close date and not won`;
    case 'no_activity':
      return 'no activity recorded';
    case 'idle':
      return `no activity for ${s.days} days`;
    case 'high_cases':
      return `${plural(n, 'open high/urgent case')}`;
    case 'sla_breaches':
      return `${plural(n, 'open case')} past the SLA`;
    case 'no_recent_wins':
      return `no wins in the last 12 months (${formatMoney(s.before ?? 0)} the year before)`;
    case 'falling_revenue':
      return `won revenue fell from ${formatMoney(s.before ?? 0)} to ${formatMoney(s.now ?? 0)} a year`;
    default:
      return s.signal;
  }
}
const reasons = (a: AccountInsight, n = 3) =>
  a.signals.length
    ? a.signals
        .slice(0, n)
        .map((s) => `${reason(s)} (+${s.points})`)
        .join('; ')
    : 'no risk signals';

/** How the lifetime was found: "enterprise churn 25% (2 of 8 renewals due in 2 years not won)". */
function lifetimeWhy(a: AccountInsight): string {
  if (!a.renewals_due) return 'no renewal was due in 2 years, so the 1-year floor';
  const rate = a.churn_rate ?? 0;
  const seen = `${a.renewals_churned} of ${a.renewals_due} renewals due in the last 2 years lost or not renewed`;
  if (rate === 0) return `${a.tier} churn 0% (${seen}), so the 10-year cap`;
  return `${a.tier} churn ${percent(rate)} (${seen}); 1 ÷ ${percent(rate)}, bounded to 1–10 years`;
}

function clvHow(r: InsightResult, a: AccountInsight): string {
  if (!a.customer_years) return 'How: it has no closed-won deal yet, so there is no revenue to project.';
  const years = plural(a.customer_years, 'customer year');
  const factor = r.discount_rate ? `(1 − ${1 + r.discount_rate}^−${a.lifetime}) ÷ ${r.discount_rate}` : `${a.lifetime}`;
  return (
    `How: ${formatMoney(a.avg_annual)} a year (won in the last ${years} ÷ ${a.customer_years}) × margin ${percent(r.margin)} × ` +
    `${factor} (a ${a.lifetime}-year lifetime discounted at ${percent(r.discount_rate)}); lifetime from ${lifetimeWhy(a)}.`
  );
}

function rfmWhy(r: InsightResult, a: AccountInsight): string {
  if (!a.last_win) return `${a.name} has no closed-won deal yet, so it is a prospect.`;
  const days = Math.round((Date.parse(r.as_of) - Date.parse(a.last_win)) / 86_400_000);
  return (
    `${a.name} is in ${SEGMENTS[a.segment] ?? a.segment} (recency ${a.r}, frequency ${a.f}, value ${a.m} of 3): ` +
    `last win ${days} days ago, ${plural(a.wins_3y, 'win')} worth ${formatMoney(a.won_3y)} in the last 3 years.`
  );
}

function accountLines(r: InsightResult, a: AccountInsight): string[] {
  const risk = `churn risk ${a.risk} of 100 (health ${a.grade}): ${reasons(a, 6)}.`;
  const value = `predicted lifetime value ${formatMoney(a.clv)}; historic value ${formatMoney(a.historic_value)} (closed-won to date).`;
  switch (r.metric) {
    case 'churn_risk':
    case 'health':
      return [`${a.name}, ${asOf(r)}: ${risk}`, `It is worth ${value}`, RISK_HOW];
    case 'segments':
      return [`${rfmWhy(r, a)} (${asOf(r)})`, `Its ${value}`, SEGMENT_HOW];
    default:
      return [`${a.name}, ${asOf(r)}: ${value}`, clvHow(r, a), `Its ${risk}`];
  }
}

const RISK_HOW =
  'How: churn risk adds the points of each signal (lost renewal 30, slipped renewal 20, no activity 25 or idle 10/20, ' +
  'open high/urgent cases and SLA breaches 10 each up to 20, falling or no won revenue 15/25), at most 100; ' +
  'grade A below 20, B below 40, C below 60, D below 80, F from 80.';
const SEGMENT_HOW =
  'How: RFM scores 1–3 for recency of the last win (≤90 days 3, ≤1 year 2), frequency of wins in 3 years (3+, 2, 1) ' +
  'and their value ($250k+, $50k+, less); champions are recent, frequent and valuable, at risk were frequent or big and ' +
  'have not won in a year.';
const CLV_HOW =
  'How: predicted CLV = average annual won revenue (last up-to-3 customer years) × margin × a lifetime annuity ' +
  '(1 − (1 + d)^−L) ÷ d, L = 1 ÷ the tier’s renewal churn rate (2 years), 1–10 years. Ask "how is that computed?" for all the definitions.';

function listLines(r: InsightResult): string[] {
  const s = r.summary;
  const of = `${scopeLabel(r)}, ${asOf(r)}`;
  if (!s.accounts) return [`There are no accounts in ${of}.`];
  switch (r.metric) {
    case 'churn_risk':
      return [
        `${plural(s.at_risk, 'account')} of ${s.accounts} at high churn risk (${AT_RISK}+) in ${of}; average risk ${s.avg_risk}.`,
        RISK_HOW,
      ];
    case 'health':
      return [
        `Health of ${of}: ${GRADES.map((g) => `${g} ${r.grades[g] ?? 0}`).join(' · ')} (${plural(s.accounts, 'account')}, average risk ${s.avg_risk}).`,
        RISK_HOW,
        'The weakest:',
      ];
    default:
      return [
        `Top accounts by predicted lifetime value in ${of}: customer equity ${formatMoney(s.equity)} over ${plural(s.accounts, 'account')} ` +
          `(historic value ${formatMoney(s.historic_value)}). Margin ${percent(r.margin)}, discount rate ${percent(r.discount_rate)}.`,
        CLV_HOW,
      ];
  }
}

const GROUP_TITLE = {
  segment: 'Segment',
  tier: 'Tier',
  industry: 'Industry',
  region: 'Region',
  owner: 'Owner',
} as const;
const groupLabel = (r: InsightResult, key: string) => (r.group_by === 'segment' ? (SEGMENTS[key] ?? key) : key);
/** Segments in their own order, other groups by equity (the SQL's order). */
const ordered = (r: InsightResult) =>
  r.group_by === 'segment'
    ? [...(r.groups ?? [])].sort((a, b) => Object.keys(SEGMENTS).indexOf(a.key) - Object.keys(SEGMENTS).indexOf(b.key))
    : (r.groups ?? []);

function groupLines(r: InsightResult): string[] {
  const s = r.summary;
  const by = GROUP_TITLE[r.group_by!].toLowerCase();
  const of = `${scopeLabel(r)}, ${asOf(r)}`;
  if (!s.accounts) return [`There are no accounts in ${of}.`];
  switch (r.metric) {
    case 'equity':
      return [`Customer equity of ${of}: ${formatMoney(s.equity)} (the sum of predicted CLV), by ${by}.`, CLV_HOW];
    case 'segments':
      return [
        `${plural(s.accounts, 'account')} in ${of}, by ${r.group_by === 'segment' ? 'RFM segment' : `${by} and RFM segment`}.`,
        SEGMENT_HOW,
      ];
    case 'churn_risk':
    case 'health':
      return [`Health and churn risk of ${of}, by ${by}.`, RISK_HOW];
    default:
      return [`Predicted lifetime value of ${of}, by ${by}: ${formatMoney(s.equity)} in all.`, CLV_HOW];
  }
}

function listTable(r: InsightResult): Table {
  const rows = r.rows ?? [];
  const owner = r.viewer.role !== 'rep';
  if (r.metric === 'churn_risk' || r.metric === 'health')
    return {
      columns: ['Account', ...(owner ? ['Owner'] : []), 'Risk', 'Health', 'Top reasons', 'Predicted CLV'],
      rows: rows.map((a) => [
        a.name,
        ...(owner ? [a.owner ?? ''] : []),
        a.risk,
        a.grade,
        reasons(a, 2),
        formatMoney(a.clv),
      ]),
    };
  return {
    columns: [
      'Account',
      ...(owner ? ['Owner'] : []),
      'Historic value',
      'Per year',
      'Lifetime (years)',
      'Predicted CLV',
    ],
    rows: rows.map((a) => [
      a.name,
      ...(owner ? [a.owner ?? ''] : []),
      formatMoney(a.historic_value),
      formatMoney(a.avg_annual),
      a.lifetime,
      formatMoney(a.clv),
    ]),
    more: Math.max(0, r.summary.accounts - rows.length) || undefined,
  };
}

function groupTable(r: InsightResult): Table {
  const groups = ordered(r);
  const head = GROUP_TITLE[r.group_by!];
  if (r.metric === 'segments' && r.group_by !== 'segment') {
    const present = Object.keys(SEGMENTS).filter((k) => groups.some((g) => g.segments[k]));
    return {
      columns: [head, ...present.map((k) => SEGMENTS[k]), 'Accounts'],
      rows: groups.map((g) => [g.key, ...present.map((k) => g.segments[k] ?? 0), g.accounts]),
    };
  }
  if (r.metric === 'churn_risk' || r.metric === 'health')
    return {
      columns: [head, 'Accounts', 'Average risk', `Risk ${AT_RISK}+`, ...GRADES],
      rows: groups.map((g) => [
        groupLabel(r, g.key),
        g.accounts,
        g.avg_risk,
        g.at_risk,
        ...GRADES.map((x) => g.grades[x] ?? 0),
      ]),
    };
  const total = r.summary.equity || 1;
  return {
    columns: [head, 'Accounts', 'Historic value', 'Customer equity', 'Share'],
    rows: groups.map((g) => [
      groupLabel(r, g.key),
      g.accounts,
      formatMoney(g.historic_value),
      formatMoney(g.equity),
      percent(g.equity / total),
    ]),
  };
}

/** A CLV bar chart of the top accounts, or the equity (or average risk) of each group. */
async function chartOf(r: InsightResult): Promise<ReplyFile | undefined> {
  const risk = r.metric === 'churn_risk' || r.metric === 'health';
  const items = r.groups
    ? ordered(r).map((g) => ({ label: groupLabel(r, g.key), value: risk ? g.avg_risk : g.equity }))
    : (r.rows ?? []).map((a) => ({ label: a.name, value: risk ? a.risk : a.clv }));
  if (!items.length || (r.metric === 'segments' && r.group_by !== 'segment')) return undefined;
  const [{ barChartSpec }, { renderPng }] = await Promise.all([
    import('../../src/charts/bar-chart.ts'),
    import('../../src/charts/render.ts'),
  ]);
  const by = r.group_by ? ` by ${GROUP_TITLE[r.group_by].toLowerCase()}` : '';
  const title = risk
    ? `${r.groups ? 'Average churn risk' : 'Churn risk'}${by}`
    : `${r.groups ? 'Customer equity' : 'Predicted CLV'}${by}`;
  const spec = barChartSpec({
    title,
    subtitle: `${scopeLabel(r)}, ${asOf(r)}`,
    categories: items.map((i) => i.label),
    categoryTitle: r.group_by ? GROUP_TITLE[r.group_by] : 'Account',
    valueTitle: risk ? 'Risk (0–100)' : 'Amount (USD)',
    format: risk ? 'count' : 'currency',
    series: [{ name: risk ? 'Risk' : 'Predicted CLV', values: items.map((i) => i.value) }],
  });
  return {
    name: `${r.metric.replace('_', '-')}${by.replace(/ /g, '-')}.png`,
    mime: 'image/png',
    data: await renderPng(spec),
  };
}
