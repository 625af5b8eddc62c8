/** task.create ("remind me to call Dana on Friday") and task.list ("what's on my plate today"). */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { companyOf, isPerson, people, splitPersonCompany } from '../../src/nlu/offline/names.ts';
import { capitalised, entityBefore, isThingNoun, takeEntity, tidy } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type TaskCreate = Extract<Action, { type: 'task.create' }>;

const TRIGGER =
  /^(?:please\s+)?(?:remind(?:er)?(?:\s+me)?|todo|to-?do|task|(?:add|create|make|set up|new|set)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:task|todo|to-?do|reminder|follow[- ]?up task)|don'?t let me forget|i\s+(?:need|have|got)\s+to|(?:need|have|got)\s+to)\b\s*(?:(?:for (?:me|myself)|out of (?:this|that)|from (?:this|that))\s*)?[:,-]?\s*(?:to\s+)?/i;
const TRIGGER_INSIDE =
  /\b(?:remind me|(?:set|add|create|make|put in|put down)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:reminder|task|todo|to-?do))\s*(?:for me\s*)?[:,-]?\s*(?:to\s+)?/i;
const TARGET =
  /\b(?:call(?: back)?|email|e-mail|ping|text|meet(?: with)?|phone|follow up with|follow up on|check in with|check on|check in on|chase|reach out to|get back to|loop in|remind|send (?:[\w-]+ ){0,3}?to|send(?=\s+\S+(?:\s+\S+)?\s+(?:the|a|an|our|some|their)\s)|with|for)\s+/gi;

// "the Hooli renewal" is about the account Hooli.
const DEAL_NOUN =
  /\s+(?:renewal|expansion|upsell|proposal|contract|deal|account|team|deck|quote|invoice|po|order|demo|opportunity|opp|paperwork|docs|documents|slides|map|msa|sow|nda|agreement|pilot)$/i;

// "remind Priya to send the quote", "ask Alex to update the forecast", "task for Marco: call Hooli".
const FOR_COLLEAGUE =
  /^(?:please\s+)?(?:remind|ask|tell|get|have|make sure)\s+(?!me\b|myself\b|us\b)([\p{L}][\p{L}'-]*(?:\s+(?!to\b|about\b|that\b)\p{Lu}[\p{L}'-]*)?)\s+(?:to\s+)?(?=\S)|^(?:(?:add|create|make|set up|new)\s+(?:a\s+)?)?(?:task|todo|reminder)\s+for\s+(?!me\b|myself\b|today\b|tomorrow\b|tonight\b|this\b|next\b|monday|tuesday|wednesday|thursday|friday)([\p{L}][\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)?)\s*[:,-]?\s*(?:to\s+)?|^(?:i\s+)?(?:need|want)\s+(?:a\s+)?(?:new\s+)?(?:task|todo|reminder)\s+for\s+(?!me\b|myself\b)([\p{L}][\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)?)\s*[:,-]?\s*(?:to\s+)?|^assign\s+(?:a\s+)?(?:task|todo)\s+to\s+([\p{L}][\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)?)\s*[:,-]?\s*(?:to\s+)?/iu;

/**
 * The name a pattern captured, without a lower-case word after the first name. (The patterns run case-insensitively
 * for their keywords, and under the i flag \p{Lu} matches lower-case letters too.)
 */
function properName(raw: string): string {
  const [first, ...rest] = raw.split(/\s+/);
  const tail: string[] = [];
  for (const w of rest) {
    if (!/^\p{Lu}/u.test(w)) break;
    tail.push(w);
  }
  return [first, ...tail].join(' ');
}

export function parseTaskCreate(ctx: Ctx): ActionInput {
  const action: Partial<TaskCreate> = { type: 'task.create' };
  const time = ctx.spans.take('time');
  if (time) {
    action.dueTime = time.time;
    if (time.date) action.dueDate = time.date;
  }
  const when = action.dueDate ? undefined : ctx.spans.take('when', { where: (w) => Boolean(w.date) });
  if (when?.date) action.dueDate = when.date;
  let text = ctx.spans.blank(ctx.text);
  const colleague = FOR_COLLEAGUE.exec(text);
  const name = colleague && properName(colleague[1] ?? colleague[2] ?? colleague[3] ?? colleague[4]);
  if (colleague && name && isPerson(name)) {
    action.assignee = name;
    const raw = colleague[1] ?? colleague[2] ?? colleague[3] ?? colleague[4];
    // A lower-case word after the first name was not part of it ("ask marco review..."): it starts the task.
    text = name === raw ? text.slice(colleague[0].length) : text.slice(colleague[0].indexOf(raw) + name.length);
  } else {
    // "Oh and before I forget, can you set a reminder for me to ...": the task starts after the ask.
    const ask = TRIGGER.test(text) ? undefined : TRIGGER_INSIDE.exec(text);
    text = ask ? text.slice(ask.index + ask[0].length) : text.replace(TRIGGER, '');
  }
  text = text.replace(/(?:^|\s)(?:on\s+)?(?:in the\s+)?(?:morning|afternoon|evening|tonight)(?=[\s,.;]*$|,)/i, ' ');
  text = tidy(
    text
      .replace(/^[\s,]*(?:(?:she|he|they)\s+(?:needs?|has|have|should|must|is going)\s+to\s+)?/i, '')
      .replace(/^\s*(?:to|that i|i should)\s+/i, '')
      .replace(/\s+(?:to|for me)$/i, ''),
  );
  text = tidy(
    text
      .replace(/^(?:asap|urgently|quickly)\s+(?:to\s+)?/i, '')
      .replace(/^to\s+/i, '')
      .replace(/\s+(?:by|on|at|until|till|due)\s*$/i, '')
      .replace(/,\s*(?:make|set) it(?: due)?\s*$/i, ''),
  );
  if (!text || /^(?:it|that|this|her|him|them|me|us)[?.!]*$/i.test(text)) return ctx.ask('task.create.text', action);
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
    const cap = /(?<=\s)\p{Lu}[\p{L}&.-]*(?:\s+(?:&\s+)?\p{Lu}[\p{L}&.-]*)*/u.exec(text);
    if (cap && takeEntity(cap[0]) && !isThingNoun(cap[0].split(' ')[0])) who = takeEntity(cap[0])?.text;
  }
  if (who) {
    const whoEnd = text.indexOf(who) + who.length;
    const at = /^\s*(?:at|from|of)\s+/i.exec(text.slice(whoEnd));
    const account = at ? takeEntity(text, whoEnd + at[0].length)?.text : undefined;
    while (DEAL_NOUN.test(who)) who = who.replace(DEAL_NOUN, '');
    const split = splitPersonCompany(who);
    if (split && !account) {
      who = split.person;
      action.account = split.company;
    }
    if ((isPerson(who) || account) && !isCommonWord(who.split(' ')[0])) action.contact = who;
    else if (capitalised(who) || !weak || !isCommonWord(who.split(' ')[0])) action.account = who;
    if (account) action.account = account.replace(DEAL_NOUN, '');
  }
  if (!action.account) {
    const passing = accountInPassing(text);
    if (passing && passing !== action.contact) action.account = passing;
  }
  // "..., Tom Becker still hasn't sent it back": a person named elsewhere in the message.
  const person = people(ctx.text).find(
    (p) => p.name !== action.assignee && !p.name.startsWith(action.assignee ?? '\0'),
  );
  if (person && (!action.contact || !isPerson(action.contact))) {
    action.contact = person.name;
    const company = companyOf(ctx.text, person.name);
    if (company && (!action.account || action.account === person.name)) action.account = company;
  }
  return action as TaskCreate;
}

// "the stark deal", "renew soylent contract", "send acme the msa": a company named next to one of its deal things.
const THING =
  /\b(?:renewal|expansion|upsell|proposal|contract|deal|account|deck|quote|invoice|po|order|opportunity|opp|msa|sow|nda|pricing|forecast|qbr|pilot|rollout|onboarding|kickoff|map|paperwork)\b/gi;
const SEND_TO = /\b(?:send|forward|give|show|email)\s+(?=\S+(?:\s+\S+)?\s+(?:the|a|an|our|some|their)\b)/i;

function accountInPassing(text: string): string | undefined {
  const send = SEND_TO.exec(text);
  const recipient = send && takeEntity(text, send.index + send[0].length);
  if (
    recipient &&
    !isCommonWord(recipient.text.split(' ')[0]) &&
    !isPerson(recipient.text) &&
    !/^(?:me|us|you|him|her|them)$/i.test(recipient.text)
  )
    return recipient.text;
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

/** "what's on my plate today", "overdue tasks", "my team's tasks this week", "what does Priya have due". */
export function parseTaskList(ctx: Ctx): ActionInput {
  const l = ctx.low;
  const due = /\boverdue\b|\blate\b|\bpast due\b|\bmissed\b/.test(l)
    ? 'overdue'
    : /\bweek\b/.test(l)
      ? 'week'
      : /\btoday\b|\btonight\b|\bplate\b|\bagenda\b/.test(l)
        ? 'today'
        : 'all';
  const action: Extract<Action, { type: 'task.list' }> = { type: 'task.list', due };
  const named =
    /\b(?:does|for|of|has)\s+([\p{L}][\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)?)(?='s|\s+(?:have|got|has|due|this|today|overdue|tasks?)|\s*\??$)/iu.exec(
      ctx.text,
    );
  const possessive = /\b([\p{L}][\p{L}-]*(?:\s+\p{Lu}[\p{L}-]*)?)'s\s+(?:tasks|plate|todos?|to-?dos|reminders)/iu.exec(
    ctx.text,
  );
  if (/\b(?:my|our|the|whole)\s+team'?s?\b|\bteam'?s\b|\bteam (?:tasks|plate)\b/.test(l)) action.assignee = 'team';
  else if (possessive && isPerson(properName(possessive[1])) && !/^(?:my|team)$/i.test(possessive[1]))
    action.assignee = properName(possessive[1]);
  else if (named && isPerson(properName(named[1])) && !/^me$/i.test(named[1])) action.assignee = properName(named[1]);
  else if (/\b(?:my|me|i)\b/.test(l)) action.assignee = 'me';
  return action;
}

const COMPLETE_LEAD =
  /^(?:please\s+)?(?:mark|set)\s+(?:the\s+|my\s+)?(.+?)\s+(?:task\s+)?(?:as\s+)?(?:done|complete|completed|finished)\b|^(?:i'?m\s+|i am\s+)?(?:done|finished)\s+(?:with\s+)?(?:the\s+|my\s+)?(.+?)$|^(?:complete|close|finish|tick off|check off)\s+(?:the\s+|my\s+)?(?:task\s+)?(.+?)$|^(?:done|completed|finished)\s*[:,-]\s*(.+)$|^(?:the\s+)?(.+?)\s+(?:task\s+)?(?:is|was|are)\s+(?:done|complete|completed|finished|finish)\b/i;

/** "mark the Lars follow-up as done", "done with the Globex MSA task", "complete task 48". */
export function parseTaskComplete(ctx: Ctx): ActionInput {
  const record = ctx.spans.take('record', { where: (r) => r.of === 'task' });
  if (record) return { type: 'task.complete', task: record.number };
  const text = ctx.text.replace(/(?:[\s.!✅✔]|\uFE0F)+$/u, '');
  const m =
    COMPLETE_LEAD.exec(text) ??
    /\b(?:mark|close|tick off)\s+(?:the\s+)?(.+?)\s+(?:task\s+)?(?:as\s+)?(?:done|complete|closed)?\s*$/i.exec(text);
  let task: string | undefined = (m && (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5])) || undefined;
  if (!task) {
    // "I've sent the quote to Globex, you can close that task": the task is what was done.
    const done =
      /^(?:i'?ve|i have|i)\s+(?:just\s+|finally\s+)?(?:sent|called|emailed|done|finished|shared|booked)\s+(?:it\s+)?(.+?)\s*,\s*(?:so\s+)?(?:you can|please|pls)?\s*(?:close|mark|complete)/i.exec(
        text,
      );
    task = done?.[1];
  }
  task = task
    ?.replace(/^(['"‘“])(.+)['"’”]$/, '$2')
    .replace(/^(?:the\s+|my\s+)?(?:task\s+(?:about|for|to)\s+|task\s+)?/i, '')
    .replace(/\s+task$/i, '')
    .replace(/^(?:about|for)\s+/i, '');
  if (!task || /^(?:it|that|this|that one)$/i.test(task)) return ctx.ask('task.complete.task');
  return { type: 'task.complete', task: tidy(task) };
}

export const taskListRules: IntentRule[] = [
  {
    name: 'what is on my plate',
    action: 'task.list',
    priority: PRIORITY.listing - 15,
    when: /\bon my (?:plate|list|agenda)\b|\bmy (?:tasks|todos?|to-?dos|to do list|reminders|agenda)\b|\b(?:what(?:'?s| is| do i have)?|whats|anything) due\b|\b(?:tasks?|todos?|reminders) (?:for|due) (?:today|this week|tomorrow)\b|^(?:show|list|view|see|get)(?: me)?(?: all)?(?: my)?(?: open)? (?:tasks|todos|to-?dos|reminders)\b|what do i (?:need|have) to do\b|^(?:what'?s|whats|what is|anything|show(?: me)?|list)?\s*(?:my\s+)?overdue(?:\s+(?:for|on)\s+\S+)?\s*\??$|\bon (?:the team'?s|our|\w+'s) (?:plate|list|agenda)\b|\b(?:what|which|any)\s+(?:tasks|todos|to-?dos|reminders|follow[- ]?ups)\b|\b(?:do|does)\s+\S+(?:\s+\S+)?\s+have\s+(?:due|on|to do)\b|\bhave due\b|\boverdue (?:tasks|todos|to-?dos|items|reminders|follow[- ]?ups)\b|^what do i have (?:this week|today|tomorrow|on (?:today|this week))\b|^(?:tasks|todos|to-?dos|reminders) (?:this week|today|overdue)\b|\b(?:the team'?s|our team'?s|my team'?s|team) (?:tasks|todos|to-?dos)\b|\b(?:do i have|is there|anything|something)\s+(?:anything\s+)?overdue\b/,
    unless:
      /^(?:remind|add|create|new|set|make)\b|\btask:|^(?:task|todo|to-?do|reminder)\b[^:]{0,20}:|^(?:task|todo|to-?do|reminder) for (?:today|tonight|tomorrow|this week|next week)\s+\w+\s+\w+/,
  },
];

export const taskCreateRules: IntentRule[] = [
  {
    name: 'a task for a colleague',
    action: 'task.create',
    priority: PRIORITY.explicit - 25,
    when: /^(?:ask|tell|get|have)\s+(?!me\b|us\b|you\b|them\b|him\b|her\b)[\p{L}'-]+(?:\s+[\p{L}'-]+)?\s+to\s+\S/u,
  },
  {
    name: 'remind me',
    action: 'task.create',
    priority: PRIORITY.explicit - 20,
    when: /^(?:remind(?:er)?|todo|to-?do|task)\b|\bremind me\b|\b(?:need|want|make|put in|set|put down|add) (?:a |an )?(?:new )?(?:task|todo|to-?do|reminder)\b|\bset (?:a |up a )?reminder\b|\b(?:add|create|make|new|set up) (?:a |an )?(?:new )?(?:task|todo|to-?do|reminder|follow[- ]?up task)\b|\bdon'?t let me forget\b|\bput (?:it |this )?on my (?:list|calendar|todo)/,
  },
  {
    name: 'I need to',
    action: 'task.create',
    priority: PRIORITY.statement - 20,
    when: /^(?:i )?(?:need|have|got) to\b|^follow[- ]?up with\b|^(?:call|email|ping|chase|send)\b.*\b(?:by|on|tomorrow|today|next)\b/,
  },
];

export const taskCompleteRules: IntentRule[] = [
  {
    name: 'task marked done',
    action: 'task.complete',
    priority: PRIORITY.explicit,
    when: /^(?:i\s+)?(?:just\s+)?(?:finished|completed|did)\s+(?:the|my)\s+.+\btask\b|\btasks?\b[^.]{0,60}?\b(?:is|was|are)\s+(?:now\s+)?(?:done|complete|completed|finished|finish)\b|\b(?:mark|set)\b.*\b(?:as\s+)?(?:done|complete|completed|finished)\b|^(?:i'?m\s+)?(?:done|finished)\s+with\b|^(?:complete|finish|tick off|check off)\s+(?:the\s+|my\s+)?(?:task\b|\S)|\btask\s+(?:#?\d+\s+)?(?:is\s+|as\s+)?(?:done|complete|completed|finished|finish)\b|\b(?:close|complete)\s+(?:that|the|this)\s+task\b|^(?:done|completed)\s*[:,-]/,
    unless: /\b(?:deal|opp|opportunity|case|ticket|request)\b(?!.*\btask\b)/,
  },
  {
    name: 'numbered task done',
    action: 'task.complete',
    priority: PRIORITY.record,
    when: /\btask\s*#?\d+\b.*\b(?:done|complete|finished|close)|\b(?:complete|close|finish)\s+task\s*#?\d+/,
  },
];
