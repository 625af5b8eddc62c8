import { z } from 'zod';
import { SEVERITIES, text } from '../../src/actions/fields.ts';
import { resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import { parseCaseList, caseListRules } from './parse.ts';
import { formatWhen } from './notices.ts';

/**
 * "my open cases" (assigned to or raised by me), "the support queue" (all open cases), "unassigned cases",
 * "cases breaching their SLA" (a deadline passed), "cases at risk in the next 4 hours", "urgent cases for Acme".
 */
const CaseList = z.strictObject({
  type: z.literal('case.list'),
  filter: z.enum(['mine', 'unassigned', 'breaching', 'open']).optional(),
  account: text(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
  /** With `breaching`: also the cases whose next deadline passes within this many hours. */
  withinHours: z.number().int().min(1).max(168).optional(),
});

interface OpenCase {
  id: number;
  summary: string;
  severity: string;
  status: string;
  account: string | null;
  assignee: string | null;
  due: string | null;
  due_kind: string;
}

interface Listed {
  rows: OpenCase[];
  total: number;
  scope: 'all' | 'mine';
  filter: 'unassigned' | 'breaching' | null;
  within_hours: number | null;
  severity: string | null;
  account: string | null;
  /** The database's clock, the one the breaching filter ran on. */
  now: string;
}

/** "unassigned urgent open cases for Acme in the support queue", "open cases past a deadline or due within 4 hours …". */
function describeList(l: Listed, noun: string): string {
  const breach =
    l.filter === 'breaching'
      ? l.within_hours
        ? ` past a deadline or due within ${l.within_hours} hour${l.within_hours === 1 ? '' : 's'}`
        : ' past a deadline'
      : '';
  const whose = l.scope === 'all' ? 'in the support queue' : 'assigned to you or raised by you';
  return [
    l.filter === 'unassigned' ? 'unassigned' : '',
    l.severity ?? '',
    `open ${noun}${breach}`,
    l.account ? `for ${l.account}` : '',
    whose,
  ]
    .filter(Boolean)
    .join(' ');
}

/** case.list: "my open cases", "the support queue" — most urgent first, with the next deadline. */
export const caseList = defineAction({
  schema: CaseList,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'admin'],
  scope: 'escalations',
  writes: false,
  nlu: { rules: caseListRules, extract: parseCaseList },
  async prepare(action, ctx) {
    let account: { id: string } | undefined;
    if (action.account) {
      const r = await resolveEntity(ctx, 'account', action.account);
      if ('question' in r) return r;
      account = r.entity;
    }
    const narrowed = action.filter === 'unassigned' || action.filter === 'breaching' || account || action.severity;
    return {
      payload: {
        scope: action.filter === 'open' || (narrowed && action.filter !== 'mine') ? 'all' : 'mine',
        ...(action.filter === 'unassigned' || action.filter === 'breaching' ? { filter: action.filter } : {}),
        ...(account ? { account_id: account.id } : {}),
        ...(action.severity ? { severity: action.severity } : {}),
        ...(action.filter === 'breaching' && action.withinHours ? { within_hours: action.withinHours } : {}),
      },
    };
  },
  format(result: Listed, ctx) {
    const { rows, total } = result;
    const what = describeList(result, total === 1 ? 'case' : 'cases');
    if (!total) return { kind: 'answer', text: `No ${describeList(result, 'cases')}.` };
    const now = Date.parse(result.now);
    return {
      kind: 'answer',
      text: `${total} ${what}, most urgent first:`,
      table: {
        columns: ['#', 'severity', 'status', 'account', 'summary', 'assignee', 'next deadline'],
        rows: rows.map((c) => [
          c.id,
          c.severity,
          c.status,
          c.account ?? '',
          c.summary,
          c.assignee ?? 'queue',
          c.due
            ? `${c.due_kind} ${formatWhen(c.due, ctx.user.timezone)}${Date.parse(c.due) < now ? ' (overdue)' : ''}`
            : '',
        ]),
        more: Math.max(0, total - rows.length),
      },
    };
  },
});
