import { HOW_TO_ASK } from '../core/channel-kit.ts';
import { can } from '../core/permissions.ts';
import { defineSkill } from '../core/types.ts';
import { loadSkills } from '../nlu/skills.ts';

/**
 * `help` and `help <topic>`, built from the declarative skill files so it never drifts from what the assistant
 * does: the skills the asker's role can use, each with clean example sentences (not the parser's test data).
 */
export const help = defineSkill({
  types: ['help'],
  local: true,
  writes: () => false,
  prepare: async (action) => ({ payload: { topic: action.topic ?? null } }),
  format: (result, ctx) => {
    const mine = loadSkills().filter((s) => s.usage.length && s.actions.some((a) => can(ctx.user.role, a)));
    const topic = typeof result.topic === 'string' ? result.topic.toLowerCase() : null;
    const chosen = topic && mine.find((s) => s.name === topic || s.name.replace('-', ' ') === topic || (s.actions as string[]).includes(topic));
    if (chosen) {
      return { kind: 'answer', text: `${chosen.description}\nFor example:\n${chosen.usage.map((u) => `  • "${u}"`).join('\n')}` };
    }
    return {
      kind: 'answer',
      text: [`Here is what I can do — ${HOW_TO_ASK[ctx.place.channel]}:`,
        ...mine.map((s) => `  • ${s.description} For example: "${s.usage[0]}"`),
        'Every change is shown to you first and waits for your confirmation.',
        `For more examples, type help and a topic: ${mine.map((s) => s.name.replace('-', ' ')).join(', ')}.`].join('\n'),
    };
  },
});
