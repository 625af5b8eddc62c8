import { z } from 'zod';
import { LAWS, text } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Reply, SkillContext } from '../../src/core/types.ts';
import { CrmError } from '../../src/db/port.ts';
import type { DataRequest, Entity } from '../../src/db/rpc.ts';
import { listOr } from '../../src/format/labels.ts';
import { parseDataRequest, dataRequestCreateRules } from './parse.ts';
import { kindLabel, lawLabel, who } from './labels.ts';

export const DATA_REQUEST_KINDS = [
  'access',
  'erasure',
  'rectification',
  'restriction',
  'portability',
  'consent_withdrawal',
  'opt_out_sale',
  'limit_sensitive',
] as const;

const DataRequestCreate = z.strictObject({
  type: z.literal('data_request.create'),
  kind: z.enum(DATA_REQUEST_KINDS),
  subject: text(320),
  law: z.enum(LAWS).optional(),
  changes: z.record(z.string().min(1).max(64), z.string().max(1000)).optional(),
});
type DataRequestCreate = z.infer<typeof DataRequestCreate>;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const entityLabel = (e: Entity) => (e.detail ? `${e.name} (${e.detail})` : e.name);

/**
 * The contact a request is about. Only an exact email or an exact name links one, since an erasure
 * must never land on a look-alike: a near match becomes a question, no match files the request
 * against the subject as given (a lead, or someone the CRM only mentions).
 */
async function resolveSubject(
  ctx: SkillContext,
  subject: string,
): Promise<{ contact: Entity | null } | { question: string }> {
  const q = subject.trim();
  if (EMAIL.test(q)) {
    const found = await ctx.db.rpc(ctx.user, 'contacts_with_email', { email: q });
    if (found.length > 1)
      return { question: `Several contacts have that email: ${listOr(found.map(entityLabel))}. Which one is it?` };
    return { contact: found[0] ?? null };
  }
  const found = await ctx.db.rpc(ctx.user, 'find_entities', { kind: 'contact', q, limit: 6 });
  const exact = found.filter((e) => e.name.toLowerCase() === q.toLowerCase());
  if (exact.length === 1) return { contact: exact[0] };
  if (exact.length > 1)
    return { question: `Which ${q} is the request about: ${listOr(exact.map(entityLabel))}? Their email settles it.` };
  if (found.length) {
    return {
      question: `No contact is called exactly "${q}". Did you mean ${listOr(found.map(entityLabel))}? Give the full name or the email (or the email alone if they are not a contact).`,
    };
  }
  return { contact: null };
}

async function prepareCreate(action: DataRequestCreate, ctx: SkillContext) {
  if (action.kind === 'opt_out_sale' || action.kind === 'limit_sensitive') {
    const what =
      action.kind === 'opt_out_sale' ? '"do not sell or share"' : '"limit the use of my sensitive information"';
    return {
      answer: `CCPA ${what} requests are not a request kind here yet; file it as a consent withdrawal meanwhile.`,
    };
  }
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
  const { problem } = await ctx.db.rpc(ctx.user, 'check_data_request_create', payload);
  if (problem) throw new CrmError(problem, 'refused');
  const { due_date } = await ctx.db.rpc(ctx.user, 'data_request_deadline', { law, received_on: ctx.today });
  // Without a contact the preview says nothing about whether one exists: an email only finds
  // contacts whose details the asker may see, and the preview must not confirm anyone else's.
  const about = contact ? entityLabel(contact) : `${action.subject.trim()} (not linked to a contact you can see)`;
  const what =
    action.changes && action.kind === 'rectification' ? `, correcting ${listOr(Object.keys(action.changes))}` : '';
  const preview = `File a ${lawLabel(law)} ${kindLabel(action.kind)} request about ${about}${what}: received ${ctx.today}, due ${due_date}.`;
  return { payload, preview };
}

/** data_request.create: anyone files a GDPR / CCPA request; a privacy officer then verifies, approves and executes it. */
export const dataRequestCreate = defineAction({
  schema: DataRequestCreate,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin'],
  scope: 'data_requests',
  writes: true,
  nlu: { rules: dataRequestCreateRules, extract: parseDataRequest },
  prepare: prepareCreate,
  format(result: { request: DataRequest; law_assumed?: boolean }): Reply {
    const r = result.request;
    const lines = [
      `Filed data request #${r.id}: ${kindLabel(r.kind)} (${lawLabel(r.law)}) about ${who(r)}, received ${r.received_on}, due ${r.due_date}.`,
    ];
    if (result.law_assumed)
      lines.push(
        `No law was named, so it runs under GDPR: its one-month deadline never ends later than CCPA's 45 days.`,
      );
    lines.push("Next: a privacy officer verifies the requester's identity, then approves and executes it.");
    return { kind: 'done', text: lines.join('\n'), sensitive: true };
  },
});
