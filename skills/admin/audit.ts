import { z } from 'zod';
import { isoDate, text } from '../../src/actions/fields.ts';
import { resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import { parseAuditQuery, auditQueryRules } from './parse.ts';

/** Admins and privacy officers asking the audit trail: who did what, when, through which channel. */
const AuditQuery = z.strictObject({
  type: z.literal('audit.query'),
  action: z.enum(['export', 'erasure', 'data_request', 'write', 'llm', 'any']).default('any'),
  account: text(200).optional(),
  actor: text(200).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

interface AuditRow {
  at: string;
  actor: string | null;
  role: string | null;
  channel: string;
  action: string;
  target: string;
}

const WHAT = {
  export: ['data export', 'data exports'],
  erasure: ['erasure', 'erasures'],
  data_request: ['data-request step', 'data-request steps'],
  write: ['change', 'changes'],
  llm: ['LLM call', 'LLM calls'],
  any: ['action', 'actions'],
} as const;

/** "Who exported data this week", "what did the bot change on Acme yesterday": the audit trail as an answer. */
export const auditQuery = defineAction({
  schema: AuditQuery,
  canonical: false,
  roles: ['privacy_officer', 'admin'],
  scope: 'data_requests',
  refusal: 'read the audit trail (admins and privacy officers only)',
  writes: false,
  nlu: { rules: auditQueryRules, extract: parseAuditQuery },
  prepare: async (action, ctx) => {
    const payload: Record<string, unknown> = { action: action.action, from: action.from, to: action.to };
    for (const [field, kind] of [
      ['account', 'account'],
      ['actor', 'user'],
    ] as const) {
      if (!action[field]) continue;
      const found = await resolveEntity(ctx, kind, action[field]!);
      if ('question' in found) return found;
      payload[`${field}_id`] = found.entity.id;
      payload[`${field}_name`] = found.entity.name;
    }
    return { payload };
  },
  format: (r: {
    rows: AuditRow[];
    total: number;
    kind: keyof typeof WHAT;
    account_name?: string;
    from: string;
    to: string;
  }) => {
    const { rows, total } = r;
    const about = r.account_name ? ` on ${r.account_name}` : '';
    const [one, many] = WHAT[r.kind] ?? WHAT.any;
    const head = `${total} ${total === 1 ? one : many}${about} between ${r.from} and ${r.to}${total ? ':' : '.'}`;
    return {
      kind: 'answer',
      sensitive: true,
      text: head,
      table: total
        ? {
            columns: ['when (UTC)', 'who', 'channel', 'action', 'record'],
            rows: rows.map((x) => [
              x.at.slice(0, 16).replace('T', ' '),
              `${x.actor ?? 'system'}${x.role ? ` (${x.role})` : ''}`,
              x.channel,
              x.action,
              x.target,
            ]),
            more: Math.max(0, total - rows.length),
          }
        : undefined,
    };
  },
});
