import type { Requester, RpcArgs, RpcName, RpcResult } from './rpc.ts';

/** The argument of a function whose parameters are all optional may be left out. */
type ArgsOf<N extends RpcName> = Record<string, never> extends RpcArgs<N> ? [args?: RpcArgs<N>] : [args: RpcArgs<N>];

export type { Requester } from './rpc.ts';

/**
 * The data access port. Skills see only this: RPC functions of the migrations, called either as a
 * requester (RLS applies) or as the service (system work: schedulers, channel identity, seeding).
 * Adapters differ only in transport.
 */
export interface CrmDb {
  readonly kind: 'pglite' | 'postgres' | 'supabase';
  rpc<N extends RpcName>(as: Requester, fn: N, ...args: ArgsOf<N>): Promise<RpcResult<N>>;
  serviceRpc<N extends RpcName>(fn: N, ...args: ArgsOf<N>): Promise<RpcResult<N>>;
  close(): Promise<void>;
}

/** A database the assistant can also run SQL on directly (migrations, seeding, tests). */
export interface SqlDb extends CrmDb {
  readonly kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction on one connection. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
}

export interface SqlTx {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<void>;
}

/**
 * A failure, sorted by what the user can do about it: rephrase (refused, invalid), ask for rights
 * (forbidden), retry later (unavailable: the database could not be reached), or nothing (internal).
 */
export class CrmError extends Error {
  constructor(
    message: string,
    readonly code: 'refused' | 'forbidden' | 'invalid' | 'unavailable' | 'internal',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Connection failures: SQLSTATE class 08, an administrator shutdown (57P0x), or the socket itself. */
function isConnectionFailure(e: { code?: string; message?: string }): boolean {
  return (
    /^(08|57P0)/.test(e.code ?? '') ||
    /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|AI_AGAIN)$/.test(e.code ?? '') ||
    /connection terminated|terminating connection|fetch failed|socket hang up|not queryable/i.test(e.message ?? '')
  );
}

export function claimsFor(as: Requester, ttlSeconds = 300): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: as.id,
    role: 'authenticated',
    aud: 'authenticated',
    email: as.email,
    crm_role: as.role,
    team: as.team,
    region: as.region,
    iat: now,
    exp: now + ttlSeconds,
  };
}

/** Maps a Postgres error (SQLSTATE) to what the user should hear. */
export function toCrmError(err: unknown): CrmError {
  if (err instanceof CrmError) return err;
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  switch (e?.code) {
    case 'P0001':
      return new CrmError(msg, 'refused');
    case '42501':
      return new CrmError("You don't have permission to do that.", 'forbidden');
    case '22023':
    case '22P02':
    case '23505':
    case '23503':
    case '23514':
      return new CrmError(`That request could not be applied: ${msg}`, 'invalid');
    default:
      return isConnectionFailure(e)
        ? new CrmError(
            'The CRM database is not reachable right now, so nothing was changed. Please try again in a moment.',
            'unavailable',
            { cause: err },
          )
        : new CrmError(
            'Something went wrong on my side, so nothing was changed. The team has been told; please try again later.',
            'internal',
            { cause: err },
          );
  }
}
