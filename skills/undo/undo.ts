import { z } from 'zod';
import { defineAction } from '../../src/core/skill.ts';
import { parseUndo, undoRules } from './parse.ts';

const Undo = z.strictObject({ type: z.literal('undo') });

/** What can be taken back whole (private.act_undo), in the words of the confirmation. */
const UNDOABLE: Record<string, string> = {
  'activity.log': 'the logged',
  'task.create': 'the task',
  'contact.create': 'the new contact',
};

/**
 * undo: "undo that", "take that back" — the asker's own last write, within 30 minutes, confirmed like any write.
 * A write that cannot be taken back whole (a deal change, a case, a data request) is named and refused.
 */
export const undo = defineAction({
  schema: Undo,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'always',
  writes: true,
  nlu: { rules: undoRules, extract: parseUndo },
  async prepare(_action, ctx) {
    const writes = ctx.skills
      .flatMap((s) => s.actions)
      .filter((a) => a.writes && a.schema.shape.type.value !== 'undo')
      .map((a) => a.schema.shape.type.value as string);
    const last = await ctx.db.rpc(ctx.user, 'undo_candidate', { writes });
    if (!last) return { answer: "There's no change of yours to take back." };
    if (last.undone) return { answer: `Your last change (${last.action}) was already taken back.` };
    const label = UNDOABLE[last.action];
    if (!label)
      return {
        answer: `Your last change (${last.action}) is not one I can take back on my own; change it back with a new request. Nothing was changed.`,
      };
    if (!last.recent) return { answer: 'I can only take back a change from the last 30 minutes; nothing was changed.' };
    if (!last.what) return { answer: 'What your last change wrote is no longer there; nothing was changed.' };
    return {
      payload: { audit_id: last.audit_id },
      preview: `Take back ${label} ${last.what}${last.action === 'activity.log' ? ' (and its open follow-up task)' : ''}`,
    };
  },
  format: (result) => ({ kind: 'done', text: `Taken back (${String(result.undone)}).` }),
});
