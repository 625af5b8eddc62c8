/**
 * Reading a message as the next turn of a conversation, deterministically: the answer to the assistant's question,
 * a correction of the write waiting for confirmation, a follow-up to the last question, a reference to what was
 * talked about ("it", "her", "that deal"), or a new request. Each reading is one extractor run on the message and
 * merged into the earlier request by fixed rules; anything else is read as if it came alone.
 */
import { type Action, specOf, validateAction } from '../../actions/index.ts';
import type { DialogueContext, Focus } from '../dialogue.ts';
import { PRIORITY } from '../intents.ts';
import { clean, extractAs, type ParseOptions, type Trace, trace } from './index.ts';
import { isPerson } from './names.ts';

const FREE_TEXT = new Set(['summary', 'followUp', 'text', 'note', 'outcome', 'nextStep', 'lossReason', 'question']);
/** The fields that name a record: kept from the earlier request unless the message corrects them. */
const ENTITY = new Set(['contact', 'account', 'deal', 'subject', 'name', 'query', 'case', 'request', 'task']);
/** Fields a query's follow-up replaces together: a new period replaces both ends; an owner replaces a team. */
const TOGETHER: Record<string, string[]> = {
  from: ['from', 'to'],
  to: ['from', 'to'],
  owner: ['owner', 'team'],
  team: ['owner', 'team'],
};

const PRONOUN =
  /^(?:it|its|this|that|these|those|him|her|them|this one|that one|the deal|this deal|that deal|the case|this case|that case|this account|that account|the account|same)$/i;
const REFERS = /\b(?:it|its|this|that|him|her|them|the deal|this deal|that deal|the case|this case|that one)\b/i;
/** "it" as a case or request: what `aboutFocus` spells out. */
const RECORD_REF = /\b(?:this one|that one|the case|this case|the request|it|this|that)\b/i;
/** "sorry, I meant the Globex one", "no, it's Dana Reyes", "not Initech, Globex". */
const MEANT =
  /\b(?:i meant|i mean|meant|it'?s|it is|it should be|should be|not [^,]+?,\s*(?:but\s+)?|wrong \w+,?\s*(?:it'?s\s+)?)\s*(?:the\s+)?([\p{L}\d][\p{L}\d&.' -]*?)(?:\s+(?:one|deal|account|instead|please))?\s*[.!?]*$/iu;
const CORRECTS = /\b(?:meant|mean|instead|wrong|actually|sorry|should be|make (?:it|that)|change (?:it|that)|not\b)/i;
/** Words that open a follow-up: "and for last quarter?", "what about Ines", "just the won ones", "by team". */
const FOLLOWS =
  /^(?:and|what about|how about|same|just|only|now|ok|okay|also|then|but|split|break|by|group|compare|vs|versus|show|for|in|with|without|excluding|what'?s that|that|those|them)\b/i;
/** Metric words: a follow-up changes the metric only when it names one ("what's that worth altogether"). */
const METRIC_WORDS =
  /\b(?:total|sum|worth|altogether|how much|count|how many|number of|forecast|win ?rate|stuck|stale|top|biggest|largest|list|which deals|show (?:me )?(?:the )?deals|average|avg|cycle|conversion|attainment|quota|coverage|chang|slipp|pushed)/i;

type Fields = Record<string, unknown>;
const fieldsOf = ({ type: _type, ...rest }: Fields) => rest;

/** What one extractor understood of the message, whether or not it was enough for a whole request. */
function fragment(
  type: string,
  text: string,
  opts: ParseOptions,
  base?: Action,
): { fields: Fields; complete: boolean } {
  const t = extractAs(type, text, opts, base);
  if (t.action.type !== 'clarify') return { fields: fieldsOf(t.action), complete: true };
  return { fields: t.asked?.type === type ? fieldsOf(t.asked.partial) : {}, complete: false };
}

function valid(candidate: Fields): Action | undefined {
  const checked = validateAction(candidate);
  return checked.ok ? checked.action : undefined;
}

/** A fresh reading that starts something new: a whole request named at the start, or a question of its own. */
function startsAfresh(fresh: Trace, than?: string): boolean {
  const w = fresh.decision.winner;
  // "what's the latest on them": a request of its own, even while it waits for the record "them" stands for.
  const type = fresh.action.type === 'clarify' ? fresh.asked?.type : fresh.action.type;
  if (!w || !type || type === than) return false;
  if (type === 'undo' || type === 'help') return true;
  const reads = specOf(type)?.writes === false;
  return w.rule.priority >= PRIORITY.explicit ? w.at <= 3 || reads : reads && w.rule.priority >= PRIORITY.question;
}

/** "him" in "log a call with him" is the person talked about; "it" in "move it to …" the deal or case. */
function withFocus(action: Action, focus: Focus | undefined): Action {
  if (!focus) return action;
  const a: Fields = { ...action };
  for (const [k, v] of Object.entries(a)) {
    if (!ENTITY.has(k) || typeof v !== 'string' || !PRONOUN.test(v.trim())) continue;
    const named = focusFor(action.type, k, focus);
    if (named) a[k] = named;
    else delete a[k];
  }
  return valid(a) ?? action;
}

function focusFor(type: string, field: string, focus: Focus): string | undefined {
  if (field === 'deal') return focus.deal ?? focus.account;
  if (field === 'case') return focus.case;
  if (field === 'request') return focus.request;
  if (field === 'account') return focus.account;
  if (field === 'query') return focus.contact ?? focus.account;
  if (type === 'account.create') return undefined;
  return focus.contact;
}

const PERSON_PRONOUN =
  /\b(with|to|for|call|called|email|emailed|ping|pinged|text|texted|meet|met|remind|about|on|send|sent|tell|told|ask|asked|give|gave|show|showed|thank|invite|invited|brief|update)\s+(him|her)\b/gi;

/** The message with "him"/"her" after a verb or preposition spelled out as the person talked about. */
function spellOut(text: string, focus: Focus | undefined): string {
  const person = focus?.contact;
  return person ? text.replace(PERSON_PRONOUN, (_m, before: string) => `${before} ${person}`) : text;
}

/** A missing record filled from the focus when the message refers to it ("and set its close date to …"). */
function filledFromFocus(t: Trace, text: string, focus: Focus | undefined): Action | undefined {
  // "also set the next step to security review" goes on about the record just talked about, as "it" does.
  if (!focus || !t.asked || !(REFERS.test(text) || /^(?:also|and|then|now|plus)\b/i.test(text.trim())))
    return undefined;
  const named = focusFor(t.asked.type, t.asked.field, focus);
  return named ? valid({ ...t.asked.partial, [t.asked.field]: named }) : undefined;
}

/** The correction's new name for the record ("I meant the Globex one" -> Globex) and the field it replaces. */
function corrected(base: Action, text: string): Fields {
  const m = MEANT.exec(clean(text));
  const value = m?.[1]?.trim();
  if (!value || PRONOUN.test(value) || /^\d+(?:\s|$)|\b(?:minutes?|mins?|hours?|k)\b/i.test(value)) return {};
  const has = (k: string) => k in base;
  const field =
    base.type === 'activity.log' || base.type === 'task.create'
      ? isPerson(value) && has('contact')
        ? 'contact'
        : has('account')
          ? 'account'
          : 'contact'
      : ['deal', 'subject', 'query', 'name', 'account', 'case', 'contact'].find(has);
  return field ? { [field]: value } : {};
}

/** "reason: went with a competitor", "her title is Head of Marketing", "note: …": a field named outright. */
const LABELLED: [RegExp, string, string[]][] = [
  [/^(?:the\s+)?(?:loss\s+)?reason(?:\s+(?:is|was))?\s*[:\-–—]?\s*(.+)$/i, 'lossReason', ['deal.update']],
  [/^(?:the\s+)?next\s+step(?:\s+is)?\s*[:\-–—]?\s*(.+)$/i, 'nextStep', ['deal.update']],
  [/^(?:(?:his|her|their|the)\s+)?(?:job\s+)?title(?:\s+is)?\s*[:\-–—]?\s*(.+)$/i, 'title', ['contact.create']],
  [
    /^(?:(?:his|her|their|the)\s+)?(?:phone|number|mobile|cell)(?:\s+is)?\s*[:\-–—]?\s*(\+?[\d ()./-]{6,})$/i,
    'phone',
    ['contact.create'],
  ],
  [/^(?:add\s+(?:a\s+)?)?note\s*[:\-–—]\s*(.+)$/i, 'note', ['escalation.update', 'case.note']],
  [
    /^(?:(?:set|change|make)\s+)?(?:the\s+)?(?:severity|priority)\s*(?:to|as|=|:)?\s*(low|medium|high|urgent)$/i,
    'severity',
    ['escalation.create', 'escalation.update'],
  ],
  [/^(?:the\s+)?summary\s*[:\-–—]\s*(.+)$/i, 'summary', ['activity.log', 'escalation.create']],
  [/^(?:call|name)\s+it\s+["'‘“]([^"'’”]{2,80})["'’”]/i, 'name', ['deal.create']],
];

/** The pending write with what the message changes: values replace, free text only where there was none. */
function correct(base: Action, text: string, opts: ParseOptions): Action | undefined {
  const said = text.trim().replace(/[.!]+$/, '');
  for (const [re, field, types] of LABELLED) {
    const m = types.includes(base.type) ? re.exec(said) : null;
    if (!m) continue;
    const labelled = valid({ ...base, [field]: field === 'severity' ? m[1].toLowerCase() : m[1].trim() });
    // "call it 'Nile rollout' and put it in discovery": the rest of the message may change more.
    const rest = said.slice(m.index + m[0].length).replace(/^\s*(?:,|and)\s*/i, '');
    return labelled && rest ? (correct(labelled, rest, opts) ?? labelled) : labelled;
  }
  // "make it 25": a bare number is the one number the write has.
  const bare = /^(?:no,?\s*|actually,?\s*)?(?:make|change)\s+(?:it|that)\s+(?:to\s+)?(\d+(?:\.\d+)?)\s*[.!]*$/i.exec(
    said,
  );
  const numeric = ['durationMinutes', 'amount', 'limit', 'staleDays'].filter((k) => k in base);
  if (bare && numeric.length === 1) return valid({ ...base, [numeric[0]]: Number(bare[1]) });
  // "it's for Sam Okoye, not Priya": the field that said Priya.
  const not = /^(.*?),?\s+not\s+(?:the\s+)?([\p{L}][\p{L}&.' -]*?)\s*[.!]*$/u.exec(said);
  const replaced =
    not && Object.keys(base).find((k) => String((base as Fields)[k]).toLowerCase() === not[2].toLowerCase());
  const instead =
    not &&
    nameIn(not[1].replace(/^(?:actually|sorry|no)[,\s]+/i, '').replace(/^(?:it'?s|it is|make it)\s+(?:for\s+)?/i, ''));
  if (replaced && instead) return valid({ ...base, [replaced]: instead });
  const { fields } = fragment(base.type, text, opts);
  const cue = CORRECTS.test(text);
  const merged: Fields = { ...base };
  for (const [k, v] of Object.entries(fields)) {
    if (FREE_TEXT.has(k) && k in base) continue;
    if (ENTITY.has(k) && k in base && (!cue || (typeof v === 'string' && PRONOUN.test(v)))) continue;
    if (k === 'kind' && base.type === 'activity.log' && !/\b(?:call|meeting|email|note)\b/i.test(text)) continue;
    merged[k] = v;
  }
  Object.assign(merged, cue ? corrected(base, text) : {});
  const changed = Object.keys(merged).some((k) => JSON.stringify(merged[k]) !== JSON.stringify((base as Fields)[k]));
  return changed ? valid(merged) : undefined;
}

/** The last question with what the follow-up replaces ("and in proposal?", "by team", "show 5"). */
function follow(last: Action, text: string, opts: ParseOptions): Action | undefined {
  const { fields } = fragment(last.type, text, opts, last);
  const low = clean(text).toLowerCase();
  const after = /\bthe (month|quarter|week|year) (after|before)\b/.exec(low);
  const { from, to } = last as Fields;
  if (after && typeof from === 'string' && typeof to === 'string')
    Object.assign(fields, shifted(from, to, after[1], after[2] === 'after' ? 1 : -1));
  const limit = /\b(?:show|top|just|only|first|make (?:it|that))\s+(?:me\s+)?(?:the\s+)?(?:top\s+)?(\d{1,3})\b/.exec(
    low,
  )?.[1];
  if (limit && 'limit' in last) fields.limit = Number(limit);
  if ('metric' in fields && !METRIC_WORDS.test(low)) delete fields.metric;
  if (!Object.keys(fields).length) return undefined;
  const merged: Fields = { ...last };
  for (const k of Object.keys(fields)) for (const gone of TOGETHER[k] ?? []) delete merged[gone];
  return valid({ ...merged, ...fields });
}

/** A period moved by one month, quarter, week or year ("and the month after?"). */
function shifted(from: string, to: string, unit: string, by: number): { from: string; to: string } {
  const d = new Date(`${from}T00:00:00Z`);
  if (unit === 'week') {
    const move = (iso: string) =>
      new Date(Date.parse(`${iso}T00:00:00Z`) + by * 7 * 86_400_000).toISOString().slice(0, 10);
    return { from: move(from), to: move(to) };
  }
  const months = unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12;
  const start = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + by * months, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + months, 0));
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
}

export function readInContext(text: string, opts: ParseOptions, context: DialogueContext): Action {
  const spelled = spellOut(text, context.focus);
  const fresh = trace(spelled, opts);
  fresh.action = personFromFocus(fresh.action, text, context.focus);
  const words = clean(text).split(/\s+/).filter(Boolean).length;

  const asked = context.asked ? trace(context.asked, opts) : undefined;
  if (asked?.action.type === 'clarify' && !startsAfresh(fresh, asked.asked?.type)) {
    const answered = trace(`${context.asked}, ${spelled}`, opts).action;
    if (answered.type !== 'clarify' && (!asked.asked || answered.type === asked.asked.type)) return answered;
    const named = asked.asked && ENTITY.has(asked.asked.field) ? nameIn(text) : undefined;
    const filled = named && valid({ ...asked.asked!.partial, [asked.asked!.field]: named });
    if (filled) return filled;
  }
  // The write waiting for a yes, or a whole request the assistant asked about ("which deal?", "that date is past").
  const base = context.pending ?? context.question;
  if (base && !startsAfresh(fresh, base.type)) {
    const sameRequestAgain = fresh.action.type === base.type && !CORRECTS.test(text) && words > 6;
    const edit = sameRequestAgain ? undefined : correct(base, spelled, opts);
    if (edit) return edit;
  }
  const last = context.last;
  const otherRequest = fresh.asked && fresh.asked.type !== last?.type;
  if (
    last &&
    specOf(last.type)?.writes === false &&
    last.type !== 'help' &&
    !startsAfresh(fresh, last.type) &&
    !otherRequest
  ) {
    const followsOn =
      FOLLOWS.test(clean(text)) ||
      /\b(?:that|those|them)\b/i.test(text) ||
      words <= 4 ||
      fresh.action.type === 'clarify';
    const next = followsOn && (fresh.action.type === last.type || fresh.action.type === 'clarify' || words <= 4);
    const merged = next ? follow(last, spelled, opts) : undefined;
    if (merged) return merged;
  }
  const about = filledFromFocus(fresh, text, context.focus) ?? withFocus(fresh.action, context.focus);
  const onRecord = /^(?:case|escalation|data_request)\./.test(context.last?.type ?? context.pending?.type ?? '');
  return about.type === 'clarify' || onRecord ? (aboutFocus(text, opts, context.focus) ?? about) : about;
}

/** The answer to "which deal?" / "which account?": the name in it ("the Vandelay Industries deal", "on Hooli"). */
function nameIn(text: string): string | undefined {
  const name = clean(text)
    .replace(/^(?:(?:it'?s|it is|that'?s|i mean|for|on|at|with|to|about)\s+)+/i, '')
    .replace(/^the\s+/i, '')
    .replace(/\s+(?:one|deal|account|opportunity|please|pls)\s*[.!?]*$/i, '')
    .replace(/[.!?]+$/, '')
    .trim();
  return name && name.split(/\s+/).length <= 5 && !PRONOUN.test(name) ? name : undefined;
}

/** "assign it to Lucía", "add a note to it: …", "approve it": "it" is the case, deal or request talked about last. */
function aboutFocus(text: string, opts: ParseOptions, focus: Focus | undefined): Action | undefined {
  const record = focus?.case ? `case ${focus.case}` : focus?.request ? `request ${focus.request}` : undefined;
  if (!record || !RECORD_REF.test(text)) return undefined;
  const spelled = text.replace(RECORD_REF, record);
  const t = trace(spelled, opts).action;
  return t.type === 'clarify' ? undefined : t;
}

/** "log a meeting with her" after Keiko Tanaka was named: she is the contact, not an account called Keiko Tanaka. */
function personFromFocus(action: Action, text: string, focus: Focus | undefined): Action {
  const person = focus?.contact;
  const a = action as Fields;
  if (!person || a.account !== person || !/\b(?:him|her|them)\b/i.test(text)) return action;
  const { account: _was, ...rest } = a;
  return valid({ ...rest, contact: person }) ?? action;
}
