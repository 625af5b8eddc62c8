import { TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import type { CrmDb } from '../../db/port.ts';

export type ConversationKind = 'personal' | 'groupChat' | 'channel';

export function conversationKind(activity: Pick<Activity, 'conversation'>): ConversationKind {
  const t = activity.conversation?.conversationType;
  return t === 'channel' || t === 'groupChat' ? t : 'personal';
}

/** A channel conversation id names the thread (`19:…@thread.tacv2;messageid=…`); the channel is the part before `;`. */
export const channelOf = (conversationId: string) => conversationId.split(';')[0];

/** Stores how to reach a conversation again; a 1:1 conversation is remembered as its CRM user's. */
export async function saveReference(
  db: CrmDb,
  reference: Partial<ConversationReference>,
  kind: ConversationKind,
  userId: string | null,
) {
  if (kind === 'personal' && !userId) return;
  const id = channelOf(reference.conversation!.id);
  const { activityId: _thread, ...stored } = reference;
  await db.serviceRpc('teams_reference_save', {
    conversation_id: id,
    kind,
    user_id: kind === 'personal' ? userId : null,
    reference: { ...stored, conversation: { ...reference.conversation, id } },
  });
}

export const rememberConversation = (db: CrmDb, activity: Partial<Activity>, userId: string | null) =>
  saveReference(db, TurnContext.getConversationReference(activity), conversationKind(activity as Activity), userId);

export const loadReference = (db: CrmDb, by: { user_id: string } | { conversation_id: string }) =>
  db.serviceRpc('teams_reference_load', by);
