import { z } from 'zod';
import { SEVERITIES, text } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { parseCaseList, caseListRules } from './parse.ts';
import { formatWhen } from './notices.ts';

/**
 * "my open cases" (assigned to or raised by me), "the support queue" (all open cases), "unassigned cases",
 * "cases breaching their SLA", "urgent cases for Acme".
 */
const CaseList = z.strictObject({
  type: z.literal('case.list'),
  filter: z.enum(['mine', 'unassigned', 'breaching', 'open']).optional(),
  account: text(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
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

/** case.list: "my open cases", "the support queue" — most urgent first, with the next deadline. */
export const caseList = defineAction({
  schema: CaseList,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'admin'],
  scope: 'escalations',
  writes: false,
  nlu: { rules: caseListRules, extract: parseCaseList },
  prepare: async (action) => {
    if (action.filter === 'unassigned' || action.filter === 'breaching' || action.account || action.severity) {
      return {
        answer:
          'I can list your open cases or the whole support queue so far, not filter it by assignee, SLA, account or severity.',
      };
    }
    return { payload: { scope: action.filter === 'open' ? 'all' : 'mine' } };
  },
  format({ rows, total, scope }: { rows: OpenCase[]; total: number; scope: string }, ctx) {
    const whose = scope === 'all' ? 'in the support queue' : 'assigned to you or raised by you';
    if (!total) return { kind: 'answer', text: `No open cases ${whose}.` };
    const now = ctx.now().getTime();
    return {
      kind: 'answer',
      text: `${total} open case${total === 1 ? '' : 's'} ${whose}, most urgent first:`,
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
