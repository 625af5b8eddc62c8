import { z } from 'zod';
import { ACTIVITY_KINDS, freeText, isoDate, STAGES, text } from '../../src/actions/fields.ts';
import { checkRepAction, normName, partyLabel, resolveParty } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { dayLabel, humanize, listOr } from '../../src/format/labels.ts';
import { parseActivity, activityLogRules } from './parse.ts';
import { pastDueQuestion, REMINDER_HOUR } from '../tasks/create.ts';

const ActivityLog = z.strictObject({
  type: z.literal('activity.log'),
  kind: z.enum(ACTIVITY_KINDS),
  contact: text(200).optional(),
  account: text(200).optional(),
  summary: freeText(),
  durationMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  outcome: freeText(500).optional(),
  followUpDate: isoDate.optional(),
  followUp: freeText(500).optional(),
  /** When it happened, when not today ("met them yesterday"). */
  occurredOn: isoDate.optional(),
  /** The open deal it is about, by name or id, when the contact is on several (a "which deal?" answer). */
  deal: text(200).optional(),
});

interface Logged {
  activity: { kind: string; duration_minutes: number | null };
  contact: string | null;
  account: string | null;
  deal: string | null;
  task: { text: string; due_date: string | null } | null;
}

const withWhom = (kind: string) => (kind === 'note' ? 'about' : 'with');

/**
 * activity.log: one sentence -> an activity on the right contact, account and open deal, plus a
 * follow-up task (with its reminder) when one is said. The preview lists exactly what is written.
 */
export const activityLog = defineAction({
  schema: ActivityLog,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'admin'],
  scope: 'logging',
  writes: true,
  nlu: { rules: activityLogRules, extract: parseActivity },
  async prepare(action, ctx) {
    if (!action.contact && !action.account) {
      return { question: `Who was the ${action.kind} ${withWhom(action.kind)}? Name the contact or the account.` };
    }
    const past = pastDueQuestion(action.followUpDate, ctx.today);
    if (past) return past;
    if (action.occurredOn && action.occurredOn > ctx.today) {
      return {
        question: `${dayLabel(action.occurredOn, ctx.today)} is still ahead. When did the ${action.kind} happen?`,
      };
    }
    const party = await resolveParty(ctx, action.contact, action.account);
    if ('question' in party) return party;
    const { contact, account } = party;
    const deals = account
      ? await ctx.db.rpc(ctx.user, 'account_open_deals', { account_id: account.id, contact_id: contact?.id ?? null })
      : [];
    // The contact's own open deals come first. On several, the one furthest along is meant (a renewal in negotiation
    // rather than a new prospect); when no one stands out, which one is asked, not picked.
    const theirs = contact ? deals.filter((d) => d.contact_id === contact.id) : [];
    const furthest = Math.max(...theirs.map((d) => STAGES.indexOf(d.stage as (typeof STAGES)[number])));
    const ahead = theirs.filter((d) => STAGES.indexOf(d.stage as (typeof STAGES)[number]) === furthest);
    // Named by a "which deal?" answer (its id, since two deals may share a name) or as typed.
    const named = action.deal
      ? deals.filter((d) => d.id === action.deal || normName(d.name) === normName(action.deal!))
      : [];
    if (action.deal && named.length !== 1) {
      return { question: `${account?.name} has no single open deal called "${action.deal}". Which deal was it about?` };
    }
    if (!action.deal && ahead.length > 1) {
      const labels = theirs.map(
        (d) => `${d.name} (${humanize(d.stage)}, closing ${dayLabel(d.close_date, ctx.today)})`,
      );
      return {
        question: `${contact!.name} is on ${theirs.length} open deals, none further along than the others. Which one was the ${action.kind} about: ${listOr(labels)}?`,
        choices: {
          typed: '',
          options: theirs.map((d, i) => ({ label: labels[i], action: { ...action, deal: d.id } })),
        },
      };
    }
    const deal = named[0] ?? ahead[0] ?? deals[0];
    const when = action.occurredOn ? dayLabel(action.occurredOn, ctx.today) : 'today';
    const followUp =
      action.followUp ?? (action.followUpDate ? `follow up with ${contact?.name ?? account?.name}` : undefined);

    const payload = {
      kind: action.kind,
      summary: action.summary,
      occurred_at: action.occurredOn ? `${action.occurredOn}T12:00:00Z` : ctx.now().toISOString(),
      ...(action.outcome ? { outcome: action.outcome } : {}),
      ...(action.durationMinutes ? { duration_minutes: action.durationMinutes } : {}),
      ...(contact ? { contact_id: contact.id } : {}),
      ...(account ? { account_id: account.id } : {}),
      ...(deal ? { deal_id: deal.id } : {}),
      ...(followUp ? { follow_up: followUp } : {}),
      ...(action.followUpDate ? { follow_up_date: action.followUpDate } : {}),
    };
    const task = !followUp
      ? 'none'
      : action.followUpDate
        ? `'${followUp}' due ${dayLabel(action.followUpDate, ctx.today)} (reminder at ${REMINDER_HOUR})`
        : `'${followUp}' (no due date)`;
    const lines = [
      `Log a ${action.kind} ${withWhom(action.kind)} ${partyLabel(party)}:`,
      `  contact: ${contact?.name ?? '—'}`,
      `  account: ${account?.name ?? '—'}`,
      `  deal: ${deal ? `${deal.name} (${humanize(deal.stage)}, closing ${dayLabel(deal.close_date, ctx.today)}); its last activity becomes ${when}${action.occurredOn ? ' unless a later one is logged' : ''}` : 'none open'}`,
      ...(action.occurredOn ? [`  when: ${dayLabel(action.occurredOn, ctx.today)}`] : []),
      ...(action.durationMinutes ? [`  duration: ${action.durationMinutes} min`] : []),
      `  summary: ${action.summary}`,
      ...(action.outcome ? [`  outcome: ${action.outcome}`] : []),
      `  follow-up task: ${task}`,
    ];
    await checkRepAction(ctx, 'activity.log', payload);
    return { payload, preview: lines.join('\n') };
  },
  format(result: Logged, ctx): Reply {
    const { activity, contact, account, task } = result;
    const who = contact ? `${contact}${account ? ` (${account})` : ''}` : (account ?? '');
    const parts = [
      `Logged the ${activity.kind} ${withWhom(activity.kind)} ${who}`,
      result.deal ? ` on ${String(result.deal)}` : '',
      activity.duration_minutes ? ` (${activity.duration_minutes} min)` : '',
      task ? `; follow-up '${task.text}'${task.due_date ? ` due ${dayLabel(task.due_date, ctx.today)}` : ''}` : '',
      '.',
    ];
    return { kind: 'done', text: parts.join('') };
  },
});
