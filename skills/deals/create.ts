import { z } from 'zod';
import { amount, isoDate, STAGES, text } from '../../src/actions/fields.ts';
import { checkRepAction, resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import { dayLabel, formatMoney, humanize as stageLabel } from '../../src/format/labels.ts';
import { parseDealCreate, dealCreateRules } from './parse.ts';
import { pastCloseQuestion, type DealWritten } from './update.ts';

const DealCreate = z.strictObject({
  type: z.literal('deal.create'),
  account: text(200),
  name: text(200).optional(),
  amount: amount.optional(),
  stage: z.enum(STAGES).optional(),
  closeDate: isoDate.optional(),
});

/** The last day of the quarter after today's (2026-11-23 -> 2027-03-31): the default close date. */
export function endOfNextQuarter(today: string): string {
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3);
  return new Date(Date.UTC(year, (quarter + 1) * 3 + 3, 0)).toISOString().slice(0, 10);
}

/** deal.create: a new deal on an account, owned by the caller, with stated defaults. */
export const dealCreate = defineAction({
  schema: DealCreate,
  canonical: true,
  roles: ['rep', 'manager', 'admin'],
  scope: 'logging',
  refusal: 'create deals',
  writes: true,
  nlu: { rules: dealCreateRules, extract: parseDealCreate },
  async prepare(action, ctx) {
    const r = await resolveEntity(ctx, 'account', action.account);
    if ('question' in r) return r;
    const account = r.entity;
    const past = pastCloseQuestion(action.closeDate, action.stage, ctx);
    if (past) return past;
    const name = action.name ?? `${account.name} new business`;
    const stage = action.stage ?? 'prospecting';
    const closeDate = action.closeDate ?? endOfNextQuarter(ctx.today);
    const payload = {
      account_id: account.id,
      name,
      stage,
      close_date: closeDate,
      ...(action.amount !== undefined ? { amount: action.amount } : {}),
    };
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
  format(result: DealWritten, ctx): Reply {
    const d = result.after;
    const amount = Number(d.amount) > 0 ? `, ${formatMoney(Number(d.amount))}` : '';
    return {
      kind: 'done',
      text: `Created ${result.name} on ${result.account}: ${stageLabel(d.stage)}${amount}, closing ${dayLabel(d.close_date, ctx.today)}.`,
      sensitive: true,
    };
  },
});
