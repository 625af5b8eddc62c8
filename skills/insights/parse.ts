/** insight.query: lifetime value, churn risk, health, segments and customer equity. */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { NUMBER_SRC, toNumber } from '../../src/nlu/offline/numbers.ts';
import { takeEntity } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';

type Insight = Extract<Action, { type: 'insight.query' }>;

const METRIC: [Insight['metric'], RegExp][] = [
  ['equity', /\bcustomer equity\b|\bequity\b/],
  ['clv', /\blife[- ]?time value\b|\bclv\b|\bltv\b|\bcustomer value\b|\bworth to us\b/],
  ['churn_risk', /\bchurn|\bat risk\b|\brisk of (?:losing|leaving)\b|\blikely to (?:leave|cancel)\b|\bflight risk\b/],
  ['health', /\bhealth(?:y|iest|score)?\b|\bhow (?:is|are) .+ doing\b/],
  ['segments', /\bsegment|\brfm\b|\bchampions\b|\bhibernating\b/],
];
/** A name that starts with a metric's words is the metric ("churn risk"), not an account; "Harbor Health" is an account. */
const METRIC_FIRST = METRIC.map(([, re]) => new RegExp(`^(?:${re.source})`));
const GROUP: [NonNullable<Insight['groupBy']>, RegExp][] = [
  ['segment', /\b(?:by|per|across|split by)\s+segments?\b/],
  ['industry', /\b(?:by|per|across|split by)\s+(?:industry|industries|vertical|sector)s?\b/],
  ['tier', /\b(?:by|per|across|split by)\s+tiers?\b/],
  ['region', /\b(?:by|per|across|split by)\s+(?:region|territor(?:y|ies)|geo)s?\b/],
  ['owner', /\b(?:by|per|across|split by)\s+(?:owner|rep|account manager|am)s?\b/],
];
const LIMIT = new RegExp(
  String.raw`\btop\s+(${NUMBER_SRC})\b|\b(${NUMBER_SRC})\s+(?:most|highest|riskiest|biggest|top)\b|\bgive me (?:the )?(?:top )?(${NUMBER_SRC})\b`,
  'i',
);
const ACCOUNT =
  /\b(?:of|for|on|is|at)\s+(?:the\s+)?(?!my\b|our\b|all\b|each\b|every\b|the\b|top\b|customers?\b|accounts\b)/gi;

export function parseInsightQuery(ctx: Ctx): ActionInput {
  const metric = METRIC.find(([, re]) => re.test(ctx.low))?.[0] ?? 'health';
  const action: Insight = { type: 'insight.query', metric };
  const group = GROUP.find(([, re]) => re.test(ctx.low))?.[0];
  if (group) action.groupBy = group;
  else if (metric === 'segments' && /\btiers?\b/.test(ctx.low)) action.groupBy = 'tier';
  const limit = LIMIT.exec(ctx.text);
  const n = limit && toNumber(limit[1] ?? limit[2] ?? limit[3]);
  if (n && Number.isInteger(n) && n >= 1 && n <= 100) action.limit = n;
  ACCOUNT.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = ACCOUNT.exec(ctx.text)); ) {
    const p = takeEntity(ctx.text, m.index + m[0].length);
    if (p && !isCommonWord(p.text.split(' ')[0]) && !METRIC_FIRST.some((re) => re.test(p.text.toLowerCase()))) {
      action.account = p.text.replace(/\s+account$/i, '');
      break;
    }
  }
  if (!action.account) {
    const bare = /^(?:clv|ltv|health|churn(?: risk)?)\s+(?:for\s+)?([\p{L}][\p{L}&.' -]*?)\s*\??$/iu.exec(
      ctx.text,
    )?.[1];
    const before = /\b(?:the\s+)?([\p{Lu}][\p{L}&.'-]*(?:\s+\p{Lu}[\p{L}&.'-]*)*)\s+account\b/u.exec(ctx.text)?.[1];
    const name = bare ?? before;
    if (name && !isCommonWord(name.split(' ')[0])) action.account = name;
  }
  return action;
}

export const insightQueryRules: IntentRule[] = [
  {
    name: 'lifetime value, churn, health, segments',
    action: 'insight.query',
    priority: PRIORITY.question + 20,
    when: /\blife[- ]?time value\b|\bclv\b|\bltv\b|\bcustomer equity\b|\bchurn|\bat risk of (?:churn|leaving|losing)|\bmost at risk\b|\b(?:account|customer|book)s?\s+health\b|\bhealth (?:score|of)\b|\bhow healthy\b|\bhealthiest\b|\bsegment(?:s|ation)?\b|\brfm\b|\bwhy is .+ at risk\b/,
    unless: /\b(?:deal|deals|pipeline|case|cases|ticket)\b.*\bat risk\b|\bsla\b/,
  },
];
