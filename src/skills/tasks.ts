import { defineSkill, type Reply } from '../core/types.ts';
import { checkRepAction, partyLabel, resolveParty } from './contacts.ts';

/** "Fri 27 Nov" (with the year when it is not this year's). */
export function dayLabel(isoDate: string, today: string): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  const label = d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
  return isoDate.slice(0, 4) === today.slice(0, 4) ? label : `${label} ${isoDate.slice(0, 4)}`;
}

/** A due date the user gave that has already passed: a question, since it is almost always a slip. */
export function pastDueQuestion(isoDate: string | undefined, today: string): { question: string } | undefined {
  if (!isoDate || isoDate >= today) return undefined;
  return { question: `${dayLabel(isoDate, today)} is in the past. When should it be due?` };
}

export const REMINDER_HOUR = '09:00';

/** task.create: a task for the caller, with a reminder at 09:00 their time on the due date. */
export const taskCreate = defineSkill({
  types: ['task.create'],
  writes: () => true,
  async prepare(action, ctx) {
    const past = pastDueQuestion(action.dueDate, ctx.today);
    if (past) return past;
    const found = await resolveParty(ctx, action.contact, action.account);
    // "remind me to send Raj the contract": a reminder about someone who is not in the CRM is still a reminder.
    if ('question' in found && !found.notFound) return found;
    const party = 'question' in found ? {} : found;
    const about = partyLabel(party);
    const due = action.dueDate
      ? `due ${dayLabel(action.dueDate, ctx.today)}, reminder at ${REMINDER_HOUR} (${ctx.user.timezone ?? 'UTC'})`
      : 'no due date, so no reminder';
    const payload = {
      text: action.text,
      ...(action.dueDate ? { dueDate: action.dueDate } : {}),
      ...(party.contact ? { contact_id: party.contact.id } : {}),
      ...(party.account ? { account_id: party.account.id } : {}),
    };
    await checkRepAction(ctx, 'task.create', payload);
    return {
      payload,
      preview: `Create a task for you: '${action.text}'${about ? ` about ${about}` : ''}; ${due}.`,
    };
  },
  format(result, ctx): Reply {
    const task = result.task as { text: string; due_date: string | null };
    const due = task.due_date ? ` due ${dayLabel(task.due_date, ctx.today)}; I'll remind you that morning at ${REMINDER_HOUR}` : '';
    return { kind: 'done', text: `Task added: '${task.text}'${due}.` };
  },
});

interface TaskRow {
  text: string;
  due_date: string | null;
  overdue: boolean;
  contact: string | null;
  account: string | null;
}

const PERIOD = { today: 'due today or overdue', week: 'due this week or overdue', all: 'open' } as const;

/** task.list: "what's on my plate today" — the caller's open tasks due by then, overdue ones first. */
export const taskList = defineSkill({
  types: ['task.list'],
  writes: () => false,
  prepare: async (action, ctx) => ({ payload: { due: action.due, today: ctx.today } }),
  format(result, ctx): Reply {
    const tasks = result.tasks as TaskRow[];
    const period = PERIOD[result.due as keyof typeof PERIOD];
    if (!tasks.length) return { kind: 'answer', text: `Nothing ${period} on your plate.` };
    const overdue = tasks.filter((t) => t.overdue).length;
    const count = `${tasks.length} task${tasks.length === 1 ? '' : 's'} ${period}`;
    return {
      kind: 'answer',
      text: `You have ${count}${overdue ? ` (${overdue} overdue)` : ''}:`,
      table: {
        columns: ['Due', 'Task', 'About'],
        rows: tasks.map((t) => [
          t.due_date ? `${dayLabel(t.due_date, ctx.today)}${t.overdue ? ' (overdue)' : ''}` : '—',
          t.text,
          t.contact ? `${t.contact}${t.account ? ` (${t.account})` : ''}` : (t.account ?? ''),
        ]),
      },
    };
  },
});
