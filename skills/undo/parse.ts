/** undo: "undo that", "take that back". */
import type { ActionInput } from '../../src/core/types.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

export const parseUndo = (): ActionInput => ({ type: 'undo' });

export const undoRules: IntentRule[] = [
  {
    name: 'undo',
    action: 'undo',
    priority: PRIORITY.command,
    when: /^(?:oops\s*,?\s*|wait\s*,?\s*)?(?:please\s+)?(?:undo|revert|roll ?back)\b|\btake (?:that|it|this) back\b|\bundo (?:that|it|this|the last|my last)\b|\b(?:revert|reverse|roll back) (?:that|the last|my last)\b|\bcan you undo\b/,
  },
];
