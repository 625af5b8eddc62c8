import { z } from 'zod';
import { CHANNEL_SCOPES, type ChannelScope } from '../../src/actions/fields.ts';
import { defineAction } from '../../src/core/skill.ts';
import { describeScopes } from '../../src/format/labels.ts';
import { parseChannelConfigure, channelConfigureRules } from './parse.ts';

const ChannelConfigure = z
  .strictObject({
    type: z.literal('channel.configure'),
    allow: z.array(z.enum(CHANNEL_SCOPES)).min(1).max(CHANNEL_SCOPES.length).optional(),
    /** This channel receives the team's notices of that kind ("post escalations here"). */
    notices: z.enum(['escalations']).optional(),
  })
  .refine((a) => a.allow !== undefined || a.notices !== undefined, {
    message: 'say what the channel is for, or which notices it gets',
  });

const NOTICES = { escalations: 'escalation notices (new cases, SLA breaches)' } as const;

/** An admin sets what a shared channel is for ("escalations only") and which notices it gets ("post escalations here"). */
export const channelConfigure = defineAction({
  schema: ChannelConfigure,
  canonical: false,
  roles: ['admin'],
  // A channel's own setting is changed whatever the channel is set up for (or it could never be changed back).
  scope: 'settings',
  refusal: "change a channel's settings (admins only)",
  writes: true,
  nlu: { rules: channelConfigureRules, extract: parseChannelConfigure },
  prepare: async (action, ctx) => {
    if (!ctx.place.conversation) {
      return {
        question:
          'Which channel? Ask me in the channel you want to set up: there, "set this channel to escalations only" or "post escalations here".',
      };
    }
    const lines = [
      ...(action.allow
        ? [`Set this channel to: ${describeScopes(action.allow)}${action.allow.includes('everything') ? '' : ' only'}.`]
        : []),
      ...(action.notices ? [`Post ${NOTICES[action.notices]} in this channel (instead of anywhere else).`] : []),
    ];
    return {
      payload: {
        allow: action.allow,
        notices: action.notices,
        channel: ctx.place.channel,
        conversation: ctx.place.conversation,
      },
      preview: lines.join('\n'),
    };
  },
  format: (r: { allow?: ChannelScope[]; notices?: keyof typeof NOTICES }) => {
    const parts = [
      ...(r.allow ? [`this channel is now for ${describeScopes(r.allow)}; direct messages are not affected`] : []),
      ...(r.notices ? [`${NOTICES[r.notices]} will be posted here`] : []),
    ];
    return { kind: 'done', text: `Done: ${parts.join(', and ')}.` };
  },
});
