import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant } from '../src/core/assistant.ts';
import type { Reply } from '../src/core/types.ts';
import { migrate } from '../src/db/migrate.ts';
import { openPglite } from '../src/db/pglite.ts';
import type { Requester, SqlDb } from '../src/db/port.ts';
import { openPostgres } from '../src/db/postgres.ts';
import { generateDemo } from '../src/demo/generate.ts';
import { loadDemo } from '../src/demo/load.ts';
import type { Parser } from '../src/nlu/parser.ts';
import type { Notifier } from '../src/jobs/notifier.ts';
import { reminderJobs } from '../skills/tasks/reminders.ts';
import { createScheduler } from '../src/jobs/scheduler.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';

const parser: Parser = { name: 'test', parse: async () => ({ type: 'help' }) };
const at = (iso: string) => () => new Date(iso);

/** A notifier that records what it was asked to send, and can be told to fail. */
function recordingNotifier() {
  const sent: { userId: string; reply: Reply }[] = [];
  let reachable = true;
  const notifier: Notifier = {
    async toUser(userId, reply) {
      if (!reachable) return false;
      sent.push({ userId, reply });
      return true;
    },
    toChannel: async () => false,
  };
  return { notifier, sent, setReachable: (v: boolean) => (reachable = v) };
}

/**
 * Each "process" opens its own connection to the same database: for PGlite the same data
 * directory (closed and reopened), for Postgres a new pool.
 */
describe.each(TARGETS)('task reminders on %s', (target) => {
  let owner: TestDb | undefined;
  let dir: string | undefined;
  let open: () => Promise<SqlDb>;

  beforeAll(async () => {
    if (target === 'pglite') {
      dir = mkdtempSync(join(tmpdir(), 'crm-reminders-'));
      const first = await openPglite(dir);
      await migrate(first);
      await loadDemo(first, generateDemo({ deals: 100, today: TODAY }));
      await first.close();
      open = () => openPglite(dir);
    } else {
      owner = await freshDb('postgres', { deals: 100 });
      open = async () => openPostgres(owner!.url!, 2);
    }
  });
  afterAll(async () => {
    await owner?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function createTask(db: SqlDb, user: Requester, text: string, dueDate: string): Promise<string> {
    const assistant = createAssistant({ db, parser, now: at(`${TODAY}T20:00:00Z`) });
    const pending = await assistant.run(
      { type: 'task.create', text, dueDate },
      { requestId: `rem-${text}`, channel: 'repl', user },
    );
    expect((await assistant.confirm(pending.confirm!.pendingId, user, true)).kind).toBe('done');
    const [task] = await db.query<{ id: string }>(`select id from public.tasks where text = $1`, [text]);
    return task.id;
  }
  const taskState = async (db: SqlDb, id: string) =>
    (
      await db.query<{ reminded: boolean; job: string; attempts: number }>(
        `select t.reminded_at is not null as reminded, j.status as job, j.attempts
       from public.tasks t join public.jobs j on j.dedupe_key = 'task.reminder:' || t.id where t.id = $1`,
        [id],
      )
    )[0];

  it('a restart does not lose a pending reminder, and it is delivered exactly once', async () => {
    // Process 1: the task is created; the scheduler runs before the reminder is due, then the process stops.
    const first = await open();
    const alex = await userNamed(first, 'Alex Morgan');
    const taskId = await createTask(first, alex, 'call Dana about the renewal', '2026-12-01');
    const one = recordingNotifier();
    const before = createScheduler(
      first,
      reminderJobs({ db: first, notifier: one.notifier, now: () => new Date() }),
      at('2026-12-01T16:59:00Z'),
    );
    expect(await before.tick()).toBe(0);
    before.stop();
    await first.close();

    // Process 2: a new scheduler on the same database, after 09:00 Los Angeles time (17:00 UTC).
    const second = await open();
    const two = recordingNotifier();
    const after = createScheduler(
      second,
      reminderJobs({ db: second, notifier: two.notifier, now: () => new Date() }),
      at('2026-12-01T17:01:00Z'),
    );
    expect(await after.tick()).toBe(1);
    expect(two.sent).toEqual([
      { userId: alex.id, reply: { kind: 'answer', text: 'Reminder: call Dana about the renewal, due Tue 1 Dec.' } },
    ]);
    expect(await taskState(second, taskId)).toEqual({ reminded: true, job: 'done', attempts: 1 });

    // Ticking again, even much later and from another scheduler, sends nothing more.
    expect(await after.tick()).toBe(0);
    const third = createScheduler(
      second,
      reminderJobs({ db: second, notifier: two.notifier, now: () => new Date() }),
      at('2026-12-02T12:00:00Z'),
    );
    expect(await third.tick()).toBe(0);
    expect(two.sent).toHaveLength(1);
    expect(one.sent).toHaveLength(0);
    await second.close();
  });

  it('an undelivered reminder is retried later; a task done before its reminder sends nothing', async () => {
    const db = await open();
    const alex = await userNamed(db, 'Alex Morgan');
    const retried = await createTask(db, alex, 'send the MSA redlines', '2026-12-03');
    const finished = await createTask(db, alex, 'book the QBR room', '2026-12-03');
    await db.query(`update public.tasks set status = 'done', completed_at = now() where id = $1`, [finished]);

    const n = recordingNotifier();
    n.setReachable(false);
    expect(
      await createScheduler(
        db,
        reminderJobs({ db: db, notifier: n.notifier, now: () => new Date() }),
        at('2026-12-03T17:00:00Z'),
      ).tick(),
    ).toBe(2);
    expect(n.sent).toEqual([]);
    expect(await taskState(db, retried)).toEqual({ reminded: false, job: 'pending', attempts: 1 });
    expect(await taskState(db, finished)).toEqual({ reminded: false, job: 'done', attempts: 1 });

    n.setReachable(true);
    // A claimed job is retried a minute later.
    expect(
      await createScheduler(
        db,
        reminderJobs({ db: db, notifier: n.notifier, now: () => new Date() }),
        at('2026-12-03T17:00:30Z'),
      ).tick(),
    ).toBe(0);
    expect(
      await createScheduler(
        db,
        reminderJobs({ db: db, notifier: n.notifier, now: () => new Date() }),
        at('2026-12-03T17:01:00Z'),
      ).tick(),
    ).toBe(1);
    expect(n.sent.map((s) => s.reply.text)).toEqual(['Reminder: send the MSA redlines, due Thu 3 Dec.']);
    expect(await taskState(db, retried)).toEqual({ reminded: true, job: 'done', attempts: 2 });
    await db.close();
  });

  it('two replicas, one killed right after posting a reminder: every reminder exactly once, none over a minute late', async () => {
    const db = await open();
    const alex = await userNamed(db, 'Alex Morgan');
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await createTask(db, alex, `replica check ${i}`, '2026-12-04'));
    const due = Date.parse('2026-12-04T17:00:00Z'); // 09:00 in Los Angeles
    const posted: string[] = [];
    // Replica A posts its first reminder and is killed at that moment: nothing it does afterwards happens.
    const killed: Notifier = {
      async toUser(_userId, reply) {
        posted.push(reply.text);
        return new Promise<boolean>(() => {});
      },
      toChannel: async () => false,
    };
    const a = createScheduler(db, reminderJobs({ db, notifier: killed, now: () => new Date() }), () => new Date(due));
    void a.tick();
    for (let waited = 0; posted.length === 0 && waited < 10_000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    expect(posted).toHaveLength(1);
    // Replica B ticks from the due time on, each tick a little later, up to a minute after.
    const b = recordingNotifier();
    let t = due;
    const late: number[] = [];
    const replica = createScheduler(
      db,
      reminderJobs({ db, notifier: b.notifier, now: () => new Date() }),
      () => new Date(t),
    );
    for (; t <= due + 60_000; t += 15_000) {
      const before = b.sent.length;
      await replica.tick();
      for (let i = before; i < b.sent.length; i++) late.push(t - due);
    }
    const texts = [...posted, ...b.sent.map((m) => m.reply.text)].sort();
    expect(texts).toEqual(ids.map((_, i) => `Reminder: replica check ${i}, due Fri 4 Dec.`).sort());
    expect(Math.max(...late)).toBeLessThanOrEqual(60_000);
    await db.close();
  });

  it('users cannot enqueue jobs or mark reminders themselves', async () => {
    const db = await open();
    const alex = await userNamed(db, 'Alex Morgan');
    await expect(db.rpc(alex, 'enqueue_job', { kind: 'task.reminder', payload: {} })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(
      db.rpc(alex, 'reminder_sent', { task_id: '00000000-0000-0000-0000-000000000000' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      db.rpc(alex, 'reminder_task', { task_id: '00000000-0000-0000-0000-000000000000' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await db.close();
  });
});
