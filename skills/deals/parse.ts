/** deal.update and deal.create: which deal, and its stage, amount, close date or owner. */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import { findAmounts } from '../../src/nlu/offline/amounts.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { findDate } from '../../src/nlu/offline/dates.ts';
import { findStage } from '../../src/nlu/offline/stages.ts';
import { cut, takeEntity, type Phrase } from '../../src/nlu/offline/text.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type DealUpdate = Extract<Action, { type: 'deal.update' }>;
type DealCreate = Extract<Action, { type: 'deal.create' }>;

const VERB_FIRST =
  /^(?:please\s+)?(?:move|moved|moving|push|pushed|pushing|slip|slipped|slipping|bump|bumped|advance|advanced|set|change|changed|update|updated|mark|marked|put|progress|shift|drag|reassign|assign|transfer|give|hand|close|closed|won|lost)\s*:?\s+(?:the\s+|our\s+)?/i;
const RESULT_ON = /\b(?:won|lost|closed(?:[- ]?(?:won|lost))?)\s+(?:on|for|with)\s+(?:the\s+)?/i;
const FIELD_OF = /\b(?:amount|value|stage|close date|closing date|owner|size)\s+(?:on|of|for)\s+(?:the\s+)?/i;
const WE_VERB = /\b(?:we|they|i)\s+(?:just\s+|finally\s+)?(?:lost|won|closed|signed)\s+(?:the\s+|our\s+)?/i;
const DEAL_FOR = /\b(?:deal|opportunity|opp|oppty)\s+(?:for|with|at)\s+(?:the\s+)?/i;
// "Acme Logistics - bump to $1.2M": a name set off by a dash or colon at the start is the deal.
const SUBJECT_VERB =
  /^\s*(?:deal\s+|opportunity\s+|opp\s+)?(?:is|was|has|have|moved|slipped|closed|got|just|went|are|signed|now|won\b|lost\b|(?:to|into)\s+(?:prospecting|qualification|discovery|proposal|negotiation|closed)|->|→|=>|at\s+\$?\d|[-–:](?=\s))/i;
const FIELD_SUFFIX = /\s+(?:amount|value|stage|close date|closing date|owner|size)$/i;
const FIELD_NEXT = /^\s*(?:the\s+)?(.+?)\s+(?:amount|value|close date|closing date|stage|owner)\b/i;
const GENERIC =
  /^(?:it|this|that|one|deal|opportunity|opp|them|everything|all|stage|amount|close date|won|lost|closed|owner)$/i;
const OWNER =
  /\b(?:reassign|assign|give|hand(?:\s+(?:over|off))?|transfer)\b.*?\bto\s+|\bowner\s+(?:to|is now|=)\s+|\bowner\s+(?:of|on|for)\s+.+?\s+to\s+|\bowned by\s+/i;

function dealName(text: string): string | undefined {
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
  return undefined;
}

// "acme 360 to negotiation": a short number right after a name, before the verb, is part of the deal's name.
function withNumber(text: string, p: Phrase | undefined): Phrase | undefined {
  const n = p && /^\s+(\d{1,4})(?=\s+(?:to|into|is|was|now|moved|deal|opp)\b)/i.exec(text.slice(p.end));
  return p && n ? { text: `${p.text} ${n[1]}`, end: p.end + n[0].length } : p;
}

export function parseDealUpdate(ctx: Ctx): ActionInput {
  let text = ctx.text;
  const action: Partial<DealUpdate> = { type: 'deal.update' };
  const owner = OWNER.exec(text);
  if (owner) {
    const p = takeEntity(text, owner.index + owner[0].length);
    if (p) {
      action.owner = p.text;
      text = cut(text, owner.index + owner[0].length, p.end);
    }
  }
  text = takeCloseDateAndAmount(text, ctx, action);
  const stage = findStage(text.toLowerCase().replace(/\bclose date\b|\bclosing date\b/g, ''));
  if (stage) action.stage = stage;
  const deal = dealName(text);
  if (!deal) return ctx.ask('deal.update.deal');
  action.deal = deal;
  if (!action.stage && !action.amount && !action.closeDate && !action.owner) return ctx.ask('deal.update.stage');
  return action as DealUpdate;
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
  const forMatch = /\b(?:for|with|at)\s+/i.exec(text.slice(from));
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
  if (!action.account) return ctx.ask('deal.create.account');
  // "new deal for Acme renewal": the account is Acme; "Acme renewal" is the deal's name.
  const kind = DEAL_KIND_TAIL.exec(action.account);
  if (kind && !form.account && kind.index > 0) {
    action.name ??= action.account;
    action.account = action.account.slice(0, kind.index);
  }
  return action as DealCreate;
}

// "a deal", "a new opp", "a 10k deal", "a new $50k opportunity".
const DEAL_NOUN_SRC = String.raw`(?:a |an )?(?:new )?(?:\$?\d[\d.,]*\s?(?:k|m|mm|grand)?\s)?(?:new )?(?:deal|opportunity|opp|oppty)\b`;
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

export const dealUpdateRules: IntentRule[] = [
  {
    name: 'stage, amount or owner changed',
    action: 'deal.update',
    priority: PRIORITY.statement,
    when: /\bnow (?:at |worth )?\$?\d|\b(?:to|into) (?:prospecting|qualification|discovery|proposal|negotiation|closed[- ]?(?:won|lost))\b|^\S+(?: \S+){0,2} (?:won|lost)\s*(?:[!.,;]|$)|(?:->|→|=>)\s*(?:prospecting|qualification|discovery|proposal|negotiation|closed|won|lost)\b|^\S+(?: \S+){0,2} (?:just |finally )?(?:signed|churned|closed[- ]?(?:won|lost))\b|\b(?:went|gone) dark\b|\bmark (?:it|this|that|them) (?:as )?(?:won|lost|closed)\b|\b(?:give|hand(?: over)?)\b.*\b(?:deal|opp|opportunity)\b.*\bto\b|\b(?:change|set|switch|update) (?:the )?owner\b|\b(?:bump(?:ed)?|rais(?:e|ed)|increas(?:e|ed)|lower(?:ed)?|drop(?:ped)?|reduc(?:e|ed)) (?:it |the (?:amount|value|deal) )?to \$?\d|\b(?:move|moved|push|pushed|slip|slipped|change|set) (?:the )?close\b/,
  },
  {
    name: 'deal verb first',
    action: 'deal.update',
    priority: PRIORITY.statement,
    when: /^(?:move|moved|moving|pushing|slipping|push|pushed|slip|slipped|bump|bumped|advance|advanced|set|change|changed|update|updated|mark|marked|put|progress|shift|drag|reassign|assign|transfer|close|closed|won|lost)\b|\b(?:is|are) now (?:at |in |worth )?(?:\$?\d|in\b|at\b|closed|won|lost|prospecting|qualification|discovery|proposal|negotiation)|\b(?:we|they|i) (?:just |finally )?(?:lost|won|closed|signed)\b|\b(?:moved|slipped|pushed|advanced|progressed|went) (?:to|into|out)\b|\b(?:close date|closing date)\b|\bamount\s+(?:to\s+|is\s+|=\s*)?\$?\d|\b(?:move|moved|push|advance)\b.*\bto (?:prospecting|qualification|discovery|proposal|negotiation|closed)|\bis (?:in|at) (?:prospecting|qualification|discovery|proposal|negotiation)\b|\bdeal\b.*\b(?:closed|won|lost|is now|moved|slipped)\b/,
  },
];
