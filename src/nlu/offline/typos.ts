import { LEXICON } from '../lexicon.ts';

/**
 * Typo tolerance: words that are one edit (two for long words) away from a keyword the parser relies on
 * are rewritten to that keyword before intent detection and extraction. Names are left alone because
 * only words of five letters or more that are not already known words are considered.
 */

const KEYWORDS = LEXICON.typoKeywords;

const KNOWN = new Set([...KEYWORDS, ...LEXICON.typoOrdinary]);

const cache = new Map<string, string>();

function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}

function correctWord(word: string): string {
  const low = word.toLowerCase();
  if (low.length < 5 || KNOWN.has(low) || KNOWN.has(`${low}s`) || KNOWN.has(low.replace(/(?:s|ed|d)$/, '')))
    return word;
  const hit = cache.get(low);
  if (hit !== undefined) return hit || word;
  const max = low.length >= 8 ? 2 : 1;
  let best = '';
  let bestD = max + 1;
  for (const k of KEYWORDS) {
    const d = distance(low, k, max);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  if (cache.size > 5000) cache.clear();
  cache.set(low, best);
  return best || word;
}

/** Rewrites misspelt keywords ("pipline", "forcast", "escalte") to their correct spelling. */
export function fixTypos(s: string): string {
  return s.replace(/(?<![\w@.'-])[A-Za-z]{5,}(?![\w@'])/g, (word, offset: number) =>
    // A capitalised word inside a sentence is a name ("call with Tom Marsh"), not a misspelt keyword.
    /^[A-Z][a-z]/.test(word) && !/(?:^|[.!?:]\s*)$/.test(s.slice(0, offset).trimEnd()) ? word : correctWord(word),
  );
}
