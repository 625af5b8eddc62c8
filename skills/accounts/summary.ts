import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { accountSummaryRules, parseAccountSummary } from './parse.ts';

const AccountSummary = z.strictObject({ type: z.literal('account.summary'), account: text(200) });

/** account.summary: "what's the latest on Acme": open deals, last activities, open cases, next steps, key contacts. */
export const accountSummary = defineAction({
  schema: AccountSummary,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'admin'],
  scope: 'logging',
  writes: false,
  local: true, // answered "not yet" by prepare until its database function lands
  nlu: { rules: accountSummaryRules, extract: parseAccountSummary },
  prepare: async (action) => ({
    answer: `I can't summarise an account yet. "who is ${action.account}" shows its contacts, deals and cases.`,
  }),
  format: () => ({ kind: 'answer', text: '' }),
});
