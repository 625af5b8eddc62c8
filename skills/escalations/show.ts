import { z } from 'zod';
import { recordNumber } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply, SkillContext } from '../../src/core/types.ts';
import type { CaseInfo } from '../../src/db/rpc.ts';
import { caseShowRules, parseCaseShow } from './parse.ts';
import { CASE_ACTIONS, caseTitle, formatWhen } from './notices.ts';

const CaseShow = z.strictObject({ type: z.literal('case.show'), case: recordNumber('case') });

interface TimelineEntry {
  at: string;
  kind: string;
  actor: string | null;
  note: string | null;
  detail: {
    from?: string;
    to?: string;
    from_name?: string;
    to_name?: string;
    level?: string;
    check?: string;
    routing?: string;
  };
}
/** `now` is the database's clock, the one the SLA checks and the queue filters run on. */
type CaseView = { case: CaseInfo; timeline: TimelineEntry[]; now: string };

/** "3 h 20 min", "2 d 4 h", "45 min". */
export function formatSpan(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  if (d) return h ? `${d} d ${h} h` : `${d} d`;
  if (h) return m ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

/** One SLA clock: met (when), running (time left) or overdue (by how long), at the caller's now. */
export function clockLine(label: string, due: string, doneAt: string | null, now: number, timeZone?: string): string {
  const dueMs = Date.parse(due);
  if (doneAt) {
    const late = Date.parse(doneAt) > dueMs;
    return `${label}: ${late ? 'missed' : 'met'}, ${formatWhen(doneAt, timeZone)} (due ${formatWhen(due, timeZone)})`;
  }
  return dueMs >= now
    ? `${label}: due ${formatWhen(due, timeZone)}, ${formatSpan(dueMs - now)} left`
    : `${label}: overdue by ${formatSpan(now - dueMs)} (was due ${formatWhen(due, timeZone)})`;
}

function describe(e: TimelineEntry): string {
  const d = e.detail;
  switch (e.kind) {
    case 'created':
      return `opened${d.to_name ? `, routed to ${d.to_name}` : d.routing ? ', into the support queue' : ''}`;
    case 'reassigned':
      return d.to_name ? `reassigned to ${d.to_name}` : 'sent back to the support queue';
    case 'severity_changed':
      return `severity ${d.from} → ${d.to}`;
    case 'escalated':
      return `SLA ${d.check === 'first_response' ? 'first response' : 'resolution'} missed: escalated to level ${d.level}${d.to_name ? ` (${d.to_name})` : ''}`;
    case 'sla_breached':
      return `SLA ${d.check === 'first_response' ? 'first response' : 'resolution'} missed at the top of the chain`;
    case 'note':
      return 'internal note';
    case 'legal_hold':
      return 'put under legal hold';
    case 'legal_hold_lifted':
      return 'legal hold lifted';
    default:
      return e.kind;
  }
}

function formatShow({ case: c, timeline, now: at }: CaseView, ctx: SkillContext): Reply {
  const tz = ctx.user.timezone;
  const now = Date.parse(at);
  // Cases loaded without their history (the demo's) still show when they were opened.
  const entries = timeline.some((e) => e.kind === 'created')
    ? timeline
    : [{ at: c.created_at, kind: 'created', actor: c.reporter?.name ?? null, note: null, detail: {} }, ...timeline];
  const party = [
    c.account ? `Account: ${c.account.name} (${c.account.tier})` : 'Account: none (standard SLA)',
    c.contact ? `contact: ${c.contact.name}` : '',
  ].filter(Boolean);
  const lines = [
    `${caseTitle(c)[0].toUpperCase()}${caseTitle(c).slice(1)}: ${c.status}`,
    c.summary,
    party.join(' · '),
    `${c.assignee ? `Assigned to ${c.assignee.name}` : 'Unassigned: waiting in the support queue'}${c.reporter ? ` · raised by ${c.reporter.name}` : ''}, ${formatWhen(c.created_at, tz)}${c.escalation_level ? ` · escalation level ${c.escalation_level}` : ''}`,
    clockLine('First response', c.first_response_due, c.first_response_at, now, tz),
    clockLine('Resolution', c.resolution_due, c.resolved_at, now, tz),
    'Timeline (internal notes are never shown to the customer):',
    ...entries.map(
      (e) =>
        `  ${formatWhen(e.at, tz)} · ${describe(e)} · ${e.actor ?? (e.kind.startsWith('sla') || e.kind === 'escalated' ? 'SLA check' : 'routing')}${e.note ? ` — "${e.note}"` : ''}`,
    ),
  ];
  return {
    kind: 'answer',
    text: lines.join('\n'),
    ...(c.status === 'resolved' ? {} : { caseActions: { case: String(c.id), actions: CASE_ACTIONS } }),
  };
}

/** case.show: "what's the status of 1005": details, SLA clocks with time left, assignee, links, timeline and notes. */
export const caseShow = defineAction({
  schema: CaseShow,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'escalations',
  writes: false,
  nlu: { rules: caseShowRules, extract: parseCaseShow },
  prepare: async (action) => ({ payload: { case: action.case } }),
  format: formatShow,
});
