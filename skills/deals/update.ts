import { z } from 'zod';
import { amount, FORECAST_CATEGORIES, freeText, isoDate, STAGES, text } from '../../src/actions/fields.ts';
import { checkRepAction, choicesFor, resolveEntity, wordsMatch } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Choices, Reply, SkillContext } from '../../src/core/types.ts';
import type { DealHit, DealState } from '../../src/db/rpc.ts';
import { dayLabel, formatMoney, humanize as stageLabel, listOr } from '../../src/format/labels.ts';
import { parseDealUpdate, dealUpdateRules } from './parse.ts';

const CHANGES = [
  'stage',
  'amount',
  'amountChange',
  'closeDate',
  'owner',
  'category',
  'nextStep',
  'lossReason',
] as const;

const DealUpdate = z
  .strictObject({
    type: z.literal('deal.update'),
    deal: text(200),
    stage: z.enum(STAGES).optional(),
    amount: amount.optional(),
    /** A signed change of the amount: "bump it by 10k" is 10000, "reduce by 5k" -5000. */
    amountChange: z.number().finite().min(-1e12).max(1e12).optional(),
    closeDate: isoDate.optional(),
    owner: text(200).optional(),
    category: z.enum(FORECAST_CATEGORIES).optional(),
    nextStep: freeText(500).optional(),
    /** Why it was lost, with closed_lost ("went with a competitor"). */
    lossReason: freeText(500).optional(),
  })
  .refine((a) => CHANGES.some((k) => a[k] !== undefined), {
    message: 'say what to change on the deal: its stage, amount, close date, owner, forecast category or next step',
  });

/** What deal.update and deal.create return: the deal's name and account, before (for an update) and after. */
export interface DealWritten {
  name: string;
  account: string;
  before?: DealState;
  after: DealState;
}

/**
 * A deal as typed -> one deal the caller can see, or a question. The best kind of match wins (the
 * deal's name, its account's name, the account name plus words); among those an only open deal is
 * taken, since closed deals are rarely what people mean.
 */
export async function resolveDeal(
  ctx: SkillContext,
  typed: string,
): Promise<{ deal: DealHit } | { question: string; choices?: Choices }> {
  const q = typed
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/^the\s+/i, '')
    .replace(/\s+(?:deal|opportunity|opp)$/i, '');
  const hits = await ctx.db.rpc(ctx.user, 'find_deals', { q, limit: 10 });
  if (!hits.length)
    return { question: `I couldn't find a deal called "${q}" among the ones you can see. Could you give its name?` };
  const similar = hits[0].match === 'similar';
  // A look-alike ("initrode" ~ "Initech upsell") is asked about; the start of the name ("acme ren") is not one.
  const best = hits.filter((h) => h.match === hits[0].match && (!similar || wordsMatch(h.name, q)));
  if (!best.length) {
    const alike = hits.slice(0, 3);
    const labels = alike.map((h) => `${h.name} (${stageLabel(h.stage)})`);
    return {
      question: `I couldn't find a deal called "${q}". Did you mean ${listOr(labels)}?`,
      choices: choicesFor(
        typed.trim(),
        alike.map((h, i) => ({ label: labels[i], value: h.name })),
      ),
    };
  }
  const open = best.filter((h) => h.open);
  const pick = best.length === 1 ? best[0] : !similar && open.length === 1 ? open[0] : undefined;
  if (pick) return { deal: pick };
  const shown = (open.length ? open : best).slice(0, 6);
  const options = shown.map((h) => `${h.name} (${stageLabel(h.stage)}, closing ${dayLabel(h.close_date, ctx.today)})`);
  return {
    question: `Which deal do you mean: ${listOr(options)}?`,
    choices: choicesFor(
      typed.trim(),
      shown.map((h, i) => ({ label: options[i], value: h.name })),
    ),
  };
}

export function pastCloseQuestion(closeDate: string | undefined, stage: string | undefined, ctx: SkillContext) {
  if (!closeDate || closeDate >= ctx.today || stage?.startsWith('closed')) return undefined;
  return { question: `${dayLabel(closeDate, ctx.today)} is in the past. When do you expect it to close?` };
}

/** An amount above this is taken for a slip of the keyboard and asked about. */
const MAX_AMOUNT = 1e9;

const quoted = (v: string) => (v === 'null' || v === 'undefined' ? '—' : `'${v}'`);
const FIELDS: [keyof DealState, string, (v: string, today: string) => string][] = [
  ['stage', 'stage', (v) => stageLabel(v)],
  ['amount', 'amount', (v) => formatMoney(Number(v))],
  ['close_date', 'close date', (v, today) => dayLabel(v, today)],
  ['owner', 'owner', (v) => v],
  ['next_step', 'next step', quoted],
  ['loss_reason', 'loss reason', quoted],
];

/** "stage proposal → negotiation" for each field that changes. */
export function changes(before: DealState, after: Partial<DealState>, today: string): string[] {
  const was = (k: keyof DealState) => String(before[k] ?? null);
  return FIELDS.filter(([k]) => after[k] !== undefined && String(after[k]) !== was(k)).map(
    ([k, label, show]) => `${label} ${show(was(k), today)} → ${show(String(after[k]), today)}`,
  );
}

/** deal.update: stage, amount, close date, owner, next step or loss reason of one deal; the refusals live in SQL. */
export const dealUpdate = defineAction({
  schema: DealUpdate,
  canonical: true,
  roles: ['rep', 'manager', 'admin'],
  scope: 'logging',
  refusal: 'change deals',
  writes: true,
  nlu: { rules: dealUpdateRules, extract: parseDealUpdate },
  async prepare(action, ctx) {
    if (action.category) {
      return {
        answer:
          "Deals have no forecast categories in the CRM yet, so I can't record that. I can change a deal's stage, amount, close date, owner, next step or loss reason.",
      };
    }
    const found = await resolveDeal(ctx, action.deal);
    if ('question' in found) return found;
    const before = await ctx.db.rpc(ctx.user, 'deal_brief', { id: found.deal.id });
    const now = Number(before.amount);
    const amount = action.amountChange !== undefined ? now + action.amountChange : action.amount;
    if (amount !== undefined && amount <= 0) {
      return {
        question: `That would make ${before.name} worth ${amount < 0 ? 'less than nothing' : 'nothing'} (${formatMoney(now)} now). What should its amount be?`,
      };
    }
    if (amount !== undefined && amount > MAX_AMOUNT) {
      return {
        question: `${formatMoney(amount)} for ${before.name} (${formatMoney(now)} now) looks like a slip. What should its amount be?`,
      };
    }
    const past = pastCloseQuestion(action.closeDate, action.stage, ctx);
    if (past) return past;
    let owner: { id: string; name: string } | undefined;
    if (action.owner) {
      const r = await resolveEntity(ctx, 'user', action.owner);
      if ('question' in r) return r;
      owner = r.entity;
    }
    // A deal won or lost closes today unless a date is given (as the SQL trigger would do): written, so it is shown.
    const closes = action.stage?.startsWith('closed') && !before.stage.startsWith('closed');
    const closeDate = action.closeDate ?? (closes && before.close_date > ctx.today ? ctx.today : undefined);
    const payload = {
      deal_id: found.deal.id,
      ...(action.stage ? { stage: action.stage } : {}),
      ...(amount !== undefined ? { amount } : {}),
      ...(closeDate ? { close_date: closeDate } : {}),
      ...(owner ? { owner_id: owner.id } : {}),
      ...(action.nextStep ? { next_step: action.nextStep } : {}),
      ...(action.lossReason ? { loss_reason: action.lossReason } : {}),
    };
    await checkRepAction(ctx, 'deal.update', payload);
    const diff = changes(
      before,
      {
        stage: action.stage,
        amount,
        close_date: closeDate,
        owner: owner?.name,
        next_step: action.nextStep,
        loss_reason: action.lossReason,
      },
      ctx.today,
    );
    const by =
      action.amountChange !== undefined
        ? ` (${action.amountChange < 0 ? '−' : '+'}${formatMoney(Math.abs(action.amountChange))})`
        : '';
    return {
      payload,
      preview: [
        `Update ${before.name} (${before.account} · owner ${before.owner}):`,
        ...diff.map((d) => `  ${d}${d.startsWith('amount ') ? by : ''}`),
      ].join('\n'),
    };
  },
  format(result: DealWritten, ctx): Reply {
    const diff = changes(result.before!, result.after, ctx.today);
    return { kind: 'done', text: `Updated ${result.name}: ${diff.join(', ')}.`, sensitive: true };
  },
});
