import { CHANNEL_SCOPES } from './actions/schema.ts';
import type { ChannelScope } from './core/permissions.ts';

/** Everything the assistant reads from the environment, in one place (the README's table). */
export interface Config {
  databaseUrl?: string;
  pgliteDir: string;
  demoDeals: number;
  /** Fixed "today" for demos and tests (YYYY-MM-DD); the real date otherwise. */
  today?: string;
  supabase?: { url: string; anonKey: string; serviceRoleKey: string; jwtSecret: string };
  openai?: { apiKey: string; baseUrl?: string; model: string; timeoutMs: number; shareCustomerText: boolean };
  slack?: { botToken: string; signingSecret: string; appToken?: string; port: number; apiUrl?: string; escalationChannel?: string };
  teams?: { appId: string; appPassword: string; tenantId?: string; port: number };
  outDir: string;
  /** What this installation may do at all (BOT_SCOPES=pipeline,logging,…); everything by default. */
  botScopes: ChannelScope[];
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
        ? { url: env.SUPABASE_URL, anonKey: env.SUPABASE_ANON_KEY ?? '', serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY, jwtSecret: env.SUPABASE_JWT_SECRET }
        : undefined,
    openai: env.OPENAI_API_KEY
      ? { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL || undefined, model: env.OPENAI_MODEL || 'gpt-4o-mini', timeoutMs: num(env.OPENAI_TIMEOUT_MS, 5000), shareCustomerText: env.LLM_SHARE_CUSTOMER_TEXT === 'true' }
      : undefined,
    slack:
      env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET
        ? { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN || undefined, port: num(env.SLACK_PORT ?? env.PORT, 3000), apiUrl: env.SLACK_API_URL || undefined, escalationChannel: env.SLACK_ESCALATION_CHANNEL || undefined }
        : undefined,
    teams: env.MICROSOFT_APP_ID
      ? { appId: env.MICROSOFT_APP_ID, appPassword: env.MICROSOFT_APP_PASSWORD ?? '', tenantId: env.MICROSOFT_APP_TENANT_ID || undefined, port: num(env.TEAMS_PORT, 3978) }
      : undefined,
    outDir: env.OUT_DIR || './out',
    botScopes: (env.BOT_SCOPES || 'everything').split(',').map((s) => s.trim()).filter((s): s is ChannelScope => (CHANNEL_SCOPES as readonly string[]).includes(s)),
  };
}
