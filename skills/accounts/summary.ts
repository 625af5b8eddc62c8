import { z } from 'zod';
import { text } from '../../src/actions/fields.ts';
import { resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Prepared, Reply } from '../../src/core/types.ts';
import { boundLabel, dayLabel, formatMoney, humanize, plural } from '../../src/format/labels.ts';
import { accountSummaryRules, parseAccountSummary } from './parse.ts';

const AccountSummary = z.strictObject({ type: z.literal('account.summary'), account: text(200) });

type Risk = 'idle' | 'past_close_date' | 'single_threaded';
interface Deal {
  name: string;
  stage: string;
  amount: number;
  close_date: string;
  owner: string | null;
  idle_days: number;
  next_step: { text: string; due_date: string | null } | null;
  risks: Risk[];
}
/** What private.act_account_summary returns (supabase/schemas/13_insights.sql). */
export interface SummaryResult {
  today: string;
  account: { name: string; tier: string; industry: string | null; region: string; owner: string | null };
  deals: Deal[];
  activities: { kind: string; summary: string; occurred_at: string; by: string; contact: string | null }[];
  activities_90d: number;
  cases: { id: number; summary: string; severity: string; status: string; breached: boolean }[];
  contacts: { name: string; title: string | null; activities: number }[];
  contacts_total: number;
  open_tasks: number;
}

const RISK_WORDS: Record<Risk, (n: number) => string> = {
  idle: (n) => `${plural(n, 'deal')} idle for 30+ days`,
  past_close_date: (n) => `${plural(n, 'deal')} past ${n === 1 ? 'its' : 'their'} close date`,
  single_threaded: (n) => `${plural(n, 'deal')} single-threaded (one contact or none)`,
};

/** account.summary: "what's the latest on Acme": open deals, last activities, open cases, next steps, key contacts, risks. */
export const accountSummary = defineAction({
  schema: AccountSummary,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'admin'],
  scope: 'logging',
  writes: false,
  nlu: { rules: accountSummaryRules, extract: parseAccountSummary },
  prepare: async (action, ctx): Promise<Prepared> => {
    const found = await resolveEntity(ctx, 'account', action.account);
    if ('question' in found) return { question: found.question };
    return { payload: { account_id: found.entity.id, today: ctx.today, now: ctx.now().toISOString() } };
  },
  format: (r: SummaryResult): Reply => {
    const a = r.account;
    const about = [humanize(a.tier), a.industry, a.region].filter(Boolean).join(' · ');
    const lines = [`${a.name} (${about}${a.owner ? `, owner ${a.owner}` : ''}), as of ${boundLabel(r.today)}:`];
    const open = r.deals.reduce((s, d) => s + Number(d.amount), 0);
    lines.push(
      r.deals.length
        ? `Open deals: ${r.deals.length}, ${formatMoney(open)}${r.open_tasks ? `; ${plural(r.open_tasks, 'open task')}` : ''}.`
        : 'No open deals you can see.',
    );
    const risks = (Object.keys(RISK_WORDS) as Risk[])
      .map((k) => [k, r.deals.filter((d) => d.risks.includes(k)).length] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => RISK_WORDS[k](n));
    if (risks.length) lines.push(`Risks: ${risks.join('; ')}.`);
    lines.push(
      r.activities.length
        ? `Last activities (${r.activities_90d} in 90 days): ${r.activities
            .slice(0, 3)
            .map(
              (t) =>
                `${dayLabel(t.occurred_at, r.today)} ${t.kind}${t.contact ? ` with ${t.contact}` : ''} by ${t.by}: ${t.summary}`,
            )
            .join('; ')}.`
        : 'No activities you can see.',
    );
    lines.push(
      r.cases.length
        ? `Open cases: ${r.cases
            .map((c) => `#${c.id} ${c.severity} (${humanize(c.status)}${c.breached ? ', past SLA' : ''}): ${c.summary}`)
            .join('; ')}.`
        : 'No open cases.',
    );
    if (r.contacts.length)
      lines.push(
        `Key contacts: ${r.contacts
          .map(
            (c) =>
              `${c.name}${c.title ? ` (${c.title})` : ''}${c.activities ? `, ${c.activities === 1 ? '1 activity' : `${c.activities} activities`} in 180 days` : ''}`,
          )
          .join('; ')}${r.contacts_total > r.contacts.length ? ` (of ${r.contacts_total})` : ''}.`,
      );
    const reply: Reply = { kind: 'answer', text: lines.join('\n'), sensitive: true };
    if (r.deals.length)
      reply.table = {
        columns: ['Deal', 'Stage', 'Amount', 'Close date', 'Next step', 'Risks'],
        rows: r.deals.map((d) => [
          d.name,
          humanize(d.stage),
          formatMoney(Number(d.amount)),
          d.close_date,
          d.next_step ? `${d.next_step.text}${d.next_step.due_date ? ` (due ${d.next_step.due_date})` : ''}` : '—',
          d.risks.map((k) => (k === 'idle' ? `idle ${d.idle_days} days` : humanize(k))).join(', ') || '—',
        ]),
      };
    return reply;
  },
});
