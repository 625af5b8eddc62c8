import { TurnContext, type Activity, type CloudAdapter, type ConversationParameters } from 'botbuilder';
import { isPrivate, privateNote } from '../../core/channel-kit.ts';
import { log } from '../../core/log.ts';
import type { Reply } from '../../core/types.ts';
import type { CrmDb } from '../../db/port.ts';
import { replyActivity } from './cards.ts';
import { conversationKind, saveReference } from './references.ts';

export interface DeliveryDeps {
  db: CrmDb;
  appId: string;
}

/** Whether a reply in this conversation goes to the asker's 1:1 chat instead (the channel kit's rule). */
export const isPrivateHere = (activity: Pick<Activity, 'conversation'>, reply: Reply) =>
  isPrivate(reply, conversationKind(activity) !== 'personal');

/**
 * Sends to the asker's 1:1 chat with the bot. Creating the conversation returns the existing one
 * when there is one; its reference is kept for later proactive messages.
 */
export async function sendPrivately(
  context: TurnContext,
  message: Partial<Activity>,
  userId: string | null,
  { db, appId }: DeliveryDeps,
): Promise<boolean> {
  const asked = context.activity;
  const adapter = context.adapter as CloudAdapter;
  const tenantId = asked.conversation.tenantId ?? asked.channelData?.tenant?.id;
  const params = {
    isGroup: false,
    bot: asked.recipient,
    members: [asked.from],
    tenantId,
    channelData: { tenant: { id: tenantId } },
  } as ConversationParameters;
  try {
    await adapter.createConversationAsync(
      appId,
      asked.channelId,
      asked.serviceUrl,
      context.turnState.get(adapter.OAuthScopeKey),
      params,
      async (direct) => {
        const reference = TurnContext.getConversationReference(direct.activity);
        const conversation = { ...reference.conversation!, conversationType: 'personal' };
        await saveReference(db, { ...reference, user: asked.from, conversation }, 'personal', userId);
        await postNew(direct, message);
      },
    );
    return true;
  } catch (err) {
    log.warn('private message failed', { component: 'teams', error: (err as Error).message });
    return false;
  }
}

/**
 * Posts a new message into the turn's conversation. The SDK would make it a reply to the turn's
 * activity, which for a created or continued conversation is a made-up one.
 */
export async function postNew(context: TurnContext, message: Partial<Activity>): Promise<void> {
  const { activityId: _madeUp, ...reference } = TurnContext.getConversationReference(context.activity);
  await context.adapter.sendActivities(context, [TurnContext.applyConversationReference({ ...message }, reference)]);
}

/** Answers in the conversation the message came from, privately when it has to be. */
export async function deliver(
  context: TurnContext,
  reply: Reply,
  userId: string | null,
  deps: DeliveryDeps,
): Promise<void> {
  if (!isPrivateHere(context.activity, reply)) {
    await context.sendActivity(replyActivity(reply));
    return;
  }
  const sent = await sendPrivately(context, replyActivity(reply), userId, deps);
  await context.sendActivity(replyActivity(privateNote(reply, sent)));
}
