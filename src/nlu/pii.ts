/**
 * Replaces personal data with placeholders before text leaves the process (to an LLM), and puts
 * it back into the parsed action. Emails and phone numbers by pattern; people by the contact
 * names the CRM knows.
 */
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
const PHONE = /(?<![\w@])\+?\d[\d\s().-]{6,}\d(?![\w@])/g;

export interface Minimized {
  text: string;
  /** Placeholder -> original value. */
  values: Map<string, string>;
}

export function minimize(text: string, knownNames: ReadonlySet<string>): Minimized {
  const values = new Map<string, string>();
  const counters: Record<string, number> = {};
  const placeholder = (kind: string, original: string) => {
    for (const [k, v] of values) if (v === original) return k;
    const key = `<${kind}_${(counters[kind] = (counters[kind] ?? 0) + 1)}>`;
    values.set(key, original);
    return key;
  };
  let out = text.replace(EMAIL, (m) => placeholder('EMAIL', m)).replace(PHONE, (m) => placeholder('PHONE', m));
  // Longest names first, so "Dana Reyes" wins over "Dana".
  const words = out.split(/(\s+)/);
  for (let i = 0; i < words.length; i++) {
    for (let span = 5; span >= 1; span -= 2) {
      const candidate = words.slice(i, i + span).join('');
      // Quotes and brackets around a name (the conversation is given as JSON) are not part of it.
      const lead = /^["“'([{]*/.exec(candidate)![0];
      const bare = candidate.slice(lead.length).replace(/(?:[’'`]s)?["”')\]},.!?;:]*$/i, '');
      // A lone lowercase word ("mark", "will") is more likely a verb than a person.
      const plausible = span > 1 || /^\p{Lu}/u.test(bare);
      if (bare && plausible && knownNames.has(bare.toLowerCase())) {
        words.splice(i, span, lead + placeholder('PERSON', bare) + candidate.slice(lead.length + bare.length));
        break;
      }
    }
  }
  out = words.join('');
  return { text: out, values };
}

/** Puts the original values back into every string of a parsed action. */
export function restore<T>(value: T, values: Map<string, string>): T {
  if (typeof value === 'string') {
    return value.replace(/<(EMAIL|PHONE|PERSON)_\d+>/g, (k) => values.get(k) ?? k) as T;
  }
  if (Array.isArray(value)) return value.map((v) => restore(v, values)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v, values)])) as T;
  }
  return value;
}

/** The names worth hiding: full names, and first and last names on their own. */
export function nameIndex(fullNames: string[]): Set<string> {
  const index = new Set<string>();
  for (const n of fullNames) {
    const lower = n.toLowerCase().trim();
    if (!lower) continue;
    index.add(lower);
    for (const part of lower.split(/\s+/)) if (part.length >= 3) index.add(part);
  }
  return index;
}
