import type { MessageShortcut, webApi } from '@slack/bolt';
import type { Listeners } from './context.ts';
import { deliver, turnAt, type Place } from '../deliver.ts';

export const ESCALATE_SHORTCUT = 'escalate_message';

/** Raises a support case from a customer's message: its text (data, never instructions), permalink and author. */
export async function escalateMessage(
  { kit, users }: Pick<Listeners, 'kit' | 'users'>,
  client: webApi.WebClient,
  place: Place,
  message: { text?: string; ts: string; user?: string },
  requestId: string,
): Promise<void> {
  const permalink = await client.chat
    .getPermalink({ channel: place.channel, message_ts: message.ts })
    .catch(() => undefined);
  const text = (message.text ?? '').trim();
  const author = message.user ? await users.displayName(message.user) : undefined;
  const summary = text ? text.replace(/\s+/g, ' ').slice(0, 300) : `Message from ${author ?? 'a customer'}`;
  const source = {
    text: text || summary,
    ...(permalink?.permalink ? { link: permalink.permalink } : {}),
    ...(author ? { author } : {}),
  };
  const reply = await kit.escalate(await users.speaker(place.user), { ...turnAt(place, requestId), source }, summary);
  await deliver(client, place, reply);
}

/** The "Escalate to support" message shortcut. */
export function registerShortcuts(deps: Listeners): void {
  deps.app.shortcut<MessageShortcut>(ESCALATE_SHORTCUT, async ({ shortcut, ack, client, respond }) => {
    await ack();
    const place: Place = { channel: shortcut.channel.id, user: shortcut.user.id, respond };
    await deps.work(client, place, () =>
      escalateMessage(deps, client, place, shortcut.message, `slack:shortcut:${shortcut.trigger_id}`),
    );
  });
}
