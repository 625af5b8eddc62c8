import { z } from 'zod';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply } from '../../src/core/types.ts';
import type { DataRequest } from '../../src/db/rpc.ts';
import { parseDataRequestList, dataRequestListRules } from './parse.ts';
import { daysLeft, kindLabel, lawLabel, who } from './labels.ts';

const DataRequestList = z.strictObject({ type: z.literal('data_request.list') });

function formatList(rows: DataRequest[]): Reply {
  if (!rows.length) return { kind: 'answer', text: 'No open data requests.' };
  return {
    kind: 'answer',
    sensitive: true,
    text: `${rows.length} open data request${rows.length === 1 ? '' : 's'}, soonest deadline first:`,
    table: {
      columns: ['#', 'kind', 'law', 'subject', 'status', 'filed by', 'due', 'days left'],
      rows: rows.map((r) => [
        r.id,
        kindLabel(r.kind),
        lawLabel(r.law),
        who(r),
        r.status,
        r.requested_by,
        r.due_date,
        daysLeft(r.days_left ?? 0),
      ]),
    },
  };
}

/** data_request.list: the open requests the asker may see (all of them for privacy officers), soonest deadline first. */
export const dataRequestList = defineAction({
  schema: DataRequestList,
  canonical: false,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'data_requests',
  writes: false,
  nlu: { rules: dataRequestListRules, extract: parseDataRequestList },
  prepare: async (_action, ctx) => ({ payload: { today: ctx.today } }),
  format: ({ rows }: { rows: DataRequest[] }) => formatList(rows),
});
