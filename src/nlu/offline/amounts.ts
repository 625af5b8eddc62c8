/** Money amounts ("50k", "$1.2M", "100 grand", "1,200,000") and amount filters ("over 50k", "between 10k and 25k"). */

export interface AmountHit {
  value: number;
  start: number;
  end: number;
  /** Written with a sign ("-5k", "+20k"): a change, or a negative amount to ask about. */
  sign?: 1 | -1;
}
export interface AmountFilter {
  min?: number;
  max?: number;
  start: number;
  end: number;
}

const UNIT: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  grand: 1e3,
  m: 1e6,
  mm: 1e6,
  mil: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  lakh: 1e5,
  lakhs: 1e5,
  lac: 1e5,
  crore: 1e7,
  crores: 1e7,
};
// "45 000 euro": digits grouped by spaces are one number only when a currency follows.
const AMOUNT =
  /(?<![\w.#])([$€£]\s?)?(\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+(?=\s?(?:eur|euros?|usd|dollars?|gbp|pounds?|bucks)\b)|\d+(?:\.\d+)?)\s?(k|thousand|grand|mm|mil|million|m|bn|billion|b|lakhs?|lac|crores?)?(?:\s?(eur|euros?|usd|dollars?|gbp|pounds?|bucks)\b)?(?![\w@/-])/gi;
const NOT_MONEY_AFTER =
  /^\s*(?:days?|weeks?|months?|years?|hours?|hrs?|mins?|minutes?|deals?|opps?|opportunities|%|percent|st|nd|rd|th|people|users|seats)\b/i;

const SPOKEN = /\b(half|quarter)\s+(?:a\s+|of\s+a\s+)?(mil|million|mm|m)\b|\ba\s+(mil|million)\b/gi;

/** Every amount in the text: a number with a currency sign, a unit (k, M, grand) or thousands separators, or >= 1000. */
export function findAmounts(text: string): AmountHit[] {
  const hits: AmountHit[] = [];
  SPOKEN.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = SPOKEN.exec(text)); ) {
    const share = m[1] ? (m[1].toLowerCase() === 'half' ? 0.5 : 0.25) : 1;
    hits.push({ value: share * 1e6, start: m.index, end: m.index + m[0].length });
  }
  AMOUNT.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = AMOUNT.exec(text))) {
    const [all, currency, digits, unit, currencyWord] = m;
    let value = Number(digits.replace(/[, ]/g, ''));
    const end = m.index + all.length;
    if (unit) value *= UNIT[unit.toLowerCase()];
    else if (!currency && !currencyWord && !/[, ]/.test(digits) && (value < 1000 || /^(19|20)\d\d$/.test(digits)))
      continue;
    if (!unit && NOT_MONEY_AFTER.test(text.slice(end))) continue;
    const signed = /(?:^|[\s(:=])([+-])$/.exec(text.slice(Math.max(0, m.index - 2), m.index));
    const start = signed ? m.index - 1 : m.index;
    if (Number.isFinite(value) && value <= 1e12)
      hits.push({
        value: Math.round(value * 100) / 100,
        start,
        end,
        ...(signed ? { sign: signed[1] === '-' ? -1 : 1 } : {}),
      });
  }
  return hits.sort((a, b) => a.start - b.start);
}

const MIN_WORDS =
  /\b(?:over|above|more than|greater than|bigger than|larger than|at least|minimum(?: of)?|min|exceeding|north of|upwards of)\s*$|>=?\s*$/i;
const MAX_WORDS =
  /\b(?:under|below|less than|smaller than|at most|up to|maximum(?: of)?|max|south of|no more than)\s*$|<=?\s*$/i;
const RANGE_START = /\b(?:between|from)\s*$/i;
const RANGE_JOIN = /^\s*(?:and|to|-|–)\s*$/i;

/** Reads min/max filters; a bare amount is not a filter. Unit-less lower bounds borrow the upper bound's unit ("10-25k"). */
export function findAmountFilter(text: string, hits = findAmounts(text)): AmountFilter | undefined {
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i];
    const before = text.slice(Math.max(0, h.start - 25), h.start);
    const next = hits[i + 1];
    if (next && RANGE_JOIN.test(text.slice(h.end, next.start))) {
      return {
        min: Math.min(h.value, next.value),
        max: Math.max(h.value, next.value),
        start: h.start - (RANGE_START.exec(before)?.[0].length ?? 0),
        end: next.end,
      };
    }
    const low = RANGE_LOW.exec(text.slice(Math.max(0, h.start - 40), h.start));
    if (low) {
      const unitless = Number(low[2]);
      const scale = h.value >= 1e6 ? 1e6 : h.value >= 1e3 ? 1e3 : 1;
      return { min: unitless * scale, max: h.value, start: h.start - low[0].length, end: h.end };
    }
    const after = text.slice(h.end, h.end + 15);
    if (MIN_WORDS.test(before) || /^\s*(?:\+|or more|and up|plus)/i.test(after))
      return { min: h.value, start: h.start - (MIN_WORDS.exec(before)?.[0].length ?? 0), end: h.end };
    if (MAX_WORDS.test(before) || /^\s*(?:or less|and under|or below)/i.test(after))
      return { max: h.value, start: h.start - (MAX_WORDS.exec(before)?.[0].length ?? 0), end: h.end };
  }
  return undefined;
}
const RANGE_LOW = /(\bbetween\s+|\bfrom\s+)?\$?(\d+(?:\.\d+)?)\s*(?:and|to|-|–)\s*$/i;
