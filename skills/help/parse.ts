import type { ActionInput } from '../../src/core/types.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

const LEAD =
  /^\?+$|^(?:help|commands|menu|usage)\b\s*(?:me\s+)?(?:with|on|about)?\s*|^.*?\bhow (?:do|can|should|would) (?:i|we)\s+|^how to\s+|^.*?\bhelp (?:me )?(?:with|on|about)\s+/;
const SKILL_WORDS: [string, RegExp][] = [
  ['pipeline.query', /\b(?:pipeline|forecast|reports?|win rate|quota)\b/],
  ['activity.log', /\b(?:calls?|meetings?|activit(?:y|ies)|notes?|logging)\b/],
  ['deal.update', /\b(?:deals?|opportunit(?:y|ies)|stages?)\b/],
  ['contact.lookup', /\b(?:contacts?|people|lookup)\b/],
  ['task.create', /\b(?:tasks?|reminders?|todos?)\b/],
  ['escalation.create', /\b(?:escalations?|cases?|tickets?|support)\b/],
  ['data_request.create', /\b(?:gdpr|ccpa|privacy|data requests?|dsar)\b/],
  [
    'insight.query',
    /\b(?:computed|calculated|worked out|formula|lifetime value|clv|churn|health|segments?|rfm|equity)\b/,
  ],
];

export function parseHelp(ctx: Ctx): ActionInput {
  const rest = ctx.low
    .replace(LEAD, '')
    .replace(/[?!.]+$/, '')
    .trim();
  if (!rest || /^(?:you do|can you do)$/.test(rest)) return { type: 'help' };
  const intent = ctx.intentOf(rest);
  if (intent && intent !== 'help') return { type: 'help', topic: intent };
  const skill = SKILL_WORDS.find(([, re]) => re.test(rest))?.[0];
  return skill ? { type: 'help', topic: skill } : { type: 'help' };
}

const PLEASANTRY =
  "(?:hi|hello|hey|hiya|yo|howdy|good (?:morning|afternoon|evening|day)|morning|thanks?(?: you)?(?: (?:so|very) much)?(?: a lot)?|thx|ty|tysm|cheers|great|perfect|awesome|cool|nice|brilliant|lovely|ok(?:ay)?|got it|(?:that'?s|that is) (?:perfect|great|everything|all|it|helpful|exactly what i needed)(?: i needed)?|much appreciated|appreciate it|you'?re the best|have a (?:good|great|nice) (?:day|one|weekend))";

export const helpRules: IntentRule[] = [
  // A greeting or thanks is answered with a pointer to help, not "sorry, I didn't get that".
  {
    name: 'greeting or thanks',
    action: 'help',
    priority: PRIORITY.meta,
    when: new RegExp(String.raw`^(?:${PLEASANTRY}[\s,.!:;)(]*)+$`),
  },
  {
    name: 'thanks in passing',
    action: 'help',
    priority: PRIORITY.topical - 50,
    when: /\bthanks?\b|\bthank you\b|\bappreciate\b/,
  },
  {
    name: 'help command',
    action: 'help',
    priority: PRIORITY.meta,
    when: /^(?:help|commands|menu|usage)\b(?!\s+me\s+(?!with\b|understand\b|out\b))|^\?+$/,
  },
  {
    name: 'what can you do',
    action: 'help',
    priority: PRIORITY.meta,
    when: /what (?:can|do|else can) (?:you|u|this bot|the bot|it|this thing) do|what are (?:your|the) (?:commands|skills|options)|^(?:show|list) (?:me )?(?:the |your )?(?:commands|skills)|what (?:commands|skills)|\bwhat (?:kinds?|sorts?|types?) of (?:commands|things|stuff|requests|questions)\b|\bwhat do you (?:understand|support|know how to do)\b|\bwhat (?:can|should) i (?:type|say|ask)\b|\bexplain (?:what|how) (?:you|u|this|it|the bot)\b|\bwhat (?:do )?(?:you|u) do\b/,
  },
  {
    name: 'how do I',
    action: 'help',
    priority: PRIORITY.meta,
    when: /\bhow (?:do|can|should|would) (?:i|we)\b(?! (?:reach|get (?:in touch with|hold of))\b)|^how to\b|\bhelp (?:me )?(?:with|on|about)\b|\b(?:what'?s|what is) the (?:right |best |correct |proper )?way to\b(?! (?:reach|contact|get (?:in touch with|hold of))\b)|^how (?:does|do) (?:the |this |a |your )?[\w .-]{0,30}\bwork\b/,
  },
  // "how is that computed?" after an insight (each answer also carries its own working).
  {
    name: 'how is a figure computed',
    action: 'help',
    priority: PRIORITY.meta,
    when: /\bhow (?:is|was|are|were|do you|did you|does it) (?:that|this|it|those|these|the [\w -]{1,30}|clv|ltv|churn risk|health|[\w -]{1,30}) ?(?:computed|calculated|worked out|scored|measured|derived|figured)\b|\bwhat'?s the formula\b|\bshow (?:me )?(?:your|the) working\b/,
  },
  {
    name: 'examples or new here',
    action: 'help',
    priority: PRIORITY.meta,
    when: /^(?:(?:show|give|list|send)(?: me)? )?(?:some |a few )?examples\b|\bexamples? of what\b|\bexample (?:commands|messages|questions)\b|^i'?m new\b|\bnew here\b|^getting started\b/,
  },
];
