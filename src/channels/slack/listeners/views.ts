import { VIEW } from '../blocks.ts';
import { deliver, turnAt, type Place } from '../deliver.ts';
import { editedAction, type EditOrigin } from '../edit-form.ts';
import { type Listeners, tell } from './context.ts';

export const REASSIGN_VIEW = VIEW.reassign;

/** Modal submissions: an edited pending write, and the new assignee of a case. */
export function registerViews({ app, kit, users, work }: Listeners): void {
  app.view(VIEW.edit, async ({ ack, body, view, client }) => {
    const origin = JSON.parse(view.private_metadata) as EditOrigin;
    const values = view.state.values as never;
    // The form alone decides whether it is valid, so the ack (with field errors) never waits for the database.
    const checked = editedAction({}, origin, values);
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: checked.errors });
      return;
    }
    await ack();
    const place: Place = { channel: origin.channel, user: body.user.id, threadTs: origin.threadTs };
    await work(client, place, async () => {
      const speaker = await users.speaker(place.user);
      const pending = await kit.pending(speaker, origin.pendingId);
      if (!pending) return tell(client, place, 'That request is no longer waiting for you; nothing was changed.');
      const edited = editedAction(pending.values, origin, values);
      if (!edited.ok) return tell(client, place, 'That edit could not be applied; nothing was changed.');
      const reply = await kit.replace(
        speaker,
        turnAt(place, `slack:view:${view.id}:${view.hash}`),
        origin.pendingId,
        edited.action,
      );
      if (origin.responseUrl) {
        await fetch(origin.responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ replace_original: true, text: 'Replaced by your edited request.' }),
        }).catch(() => undefined);
      }
      await deliver(client, place, reply);
    });
  });

  app.view(REASSIGN_VIEW, async ({ ack, body, view, client }) => {
    const meta = JSON.parse(view.private_metadata) as { case: string; channel: string };
    const picked = view.state.values.assignee?.v?.selected_user;
    const target = picked ? await users.speaker(picked) : undefined;
    if (target?.kind !== 'member') {
      await ack({ response_action: 'errors', errors: { assignee: 'That person has no CRM account linked to Slack.' } });
      return;
    }
    await ack();
    const place: Place = { channel: meta.channel, user: body.user.id };
    await work(client, place, async () => {
      const turn = turnAt(place, `slack:view:${view.id}:${view.hash}`);
      await deliver(
        client,
        place,
        await kit.onCase(await users.speaker(place.user), turn, meta.case, { assignee: target.user.name }),
      );
    });
  });
}
