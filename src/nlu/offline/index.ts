/**
 * The offline (deterministic) parser: chat text -> one typed action, in named stages: clean the text, find and
 * settle its spans, let every skill's intent rules vote, run the winner's extractor, validate. It never throws;
 * anything it cannot read with confidence becomes a clarify action with a specific question.
 */
import { SKILLS } from '../../../skills/index.ts';
import { Action as ActionSchema, SPECS, validateAction, type Action } from '../../actions/index.ts';
import type { ActionInput } from '../../core/types.ts';
import { decide, type Decision, type IntentRule, PRIORITY } from '../intents.ts';
import { findSpans, Spans } from '../spans.ts';
import { NOT_UNDERSTOOD } from './clarify.ts';
import type { Ctx } from './context.ts';
import { findImpossibleDate } from './dates.ts';
import { spokenNumbersToDigits } from './numbers.ts';
import { expandShorthand } from './slang.ts';
import { blankQuotes, normalize } from './text.ts';
import { fixTypos } from './typos.ts';

export interface ParseOptions {
  today: string;
  /** The message's time, for "in 2 hours" (the current time when absent). */
  now?: Date;
}

/** What the parser did with one message, stage by stage (what `npm run parse -- --explain` prints). */
export interface Trace {
  clean: string;
  decision: Decision;
  spans: Spans;
  action: Action;
  /** When the action is a question back: the request it is about, the field it asks for, what is known so far. */
  asked?: Asked;
}

export interface Asked {
  type: string;
  field: string;
  partial: ActionInput;
}

interface Registered {
  rules: IntentRule[];
  extractors: Map<string, (ctx: Ctx) => ActionInput>;
}

/** Every skill's rules and extractors, collected on first use (the skills load this module). */
let registered: Registered | undefined;
function registry(): Registered {
  registered ??= {
    rules: SPECS.flatMap((a) => a.nlu?.rules ?? []),
    extractors: new Map(SPECS.flatMap((a) => (a.nlu ? [[a.schema.shape.type.value, a.nlu.extract] as const] : []))),
  };
  return registered;
}

const TODAY = /^\d{4}-\d{2}-\d{2}$/;
const clarify = (question = NOT_UNDERSTOOD): Action => ({ type: 'clarify', question });

/** The cleaned text every stage works on: no Slack tokens or politeness, shorthand spelled out, numbers as digits, typos fixed. */
export const clean = (text: string) =>
  fixTypos(spokenNumbersToDigits(expandShorthand(normalize(typeof text === 'string' ? text : ''))));

export function trace(text: string, opts: ParseOptions): Trace {
  const today = TODAY.test(opts?.today ?? '') ? opts.today : new Date().toISOString().slice(0, 10);
  const cleaned = clean(text);
  const spans = new Spans(findSpans(cleaned, today, opts?.now ?? new Date()));
  const low = cleaned.toLowerCase();
  const { rules, extractors } = registry();
  // Quoted passages (a pasted email) do not vote; when only they say anything, they are all there is.
  const unquoted = blankQuotes(low);
  const outside = unquoted === low ? undefined : decide(unquoted, rules);
  const decision = requestClause(outside?.action ? outside : decide(low, rules), unquoted, rules);
  const done = (action: Action): Trace => ({ clean: cleaned, decision, spans, action });
  if (!/[\p{L}\p{N}?]/u.test(cleaned)) {
    // Only pleasantries ("hi", "thanks!"), which cleaning drops: a greeting, answered with a pointer to help.
    return done(/\p{L}/u.test(String(text ?? '')) ? { type: 'help' } : clarify());
  }
  // "remind me on Feb 30": a date that does not exist is asked about, never dropped or kept as text.
  const impossible = decision.action && decision.action !== 'help' ? findImpossibleDate(cleaned) : undefined;
  if (impossible) return done(clarify(`"${impossible}" isn't a real date. Which date do you mean?`));
  if (!decision.action || !extractors.has(decision.action)) return done(clarify());
  const read = extractWith(decision.action, cleaned, today, spans);
  return { clean: cleaned, decision, spans, action: read.action, asked: read.asked };
}

/**
 * One extractor on a text, whatever the intent rules would say: how a conversation reads "make it 45 minutes" as a
 * change to the call waiting for confirmation (`base`), or "for Pied Piper" as the answer to "which account?".
 */
export function extractAs(type: string, text: string, opts: ParseOptions, base?: ActionInput): Trace {
  const today = TODAY.test(opts?.today ?? '') ? opts.today : new Date().toISOString().slice(0, 10);
  const cleaned = clean(text);
  const spans = new Spans(findSpans(cleaned, today, opts?.now ?? new Date()));
  const read = extractWith(type, cleaned, today, spans, base);
  return { clean: cleaned, decision: { action: type, fired: [] }, spans, ...read };
}

function extractWith(
  type: string,
  cleaned: string,
  today: string,
  spans: Spans,
  base?: ActionInput,
): { action: Action; asked?: Asked } {
  const { rules, extractors } = registry();
  let asked: Asked | undefined;
  const ctx: Ctx = {
    text: cleaned,
    low: cleaned.toLowerCase(),
    today,
    spans,
    base,
    ask: (key, partial) => {
      const field = key.slice(key.lastIndexOf('.') + 1);
      const askedType = key.slice(0, key.lastIndexOf('.'));
      asked = { type: askedType, field, partial: { ...partial, type: askedType } };
      return ask(key);
    },
    intentOf: (t) => decide(t.toLowerCase(), rules).action,
  };
  const action = finalize(extractors.get(type)!(ctx));
  return { action, asked: action.type === 'clarify' ? asked : undefined };
}

// "Okay, last thing for the review, can you give me total closed won this year": the request after a preamble.
const ASKS =
  /\b(?:(?:can|could|would|will)\s+(?:you|u)(?:\s+(?:please|just|quickly|also))*|i\s+(?:need|want|would like|'d like)\s+to\s+know|tell me|do you know)\b\s*,?\s*/g;

/** When only weak evidence decided (a preamble's words), strong evidence in the clause that asks decides instead. */
function requestClause(decision: Decision, low: string, rules: IntentRule[]): Decision {
  if ((decision.winner?.rule.priority ?? 0) > PRIORITY.typical) return decision;
  let last: RegExpExecArray | undefined;
  ASKS.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = ASKS.exec(low)); ) last = m;
  if (!last || last.index === 0) return decision;
  const asked = decide(low.slice(last.index + last[0].length), rules);
  const strength = asked.winner?.rule.priority ?? 0;
  return strength >= PRIORITY.question && strength > (decision.winner?.rule.priority ?? 0) ? asked : decision;
}

export function parseOffline(text: string, opts: ParseOptions): Action {
  try {
    return trace(text, opts).action;
  } catch {
    return clarify();
  }
}

function ask(key: string): ActionInput {
  return { type: 'clarify', question: SKILLS.find((s) => s.missing[key])?.missing[key] ?? NOT_UNDERSTOOD };
}

/** Validates the action; optional fields that fail the schema (an over-long name, say) are dropped rather than failing the whole parse. */
function finalize(action: ActionInput): Action {
  let candidate: Record<string, unknown> = { ...action };
  for (let attempt = 0; attempt < 3; attempt++) {
    const ok = validateAction(candidate);
    if (ok.ok) return ok.action;
    const issues = ActionSchema.safeParse(candidate).error?.issues ?? [];
    const bad = new Set(issues.map((i) => i.path[0]).filter((k): k is string => typeof k === 'string' && k !== 'type'));
    if (bad.size === 0) break;
    candidate = Object.fromEntries(Object.entries(candidate).filter(([k]) => !bad.has(k)));
  }
  return clarify();
}
