import { claimsFor, toCrmError, type CrmDb, type Requester, type SqlTx } from './port.ts';

type Transaction = <R>(fn: (tx: SqlTx) => Promise<R>) => Promise<R>;

/**
 * How PostgREST runs a request, done in-process: one transaction, the requester's claims in
 * `request.jwt.claims`, the `authenticated` role, then the function. PGlite and pg share it.
 */
export async function rpcAs<T>(transaction: Transaction, as: Requester | null, fn: string, args: object): Promise<T> {
  if (!/^[a-z_][a-z0-9_]*$/.test(fn)) throw new Error(`bad rpc name ${fn}`);
  try {
    return await transaction(async (tx) => {
      if (as) {
        await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
          JSON.stringify(claimsFor(as)),
        ]);
      }
      const rows = await tx.query<{ r: T }>(`select public.${fn}($1::jsonb) as r`, [JSON.stringify(args)]);
      return rows[0]?.r as T;
    });
  } catch (err) {
    throw toCrmError(err);
  }
}

/** The two RPC methods of a database reached with SQL (PGlite, pg): each call is one transaction. */
export function sqlRpc(transaction: Transaction): Pick<CrmDb, 'rpc' | 'serviceRpc'> {
  return {
    rpc: (as, fn, args = {}) => rpcAs(transaction, as, fn, args),
    serviceRpc: (fn, args = {}) => rpcAs(transaction, null, fn, args),
  };
}
