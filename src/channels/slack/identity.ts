import type { webApi } from '@slack/bolt';
import type { Speaker } from '../../core/channel-kit.ts';
import type { CrmDb } from '../../db/port.ts';

interface SlackProfile {
  name?: string;
  email?: string;
  restricted: boolean;
  teamId?: string;
}

const PROFILE_TTL_MS = 10 * 60_000;

/**
 * Who a Slack user is to the CRM: a member when their Slack id (or, for the workspace's own full members, the
 * email Slack knows for them) is linked to a CRM user. Slack's guests (single- and multi-channel) and people from
 * another organisation in a shared channel are never members; what non-members may do is the channel kit's rule.
 */
export function createUserDirectory({
  db,
  client,
  homeTeam,
}: {
  db: CrmDb;
  client: webApi.WebClient;
  homeTeam: () => string | undefined;
}) {
  const profiles = new Map<string, { at: number; profile: SlackProfile | null }>();

  async function profile(slackUserId: string): Promise<SlackProfile | null> {
    const hit = profiles.get(slackUserId);
    if (hit && Date.now() - hit.at < PROFILE_TTL_MS) return hit.profile;
    let found: SlackProfile | null = null;
    try {
      const { user } = await client.users.info({ user: slackUserId });
      if (user) {
        found = {
          name: user.real_name || user.profile?.real_name || user.name,
          email: user.profile?.email,
          restricted: Boolean(user.is_restricted || user.is_ultra_restricted || user.is_stranger),
          teamId: user.team_id,
        };
      }
    } catch {
      // users.info fails for people the workspace cannot see (e.g. some external members): treat as unknown.
    }
    profiles.set(slackUserId, { at: Date.now(), profile: found });
    return found;
  }

  /** How Slack names someone (the author of an escalated message, a guest). */
  const displayName = async (slackUserId: string) => (await profile(slackUserId))?.name ?? slackUserId;

  return {
    async speaker(slackUserId: string): Promise<Speaker> {
      const [bySlackId, info] = await Promise.all([
        db.serviceRpc('user_for_channel', { slack_user_id: slackUserId }),
        profile(slackUserId),
      ]);
      const home = homeTeam();
      const name = info?.name ?? slackUserId;
      if (info?.restricted) return { kind: 'guest', why: 'guest account', displayName: name };
      if (info?.teamId && home && info.teamId !== home)
        return { kind: 'guest', why: 'other organisation', displayName: name };
      // An email match is trusted only for the workspace's own full members (checked above): a guest or someone from
      // another organisation could carry an employee's address.
      const user = bySlackId ?? (info?.email ? await db.serviceRpc('user_for_channel', { email: info.email }) : null);
      return user ? { kind: 'member', user } : { kind: 'guest', why: 'unlinked', displayName: name };
    },

    displayName,

    /** The Slack id of a CRM user, for direct messages. */
    async slackIdOf(crmUserId: string): Promise<string | undefined> {
      return (await db.serviceRpc('user_for_channel', { id: crmUserId }))?.slack_user_id ?? undefined;
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
