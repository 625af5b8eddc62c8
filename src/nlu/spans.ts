/**
 * One span-resolution step. Finders propose spans of the cleaned text (dates and periods, times, amounts,
 * durations, emails, phone numbers, record numbers), each with a confidence; overlapping proposals are settled
 * once, here, so that "15m call" is a duration and "$15m deal" an amount whatever an extractor looks for first.
 * Extractors take the settled spans they need (`Spans.take`), which `--explain` reports.
 */
import { findAmounts } from './offline/amounts.ts';
import { findDate, findPeriod } from './offline/dates.ts';
import { findDuration } from './offline/durations.ts';

interface Base {
  start: number;
  end: number;
  text: string;
  confidence: number;
}

export type Span = Base &
  (
    | { kind: 'email'; value: string }
    | { kind: 'phone'; value: string }
    /** A date or a period, read both ways: a due date wants `date`, a question about a quarter `from`/`to`. */
    | { kind: 'when'; date?: string; from?: string; to?: string }
    /** A time of day, HH:MM, with the date it implies ("eod" is today at 17:00; "in 2 hours" is a date and a time). */
    | { kind: 'time'; time: string; date?: string }
    | { kind: 'amount'; value: number }
    | { kind: 'duration'; minutes: number }
    | { kind: 'record'; of: 'case' | 'request' | 'task'; number: string }
  );
export type SpanKind = Span['kind'];
export type SpanOf<K extends SpanKind> = Extract<Span, { kind: K }>;

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi;
const PHONE = /(?<![\w@.])\+?\(?\d[\d\s().-]{6,22}\d(?![\w@])/g;
const RECORD =
  /\b(?:(case|ticket|escalation|incident|esc|tkt|inc)|(request|req|dsr|dsar)|(task|todo))\s*(?:#|no\.?|number|-)?\s*#?(\d{1,12})\b|(?:^|\s)#(\d{1,12})\b/gi;
const TIME =
  /\b(?:at|by|@|around|before|after)?\s*(\d{1,2})(?::([0-5]\d))?\s*(am|pm|a\.m\.|p\.m\.)(?![\w])|\b(?:at|by|@|around|before|after)\s+(\d{1,2}):([0-5]\d)\b|\b(\d{1,2}):([0-5]\d)\s*(?:h|hrs)?\b|\b(?:at|by|around)\s+(noon|midday|midnight)\b|\b(eod|end of (?:the )?(?:business )?day|close of business|cob)\b|\b(?:(?:at|by|until|till|around|say|like)\s+)?(\d{1,2})\s*(?:o'?clock)\b|\b(?:at\s+)?(?:like\s+|around\s+|about\s+)?(\d{1,2})(?::([0-5]\d))?\s+in the (morning|afternoon|evening)\b|\b(morning|afternoon|evening)\s+(?:at|around)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?::([0-5]\d))?\b(?!\s*(?:am|pm|%|k\b|min|hour|day|week))/gi;
const IN_HOURS = /\bin\s+(?:(\d{1,2})|an?|one|two|three|four|five|six)\s+(hours?|hrs?|minutes?|mins?)\b/gi;
const HOUR_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6 };

/** The end of the working day, for "eod": 17:00 in the asker's time zone (the contract's reading). */
export const END_OF_DAY = '17:00';

const CLOCK_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const pad = (n: number) => String(n).padStart(2, '0');

/** Every match of a finder that returns the first one: the found span is blanked and the text searched again. */
function all<T extends { start: number; end: number }>(text: string, find: (t: string) => T | undefined, max = 6): T[] {
  const out: T[] = [];
  let masked = text;
  for (let i = 0; i < max; i++) {
    const hit = find(masked);
    if (!hit || hit.end <= hit.start) break;
    out.push(hit);
    masked = masked.slice(0, hit.start) + ' '.repeat(hit.end - hit.start) + masked.slice(hit.end);
  }
  return out;
}

function times(text: string, now?: Date): Span[] {
  const out: Span[] = [];
  TIME.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = TIME.exec(text)); ) {
    let hour: number | undefined;
    let minute = 0;
    if (m[1]) {
      hour = Number(m[1]) % 12;
      minute = Number(m[2] ?? 0);
      if (/^p/i.test(m[3])) hour += 12;
    } else if (m[4]) [hour, minute] = [Number(m[4]), Number(m[5])];
    else if (m[6]) [hour, minute] = [Number(m[6]), Number(m[7])];
    else if (m[8]) hour = m[8].toLowerCase() === 'midnight' ? 0 : 12;
    else if (m[9]) {
      const [h, min] = END_OF_DAY.split(':').map(Number);
      [hour, minute] = [h, min];
    } else if (m[10]) {
      hour = Number(m[10]);
      if (hour < 8) hour += 12; // "by 5 o'clock" in a working day is the afternoon
    } else if (m[11] || m[15]) {
      // "10 in the morning", "tomorrow morning at nine", "afternoon at 3"
      const h = m[11] ?? m[15];
      hour = /^\d/.test(h) ? Number(h) : CLOCK_WORDS.indexOf(h.toLowerCase()) + 1;
      minute = Number(m[12] ?? m[16] ?? 0);
      if (!/^m/i.test(m[13] ?? m[14]) && hour < 12) hour += 12;
    }
    if (hour === undefined || hour > 23 || minute > 59) continue;
    const lead = /^\s*/.exec(m[0])![0].length;
    out.push({
      kind: 'time',
      time: `${pad(hour)}:${pad(minute)}`,
      start: m.index + lead,
      end: m.index + m[0].length,
      text: m[0].trim(),
      confidence: 0.85,
    });
  }
  if (now) {
    IN_HOURS.lastIndex = 0;
    for (let m: RegExpExecArray | null; (m = IN_HOURS.exec(text)); ) {
      const n = m[1] ? Number(m[1]) : HOUR_WORDS[m[0].split(/\s+/)[1].toLowerCase()];
      const minutes = /^h/i.test(m[2]) ? n * 60 : n;
      const at = new Date(now.getTime() + minutes * 60_000);
      const local = at.toISOString();
      out.push({
        kind: 'time',
        time: local.slice(11, 16),
        date: local.slice(0, 10),
        start: m.index,
        end: m.index + m[0].length,
        text: m[0],
        confidence: 0.9,
      });
    }
  }
  return out;
}

function records(text: string): Span[] {
  const out: Span[] = [];
  RECORD.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = RECORD.exec(text)); ) {
    const number = m[4] ?? m[5];
    const of = m[2] ? 'request' : m[3] ? 'task' : 'case';
    const lead = m[5] ? m[0].indexOf('#') : 0;
    out.push({
      kind: 'record',
      of,
      number,
      start: m.index + lead,
      end: m.index + m[0].length,
      text: m[0].trim(),
      confidence: 0.9,
    });
  }
  return out;
}

/** How sure an amount is: a currency sign or a unit make it money; "15m" next to a call is rather a duration. */
function amountConfidence(text: string, start: number, end: number): number {
  const raw = text.slice(start, end);
  if (/[$€£]|\b(?:k|grand|mil|million|bn|billion|usd|eur|gbp)\b/i.test(raw)) return 0.8;
  if (/\d\s?m$/i.test(raw)) return 0.55;
  return 0.6;
}

function durationConfidence(text: string, start: number, end: number): number {
  const raw = text.slice(start, end);
  if (!/\d\s?m$/i.test(raw)) return 0.8;
  // "15m": minutes beside an activity, millions beside money words.
  const around = text.slice(Math.max(0, start - 30), end + 30).toLowerCase();
  return /\b(?:call|calls|meeting|chat|spoke|talked|met|demo|sync|convo)\b/.test(around) ? 0.7 : 0.5;
}

/** Proposes every span of the text and settles overlaps: higher confidence first, then the longer span. */
export function findSpans(text: string, today: string, now?: Date): Span[] {
  const proposals: Span[] = [];
  for (const m of text.matchAll(EMAIL)) {
    proposals.push({
      kind: 'email',
      value: m[0],
      start: m.index,
      end: m.index + m[0].length,
      text: m[0],
      confidence: 1,
    });
  }
  for (const m of text.matchAll(PHONE)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15 || /^\d{4}-\d{2}-\d{2}$/.test(m[0].trim())) continue;
    proposals.push({
      kind: 'phone',
      value: m[0].trim(),
      start: m.index,
      end: m.index + m[0].length,
      text: m[0],
      confidence: 0.9,
    });
  }
  proposals.push(...records(text));
  for (const d of all(text, (t) => findDate(t, today, true))) {
    proposals.push({
      kind: 'when',
      date: d.date,
      start: d.start,
      end: d.end,
      text: text.slice(d.start, d.end),
      confidence: 0.8,
    });
  }
  for (const p of all(text, (t) => findPeriod(t, today))) {
    proposals.push({
      kind: 'when',
      from: p.from,
      to: p.to,
      start: p.start,
      end: p.end,
      text: text.slice(p.start, p.end),
      confidence: 0.78,
    });
  }
  proposals.push(...times(text, now));
  for (const d of all(text, findDuration)) {
    proposals.push({
      kind: 'duration',
      minutes: d.minutes,
      start: d.start,
      end: d.end,
      text: text.slice(d.start, d.end),
      confidence: durationConfidence(text, d.start, d.end),
    });
  }
  for (const a of findAmounts(text)) {
    proposals.push({
      kind: 'amount',
      value: a.value,
      start: a.start,
      end: a.end,
      text: text.slice(a.start, a.end),
      confidence: amountConfidence(text, a.start, a.end),
    });
  }
  return settle(mergeWhens(proposals));
}

/** A date reading and a period reading of the same words are one span with both readings. */
function mergeWhens(spans: Span[]): Span[] {
  const whens = spans.filter((s): s is SpanOf<'when'> => s.kind === 'when');
  const out: Span[] = spans.filter((s) => s.kind !== 'when');
  const merged: SpanOf<'when'>[] = [];
  for (const w of whens.sort((a, b) => a.start - b.start || b.end - a.end)) {
    const same = merged.find((o) => o.start < w.end && w.start < o.end);
    if (!same) {
      merged.push({ ...w });
      continue;
    }
    same.date ??= w.date;
    same.from ??= w.from;
    same.to ??= w.to;
    same.start = Math.min(same.start, w.start);
    same.end = Math.max(same.end, w.end);
  }
  return [...out, ...merged];
}

function settle(proposals: Span[]): Span[] {
  const kept: Span[] = [];
  const ranked = [...proposals].sort((a, b) => b.confidence - a.confidence || b.end - b.start - (a.end - a.start));
  for (const p of ranked) if (!kept.some((k) => k.start < p.end && p.start < k.end)) kept.push(p);
  return kept.sort((a, b) => a.start - b.start);
}

/** The settled spans of one message, with a record of which ones the extractor took (for `--explain`). */
export class Spans {
  readonly taken = new Set<Span>();
  constructor(readonly all: readonly Span[]) {}

  /** The first span of a kind at or after `from` (and before `to`), not taken yet; it is then taken. */
  take<K extends SpanKind>(
    kind: K,
    { from = 0, to = Number.POSITIVE_INFINITY, where }: TakeOptions<K> = {},
  ): SpanOf<K> | undefined {
    const span = this.all.find(
      (s): s is SpanOf<K> =>
        s.kind === kind && !this.taken.has(s) && s.start >= from && s.end <= to && (!where || where(s as SpanOf<K>)),
    );
    if (span) this.taken.add(span);
    return span;
  }

  /** Every span of a kind, taken or not. */
  of<K extends SpanKind>(kind: K): SpanOf<K>[] {
    return this.all.filter((s): s is SpanOf<K> => s.kind === kind);
  }

  /** The text with the taken spans blanked out (same length, so offsets stay valid). */
  blank(text: string, spans: Iterable<Span> = this.taken): string {
    let out = text;
    for (const s of spans) out = out.slice(0, s.start) + ' '.repeat(s.end - s.start) + out.slice(s.end);
    return out;
  }
}

interface TakeOptions<K extends SpanKind> {
  from?: number;
  to?: number;
  where?: (span: SpanOf<K>) => boolean;
}
