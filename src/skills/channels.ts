import { defineSkill } from '../core/types.ts';
import { describeScopes } from '../core/permissions.ts';

/** An admin sets what a shared channel is for ("this channel is for escalations only"). */
export const channels = defineSkill({
  types: ['channel.configure'],
  writes: () => true,
  prepare: async (action, ctx) => {
    if (!ctx.place.conversation) {
      return { question: 'Which channel? Ask me in the channel you want to set up: there, "set this channel to escalations only".' };
    }
    return {
      payload: { allow: action.allow, channel: ctx.place.channel, conversation: ctx.place.conversation },
      preview: `Set this channel to: ${describeScopes(action.allow)}${action.allow.includes('everything') ? '' : ' only'}.`,
    };
  },
  format: (r) => ({ kind: 'done', text: `Done: this channel is now for ${describeScopes(r.allow as never)}. Direct messages are not affected.` }),
});
