import { readFileSync } from 'node:fs';

/**
 * The parser's word lists, as data files in ./lexicon (one word a line, `#` starts a comment): first names, the
 * words that end a company's name, stop words, the nouns that name a company's team or thing, ordinary words
 * that are never names, chat shorthand, and the keywords typos are corrected to. Read once, at start-up.
 */
const read = (file: string) => readFileSync(new URL(`./lexicon/${file}`, import.meta.url), 'utf8');

const words = (file: string): ReadonlySet<string> =>
  new Set(
    read(file)
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim().toLowerCase())
      .filter(Boolean),
  );

export const LEXICON = {
  firstNames: words('first-names.txt'),
  companySuffixes: words('company-suffixes.txt'),
  stopWords: words('stop-words.txt'),
  thingNouns: words('thing-nouns.txt'),
  commonWords: words('common-words.txt'),
  typoKeywords: [...words('typo-keywords.txt')],
  typoOrdinary: words('typo-ordinary.txt'),
  shorthand: JSON.parse(read('shorthand.json')) as Record<string, string>,
};
