import { z } from 'zod';
import { recordNumber } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { caseShowRules, parseCaseShow } from './parse.ts';

const CaseShow = z.strictObject({ type: z.literal('case.show'), case: recordNumber('case') });

/** case.show: "what's the status of 1005". */
export const caseShow = defineAction({
  schema: CaseShow,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'escalations',
  writes: false,
  local: true, // answered "not yet" by prepare until its database function lands
  nlu: { rules: caseShowRules, extract: parseCaseShow },
  prepare: async () => ({ answer: 'I can\'t show a case\'s details yet. "my open cases" lists yours.' }),
  format: () => ({ kind: 'answer', text: '' }),
});
