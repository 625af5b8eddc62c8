import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { formatMoney, humanize } from '../../src/format/labels.ts';
import { parseContactLookup, contactLookupRules } from './parse.ts';

const ContactLookup = z.strictObject({ type: z.literal('contact.lookup'), query: text(320) });

/** A contact as the 360 and contact.create return it: email and phone masked by role. */
export interface Card {
  name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  masked: boolean;
}
interface View360 {
  contact: Card | null;
  contacts: Card[] | null;
  account: { name: string; tier: string; region: string; industry: string | null; owner: string | null } | null;
  deals: { name: string; stage: string; amount: number; close_date: string; owner: string }[];
  activities: { kind: string; summary: string; occurred_at: string; by: string }[];
  cases: { id: number; summary: string; severity: string; status: string }[];
  consents: { purpose: string; granted: boolean }[] | null;
  restricted: boolean;
}

export const reach = (c: Card) => [c.email, c.phone].filter(Boolean).join(' · ') || 'no email or phone on file';

/** contact.lookup: the customer 360 of a contact, or of an account when the query names one. */
export const contactLookup = defineAction({
  schema: ContactLookup,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'logging',
  writes: false,
  nlu: { rules: contactLookupRules, extract: parseContactLookup },
  async prepare(action, ctx) {
    const q = action.query.trim();
    const lower = q.toLowerCase();
    const [contacts, accounts] = await Promise.all(
      (['contact', 'account'] as const).map((kind) => ctx.db.rpc(ctx.user, 'find_entities', { kind, q, limit: 6 })),
    );
    const accountNamed = accounts.filter((a) => a.name.toLowerCase() === lower);
    if (accountNamed.length === 1 && !contacts.some((c) => c.name.toLowerCase() === lower)) {
      return { payload: { account_id: accountNamed[0].id } };
    }
    const kind = contacts.length || !accounts.length ? 'contact' : 'account';
    const r = await resolveEntity(ctx, kind, q);
    if ('question' in r) return r;
    return { payload: kind === 'contact' ? { contact_id: r.entity.id } : { account_id: r.entity.id } };
  },
  format(v: View360): Reply {
    const lines: string[] = [];
    const a = v.account;
    if (v.contact) {
      const c = v.contact;
      lines.push(`${c.name}${c.title ? ` — ${c.title}` : ''}${a ? `, ${a.name}` : ''}`);
      lines.push(`  ${reach(c)}${c.masked ? ' (masked: not an account of your team)' : ''}`);
    }
    if (a)
      lines.push(
        `${v.contact ? '  Account: ' : ''}${a.name} · ${a.tier} · ${a.region}${a.industry ? ` · ${a.industry}` : ''}${a.owner ? ` · owner ${a.owner}` : ''}`,
      );
    if (v.restricted)
      lines.push('  ⚠ Processing restricted (GDPR Art. 18): nothing new may be recorded about this person.');
    if (v.consents) {
      lines.push(
        `  Consent: ${v.consents.length ? v.consents.map((s) => `${s.purpose} ${s.granted ? 'granted' : 'withdrawn'}`).join(', ') : 'none recorded'}`,
      );
    }
    if (v.contacts) {
      lines.push(`Contacts (${v.contacts.length}):`);
      for (const c of v.contacts) lines.push(`  • ${c.name}${c.title ? `, ${c.title}` : ''} — ${reach(c)}`);
    }
    lines.push(v.deals.length ? `Open deals (${v.deals.length}):` : 'Open deals: none you can see.');
    for (const d of v.deals)
      lines.push(
        `  • ${d.name} — ${humanize(d.stage)}, ${formatMoney(d.amount)}, closes ${d.close_date.slice(0, 10)} (${d.owner})`,
      );
    lines.push(v.activities.length ? 'Last activities:' : 'Last activities: none you can see.');
    for (const t of v.activities) lines.push(`  • ${t.occurred_at.slice(0, 10)} ${t.kind} by ${t.by}: ${t.summary}`);
    lines.push(v.cases.length ? `Open cases (${v.cases.length}):` : 'Open cases: none.');
    for (const k of v.cases) lines.push(`  • #${k.id} ${k.summary} (${k.severity}, ${k.status})`);
    return { kind: 'answer', text: lines.join('\n'), sensitive: true };
  },
});
