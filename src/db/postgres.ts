import pg from 'pg';
import type { SqlDb, SqlTx } from './port.ts';
import { sqlRpc } from './sql-rpc.ts';

// numeric and bigint as JS numbers: amounts fit in a double, and case ids are small.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number);
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);

/** A server Postgres (or Supabase's database reached directly) through a pg connection pool. */
export function openPostgres(connectionString: string, poolSize = 10): SqlDb {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // A broken connection surfaces as the failing query's error (mapped to a friendly reply); the
  // client's own 'error' event must not crash the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const transaction = async <T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const result = await fn({
        query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
        exec: async (sql) => {
          await client.query(sql);
        },
      });
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken); // a connection that cannot even roll back is discarded, not reused
    }
  };
  return {
    kind: 'postgres',
    query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as T[],
    exec: async (sql: string) => {
      await pool.query(sql);
    },
    transaction,
    ...sqlRpc(transaction),
    close: () => pool.end(),
  };
}
