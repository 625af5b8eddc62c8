import { log } from '../core/log.ts';
import type { CrmDb } from '../db/port.ts';

export type JobHandler = (payload: Record<string, unknown>, job: { id: number; attempts: number }) => Promise<void>;

/**
 * A durable scheduler: jobs are rows in `public.jobs`, claimed with FOR UPDATE SKIP LOCKED, so a
 * restart loses nothing and two processes never run the same job. A job whose handler throws is
 * retried (up to 5 attempts); one claimed by a process that died is picked up again a minute later
 * (the claim's lease). Jobs are claimed one at a time, so a process that dies strands only the job
 * it was running, not the rest of a batch.
 */
export function createScheduler(db: CrmDb, handlers: Record<string, JobHandler>, now: () => Date = () => new Date()) {
  let timer: NodeJS.Timeout | undefined;

  async function tick(limit = 20): Promise<number> {
    let ran = 0;
    for (; ran < limit; ran++) {
      const [job] = await db.serviceRpc('claim_jobs', {
        now: now().toISOString(),
        limit: 1,
        kinds: Object.keys(handlers),
      });
      if (!job) break;
      try {
        await handlers[job.kind](job.payload, job);
        await db.serviceRpc('finish_job', { id: job.id });
      } catch (err) {
        await db.serviceRpc('finish_job', { id: job.id, error: String((err as Error)?.message ?? err) });
      }
    }
    return ran;
  }

  return {
    tick,
    enqueue: (kind: string, runAt: Date, payload: Record<string, unknown>, dedupeKey?: string) =>
      db.serviceRpc('enqueue_job', { kind, run_at: runAt.toISOString(), payload, dedupe_key: dedupeKey ?? null }),
    start(intervalMs = 15_000) {
      timer = setInterval(
        () => void tick().catch((error) => log.error('scheduler tick failed', { component: 'scheduler', error })),
        intervalMs,
      );
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
