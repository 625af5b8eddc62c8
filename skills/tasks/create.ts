import { z } from 'zod';
import { freeText, isoDate, text, timeOfDay } from '../../src/actions/fields.ts';
import { checkRepAction, partyLabel, resolveParty } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { dayLabel } from '../../src/format/labels.ts';
import { parseTaskCreate, taskCreateRules } from './parse.ts';

const TaskCreate = z.strictObject({
  type: z.literal('task.create'),
  text: freeText(1000),
  dueDate: isoDate.optional(),
  /** HH:MM in the user's time zone ("at 3pm", "eod" = 17:00). */
  dueTime: timeOfDay.optional(),
  contact: text(200).optional(),
  account: text(200).optional(),
  /** A colleague the task is for ("remind Priya to send the quote"). */
  assignee: text(200).optional(),
});

/** A due date the user gave that has already passed: a question, since it is almost always a slip. */
export function pastDueQuestion(isoDate: string | undefined, today: string): { question: string } | undefined {
  if (!isoDate || isoDate >= today) return undefined;
  return { question: `${dayLabel(isoDate, today)} is in the past. When should it be due?` };
}

export const REMINDER_HOUR = '09:00';

/** task.create: a task for the caller, with a reminder at 09:00 their time on the due date. */
export const taskCreate = defineAction({
  schema: TaskCreate,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'logging',
  writes: true,
  nlu: { rules: taskCreateRules, extract: parseTaskCreate },
  async prepare(action, ctx) {
    if (action.assignee && !/^(?:me|myself)$/i.test(action.assignee)) {
      return {
        answer: `I can only make tasks for you so far, not for ${action.assignee}. Ask them, or say "remind me to …".`,
      };
    }
    if (action.dueTime) {
      return {
        answer: `Reminders go out at ${REMINDER_HOUR} on the due date so far; I can't set a task for ${action.dueTime}. Give me a day instead.`,
      };
    }
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
      ...(action.dueDate ? { due_date: action.dueDate } : {}),
      ...(party.contact ? { contact_id: party.contact.id } : {}),
      ...(party.account ? { account_id: party.account.id } : {}),
    };
    await checkRepAction(ctx, 'task.create', payload);
    return {
      payload,
      preview: `Create a task for you: '${action.text}'${about ? ` about ${about}` : ''}; ${due}.`,
    };
  },
  format({ task }: { task: { text: string; due_date: string | null } }, ctx): Reply {
    const due = task.due_date
      ? ` due ${dayLabel(task.due_date, ctx.today)}; I'll remind you that morning at ${REMINDER_HOUR}`
      : '';
    return { kind: 'done', text: `Task added: '${task.text}'${due}.` };
  },
});
