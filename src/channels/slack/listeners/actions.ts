import type { BlockButtonAction, RespondFn } from '@slack/bolt';
import type { ActionType } from '../../../actions/index.ts';
import { ACTION, CHOOSE_ACTION, noticeView } from '../blocks.ts';
import { deliver, turnAt, type Place } from '../deliver.ts';
import { editView, type EditOrigin } from '../edit-form.ts';
import { type Listeners, tell } from './context.ts';
import { REASSIGN_VIEW } from './views.ts';

/** A button's JSON value, or undefined when it is not JSON (the core validates what it holds). */
function parsedJson(value: string | undefined): unknown {
  try {
    return JSON.parse(value ?? '') as unknown;
  } catch {
    return undefined;
  }
}

const placeOf = (body: BlockButtonAction, respond?: RespondFn): Place => ({
  channel: body.channel?.id ?? body.user.id,
  user: body.user.id,
  respond,
  threadTs: body.message?.thread_ts,
});

/** Buttons: Confirm / Cancel / Edit of a pending write, the answers of a "which one?" question, the buttons of a case post. */
export function registerActions({ app, kit, users, work }: Listeners): void {
  for (const [id, yes] of [
    [ACTION.confirm, true],
    [ACTION.cancel, false],
  ] as const) {
    app.action<BlockButtonAction>(id, async ({ ack, body, action, client, respond }) => {
      await ack();
      const place = placeOf(body, respond);
      await work(client, place, async () => {
        const progress = (text: string) => void tell(client, place, text).catch(() => undefined);
        const turn = { ...turnAt(place, `slack:action:${body.trigger_id}`), progress };
        await deliver(client, place, await kit.answer(await users.speaker(place.user), turn, action.value ?? '', yes), {
          replace: true,
        });
      });
    });
  }

  app.action<BlockButtonAction>(CHOOSE_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const place = placeOf(body, respond);
    await work(client, place, async () => {
      const chosen = parsedJson(action.value);
      if (chosen === undefined)
        return tell(client, place, 'That choice is no longer valid; nothing was changed. Please ask again.');
      const reply = await kit.choose(
        await users.speaker(place.user),
        turnAt(place, `slack:action:${body.trigger_id}`),
        chosen,
      );
      await deliver(client, place, reply, { replace: true });
    });
  });

  app.action<BlockButtonAction>(ACTION.edit, async ({ ack, body, action, client, respond }) => {
    await ack();
    const place = placeOf(body, respond);
    await work(client, place, async () => {
      const pending = await kit.pending(await users.speaker(place.user), action.value ?? '');
      if (!pending) {
        const notice = 'That request is no longer waiting for you: it was confirmed, cancelled or has expired.';
        await client.views.open({ trigger_id: body.trigger_id, view: noticeView('Nothing to edit', notice) });
        return;
      }
      const origin: EditOrigin = {
        pendingId: pending.id,
        type: pending.type as ActionType,
        channel: place.channel,
        threadTs: place.threadTs,
        responseUrl: body.response_url,
      };
      await client.views.open({ trigger_id: body.trigger_id, view: editView(pending.values, origin) });
    });
  });

  for (const [id, change] of [
    [ACTION.caseAcknowledge, 'acknowledge'],
    [ACTION.caseResolve, 'resolve'],
  ] as const) {
    app.action<BlockButtonAction>(id, async ({ ack, body, action, client }) => {
      await ack();
      const place = placeOf(body);
      await work(client, place, async () => {
        const reply = await kit.onCase(
          await users.speaker(place.user),
          turnAt(place, `slack:action:${body.trigger_id}`),
          action.value ?? '',
          change,
        );
        await deliver(client, place, reply);
      });
    });
  }

  // Reassign asks whom to first, in a modal with Slack's user picker (views.ts takes the answer).
  app.action<BlockButtonAction>(ACTION.caseReassign, async ({ ack, body, action, client }) => {
    await ack();
    const place = placeOf(body);
    await work(client, place, async () => {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: {
          type: 'modal',
          callback_id: REASSIGN_VIEW,
          private_metadata: JSON.stringify({ case: action.value, channel: place.channel }),
          title: { type: 'plain_text', text: `Reassign case #${action.value}`.slice(0, 24) },
          submit: { type: 'plain_text', text: 'Review' },
          blocks: [
            {
              type: 'input',
              block_id: 'assignee',
              label: { type: 'plain_text', text: 'New assignee' },
              element: { type: 'users_select', action_id: 'v' },
            },
          ],
        },
      });
    });
  });
}
