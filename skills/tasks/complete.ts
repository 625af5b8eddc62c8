import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { parseTaskComplete, taskCompleteRules } from './parse.ts';

const TaskComplete = z.strictObject({
  type: z.literal('task.complete'),
  /** The task's text, or whom it is about ("done with the Lars follow-up" -> "Lars follow-up"). */
  task: text(500),
});

/** task.complete: "mark the Lars follow-up as done". */
export const taskComplete = defineAction({
  schema: TaskComplete,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'logging',
  writes: true,
  local: true, // answered "not yet" by prepare until its database function lands
  nlu: { rules: taskCompleteRules, extract: parseTaskComplete },
  prepare: async () => ({ answer: 'I can\'t mark tasks as done yet. You can see them with "what\'s on my plate".' }),
  format: () => ({ kind: 'done', text: '' }),
});
