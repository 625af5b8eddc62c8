import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { checkRepAction, resolveParty } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
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

/** contact.create: a new contact, at an account when one is named; a known email is refused. */
export const contactCreate = defineAction({
  schema: ContactCreate,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'admin'],
  scope: 'logging',
  writes: true,
  nlu: { rules: contactCreateRules, extract: parseContactCreate },
  async prepare(action, ctx) {
    const party = await resolveParty(ctx, undefined, action.account);
    if ('question' in party) return party;
    const payload = {
      name: action.name,
      ...(action.email ? { email: action.email } : {}),
      ...(action.phone ? { phone: action.phone } : {}),
      ...(action.title ? { title: action.title } : {}),
      ...(party.account ? { account_id: party.account.id } : {}),
    };
    await checkRepAction(ctx, 'contact.create', payload);
    const lines = [
      `Create a contact: ${action.name}${action.title ? `, ${action.title}` : ''}`,
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
