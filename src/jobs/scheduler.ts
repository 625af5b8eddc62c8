import { log } from '../core/log.ts';
import type { CrmDb } from '../db/port.ts';

export type JobHandler = (payload: Record<string, unknown>, job: { id: number; attempts: number }) => Promise<void>;

/**
 * A durable scheduler: jobs are rows in `public.jobs`, claimed with FOR UPDATE SKIP LOCKED, so a
 * restart loses nothing and two processes never run the same job. A job whose handler throws is
 * retried (up to 5 attempts); one claimed by a process that died is picked up again 5 minutes later.
 */
export function createScheduler(db: CrmDb, handlers: Record<string, JobHandler>, now: () => Date = () => new Date()) {
  let timer: NodeJS.Timeout | undefined;

  async function tick(limit = 20): Promise<number> {
    const jobs = await db.serviceRpc('claim_jobs', { now: now().toISOString(), limit, kinds: Object.keys(handlers) });
    for (const job of jobs) {
      try {
        await handlers[job.kind](job.payload, job);
        await db.serviceRpc('finish_job', { id: job.id });
      } catch (err) {
        await db.serviceRpc('finish_job', { id: job.id, error: String((err as Error)?.message ?? err) });
      }
    }
    return jobs.length;
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
