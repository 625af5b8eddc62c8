/** npm run --silent parse -- [--today YYYY-MM-DD] [--json] "<text>": prints the canonical action for the text. */
import { parseOffline } from '../nlu/offline/index.ts';

const args = process.argv.slice(2);
let today = new Date().toISOString().slice(0, 10);
let json = false;
const words: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') json = true;
  else if (args[i] === '--today') today = args[++i] ?? today;
  else if (args[i].startsWith('--today=')) today = args[i].slice('--today='.length);
  else words.push(args[i]);
}

const { type, ...fields } = parseOffline(words.join(' '), { today });
const action = { type, ...fields };
process.stdout.write(json ? `${JSON.stringify(action)}\n` : `${JSON.stringify(action, null, 2)}\n`);
