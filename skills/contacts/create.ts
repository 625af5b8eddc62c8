import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { checkRepAction, resolveParty } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Choices, Reply } from '../../src/core/types.ts';
import { personName, titleCase } from '../../src/format/capitals.ts';
import { parseContactCreate, contactCreateRules } from './parse.ts';
import { reach, type Card } from './lookup.ts';

const ContactCreate = z.strictObject({
  type: z.literal('contact.create'),
  name: text(200),
  email: z.email('expected an email address').max(320).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^[+()\d][\d\s().-]{3,30}$/, 'expected a phone number')
    .optional(),
  account: text(200).optional(),
  title: text(200).optional(),
});

const FREE_MAIL = /^(?:gmail|googlemail|outlook|hotmail|live|yahoo|icloud|me|aol|proton|protonmail|gmx|web)\./;

/**
 * A company that is not in the CRM: asked about, never swapped for a look-alike ("initrode" is not Initech). The
 * answers are the look-alikes, or creating it as a new account (its domain from the contact's work email).
 */
function offerNewAccount(action: z.infer<typeof ContactCreate>, found: { question: string; choices?: Choices }) {
  const company = titleCase(action.account!);
  const domain = action.email?.split('@')[1]?.toLowerCase();
  const create = {
    label: `New account: ${company}${domain && !FREE_MAIL.test(domain) ? ` (${domain})` : ''}`,
    action: {
      type: 'account.create',
      name: company,
      ...(domain && !FREE_MAIL.test(domain) ? { domain } : {}),
    },
  };
  const alike = found.choices?.options ?? [];
  return {
    question: alike.length
      ? `${found.question} Or is ${company} a new account? Then I'll create it, and you add ${personName(action.name)} again.`
      : `There is no account called ${company} yet. Shall I create it? Then add ${personName(action.name)} again.`,
    choices: { typed: action.account!.trim(), options: [...alike, create] },
  };
}

/** contact.create: a new contact, at an account when one is named; a known email is refused. */
export const contactCreate = defineAction({
  schema: ContactCreate,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'admin'],
  scope: 'logging',
  writes: true,
  nlu: { rules: contactCreateRules, extract: parseContactCreate },
  async prepare(action, ctx) {
    const name = personName(action.name);
    const title = action.title ? titleCase(action.title) : undefined;
    const party = await resolveParty(ctx, undefined, action.account);
    if ('question' in party) return party.notFound ? offerNewAccount(action, party) : party;
    const payload = {
      name,
      ...(action.email ? { email: action.email } : {}),
      ...(action.phone ? { phone: action.phone } : {}),
      ...(title ? { title } : {}),
      ...(party.account ? { account_id: party.account.id } : {}),
    };
    await checkRepAction(ctx, 'contact.create', payload);
    const lines = [
      `Create a contact: ${name}${title ? `, ${title}` : ''}`,
      `  account: ${party.account?.name ?? 'none'}`,
      `  email: ${action.email ?? '—'} · phone: ${action.phone ?? '—'}`,
    ];
    return { payload, preview: lines.join('\n') };
  },
  format(result: { contact: Card; account: string | null }): Reply {
    const c = result.contact;
    const at = result.account ? ` at ${result.account}` : '';
    return { kind: 'done', text: `Added ${c.name}${at} (${reach(c)}).`, sensitive: true };
  },
});
