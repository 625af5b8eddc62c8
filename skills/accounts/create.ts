import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { normName } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { titleCase } from '../../src/format/capitals.ts';
import { accountCreateRules, parseAccountCreate } from './parse.ts';

const AccountCreate = z.strictObject({
  type: z.literal('account.create'),
  name: text(200),
  domain: text(253).optional(),
  industry: text(100).optional(),
});

interface Created {
  account: { name: string; domain: string | null; industry: string | null; region: string };
}

/** account.create: a new customer account ("add Kestrel Health as an account, kestrel.health"). */
export const accountCreate = defineAction({
  schema: AccountCreate,
  canonical: true,
  roles: ['rep', 'manager', 'admin'],
  scope: 'logging',
  refusal: 'create accounts',
  writes: true,
  nlu: { rules: accountCreateRules, extract: parseAccountCreate },
  async prepare(action, ctx) {
    const name = titleCase(action.name);
    const alike = await ctx.db.rpc(ctx.user, 'find_entities', { kind: 'account', q: name, limit: 3 });
    const same = alike.find((a) => normName(a.name) === normName(name));
    if (same) return { answer: `There is already an account called ${same.name}; nothing was created.` };
    const payload = {
      name,
      ...(action.domain ? { domain: action.domain.toLowerCase() } : {}),
      ...(action.industry ? { industry: action.industry } : {}),
    };
    const lines = [
      `Create an account: ${name}`,
      `  domain: ${payload.domain ?? '—'} · industry: ${payload.industry ?? '—'}`,
      `  region: ${ctx.user.region ?? 'Global'} · owner: you`,
      // A near namesake is shown, so that a duplicate is a choice and not a slip.
      ...(alike.length ? [`  (similar accounts that exist: ${alike.map((a) => a.name).join(', ')})`] : []),
    ];
    return { payload, preview: lines.join('\n') };
  },
  format({ account }: Created): Reply {
    const extra = [account.domain, account.industry].filter(Boolean).join(', ');
    return { kind: 'done', text: `Added the account ${account.name}${extra ? ` (${extra})` : ''}, owned by you.` };
  },
});
