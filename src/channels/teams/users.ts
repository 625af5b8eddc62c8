import type { Activity } from 'botbuilder';
import type { TeamsLocal } from '../../config.ts';
import type { CrmDb, Requester } from '../../db/port.ts';

export const UNLINKED_TEXT =
  "I don't know who you are in the CRM yet, so I can't act for you. Please ask an admin to link your Teams account to your CRM user.";

/**
 * The CRM user behind a Teams sender (their Entra ID object id), or null when nobody linked them. In local
 * mode the local client's test user is the configured CRM user, and nobody else is linked.
 */
export async function crmUserFor(db: CrmDb, activity: Pick<Activity, 'from'>, local?: TeamsLocal): Promise<Requester | null> {
  const aad = activity.from?.aadObjectId;
  if (!aad) return null;
  if (local) return aad === local.aadObjectId ? db.serviceRpc('user_for_channel', { name: local.user }) : null;
  return db.serviceRpc('user_for_channel', { teams_aad_id: aad });
}
