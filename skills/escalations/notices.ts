import type { CaseAction, Reply } from '../../src/core/types.ts';
import type { BreachStep, CaseInfo } from '../../src/db/rpc.ts';
import type { Notifier } from '../../src/jobs/notifier.ts';

/** What a post about an open case lets its readers do; each button becomes an escalation.update its clicker confirms. */
export const CASE_ACTIONS: CaseAction[] = ['acknowledge', 'resolve', 'reassign'];
const withButtons = (c: CaseInfo): Pick<Reply, 'caseActions'> => ({
  caseActions: { case: String(c.id), actions: CASE_ACTIONS },
});

/** "Mon 23 Nov, 19:44 GMT" in the reader's timezone. */
export function formatWhen(iso: string, timeZone = 'UTC'): string {
  const opts: Intl.DateTimeFormatOptions = {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZoneName: 'short',
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

function channelSummary(c: CaseInfo, heading: string): Reply {
  const lines = [
    `${heading} ${caseTitle(c)}: ${c.summary}`,
    c.assignee ? `Assigned to ${c.assignee.name}` : 'Unassigned: waiting in the support queue',
    deadlines(c),
  ];
  if (c.source_link) lines.push(`Source: ${c.source_link}`);
  return { kind: 'answer', text: lines.join('\n'), ...withButtons(c) };
}

/**
 * Tells the assignee (DM) and the escalation channel about a new or reassigned case. The
 * `case.assigned` job (jobs.ts) calls it after every creation and reassignment, so
 * channels do not call it themselves. Returns whether the assignee was reached.
 */
export async function notifyCaseAssigned(notifier: Notifier, result: { case: CaseInfo }): Promise<boolean> {
  const c = result.case;
  await notifier.toChannel('escalations', channelSummary(c, c.status === 'new' ? 'New' : 'Updated'));
  if (!c.assignee) return false;
  return notifier.toUser(c.assignee.id, {
    kind: 'answer',
    text: `You have ${caseTitle(c)}: ${c.summary}\n${deadlines(c)}.${c.reporter ? ` Raised by ${c.reporter.name}.` : ''}`,
    ...withButtons(c),
  });
}

/** A missed deadline: the person the case climbed to, the assignee and the escalation channel hear of it. */
export async function notifyBreach(notifier: Notifier, step: BreachStep): Promise<void> {
  const c = step.case;
  const what = step.check === 'first_response' ? 'first response' : 'resolution';
  const who = step.to ? `${step.to.name} (${step.title})` : `the ${step.title}`;
  const text =
    step.status === 'escalated'
      ? `SLA breach on ${caseTitle(c)}: the ${what} deadline (${formatWhen(step.due)}) passed. Escalated to ${who}, level ${step.level}.`
      : `SLA breach on ${caseTitle(c)}: the ${what} deadline (${formatWhen(step.due)}) passed; it is already with ${who}.`;
  const notice: Reply = { kind: 'answer', text: `${text}\n${c.summary}`, ...withButtons(c) };
  await notifier.toChannel('escalations', notice);
  const people = new Set([step.to?.id, c.assignee?.id].filter((id): id is string => Boolean(id)));
  for (const id of people) await notifier.toUser(id, notice);
}
