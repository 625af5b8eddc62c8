import { createClient, type SupabaseClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import { claimsFor, toCrmError, type CrmDb, type Requester } from './port.ts';

export interface SupabaseConfig {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
}

const RPC_NAME = /^[a-z_][a-z0-9_]*$/;

// The assistant never subscribes to Realtime, but supabase-js builds its client eagerly and, on
// Node 20 (no global WebSocket), insists on a transport: one that refuses to connect.
type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;
const NO_REALTIME = class {
  constructor() {
    throw new Error('Realtime is not used by the CRM assistant');
  }
} as unknown as RealtimeTransport;

/** A short-lived access token for one CRM user, signed as Supabase Auth would sign it. */
export function mintUserJwt(jwtSecret: string, as: Requester): Promise<string> {
  return new SignJWT(claimsFor(as))
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(jwtSecret));
}

/**
 * A client that sends `key` as apikey and, unless a request sets its own Authorization, `key` as
 * the bearer token too. Without a GoTrue session: the assistant never signs users in, it vouches
 * for them with minted tokens.
 */
export function supabaseClient(url: string, key: string, bearer: string = key): SupabaseClient {
  return createClient(url, key, {
    accessToken: async () => bearer,
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: NO_REALTIME },
  });
}

/**
 * The Supabase backend through supabase-js (PostgREST). A user's request carries the anon key as
 * apikey and a token minted for that user, so RLS sees the requester; the service role key is used
 * only by serviceRpc (schedulers, channel identity).
 */
export function openSupabase(cfg: SupabaseConfig): CrmDb {
  if (!cfg.anonKey)
    throw new Error('SUPABASE_ANON_KEY is required: user requests are sent with the anon key, never the service key.');
  const users = supabaseClient(cfg.url, cfg.anonKey);
  const service = supabaseClient(cfg.url, cfg.serviceRoleKey);

  const call = async <T>(client: SupabaseClient, fn: string, args: object, bearer?: string): Promise<T> => {
    if (!RPC_NAME.test(fn)) throw new Error(`bad rpc name ${fn}`);
    let request = client.rpc(fn, { args });
    if (bearer) request = request.setHeader('Authorization', `Bearer ${bearer}`);
    const { data, error } = await request;
    if (error) throw toCrmError(error); // PostgREST puts the SQLSTATE (P0001, 42501, ...) in `code`
    return data as T;
  };

  return {
    kind: 'supabase',
    rpc: async (as, fn, args = {}) => call(users, fn, args, await mintUserJwt(cfg.jwtSecret, as)),
    serviceRpc: (fn, args = {}) => call(service, fn, args),
    close: async () => {
      await Promise.all([users.removeAllChannels(), service.removeAllChannels()]);
    },
  };
}
