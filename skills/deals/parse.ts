/** deal.update and deal.create: which deal, and its stage, amount, close date or owner. */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import { findAmounts } from '../../src/nlu/offline/amounts.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { findDate } from '../../src/nlu/offline/dates.ts';
import { findStage } from '../../src/nlu/offline/stages.ts';
import { blankQuotes, cut, entityBefore, takeEntity, tidy, type Phrase } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type DealUpdate = Extract<Action, { type: 'deal.update' }>;
type DealCreate = Extract<Action, { type: 'deal.create' }>;

const VERB_FIRST =
  /(?:^|[-:;,.]\s+|\b(?:so|and|then|just)\s+)(?:please\s+)?(?:can you\s+)?(?:move|pull(?!\s+up\b)|pulled|prepone|moved|moving|push|pushed|pushing|slip|slipped|slipping|bump|bumped|advance|advanced|set|change|changed|update|updated|mark|marked|put|progress|shift|drag|reassign|assign|transfer|give|hand|close|closed|won|lost|reduce|reduced|cut|lower|lowered|raise|raised|increase|increased|decrease|decreased|drop|dropped|take)\s*:?\s+(?:the\s+|our\s+)?/i;
const RESULT_ON = /\b(?:won|lost|closed(?:[- ]?(?:won|lost))?)\s+(?:on|for|with)\s+(?:the\s+)?/i;
const FIELD_OF = /\b(?:amount|value|stage|close date|closing date|owner|size)\s+(?:on|of|for)\s+(?:the\s+)?/i;
const WE_VERB = /\b(?:we|they|i)\s+(?:just\s+|finally\s+)?(?:lost|won|closed|signed)\s+(?:the\s+|our\s+)?/i;
const DEAL_FOR = /\b(?:deal|opportunity|opp|oppty)\s+(?:for|with|at)\s+(?:the\s+)?/i;
// "Acme Logistics - bump to $1.2M": a name set off by a dash or colon at the start is the deal.
const SUBJECT_VERB =
  /^\s*(?:(?:deal|opportunity|opp)\b\s*)?(?:is|was|has|have|moved|slipped|closed|got|just|went|are|signed|now|won\b|lost\b|(?:to|into)\s+(?:prospecting|qualification|discovery|proposal|negotiation|closed)|->|→|=>|at\s+\$?\d|[-–:](?=\s))/i;
const FIELD_SUFFIX = /\s+(?:amount|value|stage|close date|closing date|owner|size|out of|out|down)$/i;
const FIELD_NEXT = /^\s*(?:the\s+)?(.+?)\s+(?:amount|value|close date|closing date|stage|owner)\b/i;
const GENERIC =
  /^(?:it|this|that|one|deal|opportunity|opp|them|everything|all|stage|amount|amt|value|size|price|close date|won|lost|closed|owner|change|update|set|move|mark|push|bump)$/i;
const OWNER =
  /\b(?:reassign|assign|give|hand(?:\s+(?:over|off))?|transfer)\b.*?\bto\s+|\bowner\s+(?:to|is now|=)\s+|\bowner\s+(?:of|on|for)\s+.+?\s+to\s+|\bowned by\s+/i;

function dealName(text: string): string | undefined {
  const explicit = /\b(?:the\s+)?(?:deal|opportunity|opp)\s+(?:of|for|called|named)?\s*(?:the\s+)?(?=\p{Lu})/u.exec(
    text,
  );
  const called = explicit && takeEntity(text, explicit.index + explicit[0].length);
  if (called && !GENERIC.test(called.text)) return called.text;
  for (const re of [FIELD_OF, WE_VERB, RESULT_ON, VERB_FIRST, DEAL_FOR]) {
    const m = re.exec(text);
    if (!m) continue;
    const p = withNumber(text, takeEntity(text, m.index + m[0].length));
    if (p && !GENERIC.test(p.text)) return p.text.replace(FIELD_SUFFIX, '');
  }
  const field = FIELD_NEXT.exec(text);
  const named = field && takeEntity(field[1]);
  if (named && !GENERIC.test(named.text)) return named.text;
  const subject = withNumber(text, takeEntity(text, 0));
  if (subject && !GENERIC.test(subject.text) && SUBJECT_VERB.test(text.slice(subject.end))) return subject.text;
  return dealMention(text);
}

// How deals are named: an account and the kind of deal ("Acme renewal", "Umbrella Corp new business", "acme exp").
const DEAL_KIND = /\b(?:renewal|upsell|expansion|exp|pilot|platform|new business|new biz|rollout|poc)\b/gi;
const TOPIC_LEAD = /^(?:(?:an?\s+)?update\s+on|on|for|re:?|about|regarding|with)\s+/i;

/** A deal named anywhere in a longer message ("so the Globex upsell, they want fewer seats..."): account + kind. */
function dealMention(text: string): string | undefined {
  DEAL_KIND.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = DEAL_KIND.exec(text)); ) {
    const before = entityBefore(text, m.index)?.split(/\s+/) ?? [];
    while (before.length && (isCommonWord(before[0]) || TOPIC_LEAD.test(`${before[0]} `))) before.shift();
    if (before.length && !GENERIC.test(before.join(' '))) return `${before.join(' ')} ${m[0]}`;
  }
  const topic = /^(?:(?:an?\s+)?update\s+on|on|for|re:?|about|regarding)\s+(?:the\s+)?/i.exec(text);
  const lead = topic ? takeEntity(text, topic[0].length) : undefined;
  return lead && /^\s*[,:-]/.test(text.slice(lead.end)) && !GENERIC.test(lead.text) ? lead.text : undefined;
}

// "acme 360 to negotiation": a short number right after a name, before the verb, is part of the deal's name.
function withNumber(text: string, p: Phrase | undefined): Phrase | undefined {
  const n = p && /^\s+(\d{1,4})(?=\s+(?:to|into|is|was|now|moved|deal|opp)\b)/i.exec(text.slice(p.end));
  return p && n ? { text: `${p.text} ${n[1]}`, end: p.end + n[0].length } : p;
}

// "next step: send the MSA", "the next step is a pricing call with Chen next week": the rest of the clause.
const NEXT_STEP =
  /\bnext steps?\s*(?:(?:on|for)\s+(?:the\s+)?([^:]+?)\s*(?=[:=-]))?(?:is|are|will be|would be|=|:|-)?\s*(?:to\s+)?([^/|;\n]+?)\s*(?=$|[/|;\n]|\.(?:\s|$)|,\s*(?:expected|close|closing|amount|stage)\b)/i;
// Why it was lost: after "lost -", "because", "they went with", "reason:".
const LOSS_REASON = [
  /\b(?:lost|closed[- ]lost)\b(?:\s+it)?\s*(?:[-:]\s+|\s+(?:because|due to|since|as)\s+(?:of\s+)?|\s+to\s+(?=(?:a|an|the)\s|\p{Lu}))([^,.;]+)/iu,
  /\b(?:they|the client|the customer|client|customer|we)\s+(?:have\s+|'ve\s+|has\s+)?(?:went|gone|go|going|chose|choose|picked|decided to go|signed|moved|went ahead)\s+(?:with|for|to)?\s*([^,.;]+)/iu,
  // "we lost Umbrella Corp to a competitor": the reason after the deal's name.
  /\blost\s+\p{Lu}[\p{L}&.' -]*?\s+to\s+((?:a|an|the)\s+[^,.;]+|\p{Lu}[^,.;]*)/u,
  /\b(?:because|due to)\s+([^,.;]+)/iu,
  /\breason(?:\s+is|\s+was|\s*:|\s*-)\s*([^,.;]+)/iu,
  /\b(no budget|budget (?:cut|freeze|frozen)|lost funding|went dark|bad timing|too expensive|price|pricing)\b/iu,
];
const CATEGORY: [NonNullable<DealUpdate['category']>, RegExp][] = [
  ['omitted', /\bomit(?:ted)?\b|\b(?:out of|off|remove (?:it )?from) the forecast\b/],
  ['best_case', /\bbest[- ]?case\b/],
  ['commit', /\bcommit(?:ted)?\b(?!\s+to\b)/],
  ['pipeline', /\b(?:forecast )?category (?:to |as )?pipeline\b|\bback (?:in)?to pipeline\b/],
];
const RAISE = /\b(?:bump|rais|increas|up|add|grow|upp)\w*\b(?:\s+\S+){0,5}?\s+by\s*$|\+\s*$/i;
const LOWER =
  /\b(?:reduc|lower|drop|cut|decreas|trim|knock|subtract|shav|down)\w*\b(?:\s+\S+){0,5}?\s+by\s*$|\b(?:knock|take|shave)\w*\s+(?:off\s+)?$/i;

export function parseDealUpdate(ctx: Ctx): ActionInput {
  // A quoted email or message is what the customer said, not the instruction; but it may be the user's own notes.
  const unquoted = blankQuotes(ctx.text);
  const action = readDealUpdate(ctx, unquoted);
  const asked = action.type === 'clarify';
  return asked && unquoted !== ctx.text ? readDealUpdate(ctx, ctx.text) : action;
}

function readDealUpdate(ctx: Ctx, source: string): ActionInput {
  let text = source;
  const action: Partial<DealUpdate> = { type: 'deal.update' };
  let named: string | undefined;
  const next = NEXT_STEP.exec(text);
  if (next && tidy(next[2])) {
    action.nextStep = tidy(next[2]);
    named = next[1] && tidy(next[1]);
    text = cut(text, next.index, next.index + next[0].length);
  }
  const owner = OWNER.exec(text);
  if (owner) {
    const p = takeEntity(text, owner.index + owner[0].length);
    if (p) {
      action.owner = p.text;
      text = cut(text, owner.index + owner[0].length, p.end);
    }
  }
  const negative = findAmounts(text).find((a) => a.sign === -1 && !LOWER.test(text.slice(0, a.start)));
  if (negative && !/\bby\s*$/i.test(text.slice(0, negative.start)))
    return {
      type: 'clarify',
      question: `An amount can't be negative. Should the amount be ${formatAmount(negative.value)}, or lower by ${formatAmount(negative.value)}?`,
    };
  text = takeAmountChange(text, action);
  text = takeCloseDateAndAmount(text, ctx, action);
  const low = text.toLowerCase().replace(/\bclose date\b|\bclosing date\b/g, '');
  // "should be best case not commit": the category it is not is no change.
  const category = CATEGORY.find(([, re]) =>
    re.test(low.replace(/\bnot\s+(?:in\s+)?(?:commit|best[- ]?case|omitted)\b/g, '')),
  )?.[0];
  if (category && /\b(?:forecast|category|commit|best[- ]?case|omit)/.test(low)) action.category = category;
  const stage = findStage(low.replace(/\bcommit(?:ted)?\b/g, ''));
  if (stage) action.stage = stage;
  if (action.stage === 'closed_lost') {
    const reason = LOSS_REASON.map((re) => re.exec(text)).find(Boolean);
    const why = reason && tidy(reason[1].replace(/\s+(?:so|and)\s+(?:mark|move|set|put|close)\b.*$/i, ''));
    if (why && !/^(?:it|this|that|the deal|deal)$/i.test(why)) action.lossReason = why;
    else if (/\bput (?:that|this) as the reason\b/i.test(text)) {
      const went = /\b(?:went|go|going|chose|picked)\s+with\s+([^,.;]+)/i.exec(text);
      if (went) action.lossReason = tidy(went[0]);
    }
  }
  const deal = dealName(text) ?? named;
  if (!deal) return ctx.ask('deal.update.deal', action);
  action.deal = deal;
  const changes = ['stage', 'amount', 'amountChange', 'closeDate', 'owner', 'category', 'nextStep'] as const;
  if (!changes.some((k) => action[k] !== undefined)) return ctx.ask('deal.update.stage', action);
  return action as DealUpdate;
}

const formatAmount = (n: number) => `$${n.toLocaleString('en-US')}`;

/** "bump it by 10k", "reduce by 5k", "+20k": a signed change of the amount. */
function takeAmountChange(text: string, action: { amountChange?: number }): string {
  for (const a of findAmounts(text)) {
    const head = text.slice(0, a.start);
    const up = a.sign === 1 || RAISE.test(head);
    const down = a.sign === -1 || LOWER.test(head);
    if (!up && !down) continue;
    action.amountChange = down ? -a.value : a.value;
    return cut(text, a.start, a.end);
  }
  return text;
}

/** Moves a close date (looking ahead) and an amount from the text into the action; returns the rest of the text. */
function takeCloseDateAndAmount(text: string, ctx: Ctx, action: { closeDate?: string; amount?: number }): string {
  const date = findDate(text, ctx.today, true);
  if (date) {
    action.closeDate = date.date;
    text = cut(text, date.start, date.end);
  }
  const amount = findAmounts(text)[0];
  if (amount) {
    action.amount = amount.value;
    text = cut(text, amount.start, amount.end);
  }
  return text;
}

const CREATE_LEAD =
  /\b(?:new|create|add|open|log|set up|start|register|enter)\b:?\s+(?:a\s+|an\s+)?(?:new\s+)?(?:deal|opportunity|opp|oppty)\b\s*:?\s*/i;
/** A "field: value" pair of a form-like message ("create deal: account Globex, name Globex Renewal 2027"). */
function formField(text: string, keys: string): string | undefined {
  const m = new RegExp(String.raw`(?:^|[,;:]\s*)(?:${keys})\s*[:=]?\s+([^,;]+)`, 'i').exec(text);
  return m?.[1].trim().replace(/[.!?]+$/, '') || undefined;
}

const DEAL_KIND_TAIL = /\s+(?:renewal|expansion|upsell|pilot|platform|new business)$/i;
const NAMED = /^(?:called|named|titled)?\s*["']?/i;

export function parseDealCreate(ctx: Ctx): ActionInput {
  let text = ctx.text;
  const action: Partial<DealCreate> = { type: 'deal.create' };
  text = takeCloseDateAndAmount(text, ctx, action);
  const stage = findStage(text.toLowerCase().replace(/\bclos(?:ing|e)\b/g, ''));
  if (stage) {
    action.stage = stage;
    // "new deal soylent 5k qualification": the stage word is not part of the account's name.
    text = text.replace(
      /\b(?:(?:in|at)\s+)?(?:the\s+)?(?:stage\s+)?(?:prospecting|qualification|discovery|proposal|negotiation)(?:\s+stage)?\b/i,
      ' ',
    );
  }

  const lead = CREATE_LEAD.exec(text);
  const from = lead
    ? lead.index + lead[0].length + (/^\s*[-–:]\s*/.exec(text.slice(lead.index + lead[0].length))?.[0].length ?? 0)
    : 0;
  const called = /\b(?:called|named|titled)\s+["']?/i.exec(text);
  const calledName = called ? takeEntity(text, called.index + called[0].length) : undefined;
  if (calledName) action.name = calledName.text.replace(/["']+$/, '');
  const forMatch = /\b(?:for|with|at|it'?s|it is|this is|account is|company is|client is|customer is)\s+/i.exec(
    text.slice(from),
  );
  const account = forMatch ? takeEntity(text, from + forMatch.index + forMatch[0].length) : undefined;
  const named = takeEntity(text, from + (NAMED.exec(text.slice(from))?.[0].length ?? 0));
  const form = {
    account: formField(ctx.text, 'account|company|customer'),
    name: formField(ctx.text, 'name|deal name|title'),
  };
  if (form.account) {
    action.account = form.account;
    if (form.name) action.name = form.name;
  } else if (account) {
    action.account = account.text;
    if (!action.name && named && forMatch && forMatch.index > 0) action.name = named.text.replace(/["']+$/, '');
  } else if (named && !calledName) {
    action.account = named.text;
  }
  if (!action.account) return ctx.ask('deal.create.account', action);
  // "new deal for Acme renewal": the account is Acme; "Acme renewal" is the deal's name.
  const kind = DEAL_KIND_TAIL.exec(action.account);
  if (kind && !form.account && kind.index > 0) {
    action.name ??= action.account;
    action.account = action.account.slice(0, kind.index);
  }
  return action as DealCreate;
}

// "a deal", "a new opp", "a 10k deal", "a new $50k opportunity".
const DEAL_NOUN_SRC = String.raw`(?:a |an )?(?:new )?(?:\$?\d[\d.,]*\s?(?:k|m|mm|grand)?\s)?(?:new )?(?:(?!business\b|biz\b)[\w-]+ )?(?:deal|opportunity|opp|oppty)\b`;
const CREATE_VERB = '(?:new|create|add|open|log|set up|start|register|enter)';

export const dealCreateRules: IntentRule[] = [
  {
    name: 'new deal, first words',
    action: 'deal.create',
    priority: PRIORITY.question - 20,
    when: new RegExp(String.raw`^${CREATE_VERB}\b:? ${DEAL_NOUN_SRC}`),
  },
  {
    name: 'new deal',
    action: 'deal.create',
    priority: PRIORITY.typical - 10,
    when: new RegExp(String.raw`\b${CREATE_VERB}\b:? ${DEAL_NOUN_SRC}`),
  },
  {
    name: 'deal for an account with an amount',
    action: 'deal.create',
    priority: PRIORITY.statement - 5,
    when: /^(?:an? )?(?:deal|opp|opportunity|oppty) (?:for|with|at) \S.*\d/,
    unless: /\b(?:is|now|moved|to)\b/,
  },
];

const QUESTION =
  /^(?:what|whats|what's|how|which|show|list|any|who|where|when|why|total|count|sum|top|give|get|tell)\b|^(?:is|are|do|does|did)\s+(?:we|i|you|they|it|there|any)\b|\?\s*$/;

export const dealUpdateRules: IntentRule[] = [
  {
    name: 'forecast category, next step or relative amount of a deal',
    action: 'deal.update',
    priority: PRIORITY.question + 5,
    when: /^pull\s+(?:in\s+)?(?:the\s+)?\S+(?:\s+\S+){0,3}?\s+(?:in(?:to)?|forward|up)\s+(?:to\s+)?(?:this|next|q[1-4]|the)\b|\b(?:in|into|to|as)\s+(?:the\s+)?(?:commit|best[- ]?case|omitted)\b|\bshould be (?:in )?(?:commit|best[- ]?case)\b|\b(?:forecast )?category to\b|\bout of the forecast\b|\bmark (?:it |this )?(?:as )?omitted\b|\bnext steps?\b(?:\s+(?:on|for)\s+[^:]+)?\s*(?::|=|-\s|is\b|are\b|to\b)|\b(?:bump|rais|increas|reduc|lower|drop|cut|decreas|trim)\w*\b(?:\s+\S+){0,5}?\s+by\s+[$€£]?\d|\b(?:bump|rais|increas|add)\w*\b(?:\s+\S+){0,4}?\s+\+\s?[$€£]?\d/,
    unless: QUESTION,
  },
  {
    name: 'deal lost or won, with why or how much',
    action: 'deal.update',
    priority: PRIORITY.statement + 10,
    when: /^\S+(?: \S+){0,3} (?:lost|won|closed[- ]?(?:won|lost))\s*[-:,]\s|\b(?:we|they) (?:have |'ve )?(?:lost|won) (?:it|this|that|the deal)\b|^\S+(?: \S+){0,2} (?:renewal|upsell|expansion|exp|pilot|platform|new business|new biz)\s+(?:is\s+|at\s+|now\s+|=\s*)?[$€£]?\d[\d.,]*\s?(?:k|m|mm)?\s*$|\b(?:update|change|set)\s+(?:the\s+)?(?:amount|value|size)\s+(?:of|on|for)\b.*\bto\b|^[^:,]{2,40}:\s*(?:prospecting|qualification|discovery|proposal|negotiation|closed|won|lost)\b/,
    unless: QUESTION,
  },
  {
    name: 'stage, amount or owner changed',
    action: 'deal.update',
    priority: PRIORITY.statement,
    when: /\bnow (?:at |worth )?\$?\d|\b(?:to|into) (?:prospecting|qualification|discovery|proposal|negotiation|closed[- ]?(?:won|lost))\b|^\S+(?: \S+){0,2} (?:won|lost)\s*(?:[!.,;]|$)|(?:->|→|=>)\s*(?:prospecting|qualification|discovery|proposal|negotiation|closed|won|lost)\b|^\S+(?: \S+){0,2} (?:just |finally )?(?:signed|churned|closed[- ]?(?:won|lost))\b|^(?:the )?\S+(?: \S+){0,2} (?:is|was|has been) (?:now )?closed[- ]?(?:won|lost)\b|\b(?:went|gone) dark\b|\bmark (?:it|this|that|them) (?:as )?(?:won|lost|closed)\b|\b(?:give|hand(?: over)?)\b.*\b(?:deal|opp|opportunity)\b.*\bto\b|\b(?:change|set|switch|update) (?:the )?owner\b|\b(?:bump(?:ed)?|rais(?:e|ed)|increas(?:e|ed)|lower(?:ed)?|drop(?:ped)?|reduc(?:e|ed)) (?:it |the (?:amount|value|deal) )?to \$?\d|\b(?:move|moved|push|pushed|slip|slipped|change|set) (?:the )?close\b/,
  },
  {
    name: 'deal verb first',
    action: 'deal.update',
    priority: PRIORITY.statement,
    when: /(?:^|[.!?:;]\s+)(?:pull(?!\s+up\b)|pulled|prepone|move|moved|moving|pushing|slipping|push|pushed|slip|slipped|bump|bumped|advance|advanced|set|change|changed|update|updated|mark|marked|put|progress|shift|drag|reassign|assign|transfer|close|closed|won|lost)\b|\b(?:is|are) now (?:at |in |worth )?(?:\$?\d|in\b|at\b|closed|won|lost|prospecting|qualification|discovery|proposal|negotiation)|\b(?:we|they|i) (?:just |finally )?(?:lost|won|closed|signed)\b|\b(?:moved|slipped|pushed|advanced|progressed|went) (?:to|into|out)\b|\b(?:close date|closing date)\b|\bamount\s+(?:to\s+|is\s+|=\s*)?\$?\d|\b(?:move|moved|push|advance)\b.*\bto (?:prospecting|qualification|discovery|proposal|negotiation|closed)|\bis (?:in|at) (?:prospecting|qualification|discovery|proposal|negotiation)\b|\bdeal\b.*\b(?:closed|won|lost|is now|moved|slipped)\b/,
  },
];
