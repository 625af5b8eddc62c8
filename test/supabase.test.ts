import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../src/db/migrate.ts';
import { CrmError, type Requester } from '../src/db/port.ts';
import { mintUserJwt, openSupabase, supabaseClient } from '../src/db/supabase.ts';
import { openFileStore } from '../src/storage/file-store.ts';
import { FILES_BUCKET, supabaseFileStore } from '../src/storage/supabase-file-store.ts';
import { userNamed } from './support/db.ts';
import {
  freshSupabase,
  startPostgrestStandIn,
  TEST_JWT_SECRET,
  type SupabaseTarget,
} from './support/postgrest-standin.ts';

/** The Supabase-only guarantees: transport security of the adapter, the stand-in's checks, Storage. */
describe.skipIf(!process.env.TEST_DATABASE_URL)('supabase-js through the PostgREST stand-in', () => {
  let s: SupabaseTarget;
  let alex: Requester;
  let marco: Requester;
  beforeAll(async () => {
    s = await freshSupabase({ deals: 300 });
    alex = await userNamed(s.sql, 'Alex Morgan');
    marco = await userNamed(s.sql, 'Marco Rossi');
  });
  afterAll(() => s?.close());
  const count = async (from: string) =>
    (await s.sql.query<{ n: number }>(`select count(*)::int as n from ${from}`))[0].n;
  const since = (mark: number) => s.standIn.requests.slice(mark);
  const caught = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => e,
    );

  it("a user's request carries the anon key and a 5-minute token for that user, never the service key", async () => {
    const mark = s.standIn.requests.length;
    await s.db.rpc(alex, 'whoami');
    await s.db.rpc(marco, 'find_entities', { kind: 'account', q: 'Acme' });
    await s.db.rpc(alex, 'pending_put', {
      request_id: 'sb-headers',
      channel: 'slack',
      action: { type: 'help' },
      preview: 'x',
    });
    await s.db.serviceRpc('user_for_channel', { name: 'Alex' });

    const requests = since(mark);
    expect(requests.map((r) => [r.path, r.status, r.role])).toEqual([
      ['/rest/v1/rpc/whoami', 200, 'authenticated'],
      ['/rest/v1/rpc/find_entities', 200, 'authenticated'],
      ['/rest/v1/rpc/pending_put', 200, 'authenticated'],
      ['/rest/v1/rpc/user_for_channel', 200, 'service_role'],
    ]);
    const users = requests.filter((r) => r.role === 'authenticated');
    for (const r of users) {
      expect(r.headers.apikey).toBe(s.cfg.anonKey);
      expect(Object.values(r.headers).some((v) => v.includes(s.cfg.serviceRoleKey))).toBe(false);
    }
    const claims = users.map((r) => decodeJwt(r.headers.authorization.replace(/^Bearer /, '')));
    expect(claims.map((c) => [c.sub, c.role, c.crm_role, c.team])).toEqual([
      [alex.id, 'authenticated', 'rep', 'Growth West'],
      [marco.id, 'authenticated', 'rep', 'Enterprise EMEA'],
      [alex.id, 'authenticated', 'rep', 'Growth West'],
    ]);
    expect(claims.map((c) => c.exp! - c.iat!)).toEqual([300, 300, 300]);
    expect(requests[3].headers.apikey).toBe(s.cfg.serviceRoleKey);
  });

  it('a token signed with the wrong secret is refused (401) and writes nothing', async () => {
    const forged = openSupabase({ ...s.cfg, jwtSecret: 'not-the-project-secret-but-just-as-long-as-it' });
    const before = await count('public.pending_actions');
    const mark = s.standIn.requests.length;
    const err = await caught(
      forged.rpc(alex, 'pending_put', {
        request_id: 'sb-forged',
        channel: 'slack',
        action: { type: 'help' },
        preview: 'x',
      }),
    );
    await forged.close();
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).code).toBe('internal');
    expect(since(mark).map((r) => [r.status, r.code, r.role])).toEqual([[401, 'PGRST301', undefined]]);
    expect(await count('public.pending_actions')).toBe(before);

    // A token claiming service_role, signed by someone without the secret, gets nowhere either.
    const fake = await new SignJWT({ role: 'service_role' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('guessed-secret-guessed-secret-guessed-secret'));
    const raw = await supabaseClient(s.cfg.url, s.cfg.anonKey, fake).rpc('user_for_channel', {
      args: { name: 'Alex' },
    });
    expect([raw.status, raw.error?.code, raw.data]).toEqual([401, 'PGRST301', null]);
  });

  it('an expired token is refused (401) and writes nothing', async () => {
    // The same database behind a stand-in whose clock runs 10 minutes ahead: the adapter's 5-minute token has expired.
    const later = await startPostgrestStandIn({
      databaseUrl: s.sql.url!,
      jwtSecret: TEST_JWT_SECRET,
      apiKeys: [s.cfg.anonKey, s.cfg.serviceRoleKey],
      now: () => new Date(Date.now() + 10 * 60_000),
    });
    const db = openSupabase({ ...s.cfg, url: later.url });
    const before = await count('public.pending_actions');
    const err = await caught(
      db.rpc(alex, 'pending_put', {
        request_id: 'sb-expired',
        channel: 'slack',
        action: { type: 'help' },
        preview: 'x',
      }),
    );
    expect((err as CrmError).code).toBe('internal');
    expect(later.requests.map((r) => [r.status, r.code])).toEqual([[401, 'PGRST303']]);
    expect(await count('public.pending_actions')).toBe(before);
    // ... while the service key (a long-lived project key) still works there.
    expect(await db.serviceRpc('whoami')).toMatchObject({ uid: null, db_role: 'service_role' });
    await db.close();
    await later.close();
  });

  it('the gateway refuses a request without a project key as apikey, and anon cannot act', async () => {
    const stranger = await supabaseClient(s.cfg.url, 'not-a-project-key').rpc('whoami', { args: {} });
    expect([stranger.status, stranger.error?.message]).toEqual([401, 'Invalid API key']);
    const anon = await supabaseClient(s.cfg.url, s.cfg.anonKey).rpc('perform', {
      args: { request_id: 'sb-anon', action: 'test.x' },
    });
    expect([anon.status, anon.error?.code, anon.error?.message]).toEqual([
      403,
      '28000',
      'no requester: every action runs as a CRM user',
    ]);
  });

  it('stores a file in the bucket as its owner and hands out a signed link that works, then expires', async () => {
    const mark = s.standIn.requests.length;
    const store = supabaseFileStore(s.cfg, { linkTtlSeconds: 600 });
    const data = new TextEncoder().encode('name,email\nDana Reyes,dana@acme.test\n');
    const link = await store.put(alex, { name: 'DR-7 export.csv', mime: 'text/csv', data });

    const m = new RegExp(
      `^${s.cfg.url}/storage/v1/object/sign/${FILES_BUCKET}/${alex.id}/[0-9a-f]{8}/DR-7_export\\.csv\\?token=`,
    ).exec(link);
    expect(m).not.toBeNull();
    const res = await fetch(link);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([
      200,
      'text/csv',
      'name,email\nDana Reyes,dana@acme.test\n',
    ]);
    const exp = decodeJwt(new URL(link).searchParams.get('token')!).exp!;
    expect(exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(590);
    expect(exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(600);

    const storageCalls = since(mark).filter((r) => r.path.startsWith('/storage/v1/object/') && r.method === 'POST');
    expect(storageCalls.map((r) => [r.path.split('/')[4], r.status, r.role])).toEqual([
      [FILES_BUCKET, 200, 'authenticated'],
      ['sign', 200, 'authenticated'],
    ]);
    for (const r of storageCalls) {
      expect(r.headers.apikey).toBe(s.cfg.anonKey);
      expect(decodeJwt(r.headers.authorization.replace(/^Bearer /, '')).sub).toBe(alex.id);
    }

    // Eleven minutes later the same link is refused.
    const later = await startPostgrestStandIn({
      databaseUrl: s.sql.url!,
      jwtSecret: TEST_JWT_SECRET,
      apiKeys: [s.cfg.anonKey],
      now: () => new Date(Date.now() + 11 * 60_000),
    });
    const [key, object] = [...s.standIn.objects.entries()][0];
    later.objects.set(key, object);
    const expired = await fetch(link.replace(s.cfg.url, later.url));
    expect([expired.status, (await expired.json()).message]).toEqual([400, 'jwt expired']);
    await later.close();
  });

  it("a user cannot write into someone else's folder of the bucket", async () => {
    const files = supabaseClient(s.cfg.url, s.cfg.anonKey, await mintUserJwt(s.cfg.jwtSecret, alex)).storage.from(
      FILES_BUCKET,
    );
    const { error } = await files.upload(`${marco.id}/x/planted.csv`, new TextEncoder().encode('x'), {
      contentType: 'text/csv',
    });
    expect(error?.message).toBe('new row violates row-level security policy');
    expect([...s.standIn.objects.keys()].some((k) => k.includes(marco.id))).toBe(false);
  });

  it('the storage migration creates the private bucket and per-user folder policies where Storage exists', async () => {
    // A minimal stand-in for Supabase's storage schema, enough for the migration and its policies.
    await s.sql.exec(`
      create schema storage;
      create table storage.buckets (id text primary key, name text not null, public boolean default false);
      create table storage.objects (id uuid primary key default gen_random_uuid(), bucket_id text references storage.buckets(id), name text not null);
      create function storage.foldername(name text) returns text[] language sql immutable as
        $$ select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$;
      alter table storage.objects enable row level security;
      grant usage on schema storage to authenticated;
      grant select, insert on storage.objects to authenticated;`);
    const migration = readFileSync(join(MIGRATIONS_DIR, '20261101001400_supabase_storage.sql'), 'utf8');
    await s.sql.exec(migration);
    await s.sql.exec(migration);
    expect(await s.sql.query('select id, public from storage.buckets')).toEqual([{ id: FILES_BUCKET, public: false }]);
    expect(
      await s.sql.query(`select policyname, cmd from pg_policies where schemaname = 'storage' order by policyname`),
    ).toEqual([
      { policyname: 'crm_files_insert_own', cmd: 'INSERT' },
      { policyname: 'crm_files_read_own', cmd: 'SELECT' },
    ]);
    const asAlex = (sql: string) =>
      s.sql.transaction(async (tx) => {
        await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
          JSON.stringify({ sub: alex.id, role: 'authenticated' }),
        ]);
        return tx.query(sql);
      });
    await asAlex(`insert into storage.objects (bucket_id, name) values ('crm-files', '${alex.id}/a1/mine.csv')`);
    await expect(
      asAlex(`insert into storage.objects (bucket_id, name) values ('crm-files', '${marco.id}/a1/theirs.csv')`),
    ).rejects.toThrow(/row-level security/);
    await s.sql.exec(`insert into storage.objects (bucket_id, name) values ('crm-files', '${marco.id}/b2/theirs.csv')`);
    expect(await asAlex('select name from storage.objects')).toEqual([{ name: `${alex.id}/a1/mine.csv` }]);
  });
});

describe('file store without Supabase', () => {
  it('writes the file under the owner folder of the out directory and returns its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-files-'));
    try {
      const owner = {
        id: '00000000-0000-4000-8000-000000000001',
        name: 'Alex Morgan',
        email: 'a@x.test',
        role: 'rep',
        team: 'Growth West',
        region: 'West',
      } as const;
      const store = await openFileStore({ outDir: dir });
      expect(store.kind).toBe('local');
      const path = await store.put(owner, {
        name: '../chart.png',
        mime: 'image/png',
        data: new Uint8Array([137, 80, 78, 71]),
      });
      expect(path).toMatch(new RegExp(`^${dir}/${owner.id}/[0-9a-f]{8}/_chart\\.png$`));
      expect([...readFileSync(path)]).toEqual([137, 80, 78, 71]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
