import { createInterface } from 'node:readline';
import type { Assistant } from '../core/assistant.ts';
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

const YES = /^(y|yes|yep|yeah|yup|sure|ok|okay|confirm|confirmed|go ahead|do it|save it|correct)$/;
const NO = /^(n|no|nope|nah|cancel|stop|don'?t|never ?mind|abort)$/;
/** "Yes please!", "yes, go ahead", "sure thing" -> "yes" / "sure": the first word of a short answer. */
const answerOf = (line: string) => {
  const words = line.toLowerCase().replace(/[!.,]+/g, ' ').trim().split(/\s+/);
  if (words.length > 4) return line.toLowerCase();
  return /^(go|do|save|never)$/.test(words[0]) ? words.slice(0, 2).join(' ') : words[0];
};

/** The terminal channel: one line in, one reply out; writes wait for `yes`. */
export async function runRepl({ assistant, db, user: initial, input, output, files, prompt = false }: ReplOptions): Promise<void> {
  let user = initial;
  let pending: string | undefined;
  let counter = 0;
  const session = `${process.pid}-${Date.now()}`;
  const say = (s: string) => output.write(s + '\n');
  const ask = () => prompt && output.write(`${user.name.split(' ')[0]}> `);

  let choices: Reply['choices'];
  const show = async (reply: Reply) => {
    for (const f of reply.files ?? []) f.path = await files.put(user, f);
    pending = reply.confirm?.pendingId;
    choices = reply.choices;
    say(replyAsText(reply));
    if (choices) say(choices.map((c, i) => `  ${i + 1}) ${c.label}`).join('\n') + '\n(Type a number or the name.)');
  };
  /** "2", or the name of one of the offered records. */
  const chosen = (line: string) =>
    choices?.[Number(line) - 1] ?? choices?.find((c) => c.label.toLowerCase().startsWith(line.toLowerCase()) && line.length > 2);

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
        say(`You are now ${describe(user)}.`);
      } else if (found.length) say(`Which one? ${found.map(describe).join(', ')}.`);
      else say(`No CRM user called "${name}".`);
    } else if (YES.test(answerOf(line)) || NO.test(answerOf(line))) {
      const id = pending;
      pending = undefined;
      if (!id) say('Nothing is waiting for your confirmation.');
      else await show(await assistant.confirm(id, user, YES.test(answerOf(line)), (text) => say(`  … ${text}`)));
    } else if (line && chosen(line)) {
      await show(await assistant.run(chosen(line)!.action, { requestId: `repl:${session}:${++counter}`, channel: 'repl', user }));
    } else if (line) {
      const earlier = pending;
      const reply = await assistant.handle({ requestId: `repl:${session}:${++counter}`, channel: 'repl', text: line, user });
      if (earlier && reply.kind === 'question' && !reply.choices) {
        // Not understood: the write waiting for a yes or no stays waiting.
        say(`${reply.text}\n(Your earlier request is still waiting: yes or no?)`);
      } else {
        if (earlier) {
          await assistant.confirm(earlier, user, false);
          say('(Your earlier request was not confirmed, so it was not written.)');
        }
        await show(reply);
      }
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
      const user = await db.serviceRpc('user_for_channel', { id: userId });
      return print(user?.name ?? 'someone', reply);
    },
    toChannel: async (channel, reply) => print(`#${channel}`, reply),
  };
}
