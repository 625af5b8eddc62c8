import { createInterface } from 'node:readline';
import type { Assistant } from '../core/assistant.ts';
import type { Reply } from '../core/types.ts';
import type { CrmDb, Requester } from '../db/port.ts';
import { replyAsText } from '../format/text.ts';
import type { Notifier } from '../notify.ts';
import type { FileStore } from '../storage/file-store.ts';

export interface ReplOptions {
  assistant: Assistant;
  db: CrmDb;
  user: Requester;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Where charts and exports go (the out folder, or Supabase Storage with a signed link). */
  files: FileStore;
  prompt?: boolean;
}

const YES = /^(y|yes|yep|yeah|yup|sure|ok|okay|confirm|confirmed|go ahead|do it|save it|correct)$/;
const NO = /^(n|no|nope|nah|cancel|stop|don'?t|never ?mind|abort)$/;
/** "Yes please!", "ok." -> "yes" / "ok": the answer without politeness and punctuation. */
const answerOf = (line: string) => line.toLowerCase().replace(/[!.,\s]+$/g, '').replace(/[\s,]+(please|thanks|thank you)$/, '').trim();

/** The terminal channel: one line in, one reply out; writes wait for `yes`. */
export async function runRepl({ assistant, db, user: initial, input, output, files, prompt = false }: ReplOptions): Promise<void> {
  let user = initial;
  let pending: string | undefined;
  let counter = 0;
  const session = `${process.pid}-${Date.now()}`;
  const say = (s: string) => output.write(s + '\n');
  const ask = () => prompt && output.write(`${user.name.split(' ')[0]}> `);

  const show = async (reply: Reply) => {
    for (const f of reply.files ?? []) f.path = await files.put(user, f);
    pending = reply.confirm?.pendingId;
    say(replyAsText(reply));
  };

  say(`CRM assistant — you are ${user.name} (${user.role.replace('_', ' ')}${user.team ? `, ${user.team}` : ''}). Type "help", "/as <name>" to switch user, "/quit" to leave.`);
  ask();
  const lines = createInterface({ input, terminal: false });
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '/quit' || line === '/exit') break;
    if (line.startsWith('/as ')) {
      const found = await db.serviceRpc<Requester | null>('user_for_channel', { name: line.slice(4).trim() });
      if (found) {
        user = found;
        say(`You are now ${user.name} (${user.role.replace('_', ' ')}${user.team ? `, ${user.team}` : ''}).`);
      } else say(`No CRM user called "${line.slice(4).trim()}".`);
    } else if (YES.test(answerOf(line)) || NO.test(answerOf(line))) {
      const id = pending;
      pending = undefined;
      if (!id) say('Nothing is waiting for your confirmation.');
      else await show(await assistant.confirm(id, user, YES.test(answerOf(line)), (text) => say(`  … ${text}`)));
    } else if (line) {
      if (pending) {
        await assistant.confirm(pending, user, false);
        say('(Your earlier request was not confirmed, so it was not written.)');
      }
      await show(await assistant.handle({ requestId: `repl:${session}:${++counter}`, channel: 'repl', text: line, user }));
    }
    ask();
  }
  if (pending) say('(The unconfirmed request was not written.)');
}

/** In the terminal, proactive messages (reminders, case notices) are printed, addressed by name. */
export function consoleNotifier(db: CrmDb, output: NodeJS.WritableStream): Notifier {
  const print = (to: string, reply: Reply) => {
    output.write(`\n🔔 ${to}: ${replyAsText(reply)}\n`);
    return true;
  };
  return {
    async toUser(userId, reply) {
      const user = await db.serviceRpc<Requester | null>('user_for_channel', { id: userId });
      return print(user?.name ?? 'someone', reply);
    },
    toChannel: async (channel, reply) => print(`#${channel}`, reply),
  };
}
