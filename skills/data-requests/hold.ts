import { z } from 'zod';
import { recordNumber } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { parseCaseHold, caseHoldRules } from './parse.ts';
import { caseTitle } from '../escalations/notices.ts';

/** A privacy officer puts a case under legal hold (kept as is through erasure) or lifts it. */
const CaseHold = z.strictObject({ type: z.literal('case.hold'), case: recordNumber('case'), hold: z.boolean() });

/** case.hold: a privacy officer keeps a case (and the personal data in it) through erasure requests, or lets it go. */
export const caseHold = defineAction({
  schema: CaseHold,
  canonical: false,
  roles: ['privacy_officer', 'admin'],
  scope: 'data_requests',
  refusal: 'put cases under legal hold (privacy officers only)',
  writes: true,
  nlu: { rules: caseHoldRules, extract: parseCaseHold },
  async prepare(action, ctx) {
    const found = await ctx.db.rpc(ctx.user, 'case_brief', { case: action.case });
    if (!found?.case) return { question: `I couldn't find case #${action.case}. Which case number do you mean?` };
    const what = action.hold
      ? 'put it under legal hold: erasure requests will keep it as it is and report it'
      : 'lift its legal hold: erasure requests will scrub it like any other record';
    return {
      payload: { case: action.case, hold: action.hold },
      preview: `${caseTitle(found.case)}: ${found.case.summary}\n${what[0].toUpperCase()}${what.slice(1)}.`,
    };
  },
  format: (r: { case: string; hold: boolean }) => ({
    kind: 'done',
    text: `Case #${r.case} is ${r.hold ? 'now under legal hold' : 'no longer under legal hold'}.`,
  }),
});
