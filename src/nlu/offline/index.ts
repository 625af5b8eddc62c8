/**
 * The offline (deterministic) parser: chat text -> one typed action. It never throws; anything it
 * cannot read with confidence becomes a clarify action with a specific question.
 */
import { SKILLS } from '../../../skills/index.ts';
import { Action as ActionSchema, SPECS, validateAction, type Action } from '../../actions/index.ts';
import type { ActionInput } from '../../core/types.ts';
import { NOT_UNDERSTOOD } from './clarify.ts';
import type { Ctx } from './context.ts';
import { findImpossibleDate } from './dates.ts';
import { detectIntent, type Intent } from './intent.ts';
import { normalize } from './text.ts';
import { spokenNumbersToDigits } from './numbers.ts';
import { expandShorthand } from './slang.ts';
import { fixTypos } from './typos.ts';

/** Each action's extractor, as its skill registers it; built on first use (the skills load this module). */
let extractors: Map<string, (ctx: Ctx) => ActionInput> | undefined;
const extractorOf = (intent: Intent) =>
  (extractors ??= new Map(SPECS.flatMap((a) => (a.extract ? [[a.schema.shape.type.value, a.extract]] : [])))).get(
    intent,
  );

const DATED = new Set<Intent>([
  'pipeline.query',
  'activity.log',
  'deal.update',
  'deal.create',
  'task.create',
  'case.metrics',
  'audit.query',
]);
const TODAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseOffline(text: string, opts: { today: string }): Action {
  try {
    const today = TODAY.test(opts?.today ?? '') ? opts.today : new Date().toISOString().slice(0, 10);
    const clean = fixTypos(spokenNumbersToDigits(expandShorthand(normalize(typeof text === 'string' ? text : ''))));
    if (!/[\p{L}\p{N}?]/u.test(clean)) return { type: 'clarify', question: NOT_UNDERSTOOD };
    const ctx: Ctx = { text: clean, low: clean.toLowerCase(), today, ask };
    const intent = detectIntent(ctx.low);
    // "remind me on Feb 30": a date that does not exist is asked about, never dropped or kept as text.
    const impossible = DATED.has(intent) ? findImpossibleDate(clean) : undefined;
    if (impossible) return { type: 'clarify', question: `"${impossible}" isn't a real date. Which date do you mean?` };
    const extract = extractorOf(intent);
    return finalize(extract ? extract(ctx) : { type: 'clarify', question: NOT_UNDERSTOOD });
  } catch {
    return { type: 'clarify', question: NOT_UNDERSTOOD };
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
  return { type: 'clarify', question: NOT_UNDERSTOOD };
}
