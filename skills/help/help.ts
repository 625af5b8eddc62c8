import { z } from 'zod';
import { defineAction } from '../../src/core/skill.ts';
import type { ChannelKind, Reply } from '../../src/core/types.ts';
import { parseHelp, helpRules } from './parse.ts';

/** How to reach the assistant in each channel, in that channel's own words (help says it). */
const HOW_TO_ASK: Record<ChannelKind, string> = {
  repl: 'type it the way you would say it',
  slack: 'type it the way you would say it — here in a DM, with `/crm`, or by mentioning @CRM Assistant in a channel',
  teams:
    'type it the way you would say it — here in our chat, or by mentioning @CRM Assistant in a channel or group chat',
};

const Help = z.strictObject({ type: z.literal('help'), topic: z.string().min(1).max(100).optional() });

/**
 * `help` and `help <topic>`, built from the skills so it never drifts from what the assistant does: the skills the
 * asker's role can use, each with clean example sentences (not the parser's test data).
 */
export const help = defineAction({
  schema: Help,
  canonical: true,
  roles: ['rep', 'manager', 'support', 'privacy_officer', 'admin', 'guest'],
  scope: 'always',
  writes: false,
  local: true,
  nlu: { rules: helpRules, extract: parseHelp },
  prepare: async (action) => ({ payload: { topic: action.topic ?? null } }),
  format: (result: { topic: string | null }, ctx): Reply => {
    const mine = ctx.skills.filter((s) => s.usage.length && s.actions.some((a) => a.roles.includes(ctx.user.role)));
    const topic = result.topic?.toLowerCase();
    const chosen =
      topic &&
      mine.find(
        (s) =>
          s.name === topic ||
          s.name.replace('-', ' ') === topic ||
          s.actions.some((a) => a.schema.shape.type.value === topic),
      );
    if (chosen) {
      return {
        kind: 'answer',
        text: [
          chosen.description,
          ...(chosen.explain ? ['How the figures are computed:', ...chosen.explain.map((e) => `  • ${e}`)] : []),
          'For example:',
          ...chosen.usage.map((u) => `  • "${u}"`),
        ].join('\n'),
      };
    }
    return {
      kind: 'answer',
      text: [
        `Here is what I can do — ${HOW_TO_ASK[ctx.place.channel]}:`,
        ...mine.map((s) => `  • ${s.description} For example: "${s.usage[0]}"`),
        'Every change is shown to you first and waits for your confirmation.',
        `For more examples, type help and a topic: ${mine.map((s) => s.name.replace('-', ' ')).join(', ')}.`,
      ].join('\n'),
    };
  },
});
