import { z } from 'zod';
import { CATEGORIES, freeText, SEVERITIES, text } from '../../src/actions/fields.ts';
import { resolveParty } from '../../src/core/records.ts';
import { defineAction } from '../../src/core/skill.ts';
import type { Prepared, Reply, SkillContext } from '../../src/core/types.ts';
import type { CaseInfo } from '../../src/db/rpc.ts';
import { parseEscalationCreate, escalationCreateRules } from './parse.ts';
import { CASE_ACTIONS, caseTitle, deadlines } from './notices.ts';
import { inferCategory, inferSeverity, isGenericSummary, summaryFrom } from './triage.ts';

const EscalationCreate = z.strictObject({
  type: z.literal('escalation.create'),
  summary: freeText(),
  account: text(200).optional(),
  contact: text(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
  category: z.enum(CATEGORIES).optional(),
});
type EscalationCreate = z.infer<typeof EscalationCreate>;

/** escalation.create: a case from a message, with its account, severity and category made explicit before it is opened. */
async function prepareCreate(action: EscalationCreate, ctx: SkillContext): Promise<Prepared> {
  const source = ctx.source?.text.trim() ? ctx.source : undefined;
  const generic = isGenericSummary(action.summary);
  if (generic && !source) return { question: 'What is the problem? Give me a sentence for the support case.' };
  const summary = generic && source ? summaryFrom(source.text) : action.summary;
  const said = `${action.summary}\n${source?.text ?? ''}`;
  const severity = action.severity ?? inferSeverity(said);
  const category = action.category ?? inferCategory(said);
  const party = await resolveParty(ctx, action.contact, action.account);
  // A guest cannot see the CRM's records, so cannot answer "which one?": the case goes in unlinked.
  if ('question' in party && ctx.user.role !== 'guest') return party;
  const { contact, account } = 'question' in party ? { contact: undefined, account: undefined } : party;

  const payload = {
    summary,
    severity,
    category,
    ...(account ? { account_id: account.id } : {}),
    ...(contact ? { contact_id: contact.id } : {}),
    ...(source ? { source_text: source.text, ...(source.link ? { source_link: source.link } : {}) } : {}),
  };
  const inferred = (given: unknown) => (given ? '' : ' (inferred)');
  const lines = [
    'Open a support case:',
    `  summary: ${summary}`,
    `  account: ${account?.name || 'none (standard SLA)'}${contact ? ` · contact: ${contact.name}` : ''}`,
    `  severity: ${severity}${inferred(action.severity)} · category: ${category}${inferred(action.category)}`,
    ...(source?.link ? [`  from message: ${source.link}`] : []),
  ];
  return { payload, preview: lines.join('\n') };
}

function formatCreate(result: { case: CaseInfo; routing: string }, ctx: SkillContext): Reply {
  const c = result.case;
  const who = c.assignee
    ? `${c.assignee.name} has it${result.routing === 'fallback' ? ' (nobody with that skill was free on shift)' : ''}.`
    : 'No support agent has room right now, so it waits in the support queue; the escalation channel has been told.';
  return {
    kind: 'done',
    text: `Opened ${caseTitle(c)}. ${who}\n${deadlines(c, ctx.user.timezone)}.`,
    caseActions: { case: String(c.id), actions: CASE_ACTIONS },
  };
}

/** escalation.create: anyone raises a case, guests too (from a customer's message, where the channel allows it). */
export const escalationCreate = defineAction({
  schema: EscalationCreate,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin', 'guest'],
  scope: 'escalations',
  writes: true,
  nlu: { rules: escalationCreateRules, extract: parseEscalationCreate },
  prepare: prepareCreate,
  format: formatCreate,
});
