/** task.create ("remind me to call Dana on Friday") and task.list ("what's on my plate today"). */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { findDate } from '../../src/nlu/offline/dates.ts';
import { isPerson } from '../../src/nlu/offline/names.ts';
import { capitalised, cut, entityBefore, takeEntity, tidy } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type TaskCreate = Extract<Action, { type: 'task.create' }>;

const TRIGGER =
  /^(?:please\s+)?(?:remind(?:er)?(?:\s+me)?|todo|to-?do|task|(?:add|create|make|set up|new|set)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:task|todo|to-?do|reminder|follow[- ]?up task)|don'?t let me forget|i\s+(?:need|have|got)\s+to|(?:need|have|got)\s+to)\b\s*(?:for me\s*)?[:,-]?\s*(?:to\s+)?/i;
const TARGET =
  /\b(?:call(?: back)?|email|e-mail|ping|text|meet(?: with)?|phone|follow up with|follow up on|check in with|check on|check in on|chase|reach out to|get back to|loop in|remind|send (?:[\w-]+ ){0,3}?to|send(?=\s+\S+(?:\s+\S+)?\s+(?:the|a|an|our|some|their)\s)|with|for)\s+/gi;

// "the Hooli renewal" is about the account Hooli.
const DEAL_NOUN =
  /\s+(?:renewal|expansion|upsell|proposal|contract|deal|account|team|deck|quote|invoice|po|order|demo|opportunity|opp)$/i;

export function parseTaskCreate(ctx: Ctx): ActionInput {
  let text = ctx.text.replace(TRIGGER, '');
  const action: Partial<TaskCreate> = { type: 'task.create' };
  const date = findDate(text, ctx.today);
  if (date) {
    action.dueDate = date.date;
    text = cut(text, date.start, date.end);
  }
  text = tidy(text.replace(/^\s*(?:to|that i|i should)\s+/i, '').replace(/\s+(?:to|for me)$/i, ''));
  text = tidy(text.replace(/^(?:asap|urgently|quickly)\s+(?:to\s+)?/i, '').replace(/^to\s+/i, ''));
  if (!text) return ctx.ask('task.create.text');
  action.text = text;

  TARGET.lastIndex = 0;
  let m: RegExpExecArray | null;
  let who: string | undefined;
  let weak = false;
  while (!who && (m = TARGET.exec(text))) {
    who = takeEntity(text, m.index + m[0].length)?.text;
    weak = /^(?:with|for)\b/i.test(m[0]);
  }
  if (!who) {
    // A capitalised word inside the text ("send the Globex proposal") names a company or person.
    const cap = /(?<=\s)\p{Lu}[\p{L}&.-]*(?:\s+\p{Lu}[\p{L}&.-]*)*/u.exec(text);
    if (cap && takeEntity(cap[0])) who = takeEntity(cap[0])?.text;
  }
  if (who) {
    const whoEnd = text.indexOf(who) + who.length;
    const at = /^\s*(?:at|from|of)\s+/i.exec(text.slice(whoEnd));
    const account = at ? takeEntity(text, whoEnd + at[0].length)?.text : undefined;
    who = who.replace(DEAL_NOUN, '');
    if (isPerson(who) || account) action.contact = who;
    else if (capitalised(who) || !weak || !isCommonWord(who.split(' ')[0])) action.account = who;
    if (account) action.account = account.replace(DEAL_NOUN, '');
  }
  if (!action.account) {
    const passing = accountInPassing(text);
    if (passing && passing !== action.contact) action.account = passing;
  }
  return action as TaskCreate;
}

// "the stark deal", "renew soylent contract", "send acme the msa": a company named next to one of its deal things.
const THING =
  /\b(?:renewal|expansion|upsell|proposal|contract|deal|account|deck|quote|invoice|po|order|opportunity|opp|msa|sow|nda|pricing|forecast|qbr|pilot|rollout|onboarding|kickoff)\b/gi;
const SEND_TO = /\b(?:send|forward|give|show|email)\s+(?=\S+(?:\s+\S+)?\s+(?:the|a|an|our|some|their)\b)/i;

function accountInPassing(text: string): string | undefined {
  const send = SEND_TO.exec(text);
  const recipient = send && takeEntity(text, send.index + send[0].length);
  if (recipient && !isCommonWord(recipient.text.split(' ')[0]) && !isPerson(recipient.text)) return recipient.text;
  THING.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = THING.exec(text))) {
    const words = entityBefore(text, m.index)?.split(/\s+/) ?? [];
    for (let i = words.length - 1; i >= 0; i--)
      if (isCommonWord(words[i])) {
        words.splice(0, i + 1);
        break;
      }
    if (words.length && !isPerson(words.join(' '))) return words.join(' ');
  }
  return undefined;
}

export function parseTaskList(ctx: Ctx): ActionInput {
  const due = /\bweek\b/.test(ctx.low)
    ? 'week'
    : /\btoday\b|\btonight\b|\bplate\b|\bagenda\b/.test(ctx.low)
      ? 'today'
      : 'all';
  return { type: 'task.list', due };
}

export const taskListRules: IntentRule[] = [
  {
    name: 'what is on my plate',
    action: 'task.list',
    priority: PRIORITY.listing - 15,
    when: /\bon my (?:plate|list|agenda)\b|\bmy (?:tasks|todos?|to-?dos|to do list|reminders|agenda)\b|\b(?:what(?:'?s| is| do i have)?|whats|anything) due\b|\b(?:tasks?|todos?|reminders) (?:for|due) (?:today|this week|tomorrow)\b|^(?:show|list|view|see|get)(?: me)?(?: all)?(?: my)?(?: open)? (?:tasks|todos|to-?dos|reminders)\b|what do i (?:need|have) to do\b/,
    unless:
      /^(?:remind|add|create|new|set|make)\b|\btask:|^(?:task|todo|to-?do|reminder)\b[^:]{0,20}:|^(?:task|todo|to-?do|reminder) for (?:today|tonight|tomorrow|this week|next week)\s+\w+\s+\w+/,
  },
];

export const taskCreateRules: IntentRule[] = [
  {
    name: 'remind me',
    action: 'task.create',
    priority: PRIORITY.explicit - 20,
    when: /^(?:remind(?:er)?|todo|to-?do|task)\b|\bremind me\b|\bset (?:a |up a )?reminder\b|\b(?:add|create|make|new|set up) (?:a |an )?(?:new )?(?:task|todo|to-?do|reminder|follow[- ]?up task)\b|\bdon'?t let me forget\b|\bput (?:it |this )?on my (?:list|calendar|todo)/,
  },
  {
    name: 'I need to',
    action: 'task.create',
    priority: PRIORITY.statement - 20,
    when: /^(?:i )?(?:need|have|got) to\b|^follow[- ]?up with\b|^(?:call|email|ping|chase|send)\b.*\b(?:by|on|tomorrow|today|next)\b/,
  },
];
