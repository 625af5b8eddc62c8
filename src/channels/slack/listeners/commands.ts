import type { Listeners } from './context.ts';
import { deliver, turnAt, type Place } from '../deliver.ts';

/** `/crm <anything>`: typed like a DM; answered through the command's response_url, privately where it has to be. */
export function registerCommands({ app, kit, users, work }: Listeners): void {
  app.command('/crm', async ({ command, ack, respond, client }) => {
    await ack();
    const place: Place = { channel: command.channel_id, user: command.user_id, respond };
    await work(client, place, async () => {
      const reply = await kit.say(
        await users.speaker(place.user),
        turnAt(place, `slack:command:${command.trigger_id}`),
        command.text?.trim() || 'help',
      );
      await deliver(client, place, reply);
    });
  });
}
