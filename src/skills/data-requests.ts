import type { ActionOf } from '../actions/schema.ts';
import { defineSkill, type Reply, type SkillContext } from '../core/types.ts';
import { CrmError } from '../db/port.ts';
import { buildExport, rowCounts, type SubjectExport } from '../privacy/export.ts';
import { listOr, type Entity } from './resolve.ts';

/** A data request as `private.data_request_json` returns it. */
interface DataRequest {
  id: number;
  kind: string;
  law: string;
  status: string;
  subject: string;
  contact: string | null;
  account: string | null;
  received_on: string;
  due_date: string;
  requested_by: string;
  verified_by: string | null;
  verification_method: string | null;
  approved_by: string | null;
  executed_at: string | null;
  changed_fields: string[] | null;
  changes: Record<string, string> | null;
  result: { done?: string[]; kept?: string[]; completed_on?: string; deadline_met?: boolean; reason?: string | null } | null;
  days_left?: number;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const LAW = { gdpr: 'GDPR', ccpa: 'CCPA' } as const;

const kindLabel = (kind: string) => kind.replace(/_/g, ' ');
const lawLabel = (law: string) => LAW[law as keyof typeof LAW] ?? law;
const who = (r: DataRequest) => (r.contact ? `${r.contact}${r.account ? ` (${r.account})` : ''}` : r.subject);
const entityLabel = (e: Entity) => (e.detail ? `${e.name} (${e.detail})` : e.name);
const daysLeft = (n: number) => (n < 0 ? `overdue by ${-n} day${n === -1 ? '' : 's'}` : `${n} day${n === 1 ? '' : 's'} left`);

/**
 * The contact a request is about. Only an exact email or an exact name links one, since an erasure
 * must never land on a look-alike: a near match becomes a question, no match files the request
 * against the subject as given (a lead, or someone the CRM only mentions).
 */
async function resolveSubject(ctx: SkillContext, subject: string): Promise<{ contact: Entity | null } | { question: string }> {
  const q = subject.trim();
  if (EMAIL.test(q)) {
    const found = await ctx.db.rpc<Entity[]>(ctx.user, 'contacts_with_email', { email: q });
    if (found.length > 1) return { question: `Several contacts have that email: ${listOr(found.map(entityLabel))}. Which one is it?` };
    return { contact: found[0] ?? null };
  }
  const found = await ctx.db.rpc<Entity[]>(ctx.user, 'find_entities', { kind: 'contact', q, limit: 6 });
  const exact = found.filter((e) => e.name.toLowerCase() === q.toLowerCase());
  if (exact.length === 1) return { contact: exact[0] };
  if (exact.length > 1) return { question: `Which ${q} is the request about: ${listOr(exact.map(entityLabel))}? Their email settles it.` };
  if (found.length) {
    return { question: `No contact is called exactly "${q}". Did you mean ${listOr(found.map(entityLabel))}? Give the full name or the email (or the email alone if they are not a contact).` };
  }
  return { contact: null };
}

async function prepareCreate(action: ActionOf<'data_request.create'>, ctx: SkillContext) {
  const subject = await resolveSubject(ctx, action.subject);
  if ('question' in subject) return subject;
  const { contact } = subject;
  const law = action.law ?? 'gdpr';
  const payload = {
    kind: action.kind,
    subject: action.subject.trim(),
    received_on: ctx.today,
    ...(action.law ? { law: action.law } : {}),
    ...(contact ? { contact_id: contact.id } : {}),
    ...(action.changes ? { changes: action.changes } : {}),
  };
  const { problem } = await ctx.db.rpc<{ problem: string | null }>(ctx.user, 'check_data_request_create', payload);
  if (problem) throw new CrmError(problem, 'refused');
  const { due_date } = await ctx.db.rpc<{ due_date: string }>(ctx.user, 'data_request_deadline', { law, received_on: ctx.today });
  const about = contact ? entityLabel(contact) : `${action.subject.trim()} (no matching contact)`;
  const what = action.changes && action.kind === 'rectification' ? `, correcting ${listOr(Object.keys(action.changes))}` : '';
  const preview = `File a ${lawLabel(law)} ${kindLabel(action.kind)} request about ${about}${what}: received ${ctx.today}, due ${due_date}.`;
  return { payload, preview };
}

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

async function prepareStep(action: ActionOf<'data_request.step'>, ctx: SkillContext) {
  if (action.step === 'verify' && !action.method) {
    return { question: `How was the identity behind request #${action.request} verified (e.g. "verified by a reply from the email on file")?` };
  }
  const args = { request: action.request, step: action.step, method: action.method ?? null };
  const { problem } = await ctx.db.rpc<{ problem: string | null }>(ctx.user, 'check_data_request_step', args);
  if (problem) throw new CrmError(problem, 'refused');
  const r = await ctx.db.rpc<DataRequest>(ctx.user, 'data_request_get', { id: action.request });
  const payload = { request: action.request, step: action.step, ...(action.method ? { method: action.method } : {}) };
  if (r.status === 'completed') {
    return { answer: `Request #${r.id} was already completed on ${String(r.executed_at).slice(0, 10)}; nothing changed.`, sensitive: true };
  }
  const preview = {
    verify: `Record that the identity behind request #${r.id} (${kindLabel(r.kind)}, ${who(r)}) was verified: ${action.method}.`,
    approve: `Approve ${kindLabel(r.kind)} request #${r.id} about ${who(r)} (identity verified by ${r.verified_by}).`,
    execute: executePreview(r),
    reject: `Reject ${kindLabel(r.kind)} request #${r.id} about ${who(r)}${action.method ? `: ${action.method}` : ''}.`,
  }[action.step];
  return { payload, preview };
}

function completionNotice(r: DataRequest): string {
  const res = r.result ?? {};
  const timing = res.deadline_met === false ? `after the deadline of ${r.due_date}` : `within the deadline (${r.due_date})`;
  const lines = [`${lawLabel(r.law)} ${kindLabel(r.kind)} request #${r.id} completed on ${res.completed_on}, ${timing}.`];
  for (const d of res.done ?? []) lines.push(`  • ${d}`);
  for (const k of res.kept ?? []) lines.push(`  • ${k}`);
  return lines.join('\n');
}

function formatStep(result: Record<string, unknown>, ctx: SkillContext): Reply {
  const r = result.request as DataRequest;
  switch (result.step) {
    case 'verify':
      return { kind: 'done', text: `Request #${r.id}: identity verified by ${r.verified_by} (${r.verification_method}). Next: approve it.`, sensitive: true };
    case 'approve':
      return { kind: 'done', text: `Request #${r.id} approved by ${r.approved_by}. Next: execute it.`, sensitive: true };
    case 'reject':
      return { kind: 'done', text: `Request #${r.id} rejected.`, sensitive: true };
  }
  const text = completionNotice(r);
  const data = result.export as SubjectExport | undefined;
  if (!data) return { kind: 'done', text, sensitive: true };
  let reported = '';
  const files = buildExport(data, {
    requestId: r.id, generatedAt: ctx.now(),
    onProgress: ({ table, rowsDone, rowsTotal }) => {
      if (rowsTotal < LARGE_EXPORT_ROWS || table === reported) return;
      reported = table;
      ctx.progress(`Exporting ${table}: ${rowsDone.toLocaleString('en-US')} of ${rowsTotal.toLocaleString('en-US')} rows…`);
    },
  });
  return { kind: 'done', text: `${text}\nRows per table: ${rowCounts(data)}.`, files, sensitive: true };
}

/** Exports at least this big report progress per table while the files are written. */
const LARGE_EXPORT_ROWS = 200;

function formatList(rows: DataRequest[]): Reply {
  if (!rows.length) return { kind: 'answer', text: 'No open data requests.' };
  return {
    kind: 'answer',
    sensitive: true,
    text: `${rows.length} open data request${rows.length === 1 ? '' : 's'}, soonest deadline first:`,
    table: {
      columns: ['#', 'kind', 'law', 'subject', 'status', 'filed by', 'due', 'days left'],
      rows: rows.map((r) => [r.id, kindLabel(r.kind), lawLabel(r.law), who(r), r.status, r.requested_by, r.due_date, daysLeft(r.days_left ?? 0)]),
    },
  };
}

/**
 * Customer data requests (GDPR / CCPA): anyone files one; a privacy officer or an admin verifies the
 * requester's identity, approves and executes it (each a confirmed, audited write, enforced in SQL).
 */
export const dataRequests = defineSkill({
  types: ['data_request.create', 'data_request.list', 'data_request.step'],
  writes: (action) => action.type !== 'data_request.list',
  async prepare(action, ctx) {
    if (action.type === 'data_request.create') return prepareCreate(action, ctx);
    if (action.type === 'data_request.step') return prepareStep(action, ctx);
    return { payload: { today: ctx.today } };
  },
  format(result, ctx): Reply {
    if (result.action === 'data_request.list') return formatList(result.rows as DataRequest[]);
    if (result.action === 'data_request.step') return formatStep(result, ctx);
    const r = result.request as DataRequest;
    const lines = [
      `Filed data request #${r.id}: ${kindLabel(r.kind)} (${lawLabel(r.law)}) about ${who(r)}, received ${r.received_on}, due ${r.due_date}.`,
    ];
    if (result.law_assumed) lines.push(`No law was named, so it runs under GDPR: its one-month deadline never ends later than CCPA's 45 days.`);
    lines.push('Next: a privacy officer verifies the requester\'s identity, then approves and executes it.');
    return { kind: 'done', text: lines.join('\n'), sensitive: true };
  },
});
