import { CrmError } from '../db/port.ts';
import { listOr } from '../format/labels.ts';
import type { Choices, SkillContext } from './types.ts';

/** Finding CRM records from what people typed (fuzzy, in SQL, as the asker), and checking a write before it is confirmed. */

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
  const found = await ctx.db.rpc(ctx.user, 'find_entities', { kind, q, limit: 6, ...filter });
  if (found.length === 0) {
    return {
      question: `I couldn't find ${/^[aeiou]/.test(NOUN[kind]) ? 'an' : 'a'} ${NOUN[kind]} called "${q}". Could you check the spelling or give the full name?`,
      notFound: true,
    };
  }
  const lower = q.toLowerCase();
  const exact = found.filter((e) => e.name.toLowerCase() === lower);
  if (exact.length === 1) return { entity: exact[0] };
  if (found.length === 1) {
    // A typo in a company's name is forgiven; a different person is not: "Dana Park" is not "Dana Reyes".
    if (kind !== 'contact' || q.includes('@') || wordsMatch(found[0].name, q)) return { entity: found[0] };
    const f = found[0];
    return {
      question: `I couldn't find a contact called "${q}". Did you mean ${f.detail ? `${f.name} (${f.detail})` : f.name}? Say it again with the full name.`,
      notFound: true,
    };
  }
  const candidates = exact.length > 1 ? exact : found;
  const labels = candidates.map((e) => (e.detail ? `${e.name} (${e.detail})` : e.name));
  return {
    question: `Which ${NOUN[kind]} do you mean: ${listOr(labels)}?`,
    choices: choicesFor(
      q,
      candidates.map((e, i) => ({ label: labels[i], value: e.name })),
    ),
  };
}

/** Every word typed starts a word of the name ("dana" ~ "Dana Reyes", "d reyes" ~ "Dana Reyes"). */
function wordsMatch(name: string, typed: string): boolean {
  const words = name.toLowerCase().split(/\s+/);
  return typed
    .toLowerCase()
    .split(/\s+/)
    .every((t) => words.some((w) => w.startsWith(t)));
}

/** Choices only when each one names a different record (two "Acme platform" deals cannot be told apart by name). */
export function choicesFor(typed: string, options: { label: string; value: string }[]): Choices | undefined {
  return new Set(options.map((o) => o.value.toLowerCase())).size === options.length ? { typed, options } : undefined;
}

export interface Party {
  contact?: Entity;
  account?: Entity;
}

/**
 * Who an activity or task is about. A contact name alone is resolved company-wide (a question when
 * several fit); with an account it is looked for at that account only ("Dana at Acme").
 */
export async function resolveParty(
  ctx: SkillContext,
  contact?: string,
  account?: string,
): Promise<Party | { question: string; notFound?: boolean; choices?: Choices }> {
  const party: Party = {};
  if (account) {
    const r = await resolveEntity(ctx, 'account', account);
    if ('question' in r) return r;
    party.account = r.entity;
  }
  if (!contact) return party;
  if (!party.account) {
    const r = await resolveEntity(ctx, 'contact', contact);
    if ('question' in r) return r;
    const c = r.entity;
    return { contact: c, account: c.account_id ? { id: c.account_id, name: c.detail ?? '' } : undefined };
  }
  const at = party.account;
  const found = await ctx.db.rpc(ctx.user, 'find_entities', { kind: 'contact', q: contact, limit: 20 });
  const here = found.filter((c) => c.account_id === at.id);
  const exact = here.filter((c) => c.name.toLowerCase() === contact.trim().toLowerCase());
  const pick = exact.length === 1 ? exact[0] : here.length === 1 ? here[0] : undefined;
  if (pick) return { contact: pick, account: at };
  if (!here.length)
    return {
      question: `I couldn't find a contact called "${contact.trim()}" at ${at.name}. Could you check the name?`,
      notFound: true,
    };
  return {
    question: `Which contact at ${at.name} do you mean: ${listOr(here.map((c) => c.name))}?`,
    choices: choicesFor(
      contact.trim(),
      here.map((c) => ({ label: c.name, value: c.name })),
    ),
  };
}

/** "Dana Reyes (Acme)", or just the account. */
export function partyLabel({ contact, account }: Party): string {
  if (contact) return account?.name ? `${contact.name} (${account.name})` : contact.name;
  return account?.name ?? '';
}

/** Refuses early, before the user is asked to confirm, with the same sentence the SQL would raise when the write runs. */
export async function checkRepAction(
  ctx: SkillContext,
  action: string,
  payload: Record<string, unknown>,
): Promise<void> {
  const { problem } = await ctx.db.rpc(ctx.user, 'check_rep_action', { action, payload });
  if (problem) throw new CrmError(problem, 'refused');
}
