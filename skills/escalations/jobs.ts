import type { JobDeps } from '../../src/core/skill.ts';
import type { JobHandler } from '../../src/jobs/scheduler.ts';
import { notifyBreach, notifyCaseAssigned } from './notices.ts';

/**
 * The scheduler jobs escalations leave behind (enqueued in SQL, in the same transaction as the case):
 * - `sla.check` {case_id, check}: at a deadline, climbs the escalation chain one level if it was missed
 *   (SQL `sla_check` records the step and schedules the next check, at most one step per level);
 * - `case.assigned` {case_id}: tells the assignee and the escalation channel;
 * - `case.pickup` {}: an agent freed a place while cases wait in the queue (SQL `route_queued` assigns them and
 *   leaves a `case.assigned` job for each).
 */
export function supportJobs({ db, notifier, now }: JobDeps): Record<string, JobHandler> {
  return {
    'sla.check': async (payload) => {
      const step = await db.serviceRpc('sla_check', {
        case_id: payload.case_id,
        check: payload.check,
        now: now().toISOString(),
      });
      if (step.status === 'escalated' || step.status === 'breached') await notifyBreach(notifier, step);
    },
    'case.pickup': async () => {
      await db.serviceRpc('route_queued', { now: now().toISOString() });
    },
    'case.assigned': async (payload) => {
      const result = await db.serviceRpc('case_notice', { case_id: payload.case_id });
      if (result?.case) await notifyCaseAssigned(notifier, result);
    },
  };
}
