import { LEXICON } from '../lexicon.ts';

/**
 * Ordinary words that are never a company or person name where the parser looks for one in lower-case chat
 * ("send the new deck", "for review", "any open deals"). Used to reject a candidate name, not to find one.
 */
export const COMMON_WORDS = LEXICON.commonWords;

export function isCommonWord(word: string): boolean {
  return COMMON_WORDS.has(word.toLowerCase());
}
