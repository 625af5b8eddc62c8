import { randomUUID } from 'node:crypto';
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
import type { Assistant } from '../../core/assistant.ts';
import type { Inbound, Reply } from '../../core/types.ts';
import type { CrmDb, Requester } from '../../db/port.ts';
import { replyAsText } from '../../format/text.ts';
import type { FileStore } from '../../storage/file-store.ts';
import { cardAttachment, replyCard, type AdaptiveCard, type ChooseData, type ConfirmData } from './cards.ts';
import { acknowledgement, deliver, isPrivate, sendPrivately, type DeliveryDeps } from './delivery.ts';
import { linkLargeFiles } from './files.ts';
import { plainText } from './message-text.ts';
import { channelOf, conversationKind, rememberConversation } from './references.ts';
import { crmUserFor, UNLINKED_TEXT } from './users.ts';

export interface BotDeps extends DeliveryDeps {
  assistant: Assistant;
  /** Local test clients without authentication (TEAMS_LOCAL): whom their test user acts as. */
  local?: TeamsLocal;
  /** Where files too large for a card are stored to be linked (Supabase Storage). */
  files?: FileStore;
}

/** The message-extension command in manifest.json that raises a support case from a message. */
export const ESCALATE_COMMAND = 'escalate';

const isConfirmData = (d: unknown): d is ConfirmData =>
  typeof d === 'object' && d !== null && ['confirm', 'cancel'].includes((d as ConfirmData).crm) && typeof (d as ConfirmData).pendingId === 'string';

const isChooseData = (d: unknown): d is ChooseData =>
  typeof d === 'object' && d !== null && (d as ChooseData).crm === 'choose' && typeof (d as ChooseData).action === 'object' && (d as ChooseData).action !== null;

const STALE_BUTTON = "Sorry, I can't use that button; nothing was changed. Please ask me again.";

/** Where it was said, as the core sees it: 'dm' for a 1:1 chat, else the channel or group chat. */
function place(activity: Activity): Pick<Inbound, 'requestId' | 'channel' | 'conversation'> {
  return {
    requestId: `teams:${activity.id ?? randomUUID()}`,
    channel: 'teams',
    conversation: conversationKind(activity) === 'personal' ? 'dm' : channelOf(activity.conversation.id),
  };
}

const cardResponse = (card: AdaptiveCard): AdaptiveCardInvokeResponse => ({
  statusCode: 200,
  type: 'application/vnd.microsoft.card.adaptive',
  value: card as unknown as Record<string, unknown>,
});

const dialogMessage = (reply: Reply): MessagingExtensionActionResponse => ({ task: { type: 'message', value: replyAsText(reply) } });

/**
 * Teams in front of the action core: chat messages (1:1 and channel @mentions), the confirmation
 * buttons of cards, and the "Escalate to support" message action. No CRM logic lives here.
 */
export class CrmTeamsBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.answer(context);
      await next();
    });
  }

  private async answer(context: TurnContext): Promise<void> {
    const { db, assistant } = this.deps;
    const activity = context.activity;
    const text = plainText(TurnContext.removeRecipientMention(activity) ?? activity.text ?? '');
    const user = await crmUserFor(db, activity, this.deps.local);
    await rememberConversation(db, activity, user?.id ?? null);
    if (!user) return deliver(context, { kind: 'refusal', text: UNLINKED_TEXT }, null, this.deps);
    // Our cards' buttons are Action.Execute (an invoke); a message carrying `value` is some other card's submit.
    const reply = activity.value != null
      ? { kind: 'refusal' as const, text: STALE_BUTTON }
      : text
        ? await assistant.handle({ ...place(activity), text, user })
        : await assistant.run({ type: 'help' }, { ...place(activity), user });
    await deliver(context, await linkLargeFiles(reply, user, this.deps.files), user.id, this.deps);
  }

  /**
   * A click on a chat card (Action.Execute): Confirm / Cancel of a pending write, or the answer to a "which one?"
   * question (the same request naming that record, validated and permission-checked as the clicker). Either way
   * the card is replaced by the outcome, so an answered card cannot be clicked again.
   */
  protected override async onAdaptiveCardInvoke(context: TurnContext, invoke: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const data = { ...(invoke.action.data as object), crm: invoke.action.verb };
    if (!isConfirmData(data) && !isChooseData(data)) return cardResponse(replyCard({ kind: 'refusal', text: STALE_BUTTON }));
    const { db, assistant, files, local } = this.deps;
    const user = await crmUserFor(db, context.activity, local);
    if (!user) return cardResponse(replyCard({ kind: 'refusal', text: UNLINKED_TEXT }));
    const outcome = isConfirmData(data)
      ? await assistant.confirm(data.pendingId, user, data.crm === 'confirm')
      : await assistant.run(data.action, { ...place(context.activity), user });
    const reply = await linkLargeFiles(outcome, user, files);
    if (!isPrivate(context.activity, reply)) return cardResponse(replyCard(reply));
    const sent = await sendPrivately(context, { type: 'message', attachments: [cardAttachment(replyCard(reply))] }, user.id, this.deps);
    return cardResponse(replyCard(acknowledgement(reply, sent)));
  }

  /**
   * "Escalate to support" on a message: the message becomes the case's source; the write is
   * confirmed inside the dialog (private to the person who clicked), with Action.Submit buttons.
   */
  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    const { db, assistant } = this.deps;
    const user = await crmUserFor(db, context.activity, this.deps.local);
    if (!user) return dialogMessage({ kind: 'refusal', text: UNLINKED_TEXT });
    const data = (action.data ?? {}) as Partial<ConfirmData> & { note?: string };
    if (isConfirmData(data)) return dialogMessage(await assistant.confirm(data.pendingId, user, data.crm === 'confirm'));
    if (action.commandId !== ESCALATE_COMMAND || !action.messagePayload) return dialogMessage({ kind: 'refusal', text: "I don't know that action." });

    const message = action.messagePayload;
    const text = plainText(message.body?.content ?? '');
    const author = message.from?.user?.displayName ?? undefined;
    const summary = (data.note?.trim() || text.replace(/\s+/g, ' ') || `Message from ${author ?? 'a customer'}`).slice(0, 300);
    const reply = await assistant.run(
      { type: 'escalation.create', summary },
      {
        ...place(context.activity),
        user,
        source: { text: text || summary, ...(message.linkToMessage ? { link: message.linkToMessage } : {}), ...(author ? { author } : {}) },
      },
    );
    if (!reply.confirm) return dialogMessage(reply);
    return { task: { type: 'continue', value: { title: 'Escalate to support', card: cardAttachment(replyCard(reply, 'submit')) } } };
  }
}
