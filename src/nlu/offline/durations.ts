/** Call/meeting durations in minutes: "20 min", "half an hour", "1h15", "an hour and a half", "45 minutes". */
import { NUMBER_SRC, toNumber } from './numbers.ts';

export interface DurationHit {
  minutes: number;
  start: number;
  end: number;
}

const PREP = String.raw`(?:(?:for|about|around|roughly|approx\.?|lasting|of)\s+)?`;
const RULES: { re: RegExp; minutes: (m: RegExpExecArray) => number | undefined }[] = [
  {
    re: new RegExp(
      String.raw`\b${PREP}(?:an?|one)\s+hours?\s+and\s+a\s+half\b|\b${PREP}(?:one\s+and\s+a\s+half|1\.5)\s+hours?\b|\b${PREP}90\s*mins?\b`,
      'i',
    ),
    minutes: () => 90,
  },
  { re: new RegExp(String.raw`\b${PREP}(?:a\s+)?half\s*(?:an\s+|a\s+)?-?\s*hour\b`, 'i'), minutes: () => 30 },
  { re: new RegExp(String.raw`\b${PREP}(?:a\s+)?quarter\s+(?:of\s+)?(?:an\s+)?hour\b`, 'i'), minutes: () => 15 },
  {
    re: new RegExp(String.raw`\b${PREP}(\d+)\s*h(?:rs?|ours?)?\s*(?:and\s+)?(\d+)\s*(?:m|mins?|minutes?)?\b`, 'i'),
    minutes: (m) => Number(m[1]) * 60 + Number(m[2]),
  },
  {
    re: new RegExp(String.raw`\b${PREP}(${NUMBER_SRC})\s*-?\s*(?:h|hrs?|hours?)\b`, 'i'),
    minutes: (m) => {
      const n = toNumber(m[1]);
      return n === undefined ? undefined : Math.round(n * 60);
    },
  },
  {
    re: new RegExp(String.raw`\b${PREP}(${NUMBER_SRC})\s*-?\s*(?:m|mins?|minutes?)\b`, 'i'),
    minutes: (m) => toNumber(m[1]),
  },
];

/** The first duration in the text and its span (a leading "for" included); the caller judges whether it is plausible. */
export function findDuration(text: string): DurationHit | undefined {
  let best: DurationHit | undefined;
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (!m || (best && m.index >= best.start)) continue;
    const minutes = rule.minutes(m);
    if (minutes && minutes >= 1 && Number.isFinite(minutes))
      best = { minutes: Math.round(minutes), start: m.index, end: m.index + m[0].length };
  }
  return best;
}
