import { mintUserJwt, supabaseClient } from '../db/supabase.ts';
import { CrmError } from '../db/port.ts';
import { objectPath, type FileStore } from './file-store.ts';

/** The private bucket of supabase/migrations/20261101001400_supabase_storage.sql. */
export const FILES_BUCKET = 'crm-files';

/**
 * Files in a private Supabase Storage bucket, uploaded as their owner (a token minted for them, the
 * anon key as apikey: the bucket's policies let each user write and sign only in their own folder)
 * and handed out as signed links that expire.
 */
export function supabaseFileStore(
  cfg: { url: string; anonKey: string; jwtSecret: string },
  { bucket = FILES_BUCKET, linkTtlSeconds = 3600 } = {},
): FileStore {
  return {
    kind: 'supabase',
    put: async (owner, file) => {
      const files = supabaseClient(cfg.url, cfg.anonKey, await mintUserJwt(cfg.jwtSecret, owner)).storage.from(bucket);
      const path = objectPath(owner, file.name);
      const uploaded = await files.upload(path, file.data, { contentType: file.mime, upsert: false });
      if (uploaded.error) throw unavailable(uploaded.error.message);
      const signed = await files.createSignedUrl(path, linkTtlSeconds);
      if (signed.error) throw unavailable(signed.error.message);
      return signed.data.signedUrl;
    },
  };
}

const unavailable = (why: string) =>
  new CrmError(
    `The file could not be stored (${why}), so no link was made. Please try again in a moment.`,
    'unavailable',
  );
