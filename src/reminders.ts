import type { CrmDb } from './db/port.ts';
import type { Notifier } from './notify.ts';
import type { JobHandler } from './scheduler.ts';
import { dayLabel } from './skills/tasks.ts';

/** The job kind the task skills enqueue (in SQL, private.enqueue_task_reminder) for each task with a due date. */
export const REMINDER_JOB = 'task.reminder';

interface DueReminder {
  task_id: string;
  assignee_id: string;
  text: string;
  due_date: string;
  contact: string | null;
  account: string | null;
}

export function reminderText(t: Pick<DueReminder, 'text' | 'due_date' | 'contact' | 'account'>): string {
  const about = t.contact ? ` (${t.contact}${t.account ? `, ${t.account}` : ''})` : t.account ? ` (${t.account})` : '';
  return `Reminder: ${t.text}${about}, due ${dayLabel(t.due_date, t.due_date)}.`;
}

/**
 * Sends a task's reminder to its assignee and then marks it sent. A task that is done, cancelled or
 * already reminded sends nothing, so a job that runs again (retry, a second process) does not
 * repeat it; an undelivered reminder throws, and the scheduler tries again later.
 */
export function reminderHandler(db: CrmDb, notifier: Notifier): JobHandler {
  return async (payload) => {
    const task = await db.serviceRpc<DueReminder | null>('reminder_task', { task_id: payload.task_id });
    if (!task) return;
    const delivered = await notifier.toUser(task.assignee_id, { kind: 'answer', text: reminderText(task) });
    if (!delivered) throw new Error(`reminder for task ${task.task_id} was not delivered`);
    await db.serviceRpc('reminder_sent', { task_id: task.task_id });
  };
}

/** The scheduler handlers this module contributes: `createScheduler(db, { ...reminderJobs(db, notifier), ... })`. */
export const reminderJobs = (db: CrmDb, notifier: Notifier): Record<string, JobHandler> => ({
  [REMINDER_JOB]: reminderHandler(db, notifier),
});
