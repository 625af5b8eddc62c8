import { z } from 'zod';

/** The vocabularies of the action contract (shared/action-contract.md) and the field types the actions are built from. */

export const STAGES = [
  'prospecting',
  'qualification',
  'discovery',
  'proposal',
  'negotiation',
  'closed_won',
  'closed_lost',
] as const;
export const ACTIVITY_KINDS = ['call', 'meeting', 'email', 'note'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const CATEGORIES = ['billing', 'technical', 'outage', 'security', 'account', 'other'] as const;
export const LAWS = ['gdpr', 'ccpa'] as const;
export const FORECAST_CATEGORIES = ['commit', 'best_case', 'pipeline', 'omitted'] as const;
export const ROLES = ['rep', 'manager', 'support', 'privacy_officer', 'admin', 'guest'] as const;
/** Groups of actions a shared channel (or the whole installation) can be limited to. */
export const CHANNEL_SCOPES = ['pipeline', 'logging', 'escalations', 'data_requests', 'everything'] as const;

export type Role = (typeof ROLES)[number];
export type ChannelScope = (typeof CHANNEL_SCOPES)[number];

/** What a text field holds, where it matters: the edit form shows free text in a multi-line box, the audit log hashes it. */
type FieldKind = 'free text' | 'date' | 'record number';
const kind = (k: FieldKind) => ({ fieldKind: k });

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .meta(kind('date'));
export const amount = z.number().finite().nonnegative().max(1e12);
/** A name, a query, a number as typed: kept as the user wrote it, in clear in the audit log. */
export const text = (max = 4000) => z.string().trim().min(1, 'must not be empty').max(max);
/**
 * What people say in their own words (a call summary, a task, a note): shown in a multi-line box when a
 * pending write is edited, and never kept in clear in the audit log.
 */
export const freeText = (max = 4000) => text(max).meta(kind('free text'));
/** A case, request or task number as the user typed it. */
/** A time of day, HH:MM on a 24-hour clock, in the user's time zone. */
export const timeOfDay = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:MM');
export const recordNumber = (what: string) =>
  z
    .string()
    .regex(/^\d{1,12}$/, `expected a ${what} number`)
    .meta(kind('record number'));

/** The kind of a field of an action schema, when it is one of the above. */
export function fieldKind(field: z.ZodType): FieldKind | undefined {
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault)
    inner = (inner.def as unknown as { innerType: z.ZodType }).innerType;
  return z.globalRegistry.get(inner)?.fieldKind as FieldKind | undefined;
}
