import { log } from '../../core/log.ts';
import type { Reply } from '../../core/types.ts';
import type { Requester } from '../../db/port.ts';
import type { FileStore } from '../../storage/file-store.ts';
import { fitsInline } from './cards.ts';

/**
 * Teams drops messages over ~28 KB, so a chart or export that does not fit in the card is stored
 * for its owner and shown by a signed https link Teams can fetch. Only a remote store gives such
 * links; without one the card says the file is too large.
 */
export async function linkLargeFiles(reply: Reply, owner: Requester, store?: FileStore): Promise<Reply> {
  if (store?.kind !== 'supabase' || !reply.files?.some((f) => !fitsInline(f))) return reply;
  const files = await Promise.all(
    reply.files.map(async (f) => {
      if (fitsInline(f)) return f;
      try {
        return { ...f, path: await store.put(owner, f) };
      } catch (err) {
        log.warn('could not store a file', { component: 'teams', file: f.name, error: (err as Error).message });
        return f;
      }
    }),
  );
  return { ...reply, files };
}
