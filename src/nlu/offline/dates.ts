/**
 * Dates relative to `today` (YYYY-MM-DD): single dates (due dates, close dates) and periods
 * (from/to windows). Weeks start on Monday, quarters are calendar quarters. Absolute dates
 * ("March 15", "12/5") go through chrono-node; the relative phrases are handled here because
 * their business meaning ("by Friday", "end of next month", "last quarter") is fixed by the contract.
 */
import * as chrono from 'chrono-node';
import { NUMBER_SRC, toNumber } from './numbers.ts';

export interface DateHit {
  date: string;
  start: number;
  end: number;
}
export interface PeriodHit {
  from?: string;
  to?: string;
  start: number;
  end: number;
}

const DAY = 86_400_000;
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_SRC =
  '(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)';

const ymd = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const iso = (d: Date) => d.toISOString().slice(0, 10);
function parseToday(today: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  const d = m ? ymd(+m[1], +m[2], +m[3]) : new Date(NaN);
  if (Number.isNaN(d.getTime())) {
    const n = new Date();
    return ymd(n.getFullYear(), n.getMonth() + 1, n.getDate());
  }
  return d;
}
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY);
const monday = (d: Date) => addDays(d, -((d.getUTCDay() + 6) % 7));
const lastOfMonth = (y: number, m: number) => ymd(y, m + 1, 0);
function addMonths(d: Date, n: number): Date {
  const target = ymd(d.getUTCFullYear(), d.getUTCMonth() + 1 + n, 1);
  const last = lastOfMonth(target.getUTCFullYear(), target.getUTCMonth() + 1).getUTCDate();
  return ymd(target.getUTCFullYear(), target.getUTCMonth() + 1, Math.min(d.getUTCDate(), last));
}
const quarterOf = (d: Date) => Math.floor(d.getUTCMonth() / 3) + 1;
const quarterRange = (y: number, q: number): [Date, Date] => [ymd(y, q * 3 - 2, 1), lastOfMonth(y, q * 3)];

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

function unitRange(t: Date, unit: Unit, offset: number): [Date, Date] {
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth() + 1;
  switch (unit) {
    case 'day': {
      const d = addDays(t, offset);
      return [d, d];
    }
    case 'week': {
      const s = addDays(monday(t), 7 * offset);
      return [s, addDays(s, 6)];
    }
    case 'month': {
      const s = ymd(y, m + offset, 1);
      return [s, lastOfMonth(s.getUTCFullYear(), s.getUTCMonth() + 1)];
    }
    case 'quarter': {
      const s = ymd(y, (quarterOf(t) - 1) * 3 + 1 + offset * 3, 1);
      return [s, lastOfMonth(s.getUTCFullYear(), s.getUTCMonth() + 3)];
    }
    case 'year':
      return [ymd(y + offset, 1, 1), ymd(y + offset, 12, 31)];
  }
}

function unitOf(word: string): Unit {
  if (/^(?:qtr|quarter|q$)/.test(word)) return 'quarter';
  if (/^(?:fy|fiscal|year|yr)/.test(word)) return 'year';
  if (/^(?:month|mo$)/.test(word)) return 'month';
  if (/^(?:week|wk)/.test(word)) return 'week';
  return 'day';
}
const offsetOf = (word: string | undefined) =>
  !word ? 0 : /^(next|coming|following)/.test(word) ? 1 : /^(last|previous|prior|past)/.test(word) ? -1 : 0;

function weekdayIndex(word: string): number {
  return WEEKDAYS.findIndex((d) => d.startsWith(word.slice(0, 3)));
}

/**
 * Whether a question is about what already happened (won, lost, win rate, created, attainment) or about what is
 * still to come (open pipeline, forecast, due dates): it decides the year of a period named without one.
 */
export type Tense = 'past' | 'ahead';

/**
 * The year of a quarter, half or month named without a year (`range(y)` is that period in year y). Asked about the
 * past: the latest such period that has started; ahead: the next one that has not ended. Without a tense: this
 * year's, or next year's when it is over and the text looks ahead.
 */
function inferYear(t: Date, range: (y: number) => [Date, Date], text: string, tense?: Tense): number {
  const y = t.getUTCFullYear();
  const [start, end] = range(y);
  if (tense === 'past') return start.getTime() <= t.getTime() ? y : y - 1;
  if (end.getTime() >= t.getTime()) return y;
  return tense === 'ahead' || (LOOKS_AHEAD.test(text) && !LOOKS_BACK.test(text)) ? y + 1 : y;
}
const monthRange =
  (month: number) =>
  (y: number): [Date, Date] => [ymd(y, month, 1), lastOfMonth(y, month)];
const halfRange =
  (first: boolean) =>
  (y: number): [Date, Date] =>
    first ? [ymd(y, 1, 1), ymd(y, 6, 30)] : [ymd(y, 7, 1), ymd(y, 12, 31)];
const LOOKS_AHEAD =
  /\b(closing|close|will|forecast|expected|upcoming|next|push|move|slip|due|remind|by(?! (?:reps?|owners?|stages?|regions?|months?|teams?)\b))\b/;
const LOOKS_BACK = /\b(closed|did|won|lost|was|were|last|ago|previous)\b/;

function yearOf(raw: string | undefined): number | undefined {
  if (!raw) return undefined;
  const n = Number(raw.replace(/\D/g, ''));
  return n < 100 ? 2000 + n : n;
}

// --- single dates -----------------------------------------------------------------------------

const PREP = String.raw`(?:(?:by|on|before|until|till|due|for|no later than)\s+)?`;
const WEEKDAY_SRC = '(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri)';

type Rule = { re: RegExp; resolve: (m: RegExpExecArray, t: Date, text: string, ahead: boolean) => Date | undefined };

const POINT_RULES: Rule[] = [
  {
    re: new RegExp(
      String.raw`\b${PREP}(?:the\s+)?end\s+of\s+(?:the\s+)?(this\s+|next\s+|current\s+|the\s+next\s+)?(day|week|month|quarter|qtr|year)\b`,
      'i',
    ),
    resolve: (m, t) => {
      const unit = unitOf(m[2].toLowerCase());
      const off = offsetOf(m[1]?.trim().replace(/^the\s+/, ''));
      if (unit === 'week') return addDays(monday(t), 7 * off + 4);
      return unitRange(t, unit, off)[1];
    },
  },
  {
    re: new RegExp(String.raw`\b${PREP}(?:the\s+)?end\s+of\s+(${MONTH_SRC})\b(?:\s+(20\d{2}))?`, 'i'),
    resolve: (m, t, text, ahead) => {
      const month = MONTHS.indexOf(m[1].toLowerCase().slice(0, 3)) + 1;
      const y = yearOf(m[2]) ?? inferYear(t, monthRange(month), text, ahead ? 'ahead' : undefined);
      return lastOfMonth(y, month);
    },
  },
  {
    re: new RegExp(String.raw`\b${PREP}(eod|eow|eom|eoq|eoy)\b`, 'i'),
    resolve: (m, t) => {
      const k = m[1].toLowerCase();
      if (k === 'eod') return t;
      if (k === 'eow') return addDays(monday(t), 4);
      return unitRange(t, k === 'eom' ? 'month' : k === 'eoq' ? 'quarter' : 'year', 0)[1];
    },
  },
  {
    re: new RegExp(
      String.raw`\b${PREP}(the\s+day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|tmr|yesterday)\b`,
      'i',
    ),
    resolve: (m, t) => {
      const w = m[1].toLowerCase();
      return addDays(
        t,
        w.startsWith('the')
          ? 2
          : w === 'yesterday'
            ? -1
            : w.startsWith('t') && w !== 'today' && w !== 'tonight'
              ? 1
              : 0,
      );
    },
  },
  {
    re: new RegExp(
      String.raw`\b${PREP}(?:(this|next|coming|this\s+coming|last|past|previous)\s+)?${WEEKDAY_SRC}\b`,
      'i',
    ),
    resolve: (m, t) => {
      const wd = weekdayIndex(m[2].toLowerCase());
      if (wd < 0) return undefined;
      const which = m[1]?.toLowerCase();
      if (which === 'next') return addDays(monday(t), 7 + wd);
      // "last friday": the most recent one before today.
      if (which === 'last' || which === 'past' || which === 'previous')
        return addDays(t, -((((t.getUTCDay() + 6) % 7) - wd + 7) % 7 || 7));
      const diff = (wd - ((t.getUTCDay() + 6) % 7) + 7) % 7;
      return addDays(t, diff);
    },
  },
  {
    re: new RegExp(
      String.raw`\b(?:in\s+(${NUMBER_SRC})\s+(day|week|month)s?|(${NUMBER_SRC})\s+(day|week|month)s?\s+from\s+(?:now|today))\b`,
      'i',
    ),
    resolve: (m, t) => {
      const n = toNumber(m[1] ?? m[3]);
      const unit = (m[2] ?? m[4]).toLowerCase();
      if (n === undefined || n > 1000) return undefined;
      return unit === 'month' ? addMonths(t, n) : addDays(t, unit === 'week' ? 7 * n : n);
    },
  },
  {
    re: new RegExp(String.raw`\b${PREP}(next|this)\s+(week|month|quarter|year)\b`, 'i'),
    resolve: (m, t) => unitRange(t, unitOf(m[2].toLowerCase()), offsetOf(m[1].toLowerCase()))[0],
  },
  {
    re: new RegExp(String.raw`\b${PREP}(?:in\s+)?q([1-4])(?:\s*(?:of\s+)?((?:20)?\d{2}|'\d{2}))?\b`, 'i'),
    resolve: (m, t, text, ahead) => {
      const q = Number(m[1]);
      const y = yearOf(m[2]) ?? inferYear(t, (yr) => quarterRange(yr, q), text, ahead ? 'ahead' : undefined);
      return quarterRange(y, q)[1];
    },
  },
  {
    re: new RegExp(String.raw`\b${PREP}the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?${MONTH_SRC}\b)`, 'i'),
    resolve: (m, t) => {
      const day = Number(m[1]);
      if (day < 1 || day > 31) return undefined;
      for (let k = 0; k < 3; k++) {
        const first = ymd(t.getUTCFullYear(), t.getUTCMonth() + 1 + k, 1);
        if (lastOfMonth(first.getUTCFullYear(), first.getUTCMonth() + 1).getUTCDate() < day) continue;
        const d = ymd(first.getUTCFullYear(), first.getUTCMonth() + 1, day);
        if (d.getTime() >= t.getTime()) return d;
      }
      return undefined;
    },
  },
];

const ABSOLUTE_HINT = new RegExp(
  String.raw`\b${MONTH_SRC}\.?\s+\d{1,2}(?!\d)|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH_SRC}\b|\b\d{1,2}\/\d{1,2}(?:\/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b`,
  'i',
);
const PREP_BEFORE = /(?:\b(?:by|on|before|until|till|due|for|to)\s+)$/i;

function absoluteDate(text: string, t: Date): DateHit | undefined {
  const hint = ABSOLUTE_HINT.exec(text);
  if (!hint) return undefined;
  // chrono reads only a window around the hint: on a long dictated message it costs milliseconds per call.
  const from = Math.max(0, hint.index - 24);
  const window = text.slice(from, hint.index + hint[0].length + 24);
  const ref = new Date(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), 12);
  for (const r of chrono.en.casual.parse(window, ref, { forwardDate: true })) {
    if (!ABSOLUTE_HINT.test(r.text) || !r.start.isCertain('day')) continue;
    const d = ymd(r.start.get('year') ?? t.getUTCFullYear(), r.start.get('month') ?? 1, r.start.get('day') ?? 1);
    const at = from + r.index;
    const prep = PREP_BEFORE.exec(text.slice(Math.max(0, at - 20), at));
    return { date: iso(d), start: at - (prep ? prep[0].length : 0), end: at + r.text.length };
  }
  return undefined;
}

/**
 * The first single date in the text, with the span it covers (including a leading "by"/"on"). With `ahead`
 * (due dates, close dates) a quarter named without a year that is already over means next year's.
 */
export function findDate(text: string, today: string, ahead = false): DateHit | undefined {
  const t = parseToday(today);
  let best: DateHit | undefined = absoluteDate(text, t);
  for (const rule of POINT_RULES) {
    const m = rule.re.exec(text);
    if (!m || (best && m.index >= best.start)) continue;
    const d = rule.resolve(m, t, text.toLowerCase(), ahead);
    if (d && !Number.isNaN(d.getTime())) best = { date: iso(d), start: m.index, end: m.index + m[0].length };
  }
  return best;
}

// --- periods -----------------------------------------------------------------------------------

const PERIOD_PREP = String.raw`(?:(?:in|for|during|over|of|closing|from)\s+)?`;
type PeriodRule = {
  re: RegExp;
  resolve: (
    m: RegExpExecArray,
    t: Date,
    text: string,
    tense?: Tense,
  ) => [Date | undefined, Date | undefined] | undefined;
};

const PERIOD_RULES: PeriodRule[] = [
  {
    re: new RegExp(
      String.raw`\b${PERIOD_PREP}(?:the\s+)?(this|current|last|previous|prior|past|next|coming|following)\s+(week|wk|month|mo|quarter|qtr|q|year|yr|fiscal year|fy)\b`,
      'i',
    ),
    resolve: (m, t) => unitRange(t, unitOf(m[2].toLowerCase()), offsetOf(m[1].toLowerCase())),
  },
  {
    re: new RegExp(
      String.raw`\b${PERIOD_PREP}(?:(?:fy\s*)?((?:20)?\d{2})\s*)?q([1-4])(?:\s*(?:of\s+)?((?:20)?\d{2}|'\d{2}))?\b`,
      'i',
    ),
    resolve: (m, t, text, tense) => {
      const q = Number(m[2]);
      const y = yearOf(m[3] ?? m[1]) ?? inferYear(t, (yr) => quarterRange(yr, q), text, tense);
      return quarterRange(y, q);
    },
  },
  {
    re: /\b(ytd|year[- ]to[- ]date|qtd|quarter[- ]to[- ]date|mtd|month[- ]to[- ]date|so far this (?:year|quarter|month))\b/i,
    resolve: (m, t) => {
      const w = m[1].toLowerCase();
      const unit: Unit = /^(q|quarter)|quarter$/.test(w) ? 'quarter' : /^(m|month)|month$/.test(w) ? 'month' : 'year';
      return [unitRange(t, unit, 0)[0], t];
    },
  },
  {
    re: new RegExp(String.raw`\b(last|past|previous|next|coming)\s+(${NUMBER_SRC})\s+(day|week|month)s?\b`, 'i'),
    resolve: (m, t) => {
      const n = toNumber(m[2]);
      if (n === undefined || n > 3650) return undefined;
      const unit = m[3].toLowerCase();
      const shift = (k: number) =>
        unit === 'month' ? addMonths(t, k * n) : addDays(t, k * n * (unit === 'week' ? 7 : 1));
      return offsetOf(m[1].toLowerCase()) > 0 ? [t, shift(1)] : [shift(-1), t];
    },
  },
  {
    re: /\b(h[12]|first half|second half)(?:\s+(?:of\s+)?(20\d{2}))?\b/i,
    resolve: (m, t, text, tense) => {
      const half = halfRange(/^(h1|first)/i.test(m[1]));
      return half(yearOf(m[2]) ?? inferYear(t, half, text, tense));
    },
  },
  {
    re: new RegExp(
      String.raw`\b(?:(in|for|during|closing|since|of)\s+)?\b(${MONTH_SRC})\b(?:\s+(20\d{2}))?(?!\s*\d)`,
      'i',
    ),
    resolve: (m, t, text, tense) => {
      const name = m[2].toLowerCase();
      if (name === 'may' && !m[1] && !m[3]) return undefined;
      const month = MONTHS.indexOf(name.slice(0, 3)) + 1;
      const y = yearOf(m[3]) ?? inferYear(t, monthRange(month), text, tense);
      return m[1]?.toLowerCase() === 'since' ? [ymd(y, month, 1), t] : [ymd(y, month, 1), lastOfMonth(y, month)];
    },
  },
  {
    re: /\b(?:in|for|during)\s+(20\d{2})\b/i,
    resolve: (m) => [ymd(+m[1], 1, 1), ymd(+m[1], 12, 31)],
  },
  {
    re: /\b(today|yesterday)\b/i,
    resolve: (m, t) => {
      const d = addDays(t, m[1].toLowerCase() === 'today' ? 0 : -1);
      return [d, d];
    },
  },
];

const BOUND_BEFORE = /\b(by|before|until|till|through)\s+$/i;
const BOUND_AFTER = /\b(after|since|from)\s+$/i;

/** The period a question is about ("this quarter", "Q1 2027", "last 30 days", "closing by Friday"). */
export function findPeriod(text: string, today: string, tense?: Tense): PeriodHit | undefined {
  const t = parseToday(today);
  const low = text.toLowerCase();
  for (const rule of PERIOD_RULES) {
    const m = rule.re.exec(text);
    if (!m) continue;
    const r = rule.resolve(m, t, low, tense);
    if (!r) continue;
    return { from: r[0] && iso(r[0]), to: r[1] && iso(r[1]), start: m.index, end: m.index + m[0].length };
  }
  const d = findDate(text, today, tense === 'ahead');
  if (!d) return undefined;
  const head = text.slice(0, d.start);
  // "between dec 10 and dec 20", "from jan 5 to jan 9": both ends.
  const join = /^\s*(?:and|to|until|till|through|thru|-|–)\s*/i.exec(text.slice(d.end));
  const end =
    join && /\b(?:between|from)\s*$/i.test(head) ? findDate(text.slice(d.end + join[0].length), today) : undefined;
  if (end && end.start === 0 && end.date >= d.date)
    return { from: d.date, to: end.date, start: d.start, end: d.end + join![0].length + end.end };
  if (BOUND_BEFORE.test(head) || /^\s*(by|before|until|till)\b/i.test(text.slice(d.start))) {
    return { to: d.date, start: d.start, end: d.end };
  }
  if (BOUND_AFTER.test(head)) return { from: d.date, start: d.start, end: d.end };
  return { from: d.date, to: d.date, start: d.start, end: d.end };
}

// --- impossible dates --------------------------------------------------------------------------

const NAMED_DAY = new RegExp(
  String.raw`\b(${MONTH_SRC})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(20\d{2})\b)?|\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(${MONTH_SRC})\b(?:,?\s+(20\d{2})\b)?`,
  'gi',
);
const NUMERIC_DAY = /\b(?:on|by|due|before|until|till|for)\s+(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?\b/gi;

// Without a year, Feb 29 counts as real (it is, in a leap year).
const realDay = (month: number, day: number, year = 2000) =>
  month >= 1 && month <= 12 && day >= 1 && day <= lastOfMonth(year, month).getUTCDate();

/** A calendar date as written that does not exist ("Feb 30", "31st of April", "on 13/13"), so it can be asked about. */
export function findImpossibleDate(text: string): string | undefined {
  NAMED_DAY.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = NAMED_DAY.exec(text)); ) {
    const month = MONTHS.indexOf((m[1] ?? m[5]).toLowerCase().slice(0, 3)) + 1;
    if (!realDay(month, Number(m[2] ?? m[4]), yearOf(m[3] ?? m[6]))) return m[0].trim();
  }
  NUMERIC_DAY.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = NUMERIC_DAY.exec(text)); ) {
    const [a, b, y] = [Number(m[1]), Number(m[2]), yearOf(m[3])];
    if (!realDay(a, b, y) && !realDay(b, a, y)) return `${m[1]}/${m[2]}${m[3] ? `/${m[3]}` : ''}`;
  }
  return undefined;
}
