import type { Reply } from '../core/types.ts';

/**
 * Where proactive messages go (reminders, case assignments, SLA breaches): each channel that runs
 * registers how it reaches a CRM user; the REPL prints. Skills and schedulers only see this.
 */
export interface Notifier {
  /** To one CRM user (a DM in Slack, a proactive 1:1 message in Teams). Returns whether it was delivered. */
  toUser(userId: string, reply: Reply): Promise<boolean>;
  /** To a named team channel (e.g. the support escalation channel), when configured. */
  toChannel(channel: 'escalations', reply: Reply): Promise<boolean>;
}

/** Sends to every registered channel; delivered if any one delivered. */
export function fanOut(notifiers: Notifier[]): Notifier {
  const any = async (f: (n: Notifier) => Promise<boolean>) => (await Promise.all(notifiers.map(f))).some(Boolean);
  return {
    toUser: (userId, reply) => any((n) => n.toUser(userId, reply)),
    toChannel: (channel, reply) => any((n) => n.toChannel(channel, reply)),
  };
}
