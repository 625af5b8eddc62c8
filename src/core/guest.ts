import type { CrmDb, Requester } from '../db/port.ts';

/** The CRM user that people without a linked account act as (created by the guest_access migration). */
export const GUEST_USER_ID = '00000000-0000-4000-8000-00000000a0e5';

/**
 * Someone in chat with no linked CRM account. Their requests run with the `guest` role: help, and a
 * case raised from a customer's message where the channel is set up for escalations.
 */
export async function guestRequester(db: CrmDb, displayName?: string): Promise<Requester> {
  const guest = await db.serviceRpc('user_for_channel', { id: GUEST_USER_ID });
  if (!guest) throw new Error('the guest user is missing: the migrations have not been applied');
  return displayName ? { ...guest, name: `${displayName} (not linked)` } : guest;
}
