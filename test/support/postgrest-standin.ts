import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import pg from 'pg';
import type { CrmDb } from '../../src/db/port.ts';
import { openSupabase, type SupabaseConfig } from '../../src/db/supabase.ts';
import { freshDb, type TestDb } from './db.ts';

/**
 * A local stand-in for the two Supabase services the assistant talks to, in front of a real Postgres:
 * - PostgREST `POST /rest/v1/rpc/<fn>`: verifies the bearer JWT (HS256, the project's secret, exp),
 *   then, in one transaction, `set_config('role', <role claim>)` and `request.jwt.claims` and calls
 *   `public.<fn>(<name> := <value>::jsonb, ...)`, answering the result or a PostgREST-shaped error.
 * - Storage: upload an object, create a signed URL, download through it (in memory). A user may write
 *   and sign only under their own folder, `<sub>/...`, as the policies of the storage migration say.
 * Like Supabase's gateway it also requires an `apikey` header holding one of the project's keys.
 * Every request is recorded so tests can inspect headers. Only jsonb arguments are supported (every
 * RPC of this project takes one, `args`).
 */
export interface StandIn {
  url: string;
  requests: CapturedRequest[];
  /** Stored objects by `<bucket>/<path>`. */
  objects: Map<string, { data: Buffer; mime: string }>;
  close(): Promise<void>;
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  status: number;
  /** The role the request ran as, once its JWT was accepted. */
  role?: string;
  /** The error code answered (SQLSTATE or PGRSTxxx), if any. */
  code?: string;
}

export interface StandInOptions {
  databaseUrl: string;
  jwtSecret: string;
  /** The keys the gateway accepts as `apikey`. */
  apiKeys: string[];
  buckets?: string[];
  /** The clock tokens are checked against. */
  now?: () => Date;
}

type Answer = { status: number; body?: unknown; raw?: Buffer; mime?: string };
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const IDENT = /^[a-z_][a-z0-9_]*$/;
const postgrestError = (
  status: number,
  code: string,
  message: string,
  details: string | null = null,
  hint: string | null = null,
) => new Refusal(status, { code, message, details, hint });
const storageError = (status: number, error: string, message: string) =>
  new Refusal(status, { statusCode: String(status), error, message });

/** PostgREST's mapping of SQLSTATE to HTTP status (docs: "Errors and HTTP Status Codes"). */
function postgrestStatus(code: string, role: string): number {
  if (code === '42501') return role === 'anon' ? 401 : 403;
  if (code === 'P0001') return 400;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '42883' || code === '42P01') return 404;
  if (code === '53400') return 500;
  if (code.startsWith('08') || code.startsWith('53')) return 503;
  if (code.startsWith('28') || code.startsWith('0L') || code.startsWith('0P')) return 403;
  if (
    ['09', '25', '2D', '38', '39', '3B', '40', '54', '55', '57', '58', 'F0', 'HV', 'P0', 'XX'].some((p) =>
      code.startsWith(p),
    )
  )
    return 500;
  return 400;
}

export async function startPostgrestStandIn(opts: StandInOptions): Promise<StandIn> {
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 4 });
  pool.on('error', () => {});
  const secret = new TextEncoder().encode(opts.jwtSecret);
  const now = opts.now ?? (() => new Date());
  const buckets = new Set(opts.buckets ?? ['crm-files']);
  const objects = new Map<string, { data: Buffer; mime: string }>();
  const requests: CapturedRequest[] = [];

  const verify = async (token: string): Promise<JWTPayload> => {
    try {
      return (await jwtVerify(token, secret, { algorithms: ['HS256'], currentDate: now() })).payload;
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw postgrestError(401, 'PGRST303', 'JWT expired');
      throw postgrestError(401, 'PGRST301', 'JWSError JWSInvalidSignature');
    }
  };

  /** The gateway's apikey check, then PostgREST's JWT check: claims of the request. */
  const authenticate = async (req: IncomingMessage, record: CapturedRequest): Promise<JWTPayload> => {
    const apikey = req.headers.apikey;
    if (typeof apikey !== 'string' || !opts.apiKeys.includes(apikey)) {
      throw new Refusal(401, {
        message: 'Invalid API key',
        hint: 'Double check your Supabase `anon` or `service_role` API key.',
      });
    }
    const auth = req.headers.authorization;
    const m = auth ? /^Bearer (.+)$/i.exec(auth) : null;
    if (auth && !m) throw postgrestError(401, 'PGRST301', 'Expected Authorization: Bearer <token>');
    const claims = m ? await verify(m[1]) : {};
    record.role = typeof claims.role === 'string' ? claims.role : 'anon';
    return { ...claims, role: record.role };
  };

  const rpc = async (fn: string, claims: JWTPayload, body: unknown, path: string): Promise<Answer> => {
    if (!IDENT.test(fn))
      throw postgrestError(404, 'PGRST202', `Could not find the function public.${fn} in the schema cache`);
    const args = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const names = Object.keys(args);
    if (!names.every((n) => IDENT.test(n))) throw postgrestError(400, 'PGRST100', 'bad argument name');
    const call = `public.${fn}(${names.map((n, i) => `${n} := $${i + 1}::jsonb`).join(', ')})`;
    const role = String(claims.role);
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
                set_config('request.method', 'POST', true), set_config('request.path', $3, true)`,
        [role, JSON.stringify(claims), path],
      );
      const { rows } = await client.query(
        `select to_json(${call})::text as body`,
        names.map((n) => JSON.stringify(args[n])),
      );
      await client.query('commit');
      return { status: 200, raw: Buffer.from(rows[0].body ?? 'null'), mime: 'application/json' };
    } catch (err) {
      await client.query('rollback').catch(() => {});
      const e = err as { code?: string; message: string; detail?: string; hint?: string };
      if (!e.code) throw err;
      if (e.code === '42883')
        throw postgrestError(
          404,
          'PGRST202',
          `Could not find the function public.${fn}(${names.join(', ')}) in the schema cache`,
        );
      throw postgrestError(postgrestStatus(e.code, role), e.code, e.message, e.detail ?? null, e.hint ?? null);
    } finally {
      client.release();
    }
  };

  const readBody = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  /** The storage policies of this project: users only in their own folder; the service anywhere. */
  const mayTouch = (claims: JWTPayload, objectPath: string) =>
    claims.role === 'service_role' ||
    (claims.role === 'authenticated' && typeof claims.sub === 'string' && objectPath.split('/')[0] === claims.sub);

  const storage = async (req: IncomingMessage, record: CapturedRequest, url: URL, rest: string): Promise<Answer> => {
    const signed = /^object\/sign\/([^/]+)\/(.+)$/.exec(rest);
    if (signed && req.method === 'GET') {
      const key = `${signed[1]}/${decodeURIComponent(signed[2])}`;
      let payload: JWTPayload;
      try {
        payload = (
          await jwtVerify(url.searchParams.get('token') ?? '', secret, { algorithms: ['HS256'], currentDate: now() })
        ).payload;
      } catch (err) {
        throw storageError(400, 'InvalidJWT', err instanceof errors.JWTExpired ? 'jwt expired' : 'invalid signature');
      }
      const obj = objects.get(key);
      if (payload.url !== key || !obj)
        throw storageError(400, 'InvalidSignature', 'The url do not match the signature');
      return { status: 200, raw: obj.data, mime: obj.mime };
    }
    const claims = await authenticate(req, record);
    if (signed && req.method === 'POST') {
      const [bucket, objectPath] = [signed[1], decodeURIComponent(signed[2])];
      const key = `${bucket}/${objectPath}`;
      if (!objects.has(key) || !mayTouch(claims, objectPath)) throw storageError(404, 'not_found', 'Object not found');
      const { expiresIn } = JSON.parse((await readBody(req)).toString() || '{}') as { expiresIn?: number };
      if (!Number.isInteger(expiresIn) || expiresIn! <= 0)
        throw storageError(400, 'InvalidRequest', 'expiresIn must be a positive integer');
      const token = await new SignJWT({ url: key })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(Math.floor(now().getTime() / 1000))
        .setExpirationTime(Math.floor(now().getTime() / 1000) + expiresIn!)
        .sign(secret);
      return {
        status: 200,
        body: { signedURL: `/object/sign/${encodeURIComponent(bucket)}/${objectPath}?token=${token}` },
      };
    }
    const upload = /^object\/([^/]+)\/(.+)$/.exec(rest);
    if (upload && req.method === 'POST') {
      const [bucket, objectPath] = [upload[1], decodeURIComponent(upload[2])];
      if (!buckets.has(bucket)) throw storageError(404, 'Bucket not found', 'Bucket not found');
      if (!mayTouch(claims, objectPath))
        throw storageError(403, 'Unauthorized', 'new row violates row-level security policy');
      const key = `${bucket}/${objectPath}`;
      if (objects.has(key) && req.headers['x-upsert'] !== 'true')
        throw storageError(409, 'Duplicate', 'The resource already exists');
      objects.set(key, {
        data: await readBody(req),
        mime: String(req.headers['content-type'] ?? 'application/octet-stream'),
      });
      return { status: 200, body: { Key: key, Id: randomUUID() } };
    }
    throw storageError(404, 'not_found', `no route ${req.method} /storage/v1/${rest}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    const record: CapturedRequest = { method: req.method ?? '', path: url.pathname, status: 0, headers: {} };
    for (const [k, v] of Object.entries(req.headers)) record.headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    requests.push(record);
    let answer: Answer;
    try {
      const rpcRoute = /^\/rest\/v1\/rpc\/([^/]+)$/.exec(url.pathname);
      if (rpcRoute && req.method === 'POST') {
        const claims = await authenticate(req, record);
        const text = (await readBody(req)).toString();
        answer = await rpc(rpcRoute[1], claims, text ? JSON.parse(text) : {}, url.pathname);
      } else if (url.pathname.startsWith('/storage/v1/')) {
        answer = await storage(req, record, url, url.pathname.slice('/storage/v1/'.length));
      } else {
        throw postgrestError(404, 'PGRST125', `Invalid path ${url.pathname}`);
      }
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      record.code = String(err.body.code ?? err.body.statusCode ?? '');
      answer = { status: err.status, body: err.body };
    }
    record.status = answer.status;
    const raw = answer.raw ?? Buffer.from(JSON.stringify(answer.body));
    res.writeHead(answer.status, { 'content-type': answer.mime ?? 'application/json', 'content-length': raw.length });
    res.end(raw);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'XX000', message: err.message, details: null, hint: null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

/** Project keys as Supabase issues them: long-lived JWTs with the role `anon` or `service_role`. */
export async function projectKey(jwtSecret: string, role: 'anon' | 'service_role'): Promise<string> {
  return new SignJWT({ role, iss: 'supabase' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('10y')
    .sign(new TextEncoder().encode(jwtSecret));
}

export const TEST_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

export interface SupabaseTarget {
  /** The adapter under test: supabase-js against the stand-in. */
  db: CrmDb;
  /** The same database reached directly, for setup and for checking what was (not) written. */
  sql: TestDb;
  standIn: StandIn;
  cfg: SupabaseConfig;
  close(): Promise<void>;
}

/** A fresh server database (see freshDb) behind the stand-in, and the Supabase adapter pointed at it. */
export async function freshSupabase({ deals = 1500 } = {}): Promise<SupabaseTarget> {
  const sql = await freshDb('postgres', { deals });
  const [anonKey, serviceRoleKey] = [
    await projectKey(TEST_JWT_SECRET, 'anon'),
    await projectKey(TEST_JWT_SECRET, 'service_role'),
  ];
  const standIn = await startPostgrestStandIn({
    databaseUrl: sql.url!,
    jwtSecret: TEST_JWT_SECRET,
    apiKeys: [anonKey, serviceRoleKey],
  });
  const cfg = { url: standIn.url, anonKey, serviceRoleKey, jwtSecret: TEST_JWT_SECRET };
  const db = openSupabase(cfg);
  return {
    db,
    sql,
    standIn,
    cfg,
    close: async () => {
      await db.close();
      await standIn.close();
      await sql.close();
    },
  };
}
