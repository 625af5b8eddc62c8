/** Admin requests: what a shared channel is for, and questions to the audit trail. */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import type { CHANNEL_SCOPES } from '../../src/actions/fields.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { findPeriod } from '../../src/nlu/offline/dates.ts';
import { takeEntity } from '../../src/nlu/offline/text.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type Scope = (typeof CHANNEL_SCOPES)[number];

const SCOPE_WORDS: [Scope, RegExp][] = [
  ['everything', /\b(?:everything|anything|all skills|no restrictions?|unrestrict\w*|all of it)\b/],
  ['pipeline', /\b(?:pipeline|forecasts?|deals? questions?|deals)\b/],
  ['logging', /\b(?:logging|log(?:s|ging)? calls|call logs?|activities|notes|tasks|logging calls)\b/],
  ['escalations', /\b(?:escalations?|support|cases|incidents?)\b/],
  ['data_requests', /\b(?:data requests?|privacy|gdpr|ccpa|dsars?)\b/],
];

export const CHANNEL_CONFIG_RE =
  /\b(?:post|send|put|route)\b.*\b(?:escalations?|case notices|cases|notices|alerts)\b.*\b(?:here|to this channel|in this channel)\b|\b(?:this|the) (?:channel|chat|room|group)\b.*\b(?:only|for|allow|restrict|limit|open|set|use)\b|\b(?:set|restrict|limit|open|configure|allow)\b.*\b(?:this|the) (?:channel|chat|room)\b|^channel settings?\b/;

const NOTICES_RE =
  /\b(?:post|send|put|route)\b.*\b(?:escalations?|case notices|cases|notices|alerts)\b.*\b(?:here|to this channel|in this channel)\b/;

export function parseChannelConfigure(ctx: Ctx): ActionInput {
  if (NOTICES_RE.test(ctx.low)) return { type: 'channel.configure', notices: 'escalations' };
  const allow = SCOPE_WORDS.filter(([, re]) => re.test(ctx.low)).map(([s]) => s);
  if (allow.length === 0) {
    return {
      type: 'clarify',
      question: 'What should this channel be for: pipeline, logging, escalations, data requests, or everything?',
    };
  }
  return { type: 'channel.configure', allow: allow.includes('everything') ? ['everything'] : allow };
}

export const AUDIT_RE =
  /\baudit\b|\bwho (?:has )?(?:export|erase|delete|forg[eo]t|change|update|approve|execute|ran)\w*\b|\bwhat did (?:the bot|you|the assistant|\S+) (?:change|do|update|write)\b|\b(?:llm|model|ai) calls\b/;

const KIND: [NonNullable<Extract<Action, { type: 'audit.query' }>['action']>, RegExp][] = [
  ['export', /\bexport/],
  ['erasure', /\b(?:eras|delet|forg[eo]t)/],
  ['data_request', /\bdata requests?\b/],
  ['llm', /\b(?:llm|model|ai) calls\b/],
  ['write', /\b(?:change|changed|update|updated|wrote|write|modified|edit)/],
];
const NOT_ACTORS = /^(?:the bot|bot|you|the assistant|assistant|anyone|someone|we)$/i;

export function parseAuditQuery(ctx: Ctx): ActionInput {
  const period = findPeriod(ctx.text, ctx.today);
  const action = KIND.find(([, re]) => re.test(ctx.low))?.[0] ?? 'any';
  const on = /\b(?:on|for|about|to)\s+(?=\p{Lu}|\S+\s+(?:yesterday|today|this|last))/u.exec(ctx.text);
  const account = on ? takeEntity(ctx.text, on.index + on[0].length)?.text : undefined;
  const who = /\bwhat did (.+?) (?:change|do|update|write)\b/i.exec(ctx.text)?.[1];
  const actor = who && !NOT_ACTORS.test(who) ? who : undefined;
  return {
    type: 'audit.query',
    action,
    ...(account && !/^(?:this|last|today|yesterday)\b/i.test(account) ? { account } : {}),
    ...(actor ? { actor } : {}),
    ...(period?.from ? { from: period.from } : {}),
    ...(period?.to ? { to: period.to } : {}),
  };
}

export const channelConfigureRules: IntentRule[] = [
  { name: 'channel setting', action: 'channel.configure', priority: PRIORITY.command, when: CHANNEL_CONFIG_RE },
];

export const auditQueryRules: IntentRule[] = [
  {
    name: 'audit trail question',
    action: 'audit.query',
    priority: PRIORITY.command - 10,
    when: AUDIT_RE,
    // "call with Benedikt – discussed SSO + audit logs": a customer's audit logs, in a call's notes.
    unless:
      /^(?:(?:just\s+)?log(?:ged)?:?\s+(?:a\s+|an\s+)?)?(?:call|meeting|mtg|met|spoke|talked|chatted|emailed|demo)\b/,
  },
];
