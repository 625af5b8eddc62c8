import { defineSkill } from '../core/types.ts';
import { resolveEntity } from './resolve.ts';

interface AuditRow {
  at: string;
  actor: string | null;
  role: string | null;
  channel: string;
  action: string;
  target: string;
}

const WHAT = {
  export: ['data export', 'data exports'], erasure: ['erasure', 'erasures'], data_request: ['data-request step', 'data-request steps'],
  write: ['change', 'changes'], llm: ['LLM call', 'LLM calls'], any: ['action', 'actions'],
} as const;

/** "Who exported data this week", "what did the bot change on Acme yesterday": the audit trail as an answer. */
export const audit = defineSkill({
  types: ['audit.query'],
  writes: () => false,
  prepare: async (action, ctx) => {
    const payload: Record<string, unknown> = { action: action.action, from: action.from, to: action.to };
    for (const [field, kind] of [['account', 'account'], ['actor', 'user']] as const) {
      if (!action[field]) continue;
      const found = await resolveEntity(ctx, kind, action[field]!);
      if ('question' in found) return found;
      payload[`${field}_id`] = found.entity.id;
      payload[`${field}_name`] = found.entity.name;
    }
    return { payload };
  },
  format: (r) => {
    const rows = r.rows as AuditRow[];
    const total = r.total as number;
    const about = r.account_name ? ` on ${r.account_name}` : '';
    const [one, many] = WHAT[r.kind as keyof typeof WHAT] ?? WHAT.any;
    const head = `${total} ${total === 1 ? one : many}${about} between ${r.from} and ${r.to}` + (total ? ':' : '.');
    return {
      kind: 'answer',
      sensitive: true,
      text: head,
      table: total
        ? {
            columns: ['when (UTC)', 'who', 'channel', 'action', 'record'],
            rows: rows.map((x) => [x.at.slice(0, 16).replace('T', ' '), `${x.actor ?? 'system'}${x.role ? ` (${x.role})` : ''}`, x.channel, x.action, x.target]),
            more: Math.max(0, total - rows.length),
          }
        : undefined,
    };
  },
});
