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
  for (const t of texts) parseOffline(t, { today: '2026-11-23' }); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const t0 = performance.now();
      parseOffline(t, { today: '2026-11-23' });
      samples.push(performance.now() - t0);
    }
  }
  return {
    utterances: texts.length,
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
  for (const t of turns) readInContext(t.text, { today: t.today }, t.context); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of turns) {
      const t0 = performance.now();
      readInContext(t.text, { today: t.today }, t.context);
      samples.push(performance.now() - t0);
    }
  }
  return {
    utterances: turns.length,
    samples: samples.length,
    medianMs: median(samples),
    p99Ms: percentile(samples, 99),
  };
}
