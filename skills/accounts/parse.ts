/** account.create ("add Harlow Dental as an account, harlowdental.com") and account.summary ("what's the latest on Acme"). */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { takeEntity, tidy } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';

const DOMAIN =
  /\b(?:https?:\/\/)?(?:www\.)?([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|io|ai|co|net|org|de|uk|fr|es|nl|in|eu|us|ca|au|health|tech|app|dev|biz|info|co\.uk|com\.au))\b/i;
const CREATE_LEAD =
  /^(?:please\s+)?(?:(?:can you|could you)\s+)?(?:create|add|new|set up|open|register)\s+(?:one\s+)?(?:a\s+|an\s+)?(?:new\s+)?(?:account|acct|company|client|customer)s?\b\s*(?:for|called|named)?\s*[:,-]?\s*(?:this one\s*[:,-]?\s*)?|\b(?:create|add|set up|make)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:account|acct|company)\s+(?:for|called|named)\s+|\bnew\s+(?:account|acct|client|company)\s*[:,-]?\s*(?:for\s+|called\s+|named\s+)?/i;
const INDUSTRY =
  /\b(?:industry(?:\s+is)?|sector|in (?:the )?|they(?:'re| are) (?:in|an?)|vertical)\s*[:=]?\s*([\p{L}][\p{L} &/-]{2,40}?)(?=\s*(?:[,.;)]|$| industry\b| sector\b| space\b| business\b))/iu;

/** "Create an account for Harlow Dental, harlowdental.com, healthcare." */
export function parseAccountCreate(ctx: Ctx): ActionInput {
  const text = ctx.text.replace(/[©]\s*\d{4}\s*/g, '');
  const action: Partial<Extract<Action, { type: 'account.create' }>> = { type: 'account.create' };
  const email = ctx.spans.take('email');
  const domain =
    DOMAIN.exec(ctx.spans.blank(text)) ??
    (email ? { 1: email.value.split('@')[1], index: email.start, 0: email.text } : null);
  if (domain) action.domain = String(domain[1]).toLowerCase();
  // "add Kestrel Health as an account": the name comes before the noun.
  const before = /^(?:please\s+)?(?:add|create|set up|register|make)\s+(?=\S)(?!(?:a|an|new)\s)/i.exec(text);
  const as = /\s+as\s+(?:a\s+|an\s+)?(?:new\s+)?(?:account|acct|client|customer|company)\b/i.exec(text);
  const lead = before && as ? before : CREATE_LEAD.exec(text);
  const from = lead ? lead.index + lead[0].length : 0;
  const called = /\b(?:called|named)\s+/i.exec(text.slice(from));
  const start = called ? from + called.index + called[0].length : from;
  const name = takeEntity(text.replace(/\s+\(/g, ' , ('), start) ?? takeEntity(text.replace(/^[^\n:]*[:\n]\s*/, ''));
  if (!name || isCommonWord(name.text.split(' ')[0])) return ctx.ask('account.create.name');
  action.name = name.text;
  const rest = text.slice(start + name.text.length);
  const industry =
    INDUSTRY.exec(rest) ??
    /^[^,]*,\s*[^,]*\.[a-z]{2,}[)\s]*[,—–-]\s*([\p{L}][\p{L} &/-]{2,40}?)\s*[.!]?$/iu.exec(rest) ??
    /[—–]\s*([\p{L}][\p{L} &/-]{2,40}?)\s*$/u.exec(rest) ??
    /,\s*([\p{L}][\p{L} &/-]{2,30}?)\s*[.!]?$/u.exec(rest);
  const word = industry && tidy(industry[1]);
  if (word && !DOMAIN.test(word) && !/^(?:please|thanks|the|it|them)$/i.test(word))
    action.industry = word.toLowerCase();
  return action as ActionInput;
}

const SUMMARY_LEAD =
  /\b(?:what'?s|whats|what is)\s+(?:the\s+)?latest\s+(?:on|with|w|for)\s+|\bcatch me up on\s+|\b(?:summary|summarise|summarize|overview|rundown|run-down|brief(?:ing)?|status|360)\s+(?:of|on|for|with)?\s*(?:the\s+)?(?:account\s+)?|\bwhere (?:are we|we are|do we stand|things stand)\s+(?:with|on)\s+|\bprep me (?:for|on)\s+|\bhow (?:are we doing|is it going)\s+with\s+|\baccount summary\s+(?:for|of)?\s*|\banything (?:i|we) should know (?:about|on)\s+/i;

/** "what's the latest on Acme", "catch me up on globex", "pied piper overview". */
export function parseAccountSummary(ctx: Ctx): ActionInput {
  const lead = SUMMARY_LEAD.exec(ctx.text);
  let name = lead ? takeEntity(ctx.text, lead.index + lead[0].length)?.text : undefined;
  if (!name || /^(?:them|it|they|this|that)$/i.test(name)) {
    const before =
      /^(?:the\s+)?([\p{L}][\p{L}&.' -]*?)\s+(?:account\s+)?(?:overview|summary|rundown|status|360)\b/iu.exec(
        ctx.text,
      )?.[1];
    const with_ = /\bwith\s+([\p{Lu}][\p{L}&.'-]*(?:\s+\p{Lu}[\p{L}&.'-]*)*)/u.exec(ctx.text)?.[1];
    const from = /\b(?:it'?s|this is)\s+[\p{L}]+\s+from\s+([\p{Lu}][\p{L}&.'-]*(?:\s+\p{Lu}[\p{L}&.'-]*)*)/u.exec(
      ctx.text,
    )?.[1];
    name = from ?? (before ? takeEntity(before)?.text : undefined) ?? with_;
  }
  if (!name || isCommonWord(name.split(' ')[0])) return ctx.ask('account.summary.account');
  return { type: 'account.summary', account: name };
}

export const accountCreateRules: IntentRule[] = [
  {
    name: 'new account',
    action: 'account.create',
    priority: PRIORITY.explicit - 45,
    when: /\b(?:create|add|new|set up|open|register)\s+(?:one\s+)?(?:a\s+|an\s+)?(?:new\s+)?(?:account|acct|company|client|customer)\b(?!\s+(?:summary|overview|health|manager|owner|exec))|\bnew (?:account|acct|client|customer)\b|\bas (?:a |an )?(?:new )?account\b/,
    unless: /\b(?:contact|deal|opp|opportunity|case|ticket|task|request)\b/,
  },
];

export const accountSummaryRules: IntentRule[] = [
  {
    name: 'the latest on an account',
    action: 'account.summary',
    // Above "open cases" or "deals": a rundown of an account names them as parts of the summary.
    priority: PRIORITY.listing + 5,
    when: /\b(?:what'?s|whats|what is)\s+(?:the\s+)?latest\s+(?:on|with|w|for)\b|\bcatch me up on\b|\b(?:account\s+)?(?:summary|overview|rundown|run-down|briefing|360)\b|\bwhere (?:are we|we are|do we stand|things stand)\b|\bprep me\b|\bgive me (?:a |the )?(?:quick )?(?:rundown|overview|summary)\b|\bhow (?:are we doing|is it going) with\b|\banything (?:i|we) should know (?:about|on)\b/,
    unless: /\b(?:pipeline|forecast|deals by|win rate|support metrics|case metrics)\b/,
  },
];
