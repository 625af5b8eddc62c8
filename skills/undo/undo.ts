import { z } from 'zod';
import { defineAction } from '../../src/core/skill.ts';
import { parseUndo, undoRules } from './parse.ts';

const Undo = z.strictObject({ type: z.literal('undo') });

/** undo: "undo that", "take that back" — reverse the asker's own last write. */
export const undo = defineAction({
  schema: Undo,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'always',
  writes: true,
  local: true, // answered "not yet" by prepare until its database function lands
  nlu: { rules: undoRules, extract: parseUndo },
  prepare: async () => ({ answer: "I can't take a change back yet." }),
  format: () => ({ kind: 'done', text: '' }),
});
