/**
 * npm run eval -- <file.jsonl>: scores the offline parser on labelled cases and lists the misses.
 * npm run eval -- --dialogue <file.jsonl>: scores conversations run through the assistant on a demo CRM.
 */
import { readFileSync } from 'node:fs';
import { openDemo } from '../demo/conversation.ts';
import {
  type Dialogue,
  evaluate,
  evaluateDialogues,
  parseCases,
  type EvalReport,
  wrongFields,
} from '../nlu/evaluate.ts';
import { parseOffline } from '../nlu/offline/index.ts';

const pct = (r: { correct: number; total: number; rate: number }) =>
  `${(r.rate * 100).toFixed(1)}% (${r.correct}/${r.total})`;

function print(report: EvalReport): void {
  console.log('per type:');
  for (const [type, s] of Object.entries(report.perType).sort()) {
    console.log(
      `  ${type.padEnd(22)} precision ${(s.precision * 100).toFixed(1).padStart(5)}%  recall ${(s.recall * 100).toFixed(1).padStart(5)}%  (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`,
    );
  }
  console.log(`type accuracy: ${pct(report.typeAccuracy)}`);
  console.log(`field accuracy: ${pct(report.fieldAccuracy)}`);
  console.log(`misses: ${report.misses.length}`);
  for (const m of report.misses) {
    console.log(
      `- ${m.text}\n    expected: ${JSON.stringify(m.expected)}\n    got:      ${JSON.stringify(m.got)}\n    wrong:    ${m.wrongFields.join(', ') || 'type'}`,
    );
  }
}

async function dialogues(file: string): Promise<void> {
  const all = parseCases(readFileSync(file, 'utf8')) as unknown as Dialogue[];
  const demo = await openDemo(all[0]?.today ?? new Date().toISOString().slice(0, 10));
  const report = await evaluateDialogues(all, async (d) => {
    const say = await demo.converse(d.user, d.today);
    return async (text) => (await say(text)).read;
  });
  await demo.close();
  console.log(`turns: ${pct(report.turns)}`);
  console.log(`conversations: ${pct(report.conversations)}`);
  for (const m of report.misses) {
    console.log(`- ${m.dialogue.user}: ${m.dialogue.note ?? ''}`);
    m.dialogue.turns.forEach((t, i) => {
      const g = m.got[i] as Record<string, unknown>;
      const right = g?.type === t.expected.type && !wrongFields(t.expected, g).length;
      console.log(
        `  ${right ? ' ' : '✗'} ${t.text}\n      expected: ${JSON.stringify(t.expected)}\n      got:      ${JSON.stringify(g)}`,
      );
    });
  }
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: npm run eval -- [--dialogue] <file.jsonl>');
  process.exit(2);
}
if (args.includes('--dialogue')) await dialogues(file);
else print(await evaluate(parseCases(readFileSync(file, 'utf8')), (text, today) => parseOffline(text, { today })));
