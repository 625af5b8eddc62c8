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
 * A name as typed -> one CRM record (candidates found fuzzily in SQL, as the asker), or a question. A record is
 * taken only when it is the name typed (case and spacing aside), or the only one whose words the typed words start
 * ("dana" ~ "Dana Reyes", "pioneer field" ~ "Pioneer Field Inc"): a look-alike ("initrode" ~ "Initech", "jenny park"
 * ~ "Dana Park") is asked about, never swapped in. "me" is the caller.
 */
export async function resolveEntity(
  ctx: SkillContext,
  kind: EntityKind,
  typed: string,
  filter: Record<string, unknown> = {},
): Promise<Resolved> {
  const q = typed.trim().replace(/\s+/g, ' ');
  if (kind === 'user' && /^(me|myself|i)$/i.test(q)) return { entity: { id: ctx.user.id, name: ctx.user.name } };
  const found = await ctx.db.rpc(ctx.user, 'find_entities', { kind, q, limit: 6, ...filter });
  const label = (e: Entity) => (e.detail ? `${e.name} (${e.detail})` : e.name);
  // An email finds a contact by its address; the SQL returns it first.
  if (kind === 'contact' && q.includes('@') && found.length) return { entity: found[0] };
  const m = matchName(q, found);
  if ('pick' in m) return { entity: m.pick };
  const noun = NOUN[kind];
  if (m.fitting.length) {
    const labels = m.fitting.map(label);
    return {
      question: `Which ${noun} do you mean: ${listOr(labels)}?`,
      choices: choicesFor(
        q,
        m.fitting.map((e, i) => ({ label: labels[i], value: e.name })),
      ),
    };
  }
  const called = `I couldn't find ${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun} called "${q}".`;
  if (!found.length)
    return { question: `${called} Could you check the spelling or give the full name?`, notFound: true };
  const labels = found.slice(0, 3).map(label);
  return {
    question: `${called} Did you mean ${listOr(labels)}?`,
    notFound: true,
    choices: choicesFor(
      q,
      found.slice(0, 3).map((e, i) => ({ label: labels[i], value: e.name })),
    ),
  };
}

/** Lower case, one space: how two spellings of a name are compared. */
export const normName = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * The record a name typed stands for among fuzzy candidates: the one spelled so, else the only one whose words the
 * typed words start; otherwise the candidates that fit (several: which one?) or none (a look-alike: did you mean?).
 */
export function matchName<E extends { name: string }>(typed: string, found: E[]): { pick: E } | { fitting: E[] } {
  const t = normName(typed);
  const exact = found.filter((e) => normName(e.name).replaceAll(' ', '') === t.replaceAll(' ', ''));
  if (exact.length === 1) return { pick: exact[0] };
  if (exact.length > 1) return { fitting: exact };
  const fitting = found.filter((e) => wordsMatch(e.name, t));
  return fitting.length === 1 ? { pick: fitting[0] } : { fitting };
}

/** Every word typed starts a word of the name ("dana" ~ "Dana Reyes", "d reyes" ~ "Dana Reyes"). */
export function wordsMatch(name: string, typed: string): boolean {
  const words = normName(name).split(' ');
  return normName(typed)
    .split(' ')
    .every((t) => words.some((w) => w.startsWith(t)));
}

/** Choices only when each one names a different record (two "Acme platform" deals cannot be told apart by name). */
export function choicesFor(typed: string, options: { label: string; value: string }[]): Choices | undefined {
  if (!options.length) return undefined;
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
  const m = matchName(contact, here);
  if ('pick' in m) return { contact: m.pick, account: at };
  if (!m.fitting.length) {
    const alike = here.slice(0, 3).map((c) => c.name);
    return {
      question: `I couldn't find a contact called "${contact.trim()}" at ${at.name}.${alike.length ? ` Did you mean ${listOr(alike)}?` : ' Could you check the name?'}`,
      notFound: true,
      choices: choicesFor(
        contact.trim(),
        alike.map((n) => ({ label: n, value: n })),
      ),
    };
  }
  return {
    question: `Which contact at ${at.name} do you mean: ${listOr(m.fitting.map((c) => c.name))}?`,
    choices: choicesFor(
      contact.trim(),
      m.fitting.map((c) => ({ label: c.name, value: c.name })),
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
