import { type Activity, CloudAdapter } from 'botbuilder';
import type { Config } from '../../config.ts';
import type { Assistant } from '../../core/assistant.ts';
import { createChannelKit } from '../../core/channel-kit.ts';
import { log as rootLog, type Logger } from '../../core/log.ts';
import type { CrmDb } from '../../db/port.ts';
import type { Notifier } from '../../jobs/notifier.ts';
import type { FileStore } from '../../storage/file-store.ts';
import { botAuthentication, type AuthOverrides } from './auth.ts';
import { CrmTeamsBot } from './handler.ts';
import { serveMessages } from './http.ts';
import { teamsNotifier } from './notifier.ts';

export interface TeamsOptions {
  config: Config;
  assistant: Assistant;
  db: CrmDb;
  /** Other Bot Framework endpoints or outgoing credentials (a sovereign cloud, a local stand-in in tests). */
  auth?: AuthOverrides;
  /** Where charts and exports too large for a card are stored and linked from (Supabase Storage); see files.ts. */
  files?: FileStore;
  log?: Logger;
}

export interface TeamsServer {
  /** The port `POST /api/messages` listens on. */
  port: number;
  /** Proactive messages: 1:1 chats with CRM users, the channel chosen for escalation notices. */
  notifier: Notifier;
  close(): Promise<void>;
}

const tenantOf = (activity: Activity): string | undefined =>
  activity.conversation?.tenantId ?? activity.channelData?.tenant?.id;

/**
 * With MICROSOFT_APP_TENANT_ID set the bot serves that Microsoft Entra tenant only: a Bot Framework
 * token says which bot an activity is for, not which organisation it comes from.
 */
function fromTenant(activity: Activity, tenantId: string | undefined): boolean {
  if (!tenantId) return true;
  const claimed = [activity.conversation?.tenantId, activity.channelData?.tenant?.id].filter((t) => t !== undefined);
  return claimed.length > 0 && claimed.every((t) => t === tenantId);
}

/** Starts the Teams bot: a botbuilder CloudAdapter behind `POST /api/messages`, every request authenticated. */
export async function startTeams({
  config,
  assistant,
  db,
  auth,
  files,
  log = rootLog.with({ component: 'teams' }),
}: TeamsOptions): Promise<TeamsServer> {
  const teams = config.teams;
  if (!teams) throw new Error('Teams is not configured: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD');
  if (teams.local) {
    log.warn(
      '⚠ TEAMS LOCAL MODE (TEAMS_LOCAL=true): POST /api/messages accepts activities WITHOUT Bot Framework authentication, ' +
        `on 127.0.0.1 only, for Microsoft's local test clients. The local test user acts as ${teams.local.user}. Never use it in production.`,
    );
  }
  const adapter = new CloudAdapter(botAuthentication(teams, auth));
  adapter.onTurnError = async (context, err) => {
    log.error('turn failed', { error: err });
    if (context.activity.type === 'message')
      await context.sendActivity('Sorry, something went wrong on my side. Please try again in a moment.');
  };
  const bot = new CrmTeamsBot({
    kit: createChannelKit({ assistant, db }),
    db,
    files,
    appId: teams.appId,
    local: teams.local,
  });
  const { server, port } = await serveMessages(
    teams.port,
    (req, res) =>
      adapter.process(req, res, async (context) => {
        if (fromTenant(context.activity, teams.tenantId)) return bot.run(context);
        log.warn('activity from another tenant ignored', { tenant: tenantOf(context.activity) ?? 'none' });
      }),
    {
      loopbackOnly: Boolean(teams.local),
    },
  );
  log.info(`Teams bot listening on port ${port} (POST /api/messages)`);
  return {
    port,
    notifier: teamsNotifier(adapter, teams.appId, db),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
