import type { webApi } from '@slack/bolt';
import type { CrmDb, Requester } from '../../db/port.ts';

/**
 * Who a Slack user is to the CRM. Members act with their own CRM rights; guests (single- and
 * multi-channel guests) and people from another organisation in a shared channel are read-only;
 * unknown people are asked to get their account linked.
 */
export type SlackIdentity =
  | { kind: 'member'; user: Requester }
  | { kind: 'read-only'; user?: Requester; why: 'guest' | 'external' }
  | { kind: 'unknown' };

export const LINK_YOUR_ACCOUNT = "I don't know you yet — ask an admin to link your Slack account to the CRM.";

export const READ_ONLY =
  'Guests and people from other organisations can only ask me for `help` here. ' +
  'To raise a support case from a customer message, use the "Escalate to support" shortcut on it.';

interface SlackProfile {
  name?: string;
  email?: string;
  restricted: boolean;
  teamId?: string;
}

const PROFILE_TTL_MS = 10 * 60_000;

export function createUserDirectory({ db, client, homeTeam }: { db: CrmDb; client: webApi.WebClient; homeTeam: () => string | undefined }) {
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

  return {
    /** By Slack id first, then by the email Slack knows for them. */
    async identify(slackUserId: string): Promise<SlackIdentity> {
      const [bySlackId, info] = await Promise.all([
        db.serviceRpc('user_for_channel', { slack_user_id: slackUserId }),
        profile(slackUserId),
      ]);
      const home = homeTeam();
      const external = Boolean(info?.teamId && home && info.teamId !== home);
      // An email match is trusted only for the workspace's own full members: a guest or someone from
      // another organisation could carry an employee's address.
      const byEmail = info?.email && !info.restricted && !external;
      const user = bySlackId ?? (byEmail ? await db.serviceRpc('user_for_channel', { email: info.email! }) : null);
      if (info?.restricted || external) return { kind: 'read-only', user: user ?? undefined, why: info?.restricted ? 'guest' : 'external' };
      return user ? { kind: 'member', user } : { kind: 'unknown' };
    },

    /** How Slack names someone (the author of an escalated message). */
    async displayName(slackUserId: string): Promise<string> {
      return (await profile(slackUserId))?.name ?? slackUserId;
    },

    /** The Slack id of a CRM user, for direct messages. */
    async slackIdOf(crmUserId: string): Promise<string | undefined> {
      const u = await db.serviceRpc('user_for_channel', { id: crmUserId });
      return u?.slack_user_id ?? undefined;
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
