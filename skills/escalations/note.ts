import { z } from 'zod';
import { freeText, recordNumber } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { caseNoteRules, parseCaseNote } from './parse.ts';

const CaseNote = z.strictObject({ type: z.literal('case.note'), case: recordNumber('case'), note: freeText(2000) });

/** case.note: an internal note on a case, never shown to the customer ("add a note to 1003: …"). */
export const caseNote = defineAction({
  schema: CaseNote,
  canonical: true,
  roles: ['manager', 'support', 'admin'],
  scope: 'escalations',
  refusal: 'add notes to support cases',
  writes: true,
  local: true, // answered "not yet" by prepare until its database function lands
  nlu: { rules: caseNoteRules, extract: parseCaseNote },
  prepare: async () => ({ answer: "Cases don't keep notes yet, so I can't add that one." }),
  format: () => ({ kind: 'done', text: '' }),
});
