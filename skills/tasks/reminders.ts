import type { JobDeps } from '../../src/core/skill.ts';
import type { DueReminder } from '../../src/db/rpc.ts';
import type { JobHandler } from '../../src/jobs/scheduler.ts';
import { dayLabel } from '../../src/format/labels.ts';

/** The job kind the task skills enqueue (in SQL, private.enqueue_task_reminder) for each task with a due date. */
export const REMINDER_JOB = 'task.reminder';

export function reminderText(
  t: Pick<DueReminder, 'text' | 'due_date' | 'contact' | 'account'> & { due_time?: string | null },
): string {
  const about = t.contact ? ` (${t.contact}${t.account ? `, ${t.account}` : ''})` : t.account ? ` (${t.account})` : '';
  return `Reminder: ${t.text}${about}, due ${dayLabel(t.due_date, t.due_date)}${t.due_time ? ` at ${t.due_time}` : ''}.`;
}

/**
 * Marks a task's reminder sent, then sends it to its assignee: only the one run that marks it sends,
 * so a job that runs again (retry, a second process, one whose process died after posting) never
 * repeats it. A task that is done or cancelled sends nothing; an undelivered reminder hands its mark
 * back and throws, and the scheduler tries again later.
 */
export function reminderHandler({ db, notifier }: JobDeps): JobHandler {
  return async (payload) => {
    const task = await db.serviceRpc('reminder_task', { task_id: payload.task_id });
    if (!task) return;
    if (!(await db.serviceRpc('reminder_sent', { task_id: task.task_id })).marked) return;
    const delivered = await notifier
      .toUser(task.assignee_id, { kind: 'answer', text: reminderText(task) })
      .catch(() => false);
    if (!delivered) {
      await db.serviceRpc('reminder_unsent', { task_id: task.task_id });
      throw new Error(`reminder for task ${task.task_id} was not delivered`);
    }
  };
}

/** The scheduler jobs the task skill's SQL enqueues. */
export const reminderJobs = (deps: JobDeps): Record<string, JobHandler> => ({ [REMINDER_JOB]: reminderHandler(deps) });
