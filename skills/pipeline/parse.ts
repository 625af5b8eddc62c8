/** pipeline.query: metrics, filters and windows over the deal pipeline. */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import { findAmountFilter } from '../../src/nlu/offline/amounts.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { findPeriod, type Tense } from '../../src/nlu/offline/dates.ts';
import { isFirstName, isPerson } from '../../src/nlu/offline/names.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';
import { NUMBER_SRC, toNumber } from '../../src/nlu/offline/numbers.ts';
import { findStage } from '../../src/nlu/offline/stages.ts';
import { cut, entityBefore, takeEntity } from '../../src/nlu/offline/text.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type PipelineQuery = Extract<Action, { type: 'pipeline.query' }>;

// First match wins: the version 2 metrics are more specific than the words of the older ones ("average sales cycle"
// is a cycle time, "stage conversion rates" a conversion, "quota" an attainment unless coverage is asked).
const METRICS: [PipelineQuery['metric'], RegExp][] = [
  ['coverage', /\bcoverage\b|\benough pipe(?:line)? to (?:cover|hit|make)\b/],
  [
    'attainment',
    /\battain|\bquota\b|\b(?:tracking|pacing|doing)\s+(?:against|to|vs\.?|versus|toward)\b|\b(?:hit|hitting|make|making)\s+(?:my|our|the)\s+(?:number|quota|target)\b/,
  ],
  [
    'cycle_time',
    /\bsales cycle\b|\bcycle[- ]?(?:time|length)\b|\b(?:days|time) to (?:close|win)\b|\bhow long (?:do|does|did) (?:\w+ )?(?:deals?|it|they|opps?) take\b|\bvelocity\b/,
  ],
  [
    'conversion',
    /\bstage[- ]to[- ]stage\b|\bstage conversion|\bconversion\b(?!\s+rate)|\bconversion rates? (?:by|per|between|across|from|for each) stages?\b|\bfunnel\b/,
  ],
  ['avg_size', /\bav(?:era)?ge?\b|\bavg\b|\bmean\b|\bmedian\b|\btypical deal (?:size|value)\b/],
  [
    'changes',
    /\bwhat(?:'s|\s+has|\s+have)?\s+changed\b|\bchanges?\s+(?:in|to|on)\s+(?:the\s+|my\s+|our\s+)?(?:pipeline|deals|forecast|book)\b|\bwaterfall\b|\bwhat got (?:pushed|pulled)\b|\bpushed (?:out )?(?:or|and|\/) pulled\b/,
  ],
  [
    'slipped',
    /\bslipp?(?:ed|ing|age)\b|\bslid\b|\bpushed (?:out|back)\b|\bpast (?:their |its |the )?close dates?\b|\bsupposed to (?:close|have closed)\b|\bshould have closed\b|\bmissed (?:their |its |the )?close dates?\b/,
  ],
  ['forecast', /\bforecast|\bfcst\b/],
  ['win_rate', /\bwin[- ]?(?:rate|ratio|%|percentage)|\b(?:close|closing|conversion) rate\b/],
  [
    'stuck',
    /\b(?:stuck|stalled|stale|stagnant|idle|no activity|not moved|haven'?t moved|hasn'?t moved|no movement|untouched|neglected|gone (?:quiet|cold|silent)|going (?:nowhere|cold)|no updates?|(?:haven'?t|hasn'?t|not) (?:had|seen|got) (?:any )?(?:activity|updates?|touch(?:es)?)|without (?:any )?activity)\b/,
  ],
  ['top', /\btop\b|\bbiggest\b|\blargest\b|\bhighest\b/],
  [
    'count',
    /\bhow many\b|\bnumber of\b|\bcount\b|(?:^|\s)# of\b|\b(?:most|fewest|least) (?:deals|opps|opportunities)\b/,
  ],
  [
    'total',
    /\bhow much\b|\bhow big\b|\bsize of\b|\bwhat did we (?:close|book|sell)\b|\btotal\b|\bsum\b|\bvalue\b|\bworth\b|\bamount\b|\bbookings\b|\brevenue\b/,
  ],
];

const GROUP =
  /(?:\b(?:by|per|broken (?:down|out) by|grouped by|split by|across|for each|does each|do each|has each)\s+(?:the\s+|each\s+)?|^(?:which|what)\s+)(reps?|owners?|salespe(?:rson|ople)|sellers?|aes?|people|stages?|regions?|territor(?:y|ies)|geos?|months?|teams?|accounts?|customers?|compan(?:y|ies)|(?:forecast\s+)?categor(?:y|ies))\b|\b(monthly)\b/;
const GROUP_KEY = (w: string): NonNullable<PipelineQuery['groupBy']> =>
  /^(rep|owner|sales|seller|ae|people)/.test(w)
    ? 'owner'
    : /^stage/.test(w)
      ? 'stage'
      : /^(region|territor|geo)/.test(w)
        ? 'region'
        : /^team/.test(w)
          ? 'team'
          : /^(account|customer|compan)/.test(w)
            ? 'account'
            : /categor/.test(w)
              ? 'category'
              : 'month';

// Forecast categories; two of them named together ("commit versus best case") ask for the split, not a filter.
const CATEGORIES: [NonNullable<PipelineQuery['category']>, RegExp][] = [
  ['commit', /\bcommit(?:ted|s)?\b(?!\s+to\b)/],
  ['best_case', /\bbest[- ]?case\b/],
  ['omitted', /\bomitted\b/],
  ['pipeline', /\bpipeline (?:category|bucket)\b|\b(?:category|bucket) pipeline\b/],
];

// "vs last quarter", "how does that compare to last year", "QoQ": the comparison, cut before the period is read.
const COMPARED =
  /\s*,?\s*(?:\b(?:and\s+)?(?:how\s+(?:does|do|did|is)\s+(?:that|it|this)\s+)?compar(?:e[sd]?|ing)\s+(?:it\s+|that\s+)?(?:to|with|against)|\bvs\.?|\bversus|\brelative to)\s+((?:the\s+)?(?:same\s+(?:period|quarter|qtr|month|week|time)\s+)?(?:last|previous|prior|this)\s+(?:year|yr|quarter|qtr|q|month|mo|week|wk|period)(?:'s)?\b|(?:a\s+)?year\s+(?:ago|before|earlier)\b|q[1-4]\b(?:\s*'?(?:20)?\d{2}\b)?|h[12]\b|20\d\d\b)/i;
const COMPARE_YEAR = /\b(?:yoy|y\/y|year[- ]over[- ]year)\b/;
const COMPARE_PERIOD = /\b(?:qoq|q\/q|mom|m\/m|wow|w\/w|(?:quarter|month|week)[- ]over[- ](?:quarter|month|week))\b/;

// What the from/to window filters, when it is not the close date.
const CREATED =
  /\bnew\s+(?!business\b)(?:[\w-]+\s+)?(?:deals?|opps?|opportunit(?:y|ies)|pipe(?:line)?|logos?)\b|\b(?:deals?|opps?|opportunit(?:y|ies)|pipeline)\s+(?:\w+\s+){0,2}?(?:created|added|opened|generated|sourced)\b|\b(?:did|have|has)\s+\w+\s+(?:create|add|open|generate|source)\b|\b(?:created|generated|sourced)\s+(?:in|this|last|during)\b/;
const STAGE_CHANGE =
  /\b(?:moved|moving|move|advanced|progressed|went|got|entered|reached|promoted|came)\s+(?:in)?to\s+(?:the\s+)?(?:prospecting|qualification|discovery|proposal|negotiation|closed|won|lost|[\w-]+\s+stage)\b|\b(?:entered|reached)\s+(?:the\s+)?(?:prospecting|qualification|discovery|proposal|negotiation)\b/;

// Questions about what already happened read a bare period name as the latest one that started (see dates.ts).
const LOOKS_BACK = new Set<PipelineQuery['metric']>([
  'win_rate',
  'attainment',
  'cycle_time',
  'conversion',
  'changes',
  'slipped',
]);
const PAST_WORDS =
  /\b(?:won|win|lost|lose|closed(?![- ]?(?:date|by))|booked|sold|created|did|was|were|ended|moved|changed|happened)\b/;

// Longer names first: "north america" is one region, not "north".
const REGIONS =
  /\b(north america|south america|east coast|west coast|emea|apac|latam|amer|americas|na|nam|noram|uk|west|east|north|south|central|eu|europe|dach|nordics|benelux|anz|mena|japan|india|canada|midwest|northeast|northwest|southeast|southwest)\b/i;
const REGION_NAMED =
  /\b(?:the\s+)?(?!(?:in|for|the|of|from|at|by|each|per|every|my|our|which|what|a|this|that)\b)([a-z][\w-]*)\s+(?:region|territory)\b|\b(?:region|territory)\s+(?!(?:for|in|by|and|with)\b)([a-z][\w-]*)\b/i;
const LIMIT = new RegExp(
  String.raw`\b(?:top|biggest|largest|highest)\s+(${NUMBER_SRC})\b|\b(\d+)\s+(?:biggest|largest|top|highest)\b`,
  'i',
);
const STALE = new RegExp(
  String.raw`(?:\b(?:in|for|over|more than|at least|>)\s+)*(${NUMBER_SRC})\+?\s*(day|week|month)s?\b`,
  'i',
);
const OWNER_ME =
  /\bmy\b|\bmine\b|\bfor me\b|\bi (?:have|own|got|create|created|won|closed|lost|sold|booked)\b|\bi'?ve got\b|\b(?:assigned to|owned by) me\b|\b(?:am i|did i|have i)\b|\bi'?m (?:tracking|doing|pacing)\b/;
const OWNER_POSSESSIVE =
  /\b([\p{L}][\p{L}-]*)'s\s+(?:deals|pipeline|forecast|opps|opportunities|numbers|quota|book|win rate|accounts|stuck)\b/iu;
const OWNER_AFTER = /\b(?:does|did|has|owned by|assigned to|for rep|rep|owner|for)\s+/gi;
const ACCOUNT_AFTER = /\b(?:for|at|with|on|from|in)\s+/gi;
const NOT_AN_ACCOUNT =
  /^(?:me|us|you|them|it|this|that|everyone|all|sale|sales|deals?|pipeline|team|region|stage|month|quarter|year|week|rep|reps|owner|open|each|every|more|less|real|now|total|prospecting|qualification|discovery|proposal|negotiation|won|lost|closed|average|avg|mean|median|typical|commit|best case|slipped|stage)$/i;

// "the whole company", "all teams": the unfiltered pipeline, never a team or account called "company".
const EVERYONE =
  /\b(?:(?:the|our)\s+)?(?:whole\s+|entire\s+)?company(?:'s)?(?:[- ]wide)?\b|\b(?:across\s+)?(?:all|every)\s+(?:of\s+)?(?:the\s+|our\s+)?teams?(?:'s)?\b/gi;

export function parsePipeline(ctx: Ctx): ActionInput {
  let text = ctx.text;
  // A follow-up ("more than 45 days" after "which deals are stuck") keeps the metric it does not name.
  const metric =
    METRICS.find(([, re]) => re.test(ctx.low))?.[0] ??
    (ctx.base?.metric as PipelineQuery['metric'] | undefined) ??
    'list';
  const q: PipelineQuery = { type: 'pipeline.query', metric };
  const compared = COMPARED.exec(text);
  if (compared) {
    q.compare =
      /\b(?:year|yr)\b/i.test(compared[1]) && !/\b(?:quarter|qtr|month|week)\b/i.test(compared[1])
        ? 'previous_year'
        : 'previous_period';
    text = cut(text, compared.index, compared.index + compared[0].length);
  } else if (COMPARE_YEAR.test(ctx.low)) q.compare = 'previous_year';
  else if (COMPARE_PERIOD.test(ctx.low)) q.compare = 'previous_period';
  if (STAGE_CHANGE.test(ctx.low)) q.dateBasis = 'stage_change';
  else if (CREATED.test(ctx.low)) q.dateBasis = 'created';
  const categories = CATEGORIES.filter(([, re]) => re.test(ctx.low)).map(([c]) => c);
  if (categories.length > 1) q.groupBy = 'category';
  else if (categories.length === 1) q.category = categories[0];
  // A capitalised word right before "Company" makes it part of a name ("Acme Company").
  text = text.replace(EVERYONE, (m, at: number) =>
    /\p{Lu}\p{L}*\s+$/u.test(text.slice(0, at)) && /^company/i.test(m) ? m : ' ',
  );
  // A follow-up of a question about what happened ("and q2" after "what did we win in q3") looks back too.
  const wonOrLost = /^closed_/.test(String(ctx.base?.stage ?? ''));
  const tense: Tense =
    LOOKS_BACK.has(metric) || q.dateBasis || PAST_WORDS.test(ctx.low) || wonOrLost ? 'past' : 'ahead';

  if (metric === 'stuck') {
    const m = STALE.exec(text);
    const n = m && toNumber(m[1]);
    if (m && n) {
      q.staleDays = Math.min(3650, Math.max(1, Math.round(n * (/^w/i.test(m[2]) ? 7 : /^m/i.test(m[2]) ? 30 : 1))));
      text = cut(text, m.index, m.index + m[0].length);
    }
  }
  const period = findPeriod(text, ctx.today, tense);
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

  const team = findTeam(text);
  if (team) {
    q.team = team.name;
    text = cut(text, team.start, team.end);
  }
  // "US" only in capitals: lower-case "us" is the pronoun.
  const region = REGIONS.exec(text) ?? /\b(US|USA)\b/.exec(text) ?? REGION_NAMED.exec(text);
  if (region) {
    q.region = (region[1] ?? region[2]).replace(/^the\s+/i, '');
    text = cut(text, region.index, region.index + region[0].length);
  }
  const lowText = text.toLowerCase();
  const forMe =
    /\bshow me\b|\bgive me\b|\btell me\b|\bget me\b|\b(?:pull|get|do|run|grab|find|send)\s+(?:that|this|it|those|these)(?:\s+up)?\s+for me\b/g;
  if (OWNER_ME.test(lowText.replace(forMe, ''))) q.owner = 'me';
  else {
    const owner = ownerName(text);
    if (owner) q.owner = owner;
  }
  const account = accountName(text, q.owner) ?? accountBeforeDealNoun(text, q.owner);
  if (account) q.account = account;
  return q;
}

// Sales teams are usually a segment plus a territory ("Enterprise EMEA", "growth west"); a word before "team" names one too.
const SEGMENT_TEAM =
  /\b(?:enterprise|growth|mid-?market|smb|commercial|strategic|corporate|public sector|inside sales|field sales|majors|named accounts)\s+(?:emea|apac|latam|amer|americas|na|nam|east|west|north|south|central|europe|us|uk|dach|nordics|anz|japan|india|canada|global)\b/i;
const NOT_A_TEAM =
  /^(?:the|a|my|our|your|his|her|their|whole|entire|sales|which|what|each|per|by|for|in|of|on|whose|this|that|every|same)$/i;

function findTeam(text: string): { name: string; start: number; end: number } | undefined {
  const mine = /\b(?:my|our) team(?:'s)?(?=\s|$|[,.?!])/i.exec(text);
  if (mine) return { name: 'mine', start: mine.index, end: mine.index + mine[0].length };
  // "marta's team": the team is named after its manager.
  const whose = /\b([\p{L}][\p{L}-]*)'s team(?:'s)?(?=\s|$|[,.?!])/iu.exec(text);
  if (whose && !NOT_A_TEAM.test(whose[1]))
    return { name: whose[1], start: whose.index, end: whose.index + whose[0].length };
  // "team forecast", "the whole team's pipeline": a manager's unnamed team is their own.
  const unnamed = /^(?:the\s+)?team(?:'s)?\b|\b(?:the|whole|entire)\s+team(?:'s)?\b/i.exec(text);
  if (unnamed) return { name: 'mine', start: unnamed.index, end: unnamed.index + unnamed[0].length };
  const before = /((?:[\p{L}][\w-]*\s+){0,2}[\p{L}][\w-]*)\s+team\b/iu.exec(text);
  if (before) {
    const words = before[1].split(/\s+/);
    while (words.length && (NOT_A_TEAM.test(words[0]) || (isCommonWord(words[0]) && !REGIONS.test(words[0]))))
      words.shift();
    if (words.length)
      return {
        name: words.join(' '),
        start: before.index + before[0].length - `${words.join(' ')} team`.length,
        end: before.index + before[0].length,
      };
  }
  const after = /\bteam\s+([\p{L}][\w-]*)/iu.exec(text);
  if (after && !NOT_A_TEAM.test(after[1]) && !isCommonWord(after[1]))
    return { name: after[1], start: after.index, end: after.index + after[0].length };
  const segment = SEGMENT_TEAM.exec(text);
  if (segment) return { name: segment[0], start: segment.index, end: segment.index + segment[0].length };
  return undefined;
}

// "show acme deals", "total value of hooli opps": the account named right before the deals noun.
const DEALS_NOUN = /\b(?:deals?|opps?|opportunit(?:y|ies)|pipeline|renewals?)\b/gi;

function accountBeforeDealNoun(text: string, owner: string | undefined): string | undefined {
  DEALS_NOUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DEALS_NOUN.exec(text))) {
    const words = entityBefore(text, m.index)?.split(/\s+/) ?? [];
    // Keep only the tail after the last ordinary word: "total value of hooli" -> "hooli".
    for (let i = words.length - 1; i >= 0; i--) {
      if (isCommonWord(words[i]) || NOT_AN_ACCOUNT.test(words[i]) || /^(?:of|many|much)$/i.test(words[i])) {
        words.splice(0, i + 1);
        break;
      }
    }
    const name = words.join(' ');
    if (!name || name === owner || /'s$/.test(name) || isFirstName(words[0])) continue;
    if (REGIONS.test(name) || findStage(name.toLowerCase())) continue;
    return name;
  }
  return undefined;
}

const OWNER_NO_APOSTROPHE =
  /\b([\p{L}][\p{L}-]*)s\s+(?:deals|pipeline|forecast|opps|opportunities|numbers|quota|book|win rate|accounts)\b/iu;

function ownerName(text: string): string | undefined {
  const pos = OWNER_POSSESSIVE.exec(text);
  if (pos && !/^(?:what|that|it|who|there|team|today|company|everyone)$/i.test(pos[1])) {
    // "Marco Rossi's win rate": a first name right before the possessive surname belongs to it.
    const first = /([\p{L}]+)\s+$/u.exec(text.slice(0, pos.index))?.[1];
    return first && isFirstName(first) ? `${first} ${pos[1]}` : pos[1];
  }
  const bare = OWNER_NO_APOSTROPHE.exec(text);
  if (bare && isFirstName(bare[1])) return bare[1];
  OWNER_AFTER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = OWNER_AFTER.exec(text))) {
    const p = takeEntity(text, m.index + m[0].length);
    if (!p) continue;
    const via = m[0].trim().toLowerCase();
    if (via === 'for' && !isPerson(p.text)) continue;
    if (
      (via === 'does' || via === 'did' || via === 'has') &&
      !/^\s*(?:have|got|own|closed|won)\b/i.test(text.slice(p.end))
    )
      continue;
    return p.text;
  }
  // A rep's first name anywhere in a pipeline question ("how much is marco carrying") is the owner.
  const first = /[\p{L}]+/gu;
  let w: RegExpExecArray | null;
  while ((w = first.exec(text))) {
    if (!isFirstName(w[0]) || isCommonWord(w[0])) continue;
    const before = text.slice(Math.max(0, w.index - 12), w.index);
    if (/\b(?:at|with|from|of)\s+$/i.test(before)) continue;
    const surname = /^\s+(\p{Lu}[\p{L}-]+)/u.exec(text.slice(w.index + w[0].length));
    if (surname && !isPerson(`${w[0]} ${surname[1]}`)) continue;
    return surname ? `${w[0]} ${surname[1]}` : w[0];
  }
  return undefined;
}

function accountName(text: string, owner: string | undefined): string | undefined {
  ACCOUNT_AFTER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ACCOUNT_AFTER.exec(text))) {
    const p = takeEntity(text, m.index + m[0].length);
    if (!p || p.text === owner || NOT_AN_ACCOUNT.test(p.text) || isPerson(p.text)) continue;
    if (m[0].trim().toLowerCase() === 'in' && !/^\p{Lu}/u.test(p.text)) continue;
    return p.text;
  }
  return undefined;
}

const QUESTION_START =
  /^(?:what|whats|what's|how|which|show|list|give|get|any|are|do|did|is|total|count|top|find|display|pull|where|who'?s? (?:has|owns))\b/;
const PIPELINE_WORDS =
  /\bpipeline\b|\bpipe\b|\bfcst\b|\bslipp?(?:ed|ing)\b|\battainment\b|\bcoverage\b|\bsales cycle\b|\bcycle time\b|\bstage[- ]to[- ]stage\b|\bstage conversion|\b(?:avg|average|median) (?:deal|size|cycle)|\bdeal size\b|\bwhat changed in (?:the |my |our )?(?:pipeline|deals|forecast)|\bbest[- ]case\b|\bcommit (?:deals|only|forecast|category)\b|\b(?:in|the) commit\b|\bforecast|\bwin[- ]?(?:rate|ratio)\b|\b(?:close|closing|conversion) rate\b|\bquota\b|\bdeals\b|\bopps\b|\bopportunities\b|\brevenue\b|\bbookings\b|\bstuck\b|\bstalled\b|\bstale\b|\bhow (?:much|many)\b|\bclosing\b|\bbiggest\b|\blargest\b|\btop \d+|\bnumbers\b|\b(?:in|at) (?:prospecting|qualification|discovery|proposal|negotiation)\b/;

export const pipelineQueryRules: IntentRule[] = [
  {
    name: 'pipeline question',
    action: 'pipeline.query',
    priority: PRIORITY.question,
    when: (t) =>
      QUESTION_START.test(t) &&
      (PIPELINE_WORDS.test(t) || /\b(?:win|won|close|closed|sold|sell|book|booked|lost|lose)\b/.test(t)),
  },
  // "lost deals this quarter", "open opps over 50k": deals in the plural are a question, not an update.
  {
    name: 'deals in the plural',
    action: 'pipeline.query',
    priority: PRIORITY.question - 10,
    when: /^(?:won|lost|closed|closed[- ](?:won|lost)|open|stuck|stale|new|big|biggest|all|active|late|slipped)\s+(?:[\w-]+\s+)?(?:deals|opps|opportunities)\b/,
  },
  {
    // "what moved to negotiation this week" asks about stage changes; "move Acme to negotiation" makes one.
    name: 'question about stage moves',
    action: 'pipeline.query',
    priority: PRIORITY.listing,
    when: (t) => /^(?:what|which|any|how many|show|list)\b/.test(t) && STAGE_CHANGE.test(t),
  },
  { name: 'pipeline words', action: 'pipeline.query', priority: PRIORITY.topical, when: PIPELINE_WORDS },
  { name: 'deals mentioned', action: 'pipeline.query', priority: PRIORITY.topical, when: /\b(?:deals|opps)\b/ },
];
