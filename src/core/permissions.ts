import { type ChannelScope, ROLES, type Role } from '../actions/fields.ts';
import { humanize } from '../format/labels.ts';
import { NOT_LINKED } from './guest.ts';

export { describeScopes } from '../format/labels.ts';
import { SPECS, specOf } from '../actions/index.ts';

export type { ChannelScope } from '../actions/fields.ts';

/**
 * What each role may ask the assistant to do, derived from the skills' action specs. This is the first gate; the
 * database's row-level policies are the second, so a mistake here can narrow what a user sees but never widen it.
 * (Computed on first use: the skills import this module while the registry is still loading.)
 */
let capabilities: Record<Role, ReadonlySet<string>> | undefined;
export function capabilityMatrix(): Record<Role, ReadonlySet<string>> {
  capabilities ??= Object.fromEntries(
    ROLES.map((role) => [
      role,
      new Set(['clarify', ...SPECS.filter((a) => a.roles.includes(role)).map((a) => a.schema.shape.type.value)]),
    ]),
  ) as unknown as Record<Role, ReadonlySet<string>>;
  return capabilities;
}

export function can(role: Role, type: string): boolean {
  return capabilityMatrix()[role]?.has(type) ?? false;
}

export function refusalFor(role: Role, type: string): string {
  if (role === 'guest') return NOT_LINKED;
  return `Your role (${humanize(role)}) can't ${specOf(type)?.refusal ?? `use ${type}`}. Ask an admin if you need it.`;
}

/** Whether a set of scopes (a channel's setting, or what the bot is installed for) covers an action. */
export function scopesAllow(
  scopes: readonly ChannelScope[] | null | undefined,
  type: string,
  { channel = false } = {},
): boolean {
  if (!scopes || scopes.includes('everything') || type === 'clarify') return true;
  const scope = specOf(type)?.scope;
  if (scope === 'always' || (scope === 'settings' && channel)) return true;
  return scopes.some((s) => s === scope);
}
