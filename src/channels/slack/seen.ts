import type { Logger } from '../../core/log.ts';
import type { CrmDb } from '../../db/port.ts';

/**
 * Slack re-delivers an event (x-slack-retry-num) when it did not see our ack in time, and may
 * deliver it to any replica. Each delivery is claimed in Postgres before it is answered, so only
 * the first claim, in whichever process, answers. When the database cannot be reached the event is
 * answered anyway (the core's per-request idempotency still keeps a write single).
 */
export function createSeen(db: CrmDb, log: Logger) {
  return {
    /** True when this event id was already taken, by this process or another; claims it otherwise. */
    async repeat(id: string): Promise<boolean> {
      try {
        return !(await db.serviceRpc('claim_delivery', { channel: 'slack', id }));
      } catch (err) {
        log.warn('could not claim a Slack delivery', { error: (err as Error).message });
        return false;
      }
    },
  };
}
