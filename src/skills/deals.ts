import { defineSkill, type Choices, type Reply, type SkillContext } from '../core/types.ts';
import { formatMoney } from '../format/text.ts';
import { checkRepAction } from './contacts.ts';
import { choicesFor, listOr, resolveEntity } from './resolve.ts';
import { dayLabel } from './tasks.ts';

interface DealHit {
  id: string;
  name: string;
  account: string;
  stage: string;
  close_date: string;
  open: boolean;
  match: 'name' | 'account' | 'account_in_query' | 'similar';
}
interface DealState {
  stage: string;
  amount: number;
  close_date: string;
  owner: string;
}

const stageLabel = (s: string) => s.replace('_', ' ');

/** The last day of the quarter after today's (2026-11-23 -> 2027-03-31): the default close date. */
export function endOfNextQuarter(today: string): string {
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3);
  return new Date(Date.UTC(year, (quarter + 1) * 3 + 3, 0)).toISOString().slice(0, 10);
}

/**
 * A deal as typed -> one deal the caller can see, or a question. The best kind of match wins (the
 * deal's name, its account's name, the account name plus words); among those an only open deal is
 * taken, since closed deals are rarely what people mean.
 */
export async function resolveDeal(ctx: SkillContext, typed: string): Promise<{ deal: DealHit } | { question: string; choices?: Choices }> {
  const q = typed.trim().replace(/^the\s+/i, '').replace(/\s+(?:deal|opportunity|opp)$/i, '');
  const hits = await ctx.db.rpc<DealHit[]>(ctx.user, 'find_deals', { q, limit: 10 });
  if (!hits.length) return { question: `I couldn't find a deal called "${q}" among the ones you can see. Could you give its name?` };
  const best = hits.filter((h) => h.match === hits[0].match);
  const open = best.filter((h) => h.open);
  const pick = best.length === 1 ? best[0] : hits[0].match !== 'similar' && open.length === 1 ? open[0] : undefined;
  if (pick) return { deal: pick };
  const shown = (open.length ? open : best).slice(0, 6);
  const options = shown.map((h) => `${h.name} (${stageLabel(h.stage)}, closing ${dayLabel(h.close_date, ctx.today)})`);
  return {
    question: `Which deal do you mean: ${listOr(options)}?`,
    choices: choicesFor(typed.trim(), shown.map((h, i) => ({ label: options[i], value: h.name }))),
  };
}

function pastCloseQuestion(closeDate: string | undefined, stage: string | undefined, ctx: SkillContext) {
  if (!closeDate || closeDate >= ctx.today || stage?.startsWith('closed')) return undefined;
  return { question: `${dayLabel(closeDate, ctx.today)} is in the past. When do you expect it to close?` };
}

const FIELDS: [keyof DealState, string, (v: string, today: string) => string][] = [
  ['stage', 'stage', (v) => stageLabel(v)],
  ['amount', 'amount', (v) => formatMoney(Number(v))],
  ['close_date', 'close date', (v, today) => dayLabel(v, today)],
  ['owner', 'owner', (v) => v],
];

/** "stage proposal → negotiation" for each field that changes. */
function changes(before: DealState, after: Partial<DealState>, today: string): string[] {
  return FIELDS.filter(([k]) => after[k] !== undefined && String(after[k]) !== String(before[k]))
    .map(([k, label, show]) => `${label} ${show(String(before[k]), today)} → ${show(String(after[k]), today)}`);
}

/** deal.update: stage, amount, close date or owner of one deal; the refusals live in SQL. */
export const dealUpdate = defineSkill({
  types: ['deal.update'],
  writes: () => true,
  async prepare(action, ctx) {
    const found = await resolveDeal(ctx, action.deal);
    if ('question' in found) return found;
    const past = pastCloseQuestion(action.closeDate, action.stage, ctx);
    if (past) return past;
    let owner: { id: string; name: string } | undefined;
    if (action.owner) {
      const r = await resolveEntity(ctx, 'user', action.owner);
      if ('question' in r) return r;
      owner = r.entity;
    }
    const payload = {
      deal_id: found.deal.id,
      ...(action.stage ? { stage: action.stage } : {}),
      ...(action.amount !== undefined ? { amount: action.amount } : {}),
      ...(action.closeDate ? { closeDate: action.closeDate } : {}),
      ...(owner ? { owner_id: owner.id } : {}),
    };
    await checkRepAction(ctx, 'deal.update', payload);
    const before = await ctx.db.rpc<DealState & { name: string; account: string }>(ctx.user, 'deal_brief', { id: found.deal.id });
    const diff = changes(before, { stage: action.stage, amount: action.amount, close_date: action.closeDate, owner: owner?.name }, ctx.today);
    return {
      payload,
      preview: [`Update ${before.name} (${before.account} · owner ${before.owner}):`, ...diff.map((d) => `  ${d}`)].join('\n'),
    };
  },
  format(result, ctx): Reply {
    const diff = changes(result.before as DealState, result.after as DealState, ctx.today);
    return { kind: 'done', text: `Updated ${String(result.name)}: ${diff.join(', ')}.`, sensitive: true };
  },
});

/** deal.create: a new deal on an account, owned by the caller, with stated defaults. */
export const dealCreate = defineSkill({
  types: ['deal.create'],
  writes: () => true,
  async prepare(action, ctx) {
    const r = await resolveEntity(ctx, 'account', action.account);
    if ('question' in r) return r;
    const account = r.entity;
    const past = pastCloseQuestion(action.closeDate, action.stage, ctx);
    if (past) return past;
    const name = action.name ?? `${account.name} new business`;
    const stage = action.stage ?? 'prospecting';
    const closeDate = action.closeDate ?? endOfNextQuarter(ctx.today);
    const payload = { account_id: account.id, name, stage, closeDate, ...(action.amount !== undefined ? { amount: action.amount } : {}) };
    await checkRepAction(ctx, 'deal.create', payload);
    const lines = [
      'Create a deal:',
      `  name: ${name}${action.name ? '' : ' (default)'}`,
      `  account: ${account.name}`,
      `  owner: you (${ctx.user.name})`,
      `  stage: ${stageLabel(stage)}${action.stage ? '' : ' (default)'}`,
      `  amount: ${action.amount !== undefined ? formatMoney(action.amount) : 'not set yet'}`,
      `  close date: ${dayLabel(closeDate, ctx.today)}${action.closeDate ? '' : ' (default: end of next quarter)'}`,
    ];
    return { payload, preview: lines.join('\n') };
  },
  format(result, ctx): Reply {
    const d = result.after as DealState;
    const amount = Number(d.amount) > 0 ? `, ${formatMoney(Number(d.amount))}` : '';
    return {
      kind: 'done',
      text: `Created ${String(result.name)} on ${String(result.account)}: ${stageLabel(d.stage)}${amount}, closing ${dayLabel(d.close_date, ctx.today)}.`,
      sensitive: true,
    };
  },
});
