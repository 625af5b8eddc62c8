import { defineSkill } from '../core/types.ts';
import { loadSkills } from '../nlu/skills.ts';

/** `help` and `help <topic>`: built from the declarative skill files, so it never drifts from what the parsers know. */
export const help = defineSkill({
  types: ['help'],
  local: true,
  writes: () => false,
  prepare: async (action) => ({ payload: { topic: action.topic ?? null } }),
  format: (result) => {
    const skills = loadSkills();
    const topic = typeof result.topic === 'string' ? result.topic : null;
    const chosen = topic ? skills.filter((s) => s.name === topic || (s.actions as string[]).includes(topic)) : [];
    if (chosen.length) {
      const s = chosen[0];
      return { kind: 'answer', text: `${s.description}\nFor example:\n${s.examples.slice(0, 5).map((e) => `  • ${e.text}`).join('\n')}` };
    }
    return {
      kind: 'answer',
      text: ['Here is what I can do — just type it the way you would say it:',
        ...skills.filter((s) => s.name !== 'help').map((s) => `  • ${s.description} e.g. "${s.examples[0]?.text ?? ''}"`),
        'Writes always ask you to confirm first. Type `help <topic>` for more examples.'].join('\n'),
    };
  },
});
