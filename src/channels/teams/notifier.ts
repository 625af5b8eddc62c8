import type { CloudAdapter, ConversationReference } from 'botbuilder';
import { log } from '../../core/log.ts';
import type { Reply } from '../../core/types.ts';
import type { CrmDb } from '../../db/port.ts';
import type { Notifier } from '../../jobs/notifier.ts';
import { replyActivity } from './cards.ts';
import { postNew } from './delivery.ts';
import { loadReference } from './references.ts';

/**
 * Proactive messages through stored conversation references: a CRM user's 1:1 chat with the bot
 * (kept when they talk to it or get a private answer), or the channel an admin chose for those notices
 * ("post escalations here", a channel setting kept by the core).
 */
export function teamsNotifier(adapter: CloudAdapter, appId: string, db: CrmDb): Notifier {
  const send = async (reference: Partial<ConversationReference> | null, reply: Reply) => {
    if (!reference) return false;
    try {
      await adapter.continueConversationAsync(appId, reference, async (context) => {
        await postNew(context, replyActivity(reply));
      });
      return true;
    } catch (err) {
      log.warn('proactive message failed', { component: 'teams', error: (err as Error).message });
      return false;
    }
  };
  return {
    toUser: async (userId, reply) => send(await loadReference(db, { user_id: userId }), reply),
    async toChannel(notices, reply) {
      const conversation = await db.serviceRpc('notice_target', { channel: 'teams', notices });
      return send(conversation ? await loadReference(db, { conversation_id: conversation }) : null, reply);
    },
  };
}
