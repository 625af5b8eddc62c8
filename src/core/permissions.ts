import type { ActionType, CHANNEL_SCOPES, Role } from '../actions/schema.ts';

export type ChannelScope = (typeof CHANNEL_SCOPES)[number];

/**
 * What each role may ask the assistant to do. This is the first gate; the database's row-level
 * policies are the second, so a mistake here can narrow what a user sees but never widen it.
 */
const SALES: ActionType[] = [
  'pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
  'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'data_request.list', 'case.list',
];
const EVERYONE: ActionType[] = ['help', 'clarify'];

export const CAPABILITIES: Record<Role, ReadonlySet<ActionType>> = {
  rep: new Set([...EVERYONE, ...SALES]),
  manager: new Set([...EVERYONE, ...SALES, 'escalation.update', 'case.metrics']),
  support: new Set([
    ...EVERYONE, 'contact.lookup', 'contact.create', 'activity.log', 'task.create', 'task.list',
    'escalation.create', 'escalation.update', 'case.metrics', 'case.list', 'data_request.create', 'data_request.list',
  ]),
  privacy_officer: new Set([
    ...EVERYONE, 'contact.lookup', 'task.create', 'task.list', 'escalation.create',
    'data_request.create', 'data_request.list', 'data_request.step', 'case.hold', 'audit.query',
  ]),
  // Someone in chat without a linked CRM account: help, and a case raised from a customer's message.
  guest: new Set([...EVERYONE, 'escalation.create']),
  admin: new Set([
    ...EVERYONE, ...SALES, 'escalation.update', 'case.metrics', 'data_request.list', 'data_request.step', 'case.hold',
    'channel.configure', 'audit.query',
  ]),
};

export function can(role: Role, type: ActionType): boolean {
  return CAPABILITIES[role]?.has(type) ?? false;
}

const WHAT: Partial<Record<ActionType, string>> = {
  'pipeline.query': 'ask about the pipeline',
  'deal.update': 'change deals',
  'deal.create': 'create deals',
  'escalation.update': 'work support cases',
  'case.metrics': 'see support metrics',
  'data_request.step': 'approve or execute data requests (privacy officers only)',
  'channel.configure': "change a channel's settings (admins only)",
  'audit.query': 'read the audit trail (admins and privacy officers only)',
  'case.hold': 'put cases under legal hold (privacy officers only)',
};

export const LINK_YOUR_ACCOUNT =
  "I can't do that for you yet: your chat account isn't linked to a CRM user. Ask an admin to link it. Meanwhile you can use `help`, and raise a support case from a customer's message where the channel allows it.";

export function refusalFor(role: Role, type: ActionType): string {
  if (role === 'guest') return LINK_YOUR_ACCOUNT;
  return `Your role (${role.replace('_', ' ')}) can't ${WHAT[type] ?? `use ${type}`}. Ask an admin if you need it.`;
}

/** Which actions each channel scope covers; help and clarify are always available. */
const SCOPE_ACTIONS: Record<Exclude<ChannelScope, 'everything'>, ActionType[]> = {
  pipeline: ['pipeline.query'],
  logging: ['activity.log', 'task.create', 'task.list', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create', 'lead.qualify'],
  escalations: ['escalation.create', 'escalation.update', 'case.metrics', 'case.list'],
  data_requests: ['data_request.create', 'data_request.list', 'data_request.step', 'case.hold'],
};

/** Whether a set of scopes (a channel's setting, or what the bot is installed for) covers an action. */
export function scopesAllow(scopes: readonly ChannelScope[] | null | undefined, type: ActionType): boolean {
  if (!scopes || scopes.includes('everything') || type === 'help' || type === 'clarify') return true;
  return scopes.some((s) => s !== 'everything' && SCOPE_ACTIONS[s].includes(type));
}

export function describeScopes(scopes: readonly ChannelScope[]): string {
  return scopes.map((s) => s.replace('_', ' ')).join(' and ');
}
