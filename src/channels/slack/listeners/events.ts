import { homeView } from '../blocks.ts';
import { turnAt } from '../deliver.ts';
import { type Listeners, tell } from './context.ts';
import { escalateMessage } from './shortcuts.ts';

export const ESCALATE_REACTION = 'rotating_light';

/** Events other than messages: the :rotating_light: reaction that escalates a message, and the App Home tab. */
export function registerEvents(deps: Listeners): void {
  const { app, kit, users, seen, work, log } = deps;

  app.event('reaction_added', async ({ event, body, client }) => {
    if (event.reaction !== ESCALATE_REACTION || event.item.type !== 'message' || (await seen.repeat(body.event_id)))
      return;
    const { channel, ts } = event.item;
    const place = { channel, user: event.user };
    await work(client, place, async () => {
      const history = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
      let message = history.messages?.find((m) => m.ts === ts);
      if (!message) {
        // A reply inside a thread is not in the channel history.
        const replies = await client.conversations.replies({ channel, ts, inclusive: true, limit: 1 });
        message = replies.messages?.find((m) => m.ts === ts);
      }
      if (!message) return tell(client, place, "I couldn't read that message, so no case was raised.");
      await escalateMessage(
        deps,
        client,
        place,
        { text: message.text, ts, user: message.user },
        `slack:event:${body.event_id}`,
      );
    });
  });

  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab !== 'home' || (await seen.repeat(body.event_id))) return;
    try {
      const speaker = await users.speaker(event.user);
      const reply = await kit.show(
        speaker,
        turnAt({ channel: 'D', user: event.user }, `slack:event:${body.event_id}`),
        { type: 'task.list', due: 'all' },
      );
      const name = speaker.kind === 'member' ? speaker.user.name : 'there';
      const title = speaker.kind === 'member' ? 'Your tasks and open cases' : 'Your CRM';
      await client.views.publish({ user_id: event.user, view: homeView(name, [{ title, reply }]) });
    } catch (err) {
      log.error('home tab failed', { error: err });
    }
  });
}
