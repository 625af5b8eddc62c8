import type { Activity } from 'botbuilder';
import type { TeamsLocal } from '../../config.ts';
import type { Speaker } from '../../core/channel-kit.ts';
import type { CrmDb } from '../../db/port.ts';

/**
 * Who a Teams sender is to the CRM: a member when their Entra ID object id is linked to a CRM user. In local mode
 * the local client's test user is the configured CRM user, and nobody else is linked.
 */
export async function speakerOf(db: CrmDb, activity: Pick<Activity, 'from'>, local?: TeamsLocal): Promise<Speaker> {
  const aad = activity.from?.aadObjectId;
  const displayName = activity.from?.name ?? undefined;
  const user = !aad
    ? null
    : local
      ? aad === local.aadObjectId
        ? await db.serviceRpc('user_for_channel', { name: local.user })
        : null
      : await db.serviceRpc('user_for_channel', { teams_aad_id: aad });
  return user ? { kind: 'member', user } : { kind: 'guest', why: 'unlinked', displayName };
}
