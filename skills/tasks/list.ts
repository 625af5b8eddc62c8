import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { dayLabel } from '../../src/format/labels.ts';
import { parseTaskList, taskListRules } from './parse.ts';

interface TaskRow {
  text: string;
  due_date: string | null;
  due_time: string | null;
  overdue: boolean;
  assignee: string;
  contact: string | null;
  account: string | null;
}

const PERIOD = {
  today: 'due today or overdue',
  week: 'due this week or overdue',
  overdue: 'overdue',
  all: 'open',
} as const;

const TaskList = z.strictObject({
  type: z.literal('task.list'),
  due: z.enum(['today', 'week', 'overdue', 'all']).default('today'),
  /** Whose tasks: "me", "team", or a colleague's name (the asker's own when absent). */
  assignee: text(200).optional(),
});

/**
 * task.list: "what's on my plate today", "tasks this week", "my team's overdue tasks" — open tasks due by then,
 * overdue ones first: the caller's own, or (for a manager) their team's or a team member's.
 */
export const taskList = defineAction({
  schema: TaskList,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'logging',
  writes: false,
  nlu: { rules: taskListRules, extract: parseTaskList },
  prepare: async (action, ctx) => {
    const who = action.assignee?.trim() ?? 'me';
    const base = { due: action.due, today: ctx.today };
    if (/^(?:me|myself|mine|i)$/i.test(who)) return { payload: { ...base, assignee: 'me' } };
    if (/^(?:team|my team|the team|everyone)$/i.test(who)) {
      if (!ctx.user.team) return { answer: "You're not in a team, so there are no team tasks to show." };
      return { payload: { ...base, assignee: 'team' } };
    }
    const r = await resolveEntity(ctx, 'user', who);
    if ('question' in r) return r;
    return { payload: { ...base, assignee: r.entity.id === ctx.user.id ? 'me' : r.entity.id, name: r.entity.name } };
  },
  format(
    { tasks, due, assignee, name }: { tasks: TaskRow[]; due: keyof typeof PERIOD; assignee: string; name?: string },
    ctx,
  ): Reply {
    const period = PERIOD[due];
    const team = assignee === 'team';
    const whose = assignee === 'me' ? 'your plate' : team ? `${ctx.user.team}'s plate` : `${name}'s plate`;
    if (!tasks.length) return { kind: 'answer', text: `Nothing ${period} on ${whose}.` };
    const overdue = tasks.filter((t) => t.overdue).length;
    const count = `${tasks.length} task${tasks.length === 1 ? '' : 's'} ${period}`;
    const head = assignee === 'me' ? 'You have' : team ? `Your team (${ctx.user.team}) has` : `${name} has`;
    const counted = due === 'overdue' || !overdue ? count : `${count} (${overdue} overdue)`;
    return {
      kind: 'answer',
      text: `${head} ${counted}:`,
      table: {
        columns: ['Due', 'Task', 'About', ...(team ? ['For'] : [])],
        rows: tasks.map((t) => [
          t.due_date
            ? `${dayLabel(t.due_date, ctx.today)}${t.due_time ? ` ${t.due_time}` : ''}${t.overdue ? ' (overdue)' : ''}`
            : '—',
          t.text,
          t.contact ? `${t.contact}${t.account ? ` (${t.account})` : ''}` : (t.account ?? ''),
          ...(team ? [t.assignee] : []),
        ]),
      },
    };
  },
});
