/**
 * Typo tolerance: words that are one edit (two for long words) away from a keyword the parser relies on
 * are rewritten to that keyword before intent detection and extraction. Names are left alone because
 * only words of five letters or more that are not already known words are considered.
 */

const KEYWORDS = (
  'pipeline forecast forecasted escalate escalated escalation negotiation negotiations proposal prospecting qualification ' +
  'discovery opportunity opportunities contact contacts meeting remind reminder quarter month week weeks months tomorrow today ' +
  'yesterday monday tuesday wednesday thursday friday saturday sunday january february march april august september ' +
  'october november december minutes minute hours deals total revenue region stuck stalled logged called emailed spoke ' +
  'talked voicemail priority urgent invoice outage security breach resolve resolved acknowledge acknowledged reassign ' +
  'assign reopen reopened request requests delete deletion erase erasure forgotten consent withdraw withdrew withdrawn ' +
  'portability machine readable rectify correct restrict processing export access lookup everything create update ' +
  'closing closed count biggest largest weighted tasks plate qualified disqualify convert metrics attainment ' +
  'average pipelines escalations calls meetings schedule followup follow amount stage owner between above below ' +
  'million thousand grand opportunity customer payment charged refund error errors broken crashing crash outage ' +
  'deadline renewal expansion forecasting quota tickets incident contract pricing demo summary severity critical ' +
  'numbers number remove subject sales marketing please thanks morning afternoon evening stale'
).split(' ');

const KNOWN = new Set(KEYWORDS);
// Ordinary words one edit away from a keyword that must not be "corrected".
const ORDINARY =
  'there where these those stock state store later water mouth worth close closes clone dealt mark maria marco hours ' +
  'house forget forgot lower power tower sooner order orders other another taken token spoken spike stale staled owned ' +
  'quote quotes contacted correctly closer rates dealing stages owners amounts totals weekly accept opened thank ' +
  'updated thinks think things owner costs coast reach teach speak spent sends losing loses posing rising ' +
  'changed changes charmed cloning clothing closet caller calmed lodged logger jogged walked balked tanked smoke stoke ' +
  'melting rewind remainder court mount county stake stable scale scaled stick stack struck billion billions trillion ' +
  'terror terrors crush clash trash brash crushing clashing trashing broker brokers outrage beach bleach breath revolve ' +
  'expert experts content contents contend remote scales tales males saves lease leased leases place places placed plane ' +
  'slate fellow hollow crate ideals meals seals cells falls halls walls talks tanks masks concert headline headlines ' +
  'contrast proposed propose proposes prospective discover discovered discovers match matches marsh yours tours pours ' +
  'expansive seeks';
for (const w of ORDINARY.split(' ')) KNOWN.add(w);

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
