const WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19, twenty: 20, thirty: 30, forty: 40, 'forty-five': 45, 'forty five': 45, fifty: 50, sixty: 60,
  ninety: 90, hundred: 100, couple: 2, 'a couple of': 2, 'a couple': 2, few: 3, 'a few': 3,
};

/** Regex source matching a number written in digits or words (for use inside bigger patterns). */
export const NUMBER_SRC = String.raw`(?:\d+(?:\.\d+)?|a couple(?: of)?|a few|forty[- ]five|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|ninety|an?)`;

export function toNumber(raw: string): number | undefined {
  const s = raw.trim().toLowerCase().replace(/,/g, '');
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  return WORDS[s];
}
