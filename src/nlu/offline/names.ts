import { LEXICON } from '../lexicon.ts';

/**
 * Tells people from companies when the sentence structure does not ("met with Initech" vs "called Dana"):
 * a phrase that starts with a common first name is a person, one that ends in a company suffix is a company.
 */

const FIRST_NAMES = LEXICON.firstNames;

const COMPANY_SUFFIX =
  /\b(inc|corp|corporation|co|company|llc|ltd|limited|gmbh|ag|sa|plc|group|industries|enterprises|labs|systems|technologies|tech|solutions|holdings|partners|bank|university|foods|motors|media|software|networks|logistics|health|capital|ventures|studios|global|international|intl|consulting|dynamics)\.?$/i;

export function isPerson(phrase: string): boolean {
  if (/@/.test(phrase)) return true;
  if (COMPANY_SUFFIX.test(phrase)) return false;
  const first = phrase.split(/\s+/)[0].toLowerCase();
  return FIRST_NAMES.has(first);
}

export function isFirstName(word: string): boolean {
  return FIRST_NAMES.has(word.toLowerCase());
}

const NAME_PARTICLE = /^(?:van|von|der|den|de|da|di|del|della|dos|du|la|le|bin|ibn|al|el|st|ter|ten)$/i;

/**
 * "paul smith soylent", "dana whitfield acme logistics": in run-on chat a first name and a surname are
 * followed by the company. A person's name is taken as two words unless the second is another first name
 * ("mary ann ...") or a particle ("jan van dijk"); the rest is the company.
 */
export function splitPersonCompany(phrase: string): { person: string; company: string } | undefined {
  const words = phrase.split(/\s+/);
  if (words.length < 3 || !isFirstName(words[0]) || COMPANY_SUFFIX.test(words[1])) return undefined;
  if (isFirstName(words[1]) || words[1].length < 2 || words.slice(1, 3).some((w) => NAME_PARTICLE.test(w)))
    return undefined;
  return { person: words.slice(0, 2).join(' '), company: words.slice(2).join(' ') };
}
