import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SqlDb, SqlTx } from './port.ts';
import { sqlRpc } from './sql-rpc.ts';

/** Embedded Postgres (WASM): in memory for tests, file-backed under ./.data for the demo. */
export async function openPglite(dataDir?: string): Promise<SqlDb> {
  // PGlite creates its own folder but not the folders above it (./.data on a fresh clone).
  if (dataDir && !dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  const transaction = <T>(fn: (tx: SqlTx) => Promise<T>) =>
    pg.transaction(async (tx) =>
      fn({
        query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows,
        exec: async (sql: string) => {
          await tx.exec(sql);
        },
      }),
    );
  return {
    kind: 'pglite',
    query: async <T>(sql: string, params?: unknown[]) => (await pg.query<T>(sql, params)).rows,
    exec: async (sql: string) => {
      await pg.exec(sql);
    },
    transaction,
    ...sqlRpc(transaction),
    close: () => pg.close(),
  };
}
