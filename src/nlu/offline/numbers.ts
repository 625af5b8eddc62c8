const WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  'forty-five': 45,
  'forty five': 45,
  fifty: 50,
  sixty: 60,
  ninety: 90,
  hundred: 100,
  couple: 2,
  'a couple of': 2,
  'a couple': 2,
  few: 3,
  'a few': 3,
};

/** Regex source matching a number written in digits or words (for use inside bigger patterns). */
export const NUMBER_SRC = String.raw`(?:\d+(?:\.\d+)?|a couple(?: of)?|a few|forty[- ]five|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|ninety|an?)`;

export function toNumber(raw: string): number | undefined {
  const s = raw.trim().toLowerCase().replace(/,/g, '');
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  return WORDS[s];
}

const SMALL: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALE: Record<string, number> = { hundred: 100, thousand: 1e3, million: 1e6 };
const WORD = `(?:${Object.keys(SMALL).join('|')}|hundred|thousand|million)`;
// A run of number words ("a hundred and twenty thousand", "twenty-five", "one point five million").
const SPOKEN_RUN = new RegExp(
  String.raw`\b(?:an?\s+(?:hundred|thousand|million)|${Object.keys(SMALL).join('|')})(?:(?:[\s-]+(?:and\s+)?|\s+point\s+)${WORD})*\b`,
  'gi',
);
// Units a spoken count or sum is measured in; a number word elsewhere ("the other one") stays a word.
const UNIT_AFTER =
  /^\s*(?:k\b|grand\b|bucks\b|dollars\b|euros?\b|pounds\b|minutes?\b|mins?\b|hours?\b|hrs?\b|days?\b|weeks?\b|months?\b|deals?\b|opps?\b|percent\b)/i;

function spokenValue(run: string): number | undefined {
  const words = run
    .toLowerCase()
    .split(/[\s-]+/)
    .filter((w) => w !== 'and');
  const point = words.indexOf('point');
  if (point >= 0) {
    // "one point five million": only a single-digit decimal then a scale reads unambiguously.
    const [whole, frac, scale] = [SMALL[words[0]], SMALL[words[point + 1]], SCALE[words[point + 2]]];
    if (point !== 1 || words.length !== 4 || whole === undefined || frac === undefined || frac > 9 || !scale)
      return undefined;
    return (whole + frac / 10) * scale;
  }
  let total = 0;
  let group = 0;
  let seen = false;
  for (const w of words) {
    if (w === 'a' || w === 'an') {
      group = 1;
      continue;
    }
    if (SMALL[w] !== undefined) {
      group += SMALL[w];
      seen = true;
      continue;
    }
    const scale = SCALE[w];
    if (!scale) return undefined;
    seen = true;
    if (scale === 100) group = (group || 1) * 100;
    else {
      total += (group || 1) * scale;
      group = 0;
    }
  }
  return seen ? total + group : undefined;
}

/**
 * Spells dictated numbers as digits where they measure something: "fifty thousand" -> "50000",
 * "twenty five minutes" -> "25 minutes", "a hundred and twenty thousand" -> "120000".
 */
export function spokenNumbersToDigits(s: string): string {
  return s.replace(SPOKEN_RUN, (run: string, offset: number, all: string) => {
    const scaled = /\b(?:hundred|thousand|million)\b/i.test(run);
    if (!scaled && !UNIT_AFTER.test(all.slice(offset + run.length))) return run;
    const value = spokenValue(run);
    return value === undefined || !Number.isFinite(value) ? run : String(value);
  });
}
