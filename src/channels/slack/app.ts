import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Config } from '../../config.ts';
import type { Assistant } from '../../core/assistant.ts';
import { createChannelKit } from '../../core/channel-kit.ts';
import { log as rootLog, type Logger } from '../../core/log.ts';
import type { CrmDb } from '../../db/port.ts';
import type { Notifier } from '../../jobs/notifier.ts';
import { replyBlocks, replyText } from './blocks.ts';
import { refuseFutureRequests } from './clock.ts';
import { createUserDirectory } from './identity.ts';
import { registerListeners } from './listeners/index.ts';

export interface SlackOptions {
  config: Config;
  assistant: Assistant;
  db: CrmDb;
  /** The channel id escalation notifications go to, when there is one. */
  escalationChannel?: string;
  log?: Logger;
}

export interface SlackServer {
  /** 'socket' when SLACK_APP_TOKEN is set (no public URL needed), else 'http' (Events API). */
  mode: 'socket' | 'http';
  /** The HTTP port Slack posts to (http mode). */
  port?: number;
  /** Proactive messages: DMs to CRM users, posts to the escalation channel. */
  notifier: Notifier;
  close(): Promise<void>;
}

/** Starts the Slack app; every request is acked at once and answered after the work is done. */
export async function startSlack({
  config,
  assistant,
  db,
  escalationChannel,
  log = rootLog.with({ component: 'slack' }),
}: SlackOptions): Promise<SlackServer> {
  const slack = config.slack;
  if (!slack) throw new Error('Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
  const mode = slack.appToken ? 'socket' : 'http';
  // Acks go out before the listener's work (Bolt's default; kept explicit: the 3-second rule depends on it).
  const processBeforeResponse = false;
  const app = new App({
    token: slack.botToken,
    ...(mode === 'socket'
      ? { socketMode: true, appToken: slack.appToken, signingSecret: slack.signingSecret, processBeforeResponse }
      : {
          receiver: refuseFutureRequests(
            new HTTPReceiver({ signingSecret: slack.signingSecret, processBeforeResponse, logLevel: LogLevel.ERROR }),
          ),
        }),
    clientOptions: slack.apiUrl ? { slackApiUrl: slack.apiUrl } : undefined,
    logLevel: LogLevel.ERROR,
  });

  let homeTeam: string | undefined;
  const users = createUserDirectory({ db, client: app.client, homeTeam: () => homeTeam });
  registerListeners(app, createChannelKit({ assistant, db }), users, log, db);
  app.error(async (err) => log.error('unhandled', { error: err }));

  const auth = await app.client.auth.test();
  homeTeam = auth.team_id;
  const started = mode === 'http' ? await app.start(slack.port) : await app.start();
  const port = mode === 'http' ? (started as { address(): AddressInfo }).address().port : undefined;
  log.info(`Slack app running in ${mode} mode${port ? ` on port ${port}` : ''}`);

  const post = async (channel: string, reply: Parameters<Notifier['toUser']>[1]) => {
    try {
      await app.client.chat.postMessage({ channel, text: replyText(reply), blocks: replyBlocks(reply) });
      return true;
    } catch (err) {
      log.warn('notification not delivered', { channel, error: (err as Error).message });
      return false;
    }
  };
  const notifier: Notifier = {
    async toUser(userId, reply) {
      const slackId = await users.slackIdOf(userId);
      return slackId ? post(slackId, reply) : false;
    },
    async toChannel(notices, reply) {
      const channel = escalationChannel ?? (await db.serviceRpc('notice_target', { channel: 'slack', notices }));
      return channel ? post(channel, reply) : false;
    },
  };

  return { mode, port, notifier, close: () => app.stop() as Promise<void> };
}
