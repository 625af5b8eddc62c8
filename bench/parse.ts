import { readFileSync, existsSync } from 'node:fs';
import { specOf, type Action } from '../src/actions/index.ts';
import type { DialogueContext } from '../src/nlu/dialogue.ts';
import { readInContext } from '../src/nlu/offline/dialogue.ts';
import { parseOffline } from '../src/nlu/offline/index.ts';
import { SKILLS } from '../skills/index.ts';
import { median, percentile } from './stats.ts';

/** Offline parse latency per utterance over the skills' examples and the shared dev set. */
export function benchParse(rounds: number) {
  const dev = new URL('../../shared/eval/nlu-dev.jsonl', import.meta.url);
  const texts = [
    ...SKILLS.flatMap((s) => s.examples.map((e) => e.text)),
    ...(existsSync(dev)
      ? readFileSync(dev, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).text as string)
      : []),
  ];
  return timed(texts, (t) => parseOffline(t, { today: '2026-11-23' }), rounds);
}

/** Each item run once to warm up, then `rounds` times, timed one by one. */
function timed<T>(items: T[], run: (item: T) => unknown, rounds: number) {
  for (const item of items) run(item);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const item of items) {
      const t0 = performance.now();
      run(item);
      samples.push(performance.now() - t0);
    }
  }
  return {
    utterances: items.length,
    samples: samples.length,
    medianMs: median(samples),
    p99Ms: percentile(samples, 99),
  };
}

/**
 * The same, for messages read as the next turn of a conversation (the dialogue sets' turns, each with the previous
 * turn's expected action as the pending write or the last question): every path of the dialogue reader.
 */
export function benchParseInContext(rounds: number) {
  const turns: { text: string; today: string; context: DialogueContext }[] = [];
  for (const file of ['dialogue-dev.jsonl', 'dialogue-blind-1.jsonl']) {
    const lines = readFileSync(new URL(`../test/fixtures/${file}`, import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean);
    for (const line of lines) {
      const d = JSON.parse(line) as { today: string; turns: { text: string; expected: Action }[] };
      d.turns.forEach((t, i) => {
        const before = d.turns[i - 1]?.expected;
        if (!before || !specOf(before.type)) return;
        const context = specOf(before.type)!.writes ? { pending: before } : { last: before };
        turns.push({ text: t.text, today: d.today, context });
      });
    }
  }
  return timed(turns, (t) => readInContext(t.text, { today: t.today }, t.context), rounds);
}
