/**
 * The offline (deterministic) parser: chat text -> one typed action. It never throws; anything it
 * cannot read with confidence becomes a clarify action with a specific question.
 */
import { Action as ActionSchema, validateAction, type Action, type CanonicalAction } from '../../actions/schema.ts';
import { parseActivity } from './activity.ts';
import { parseAuditQuery, parseChannelConfigure } from './admin.ts';
import { NOT_UNDERSTOOD } from './clarify.ts';
import { parseContactCreate, parseContactLookup, parseLeadQualify } from './contacts.ts';
import type { Ctx } from './context.ts';
import { parseDataRequest, parseDataRequestList, parseDataRequestStep } from './dataRequests.ts';
import { findImpossibleDate } from './dates.ts';
import { parseDealCreate, parseDealUpdate } from './deals.ts';
import { parseCaseHold, parseCaseList, parseCaseMetrics, parseEscalationCreate, parseEscalationUpdate } from './escalations.ts';
import { parseHelp } from './help.ts';
import { detectIntent, type Intent } from './intent.ts';
import { parsePipeline } from './pipeline.ts';
import { parseTaskCreate, parseTaskList } from './tasks.ts';
import { normalize } from './text.ts';
import { spokenNumbersToDigits } from './numbers.ts';
import { expandShorthand } from './slang.ts';
import { fixTypos } from './typos.ts';

const EXTRACTORS: Record<Intent, (ctx: Ctx) => Action> = {
  'pipeline.query': parsePipeline,
  'activity.log': parseActivity,
  'deal.update': parseDealUpdate,
  'deal.create': parseDealCreate,
  'contact.lookup': parseContactLookup,
  'contact.create': parseContactCreate,
  'task.create': parseTaskCreate,
  'task.list': parseTaskList,
  'escalation.create': parseEscalationCreate,
  'escalation.update': parseEscalationUpdate,
  'case.metrics': parseCaseMetrics,
  'case.list': parseCaseList,
  'case.hold': parseCaseHold,
  'data_request.create': parseDataRequest,
  'data_request.list': parseDataRequestList,
  'data_request.step': parseDataRequestStep,
  'lead.qualify': parseLeadQualify,
  'channel.configure': parseChannelConfigure,
  'audit.query': parseAuditQuery,
  help: parseHelp,
  unknown: () => ({ type: 'clarify', question: NOT_UNDERSTOOD }),
};

const DATED = new Set<Intent>(['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'task.create', 'case.metrics', 'audit.query']);
const TODAY = /^\d{4}-\d{2}-\d{2}$/;

export function parseOffline(text: string, opts: { today: string }): CanonicalAction | Action {
  try {
    const today = TODAY.test(opts?.today ?? '') ? opts.today : new Date().toISOString().slice(0, 10);
    const clean = fixTypos(spokenNumbersToDigits(expandShorthand(normalize(typeof text === 'string' ? text : ''))));
    if (!/[\p{L}\p{N}?]/u.test(clean)) return { type: 'clarify', question: NOT_UNDERSTOOD };
    const ctx: Ctx = { text: clean, low: clean.toLowerCase(), today };
    const intent = detectIntent(ctx.low);
    // "remind me on Feb 30": a date that does not exist is asked about, never dropped or kept as text.
    const impossible = DATED.has(intent) ? findImpossibleDate(clean) : undefined;
    if (impossible) return { type: 'clarify', question: `"${impossible}" isn't a real date. Which date do you mean?` };
    return finalize(EXTRACTORS[intent](ctx));
  } catch {
    return { type: 'clarify', question: NOT_UNDERSTOOD };
  }
}

/** Validates the action; optional fields that fail the schema (an over-long name, say) are dropped rather than failing the whole parse. */
function finalize(action: Action): Action {
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
