import { CHANNEL_SCOPES } from './actions/fields.ts';
import type { ChannelScope } from './core/permissions.ts';
import { DEMO_USERS } from './demo/generate.ts';

/** Everything the assistant reads from the environment, in one place (the README's table). */
export interface Config {
  databaseUrl?: string;
  pgliteDir: string;
  demoDeals: number;
  /** Fixed "today" for demos and tests (YYYY-MM-DD); the real date otherwise. */
  today?: string;
  supabase?: { url: string; anonKey: string; serviceRoleKey: string; jwtSecret: string };
  openai?: { apiKey: string; baseUrl?: string; model: string; timeoutMs: number; shareCustomerText: boolean };
  slack?: {
    botToken: string;
    signingSecret: string;
    appToken?: string;
    port: number;
    apiUrl?: string;
    escalationChannel?: string;
  };
  teams?: { appId: string; appPassword: string; tenantId?: string; port: number; local?: TeamsLocal };
  outDir: string;
  /** What this installation may do at all (BOT_SCOPES=pipeline,logging,…); everything by default. */
  botScopes: ChannelScope[];
}

/**
 * Microsoft's local test clients (Agents Playground, Bot Framework Emulator) send activities without a
 * Bot Framework token. TEAMS_LOCAL=true serves them on 127.0.0.1 only, with no credentials at all, and
 * acts for their test user as one CRM user.
 */
export interface TeamsLocal {
  /** The CRM user the local test user acts as. */
  user: string;
  /** The local client's test user (the Agents Playground's default `currentUser.aadObjectId`). */
  aadObjectId: string;
}

export const PLAYGROUND_USER_AAD_ID = '00000000-0000-0000-0000-0000000000020';

function teamsConfig(env: NodeJS.ProcessEnv, port: number): Config['teams'] {
  if (env.TEAMS_LOCAL !== 'true') {
    return env.MICROSOFT_APP_ID
      ? {
          appId: env.MICROSOFT_APP_ID,
          appPassword: env.MICROSOFT_APP_PASSWORD ?? '',
          tenantId: env.MICROSOFT_APP_TENANT_ID || undefined,
          port,
        }
      : undefined;
  }
  if (env.MICROSOFT_APP_ID || env.MICROSOFT_APP_PASSWORD || env.MICROSOFT_APP_TENANT_ID) {
    throw new Error(
      'TEAMS_LOCAL=true serves unauthenticated local test clients; it cannot be combined with MICROSOFT_APP_ID, ' +
        'MICROSOFT_APP_PASSWORD or MICROSOFT_APP_TENANT_ID. Unset TEAMS_LOCAL to serve real Teams.',
    );
  }
  const local = {
    user: env.TEAMS_LOCAL_USER || DEMO_USERS.rep,
    aadObjectId: env.TEAMS_LOCAL_AAD_ID || PLAYGROUND_USER_AAD_ID,
  };
  return { appId: '', appPassword: '', port, local };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    pgliteDir: env.PGLITE_DIR || './.data/pglite',
    demoDeals: num(env.DEMO_DEALS, 10_000),
    today: env.CRM_TODAY || undefined,
    supabase:
      env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY && env.SUPABASE_JWT_SECRET
        ? {
            url: env.SUPABASE_URL,
            anonKey: env.SUPABASE_ANON_KEY ?? '',
            serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY,
            jwtSecret: env.SUPABASE_JWT_SECRET,
          }
        : undefined,
    openai: env.OPENAI_API_KEY
      ? {
          apiKey: env.OPENAI_API_KEY,
          baseUrl: env.OPENAI_BASE_URL || undefined,
          model: env.OPENAI_MODEL || 'gpt-4o-mini',
          timeoutMs: num(env.OPENAI_TIMEOUT_MS, 5000),
          shareCustomerText: env.LLM_SHARE_CUSTOMER_TEXT === 'true',
        }
      : undefined,
    slack:
      env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET
        ? {
            botToken: env.SLACK_BOT_TOKEN,
            signingSecret: env.SLACK_SIGNING_SECRET,
            appToken: env.SLACK_APP_TOKEN || undefined,
            port: num(env.SLACK_PORT ?? env.PORT, 3000),
            apiUrl: env.SLACK_API_URL || undefined,
            escalationChannel: env.SLACK_ESCALATION_CHANNEL || undefined,
          }
        : undefined,
    teams: teamsConfig(env, num(env.TEAMS_PORT, 3978)),
    outDir: env.OUT_DIR || './out',
    botScopes: (env.BOT_SCOPES || 'everything')
      .split(',')
      .map((s) => s.trim())
      .filter((s): s is ChannelScope => (CHANNEL_SCOPES as readonly string[]).includes(s)),
  };
}
