import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { accountCreateRules, parseAccountCreate } from './parse.ts';

const AccountCreate = z.strictObject({
  type: z.literal('account.create'),
  name: text(200),
  domain: text(253).optional(),
  industry: text(100).optional(),
});

/** account.create: a new customer account ("add Kestrel Health as an account, kestrel.health"). */
export const accountCreate = defineAction({
  schema: AccountCreate,
  canonical: true,
  roles: ['rep', 'manager', 'admin'],
  scope: 'logging',
  refusal: 'create accounts',
  writes: true,
  local: true, // answered "not yet" by prepare until its database function lands
  nlu: { rules: accountCreateRules, extract: parseAccountCreate },
  prepare: async () => ({
    answer: "I can't create accounts from chat yet; a new deal or contact needs an account that exists.",
  }),
  format: () => ({ kind: 'done', text: '' }),
});
