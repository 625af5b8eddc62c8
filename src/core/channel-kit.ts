import type { ChannelKind } from './types.ts';

/** How to reach the assistant in each channel, in that channel's own words (help says it). */
export const HOW_TO_ASK: Record<ChannelKind, string> = {
  repl: 'type it the way you would say it',
  slack: 'type it the way you would say it — here in a DM, with `/crm`, or by mentioning @CRM Assistant in a channel',
  teams: 'type it the way you would say it — here in our chat, or by mentioning @CRM Assistant in a channel or group chat',
};
