import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply, SkillContext } from '../../src/core/types.ts';
import type { TaskHit } from '../../src/db/rpc.ts';
import { listOr } from '../../src/format/labels.ts';
import { dueLabel } from './create.ts';
import { parseTaskComplete, taskCompleteRules } from './parse.ts';

const TaskComplete = z.strictObject({
  type: z.literal('task.complete'),
  /** The task's text, or whom it is about ("done with the Lars follow-up" -> "Lars follow-up"). */
  task: text(500),
  /** The task picked among several that fit (a "which one?" answer). */
  id: z.uuid().optional(),
});

/** Words that say "a task" rather than which one. */
const FILLER = new Set(['the', 'a', 'an', 'my', 'task', 'todo', 'to-do', 'reminder', 'item', 'one', 'as', 'done']);

/** "lars nguyen follow-up" -> ["lars", "nguyen", "follow", "up"]: each must appear in the task, its contact or account. */
export const taskWords = (typed: string) =>
  typed
    .toLowerCase()
    .split(/[^a-z0-9@]+/)
    .filter((w) => w && !FILLER.has(w));

const about = (t: TaskHit) => (t.contact ? `${t.contact}${t.account ? `, ${t.account}` : ''}` : t.account);
function label(t: TaskHit, ctx: SkillContext): string {
  const extra = [about(t), t.due_date ? dueLabel(t.due_date, t.due_time, ctx.today) : undefined];
  if (t.assignee !== ctx.user.name) extra.push(`for ${t.assignee}`);
  return `'${t.text}' (${extra.filter(Boolean).join(', ')})`.replace(' ()', '');
}

/** task.complete: "mark the Lars follow-up as done" -> the one open task it names, or which one? when several fit. */
export const taskComplete = defineAction({
  schema: TaskComplete,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'logging',
  writes: true,
  nlu: { rules: taskCompleteRules, extract: parseTaskComplete },
  async prepare(action, ctx) {
    const words = taskWords(action.task);
    if (!words.length) return { question: 'Which task is done? For example "done with the Lars follow-up".' };
    const hits = await ctx.db.rpc(ctx.user, 'find_tasks', { words });
    const picked = action.id ? hits.filter((h) => h.id === action.id) : hits;
    if (!picked.length) {
      return {
        answer: `I couldn't find an open task of yours about "${action.task}". "What's on my plate this week" lists them.`,
      };
    }
    if (picked.length > 1) {
      const shown = picked.slice(0, 6);
      return {
        question: `Which task is done: ${listOr(shown.map((t) => label(t, ctx)))}?${picked.length > 6 ? ` (${picked.length} fit; say more to narrow it down.)` : ''}`,
        choices: {
          typed: action.task,
          options: shown.map((t) => ({ label: label(t, ctx), action: { ...action, id: t.id } })),
        },
      };
    }
    return { payload: { task_id: picked[0].id }, preview: `Mark as done: ${label(picked[0], ctx)}.` };
  },
  format({ task }: { task: { text: string } }): Reply {
    return { kind: 'done', text: `Done: '${task.text}'. It's off your list and its reminder won't go out.` };
  },
});
