import type { Listeners } from './context.ts';
import { deliver, turnAt, type Place } from '../deliver.ts';

/** Mentions in channels and direct messages to the app: one sentence each, through the channel kit. */
export function registerMessages({ app, kit, users, seen, work }: Listeners): void {
  /** Slack mention markup as plain names; the bot's own mention is dropped. */
  async function plainText(text: string, botUserId?: string): Promise<string> {
    let out = text;
    for (const [tag, id] of text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)) {
      out = out.replace(tag, id === botUserId ? '' : `@${await users.displayName(id)}`);
    }
    return out.replace(/\s+/g, ' ').trim();
  }

  const answer = async (place: Place, text: string, eventId: string) =>
    kit.say(await users.speaker(place.user), turnAt(place, `slack:event:${eventId}`), text);

  app.event('app_mention', async ({ event, body, client, context }) => {
    if (!event.user || (await seen.repeat(body.event_id))) return;
    const place: Place = {
      channel: event.channel,
      user: event.user,
      threadTs: event.thread_ts,
      acknowledgePublicly: true,
    };
    await work(client, place, async () =>
      deliver(client, place, await answer(place, await plainText(event.text, context.botUserId), body.event_id)),
    );
  });

  app.message(async ({ message, body, client, context }) => {
    if (message.channel_type !== 'im' || message.subtype !== undefined || !message.user) return;
    if (await seen.repeat(body.event_id)) return;
    const place: Place = { channel: message.channel, user: message.user };
    await work(client, place, async () =>
      deliver(
        client,
        place,
        await answer(place, await plainText(message.text ?? '', context.botUserId), body.event_id),
      ),
    );
  });
}
