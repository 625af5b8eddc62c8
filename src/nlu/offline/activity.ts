/** activity.log: calls, meetings, emails and notes, with who, how long, what happened and what comes next. */
import type { Action } from '../../actions/schema.ts';
import type { Ctx } from './context.ts';
import { findDate } from './dates.ts';
import { findDuration } from './durations.ts';
import { isPerson } from './names.ts';
import { cut, takeEntity, tidy } from './text.ts';

type ActivityLog = Extract<Action, { type: 'activity.log' }>;

const KINDS: [ActivityLog['kind'], RegExp][] = [
  ['call', /\b(?:call(?:ed|s)?|phone(?:d)?|rang|spoke|speak|talked|talk|chatted|voice ?mail|dialed|convo|conversation)\b/],
  ['meeting', /\b(?:met|meet|meeting|demo|lunch|coffee|onsite|on-site|visit(?:ed)?|workshop|presentation|sync|catch[- ]?up)\b/],
  ['email', /\b(?:e-?mail(?:ed|s)?|mailed|wrote to|messaged|texted)\b/],
  ['note', /\bnotes?\b/],
];

const ANCHOR =
  /\b(?:with|w\/|w|(?:e-?mail|message|follow[- ]?up) to|notes?(?:\s+(?:on|for|about|re|to))?|called|call|phoned|rang|emailed|e-mailed|mailed|messaged|pinged|texted|met|spoke to|talked to|visited|wrote to|for)\s+/gi;
const SECOND = /^\s*(?:at|from|of|@)\s+/i;
const LEAD_IN = /^(?:(?:log(?:ged)?|record(?:ed)?|add(?:ed)?|just|had|made|a|an|the|my|quick|short|brief|long|good|great|new|today|yesterday|this morning|earlier)\s+)*(?:calls?|meetings?|emails?|notes?)?\s*[:,-]?\s*/i;
const OUTCOME =
  /\b(?:left (?:a )?voice ?mail|no answer|(?:didn'?t|did not) (?:pick up|answer)|not interested|(?:very )?interested in \w+|went (?:well|great|badly|poorly|ok)|agreed to [^,.;]+|signed [^,.;]*|booked (?:a|the) [^,.;]+|declined|no[- ]show|rescheduled|verbal yes|said yes|said no)/i;
const FOLLOW_UP_WANTS =
  /\b(?:wants|needs|asked for|requested|would like|is waiting for|are waiting for|want|need)\s+(?:to see\s+)?(?:the\s+|a\s+|an\s+|some\s+|our\s+|updated\s+)*([^,.;]+)/i;
const FOLLOW_UP_DO =
  /\b(send|share|schedule|book|set up|prepare|draft|follow up|ping|call back|check in|circle back|get back|email)\b([^,.;]*)/i;

export function parseActivity(ctx: Ctx): Action {
  let text = ctx.text;
  const low = ctx.low;
  let kind: ActivityLog['kind'] = 'note';
  let first = Infinity;
  for (const [k, re] of KINDS) {
    const m = re.exec(low);
    if (m && m.index < first) { first = m.index; kind = k; }
  }
  if (/^notes?\b|^add (?:a )?note\b/.test(low)) kind = 'note';

  const action: Partial<ActivityLog> = { type: 'activity.log', kind };
  const duration = findDuration(text);
  if (duration) {
    action.durationMinutes = duration.minutes;
    text = cut(text, duration.start, duration.end);
  }

  let rest = '';
  ANCHOR.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = ANCHOR.exec(text))) {
    const e1 = takeEntity(text, m.index + m[0].length);
    if (!e1) continue;
    const after = text.slice(e1.end);
    const second = SECOND.exec(after);
    const e2 = second ? takeEntity(text, e1.end + second[0].length) : undefined;
    if (e2) {
      action.contact = e1.text;
      action.account = e2.text;
      rest = text.slice(e2.end);
    } else {
      if (isPerson(e1.text)) action.contact = e1.text;
      else action.account = e1.text;
      rest = after;
    }
    break;
  }
  if (!action.contact && !action.account) rest = text.replace(LEAD_IN, '');

  const summary = tidy(rest.replace(/^\W*(?:today|yesterday|this morning|this afternoon|earlier|just now)\b/i, ''));
  action.summary = summary || tidy(text) || kind;

  const outcome = OUTCOME.exec(action.summary);
  if (outcome) action.outcome = outcome[0].trim();

  const date = findDate(action.summary, ctx.today);
  if (date && date.date > ctx.today) action.followUpDate = date.date;
  const followUp = followUpText(date ? cut(action.summary, date.start, date.end) : action.summary);
  if (followUp) action.followUp = followUp;
  return action as ActivityLog;
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
