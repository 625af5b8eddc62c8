import type { Choices, SkillContext } from '../core/types.ts';

export type EntityKind = 'account' | 'contact' | 'deal' | 'user';
export interface Entity {
  id: string;
  name: string;
  detail?: string;
  account_id?: string;
}
/** `notFound`: nothing fits at all (as opposed to several fitting), for skills that can go on without the record. */
export type Resolved = { entity: Entity } | { question: string; notFound?: boolean; choices?: Choices };

const NOUN: Record<EntityKind, string> = { account: 'account', contact: 'contact', deal: 'deal', user: 'colleague' };

/**
 * A name as typed -> one CRM record (fuzzy, case- and typo-tolerant, done in SQL), or a question:
 * "which one?" when several fit equally, "not found" when none does. "me" is the caller.
 */
export async function resolveEntity(
  ctx: SkillContext,
  kind: EntityKind,
  typed: string,
  filter: Record<string, unknown> = {},
): Promise<Resolved> {
  const q = typed.trim();
  if (kind === 'user' && /^(me|myself|i)$/i.test(q)) return { entity: { id: ctx.user.id, name: ctx.user.name } };
  const found = await ctx.db.rpc<Entity[]>(ctx.user, 'find_entities', { kind, q, limit: 6, ...filter });
  if (found.length === 0) {
    return { question: `I couldn't find ${/^[aeiou]/.test(NOUN[kind]) ? 'an' : 'a'} ${NOUN[kind]} called "${q}". Could you check the spelling or give the full name?`, notFound: true };
  }
  const lower = q.toLowerCase();
  const exact = found.filter((e) => e.name.toLowerCase() === lower);
  if (exact.length === 1) return { entity: exact[0] };
  if (found.length === 1) {
    // A typo in a company's name is forgiven; a different person is not: "Dana Park" is not "Dana Reyes".
    if (kind !== 'contact' || q.includes('@') || wordsMatch(found[0].name, q)) return { entity: found[0] };
    const f = found[0];
    return { question: `I couldn't find a contact called "${q}". Did you mean ${f.detail ? `${f.name} (${f.detail})` : f.name}? Say it again with the full name.`, notFound: true };
  }
  const candidates = exact.length > 1 ? exact : found;
  const labels = candidates.map((e) => (e.detail ? `${e.name} (${e.detail})` : e.name));
  return { question: `Which ${NOUN[kind]} do you mean: ${listOr(labels)}?`, choices: choicesFor(q, candidates.map((e, i) => ({ label: labels[i], value: e.name }))) };
}

/** Every word typed starts a word of the name ("dana" ~ "Dana Reyes", "d reyes" ~ "Dana Reyes"). */
function wordsMatch(name: string, typed: string): boolean {
  const words = name.toLowerCase().split(/\s+/);
  return typed.toLowerCase().split(/\s+/).every((t) => words.some((w) => w.startsWith(t)));
}

/** Choices only when each one names a different record (two "Acme platform" deals cannot be told apart by name). */
export function choicesFor(typed: string, options: { label: string; value: string }[]): Choices | undefined {
  return new Set(options.map((o) => o.value.toLowerCase())).size === options.length ? { typed, options } : undefined;
}

/** "a, b or c" */
export function listOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
