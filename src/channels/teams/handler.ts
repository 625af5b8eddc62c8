import { createHash } from 'node:crypto';
import {
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
} from 'botbuilder';
import type { TeamsLocal } from '../../config.ts';
import type { ChannelKit, Speaker, Turn } from '../../core/channel-kit.ts';
import type { Reply } from '../../core/types.ts';
import { replyAsText } from '../../format/text.ts';
import type { FileStore } from '../../storage/file-store.ts';
import { cardAttachment, replyCard, type AdaptiveCard, type CardData } from './cards.ts';
import { deliver, isPrivateHere, sendPrivately, type DeliveryDeps } from './delivery.ts';
import { privateNote } from '../../core/channel-kit.ts';
import { linkLargeFiles } from './files.ts';
import { speakerOf } from './identity.ts';
import { plainText } from './message-text.ts';
import { channelOf, conversationKind, rememberConversation } from './references.ts';

export interface BotDeps extends DeliveryDeps {
  kit: ChannelKit;
  /** Local test clients without authentication (TEAMS_LOCAL): whom their test user acts as. */
  local?: TeamsLocal;
  /** Where files too large for a card are stored to be linked (Supabase Storage). */
  files?: FileStore;
}

/** The message-extension command in manifest.json that raises a support case from a message. */
export const ESCALATE_COMMAND = 'escalate';

const STALE_BUTTON = "Sorry, I can't use that button; nothing was changed. Please ask me again.";

/** What a card button sent back, if it is one of ours. */
function cardData(data: unknown): CardData | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Partial<CardData> & Record<string, unknown>;
  if ((d.crm === 'confirm' || d.crm === 'cancel') && typeof d.pendingId === 'string') return d as CardData;
  if (d.crm === 'choose' && typeof d.action === 'object' && d.action !== null) return d as CardData;
  if (
    d.crm === 'case' &&
    typeof d.case === 'string' &&
    ['acknowledge', 'resolve', 'reassign'].includes(String(d.change))
  )
    return d as CardData;
  return undefined;
}

/**
 * An activity's id is its request id. One without an id gets one from what it carries, so that a
 * replay of it is the same request (idempotent), not a new one.
 */
function requestIdOf(activity: Activity): string {
  if (activity.id) return `teams:${activity.id}`;
  const { conversation, from, timestamp, text, value, replyToId } = activity;
  const carried = JSON.stringify([conversation?.id, from?.id, timestamp, text, value, replyToId]);
  return `teams:h:${createHash('sha256').update(carried).digest('hex').slice(0, 32)}`;
}

/** Where it was said, as the core sees it: 'dm' for a 1:1 chat, else the channel or group chat. */
function turnOf(activity: Activity): Turn {
  return {
    requestId: requestIdOf(activity),
    channel: 'teams',
    conversation: conversationKind(activity) === 'personal' ? 'dm' : channelOf(activity.conversation.id),
  };
}

const cardResponse = (card: AdaptiveCard): AdaptiveCardInvokeResponse => ({
  statusCode: 200,
  type: 'application/vnd.microsoft.card.adaptive',
  value: card as unknown as Record<string, unknown>,
});

const dialogMessage = (reply: Reply): MessagingExtensionActionResponse => ({
  task: { type: 'message', value: replyAsText(reply) },
});

const memberId = (speaker: Speaker) => (speaker.kind === 'member' ? speaker.user.id : null);

/**
 * Teams in front of the channel kit: chat messages (1:1 and channel @mentions), the buttons of cards, and the
 * "Escalate to support" message action. Rendering and transport only; no CRM rules live here.
 */
export class CrmTeamsBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.answer(context);
      await next();
    });
  }

  private speaker(activity: Activity): Promise<Speaker> {
    return speakerOf(this.deps.db, activity, this.deps.local);
  }

  private async answer(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const speaker = await this.speaker(activity);
    await rememberConversation(this.deps.db, activity, memberId(speaker));
    // Our cards' buttons are Action.Execute (an invoke); a message carrying `value` is some other card's submit.
    const text = plainText(TurnContext.removeRecipientMention(activity) ?? activity.text ?? '');
    const reply =
      activity.value != null
        ? { kind: 'refusal' as const, text: STALE_BUTTON }
        : await this.deps.kit.say(speaker, turnOf(activity), text || 'help');
    await deliver(context, await this.withLinks(reply, speaker), memberId(speaker), this.deps);
  }

  private withLinks(reply: Reply, speaker: Speaker): Promise<Reply> | Reply {
    return speaker.kind === 'member' ? linkLargeFiles(reply, speaker.user, this.deps.files) : reply;
  }

  /**
   * A click on a chat card (Action.Execute): Confirm / Cancel of a pending write, the answer to a "which one?"
   * question, or a case post's button. The card is replaced by the outcome, so an answered card cannot be clicked again.
   */
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invoke: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const data = cardData({ ...(invoke.action.data as object), crm: invoke.action.verb });
    if (!data) return cardResponse(replyCard({ kind: 'refusal', text: STALE_BUTTON }));
    const { kit } = this.deps;
    const speaker = await this.speaker(context.activity);
    const turn = turnOf(context.activity);
    const outcome =
      data.crm === 'choose'
        ? await kit.choose(speaker, turn, data.action)
        : data.crm === 'case'
          ? await kit.onCase(
              speaker,
              turn,
              data.case,
              data.change === 'reassign' ? { assignee: String(data.assignee ?? '').trim() } : data.change,
            )
          : await kit.answer(speaker, turn, data.pendingId, data.crm === 'confirm');
    const reply = await this.withLinks(outcome, speaker);
    if (!isPrivateHere(context.activity, reply)) return cardResponse(replyCard(reply));
    const sent = await sendPrivately(
      context,
      { type: 'message', attachments: [cardAttachment(replyCard(reply))] },
      memberId(speaker),
      this.deps,
    );
    return cardResponse(replyCard(privateNote(reply, sent)));
  }

  /**
   * "Escalate to support" on a message: the message becomes the case's source; the write is
   * confirmed inside the dialog (private to the person who clicked), with Action.Submit buttons.
   */
  protected override async handleTeamsMessagingExtensionSubmitAction(
    context: TurnContext,
    action: MessagingExtensionAction,
  ): Promise<MessagingExtensionActionResponse> {
    const { kit } = this.deps;
    const speaker = await this.speaker(context.activity);
    const turn = turnOf(context.activity);
    const data = cardData(action.data);
    if (data?.crm === 'confirm' || data?.crm === 'cancel')
      return dialogMessage(await kit.answer(speaker, turn, data.pendingId, data.crm === 'confirm'));
    if (action.commandId !== ESCALATE_COMMAND || !action.messagePayload)
      return dialogMessage({ kind: 'refusal', text: "I don't know that action." });

    const message = action.messagePayload;
    const text = plainText(message.body?.content ?? '');
    const author = message.from?.user?.displayName ?? undefined;
    const note = (action.data as { note?: string } | undefined)?.note?.trim();
    const summary = (note || text.replace(/\s+/g, ' ') || `Message from ${author ?? 'a customer'}`).slice(0, 300);
    const source = {
      text: text || summary,
      ...(message.linkToMessage ? { link: message.linkToMessage } : {}),
      ...(author ? { author } : {}),
    };
    const reply = await kit.escalate(speaker, { ...turn, source }, summary);
    if (!reply.confirm) return dialogMessage(reply);
    return {
      task: {
        type: 'continue',
        value: { title: 'Escalate to support', card: cardAttachment(replyCard(reply, 'submit')) },
      },
    };
  }
}
