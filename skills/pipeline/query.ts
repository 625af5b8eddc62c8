import { z } from 'zod';
import { amount, FORECAST_CATEGORIES, isoDate, STAGES, text } from '../../src/actions/fields.ts';
import { resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Prepared, Reply, ReplyFile, SkillContext, Table } from '../../src/core/types.ts';
import { CrmError } from '../../src/db/port.ts';
import {
  formatMoney,
  humanize,
  listOr,
  monthLabel,
  percent,
  periodName,
  plural,
  boundLabel,
} from '../../src/format/labels.ts';
import { parsePipeline, pipelineQueryRules } from './parse.ts';

export const METRICS = [
  'list',
  'total',
  'count',
  'forecast',
  'win_rate',
  'stuck',
  'top',
  'avg_size',
  'cycle_time',
  'conversion',
  'attainment',
  'coverage',
  'changes',
  'slipped',
] as const;
export const GROUP_BY = ['owner', 'stage', 'region', 'month', 'team', 'account', 'category'] as const;
/** What `from`/`to` filter: close dates (the default), creation dates, or the dates deals moved to their stage. */
export const DATE_BASIS = ['close', 'created', 'stage_change'] as const;
export const COMPARE = ['previous_period', 'previous_year'] as const;
/** What the SQL answers today (see notYet). */
type Answered = 'list' | 'total' | 'count' | 'forecast' | 'win_rate' | 'stuck' | 'top';
type Grouping = 'owner' | 'stage' | 'region' | 'month';

const Query = z.strictObject({
  type: z.literal('pipeline.query'),
  metric: z.enum(METRICS),
  owner: text(200).optional(),
  team: text(200).optional(),
  stage: z.enum(STAGES).optional(),
  region: text(100).optional(),
  account: text(200).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  minAmount: amount.optional(),
  maxAmount: amount.optional(),
  groupBy: z.enum(GROUP_BY).optional(),
  dateBasis: z.enum(DATE_BASIS).optional(),
  category: z.enum(FORECAST_CATEGORIES).optional(),
  compare: z.enum(COMPARE).optional(),
  staleDays: z.number().int().min(1).max(3650).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});
type Query = z.infer<typeof Query>;

interface DealRow {
  name: string;
  owner: string | null;
  stage: string;
  amount: number;
  close_date: string;
  idle_days: number;
}
interface GroupRow {
  key: string;
  label: string | null;
  count: number;
  total: number;
  weighted: number;
  won: number;
  lost: number;
  won_amount: number;
}
interface Summary {
  count: number;
  total: number;
  weighted: number;
  won: number;
  lost: number;
  won_amount: number;
}
/** Whose deals a question is about, as prepare decided it. */
interface Scope {
  scope: 'me' | 'owner' | 'my_team' | 'team' | 'company' | 'account';
  owner_id?: string;
  owner_name?: string;
  team?: string;
  company?: boolean;
}

/** The payload prepare sent, echoed back by the SQL function. */
interface Sent {
  metric: Answered;
  scope: Scope['scope'];
  team?: string;
  owner_name?: string;
  account_name?: string;
  company?: boolean;
  stage?: string;
  from?: string;
  to?: string;
  min_amount?: number;
  max_amount?: number;
}
interface Result {
  metric: Answered;
  group_by: Grouping | null;
  region: string | null;
  stale_days: number;
  limit: number;
  owner_team: string | null;
  viewer: { role: string | null; team: string | null };
  summary: Summary;
  rows?: DealRow[];
  groups?: GroupRow[];
  query: Sent;
}

const ME = /^(me|my|mine|myself|i)$/i;
const MY_TEAM = /^(mine|my|my team|our team|ours|us|we)$/i;
const COMPANY =
  /^(all|all teams|every team|everyone|everybody|company|the company|whole company|company-wide|org|organi[sz]ation|the whole company)$/i;
/** Roles whose deals policy is limited to their own team. */
const TEAM_LIMITED = new Set(['rep', 'manager']);

/**
 * Parts of the contract the pipeline cannot answer yet: said plainly, instead of answering another question.
 * (The manager's pipeline review adds quotas, forecast categories and the pipeline's history.)
 */
function notYet(q: Query): string | undefined {
  const can =
    'I can answer lists, totals, counts, the weighted forecast, win rates, stuck and top deals, by close date.';
  if (q.metric === 'attainment' || q.metric === 'coverage')
    return `There are no quotas in the CRM yet, so I can't work out ${q.metric === 'attainment' ? 'quota attainment' : 'pipeline coverage'}. ${can}`;
  if (q.category || q.groupBy === 'category')
    return `Deals have no forecast categories (commit, best case) yet. ${can}`;
  if (['avg_size', 'cycle_time', 'conversion', 'changes', 'slipped'].includes(q.metric)) {
    const what = {
      avg_size: 'average deal sizes',
      cycle_time: 'sales-cycle lengths',
      conversion: 'stage-to-stage conversion',
      changes: 'what changed in the pipeline',
      slipped: 'slipped deals',
    }[q.metric as 'avg_size'];
    return `I can't report ${what} yet. ${can}`;
  }
  if (q.dateBasis && q.dateBasis !== 'close')
    return `I can only filter deals by their close date so far, not by when they were ${q.dateBasis === 'created' ? 'created' : 'moved to a stage'}. ${can}`;
  if (q.compare) return `I can't compare periods yet; ask for each period on its own. ${can}`;
  if (q.groupBy === 'team' || q.groupBy === 'account')
    return `I can group by owner, stage, region or month, not by ${q.groupBy} yet.`;
  return undefined;
}

/** "what's my pipeline", "forecast by month for my team this quarter", "win rate in EMEA last quarter". */
export const pipelineQuery = defineAction({
  schema: Query,
  canonical: true,
  roles: ['rep', 'manager', 'admin'],
  scope: 'pipeline',
  refusal: 'ask about the pipeline',
  writes: false,
  nlu: { rules: pipelineQueryRules, extract: parsePipeline },
  prepare: async (q, ctx): Promise<Prepared> => {
    const missing = notYet(q);
    if (missing) return { answer: missing };
    const payload: Record<string, unknown> = {
      metric: q.metric,
      stage: q.stage,
      region: q.region,
      from: q.from,
      to: q.to,
      min_amount: q.minAmount,
      max_amount: q.maxAmount,
      group_by: q.groupBy,
      stale_days: q.staleDays,
      limit: q.limit,
      today: ctx.today,
    };
    if (q.account) {
      const found = await resolveEntity(ctx, 'account', q.account);
      if ('question' in found) return { question: found.question };
      Object.assign(payload, { account_id: found.entity.id, account_name: found.entity.name });
    }
    const scope = await scopeOf(q, ctx);
    if ('question' in scope) return { question: scope.question };
    Object.assign(payload, scope);
    return { payload: Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined)) };
  },
  format: async (r: Result, ctx) => {
    const lines = [`${scopeLabel(r)}, ${periodLabel(r.query.from, r.query.to, r.metric)}: ${headline(r)}`];
    const filters = filtersApplied(r);
    if (filters.length) lines.push(`Filters: ${filters.join(' · ')}.`);
    const limitNote = visibilityNote(r);
    if (limitNote) lines.push(limitNote);
    const reply: Reply = { kind: 'answer', text: lines.join('\n'), sensitive: true };
    const table = r.groups ? groupTable(r) : r.rows ? dealTable(r) : undefined;
    if (table?.rows.length) reply.table = table;
    if (r.groups?.length && ctx.charts) reply.files = [await chartOf(r)];
    return reply;
  },
});

/**
 * Whose deals the question is about. A rep's pipeline is their own deals, a manager's their team's,
 * an admin's the company's, unless the question names an owner, a team or an account.
 */
async function scopeOf(q: Query, ctx: SkillContext): Promise<Scope | { question: string }> {
  const { user } = ctx;
  if (q.owner) {
    if (ME.test(q.owner.trim())) return { owner_id: user.id, owner_name: user.name, scope: 'me' };
    const found = await resolveEntity(ctx, 'user', q.owner);
    if ('question' in found) return found;
    if (found.entity.id === user.id) return { owner_id: user.id, owner_name: user.name, scope: 'me' };
    return { owner_id: found.entity.id, owner_name: found.entity.name, scope: 'owner' };
  }
  if (q.team) {
    const typed = q.team.trim();
    if (COMPANY.test(typed)) return companyScope(ctx);
    if (MY_TEAM.test(typed)) {
      if (!user.team) return { question: "You aren't in a sales team. Which team do you mean?" };
      return { team: user.team, scope: 'my_team' };
    }
    const team = await resolveTeam(ctx, typed);
    if ('question' in team) return team;
    return { team: team.name, scope: team.name === user.team ? 'my_team' : 'team' };
  }
  if (q.account) return { scope: 'account' };
  if (user.role === 'rep') return { owner_id: user.id, owner_name: user.name, scope: 'me' };
  if (user.role === 'manager' && user.team) return { team: user.team, scope: 'my_team' };
  return companyScope(ctx);
}

function companyScope({ user }: SkillContext): Scope {
  if (user.role !== 'manager' && user.role !== 'admin') {
    throw new CrmError(
      `Company-wide pipeline needs a manager or admin. You can ask about your own deals${user.team ? ` or your team's (${user.team})` : ''}.`,
      'refused',
    );
  }
  return { company: true, scope: 'company' };
}

/** A team name as typed ("emea", "growth west") -> the team, or a question. */
async function resolveTeam(ctx: SkillContext, typed: string): Promise<{ name: string } | { question: string }> {
  const teams = await ctx.db.rpc(ctx.user, 'pipeline_teams', {});
  const t = typed.toLowerCase().replace(/\s+team$/, '');
  const exact = teams.filter((name) => name.toLowerCase() === t);
  const partial = teams.filter(
    (name) => name.toLowerCase().startsWith(t) || name.toLowerCase().split(/\s+/).includes(t),
  );
  const hits = exact.length ? exact : partial;
  if (hits.length === 1) return { name: hits[0] };
  if (hits.length > 1) return { question: `Which team do you mean: ${listOr(hits)}?` };
  return { question: `I don't know a team called "${typed}". The teams are ${listOr(teams)}.` };
}

// --- the answer ---------------------------------------------------------------------------------

function scopeLabel(r: Result): string {
  const q = r.query;
  const noun = r.metric === 'win_rate' || q.stage?.startsWith('closed') ? 'deals' : 'pipeline';
  const base =
    q.scope === 'me'
      ? `Your ${noun}`
      : q.scope === 'owner'
        ? `${q.owner_name}'s ${noun}`
        : q.scope === 'my_team'
          ? `Your team (${q.team})`
          : q.scope === 'team'
            ? String(q.team)
            : q.scope === 'company'
              ? 'The company'
              : undefined;
  return [base, q.account_name].filter(Boolean).join(', ');
}

/** "Q4 2026", "November 2026", "2026", "Oct 5, 2026 – Nov 30, 2026", "closing by Nov 27, 2026", "any close date". */
export function periodLabel(from: string | undefined, to: string | undefined, metric: Query['metric']): string {
  if (!from && !to) return metric === 'win_rate' ? 'all time' : 'any close date';
  if (!from) return `closing by ${boundLabel(to!)}`;
  if (!to) return `closing from ${boundLabel(from)}`;
  return periodName(from, to);
}

const stageName = humanize;

function dealsNoun(r: Result, n: number): string {
  const kind = r.query.stage ? stageName(r.query.stage) : 'open';
  return `${n.toLocaleString('en-US')} ${kind} deal${n === 1 ? '' : 's'}`;
}

/** The number first. */
function headline(r: Result): string {
  const s = r.summary;
  switch (r.metric) {
    case 'total':
      return `${formatMoney(s.total)} in ${dealsNoun(r, s.count)}.`;
    case 'count':
      return `${dealsNoun(r, s.count)} worth ${formatMoney(s.total)}.`;
    case 'list':
      return `${dealsNoun(r, s.count)} worth ${formatMoney(s.total)}.`;
    case 'top':
      return `the top ${Math.min(r.limit, s.count)} of ${dealsNoun(r, s.count)} (${formatMoney(s.total)} in all).`;
    case 'forecast':
      return `weighted forecast ${formatMoney(s.weighted)} from ${formatMoney(s.total)} in ${dealsNoun(r, s.count)}.`;
    case 'win_rate':
      if (s.won + s.lost === 0) return 'no deals were closed, so there is no win rate yet.';
      return `win rate ${percent(s.won / (s.won + s.lost))} (${s.won} won, ${s.lost} lost; ${formatMoney(s.won_amount)} won).`;
    case 'stuck':
      return `${plural(s.count, 'stuck deal')} worth ${formatMoney(s.total)}.`;
  }
}

function filtersApplied(r: Result): string[] {
  const q = r.query;
  const out: string[] = [];
  if (q.stage && r.metric !== 'win_rate') out.push(`stage ${stageName(q.stage)}`);
  if (r.region) out.push(`region ${r.region}`);
  if (q.min_amount !== undefined && q.max_amount !== undefined)
    out.push(`amount ${formatMoney(q.min_amount)}–${formatMoney(q.max_amount)}`);
  else if (q.min_amount !== undefined) out.push(`amount ≥ ${formatMoney(q.min_amount)}`);
  else if (q.max_amount !== undefined) out.push(`amount ≤ ${formatMoney(q.max_amount)}`);
  if (r.metric === 'stuck') out.push(`no stage change and no activity for ${r.stale_days}+ days`);
  if (r.metric === 'win_rate') out.push('deals closed in the period');
  return out;
}

/** The policies show reps and managers only their team's deals: say so when the question reached further. */
function visibilityNote(r: Result): string | undefined {
  const { role, team } = r.viewer;
  if (!role || !TEAM_LIMITED.has(role)) return undefined;
  const mine = team ? `${team}'s` : "your team's";
  const q = r.query;
  if (q.scope === 'team' && q.team !== team)
    return `You can only see ${mine} deals, so none of ${q.team}'s are included.`;
  if (q.scope === 'owner' && r.owner_team !== team)
    return `You can only see ${mine} deals, so none of ${q.owner_name}'s are included.`;
  if (q.scope === 'company') return `You can only see ${mine} deals, so this covers ${team ?? 'your team'} only.`;
  return undefined;
}

function dealTable(r: Result): Table {
  const rows = r.rows ?? [];
  const stuck = r.metric === 'stuck';
  const showOwner = r.query.scope !== 'me' && r.query.scope !== 'owner';
  const columns = ['Deal', ...(showOwner ? ['Owner'] : []), 'Stage', 'Amount', stuck ? 'Idle days' : 'Close date'];
  return {
    columns,
    rows: rows.map((d) => [
      d.name,
      ...(showOwner ? [d.owner ?? ''] : []),
      stageName(d.stage),
      formatMoney(d.amount),
      stuck ? d.idle_days : d.close_date,
    ]),
    more: Math.max(0, r.summary.count - rows.length) || undefined,
  };
}

const GROUP_TITLE = { owner: 'Owner', stage: 'Stage', region: 'Region', month: 'Month' } as const;

function groupLabel(r: Result, g: GroupRow): string {
  if (r.group_by === 'month') return monthLabel(g.key);
  if (r.group_by === 'stage') return stageName(g.key);
  return g.label ?? g.key;
}

function groupTable(r: Result): Table {
  const groups = r.groups ?? [];
  const shown = groups.slice(0, r.limit);
  const head = GROUP_TITLE[r.group_by!];
  const table: Table =
    r.metric === 'forecast'
      ? {
          columns: [head, 'Deals', 'Pipeline', 'Weighted'],
          rows: shown.map((g) => [groupLabel(r, g), g.count, formatMoney(g.total), formatMoney(g.weighted)]),
        }
      : r.metric === 'win_rate'
        ? {
            columns: [head, 'Won', 'Lost', 'Win rate'],
            rows: shown.map((g) => [groupLabel(r, g), g.won, g.lost, percent(g.won / (g.won + g.lost))]),
          }
        : {
            columns: [head, 'Deals', 'Amount'],
            rows: shown.map((g) => [groupLabel(r, g), g.count, formatMoney(g.total)]),
          };
  if (groups.length > shown.length) table.more = groups.length - shown.length;
  return table;
}

/** The chart is drawn only for grouped answers; its libraries load on first use. */
async function chartOf(r: Result): Promise<ReplyFile> {
  const [{ barChartSpec }, { renderPng }] = await Promise.all([
    import('../../src/charts/bar-chart.ts'),
    import('../../src/charts/render.ts'),
  ]);
  const groups = r.groups ?? [];
  const by = r.group_by!;
  const categories = groups.map((g) => groupLabel(r, g));
  const subtitle = `${scopeLabel(r)}, ${periodLabel(r.query.from, r.query.to, r.metric)}`;
  const common = { subtitle, categories, categoryTitle: GROUP_TITLE[by], vertical: by === 'month' };
  const spec =
    r.metric === 'forecast'
      ? barChartSpec({
          ...common,
          title: `Weighted forecast by ${by}`,
          valueTitle: 'Amount (USD)',
          format: 'currency',
          series: [
            { name: 'Pipeline', values: groups.map((g) => g.total) },
            { name: 'Weighted forecast', values: groups.map((g) => g.weighted) },
          ],
        })
      : r.metric === 'win_rate'
        ? barChartSpec({
            ...common,
            title: `Win rate by ${by}`,
            valueTitle: 'Win rate',
            format: 'percent',
            series: [{ name: 'Win rate', values: groups.map((g) => g.won / (g.won + g.lost)) }],
          })
        : r.metric === 'count'
          ? barChartSpec({
              ...common,
              title: `Deals by ${by}`,
              valueTitle: 'Deals',
              format: 'count',
              series: [{ name: 'Deals', values: groups.map((g) => g.count) }],
            })
          : barChartSpec({
              ...common,
              title: `${r.metric === 'stuck' ? 'Stuck deals' : 'Pipeline'} by ${by}`,
              valueTitle: 'Amount (USD)',
              format: 'currency',
              series: [{ name: 'Amount', values: groups.map((g) => g.total) }],
            });
  const name = `${r.metric.replace('_', '-')}-by-${by}.png`;
  return { name, mime: 'image/png', data: await renderPng(spec) };
}
