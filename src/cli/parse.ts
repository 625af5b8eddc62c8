/**
 * npm run --silent parse -- [--today YYYY-MM-DD] [--json] [--explain] "<text>": the canonical action for the text.
 * With --explain: the cleaned text, every intent rule that fired, why the winner won, the spans found (and which
 * ones the extractor took), then the action.
 */
import { why } from '../nlu/intents.ts';
import { trace } from '../nlu/offline/index.ts';

const args = process.argv.slice(2);
let today = new Date().toISOString().slice(0, 10);
let json = false;
let explain = false;
const words: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') json = true;
  else if (args[i] === '--explain') explain = true;
  else if (args[i] === '--today') today = args[++i] ?? today;
  else if (args[i].startsWith('--today=')) today = args[i].slice('--today='.length);
  else words.push(args[i]);
}

const t = trace(words.join(' '), { today });
const { type, ...fields } = t.action;
const action = { type, ...fields };
if (explain) {
  const out = [`text:    ${t.clean}`, 'rules that fired (winner first):'];
  for (const f of t.decision.fired)
    out.push(
      `  ${f.rule.priority}  ${f.rule.action.padEnd(20)} ${f.rule.name}${f.evidence ? `  "${f.evidence}"` : ''}`,
    );
  if (!t.decision.fired.length) out.push('  none');
  out.push(`winner:  ${why(t.decision)}`, 'spans:');
  for (const s of t.spans.all) {
    const { start, end, text, confidence, kind, ...value } = s;
    out.push(
      `  ${t.spans.taken.has(s) ? 'taken' : '     '}  ${kind.padEnd(8)} "${text}" ${JSON.stringify(value)} (${confidence})`,
    );
  }
  if (!t.spans.all.length) out.push('  none');
  out.push('action:');
  process.stdout.write(`${out.join('\n')}\n`);
}
process.stdout.write(json ? `${JSON.stringify(action)}\n` : `${JSON.stringify(action, null, 2)}\n`);
