import { CrmError } from '../db/port.ts';
import { defineSkill, type Choices, type Reply, type SkillContext } from '../core/types.ts';
import { formatMoney } from '../format/text.ts';
import { choicesFor, listOr, resolveEntity, type Entity } from './resolve.ts';

export interface Party {
  contact?: Entity;
  account?: Entity;
}

/**
 * Who an activity or task is about. A contact name alone is resolved company-wide (a question when
 * several fit); with an account it is looked for at that account only ("Dana at Acme").
 */
export async function resolveParty(ctx: SkillContext, contact?: string, account?: string): Promise<Party | { question: string; notFound?: boolean; choices?: Choices }> {
  const party: Party = {};
  if (account) {
    const r = await resolveEntity(ctx, 'account', account);
    if ('question' in r) return r;
    party.account = r.entity;
  }
  if (!contact) return party;
  if (!party.account) {
    const r = await resolveEntity(ctx, 'contact', contact);
    if ('question' in r) return r;
    const c = r.entity;
    return { contact: c, account: c.account_id ? { id: c.account_id, name: c.detail ?? '' } : undefined };
  }
  const at = party.account;
  const found = await ctx.db.rpc<Entity[]>(ctx.user, 'find_entities', { kind: 'contact', q: contact, limit: 20 });
  const here = found.filter((c) => c.account_id === at.id);
  const exact = here.filter((c) => c.name.toLowerCase() === contact.trim().toLowerCase());
  const pick = exact.length === 1 ? exact[0] : here.length === 1 ? here[0] : undefined;
  if (pick) return { contact: pick, account: at };
  if (!here.length) return { question: `I couldn't find a contact called "${contact.trim()}" at ${at.name}. Could you check the name?`, notFound: true };
  return {
    question: `Which contact at ${at.name} do you mean: ${listOr(here.map((c) => c.name))}?`,
    choices: choicesFor(contact.trim(), here.map((c) => ({ label: c.name, value: c.name }))),
  };
}

/** "Dana Reyes (Acme)", or just the account. */
export function partyLabel({ contact, account }: Party): string {
  if (contact) return account?.name ? `${contact.name} (${account.name})` : contact.name;
  return account?.name ?? '';
}

/** Refuses early with the same sentence the SQL would raise when the write runs. */
export async function checkRepAction(ctx: SkillContext, action: string, payload: Record<string, unknown>): Promise<void> {
  const { problem } = await ctx.db.rpc<{ problem: string | null }>(ctx.user, 'check_rep_action', { action, payload });
  if (problem) throw new CrmError(problem, 'refused');
}

interface Card {
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

const reach = (c: Card) => [c.email, c.phone].filter(Boolean).join(' · ') || 'no email or phone on file';

/** contact.lookup: the customer 360 of a contact, or of an account when the query names one. */
export const contactLookup = defineSkill({
  types: ['contact.lookup'],
  writes: () => false,
  async prepare(action, ctx) {
    const q = action.query.trim();
    const lower = q.toLowerCase();
    const [contacts, accounts] = await Promise.all(
      (['contact', 'account'] as const).map((kind) => ctx.db.rpc<Entity[]>(ctx.user, 'find_entities', { kind, q, limit: 6 })),
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
  format(result): Reply {
    const v = result as unknown as View360;
    const lines: string[] = [];
    const a = v.account;
    if (v.contact) {
      const c = v.contact;
      lines.push(`${c.name}${c.title ? ` — ${c.title}` : ''}${a ? `, ${a.name}` : ''}`);
      lines.push(`  ${reach(c)}${c.masked ? ' (masked: not an account of your team)' : ''}`);
    }
    if (a) lines.push(`${v.contact ? '  Account: ' : ''}${a.name} · ${a.tier} · ${a.region}${a.industry ? ` · ${a.industry}` : ''}${a.owner ? ` · owner ${a.owner}` : ''}`);
    if (v.restricted) lines.push('  ⚠ Processing restricted (GDPR Art. 18): nothing new may be recorded about this person.');
    if (v.consents) {
      lines.push(`  Consent: ${v.consents.length ? v.consents.map((s) => `${s.purpose} ${s.granted ? 'granted' : 'withdrawn'}`).join(', ') : 'none recorded'}`);
    }
    if (v.contacts) {
      lines.push(`Contacts (${v.contacts.length}):`);
      for (const c of v.contacts) lines.push(`  • ${c.name}${c.title ? `, ${c.title}` : ''} — ${reach(c)}`);
    }
    lines.push(v.deals.length ? `Open deals (${v.deals.length}):` : 'Open deals: none you can see.');
    for (const d of v.deals) lines.push(`  • ${d.name} — ${d.stage.replace('_', ' ')}, ${formatMoney(d.amount)}, closes ${d.close_date.slice(0, 10)} (${d.owner})`);
    lines.push(v.activities.length ? 'Last activities:' : 'Last activities: none you can see.');
    for (const t of v.activities) lines.push(`  • ${t.occurred_at.slice(0, 10)} ${t.kind} by ${t.by}: ${t.summary}`);
    lines.push(v.cases.length ? `Open cases (${v.cases.length}):` : 'Open cases: none.');
    for (const k of v.cases) lines.push(`  • #${k.id} ${k.summary} (${k.severity}, ${k.status})`);
    return { kind: 'answer', text: lines.join('\n'), sensitive: true };
  },
});

/** contact.create: a new contact, at an account when one is named; a known email is refused. */
export const contactCreate = defineSkill({
  types: ['contact.create'],
  writes: () => true,
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
  format(result): Reply {
    const c = result.contact as Card;
    const at = result.account ? ` at ${String(result.account)}` : '';
    return { kind: 'done', text: `Added ${c.name}${at} (${reach(c)}).`, sensitive: true };
  },
});
