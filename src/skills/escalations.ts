import type { ActionOf } from '../actions/schema.ts';
import { CrmError } from '../db/port.ts';
import { defineSkill, type Prepared, type Reply, type SkillContext } from '../core/types.ts';
import { caseTitle, deadlines, formatWhen, type CaseInfo } from '../support/notices.ts';
import { inferCategory, inferSeverity, isGenericSummary, summaryFrom } from '../support/triage.ts';
import { resolveParty } from './contacts.ts';
import { resolveEntity } from './resolve.ts';

type Result = Record<string, unknown> & { case: CaseInfo };

/** escalation.create: a case from a message, with its account, severity and category made explicit before it is opened. */
async function prepareCreate(action: ActionOf<'escalation.create'>, ctx: SkillContext): Promise<Prepared> {
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

function formatCreate(result: Result, ctx: SkillContext): Reply {
  const c = result.case;
  const who = c.assignee
    ? `${c.assignee.name} has it${result.routing === 'fallback' ? ' (nobody with that skill was free on shift)' : ''}.`
    : 'No support agent has room right now, so it waits in the support queue; the escalation channel has been told.';
  return { kind: 'done', text: `Opened ${caseTitle(c)}. ${who}\n${deadlines(c, ctx.user.timezone)}.` };
}

/** escalation.update: acknowledge, resolve, reopen, reassign (capacity checked in SQL), change severity. */
async function prepareUpdate(action: ActionOf<'escalation.update'>, ctx: SkillContext): Promise<Prepared> {
  const found = await ctx.db.rpc<{ case: CaseInfo } | null>(ctx.user, 'case_brief', { case: action.case });
  if (!found?.case) return { question: `I couldn't find case #${action.case}. Which case number do you mean?` };
  const c = found.case;
  if (!action.status && !action.assignee && !action.severity) {
    return { question: `What should I do with ${caseTitle(c)}: acknowledge, resolve, reopen, reassign it (to whom?) or change its severity?` };
  }
  // The same refusals the SQL makes, before the user is asked to confirm anything.
  const refused =
    action.status === 'reopened' && c.status !== 'resolved' ? `Case #${c.id} is not resolved, so there is nothing to reopen.`
    : action.status !== 'reopened' && c.status === 'resolved' ? `Case #${c.id} is resolved; reopen it first.`
    : action.status === 'acknowledged' && c.status === 'acknowledged' ? `Case #${c.id} is already acknowledged.`
    : undefined;
  if (refused) throw new CrmError(refused, 'refused');
  let assignee: { id: string; name: string } | undefined;
  if (action.assignee) {
    const r = await resolveEntity(ctx, 'user', action.assignee);
    if ('question' in r) return r;
    assignee = r.entity;
    if (!(await ctx.db.rpc<boolean>(ctx.user, 'is_support_agent', { user_id: r.entity.id }))) {
      throw new CrmError(`${r.entity.name} is not an active support agent, so I can't give them the case.`, 'refused');
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
  };
  return { payload, preview: `${caseTitle(c)}: ${c.summary}\n${steps.join(', ')[0].toUpperCase()}${steps.join(', ').slice(1)}.` };
}

function formatUpdate(result: Result, ctx: SkillContext): Reply {
  const c = result.case;
  const changes = result.changes as string[];
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
  const clock = changes.some((ch) => ch === 'reopened' || ch === 'severity') ? `\n${deadlines(c, ctx.user.timezone)}.` : '';
  return { kind: 'done', text: `Case #${c.id} ${parts.join(', ')}.${clock}` };
}

interface Metrics {
  from: string;
  to: string;
  open: Record<string, number>;
  created: number;
  response_met: number;
  response_decided: number;
  resolution_met: number;
  resolution_decided: number;
  median_first_response_minutes: number | null;
}

const percent = (met: number, of: number) => (of ? `${Math.round((1000 * met) / of) / 10}% (${met} of ${of})` : 'n/a (none due yet)');

function formatMetrics(m: Metrics): Reply {
  const severities = ['urgent', 'high', 'medium', 'low'];
  const openTotal = severities.reduce((n, s) => n + (m.open[s] ?? 0), 0);
  const median = m.median_first_response_minutes;
  const lines = [
    `Support cases: ${openTotal} open now.`,
    `Opened ${m.from} to ${m.to}: ${m.created}.`,
    `SLA attainment — first response: ${percent(m.response_met, m.response_decided)}; resolution: ${percent(m.resolution_met, m.resolution_decided)}.`,
    `Median first-response time: ${median === null ? 'n/a (no responses yet)' : `${median} min`}.`,
  ];
  return {
    kind: 'answer',
    text: lines.join('\n'),
    table: { columns: ['severity', 'open'], rows: severities.map((s) => [s, m.open[s] ?? 0]) },
  };
}

const DAY = 86_400_000;

export const escalations = defineSkill({
  types: ['escalation.create', 'escalation.update', 'case.metrics'],
  writes: (action) => action.type !== 'case.metrics',
  async prepare(action, ctx) {
    if (action.type === 'escalation.create') return prepareCreate(action, ctx);
    if (action.type === 'escalation.update') return prepareUpdate(action, ctx);
    const to = action.to ?? ctx.today;
    const from = action.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY).toISOString().slice(0, 10);
    return { payload: { from, to } };
  },
  format(result, ctx) {
    if (result.action === 'escalation.create') return formatCreate(result as Result, ctx);
    if (result.action === 'escalation.update') return formatUpdate(result as Result, ctx);
    return formatMetrics(result as unknown as Metrics);
  },
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
export const caseList = defineSkill({
  types: ['case.list'],
  writes: () => false,
  prepare: async (action) => ({ payload: { scope: action.scope } }),
  format(result, ctx) {
    const rows = result.rows as OpenCase[];
    const total = result.total as number;
    const whose = result.scope === 'all' ? 'in the support queue' : 'assigned to you or raised by you';
    if (!total) return { kind: 'answer', text: `No open cases ${whose}.` };
    const now = ctx.now().getTime();
    return {
      kind: 'answer',
      text: `${total} open case${total === 1 ? '' : 's'} ${whose}, most urgent first:`,
      table: {
        columns: ['#', 'severity', 'status', 'account', 'summary', 'assignee', 'next deadline'],
        rows: rows.map((c) => [c.id, c.severity, c.status, c.account ?? '', c.summary, c.assignee ?? 'queue',
          c.due ? `${c.due_kind} ${formatWhen(c.due, ctx.user.timezone)}${Date.parse(c.due) < now ? ' (overdue)' : ''}` : '']),
        more: Math.max(0, total - rows.length),
      },
    };
  },
});

/** case.hold: a privacy officer keeps a case (and the personal data in it) through erasure requests, or lets it go. */
export const caseHold = defineSkill({
  types: ['case.hold'],
  writes: () => true,
  async prepare(action, ctx) {
    const found = await ctx.db.rpc<{ case: CaseInfo } | null>(ctx.user, 'case_brief', { case: action.case });
    if (!found?.case) return { question: `I couldn't find case #${action.case}. Which case number do you mean?` };
    const what = action.hold
      ? 'put it under legal hold: erasure requests will keep it as it is and report it'
      : 'lift its legal hold: erasure requests will scrub it like any other record';
    return { payload: { case: action.case, hold: action.hold }, preview: `${caseTitle(found.case)}: ${found.case.summary}\n${what[0].toUpperCase()}${what.slice(1)}.` };
  },
  format: (r) => ({ kind: 'done', text: `Case #${r.case} is ${r.hold ? 'now under legal hold' : 'no longer under legal hold'}.` }),
});
