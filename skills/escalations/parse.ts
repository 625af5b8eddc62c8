/** escalation.create, escalation.update and case.metrics (support cases). */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { findPeriod } from '../../src/nlu/offline/dates.ts';
import { companyOf, isPerson, people } from '../../src/nlu/offline/names.ts';
import { isThingNoun, takeEntity, tidy } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type EscalationCreate = Extract<Action, { type: 'escalation.create' }>;
type Severity = EscalationCreate['severity'];
type Category = EscalationCreate['category'];

const SEVERITY: [NonNullable<Severity>, RegExp][] = [
  [
    'urgent',
    /(?<!\bnot )\burgent\b|(?<!\bnot )\bcritical\b|\bsev[- ]?[01]\b|\bp[01]\b|\basap\b|\bemergency\b|\bblocker\b|\btop[- ]priority\b/,
  ],
  ['high', /\bhigh[- ](?:priority|severity|pri|sev)\b|\bsev[- ]?2\b|\bp2\b/],
  ['medium', /\b(?:medium|normal|moderate)[- ](?:priority|severity|pri|sev)\b|\bsev[- ]?3\b|\bp3\b/],
  [
    'low',
    /\bnot (?:urgent|critical)\b|\blow[- ](?:priority|severity|pri|sev)\b|\bsev[- ]?4\b|\bminor\b|\bnot urgent\b/,
  ],
];

// Order matters: a leak that also takes a site down is a security case.
const CATEGORY: [NonNullable<Category>, RegExp][] = [
  [
    'security',
    /\bdata (?:leak|breach)\b|\bleak(?:ed|ing)?\b|\bbreach\b|\bhack(?:ed)?\b|\bphishing\b|\bunauthori[sz]ed\b|\bcompromised\b|\bsecurity\b|\bvulnerab/,
  ],
  [
    'outage',
    /\b(?:is|are|went|been|goes|going) down\b|\b(?:site|app|platform|portal|servers?|prod|production|system|service|website|checkout|dashboard|everything)\s+(?:(?:is|are|was|went)\s+)?down\b|\boutage\b|\boffline\b|\bunreachable\b|\bunavailable\b|\bnot loading\b|\bcan'?t (?:access|reach|load)\b|\bnothing works\b/,
  ],
  [
    'account',
    /\b(?:change|update|add|remove)\b.*\b(?:billing )?(?:contact|admin|owner|users?|seats?)\b|\bpassword reset\b|\bsso\b|\b(?:can'?t|cannot|unable to) (?:log ?in|login|sign in)\b|\blocked out\b|\btransfer (?:the )?account\b|\bcancel(?:lation)?\b.*\b(?:account|subscription)\b/,
  ],
  [
    'billing',
    /\binvoices?\b|\bcharged\b|\bbilled\b|\bovercharg|\brefund\b|\bbilling\b|\bpayments?\b|\bcredit card\b|\bpricing error\b/,
  ],
  [
    'technical',
    /\b[45]\d\d(?:s)?\b|\berrors?\b|\bbugs?\b|\bcrash(?:es|ed|ing)?\b|\bbroken\b|\bfail(?:s|ed|ing|ure)?\b|\btimeouts?\b|\btim(?:es?|ing) out\b|\bapi\b|\bintegration\b|\bslow\b|\bsync(?:ing)? (?:issue|problem)\b|\bnot working\b/,
  ],
];

// Severity as the user set it ("treat it as high", "sev high", "priority: urgent") outranks what the words suggest.
const SEVERITY_SAID =
  /\b(?:sev(?:erity)?|priority|pri|prio)\s*[:=]?\s*(urgent|critical|high|medium|low)\b|\b(?:treat|mark|flag|log|file|set|make|put|escalate|raise)\s+(?:it|this|that)?\s*(?:as\s+)?(?:a\s+)?(urgent|critical|high|medium|low)\b(?!\s+(?:volume|number|usage|load))/;

const TRIGGERS = [
  /^\s*(?:(?:low|medium|normal|high|urgent|critical|top)(?:[- ](?:priority|severity|pri|sev))?|sev[- ]?[0-4]|p[0-3])\b[\s!:,\-–]*(?=\S)/i,
  /^\s*(?:[\w']+\s+){0,3}?escalat\w*(?:\s+(?:this|that|it))?(?:\s+to\s+[\w-]+(?:\s+\d)?)?\s*[:\-–]\s*/i,
  /^\s*(?:please\s+)?escalat\w*(?:\s+(?:this|that|it))?(?:\s+to\s+(?:support|engineering|tier \d|l\d))?\s*[:,-]?\s*/i,
  /[\s,;.-]*(?:please\s+)?escalat\w*(?:\s+(?:this|that|it))?(?:\s+(?:please|asap|now|as\s+(?:urgent|high|critical|low|medium)))?[\s.!]*$/i,
  /^\s*(?:i\s+)?(?:need|want|would like|have)\s+to\s+(?:raise|open|log|file|create)\s+(?:a|an)\s+(?:new\s+)?(?:escalation|case|ticket)\b[.:,!]?\s*/i,
  /^\s*(?:open|create|raise|file|log|submit|start|new)\s+(?:a\s+|an\s+|new\s+)*(?:[\w-]+\s+){0,2}?(?:case|ticket|incident|escalation)\b\s*/i,
  /^\s*esc\s*[:\-–]\s*/i,
  /^\s*(?:(?:low|medium|normal|high|urgent|critical|top)[- ](?:priority|severity|pri|sev)|sev[- ]?[0-4]|p[0-3]|urgent)\s*[:,-]\s*/i,
];
const ACCOUNT_PREP = /^\s*(?:for|at|from|on behalf of|with)\s+/i;
const ROLE_BEFORE_NAME =
  /^\s*(?:(?:the|our|a|one)\s+)?(?:customer|client|user|contact)\s+(?!(?:success|support|service|care|team|at|from|of|for|is|was|are|were|says?|said|reports?|reported|writes|wrote|has|had|can'?t|cannot)\b)(?=[\p{L}])/iu;
// "globex - suspected breach": a name set off by a dash or colon opens the story.
const SET_OFF = /^\s*[-–:]\s+/;
const REPORTS =
  /^\s*(?:says?|said|reports?|reported|reporting|is reporting|are reporting|thinks?|believes?|claims?|mentions?|mentioned|tells us|told us|complain(?:s|ed)?(?: that)?|noticed|flagged|is seeing|are seeing|sees|has|have|was|were|is|are|cannot|can'?t|can not|wants?|needs?|asking|asks|requesting|requests|getting|gets|seeing|experiencing|having|facing|hit|hitting|keeps|lost|got|'s)\b\s*(?:that\s+)?/i;
const REPORTS_KEEP =
  /^\s*(?:cannot|can'?t|can not|wants?|needs?|is|are|has|have|asking|asks|requesting|requests|getting|gets|seeing|experiencing|having|facing|hit|hitting|keeps|lost)\b/i;

export function parseEscalationCreate(ctx: Ctx): ActionInput {
  let text = ctx.text;
  for (const re of TRIGGERS) text = text.replace(re, ' ');
  text = tidy(text);
  const action: Partial<EscalationCreate> = { type: 'escalation.create' };

  // "Customer Paul Smith at Soylent ...": the role word before a name is not part of it.
  text = text.replace(ROLE_BEFORE_NAME, '');
  const prep = ACCOUNT_PREP.exec(text);
  const first = takeEntity(text, prep ? prep[0].length : 0);
  const who = first && !isCommonWord(first.text.split(' ')[0]) ? first : undefined;
  const after = who ? text.slice(who.end) : '';
  const atAccount = who && /^\s*(?:at|from|of)\s+/i.exec(after);
  const afterAt = atAccount ? after.slice(takeEntity(after, atAccount[0].length)?.end ?? 0) : after;
  const verb = who && REPORTS.exec(afterAt);
  const possessive = who && /'s$/i.test(text.slice(0, who.end));
  // "acme checkout is down": a company followed by one of its things.
  const thing = who && isThingNoun(/^\s*([\p{L}]+)/u.exec(after)?.[1] ?? '');
  if (who && (possessive || thing)) {
    // "jane doe issue", "acme checkout": whose thing it is, a person or a company.
    if (isPerson(who.text)) action.contact = who.text;
    else action.account = who.text;
    if (thing) text = tidy(after);
  } else if (who && (prep || verb || SET_OFF.test(after))) {
    if (isPerson(who.text)) action.contact = who.text;
    else action.account = who.text;
    let rest = text.slice(who.end);
    const at = /^\s*(?:at|from|of)\s+/i.exec(rest);
    if (action.contact && at) {
      const account = takeEntity(rest, at[0].length);
      if (account) {
        action.account = account.text;
        rest = rest.slice(account.end);
      }
    }
    rest = rest.replace(SET_OFF, ' ');
    const v = REPORTS.exec(rest);
    if (v && !REPORTS_KEEP.test(rest)) rest = rest.slice(v[0].length);
    // "Acme is down" reads better whole than as "is down".
    text = tidy(/^\s*(?:is|are)\b/i.test(rest) ? `${who.text}${rest}` : rest);
  }
  // "Jane Doe, Hooli's admin, says ...", "Sofia Larsen at Cyberdyne thinks ...": a person named later in the story.
  if (!action.contact) {
    const person = people(ctx.text).find((p) => p.name !== action.account);
    if (person) {
      action.contact = person.name;
      action.account ??= companyOf(ctx.text, person.name);
    }
  }
  if (!action.account && !action.contact) {
    const named = /\b(?:for|at|from|with)\s+/i.exec(text);
    // "... reports Acme's SSO is broken": a possessive names whose thing it is.
    const owner = /(?:^|\s)([\p{L}][\p{L}&.-]*)'s\s/u.exec(text);
    const account =
      (named && takeEntity(text, named.index + named[0].length)) || (owner ? { text: owner[1] } : undefined);
    if (account && !isCommonWord(account.text.split(' ')[0])) {
      if (isPerson(account.text)) action.contact = account.text;
      else action.account = account.text;
    }
  }
  const summary = tidy(text.replace(/^(?:that|a|an)\s+/i, ''));
  if (!summary) return ctx.ask('escalation.create.summary', action);
  action.summary = summary;

  const low = ctx.low;
  const category = CATEGORY.find(([, re]) => re.test(low))?.[0];
  if (category) action.category = category;
  const said = SEVERITY_SAID.exec(low);
  const severity = said
    ? (said[1] ?? said[2]).replace('critical', 'urgent')
    : SEVERITY.find(([, re]) => re.test(low))?.[0];
  if (severity) action.severity = severity as Severity;
  else if (category === 'outage' || category === 'security') action.severity = 'urgent';
  return action as EscalationCreate;
}

// "ESC-1042" is a ticket key whose number is the case number.
const CASE_NO =
  /\b(?:case|ticket|escalation|incident|issue)\s*(?:#|no\.?|number)?\s*#?(\d{1,12})\b|(?:^|\s)#(\d{1,12})\b|\b(?:esc|cs|tkt|inc|sup|case|ticket)-(\d{1,12})\b|\b(?:severity|status|assignee) (?:of|on|for) #?(\d{1,12})\b|^(?:re-?open|resolve|close|ack(?:nowledge)?)\s+(\d{1,12})\b/i;
/** A case number people type on its own: four digits or more, not a year, not an amount. */
const BARE_CASE_NO =
  /(?<![\w$€£.,-])(\d{4,12})(?![\w%.,]|\s*(?:k|m|usd|eur|dollars?|days?|minutes?|mins?|hours?|deals?)\b)/i;
const CASE_WORK_VERB =
  /\b(?:re-?open|resolve|resolved|close|closed|ack(?:nowledge)?|acknowledged|assign|assigned|reassign|reassigned|escalate|escalated|hand(?:\s+(?:over|off))?|route|transfer|bump|raise|lower|downgrade|upgrade|change|set|make|mark|fixed|solved|done|status|severity|priority|update|show|details|note|pull up|what'?s up)\b/i;

/** The case a message is about: a number with "case"/"#", or, where the words are about working a case, a bare number. */
export function caseNumber(text: string, bare = CASE_WORK_VERB.test(text)): string | undefined {
  const no = CASE_NO.exec(text);
  const id = no?.[1] ?? no?.[2] ?? no?.[3] ?? no?.[4] ?? no?.[5];
  if (id) return id;
  if (!bare) return undefined;
  const plain = BARE_CASE_NO.exec(text)?.[1];
  return plain && !/^(?:19|20)\d\d$/.test(plain) ? plain : undefined;
}

/** The note after the case number and a separator ("resolve 1011 - billing contact updated"). */
function noteAfter(text: string, caseNo: string, keepAll = false): string | undefined {
  const at = text.search(new RegExp(String.raw`\b${caseNo}\b`));
  const rest = at >= 0 ? text.slice(at + caseNo.length) : text;
  const sep =
    /^\s*(?:[-–—:;,]+(?![>→])|\.\s+|\s+(?:because|since|as)\b)\s*/i.exec(rest) ?? (keepAll ? /^\s*/.exec(rest) : null);
  const note = sep && tidy(rest.slice(sep[0].length).replace(/^(?:note|reason|fyi)\s*[:-]\s*/i, ''));
  return note && /\p{L}{3}/u.test(note) ? note : undefined;
}

// "and add a note that the customer is waiting", "with this note: \"Root cause ...\"".
const NOTE_SAYS =
  /\b(?:(?:add|put|leave|with)\s+(?:a|an|this|the)\s+(?:internal\s+)?note|and\s+note|note)\s*(?:that|saying|:|-)\s*["']?(.+?)["']?\s*$/i;

function explicitNote(text: string): string | undefined {
  const m = NOTE_SAYS.exec(text);
  return m ? tidy(m[1]) || undefined : undefined;
}

// "Case 1044 please put as resolved, the customer confirm it works now": the clause after the change is why.
function clauseNote(text: string, caseNo: string): string | undefined {
  const at = text.search(new RegExp(String.raw`\b${caseNo}\b`));
  const after = at >= 0 ? text.slice(at + caseNo.length) : '';
  const clause = /[,;]\s*(?!(?:i'?m|i am|i'll|i will|please|thanks|pls)\b)([^,;]{8,})$/i.exec(after);
  if (
    clause &&
    /\b(?:customer|cust|client|they|it|works?|fixed|in place|confirmed?|since|waiting|root cause|workaround)\b/i.test(
      clause[1],
    )
  )
    return tidy(clause[1]);
  // "reopen 1002 cust says dash down again": a clause with its own subject right after the number.
  const told = /^\s+((?:the\s+)?(?:customer|cust|client|they|user|users)\s+\S.{4,})$/i.exec(after);
  return told ? tidy(told[1]) : undefined;
}

export function parseEscalationUpdate(ctx: Ctx): ActionInput {
  const id = caseNumber(ctx.text, true);
  const l = ctx.low;
  const action = { type: 'escalation.update', case: id ?? '' } as Extract<Action, { type: 'escalation.update' }>;
  if (/\bre-?open|\bback open\b|\bopen again\b/.test(l)) action.status = 'reopened';
  else if (
    /\b(?:resolv|close[ds]?\b|closing\b|fixed\b|solved\b|done\b|false alarm\b|mark(?:ed)? (?:as )?(?:resolved|fixed|done))/.test(
      l,
    )
  )
    action.status = 'resolved';
  else if (/\b(?:ack|acknowledge|acknowledged|taking|take|on it|working on|picked up|pick up|looking into)\b/.test(l))
    action.status = 'acknowledged';

  const assignee =
    /\b(?:re-?assign(?:ed)?|assign(?:ed)?|give|hand(?:\s+(?:over|off))?|route|transfer|move)\b.*?\bto\s+|\d\s*(?:->|→|=>)\s*/i.exec(
      ctx.text,
    );
  const person = assignee && takeEntity(ctx.text, assignee.index + assignee[0].length);
  if (person && /^me$/i.test(person.text)) action.assignee = 'me';
  else if (
    person &&
    !/^(?:high|low|medium|urgent|critical|tier|acknowledged|ack|resolved|fixed|closed|done|reopened)$/i.test(
      person.text,
    )
  )
    action.assignee = person.text;
  else if (/\bassign(?:ed)? (?:it |this )?to me\b|\b(?:i'?ll|i will) take\b/.test(l)) action.assignee = 'me';

  const sev =
    /\b(?:severity|priority|sev|bump|raise|lower|downgrade|upgrade|escalate|set|make|change)\b.*\b(low|medium|high|urgent|critical)\b/.exec(
      l,
    );
  const plain =
    sev ??
    /\b(low|medium|high|urgent|critical)(?:\s+(?:now|priority|severity))?\b|\bnow\s+(low|medium|high|urgent|critical)\b/.exec(
      l,
    );
  const level = plain && (plain[1] ?? plain[2]);
  if (level)
    action.severity =
      level === 'critical' ? 'urgent' : (level as Extract<Action, { type: 'escalation.update' }>['severity']);

  const note = id
    ? (explicitNote(ctx.text) ??
      noteAfter(ctx.text, id) ??
      /\s[-–—]\s+(\p{L}[^–—]{2,})$/u.exec(ctx.text)?.[1] ??
      clauseNote(ctx.text, id))
    : (explicitNote(ctx.text) ?? /,\s*([^,]{8,})$/.exec(ctx.text)?.[1]);
  if (note && !/^(?:to|as)\b/i.test(note)) action.note = tidy(note);
  if (!id) {
    const { case: _none, ...known } = action;
    return ctx.ask('escalation.update.case', known);
  }
  if (!action.status && !action.assignee && !action.severity) return ctx.ask('escalation.update.status', action);
  return action;
}

/** "what's the status of 1005", "show case 1008", "#1005", "1002?". */
export function parseCaseShow(ctx: Ctx): ActionInput {
  const id = caseNumber(ctx.text, true);
  return id ? { type: 'case.show', case: id } : ctx.ask('case.show.case');
}

/** "add a note to 1002: customer sent HAR files", "1055 note: dup of 1054". */
export function parseCaseNote(ctx: Ctx): ActionInput {
  const id = caseNumber(ctx.text, true);
  if (!id) {
    const said = /\b(?:note|saying|says)\s*(?:to (?:it|this|that)\s*)?(?:[:\-–—]|that)\s*(.+)$/i.exec(ctx.text)?.[1];
    return ctx.ask('case.note.case', said ? { note: tidy(said) } : {});
  }
  const quoted = /(?:^|\n)\s*(?:>\s*|["“])([\s\S]+?)["”]?\s*$/.exec(ctx.text)?.[1];
  const that = /\b(?:note|saying|says)\s+(?:that\s+)?(.+)$/i.exec(
    ctx.text.slice(ctx.text.indexOf(id) + id.length),
  )?.[1];
  const note =
    (quoted && tidy(quoted)) ||
    noteAfter(ctx.text.replace(/\b(?:as (?:an? )?(?:internal )?note|note)\s*(?=[:\-–—])/i, ''), id, true) ||
    (that && tidy(that));
  return note ? { type: 'case.note', case: id, note } : ctx.ask('case.note.note', { case: id });
}

export function parseCaseMetrics(ctx: Ctx): ActionInput {
  const period = findPeriod(ctx.text, ctx.today);
  const action: Extract<Action, { type: 'case.metrics' }> = { type: 'case.metrics' };
  if (period?.from) action.from = period.from;
  if (period?.to) action.to = period.to;
  return action;
}

/** How far ahead "about to breach" / "at risk" looks when no number of hours is given. */
const AT_RISK_HOURS = 4;

/** "my open cases", "unassigned cases", "cases about to breach", "urgent cases for Acme", "the support queue". */
export function parseCaseList(ctx: Ctx): ActionInput {
  const l = ctx.low;
  const action: Extract<Action, { type: 'case.list' }> = { type: 'case.list' };
  if (
    /\bunassigned\b|\bwithout (?:an? )?(?:assignee|owner)\b|\bnobody (?:has|owns)\b|\bno(?:body| one)? assigned\b/.test(
      l,
    )
  )
    action.filter = 'unassigned';
  else if (/\bbreach|\bsla\b|\bat risk\b|\boverdue\b|\bpast (?:due|deadline)\b|\blate\b/.test(l)) {
    action.filter = 'breaching';
    const hours = /\b(?:next|within|in)\s+(\d{1,3})\s*(?:h|hrs?|hours?)\b/.exec(l)?.[1];
    if (hours && Number(hours) >= 1 && Number(hours) <= 168) action.withinHours = Number(hours);
    else if (/\babout to\b|\bat risk\b|\bclose to\b|\bsoon\b/.test(l)) action.withinHours = AT_RISK_HOURS;
  } else if (/\bmy\b|\bmine\b|\bassigned to me\b|\bfor me\b|\bon my plate\b/.test(l)) action.filter = 'mine';
  else if (/\bopen\b|\bqueue\b|\ball\b|\bevery\b/.test(l)) action.filter = 'open';
  const sev = /\b(low|medium|high|urgent|critical)\b(?:[- ](?:priority|severity|sev))?/.exec(l)?.[1];
  if (sev) action.severity = sev === 'critical' ? 'urgent' : (sev as 'low');
  const at = /\b(?:for|at|from|on|of)\s+(?:the\s+)?(?!me\b|us\b|today\b|this\b|my\b)/i.exec(ctx.text);
  const account = at && takeEntity(ctx.text, at.index + at[0].length);
  const tail = !account && /\bcases\s+([\p{L}][\p{L}&.' -]*?)\s*\??$/iu.exec(ctx.text)?.[1];
  const name = account?.text ?? (tail ? takeEntity(tail)?.text : undefined);
  if (
    name &&
    !isCommonWord(name.split(' ')[0]) &&
    !/^(?:sla|severity|low|medium|high|urgent|critical|breaching|about|past|due|overdue|unassigned|open|today)\b/i.test(
      name,
    )
  )
    action.account = name;
  return action;
}

export const escalationUpdateRules: IntentRule[] = [
  {
    name: 'bare case number with what to do',
    action: 'escalation.update',
    priority: PRIORITY.record - 20,
    when: /^(?:please\s+)?(?:re-?open|resolve|close|ack(?:nowledge)?|assign|reassign|escalate|bump|raise|lower|downgrade|upgrade|change|set|mark|move|hand(?: over| off)?|route|transfer)\b[^.?]*?(?<![\w$.,])\d{4,12}\b|^(?<![\w$])\d{4,12}\s+(?:is|was|got|has been)\s+(?:fixed|resolved|solved|done|closed|a false alarm|sorted)|^(?:escalate|esc)\s+to\s+[\w ]+?[:,-]?\s*#?\d{4,12}\b|^#?\d{4,12}\s*(?:->|→|=>|:|-)\s*\S/,
  },
  {
    name: 'case named by its number',
    action: 'escalation.update',
    priority: PRIORITY.record - 20,
    when: /\b(?:case|ticket|escalation|incident|issue)\s*(?:#|no\.?|number)?\s*#?\d{1,12}\b|\b(?:esc|cs|tkt|inc|sup|case|ticket)-\d{1,12}\b|\b(?:severity|status|assignee) (?:of|on|for) #?\d{1,12}\b|(?:^|\s)#\d{1,12}\b|^(?:re-?open|resolve|ack(?:nowledge)?)\s+\d{1,12}\b/,
  },
];

export const caseListRules: IntentRule[] = [
  {
    name: 'open cases',
    action: 'case.list',
    priority: PRIORITY.listing - 5,
    when: /\b(?:my|open|all|assigned|unassigned|pending|outstanding|urgent|high|low|medium|critical|any)\b(?:\s+\w+){0,2}\s+(?:cases|tickets|escalations)\b|\bsupport queue\b|\b(?:cases|tickets) (?:assigned to me|for me|on my plate|for|at|without|breaching|about to breach|at risk|past)\b|^(?:show|list)(?: me)? (?:the )?(?:cases|tickets)\b|^(?:my )?cases\b|\b(?:what'?s|whats|anything) in the queue\b|\b(?:which|what|any) (?:cases|tickets)\b.*\b(?:breach|sla|unassigned|assignee|risk|overdue)|\bsla breach(?:es|ed)?\b|\bbreaching\b/,
    unless: /\b(?:by severity|metrics|attainment|how many|median|average|escalate|open a|raise a|create a|file a)\b/,
  },
];

export const caseMetricsRules: IntentRule[] = [
  {
    name: 'support metrics',
    action: 'case.metrics',
    priority: PRIORITY.listing - 10,
    when: /\b(?:cases|tickets) by severity\b|\bslas?\b|\b(?:support|case|ticket|escalation|cs)\s+(?:metrics|stats|statistics|kpis?|numbers|performance|dashboard)\b|\b(?:resolution|response|handle|handling) times?\b|\bcsat\b|\bmttr\b/,
  },
];

// "log a call with Ken, discussed outage", "called Dana, she's worried about the outage": an explicit activity log
// (skills/calls) outranks outage and security words, which stay data in its summary; "escalate" outranks both.
export const escalationCreateRules: IntentRule[] = [
  {
    name: 'escalate or open a case',
    action: 'escalation.create',
    priority: PRIORITY.explicit - 30,
    when: /\bescalat|^new\s+(?:support\s+)?(?:case|ticket|incident)\b|\b(?:open|create|raise|file|submit|start)\s+(?:a |an |new )*(?:[\w-]+\s+){0,2}(?:case|ticket|incident)\b|\blog\s+(?:a |an |new )*(?:[\w-]+\s+){0,2}(?:case|ticket|incident)\b/,
  },
  {
    name: 'severity words',
    action: 'escalation.create',
    priority: PRIORITY.explicit - 40,
    when: /\b(?:low|medium|normal|high|urgent|critical|top)[- ](?:priority|severity|pri|sev)\b|\bsev[- ]?[0-4]\b|\bp[0-3]\b|^(?:urgent|critical|asap|emergency)\s*[:,!-]|[,;:\-–]\s*(?:urgent|critical|asap|not urgent)\s*[!.]*$/,
  },
  {
    name: 'problem words',
    action: 'escalation.create',
    priority: PRIORITY.explicit - 40,
    when: /^(?:(?:possible|potential|suspected|major|serious|big)\s+)?(?:security|billing|technical|login|access|sso|api|payment|invoice)\s+(?:issue|problem|incident|bug|error)s?\b|\b(?:is|are|went|been|goes) down\b|\b(?:site|app|platform|portal|servers?|prod|production|system|service|website|checkout|dashboard|api|login|sso|everything)\s+(?:(?:is|are|was|went)\s+)?down\b|\boutage\b|\bdata (?:leak|breach)\b|\bbreach\b|\bdouble[- ](?:charged|billed)\b|\b(?:charged|billed) (?:twice|double|two times)\b|\bovercharged\b|\bcan'?t (?:log ?in|login|sign in|access)\b|\bcannot (?:log ?in|login|sign in|access)\b/,
  },
  {
    name: 'customer reports a problem',
    action: 'escalation.create',
    priority: PRIORITY.explicit - 40,
    when: /^(?:[\w'&.-]+\s+){1,3}(?:reports?|reported|is reporting|are reporting|complains?|complained|is seeing|are seeing|is experiencing|are experiencing)\b.*\b(?:slow|broken|errors?|bugs?|crash\w*|fail\w*|not working|down|outage|timeouts?|can'?t|cannot|unable)\b/,
  },
];

export const caseShowRules: IntentRule[] = [
  {
    name: 'a case to look at',
    action: 'case.show',
    priority: PRIORITY.record - 10,
    when: /\b(?:status|details?|where (?:we are|things stand)|what'?s (?:up|going on|happening)|update)\s+(?:of|on|for|with|w)\s+(?:the\s+)?(?:case\s+|ticket\s+)?#?\d{4,12}\b|\b(?:show|open|pull up|look at|see|view|display)\s+(?:me\s+)?(?:the\s+)?(?:details\s+(?:of|for)\s+(?:the\s+)?)?(?:case|ticket)\s*#?\d+|\b(?:show|open|pull up|look at|view)\s+(?:me\s+)?#\d{3,12}\b|^#?\d{4,12}\s*\??$|^(?:status|details)\s+(?:of\s+)?#?\d{4,12}\b|\babout (?:case|ticket)\s*#?\d+.*\b(?:where|status|pull up)\b/,
  },
];

export const caseNoteRules: IntentRule[] = [
  {
    name: 'a note on a case',
    action: 'case.note',
    priority: PRIORITY.record,
    when: /\b(?:add|put|leave|write|log)\s+(?:a\s+|an\s+|this\s+)?(?:internal\s+)?(?:note\s+)?(?:to|on)\s+(?:case\s+|ticket\s+)?#?\d{4,12}\b|\b(?:add|put|leave)\s+(?:a\s+|an\s+)?(?:internal\s+)?note\b.*\b(?:case|ticket)\s*#?\d+|^(?:internal\s+)?note\s+(?:on|for|to)\s+(?:case\s+)?#?\d{4,12}\b|^#?\d{4,12}\s+(?:internal\s+)?note\b|\bas (?:an? )?(?:internal )?note\b.*\d{4,12}|\d{4,12}\b.*\bas (?:an? )?(?:internal )?note\b|\bfor (?:case|ticket) #?\d+,?.*\b(?:internal )?note\b/,
  },
];
