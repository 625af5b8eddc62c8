import type { App, webApi } from '@slack/bolt';
import type { ChannelKit } from '../../../core/channel-kit.ts';
import type { Logger } from '../../../core/log.ts';
import type { Reply } from '../../../core/types.ts';
import type { CrmDb } from '../../../db/port.ts';
import { deliver, type Place } from '../deliver.ts';
import type { UserDirectory } from '../identity.ts';
import { createSeen } from '../seen.ts';

/** What every group of listeners works with. No CRM rules here: those are the channel kit's and the core's. */
export interface Listeners {
  app: App;
  kit: ChannelKit;
  users: UserDirectory;
  log: Logger;
  /** Event ids already being answered, by any replica (Slack retries a delivery it did not see acked in time). */
  seen: ReturnType<typeof createSeen>;
  /** Runs the work after the ack; a failure is logged and the asker hears that nothing changed. */
  work(client: webApi.WebClient, place: Place, fn: () => Promise<void>): Promise<void>;
}

export function listenerContext(app: App, kit: ChannelKit, users: UserDirectory, log: Logger, db: CrmDb): Listeners {
  return {
    app,
    kit,
    users,
    log,
    seen: createSeen(db, log),
    async work(client, place, fn) {
      try {
        await fn();
      } catch (err) {
        log.error('listener failed', { error: err });
        await tell(client, place, 'Something went wrong on my side, so nothing was changed. Please try again.').catch(
          () => undefined,
        );
      }
    },
  };
}

/** A private note to the asker (a stale button, something that could not be read). */
export const tell = (client: webApi.WebClient, place: Place, text: string) =>
  deliver(client, place, { kind: 'refusal', text } satisfies Reply);
