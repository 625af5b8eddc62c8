import { z } from 'zod';
import { freeText, recordNumber } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply, SkillContext } from '../../src/core/types.ts';
import { CrmError } from '../../src/db/port.ts';
import type { DataRequest } from '../../src/db/rpc.ts';
import { listOr } from '../../src/format/labels.ts';
import { parseDataRequestStep, dataRequestStepRules } from './parse.ts';
import { buildExport, rowCounts, type SubjectExport } from './export.ts';
import { kindLabel, lawLabel, who } from './labels.ts';

const DataRequestStep = z.strictObject({
  type: z.literal('data_request.step'),
  request: recordNumber('request'),
  step: z.enum(['verify', 'approve', 'execute', 'reject', 'extend', 'lift']),
  /** How the identity was verified, or the reason for a rejection or an extension. */
  note: freeText(500).optional(),
});
type DataRequestStep = z.infer<typeof DataRequestStep>;

function executePreview(r: DataRequest): string {
  const head = `Execute ${kindLabel(r.kind)} request #${r.id} (${lawLabel(r.law)}) about ${who(r)}:`;
  switch (r.kind) {
    case 'access':
    case 'portability':
      return `${head} export every row held about them as JSON and CSV.`;
    case 'erasure':
      return `${head} anonymise the contact, delete their consents and leads' details, and erase their name, email and phone from every record, except cases under legal hold. This cannot be undone.`;
    case 'rectification':
      return `${head} set ${listOr(Object.entries(r.changes ?? {}).map(([field, value]) => `${field} to "${value}"`))}.`;
    case 'restriction':
      return `${head} flag the contact so their data is kept but no longer processed.`;
    default:
      return `${head} withdraw their consent and cancel the open outreach tasks for it.`;
  }
}

async function prepareStep(action: DataRequestStep, ctx: SkillContext) {
  if (action.step === 'extend' || action.step === 'lift') {
    const what = action.step === 'extend' ? 'extend a deadline' : 'lift a processing restriction';
    return { answer: `I can't ${what} yet. Requests can be verified, approved, executed or rejected.` };
  }
  const step = action.step;
  if (action.step === 'verify' && !action.note) {
    return {
      question: `How was the identity behind request #${action.request} verified (e.g. "verified by a reply from the email on file")?`,
    };
  }
  const args = { request: action.request, step, method: action.note ?? null };
  const { problem } = await ctx.db.rpc(ctx.user, 'check_data_request_step', args);
  if (problem) throw new CrmError(problem, 'refused');
  const r = await ctx.db.rpc(ctx.user, 'data_request_get', { id: action.request });
  const payload = { request: action.request, step, ...(action.note ? { method: action.note } : {}) };
  if (r.status === 'completed') {
    return {
      answer: `Request #${r.id} was already completed on ${String(r.executed_at).slice(0, 10)}; nothing changed.`,
      sensitive: true,
    };
  }
  const preview = {
    verify: `Record that the identity behind request #${r.id} (${kindLabel(r.kind)}, ${who(r)}) was verified: ${action.note}.`,
    approve: `Approve ${kindLabel(r.kind)} request #${r.id} about ${who(r)} (identity verified by ${r.verified_by}).`,
    execute: executePreview(r),
    reject: `Reject ${kindLabel(r.kind)} request #${r.id} about ${who(r)}${action.note ? `: ${action.note}` : ''}.`,
  }[step];
  return { payload, preview };
}

function completionNotice(r: DataRequest): string {
  const res = r.result ?? {};
  const timing =
    res.deadline_met === false ? `after the deadline of ${r.due_date}` : `within the deadline (${r.due_date})`;
  const lines = [
    `${lawLabel(r.law)} ${kindLabel(r.kind)} request #${r.id} completed on ${res.completed_on}, ${timing}.`,
  ];
  for (const d of res.done ?? []) lines.push(`  • ${d}`);
  for (const k of res.kept ?? []) lines.push(`  • ${k}`);
  return lines.join('\n');
}

function formatStep(
  result: { request: DataRequest; step: DataRequestStep['step']; export?: SubjectExport },
  ctx: SkillContext,
): Reply {
  const r = result.request;
  switch (result.step) {
    case 'verify':
      return {
        kind: 'done',
        text: `Request #${r.id}: identity verified by ${r.verified_by} (${r.verification_method}). Next: approve it.`,
        sensitive: true,
      };
    case 'approve':
      return {
        kind: 'done',
        text: `Request #${r.id} approved by ${r.approved_by}. Next: execute it.`,
        sensitive: true,
      };
    case 'reject':
      return { kind: 'done', text: `Request #${r.id} rejected.`, sensitive: true };
  }
  const text = completionNotice(r);
  const data = result.export;
  if (!data) return { kind: 'done', text, sensitive: true };
  let reported = '';
  const files = buildExport(data, {
    requestId: r.id,
    generatedAt: ctx.now(),
    onProgress: ({ table, rowsDone, rowsTotal }) => {
      if (rowsTotal < LARGE_EXPORT_ROWS || table === reported) return;
      reported = table;
      ctx.progress(
        `Exporting ${table}: ${rowsDone.toLocaleString('en-US')} of ${rowsTotal.toLocaleString('en-US')} rows…`,
      );
    },
  });
  return { kind: 'done', text: `${text}\nRows per table: ${rowCounts(data)}.`, files, sensitive: true };
}

/** Exports at least this big report progress per table while the files are written. */
const LARGE_EXPORT_ROWS = 200;

/** data_request.step: verify the requester's identity, approve, execute or reject (privacy officers and admins, enforced in SQL). */
export const dataRequestStep = defineAction({
  schema: DataRequestStep,
  canonical: true,
  roles: ['privacy_officer', 'admin'],
  scope: 'data_requests',
  refusal: 'approve or execute data requests (privacy officers only)',
  writes: true,
  nlu: { rules: dataRequestStepRules, extract: parseDataRequestStep },
  prepare: prepareStep,
  format: formatStep,
});
