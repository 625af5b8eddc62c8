import { z } from 'zod';

/**
 * The typed actions. The first block is the canonical contract (shared/action-contract.md):
 * both parsers emit exactly these. The second block holds internal actions that only the
 * assistant's own flows produce (lists, workflow steps, admin settings).
 */

export const STAGES = ['prospecting', 'qualification', 'discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost'] as const;
export const METRICS = ['list', 'total', 'count', 'forecast', 'win_rate', 'stuck', 'top'] as const;
export const GROUP_BY = ['owner', 'stage', 'region', 'month'] as const;
export const ACTIVITY_KINDS = ['call', 'meeting', 'email', 'note'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const CATEGORIES = ['billing', 'technical', 'outage', 'security', 'account', 'other'] as const;
export const CASE_STATUSES = ['acknowledged', 'resolved', 'reopened'] as const;
export const DATA_REQUEST_KINDS = ['access', 'erasure', 'rectification', 'restriction', 'portability', 'consent_withdrawal'] as const;
export const LAWS = ['gdpr', 'ccpa'] as const;
export const ROLES = ['rep', 'manager', 'support', 'privacy_officer', 'admin', 'guest'] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const text = (max = 4000) => z.string().trim().min(1, 'must not be empty').max(max);
const amount = z.number().finite().nonnegative().max(1e12);

export const PipelineQuery = z.strictObject({
  type: z.literal('pipeline.query'),
  metric: z.enum(METRICS),
  owner: text(200).optional(),
  team: text(200).optional(),
  stage: z.enum(STAGES).optional(),
  region: text(100).optional(),
  account: text(200).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  minAmount: amount.optional(),
  maxAmount: amount.optional(),
  groupBy: z.enum(GROUP_BY).optional(),
  staleDays: z.number().int().min(1).max(3650).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});

export const ActivityLog = z.strictObject({
  type: z.literal('activity.log'),
  kind: z.enum(ACTIVITY_KINDS),
  contact: text(200).optional(),
  account: text(200).optional(),
  summary: text(),
  durationMinutes: z.number().int().min(1).max(24 * 60).optional(),
  outcome: text(500).optional(),
  followUpDate: isoDate.optional(),
  followUp: text(500).optional(),
});

export const DealUpdate = z.strictObject({
  type: z.literal('deal.update'),
  deal: text(200),
  stage: z.enum(STAGES).optional(),
  amount: amount.optional(),
  closeDate: isoDate.optional(),
  owner: text(200).optional(),
}).refine((a) => a.stage !== undefined || a.amount !== undefined || a.closeDate !== undefined || a.owner !== undefined, {
  message: 'say what to change on the deal: its stage, amount, close date or owner',
});

export const DealCreate = z.strictObject({
  type: z.literal('deal.create'),
  account: text(200),
  name: text(200).optional(),
  amount: amount.optional(),
  stage: z.enum(STAGES).optional(),
  closeDate: isoDate.optional(),
});

export const ContactLookup = z.strictObject({ type: z.literal('contact.lookup'), query: text(320) });

export const ContactCreate = z.strictObject({
  type: z.literal('contact.create'),
  name: text(200),
  email: z.email('expected an email address').max(320).optional(),
  phone: z.string().trim().regex(/^[+()\d][\d\s().\-]{3,30}$/, 'expected a phone number').optional(),
  account: text(200).optional(),
  title: text(200).optional(),
});

export const TaskCreate = z.strictObject({
  type: z.literal('task.create'),
  text: text(1000),
  dueDate: isoDate.optional(),
  contact: text(200).optional(),
  account: text(200).optional(),
});

export const EscalationCreate = z.strictObject({
  type: z.literal('escalation.create'),
  summary: text(),
  account: text(200).optional(),
  contact: text(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
  category: z.enum(CATEGORIES).optional(),
});

export const EscalationUpdate = z.strictObject({
  type: z.literal('escalation.update'),
  case: z.string().regex(/^\d{1,12}$/, 'expected a case number'),
  status: z.enum(CASE_STATUSES).optional(),
  assignee: text(200).optional(),
  severity: z.enum(SEVERITIES).optional(),
});

export const DataRequestCreate = z.strictObject({
  type: z.literal('data_request.create'),
  kind: z.enum(DATA_REQUEST_KINDS),
  subject: text(320),
  law: z.enum(LAWS).optional(),
  changes: z.record(z.string().min(1).max(64), z.string().max(1000)).optional(),
});

export const Help = z.strictObject({ type: z.literal('help'), topic: z.string().min(1).max(100).optional() });
export const Clarify = z.strictObject({ type: z.literal('clarify'), question: text(1000) });

export const CANONICAL = [
  PipelineQuery, ActivityLog, DealUpdate, DealCreate, ContactLookup, ContactCreate, TaskCreate,
  EscalationCreate, EscalationUpdate, DataRequestCreate, Help, Clarify,
] as const;

export const CanonicalAction = z.discriminatedUnion('type', [...CANONICAL]);
export type CanonicalAction = z.infer<typeof CanonicalAction>;

// Internal actions: produced by the assistant's own flows and by a few extra phrasings.
export const TaskList = z.strictObject({ type: z.literal('task.list'), due: z.enum(['today', 'week', 'all']).default('today') });
export const LeadQualify = z.strictObject({
  type: z.literal('lead.qualify'),
  lead: text(320),
  status: z.enum(['mql', 'sql', 'disqualified']),
  convert: z.boolean().optional(),
});
export const DataRequestList = z.strictObject({ type: z.literal('data_request.list') });
export const DataRequestStep = z.strictObject({
  type: z.literal('data_request.step'),
  request: z.string().regex(/^\d{1,12}$/, 'expected a request number'),
  step: z.enum(['verify', 'approve', 'execute', 'reject']),
  method: text(200).optional(),
});
export const CaseMetrics = z.strictObject({ type: z.literal('case.metrics'), from: isoDate.optional(), to: isoDate.optional() });
/** A privacy officer puts a case under legal hold (kept as is through erasure) or lifts it. */
export const CaseHold = z.strictObject({
  type: z.literal('case.hold'),
  case: z.string().regex(/^\d{1,12}$/, 'expected a case number'),
  hold: z.boolean(),
});
/** "my open cases" (assigned to or raised by me), "the support queue" (all open cases). */
export const CaseList = z.strictObject({ type: z.literal('case.list'), scope: z.enum(['mine', 'all']).default('mine') });

/** Groups of actions a shared channel can be limited to (per-channel capability settings). */
export const CHANNEL_SCOPES = ['pipeline', 'logging', 'escalations', 'data_requests', 'everything'] as const;
export const ChannelConfigure = z.strictObject({
  type: z.literal('channel.configure'),
  allow: z.array(z.enum(CHANNEL_SCOPES)).min(1).max(CHANNEL_SCOPES.length).optional(),
  /** This channel receives the team's notices of that kind ("post escalations here"). */
  notices: z.enum(['escalations']).optional(),
}).refine((a) => a.allow !== undefined || a.notices !== undefined, { message: 'say what the channel is for, or which notices it gets' });
/** Admins and privacy officers asking the audit trail: who did what, when, through which channel. */
export const AuditQuery = z.strictObject({
  type: z.literal('audit.query'),
  action: z.enum(['export', 'erasure', 'data_request', 'write', 'llm', 'any']).default('any'),
  account: text(200).optional(),
  actor: text(200).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

export const INTERNAL = [TaskList, LeadQualify, DataRequestList, DataRequestStep, CaseMetrics, CaseList, CaseHold, ChannelConfigure, AuditQuery] as const;

export const Action = z.discriminatedUnion('type', [...CANONICAL, ...INTERNAL]);
export type Action = z.infer<typeof Action>;
export type ActionType = Action['type'];
export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;
export type Role = (typeof ROLES)[number];

/** Validates an untrusted payload (parser or LLM output, a button's value) into an action. */
export function validateAction(input: unknown): { ok: true; action: Action } | { ok: false; error: string } {
  const r = Action.safeParse(input);
  if (r.success) return { ok: true, action: r.data };
  return { ok: false, error: z.prettifyError(r.error) };
}
