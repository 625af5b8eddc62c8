/** npm run eval -- <file.jsonl>: scores the offline parser on labelled cases and lists the misses. */
import { readFileSync } from 'node:fs';
import { evaluate, parseCases, type EvalReport } from '../nlu/evaluate.ts';
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

const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: npm run eval -- <file.jsonl>');
  process.exit(2);
}
print(await evaluate(parseCases(readFileSync(file, 'utf8')), (text, today) => parseOffline(text, { today })));
