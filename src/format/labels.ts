/** The words and numbers answers are made of, in one place so every skill says them the same way. */

/** "closed_won" -> "closed won", "privacy_officer" -> "privacy officer". */
export const humanize = (code: string) => code.replace(/_/g, ' ');

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

/** $1,234,567 (amounts are in the account currency; the demo CRM uses USD). */
export function formatMoney(n: number, currency = 'USD'): string {
  return currency === 'USD'
    ? money.format(n)
    : `${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${currency}`;
}

/** 0.1234 -> "12.3%". */
export const percent = (x: number) => `${(Math.round(x * 1000) / 10).toLocaleString('en-US')}%`;

/** How many of how many met a target: "92.5% (37 of 40)", or "n/a (none due yet)". */
export const share = (met: number, of: number) =>
  of ? `${percent(met / of)} (${met} of ${of})` : 'n/a (none due yet)';

/** "3 deals", "1 deal". */
export const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** "pipeline and data requests": what a channel or an installation is set up for. */
export const describeScopes = (scopes: readonly string[]) => scopes.map(humanize).join(' and ');

/** "a, b or c" */
export function listOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** A date in a sentence about the near future or past: "Fri 27 Nov", with the year when it is not this year's. */
export function dayLabel(isoDate: string, today: string): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  const label = d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
  return isoDate.slice(0, 4) === today.slice(0, 4) ? label : `${label} ${isoDate.slice(0, 4)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FULL_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** A date that bounds a period: "Nov 27, 2026". */
export const boundLabel = (iso: string) =>
  `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${Number(iso.slice(8))}, ${iso.slice(0, 4)}`;

/** "2026-11" -> "Nov 2026". */
export const monthLabel = (key: string) => `${MONTHS[Number(key.slice(5, 7)) - 1]} ${key.slice(0, 4)}`;

/** A whole period by its name when it has one: "Q4 2026", "November 2026", "2026", else "Oct 5, 2026 – Nov 30, 2026". */
export function periodName(from: string, to: string): string {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  if (fy === ty && fd === 1 && td === lastDay(ty, tm)) {
    if (fm === 1 && tm === 12) return String(fy);
    if (fm === tm) return `${FULL_MONTHS[fm - 1]} ${fy}`;
    if (fm % 3 === 1 && tm === fm + 2) return `Q${(fm + 2) / 3} ${fy}`;
  }
  return `${boundLabel(from)} – ${boundLabel(to)}`;
}
