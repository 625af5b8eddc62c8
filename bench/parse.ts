import { readFileSync, existsSync } from 'node:fs';
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
