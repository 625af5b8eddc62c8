import { defineSkill } from '../core/types.ts';
import { describeScopes } from '../core/permissions.ts';

const NOTICES = { escalations: 'escalation notices (new cases, SLA breaches)' } as const;

/** An admin sets what a shared channel is for ("escalations only") and which notices it gets ("post escalations here"). */
export const channels = defineSkill({
  types: ['channel.configure'],
  writes: () => true,
  prepare: async (action, ctx) => {
    if (!ctx.place.conversation) {
      return { question: 'Which channel? Ask me in the channel you want to set up: there, "set this channel to escalations only" or "post escalations here".' };
    }
    const lines = [
      ...(action.allow ? [`Set this channel to: ${describeScopes(action.allow)}${action.allow.includes('everything') ? '' : ' only'}.`] : []),
      ...(action.notices ? [`Post ${NOTICES[action.notices]} in this channel (instead of anywhere else).`] : []),
    ];
    return {
      payload: { allow: action.allow, notices: action.notices, channel: ctx.place.channel, conversation: ctx.place.conversation },
      preview: lines.join('\n'),
    };
  },
  format: (r) => {
    const parts = [
      ...(r.allow ? [`this channel is now for ${describeScopes(r.allow as never)}; direct messages are not affected`] : []),
      ...(r.notices ? [`${NOTICES[r.notices as keyof typeof NOTICES]} will be posted here`] : []),
    ];
    return { kind: 'done', text: `Done: ${parts.join(', and ')}.` };
  },
});
