import { createInterface } from 'node:readline';
import type { Assistant } from '../core/assistant.ts';
import { createChannelKit, memoryStore } from '../core/channel-kit.ts';
import type { Reply } from '../core/types.ts';
import type { CrmDb, Requester } from '../db/port.ts';
import { replyAsText } from '../format/text.ts';
import type { Notifier } from '../jobs/notifier.ts';
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

/** "Marta Schulz (manager, Growth West)" */
const describe = (u: Requester) => `${u.name} (${u.role.replace('_', ' ')}${u.team ? `, ${u.team}` : ''})`;

/** The terminal channel: one line in, one reply out; the round trips (yes / no, which one?) are the channel kit's. */
export async function runRepl({
  assistant,
  db,
  user: initial,
  input,
  output,
  files,
  prompt = false,
}: ReplOptions): Promise<void> {
  let user = initial;
  let counter = 0;
  // One conversation per terminal session: what was left unconfirmed when it ended is not continued by the next one.
  const kit = createChannelKit({ assistant, db, store: memoryStore() });
  const session = `${process.pid}-${Date.now()}`;
  const say = (s: string) => output.write(`${s}\n`);
  const ask = () => prompt && output.write(`${user.name.split(' ')[0]}> `);
  let waiting = false;

  const show = async (reply: Reply) => {
    for (const f of reply.files ?? []) f.path = await files.put(user, f);
    waiting = Boolean(reply.confirm) || (waiting && reply.kind === 'question' && !reply.choices);
    say(replyAsText(reply));
    if (reply.choices)
      say(`${reply.choices.map((c, i) => `  ${i + 1}) ${c.label}`).join('\n')}\n(Type a number or the name.)`);
  };

  say(`CRM assistant — you are ${describe(user)}. Type "help", "/as <name>" to switch user, "/quit" to leave.`);
  ask();
  const lines = createInterface({ input, terminal: false });
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '/quit' || line === '/exit') break;
    if (line.startsWith('/as ')) {
      const name = line.slice(4).trim();
      const found = await db.serviceRpc('users_named', { name }).catch((err: Error) => err);
      const exact = Array.isArray(found) ? found.filter((u) => u.name.toLowerCase() === name.toLowerCase()) : [];
      const chosen = exact.length === 1 ? exact[0] : Array.isArray(found) && found.length === 1 ? found[0] : undefined;
      if (!Array.isArray(found)) say(found.message);
      else if (chosen) {
        user = chosen;
        waiting = false;
        say(`You are now ${describe(user)}.`);
      } else if (found.length) say(`Which one? ${found.map(describe).join(', ')}.`);
      else say(`No CRM user called "${name}".`);
    } else if (line) {
      const progress = (text: string) => say(`  … ${text}`);
      await show(
        await kit.say(
          { kind: 'member', user },
          { requestId: `repl:${session}:${++counter}`, channel: 'repl', progress },
          line,
        ),
      );
    }
    ask();
  }
  if (waiting) say('(The unconfirmed request was not written.)');
}

/** In the terminal, proactive messages (reminders, case notices) are printed, addressed by name. */
export function consoleNotifier(db: CrmDb, output: NodeJS.WritableStream): Notifier {
  const print = (to: string, reply: Reply) => {
    output.write(`\n🔔 ${to}: ${replyAsText(reply)}\n`);
    return true;
  };
  return {
    async toUser(userId, reply) {
      const user = await db.serviceRpc('user_for_channel', { id: userId });
      return print(user?.name ?? 'someone', reply);
    },
    toChannel: async (channel, reply) => print(`#${channel}`, reply),
  };
}
