import type { RespondFn, webApi } from '@slack/bolt';
import { isPrivate, privateNote, type Turn } from '../../core/channel-kit.ts';
import type { Reply, ReplyFile } from '../../core/types.ts';
import { replyBlocks, replyText } from './blocks.ts';

/** Where a request was made and how to answer it. */
export interface Place {
  /** The Slack conversation id (D… for a direct message). */
  channel: string;
  /** The asker's Slack id. */
  user: string;
  threadTs?: string;
  /** Slash commands and button clicks can answer through their response_url (works where the bot is not a member). */
  respond?: RespondFn;
  /** A mention in a channel: the others saw the question, so say publicly that the answer went privately. */
  acknowledgePublicly?: boolean;
}

export const isDirectMessage = (channel: string) => channel.startsWith('D');

/** A request made at a place, as the core sees it: 'dm' for direct messages, else the channel (for its settings). */
export const turnAt = (place: Place, requestId: string): Turn => ({
  requestId,
  channel: 'slack',
  conversation: isDirectMessage(place.channel) ? 'dm' : place.channel,
});

type Client = webApi.WebClient;

async function directChannel(client: Client, user: string): Promise<string> {
  const opened = await client.conversations.open({ users: user });
  if (!opened.channel?.id) throw new Error('conversations.open returned no channel');
  return opened.channel.id;
}

async function upload(client: Client, channel: string, files: ReplyFile[], threadTs?: string): Promise<void> {
  await client.files.uploadV2({
    channel_id: channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    file_uploads: files.map((f) => ({ file: Buffer.from(f.data), filename: f.name })),
  });
}

/**
 * Posts a reply where it was asked, privately when it has to be. `replace` answers a button click
 * by replacing the message that carried the buttons (a public outcome is then posted publicly).
 */
export async function deliver(client: Client, place: Place, reply: Reply, { replace = false } = {}): Promise<void> {
  const hidden = isPrivate(reply, !isDirectMessage(place.channel));
  const dm = isDirectMessage(place.channel);
  const files = reply.files ?? [];
  const filesToDm = files.length > 0 && hidden && !dm;
  const shown = filesToDm
    ? { ...reply, text: `${reply.text}\nI sent the file${files.length > 1 ? 's' : ''} to you in a direct message.` }
    : reply;
  const message = { text: replyText(shown), blocks: replyBlocks(shown) };
  const thread = place.threadTs ? { thread_ts: place.threadTs } : {};

  if (place.respond && replace && (hidden || dm)) {
    await place.respond({ ...message, replace_original: true });
  } else if (place.respond && replace) {
    await place.respond({ delete_original: true });
    await client.chat.postMessage({ channel: place.channel, ...thread, ...message });
  } else if (place.respond) {
    await place.respond({ ...message, response_type: hidden ? 'ephemeral' : 'in_channel' });
  } else if (!hidden) {
    await client.chat.postMessage({ channel: place.channel, ...thread, ...message });
  } else {
    await client.chat.postEphemeral({ channel: place.channel, user: place.user, ...thread, ...message });
    if (place.acknowledgePublicly) {
      await client.chat.postMessage({
        channel: place.channel,
        ...thread,
        text: `<@${place.user}> ${privateNote(reply).text}`,
      });
    }
  }

  if (files.length) {
    const target = filesToDm ? await directChannel(client, place.user) : place.channel;
    try {
      await upload(client, target, files, filesToDm ? undefined : place.threadTs);
    } catch (err) {
      // The bot may not be a member of the channel a slash command came from: the asker's DM always works.
      if (target !== place.channel || dm) throw err;
      await upload(client, await directChannel(client, place.user), files);
    }
  }
}

/** A private note to the asker (unknown user, read-only user, a stale button). */
export function tell(client: Client, place: Place, text: string): Promise<void> {
  return deliver(client, place, { kind: 'refusal', text });
}
