import type { Activity } from 'botbuilder';
import type { CrmDb, Requester } from '../../db/port.ts';

export const UNLINKED_TEXT =
  "I don't know who you are in the CRM yet, so I can't act for you. Please ask an admin to link your Teams account to your CRM user.";

/** The CRM user behind a Teams sender (their Entra ID object id), or null when nobody linked them. */
export async function crmUserFor(db: CrmDb, activity: Pick<Activity, 'from'>): Promise<Requester | null> {
  const aad = activity.from?.aadObjectId;
  if (!aad) return null;
  return db.serviceRpc<Requester | null>('user_for_channel', { teams_aad_id: aad });
}
