import type { CrmDb, Requester } from '../db/port.ts';

/** The CRM user that people without a linked account act as (created by the guest_access migration). */
export const GUEST_USER_ID = '00000000-0000-4000-8000-00000000a0e5';

/**
 * Who is talking, as the adapter found them: a member (a chat account linked to a CRM user) or not. Whoever is
 * not a member acts as the CRM's `guest` user, in every channel alike: they get help, and may raise a support case
 * from a customer's message where the channel is set up for escalations; everything else is refused with the
 * sentence below. A chat platform's own guests and people from other organisations count as not members even when
 * their address matches a CRM user's, since a guest account could carry anyone's address.
 */
export type Speaker =
  | { kind: 'member'; user: Requester }
  | { kind: 'guest'; why: 'unlinked' | 'guest account' | 'other organisation'; displayName?: string };

export const NOT_LINKED =
  "I don't know you yet: your chat account isn't linked to a CRM user, so I can't act for you. Ask an admin to link it. " +
  "Meanwhile you can ask me for `help`, and raise a support case from a customer's message where the channel is set up for escalations.";

export const GUEST_ACCOUNT =
  'Guests and people from other organisations can only ask me for `help` here, and raise a support case from a ' +
  "customer's message where the channel is set up for escalations.";

/**
 * Someone in chat with no linked CRM account. Their requests run with the `guest` role: help, and a
 * case raised from a customer's message where the channel is set up for escalations.
 */
export async function guestRequester(db: CrmDb, displayName?: string): Promise<Requester> {
  const guest = await db.serviceRpc('user_for_channel', { id: GUEST_USER_ID });
  if (!guest) throw new Error('the guest user is missing: the migrations have not been applied');
  return displayName ? { ...guest, name: `${displayName} (not linked)` } : guest;
}
