import { z } from 'zod';
import { defineAction } from '../../src/core/skill.ts';
import { parseCaseList, caseListRules } from './parse.ts';
import { formatWhen } from './notices.ts';

/** "my open cases" (assigned to or raised by me), "the support queue" (all open cases). */
const CaseList = z.strictObject({ type: z.literal('case.list'), scope: z.enum(['mine', 'all']).default('mine') });

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
  canonical: false,
  roles: ['rep', 'manager', 'support', 'admin'],
  scope: 'escalations',
  writes: false,
  nlu: { rules: caseListRules, extract: parseCaseList },
  prepare: async (action) => ({ payload: { scope: action.scope } }),
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
