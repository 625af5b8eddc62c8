/** activity.log: calls, meetings, emails and notes, with who, how long, what happened and what comes next. */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { findDate, type DateHit } from '../../src/nlu/offline/dates.ts';
import { findDuration } from '../../src/nlu/offline/durations.ts';
import { companyOf, isPerson, people, splitPersonCompany } from '../../src/nlu/offline/names.ts';
import { capitalised, cut, EMAIL, isThingNoun, takeEntity, tidy, type Phrase } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type ActivityLog = Extract<Action, { type: 'activity.log' }>;

const KINDS: [ActivityLog['kind'], RegExp][] = [
  [
    'call',
    /\b(?:call(?:ed|s)?|phone(?:d)?|rang|spoke|speak|talked|talk|chatted|voice ?mail|dialed|convo|conversation|hung up|got off)\b/,
  ],
  [
    'meeting',
    /\b(?:met|meet|meeting|demo|lunch|coffee|dinner|onsite|on-site|visit(?:ed)?|workshop|presentation|sync|catch[- ]?up|zoom|webex|hangout|video call)\b/,
  ],
  ['email', /\b(?:e-?mail(?:ed|s)?|mailed|wrote to|messaged|texted|sent)\b/],
  ['note', /\bnotes?\b/],
];

const ANCHOR =
  /\b(?:with|w\/|w|(?:e-?mail|message|follow[- ]?up)(?: sent)? to|(?:e-?mail|message|call|voice ?mail|reply|text) from|sent (?:(?:the|a|an|our|over|it|this|them)\s+)?(?:[\w-]+\s+){0,2}?to|notes?(?:\s+(?:on|for|about|re|to))?|called|call|phoned|rang|emailed|e-mailed|mailed|messaged|pinged|texted|met|spoke to|talked to|visited|wrote to|for)\s+/gi;
const SECOND =
  /^\s*(?:(?:today|yesterday|this morning|this afternoon|earlier|last week)\s+)?(?:(?:at|from|of|@)\s+|\(\s*)/i;
const LEAD_IN =
  /^(?:(?:log(?:ged)?|record(?:ed)?|add(?:ed)?|just|had|made|a|an|the|my|quick|short|brief|long|good|great|new|today|yesterday|this morning|earlier)\s+)*(?:(?:calls?|meetings?|emails?|notes?)\b)?\s*[:,-]?\s*/i;
const OUTCOME =
  /\b(?:left (?:a )?(?:voice ?mail|message|vm)|no answer|(?:didn'?t|did not) (?:pick up|answer)|not interested|(?:very )?interested in \w+|went (?:well|great|badly|poorly|ok)|agreed to [^,.;]+|signed [^,.;]*|booked (?:a|the) [^,.;]+|declined|no[- ]show|rescheduled|verbal yes|said yes|said no|(?:they'?re|they are|she'?s|he'?s|she is|he is)\s+(?:good|ok|okay|fine|happy|keen|ready|on board)\s+(?:to|with)\s+[^,.;]+|(?:they|she|he)\s+(?:accept(?:ed|s)?|approved?|agreed|committed|loved|liked)\s+[^,.;]+)/i;
const FOLLOW_UP_WANTS =
  /\b(?:wants|needs|asked for|requested|would like|is waiting for|are waiting for|want|need)\s+(?:to see\s+)?(?:the\s+|a\s+|an\s+|some\s+|our\s+|updated\s+)*([^,.;]+)/i;
const FOLLOW_UP_DO =
  /\b(send|share|schedule|book|set up|prepare|draft|follow up|ping|call (?:(?:him|her|them)\s+)?back|check in|circle back|get back|email)\b([^,.;]*)/i;

export function parseActivity(ctx: Ctx): ActionInput {
  let text = ctx.text;
  const low = ctx.low;
  let kind: ActivityLog['kind'] = 'note';
  let first = Infinity;
  for (const [k, re] of KINDS) {
    const m = re.exec(low);
    if (m && m.index < first) {
      first = m.index;
      kind = k;
    }
  }
  if (/^notes?\b|^add (?:a )?note\b/.test(low)) kind = 'note';

  const action: Partial<ActivityLog> = { type: 'activity.log', kind };
  const duration = findDuration(text);
  // "follow up in 48 hours" is when to follow up, not how long the call took.
  if (duration && !/\b(?:in|within|after|every|next|last|past)\s+$/i.test(text.slice(0, duration.start))) {
    if (duration.minutes > MAX_MINUTES)
      return { type: 'clarify', question: tooLong(kind, text.slice(duration.start, duration.end)) };
    action.durationMinutes = duration.minutes;
    text = cut(text, duration.start, duration.end);
  }

  let rest = '';
  ANCHOR.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ANCHOR.exec(text))) {
    const e1 = takeEntity(text, m.index + m[0].length);
    // "call notes - Globex": an ordinary word after the anchor is not who the activity was with.
    if (!e1 || isCommonWord(e1.text.split(' ')[0])) continue;
    const after = text.slice(e1.end);
    const second = SECOND.exec(after);
    const e2 = second ? takeEntity(text, e1.end + second[0].length) : companyAfterComma(text, e1);
    if (e2) {
      action.contact = e1.text;
      action.account = e2.text;
      rest = text.slice(e2.end);
    } else {
      setWho(action, e1.text);
      rest = after;
    }
    break;
  }
  if (!action.contact && !action.account) {
    rest = text.replace(LEAD_IN, '');
    const subject = subjectEntity(rest);
    if (subject) {
      setWho(action, subject.text);
      if (tidy(rest.slice(subject.end))) rest = rest.slice(subject.end);
    } else {
      const at = /(?:^|\s)(?:at|from|@)\s+/i.exec(text);
      const account = at && takeEntity(text, at.index + at[0].length);
      if (account && !isCommonWord(account.text.split(' ')[0])) action.account = account.text;
    }
  }
  const email = EMAIL.exec(text);
  if (email && !action.contact?.includes('@') && (!action.contact || !isPerson(action.contact))) {
    if (action.account && !action.contact && !/\s(?:at|from)\s+$/i.test(text.slice(0, text.indexOf(action.account))))
      delete action.account;
    action.contact = email[0];
  }

  const summary = tidy(rest.replace(WHEN_LEAD, '')).replace(PRONOUN_ONLY, '');
  if (!summary && !action.contact && !action.account) return ctx.ask('activity.log.summary', action);
  // "log a call with Acme": who, but nothing about what happened; the command itself is no summary.
  if (!summary && !action.durationMinutes && !hasStory(text, action))
    return { ...ctx.ask('activity.log.summary', action), question: whatHappened(kind, action.contact ?? action.account) };
  action.summary = summary || tidy(text);

  const labelled = /\b(?:outcome|result)\s*(?:[:=-]|is|was)\s*([^.;,]+)/i.exec(ctx.text);
  const outcome = labelled?.[1] ?? OUTCOME.exec(ctx.text)?.[0];
  if (outcome?.trim()) action.outcome = tidy(outcome);

  const date = followUpDate(action.summary, ctx.today);
  if (date) action.followUpDate = date.date;
  const followUp = followUpText(date ? cut(action.summary, date.start, date.end) : action.summary);
  if (followUp) action.followUp = followUp;
  withWhoAndWhen(ctx, action);
  return action as ActivityLog;
}

// "Tom Becker, no wait, it was Yuki Okafor": a name corrected in the same message.
const CORRECTION =
  /\b(?:no wait|no,? sorry|sorry|no|actually|i mean|correction|scratch that)\s*[,:-]?\s*(?:it was|it's|make (?:that|it)|i meant)?\s*/gi;
const NEW_COMPANY = /\b(?:new\s+)?(?:company|prospect|account|customer|client|logo)\s*(?:called|named|,)\s*/gi;
const FUTURE_MARK =
  /\b(?:will|'ll|going to|next|follow(?:[- ]?up)?|by|until|till|before|due|remind|plan|let'?s|wants?|needs?|again|back|send)\b/i;

/** Who it was with and when it happened, read from the whole message when its first clause did not say. */
function withWhoAndWhen(ctx: Ctx, action: Partial<ActivityLog>): void {
  const text = ctx.text;
  const named = people(text);
  CORRECTION.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = CORRECTION.exec(text)); ) {
    const fixed = named.find((p) => p.at === m!.index + m![0].length);
    const wrong = named.find((p) => p.at < m!.index && p.name === action.contact);
    if (fixed && wrong) action.contact = fixed.name;
  }
  if (!action.contact) {
    const who = named.find((p) => p.name !== action.account);
    if (who) action.contact = who.name;
  }
  if (action.account) action.account = action.account.replace(/^(?:of|at|from|in|@)\s+/i, '');
  if (action.contact && !action.account) {
    const company = companyOf(text, action.contact);
    if (company) action.account = company;
  }
  if (!action.account) {
    NEW_COMPANY.lastIndex = 0;
    const lead = NEW_COMPANY.exec(text);
    const company = lead ? takeEntity(text, lead.index + lead[0].length) : undefined;
    if (company && capitalised(company.text) && !isPerson(company.text)) action.account = company.text;
  }
  const on = occurredOn(text, ctx.today);
  if (on) action.occurredOn = on;
  if (!action.followUp) {
    const who = action.contact ?? action.account;
    const again = /\b(?:try|call(?:\s+(?:him|her|them))?|ring(?:\s+(?:him|her|them))?)\s+(?:again|back)\b/i.exec(text);
    const promise =
      /\b(?:i(?:'ll| will| need to| have to| should| must|'ve got to)|we(?:'ll| will| need to| should))\s+(?:need to\s+|have to\s+)?(?!be\b|have\b|see\b)([^,.;]+)|\bi owe (?:him|her|them|the\w*) ([^,.;]+)/i.exec(
        text,
      );
    const todo =
      promise &&
      tidy(
        (promise[1] ?? `send ${promise[2]}`).replace(/\s+(?:by|on|until|till|before|next|tomorrow|today)\b.*$/i, ''),
      );
    if (again) action.followUp = `call ${who ?? 'them'} again`;
    else if (todo && todo.split(' ').length > 1) action.followUp = todo;
    else if (action.followUpDate && who) action.followUp = `follow up with ${who}`;
  }
}

/** When it happened, if not today: "yesterday", "last Friday", "on Monday" (the one just past), "Dec 29". */
function occurredOn(text: string, today: string): string | undefined {
  const t = new Date(`${today}T00:00:00Z`);
  const day = (n: number) => new Date(t.getTime() + n * 86_400_000).toISOString().slice(0, 10);
  if (/\b(?:yesterday|last night)\b/i.test(text)) return day(-1);
  const ago = /\b(\d{1,2}) days? ago\b/i.exec(text);
  if (ago) return day(-Number(ago[1]));
  let search = text;
  for (let i = 0; i < 4; i++) {
    const d = findDate(search, today);
    if (!d) return undefined;
    const said = search.slice(d.start, d.end);
    const clause = clauseBefore(search, d.start);
    const looksAhead = FUTURE_MARK.test(clause) || /^\s*(?:by|until|till|before|next)\b/i.test(said);
    if (!looksAhead && d.date < today) return d.date;
    // A weekday named without "next" in the telling of what happened is the one just past.
    if (!looksAhead && PLAIN_WEEKDAY.test(said.trim()) && d.date > today) return shiftWeek(d.date, -7);
    search = search.slice(0, d.start) + ' '.repeat(d.end - d.start) + search.slice(d.end);
  }
  return undefined;
}

const shiftWeek = (iso: string, days: number) =>
  new Date(new Date(`${iso}T00:00:00Z`).getTime() + days * 86_400_000).toISOString().slice(0, 10);

// When the activity happened, right after who it was with: "called Dana yesterday, ...", "call with Dana last Friday, ...".
const WEEKDAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri)';
const WHEN_LEAD = new RegExp(
  String.raw`^[\s,;:.-]*(?:(?:on|at|from)\s+)?(?:today|yesterday|last night|this (?:morning|afternoon|evening)|earlier(?: today)?|just now|the other day|(?:last|past|previous) week|\d+ (?:days?|weeks?) ago|(?:(?:last|past|previous)\s+)?${WEEKDAY})\b(?:\s+(?:morning|afternoon|evening|night))?`,
  'i',
);
const PLAIN_WEEKDAY = new RegExp(String.raw`^(?:on\s+)?${WEEKDAY}$`, 'i');
// Words that make a later weekday a next step ("call her back thursday") rather than when something happened.
const FUTURE_CUE =
  /\b(?:follow(?:[- ]?up)?|back|send|sending|share|schedule|book|wants?|needs?|asked|will|'ll|going to|next|plan(?:s|ning)?|let'?s|check in|ping|remind|deadline|deep dive|demo|meet again|call)\b/i;

/**
 * The next step's date: the first date in the summary still ahead of today. A past date ("last Friday", "yesterday")
 * is when something happened, and so is "on monday" said on a Thursday unless the clause looks ahead.
 */
function followUpDate(summary: string, today: string): DateHit | undefined {
  let search = summary;
  for (let i = 0; i < 4; i++) {
    const d = findDate(search, today);
    if (!d) return undefined;
    if (
      d.date > today &&
      !(
        PLAIN_WEEKDAY.test(search.slice(d.start, d.end)) &&
        d.date > endOfWeek(today) &&
        !FUTURE_CUE.test(clauseBefore(search, d.start))
      )
    )
      return d;
    search = search.slice(0, d.start) + ' '.repeat(d.end - d.start) + search.slice(d.end);
  }
  return undefined;
}

const clauseBefore = (s: string, at: number) =>
  s
    .slice(0, at)
    .split(/[,.;!?]/)
    .pop() ?? '';

function endOfWeek(today: string): string {
  const t = new Date(`${today}T00:00:00Z`);
  return new Date(t.getTime() + ((7 - t.getUTCDay()) % 7) * 86_400_000).toISOString().slice(0, 10);
}

const MAX_MINUTES = 24 * 60;
const KIND_NOUN: Record<ActivityLog['kind'], string> = {
  call: 'call',
  meeting: 'meeting',
  email: 'email',
  note: 'note',
};

function tooLong(kind: ActivityLog['kind'], said: string): string {
  return `A ${KIND_NOUN[kind]} ${tidy(said.replace(/^(?:for|about|around|roughly|approx\.?|lasting|of)\s+/i, ''))} long? That is over 24 hours — how long did it last?`;
}

function whatHappened(kind: ActivityLog['kind'], who: string | undefined): string {
  const what =
    kind === 'note'
      ? 'What should the note say'
      : `What happened ${kind === 'call' ? 'on' : 'in'} the ${KIND_NOUN[kind]}`;
  return `${what}${who ? ` with ${who}` : ''}? Give me a one-line summary, e.g. "log a call with Dana Reyes, she wants pricing by Friday".`;
}

// The words of a bare logging command: with these and the names taken out, nothing is left to summarise.
const COMMAND_WORDS =
  /\b(?:log(?:ged)?|record(?:ed)?|add(?:ed)?|just|had|made|did|a|an|the|my|quick|short|brief|long|new|calls?|called|phoned?|rang|meetings?|met|meet|e-?mails?|e-?mailed|notes?|convo|conversation|chat(?:ted)?|sync|spoke|talked|with|w\/|w|to|at|from|for|and|today|yesterday|this|morning|afternoon|earlier|just now)\b/gi;

function hasStory(text: string, action: Partial<ActivityLog>): boolean {
  let rest = text.replace(WHEN_LEAD, ' ');
  for (const name of [action.contact, action.account]) if (name) rest = rest.split(name).join(' ');
  return /[\p{L}\p{N}]/u.test(rest.replace(COMMAND_WORDS, ' '));
}

function setWho(action: Partial<ActivityLog>, phrase: string): void {
  const split = splitPersonCompany(phrase);
  if (split) {
    action.contact = split.person;
    action.account = split.company;
  } else if (isPerson(phrase)) action.contact = phrase;
  else action.account = phrase;
}

// "email from Jane Doe, Hooli asking ...": a capitalised company right after a person's name and a comma.
function companyAfterComma(text: string, person: Phrase): Phrase | undefined {
  const comma = /^\s*,\s*/.exec(text.slice(person.end));
  if (!comma || !isPerson(person.text)) return undefined;
  const company = takeEntity(text, person.end + comma[0].length);
  if (!company || isPerson(company.text) || !company.text.split(' ').every(capitalised)) return undefined;
  return isCommonWord(company.text.split(' ')[0]) ? undefined : company;
}

// The story's subject, when a note starts with it: "note: Initech budget approved", "recap: stark industries wants 3yr terms".
const NOTE_LEAD =
  /^(?:(?:call|meeting|demo|qbr)\s+)?(?:notes?|recap|summary|debrief|update)\b\s*(?:(?:from|on|for|about|re)\s+)?(?:the\s+)?[:,-]?\s*/i;
const SUBJECT_VERBS =
  "is|are|was|were|has|have|had|called|phoned|rang|emailed|texted|messaged|pinged|replied|responded|wrote|reached out|got back|came back|wants?|needs?|said|says|asked|agreed|signed|approved|confirmed|went|looks?|seems?|will|won'?t|can'?t|cannot|just|still|plans?|prefers?|likes?|loves?|thinks?";
const SUBJECT_NEXT = new RegExp(String.raw`^\s*(?:'s\b|${SUBJECT_VERBS}|with\b|w\/|[:,-])`, 'i');
const SUBJECT_VERB_WORD = new RegExp(`^(?:${SUBJECT_VERBS})$`, 'i');

function subjectEntity(s: string): { text: string; end: number } | undefined {
  const lead = NOTE_LEAD.exec(s)?.[0].length ?? 0;
  const p = verbCut(s, takeEntity(s, lead));
  if (!p || isCommonWord(p.text.split(' ')[0])) return undefined;
  const next = s.slice(p.end);
  const nextWord = /^\s*([\p{L}]+)/u.exec(next)?.[1] ?? '';
  return SUBJECT_NEXT.test(next) || isThingNoun(nextWord) ? p : undefined;
}

/** "dana prefers whatsapp": a phrase read up to a stop word may run into the subject's verb; it ends there. */
function verbCut(s: string, p: Phrase | undefined): Phrase | undefined {
  if (!p) return p;
  const words = p.text.split(' ');
  let at = s.lastIndexOf(p.text, p.end);
  for (let i = 1; i < words.length; i++) {
    at = s.indexOf(words[i], at + words[i - 1].length);
    if (at > 0 && SUBJECT_VERB_WORD.test(words[i])) return { text: words.slice(0, i).join(' '), end: at };
  }
  return p;
}

function followUpText(s: string): string | undefined {
  const wants = FOLLOW_UP_WANTS.exec(s);
  if (wants) {
    const what = tidy(wants[1]);
    if (what && !/^(?:to\b|it\b|more time)/i.test(what)) return `send ${what}`;
  }
  const todo = FOLLOW_UP_DO.exec(s);
  if (todo) {
    const text = tidy(`${todo[1]}${todo[2]}`.replace(/\b(?:him|her|them|me|us)\b\s*/gi, ''));
    if (text && !/^follow up$/i.test(text)) return text;
  }
  return undefined;
}

// "log it", "note that": a pronoun is no summary (what it points to is in the conversation, not the message).
const PRONOUN_ONLY = /^(?:it|that|this|them|those|these)$/i;

export const activityLogRules: IntentRule[] = [
  // Outranks an escalation's problem words ("called Dana, she's worried about the outage"), not "escalate" itself.
  {
    name: 'explicit log verb',
    action: 'activity.log',
    priority: PRIORITY.explicit - 35,
    when: /^(?:quick |short )?log\s*[:,-]|\b(?:i|we) (?:just )?had (?:\w+ )?(?:a |an )?(?:\w+ )?(?:call|meeting|lunch|chat|sync|demo|coffee|dinner|breakfast|convo|conversation|catch[- ]?up|visit|qbr) (?:(?:of|for) [\w ]{1,20}? )?with\b|\b(?:i|we) did (?:a |an )?(?:\w+ )?(?:call|meeting|demo) (?:(?:of|for) [\w ]{1,20}? )?with\b|^(?:(?:log|logged|logging|record|recorded)\s+(?:a |an |my |the |this )?(?:\w+ )?(?:call|meeting|email|e-mail|note|convo|conversation|chat|visit|demo|voice ?mail)s?\b|(?:just\s+)?(?:called|phoned|rang|met(?: with)?|emailed|e-mailed|mailed|messaged|texted|visited|spoke (?:to|with)|talked (?:to|with)|had (?:a |an )(?:\w+ )?(?:call|meeting|chat|sync|demo|convo|conversation) with|(?:just )?(?:got off|hung up)(?: the)?(?: phone| call)? with)\s+\S)/,
  },
  {
    name: 'activity words',
    action: 'activity.log',
    priority: PRIORITY.typical,
    when: /^(?:log|logged|logging|record|recorded)\b|\blog (?:a |an |my |the |this )?(?:\w+ )?(?:call|meeting|email|note|convo|conversation|chat|visit|demo)\b|\b(?:called|phoned|rang|chatted|met|emailed|e-mailed|mailed|messaged|texted|visited|(?:dropped|stopped) by)\b|\b(?:spoke|talked) (?:to|with)\b|^(?:i\s+)?(?:just\s+)?sent\s+(?!(?:the|a|an|it|them|this|that)\b)\S+(?:\s+\S+)?\s+(?:the|a|an|our|my|some|over)\b|\b(?:call|meeting|chat|sync|demo|lunch|coffee|dinner|breakfast|drinks|catch[- ]?up|conversation|convo|meet|workshop|session|presentation|walkthrough|onsite|visit|qbr|kickoff|review|zoom|webex|hangout|video call|teams call) (?:with|w\/)|^(?:quick|short|brief|small|fyi)\s*[:,-]?\s*notes?\b|\b(?:e-?mail|message|call|voice ?mail|reply|text) from\b|^notes?\b|\bnotes? (?:on|for|about|re|to)\b|\b(?:call|meeting|demo) (?:notes?|recap|summary)\b|\bsent (?:an? |the )?(?:e-?mail|message|follow[- ]?up)\b|\badd (?:a )?note\b|\bleft (?:a )?voice ?mail|^voice ?mail\b|\bhad (?:a |an )(?:\w+ )?(?:call|meeting|chat|sync|demo|lunch|coffee|convo|conversation)\b|\bjust (?:got off|hung up|finished|wrapped)|\b(?:e-?mail|message|proposal|deck|quote|contract|pricing|follow[- ]?up) sent\b|\bsent (?:the |a |an |our |over )?[\w -]{1,40}? to\b|^(?:call|meeting|demo|sync|lunch|coffee|visit|intro call|discovery call)\s+(?:for|at|with)\s+\S+.*\b(?:went|was|were|is|are|got|wants?|needs?|said|agreed|asked)\b/,
  },
];
