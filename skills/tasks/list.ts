import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { dayLabel } from '../../src/format/labels.ts';
import { parseTaskList, taskListRules } from './parse.ts';

interface TaskRow {
  text: string;
  due_date: string | null;
  overdue: boolean;
  contact: string | null;
  account: string | null;
}

const PERIOD = { today: 'due today or overdue', week: 'due this week or overdue', all: 'open' } as const;

const TaskList = z.strictObject({
  type: z.literal('task.list'),
  due: z.enum(['today', 'week', 'overdue', 'all']).default('today'),
  /** Whose tasks: "me", "team", or a colleague's name (the asker's own when absent). */
  assignee: text(200).optional(),
});

/** task.list: "what's on my plate today" — the caller's open tasks due by then, overdue ones first. */
export const taskList = defineAction({
  schema: TaskList,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'logging',
  writes: false,
  nlu: { rules: taskListRules, extract: parseTaskList },
  prepare: async (action, ctx) => {
    if (action.assignee && !/^(?:me|myself|mine)$/i.test(action.assignee)) {
      return { answer: "I can only list your own tasks so far, not a colleague's or the team's." };
    }
    if (action.due === 'overdue') return { payload: { due: 'today', today: ctx.today } };
    return { payload: { due: action.due, today: ctx.today } };
  },
  format({ tasks, due }: { tasks: TaskRow[]; due: keyof typeof PERIOD }, ctx): Reply {
    const period = PERIOD[due];
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
