import type { ActionOf } from '../actions/schema.ts';
import type { Reply } from '../core/types.ts';
import type { Notifier } from '../notify.ts';

/** A case as the escalation RPCs return it (`private.case_json`). */
export interface CaseInfo {
  id: number;
  summary: string;
  severity: string;
  category: string;
  status: string;
  source_link: string | null;
  escalation_level: number;
  account: { id: string; name: string; tier: string } | null;
  contact: { id: string; name: string } | null;
  assignee: { id: string; name: string } | null;
  reporter: { id: string; name: string } | null;
  created_at: string;
  first_response_due: string;
  resolution_due: string;
  first_response_at: string | null;
  resolved_at: string | null;
}

/** What `sla_check` reports when a deadline was missed. */
export interface BreachStep {
  status: 'escalated' | 'breached';
  check: 'first_response' | 'resolution';
  due: string;
  level: number;
  title: string;
  to: { id: string; name: string } | null;
  case: CaseInfo;
}

/** "Mon 23 Nov, 19:44 GMT" in the reader's timezone. */
export function formatWhen(iso: string, timeZone = 'UTC'): string {
  const opts: Intl.DateTimeFormatOptions = {
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false, timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...opts, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'UTC' }).format(new Date(iso));
  }
}

export function caseTitle(c: CaseInfo): string {
  return `case #${c.id} (${c.severity} · ${c.category}${c.account ? ` · ${c.account.name}` : ''})`;
}

export function deadlines(c: CaseInfo, timeZone?: string): string {
  return `First response due ${formatWhen(c.first_response_due, timeZone)}, resolution due ${formatWhen(c.resolution_due, timeZone)}`;
}

export interface CaseButton {
  label: 'Acknowledge' | 'Resolve' | 'Reassign';
  action: ActionOf<'escalation.update'>;
  /** The field the channel asks for before running the action (a user picker for Reassign). */
  ask?: 'assignee';
}

/** The actions behind the escalation channel's buttons, for the case id a notice is about. */
export function caseButtons(caseId: number): CaseButton[] {
  const id = String(caseId);
  return [
    { label: 'Acknowledge', action: { type: 'escalation.update', case: id, status: 'acknowledged' } },
    { label: 'Resolve', action: { type: 'escalation.update', case: id, status: 'resolved' } },
    { label: 'Reassign', action: { type: 'escalation.update', case: id }, ask: 'assignee' },
  ];
}

function channelSummary(c: CaseInfo, heading: string): Reply {
  const lines = [
    `${heading} ${caseTitle(c)}: ${c.summary}`,
    c.assignee ? `Assigned to ${c.assignee.name}` : 'Unassigned: waiting in the support queue',
    deadlines(c),
  ];
  if (c.source_link) lines.push(`Source: ${c.source_link}`);
  return { kind: 'answer', text: lines.join('\n') };
}

/**
 * Tells the assignee (DM) and the escalation channel about a new or reassigned case. The
 * `case.assigned` job (src/support/jobs.ts) calls it after every creation and reassignment, so
 * channels do not call it themselves. Returns whether the assignee was reached.
 */
export async function notifyCaseAssigned(notifier: Notifier, result: { case: CaseInfo }): Promise<boolean> {
  const c = result.case;
  await notifier.toChannel('escalations', channelSummary(c, c.status === 'new' ? 'New' : 'Updated'));
  if (!c.assignee) return false;
  return notifier.toUser(c.assignee.id, {
    kind: 'answer',
    text: `You have ${caseTitle(c)}: ${c.summary}\n${deadlines(c)}.${c.reporter ? ` Raised by ${c.reporter.name}.` : ''}`,
  });
}

/** A missed deadline: the person the case climbed to, the assignee and the escalation channel hear of it. */
export async function notifyBreach(notifier: Notifier, step: BreachStep): Promise<void> {
  const c = step.case;
  const what = step.check === 'first_response' ? 'first response' : 'resolution';
  const who = step.to ? `${step.to.name} (${step.title})` : `the ${step.title}`;
  const text = step.status === 'escalated'
    ? `SLA breach on ${caseTitle(c)}: the ${what} deadline (${formatWhen(step.due)}) passed. Escalated to ${who}, level ${step.level}.`
    : `SLA breach on ${caseTitle(c)}: the ${what} deadline (${formatWhen(step.due)}) passed; it is already with ${who}.`;
  const notice: Reply = { kind: 'answer', text: `${text}\n${c.summary}` };
  await notifier.toChannel('escalations', notice);
  const people = new Set([step.to?.id, c.assignee?.id].filter((id): id is string => Boolean(id)));
  for (const id of people) await notifier.toUser(id, notice);
}
