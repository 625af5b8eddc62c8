/** pipeline.query: metrics, filters and windows over the deal pipeline. */
import type { Action } from '../../actions/schema.ts';
import { findAmountFilter } from './amounts.ts';
import type { Ctx } from './context.ts';
import { findPeriod } from './dates.ts';
import { isFirstName } from './names.ts';
import { NUMBER_SRC, toNumber } from './numbers.ts';
import { findStage } from './stages.ts';
import { cut, takeEntity } from './text.ts';

type PipelineQuery = Extract<Action, { type: 'pipeline.query' }>;

const METRICS: [PipelineQuery['metric'], RegExp][] = [
  ['forecast', /\bforecast/],
  ['win_rate', /\bwin[- ]?(?:rate|ratio|%|percentage)|\b(?:close|closing|conversion) rate\b/],
  ['stuck', /\b(?:stuck|stalled|stale|stagnant|idle|no activity|not moved|haven'?t moved|hasn'?t moved|no movement|untouched|neglected|gone quiet|going nowhere|no updates?)\b/],
  ['top', /\btop\b|\bbiggest\b|\blargest\b|\bhighest\b/],
  ['count', /\bhow many\b|\bnumber of\b|\bcount\b|\b# of\b/],
  ['total', /\bhow much\b|\bwhat did we (?:win|close|book|sell)\b|\btotal\b|\bsum\b|\bvalue\b|\bworth\b|\bamount\b|\bbookings\b|\brevenue\b/],
];

const GROUP = /\b(?:by|per|broken down by|grouped by|split by|across)\s+(reps?|owners?|salespe(?:rson|ople)|sellers?|aes?|people|stages?|regions?|territor(?:y|ies)|geos?|months?)\b|\b(monthly)\b/;
const GROUP_KEY = (w: string) => (/^(rep|owner|sales|seller|ae|people)/.test(w) ? 'owner' : /^stage/.test(w) ? 'stage' : /^(region|territor|geo)/.test(w) ? 'region' : 'month');

const REGIONS = /\b(emea|apac|latam|amer|americas|north america|south america|europe|dach|nordics|benelux|anz|mena|japan|india|canada|east coast|west coast|midwest|northeast|northwest|southeast|southwest)\b/i;
const REGION_NAMED =
  /\b(?:the\s+)?(?!(?:in|for|the|of|from|at|by|each|per|every|my|our|which|what|a|this|that)\b)([a-z][\w-]*)\s+(?:region|territory)\b|\b(?:region|territory)\s+(?!(?:for|in|by|and|with)\b)([a-z][\w-]*)\b/i;
const LIMIT = new RegExp(String.raw`\b(?:top|biggest|largest|highest)\s+(${NUMBER_SRC})\b|\b(\d+)\s+(?:biggest|largest|top|highest)\b`, 'i');
const STALE = new RegExp(String.raw`(?:\b(?:in|for|over|more than|at least|>)\s+)*(${NUMBER_SRC})\s*(day|week|month)s?\b`, 'i');
const OWNER_ME = /\bmy\b|\bmine\b|\bi (?:have|own|got)\b|\bi'?ve got\b|\b(?:assigned to|owned by) me\b/;
const OWNER_POSSESSIVE = /\b([\p{L}][\p{L}-]*)'s\s+(?:deals|pipeline|forecast|opps|opportunities|numbers|quota|book|win rate|accounts|stuck)\b/iu;
const OWNER_AFTER = /\b(?:does|did|has|owned by|assigned to|for rep|rep|owner|for)\s+/gi;
const ACCOUNT_AFTER = /\b(?:for|at|with|on|from|in)\s+/gi;
const NOT_AN_ACCOUNT = /^(?:me|us|you|them|it|this|that|everyone|all|sale|sales|deals?|pipeline|team|region|stage|month|quarter|year|week|rep|reps|owner|open|each|every|more|less|real|now|total|prospecting|qualification|discovery|proposal|negotiation|won|lost|closed)$/i;

export function parsePipeline(ctx: Ctx): Action {
  let text = ctx.text;
  const metric = METRICS.find(([, re]) => re.test(ctx.low))?.[0] ?? 'list';
  const q: PipelineQuery = { type: 'pipeline.query', metric };

  if (metric === 'stuck') {
    const m = STALE.exec(text);
    const n = m && toNumber(m[1]);
    if (m && n) {
      q.staleDays = Math.min(3650, Math.max(1, Math.round(n * (/^w/i.test(m[2]) ? 7 : /^m/i.test(m[2]) ? 30 : 1))));
      text = cut(text, m.index, m.index + m[0].length);
    }
  }
  const period = findPeriod(text, ctx.today);
  if (period) {
    if (period.from) q.from = period.from;
    if (period.to) q.to = period.to;
    text = cut(text, period.start, period.end);
  }
  const amounts = findAmountFilter(text);
  if (amounts) {
    if (amounts.min !== undefined) q.minAmount = amounts.min;
    if (amounts.max !== undefined) q.maxAmount = amounts.max;
    text = cut(text, amounts.start, amounts.end);
  }
  const group = GROUP.exec(text.toLowerCase());
  if (group) {
    q.groupBy = GROUP_KEY(group[1] ?? group[2]);
    text = cut(text, group.index, group.index + group[0].length);
    if (q.metric === 'list') q.metric = 'total';
  }
  if (metric === 'top') {
    const m = LIMIT.exec(text);
    const n = m && toNumber(m[1] ?? m[2]);
    if (n && Number.isInteger(n) && n >= 1 && n <= 100) q.limit = n;
  }
  const stage = findStage(text.toLowerCase());
  if (stage) q.stage = stage;

  const region = REGIONS.exec(text) ?? REGION_NAMED.exec(text);
  if (region) {
    q.region = (region[1] ?? region[2]).replace(/^the\s+/i, '');
    text = cut(text, region.index, region.index + region[0].length);
  }
  const team = /\b(?:my|our) team\b/i.exec(text);
  const namedTeam = /\bteam\s+([\p{L}][\w-]*)|\b([\p{L}][\w-]*)\s+team\b/iu.exec(text);
  if (team) {
    q.team = 'mine';
    text = cut(text, team.index, team.index + team[0].length);
  } else if (namedTeam && !/^(?:the|a|whole|entire|sales|his|her|their|which|what|each|per|by|for)$/i.test(namedTeam[1] ?? namedTeam[2])) {
    q.team = namedTeam[1] ?? namedTeam[2];
    text = cut(text, namedTeam.index, namedTeam.index + namedTeam[0].length);
  }
  const lowText = text.toLowerCase();
  if (OWNER_ME.test(lowText.replace(/\bshow me\b|\bgive me\b|\btell me\b|\bget me\b/g, ''))) q.owner = 'me';
  else {
    const owner = ownerName(text);
    if (owner) q.owner = owner;
  }
  const account = accountName(text, q.owner);
  if (account) q.account = account;
  return q;
}

function ownerName(text: string): string | undefined {
  const pos = OWNER_POSSESSIVE.exec(text);
  if (pos && !/^(?:what|that|it|who|there|team|today|company|everyone)$/i.test(pos[1])) return pos[1];
  OWNER_AFTER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = OWNER_AFTER.exec(text))) {
    const p = takeEntity(text, m.index + m[0].length);
    if (!p) continue;
    const via = m[0].trim().toLowerCase();
    if (via === 'for' && !isFirstName(p.text.split(' ')[0])) continue;
    if ((via === 'does' || via === 'did' || via === 'has') && !/^\s*(?:have|got|own|closed|won)\b/i.test(text.slice(p.end))) continue;
    return p.text;
  }
  return undefined;
}

function accountName(text: string, owner: string | undefined): string | undefined {
  ACCOUNT_AFTER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ACCOUNT_AFTER.exec(text))) {
    const p = takeEntity(text, m.index + m[0].length);
    if (!p || p.text === owner || NOT_AN_ACCOUNT.test(p.text) || isFirstName(p.text.split(' ')[0])) continue;
    if (m[0].trim().toLowerCase() === 'in' && !/^\p{Lu}/u.test(p.text)) continue;
    return p.text;
  }
  return undefined;
}
