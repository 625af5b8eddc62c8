import type { ActionInput } from '../../core/types.ts';
import type { Ctx } from './context.ts';
import { detectIntent } from './intent.ts';

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
];

export function parseHelp(ctx: Ctx): ActionInput {
  const rest = ctx.low
    .replace(LEAD, '')
    .replace(/[?!.]+$/, '')
    .trim();
  if (!rest || /^(?:you do|can you do)$/.test(rest)) return { type: 'help' };
  const intent = detectIntent(rest);
  if (intent !== 'unknown' && intent !== 'help') return { type: 'help', topic: intent };
  const skill = SKILL_WORDS.find(([, re]) => re.test(rest))?.[0];
  return skill ? { type: 'help', topic: skill } : { type: 'help' };
}
