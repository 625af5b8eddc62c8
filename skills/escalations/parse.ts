/** escalation.create, escalation.update and case.metrics (support cases). */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { findPeriod } from '../../src/nlu/offline/dates.ts';
import { isPerson } from '../../src/nlu/offline/names.ts';
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

const TRIGGERS = [
  /^\s*(?:(?:low|medium|normal|high|urgent|critical|top)(?:[- ](?:priority|severity|pri|sev))?|sev[- ]?[0-4]|p[0-3])\b[\s!:,\-–]*(?=\S)/i,
  /^\s*(?:[\w']+\s+){0,3}?escalat\w*(?:\s+(?:this|that|it))?(?:\s+to\s+[\w-]+(?:\s+\d)?)?\s*[:\-–]\s*/i,
  /^\s*(?:please\s+)?escalat\w*(?:\s+(?:this|that|it))?(?:\s+to\s+(?:support|engineering|tier \d|l\d))?\s*[:,-]?\s*/i,
  /[\s,;.-]*(?:please\s+)?escalat\w*(?:\s+(?:this|that|it))?(?:\s+(?:please|asap|now))?[\s.!]*$/i,
  /^\s*(?:open|create|raise|file|log|submit|start)\s+(?:a\s+|an\s+|new\s+)*(?:[\w-]+\s+){0,2}?(?:case|ticket|incident|escalation)\b\s*/i,
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
  if (!summary) return ctx.ask('escalation.create.summary');
  action.summary = summary;

  const low = ctx.low;
  const category = CATEGORY.find(([, re]) => re.test(low))?.[0];
  if (category) action.category = category;
  const severity = SEVERITY.find(([, re]) => re.test(low))?.[0];
  if (severity) action.severity = severity;
  else if (category === 'outage' || category === 'security') action.severity = 'urgent';
  return action as EscalationCreate;
}

// "ESC-1042" is a ticket key whose number is the case number.
const CASE_NO =
  /\b(?:case|ticket|escalation|incident|issue)\s*(?:#|no\.?|number)?\s*#?(\d{1,12})\b|(?:^|\s)#(\d{1,12})\b|^(?:re-?open|resolve|close|ack(?:nowledge)?)\s+(\d{1,12})\b|\b(?:esc|cs|tkt|inc|sup|case|ticket)-(\d{1,12})\b|\b(?:severity|status|assignee) (?:of|on|for) #?(\d{1,12})\b/i;

export function parseEscalationUpdate(ctx: Ctx): ActionInput {
  const no = CASE_NO.exec(ctx.text);
  const id = no?.[1] ?? no?.[2] ?? no?.[3] ?? no?.[4] ?? no?.[5];
  if (!id) return ctx.ask('escalation.update.case');
  const l = ctx.low;
  const action: Extract<Action, { type: 'escalation.update' }> = { type: 'escalation.update', case: id };
  if (/\bre-?open|\bback open\b|\bopen again\b/.test(l)) action.status = 'reopened';
  else if (
    /\b(?:resolv|close[ds]?\b|closing\b|fixed\b|solved\b|done\b|mark(?:ed)? (?:as )?(?:resolved|fixed|done))/.test(l)
  )
    action.status = 'resolved';
  else if (/\b(?:ack|acknowledge|acknowledged|taking|take|on it|working on|picked up|pick up)\b/.test(l))
    action.status = 'acknowledged';

  const assignee =
    /\b(?:re-?assign(?:ed)?|assign(?:ed)?|give|hand(?:\s+(?:over|off))?|route|transfer|move)\b.*?\bto\s+|\d\s*(?:->|→|=>)\s*/i.exec(
      ctx.text,
    );
  const person = assignee && takeEntity(ctx.text, assignee.index + assignee[0].length);
  if (person && /^me$/i.test(person.text)) action.assignee = 'me';
  else if (person && !/^(?:high|low|medium|urgent|critical)$/i.test(person.text)) action.assignee = person.text;
  else if (/\bassign(?:ed)? (?:it |this )?to me\b|\b(?:i'?ll|i will) take\b/.test(l)) action.assignee = 'me';

  const sev =
    /\b(?:severity|priority|sev|bump|raise|lower|downgrade|upgrade|escalate|set|make)\b.*\b(low|medium|high|urgent|critical)\b/.exec(
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

  if (!action.status && !action.assignee && !action.severity) return ctx.ask('escalation.update.status');
  return action;
}

export function parseCaseMetrics(ctx: Ctx): ActionInput {
  const period = findPeriod(ctx.text, ctx.today);
  const action: Extract<Action, { type: 'case.metrics' }> = { type: 'case.metrics' };
  if (period?.from) action.from = period.from;
  if (period?.to) action.to = period.to;
  return action;
}

/** "my open cases" -> mine; "all open cases", "the support queue", "unassigned tickets" -> all. */
export function parseCaseList(ctx: Ctx): ActionInput {
  return { type: 'case.list', scope: /\b(?:all|every|queue|unassigned|team'?s?)\b/.test(ctx.low) ? 'all' : 'mine' };
}

export const escalationUpdateRules: IntentRule[] = [
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
    when: /\b(?:my|open|all|assigned|unassigned|pending|outstanding)\b(?:\s+\w+){0,2}\s+(?:cases|tickets|escalations)\b|\bsupport queue\b|\b(?:cases|tickets) (?:assigned to me|for me|on my plate)\b/,
    unless: /\b(?:by severity|slas?|metrics|attainment|how many|median|escalate|open a|raise a|create a|file a)\b/,
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
    when: /\bescalat|\b(?:open|create|raise|file|submit|start)\s+(?:a |an |new )*(?:[\w-]+\s+){0,2}(?:case|ticket|incident)\b|\blog\s+(?:a |an |new )*(?:[\w-]+\s+){0,2}(?:case|ticket|incident)\b/,
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
