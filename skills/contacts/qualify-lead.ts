import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { checkRepAction, choicesFor, matchName, normName, resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Choices, Reply, SkillContext } from '../../src/core/types.ts';
import type { LeadHit } from '../../src/db/rpc.ts';
import { dayLabel, listOr } from '../../src/format/labels.ts';
import { parseLeadQualify, leadQualifyRules } from './parse.ts';
import { endOfNextQuarter } from '../deals/create.ts';

const LeadQualify = z.strictObject({
  type: z.literal('lead.qualify'),
  lead: text(320),
  status: z.enum(['mql', 'sql', 'disqualified']),
  convert: z.boolean().optional(),
});

interface Qualified {
  name: string;
  company: string | null;
  from: string;
  to: string;
  converted?: { account: string; account_created: boolean; contact_created: boolean; deal: string; close_date: string };
}

const STATUS: Record<string, string> = {
  new: 'new',
  mql: 'marketing-qualified (MQL)',
  sql: 'sales-qualified (SQL)',
  disqualified: 'disqualified',
  converted: 'converted',
};
const short = (s: string) => (s === 'mql' || s === 'sql' ? s.toUpperCase() : s);
const leadLabel = (l: { name: string; company: string | null }) => (l.company ? `${l.name} (${l.company})` : l.name);

/**
 * A lead by name or email -> one lead, or a question. A look-alike is asked about, never swapped in ("jenny park"
 * is not Dana Park), saying so when the name typed is a contact's rather than a lead's.
 */
async function resolveLead(
  ctx: SkillContext,
  typed: string,
): Promise<{ lead: LeadHit } | { question: string; choices?: Choices }> {
  const q = typed.trim();
  const hits = await ctx.db.rpc(ctx.user, 'find_leads', { q, limit: 6 });
  const exact = hits.filter((h) => h.exact);
  if (exact.length === 1) return { lead: exact[0] };
  const m = matchName(q, exact.length ? exact : hits);
  if ('pick' in m) return { lead: m.pick };
  const label = (h: LeadHit) => `${h.name} (${[h.company, short(h.status)].filter(Boolean).join(', ')})`;
  const choices = (shown: LeadHit[]) =>
    choicesFor(
      q,
      shown.map((h) => ({ label: label(h), value: h.name })),
    );
  if (m.fitting.length)
    return { question: `Which lead do you mean: ${listOr(m.fitting.map(label))}?`, choices: choices(m.fitting) };
  const contact = await resolveEntity(ctx, 'contact', q);
  const isContact = 'entity' in contact && normName(contact.entity.name) === normName(q);
  const called = isContact
    ? `${contact.entity.name} is a contact${contact.entity.detail ? ` at ${contact.entity.detail}` : ''}, not a lead, so there is no lead status to change.`
    : `I couldn't find a lead called "${q}".`;
  if (!hits.length) return { question: `${called}${isContact ? '' : ' Could you give the full name or email?'}` };
  const alike = hits.slice(0, 3);
  return { question: `${called} Did you mean the lead ${listOr(alike.map(label))}?`, choices: choices(alike) };
}

/** lead.qualify: MQL -> SQL (or disqualified), and conversion into an account, contact and deal. */
export const leadQualify = defineAction({
  schema: LeadQualify,
  canonical: false,
  roles: ['rep', 'manager', 'admin'],
  scope: 'logging',
  writes: true,
  nlu: { rules: leadQualifyRules, extract: parseLeadQualify },
  async prepare(action, ctx) {
    const found = await resolveLead(ctx, action.lead);
    if ('question' in found) return found;
    const lead = found.lead;
    const closeDate = endOfNextQuarter(ctx.today);
    const payload = {
      lead_id: lead.id,
      status: action.status,
      ...(action.convert ? { convert: true, close_date: closeDate } : {}),
    };
    await checkRepAction(ctx, 'lead.qualify', payload);
    if (!action.convert) {
      return {
        payload,
        preview: `Mark ${leadLabel(lead)} as ${STATUS[action.status]}; it is ${short(lead.status)} now.`,
      };
    }
    const company = lead.company ?? '';
    const accounts = await ctx.db.rpc(ctx.user, 'find_entities', { kind: 'account', q: company, limit: 3 });
    const existing = accounts.some((a) => a.name.toLowerCase() === company.toLowerCase());
    const lines = [
      `Convert ${lead.name} (${[lead.company, short(lead.status)].filter(Boolean).join(', ')}):`,
      `  account: ${company}${existing ? ' (existing)' : ' (new account, owned by you)'}`,
      `  contact: ${lead.name} at ${company} (an existing contact with the lead's email is reused)`,
      `  deal: ${company} new business, stage qualification, close date ${dayLabel(closeDate, ctx.today)} (end of next quarter)`,
      '  lead status: converted',
    ];
    return { payload, preview: lines.join('\n') };
  },
  format(result: Qualified, ctx): Reply {
    const who = leadLabel({ name: result.name, company: result.company ?? null });
    const conv = result.converted;
    if (!conv) return { kind: 'done', text: `${who} is now ${STATUS[result.to]}; it was ${short(result.from)}.` };
    return {
      kind: 'done',
      text:
        `Converted ${who}: ${conv.account_created ? 'new' : 'existing'} account ${conv.account}, ` +
        `${conv.contact_created ? 'new' : 'existing'} contact ${result.name}, ` +
        `deal '${conv.deal}' in qualification closing ${dayLabel(conv.close_date, ctx.today)}.`,
    };
  },
});
