/**
 * Names and titles typed all in lower case, written the way a CRM shows them ("priya patel" -> "Priya Patel",
 * "vp of sales" -> "VP of Sales"). Anything with a capital letter in it is kept as typed: the user chose it.
 */

const ACRONYMS = new Set(
  'ceo cto cfo coo cio cmo cro cpo ciso cso vp svp evp avp gm md it hr qa ux ui ai ml emea apac amer latam us uk eu llc ltd inc'.split(
    ' ',
  ),
);
const SMALL = new Set('of and the for in at to on de da van von der la le y'.split(' '));
const TITLE_CASE = { ltd: 'Ltd', inc: 'Inc', llc: 'LLC' } as Record<string, string>;

const upperFirst = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/** One word: an acronym in capitals, a small word in lower case (not first), else capitalised, also after - and '. */
function word(w: string, first: boolean, acronyms: boolean): string {
  if (acronyms && TITLE_CASE[w]) return TITLE_CASE[w];
  if (acronyms && ACRONYMS.has(w)) return w.toUpperCase();
  if (!first && SMALL.has(w)) return w;
  return w
    .split(/(?=[-'’])|(?<=[-'’])/)
    .map((part) => (/^[-'’]$/.test(part) ? part : upperFirst(part)))
    .join('')
    .replace(/^(O|D)([’'])([a-z])/, (_m, a: string, q: string, c: string) => `${a}${q}${c.toUpperCase()}`);
}

function capitalise(typed: string, acronyms: boolean): string {
  const s = typed.trim();
  if (s !== s.toLowerCase() || /@|\.[a-z]{2,}$/.test(s)) return s;
  return s
    .split(/(\s+)/)
    .map((w, i) => (/^\s+$/.test(w) ? w : word(w, i === 0, acronyms)))
    .join('');
}

/** A person's name: "priya patel" -> "Priya Patel", "mary-jane o'neil" -> "Mary-Jane O'Neil". */
export const personName = (typed: string) => capitalise(typed, false);
/** A job title or a company: "cto" -> "CTO", "head of it" -> "Head of IT", "initrode" -> "Initrode". */
export const titleCase = (typed: string) => capitalise(typed, true);
