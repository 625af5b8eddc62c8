/**
 * Conversations with the assistant on a fresh in-memory demo CRM, through the same core and channel kit as every
 * channel (`npm run converse`, `npm run eval -- --dialogue`): each message gives how it was read, in the contract's
 * form (the canonical action before names were matched to records, confirm / cancel, or the question asked back),
 * and the reply.
 */
import { createAssistant } from '../core/assistant.ts';
import { createChannelKit, memoryStore } from '../core/channel-kit.ts';
import type { Reply } from '../core/types.ts';
import type { CrmDb } from '../db/port.ts';
import { migrate } from '../db/migrate.ts';
import { seedIfEmpty } from '../db/open.ts';
import { openPglite } from '../db/pglite.ts';
import { replyAsText } from '../format/text.ts';
import { offlineParser } from '../nlu/offline-parser.ts';
import { DEMO_USERS } from './generate.ts';

export interface Said {
  read: Record<string, unknown>;
  reply: string;
}

/** How a message was read, in the contract's form (a yes or no reads as confirm or cancel). */
function readAs(reply: Reply): Record<string, unknown> {
  if (!reply.read) return { type: 'clarify', question: reply.text };
  const { type, ...fields } = reply.read;
  return type === 'clarify' ? { type, question: reply.text } : { type, ...fields };
}

/** A small demo CRM (the named demo people and accounts, a few hundred deals), seeded for `today`. */
export async function openDemo(today: string) {
  const db = await openPglite();
  await migrate(db);
  await seedIfEmpty(db, 300, today);
  return { ...conversations(db), close: () => db.close() };
}

/** Conversations on a CRM database, each with its own state, so that the same user's next one starts afresh. */
export function conversations(db: CrmDb) {
  let count = 0;
  return {
    /** A new conversation of one user (a demo user by default) on `day`, in a direct message. */
    async converse(userName: string = DEMO_USERS.rep, day?: string) {
      const user = await db.serviceRpc('user_for_channel', { name: userName });
      if (!user) throw new Error(`no CRM user called "${userName}"`);
      const now = () => (day ? new Date(`${day}T12:00:00Z`) : new Date());
      const assistant = createAssistant({ db, parser: offlineParser, now, charts: false });
      const kit = createChannelKit({ assistant, db, store: memoryStore() });
      const id = ++count;
      let n = 0;
      return async (text: string): Promise<Said> => {
        const turn = { requestId: `converse:${id}:${++n}`, channel: 'repl' as const };
        const reply = await kit.say({ kind: 'member', user }, turn, text);
        return { read: readAs(reply), reply: replyAsText(reply) };
      };
    },
  };
}
