import { z } from 'zod';
import { freeText, recordNumber, SEVERITIES, text } from '../../src/actions/fields.ts';
import { resolveEntity } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Prepared, Reply, SkillContext } from '../../src/core/types.ts';
import { CrmError } from '../../src/db/port.ts';
import type { CaseInfo } from '../../src/db/rpc.ts';
import { parseEscalationUpdate, escalationUpdateRules } from './parse.ts';
import { caseTitle, deadlines } from './notices.ts';

export const CASE_STATUSES = ['acknowledged', 'resolved', 'reopened'] as const;

const EscalationUpdate = z.strictObject({
  type: z.literal('escalation.update'),
  case: recordNumber('case'),
  status: z.enum(CASE_STATUSES).optional(),
  assignee: text(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
  /** A resolution, reopen or hand-over note ("resolve 1011 - billing contact updated"). */
  note: freeText(1000).optional(),
});
type EscalationUpdate = z.infer<typeof EscalationUpdate>;

/** escalation.update: acknowledge, resolve, reopen, reassign (capacity checked before the confirmation and in SQL), change severity, with a note. */
async function prepareUpdate(action: EscalationUpdate, ctx: SkillContext): Promise<Prepared> {
  const found = await ctx.db.rpc(ctx.user, 'case_brief', { case: action.case });
  if (!found?.case) return { question: `I couldn't find case #${action.case}. Which case number do you mean?` };
  const c = found.case;
  const note = action.note?.trim() || undefined;
  if (!action.status && !action.assignee && !action.severity && !note) {
    return {
      question: `What should I do with ${caseTitle(c)}: acknowledge, resolve, reopen, reassign it (to whom?) or change its severity?`,
    };
  }
  // The same refusals the SQL makes, before the user is asked to confirm anything.
  const refused =
    action.status === 'reopened' && c.status !== 'resolved'
      ? `Case #${c.id} is not resolved, so there is nothing to reopen.`
      : action.status !== 'reopened' && c.status === 'resolved' && (action.status || action.assignee || action.severity)
        ? `Case #${c.id} is resolved; reopen it first.`
        : action.status === 'acknowledged' && c.status === 'acknowledged'
          ? `Case #${c.id} is already acknowledged.`
          : undefined;
  if (refused) throw new CrmError(refused, 'refused');
  let assignee: { id: string; name: string } | undefined;
  if (action.assignee) {
    const me = /^(?:me|myself)$/i.test(action.assignee.trim());
    const r = me
      ? { entity: { id: ctx.user.id, name: ctx.user.name } }
      : await resolveEntity(ctx, 'user', action.assignee);
    if ('question' in r) return r;
    if (r.entity.id === c.assignee?.id) {
      if (!action.status && !action.severity && !note)
        throw new CrmError(`Case #${c.id} is already with ${r.entity.name}.`, 'refused');
    } else {
      const { problem } = await ctx.db.rpc(ctx.user, 'check_case_assignee', { user_id: r.entity.id });
      if (problem) throw new CrmError(problem, 'refused');
      assignee = r.entity;
    }
  }
  const steps = [
    action.status === 'reopened' ? 'reopen it' : '',
    assignee ? `reassign it to ${assignee.name}` : '',
    action.severity ? `change its severity to ${action.severity} (deadlines recomputed)` : '',
    action.status === 'acknowledged' ? 'acknowledge it' : '',
    action.status === 'resolved' ? 'resolve it' : '',
  ].filter(Boolean);
  const payload = {
    case: action.case,
    ...(action.status ? { status: action.status } : {}),
    ...(assignee ? { assignee_id: assignee.id } : {}),
    ...(action.severity ? { severity: action.severity } : {}),
    ...(note ? { note } : {}),
  };
  const todo = steps.length ? steps.join(', ') : 'add an internal note';
  const withNote = note
    ? `\n${steps.length ? 'With the internal note' : 'Note'} (kept in the case timeline, not shown to the customer): "${note}"`
    : '';
  return {
    payload,
    preview: `${caseTitle(c)}: ${c.summary}\n${todo[0].toUpperCase()}${todo.slice(1)}.${withNote}`,
  };
}

function formatUpdate(result: { case: CaseInfo; changes: string[]; note: string | null }, ctx: SkillContext): Reply {
  const { case: c, changes, note } = result;
  if (changes.length === 1 && changes[0] === 'noted') {
    return { kind: 'done', text: `Internal note added to case #${c.id}: "${note}"` };
  }
  const parts = changes.map((ch) => {
    switch (ch) {
      case 'reopened':
        return `reopened${c.assignee ? ` with ${c.assignee.name}` : ', waiting in the support queue'}`;
      case 'reassigned':
        return `reassigned to ${c.assignee?.name}`;
      case 'severity':
        return `now ${c.severity}`;
      default:
        return ch;
    }
  });
  const clock = changes.some((ch) => ch === 'reopened' || ch === 'severity')
    ? `\n${deadlines(c, ctx.user.timezone)}.`
    : '';
  const kept = note ? `\nNote kept in the case timeline: "${note}"` : '';
  return { kind: 'done', text: `Case #${c.id} ${parts.join(', ')}.${clock}${kept}` };
}

/** escalation.update: support, their managers and admins work cases. */
export const escalationUpdate = defineAction({
  schema: EscalationUpdate,
  canonical: true,
  roles: ['manager', 'support', 'admin'],
  scope: 'escalations',
  refusal: 'work support cases',
  writes: true,
  nlu: { rules: escalationUpdateRules, extract: parseEscalationUpdate },
  prepare: prepareUpdate,
  format: formatUpdate,
});
