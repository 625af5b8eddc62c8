import { LEXICON } from '../lexicon.ts';

/** Text clean-up and the small tokenising helpers shared by the extractors. */

const MAX_CHARS = 2000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this strips from chat text
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g;
const SLACK_MENTION = /<[@#!][^>\s]*>/g;
// "remind @Priya Shah to ..." typed as plain text: the person, without the at sign.
const AT_NAME = /(^|\s)@(?=\p{Lu}\p{Ll})/gu;
const SLACK_LINK = /<(?:mailto:|tel:|https?:\/\/)?([^>|\s]+)(?:\|([^>]*))?>/g;
const LEADING_FILLER =
  /^(?:(?:@?(?:crm-?bot|crmbot|crm|bot|assistant|salesbot|hey|hi|hiya|hello|yo|ok|okay|so|alright|all right|right|well|please|pls|plz|(?:can|could|would|will) (?:you|u)|i need you to|i want you to|i'?d like to|i want to|let'?s|lets)\b[\s,:;!.-]*|(?:good\s+)?(?:morning|afternoon|evening)\b\s*[,:;!.-]+\s*|good\s+(?:morning|afternoon|evening|day)\b\s*)+)/i;
// Dictated text: "um", "uh", "erm" carry nothing and break the phrases around them.
const HESITATION = /(^|[\s,.;])(?:u+m+|u+h+|e+r+m+|uhm+|hmm+)\b[,.]?(?=\s|$)/gi;
const TRAILING_FILLER = /[\s,;.!]*\b(?:please|pls|plz|thanks|thank you|thx|ty)\b[\s.!]*$/i;

/** Makes raw chat text safe and uniform: no Slack tokens, control chars, bot names or politeness. */
export function normalize(raw: string): string {
  let s = String(raw ?? '').slice(0, MAX_CHARS);
  s = s.replace(CONTROL, ' ').replace(SLACK_MENTION, ' ').replace(AT_NAME, '$1');
  s = s.replace(SLACK_LINK, (_m, target: string, label?: string) => label || target);
  s = s
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-');
  s = s.replace(/\s+/g, ' ').trim();
  s = s
    .replace(HESITATION, '$1')
    .replace(/\s*,(?:\s*,)+/g, ',')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,]+/, '');
  s = s.replace(LEADING_FILLER, '').replace(TRAILING_FILLER, '');
  return s.trim();
}

const STOP = LEXICON.stopWords;

const THING_NOUNS = LEXICON.thingNouns;

const COMPANY_END =
  /^(?:inc|corp|corporation|llc|ltd|limited|gmbh|plc|industries|enterprises|labs|technologies|holdings)\.?$/i;
const DEAL_KIND_AFTER = /^\s+(renewal|expansion|upsell|pilot|platform|new business)\b/i;
// "Herr Thomas Weber", "Dr. Lee": a title before a name is not part of it.
const HONORIFIC = /^(?:mr|mrs|ms|miss|dr|herr|frau|mme|mlle|sr|sra|srta|sig|sig\.ra)\.?$/;
const TOKEN = /[^\s,;:!?()"[\]{}]+|[,;:!?()"[\]{}]/g;
const EMAIL_TOKEN = /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/;

export interface Phrase {
  text: string;
  end: number;
}

/**
 * Takes the name/company phrase that starts at `from` in `s`: up to five words, stopping at punctuation,
 * a stop word, a number or a possessive. `end` is the index just after the phrase.
 */
export function takeEntity(s: string, from = 0): Phrase | undefined {
  TOKEN.lastIndex = from;
  const words: string[] = [];
  let end = from;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(s)) && words.length < 5) {
    let tok = m[0];
    if (/^[,;:!?()"[\]{}]$/.test(tok)) break;
    const trailing = /[.]+$/.test(tok) && !/^[A-Z]{1,3}\.$/.test(tok);
    tok = tok.replace(/[.']+$/, '');
    const possessive = /'s$/i.test(tok);
    if (possessive) tok = tok.slice(0, -2);
    const low = tok.toLowerCase();
    if (EMAIL_TOKEN.test(tok)) {
      if (words.length === 0) return { text: tok, end: m.index + m[0].length };
      break;
    }
    if (words.length === 0 && (low === 'the' || HONORIFIC.test(low))) continue;
    // "Bright & Sons": an ampersand between capitalised words belongs to the name.
    if (
      tok === '&' &&
      words.length &&
      /^\s*(?:\p{Lu}|\p{Ll}+\b)/u.test(s.slice(m.index + 1)) &&
      (/^\s*\p{Lu}/u.test(s.slice(m.index + 1)) || !capitalised(words[0]))
    ) {
      words.push(tok);
      continue;
    }
    if (!tok || STOP.has(low) || !/\p{L}/u.test(tok)) break;
    // A thing of a company stops its name; capitalised, only as an acronym after the name ("Pied Piper SSO").
    if (THING_NOUNS.has(low) && (!/^\p{Lu}/u.test(tok) || (words.length > 0 && tok === tok.toUpperCase()))) break;
    if (/^\d|^q[1-4]$|^#/.test(low) || /^\$/.test(tok)) break;
    // A lower-case past-tense word after a name is the start of the story: "hooli demo went", "acme signed".
    if (words.length > 0 && /^\p{Ll}+ed$/u.test(tok) && tok.length > 4) break;
    words.push(tok);
    end = m.index + m[0].length;
    if (possessive || trailing) break;
    if (COMPANY_END.test(tok)) {
      // "Apex Bridge GmbH expansion": the company name ends, but a deal named after it goes on with its kind.
      const suffix = /^\s+((?:inc|corp|llc|ltd|gmbh|plc|co|ag)\.?)(?=[\s,;:!?]|$)/i.exec(s.slice(end));
      if (suffix && words.length < 5) {
        words.push(suffix[1].replace(/\.$/, ''));
        end += suffix[0].length;
      }
      const kind = DEAL_KIND_AFTER.exec(s.slice(end));
      if (kind) {
        words.push(kind[1]);
        end += kind[0].length;
      }
      break;
    }
  }
  TOKEN.lastIndex = 0;
  if (words.length === 0) return undefined;
  return { text: words.join(' '), end };
}

const VERBS = new Set(
  'correct fix update change rectify set delete export erase remove mark move push make add show find get send please pls escalate escalation urgent priority note stop using processing process'.split(
    ' ',
  ),
);

/** The name/company phrase that ends right before `idx` ("correct Jane Doe|'s phone"): up to four words back. */
export function entityBefore(s: string, idx: number): string | undefined {
  const tokens = s.slice(0, idx).split(/\s+/).filter(Boolean);
  const words: string[] = [];
  for (let i = tokens.length - 1; i >= 0 && words.length < 4; i--) {
    const tok = tokens[i];
    if (words.length > 0 && /[,;:!?.]$/.test(tok)) break;
    const clean = tok.replace(/^[("']+|[,;:!?.)"']+$/g, '');
    const low = clean.toLowerCase();
    if (!clean || STOP.has(low) || VERBS.has(low) || !/^[\p{L}][\p{L}\p{N}&'.-]*$/u.test(clean)) break;
    words.unshift(clean);
  }
  return words.length ? words.join(' ') : undefined;
}

// A quoted email or chat message inside a request ("per Bob's email: 'We're good to go' - move Wayne to won"):
// what a customer said is data, not the instruction. Apostrophes inside words do not end a quote.
const QUOTED = /(?<=^|[\s:(])(?:'(?:[^']|(?<=\p{L})'(?=\p{L})){12,}?'|"[^"]{12,}?")(?=[\s.,;:!?)-]|$)/gu;

/** The text with quoted passages blanked (same length), for deciding what the user asks. */
export function blankQuotes(s: string): string {
  return s.replace(QUOTED, (q) => ' '.repeat(q.length));
}

export const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/i;

/** Removes a span, keeping the text around it separated by one space. */
export function cut(s: string, start: number, end: number): string {
  return `${s.slice(0, start)} ${s.slice(end)}`.replace(/\s+/g, ' ');
}

/** Trims whitespace and dangling punctuation/connectors left after cutting pieces out. */
export function tidy(s: string): string {
  return s
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/^[\s,;:.!?\-–—]+|[\s,;:\-–—]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the word names a team or thing of a company ("checkout", "procurement"), never the company. */
export function isThingNoun(word: string): boolean {
  return THING_NOUNS.has(word.toLowerCase());
}

export function capitalised(word: string): boolean {
  return /^\p{Lu}/u.test(word);
}
