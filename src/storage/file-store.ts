import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ReplyFile } from '../core/types.ts';
import type { Requester } from '../db/port.ts';

/** Where exports and charts go: a local folder, or a private Supabase Storage bucket. */
export interface FileStore {
  readonly kind: 'local' | 'supabase';
  /** Stores a file for its owner and returns where they can fetch it: a path, or a signed, expiring link. */
  put(owner: Requester, file: Pick<ReplyFile, 'name' | 'mime' | 'data'>): Promise<string>;
}

/** A unique place per file under the owner's folder: `<user id>/<random>/<name>`, so nothing is overwritten. */
export function objectPath(owner: Requester, name: string): string {
  const safe = name.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') || 'file';
  return `${owner.id}/${randomUUID().slice(0, 8)}/${safe}`;
}

export function localFileStore(dir: string): FileStore {
  return {
    kind: 'local',
    put: async (owner, file) => {
      const path = resolve(join(dir, objectPath(owner, file.name)));
      await mkdir(resolve(path, '..'), { recursive: true });
      await writeFile(path, file.data);
      return path;
    },
  };
}

/** Supabase Storage when Supabase is configured, the local out directory otherwise. */
export async function openFileStore(config: {
  outDir: string;
  supabase?: { url: string; anonKey: string; jwtSecret: string };
}): Promise<FileStore> {
  if (!config.supabase) return localFileStore(config.outDir);
  const { supabaseFileStore } = await import('./supabase-file-store.ts');
  return supabaseFileStore(config.supabase);
}
