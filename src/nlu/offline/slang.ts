import { LEXICON } from '../lexicon.ts';

/**
 * Chat shorthand ("nxt wk", "mtg w/ acme", "amt", "fcst") spelled out before intent detection, so the
 * extractors only see ordinary words. Only whole lower-case tokens are rewritten: a capitalised word
 * may be a name and is left alone.
 */

const SHORTHAND = LEXICON.shorthand;

// Single letters only mean something in context: "spoke w dana", "deals r closing", "3 mo".
const ONLY_AFTER: Record<string, RegExp> = {
  w: /\S\s*$/,
  r: /\b(?:deals?|opps?|we|they|you|what|which|how many)\s*$/,
  mo: /(?:\d|\b(?:last|this|next|per|a|each))\s*$/,
};

/** Spells out shorthand; "w/", "w/o" and "f/u" become "with", "without" and "follow up". */
export function expandShorthand(s: string): string {
  s = s
    .replace(/(?<![\w/])w\/o(?![\w/])/gi, 'without')
    .replace(/(?<![\w/])w\/(?=\s|\w)/gi, 'with ')
    .replace(/(?<![\w/])f\/u(?![\w/])/gi, 'follow up');
  return s
    .replace(/(?<![\w@.'/-])[a-z][a-z0-9]*(?![\w@'/-]|\.\w)/g, (word, offset: number, all: string) => {
      const out = SHORTHAND[word];
      if (out === undefined || out === word) return word;
      const guard = ONLY_AFTER[word];
      if (guard && !guard.test(all.slice(Math.max(0, offset - 20), offset))) return word;
      return out;
    })
    .replace(/\s{2,}/g, ' ')
    .trim();
}
