import { z } from 'zod';
import { freeText, recordNumber } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { CaseInfo } from '../../src/db/rpc.ts';
import { caseNoteRules, parseCaseNote } from './parse.ts';
import { caseTitle } from './notices.ts';

const CaseNote = z.strictObject({ type: z.literal('case.note'), case: recordNumber('case'), note: freeText(2000) });

/** case.note: an internal note on a case, never shown to the customer ("add a note to 1003: …"). */
export const caseNote = defineAction({
  schema: CaseNote,
  canonical: true,
  roles: ['manager', 'support', 'admin'],
  scope: 'escalations',
  refusal: 'add notes to support cases',
  writes: true,
  nlu: { rules: caseNoteRules, extract: parseCaseNote },
  async prepare(action, ctx) {
    const found = await ctx.db.rpc(ctx.user, 'case_brief', { case: action.case });
    if (!found?.case) return { question: `I couldn't find case #${action.case}. Which case number do you mean?` };
    const note = action.note.trim();
    if (!note) return { question: `What should the note on case #${action.case} say?` };
    return {
      payload: { case: action.case, note },
      preview: `Add an internal note to ${caseTitle(found.case)} (not shown to the customer):\n  "${note}"`,
    };
  },
  format: ({ case: c, note }: { case: CaseInfo; note: string }) => ({
    kind: 'done',
    text: `Internal note added to case #${c.id}: "${note}"`,
  }),
});
