import { LEXICON } from '../lexicon.ts';
import { capitalised, takeEntity } from './text.ts';
import { isCommonWord } from './vocab.ts';

/**
 * Tells people from companies when the sentence structure does not ("met with Initech" vs "called Dana"):
 * a phrase that starts with a common first name is a person, one that ends in a company suffix is a company.
 */

const FIRST_NAMES = LEXICON.firstNames;

/** "Sakura Robotics", "Acme Inc.": a name whose last word ends companies' names (lexicon/company-suffixes.txt). */
const endsLikeCompany = (phrase: string) =>
  LEXICON.companySuffixes.has(
    phrase
      .trim()
      .split(/\s+/)
      .at(-1)!
      .toLowerCase()
      .replace(/[.,]+$/, ''),
  );

export function isPerson(phrase: string): boolean {
  if (/@/.test(phrase)) return true;
  if (endsLikeCompany(phrase)) return false;
  return isFirstName(phrase.split(/\s+/)[0]);
}

/** "Chloé", "Lucía" are looked up as "chloe", "lucia". */
export function isFirstName(word: string): boolean {
  const low = word.toLowerCase();
  return FIRST_NAMES.has(low) || FIRST_NAMES.has(low.normalize('NFD').replace(/\p{M}/gu, ''));
}

const NAME_PARTICLE = /^(?:van|von|der|den|de|da|di|del|della|dos|du|la|le|bin|ibn|al|el|st|ter|ten)$/i;

/**
 * "paul smith soylent", "dana whitfield acme logistics": in run-on chat a first name and a surname are
 * followed by the company. A person's name is taken as two words unless the second is another first name
 * ("mary ann ...") or a particle ("jan van dijk"); the rest is the company.
 */
export function splitPersonCompany(phrase: string): { person: string; company: string } | undefined {
  const words = phrase.split(/\s+/);
  if (words.length < 3 || !isFirstName(words[0]) || endsLikeCompany(words[1])) return undefined;
  if (isFirstName(words[1]) || words[1].length < 2 || words.slice(1, 3).some((w) => NAME_PARTICLE.test(w)))
    return undefined;
  return { person: words.slice(0, 2).join(' '), company: words.slice(2).join(' ') };
}

// "Bob Grant, the CFO over at Wayne Enterprises", "Jane Doe in Hooli", "Noah Murphy, CEO of Umbrella Corp".
const AFFILIATION =
  /^\s*,?\s*(?:(?:who'?s|who is|she'?s|he'?s|she is|he is|the|their|our|a|an|now|also)\s+){0,3}(?:[\p{L}-]+\s+){0,3}?(?:over\s+)?(?:at|from|of|in|@|with)\s+(?:the\s+)?/iu;
const POSSESSIVE_ROLE =
  /^\s*,?\s*(?:(?:who'?s|who is|she'?s|he'?s|she is|he is)\s+)?(\p{Lu}[\p{L}&.'-]*(?:\s+\p{Lu}[\p{L}&.'-]*)*)'s\b/u;

// "— Hannah Lee, Harlow Dental": a capitalised name after a comma that is no job title.
const COMMA_COMPANY =
  /^\s*,\s*(?=\p{Lu})(?!(?:CEO|CTO|CFO|COO|CMO|CIO|VP|SVP|EVP|Head|Director|Manager|Chief|President|Founder|Owner|Lead|Senior|Junior|Principal|Partner|Counsel|Engineer|Analyst|Buyer)\b)/u;

/** The company a person is said to be with, right after their name: "Bob Grant, the CFO over at Wayne", "Sofia (Cyberdyne)". */
export function companyOf(text: string, person: string): string | undefined {
  const at = text.indexOf(person);
  const after = at >= 0 ? text.slice(at + person.length) : '';
  const role = POSSESSIVE_ROLE.exec(after);
  const link = AFFILIATION.exec(after) ?? /^\s*\(\s*/.exec(after) ?? COMMA_COMPANY.exec(after);
  const company = role?.[1] ?? (link ? takeEntity(after, link[0].length)?.text : undefined);
  return company && !isCommonWord(company.split(' ')[0]) && !isPerson(company) ? company : undefined;
}

/** Full names in the text: a known first name and a surname (capitalised, unless the whole message is lower case). */
export function people(text: string): { name: string; at: number }[] {
  const lowerCase = !/\p{Lu}/u.test(text);
  const out: { name: string; at: number }[] = [];
  for (const m of text.matchAll(/(?<![\p{L}'])(\p{L}[\p{L}'-]+)(?=\s+(\p{L}[\p{L}'-]+)(?![\p{L}']))/gu)) {
    const [, first, last] = m;
    // A first name we know, or two capitalised words right after a role ("their managing partner Evelyn Wallace").
    const known =
      isFirstName(first) || (ROLE_BEFORE.test(text.slice(0, m.index)) && capitalised(first) && !endsLikeCompany(last));
    if (!known || isCommonWord(last) || STOPS.test(last)) continue;
    if (lowerCase ? /ed$/.test(last) : !capitalised(first) || !capitalised(last)) continue;
    out.push({ name: `${first} ${last}`, at: m.index });
  }
  return out;
}
const ROLE_BEFORE =
  /\b(?:partner|ceo|cto|cfo|coo|cmo|cio|vp|director|manager|head of \w+|lead|owner|founder|counsel|champion|buyer|admin|contact|named|called|guy|woman|man)\s+$/i;
const STOPS =
  /^(?:and|or|at|from|of|in|on|the|to|with|is|was|who|about|for|said|says|told|called|will|has|had|wants|needs)$/i;
