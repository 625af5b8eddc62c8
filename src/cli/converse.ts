/**
 * npm run --silent converse -- [--today YYYY-MM-DD] [--as "Full Name"] [--json]: the messages on standard input,
 * one a line, as one conversation of one user in a direct message, on a fresh in-memory demo CRM seeded for that
 * day. Per message, one line: how it was read (the contract's form) with the reply as text.
 */
import { createInterface } from 'node:readline';
import { openDemo } from '../demo/conversation.ts';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  return i < 0 ? undefined : args[i].includes('=') ? args[i].slice(name.length + 1) : args[i + 1];
};
const today = option('--today') ?? new Date().toISOString().slice(0, 10);
const json = args.includes('--json');

const demo = await openDemo(today);
const say = await demo.converse(option('--as'), today);
for await (const line of createInterface({ input: process.stdin, terminal: false })) {
  if (!line.trim()) continue;
  const { read, reply } = await say(line.trim());
  const out = { ...read, reply };
  process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
}
await demo.close();
