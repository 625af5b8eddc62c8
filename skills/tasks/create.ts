import { z } from 'zod';
import { freeText, isoDate, text, timeOfDay } from '../../src/actions/fields.ts';
import { localTime } from '../../src/core/clock.ts';
import { checkRepAction, partyLabel, resolveEntity, resolveParty } from '../../src/core/records.ts';
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

/** "due Wed 2 Dec at 15:00", "due Fri 4 Dec". */
export const dueLabel = (date: string, time: string | null | undefined, today: string) =>
  `due ${dayLabel(date, today)}${time ? ` at ${time}` : ''}`;

/**
 * task.create: a task for the caller, or from a manager for someone in their team (a rep's tasks are their own: a
 * colleague's work is planned by that colleague or their manager). A reminder goes out at the due time, or at 09:00
 * on the due date, in the assignee's timezone; a time alone is today, unless it has passed.
 */
export const taskCreate = defineAction({
  schema: TaskCreate,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'logging',
  writes: true,
  nlu: { rules: taskCreateRules, extract: parseTaskCreate },
  async prepare(action, ctx) {
    let assignee: { id: string; name: string } | undefined;
    if (action.assignee && !/^(?:me|myself)$/i.test(action.assignee)) {
      const r = await resolveEntity(ctx, 'user', action.assignee);
      if ('question' in r) return r;
      if (r.entity.id !== ctx.user.id) {
        const { problem } = await ctx.db.rpc(ctx.user, 'check_task_assignee', { assignee_id: r.entity.id });
        if (problem) return { answer: problem };
        assignee = r.entity;
      }
    }
    const dueDate = action.dueDate ?? (action.dueTime ? ctx.today : undefined);
    if (
      action.dueTime &&
      dueDate === ctx.today &&
      !assignee &&
      action.dueTime <= localTime(ctx.now(), ctx.user.timezone)
    ) {
      return { question: `${action.dueTime} today has already passed. When should it be due?` };
    }
    const past = pastDueQuestion(dueDate, ctx.today);
    if (past) return past;
    const found = await resolveParty(ctx, action.contact, action.account);
    // "remind me to send Raj the contract": a reminder about someone who is not in the CRM is still a reminder.
    if ('question' in found && !found.notFound) return found;
    const party = 'question' in found ? {} : found;
    const about = partyLabel(party);
    const zone = assignee ? 'their time' : (ctx.user.timezone ?? 'UTC');
    const due = dueDate
      ? `${dueLabel(dueDate, action.dueTime, ctx.today)}, reminder at ${action.dueTime ?? REMINDER_HOUR} (${zone})`
      : 'no due date, so no reminder';
    const payload = {
      text: action.text,
      ...(dueDate ? { due_date: dueDate } : {}),
      ...(action.dueTime ? { due_time: action.dueTime } : {}),
      ...(assignee ? { assignee_id: assignee.id } : {}),
      ...(party.contact ? { contact_id: party.contact.id } : {}),
      ...(party.account ? { account_id: party.account.id } : {}),
    };
    await checkRepAction(ctx, 'task.create', payload);
    return {
      payload,
      preview: `Create a task for ${assignee?.name ?? 'you'}: '${action.text}'${about ? ` about ${about}` : ''}; ${due}.`,
    };
  },
  format(
    { task }: { task: { text: string; due_date: string | null; due_time: string | null; assignee: string } },
    ctx,
  ): Reply {
    const mine = task.assignee === ctx.user.name;
    const due = task.due_date
      ? ` ${dueLabel(task.due_date, task.due_time, ctx.today)}; I'll remind ${mine ? 'you' : task.assignee} ${task.due_time ? 'then' : `that morning at ${REMINDER_HOUR}`}`
      : '';
    return { kind: 'done', text: `Task added${mine ? '' : ` for ${task.assignee}`}: '${task.text}'${due}.` };
  },
});
