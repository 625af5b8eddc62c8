import { SKILLS } from '../../skills/index.ts';
import { type Action, specOf, validateAction } from '../actions/index.ts';
import { toCrmError, type CrmDb, type Requester } from '../db/port.ts';
import type { PerformResult } from '../db/rpc.ts';
import type { DialogueContext } from '../nlu/dialogue.ts';
import type { Parser } from '../nlu/parser.ts';
import { localDate } from './clock.ts';
import { log } from './log.ts';
import { NOT_LINKED } from './guest.ts';
import { can, describeScopes, refusalFor, scopesAllow, type ChannelScope } from './permissions.ts';
import type { ActionInput, Choices, Inbound, Reply, SkillContext } from './types.ts';

export interface AssistantOptions {
  db: CrmDb;
  parser: Parser;
  now?: () => Date;
  /** What this bot installation may do at all; a user's rights are intersected with it. */
  botScopes?: readonly ChannelScope[];
  /** Chart images in answers (default on). */
  charts?: boolean;
}

/**
 * The one action core every channel calls: text -> action -> permission -> confirmation -> skill,
 * each executed action audited and idempotent per request id (both enforced in `perform`, in SQL).
 */
export function createAssistant({
  db,
  parser,
  now = () => new Date(),
  botScopes = ['everything'],
  charts = true,
}: AssistantOptions) {
  const context = (
    user: Requester,
    place: SkillContext['place'],
    source?: Inbound['source'],
    progress?: Inbound['progress'],
  ): SkillContext => ({
    db,
    user,
    now,
    source,
    place,
    charts,
    today: localDate(now(), user.timezone),
    progress: progress ?? (() => {}),
    skills: SKILLS,
  });
  const isShared = (conversation?: string) => Boolean(conversation && conversation !== 'dm');

  /** Role ∩ what the bot is installed for ∩ what this shared channel is set up for. */
  async function refusal(action: Action, msg: Omit<Inbound, 'text'>): Promise<string | null> {
    if (!can(msg.user.role, action.type)) return refusalFor(msg.user.role, action.type);
    if (!scopesAllow(botScopes, action.type)) return `This assistant is set up for ${describeScopes(botScopes)} only.`;
    const scopes = isShared(msg.conversation)
      ? await db.rpc(msg.user, 'channel_scopes', { channel: msg.channel, conversation: msg.conversation })
      : null;
    // A guest's only write: a case raised on a customer's message, in a channel set up for escalations.
    const guestMayEscalate = Boolean(msg.source && scopes?.some((s) => s === 'escalations' || s === 'everything'));
    if (msg.user.role === 'guest' && action.type !== 'help' && !guestMayEscalate) return NOT_LINKED;
    if (!scopesAllow(scopes, action.type, { channel: true })) {
      return `This channel is set up for ${describeScopes(scopes!)} only. Ask me in a direct message instead.`;
    }
    return null;
  }
  /** Each option of a "which one?" question as the same request naming that record (the field that held the typed name). */
  function choicesOf(action: Action, choices: Choices | undefined): Reply['choices'] {
    if (!choices) return undefined;
    const field = Object.entries(action).find(([, v]) => typeof v === 'string' && v.trim() === choices.typed)?.[0];
    const options = choices.options.map((o) => ({
      label: o.label,
      action: 'action' in o ? o.action : field ? ({ ...action, [field]: o.value } as ActionInput) : undefined,
    }));
    return options.every((o) => o.action) ? (options as Reply['choices']) : undefined;
  }

  async function guarded(work: () => Promise<Reply>): Promise<Reply> {
    try {
      return await work();
    } catch (err) {
      const e = toCrmError(err);
      if (e.code === 'internal' || e.code === 'unavailable') {
        log.error('request failed', { error: e.cause ?? err });
        return { kind: 'error', text: e.message };
      }
      return { kind: 'refusal', text: e.message };
    }
  }

  /** Runs an already-typed action (from a parser, a button, an edit form): validated again here. */
  async function run(input: unknown, msg: Omit<Inbound, 'text'>): Promise<Reply> {
    const checked = validateAction(input);
    if (!checked.ok)
      return { kind: 'refusal', text: `I can't run that request; nothing was changed.\n${checked.error}` };
    const action: Action = checked.action;
    if (action.type === 'clarify') return { kind: 'question', text: action.question };
    const spec = specOf(action.type)!;
    const place = { channel: msg.channel, conversation: isShared(msg.conversation) ? msg.conversation : undefined };
    const ctx = context(msg.user, place, msg.source, msg.progress);
    return guarded(async () => {
      const refused = await refusal(action, msg);
      if (refused) return { kind: 'refusal', text: refused };
      // The union was validated against this spec's own schema: the action is the one it prepares.
      const prepared = await spec.prepare(action as never, ctx);
      if ('question' in prepared)
        return { kind: 'question', text: prepared.question, choices: choicesOf(action, prepared.choices) };
      if ('answer' in prepared) return { kind: 'answer', text: prepared.answer, sensitive: prepared.sensitive };
      const payload = { ...prepared.payload, type: action.type };
      if (spec.local) return spec.format(payload, ctx);
      if (spec.writes) {
        const preview = prepared.preview ?? `Run ${action.type}`;
        const pending = await db.rpc(msg.user, 'pending_put', {
          request_id: msg.requestId,
          channel: msg.channel,
          action: payload,
          preview,
        });
        if (pending.status !== 'pending') return { kind: 'done', text: 'I already handled that message.' };
        return { kind: 'confirm', text: `${preview}\nConfirm? (yes/no)`, confirm: { pendingId: pending.id, preview } };
      }
      const result = await db.rpc(msg.user, 'perform', {
        request_id: msg.requestId,
        channel: msg.channel,
        action: action.type,
        payload,
      });
      return finish(result, ctx);
    });
  }

  async function finish(result: PerformResult, ctx: SkillContext): Promise<Reply> {
    if (result.error) return { kind: 'refusal', text: String(result.message ?? result.error) };
    if (result.replayed) return { kind: 'done', text: 'That was already done; nothing was written twice.' };
    const spec = specOf(String(result.action));
    if (!spec) throw new Error(`no skill formats ${String(result.action)}`);
    return spec.format(result, ctx);
  }

  return {
    run,

    /** A message, read in its conversation's context when there is one; the reply says how it was read. */
    async handle(msg: Inbound, context?: DialogueContext): Promise<Reply> {
      let action: Action;
      try {
        action = await parser.parse(msg.text, {
          today: localDate(now(), msg.user.timezone),
          user: msg.user,
          source: msg.source,
          context,
        });
      } catch {
        action = { type: 'clarify', question: "Sorry, I didn't understand that. Try `help` to see what I can do." };
      }
      return { ...(await run(action, msg)), read: action };
    },

    /** The author's answer to a pending write: yes runs it once, no cancels it. */
    async confirm(pendingId: string, user: Requester, yes: boolean, progress?: Inbound['progress']): Promise<Reply> {
      return guarded(async () => {
        if (!yes) {
          const r = await db.rpc(user, 'pending_cancel', { id: pendingId });
          return r.cancelled
            ? { kind: 'done', text: 'Cancelled. Nothing was written.' }
            : { kind: 'refusal', text: 'There was nothing of yours waiting to cancel.' };
        }
        return finish(
          await db.rpc(user, 'perform', { pending_id: pendingId }),
          context(user, { channel: 'repl' }, undefined, progress),
        );
      });
    },
  };
}

export type Assistant = ReturnType<typeof createAssistant>;
