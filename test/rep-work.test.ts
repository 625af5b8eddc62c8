import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant } from '../src/core/assistant.ts';
import type { Reply } from '../src/core/types.ts';
import type { Requester } from '../src/db/port.ts';
import type { Parser } from '../src/nlu/parser.ts';
import { freshDb, TARGETS, userNamed, type TestDb, utc } from './support/db.ts';

// 12:00 in Los Angeles (Alex's and Marta's timezone) on the demo's today, 2026-11-23.
const NOW = '2026-11-23T20:00:00.000Z';
const parser: Parser = { name: 'test', parse: async () => ({ type: 'help' }) };

describe.each(TARGETS)("a rep's daily work on %s", (target) => {
  let db: TestDb;
  let alex: Requester, marco: Requester, marta: Requester, omar: Requester;
  let seq = 0;
  beforeAll(async () => {
    db = await freshDb(target);
    [alex, marco, marta, omar] = await Promise.all(
      ['Alex Morgan', 'Marco Rossi', 'Marta Schulz', 'Omar Haddad'].map((n) => userNamed(db, n)),
    );
  });
  afterAll(() => db?.close());

  const assistant = () => createAssistant({ db, parser, now: () => new Date(NOW) });
  const count = async (from: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`select count(*)::int as n from ${from}`, params))[0].n;
  const one = async <T>(sql: string, params: unknown[] = []) => {
    const rows = await db.query<T>(sql, params);
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const ask = (action: unknown, user = alex, requestId = `rw-${++seq}`) =>
    assistant().run(action, { requestId, channel: 'repl', user });
  /** Runs a write and says yes: returns the preview and the final reply. */
  async function confirmed(action: unknown, user = alex): Promise<{ preview: Reply; done: Reply }> {
    const preview = await ask(action, user);
    expect(preview.kind, preview.text).toBe('confirm');
    return { preview, done: await assistant().confirm(preview.confirm!.pendingId, user, true) };
  }
  const auditOf = (pendingId: string) =>
    one<{
      action: string;
      actor_id: string;
      actor_role: string;
      channel: string;
      target_type: string;
      target_id: string;
      detail: Record<string, unknown>;
    }>(
      `select action, actor_id, actor_role, channel, target_type, target_id, detail from public.audit_log where request_id = $1`,
      [`pending:${pendingId}`],
    );
  const dealId = async (name: string) =>
    (
      await one<{ id: string }>(
        `select id from public.deals where name = $1 and stage not in ('closed_won', 'closed_lost')`,
        [name],
      )
    ).id;

  describe('activity.log', () => {
    const call = {
      type: 'activity.log',
      kind: 'call',
      contact: 'Dana',
      account: 'Acme',
      durationMinutes: 30,
      summary: 'discussed pricing for the rollout',
      followUp: 'send pricing',
      followUpDate: '2026-11-27',
    };

    it('logs a call on the contact, account and open deal, with a follow-up task, its reminder job and an audit row', async () => {
      const { preview, done } = await confirmed(call);
      expect(preview.confirm!.preview).toBe(
        [
          'Log a call with Dana Reyes (Acme):',
          '  contact: Dana Reyes',
          '  account: Acme',
          '  deal: Acme upsell (proposal, closing Sat 1 May 2027); its last activity becomes today',
          '  duration: 30 min',
          '  summary: discussed pricing for the rollout',
          "  follow-up task: 'send pricing' due Fri 27 Nov (reminder at 09:00)",
        ].join('\n'),
      );
      expect(done).toEqual({
        kind: 'done',
        text: "Logged the call with Dana Reyes (Acme) on Acme upsell (30 min); follow-up 'send pricing' due Fri 27 Nov.",
      });

      const activity = await one<Record<string, unknown>>(
        `select t.id, t.kind::text, t.duration_minutes, c.name as contact, a.name as account, d.name as deal, t.owner_id, t.team, ${utc('t.occurred_at')} as at
         from public.activities t join public.contacts c on c.id = t.contact_id join public.accounts a on a.id = t.account_id
         join public.deals d on d.id = t.deal_id where t.summary = $1`,
        [call.summary],
      );
      expect(activity).toMatchObject({
        kind: 'call',
        duration_minutes: 30,
        contact: 'Dana Reyes',
        account: 'Acme',
        deal: 'Acme upsell',
        owner_id: alex.id,
        team: 'Growth West',
        at: '2026-11-23T20:00Z',
      });
      expect(
        await one(`select ${utc('last_activity_at')} as at from public.deals where id = $1`, [
          await dealId('Acme upsell'),
        ]),
      ).toEqual({ at: '2026-11-23T20:00Z' });

      const task = await one<Record<string, unknown>>(
        `select id, due_date::text as due, status, assignee_id, activity_id, ${utc('remind_at')} as remind_at from public.tasks where text = 'send pricing'`,
      );
      // 09:00 in Los Angeles on the due date is 17:00 UTC.
      expect(task).toMatchObject({
        due: '2026-11-27',
        status: 'open',
        assignee_id: alex.id,
        activity_id: activity.id,
        remind_at: '2026-11-27T17:00Z',
      });
      expect(
        await one(`select kind, ${utc('run_at')} as run_at, status, payload from public.jobs where dedupe_key = $1`, [
          `task.reminder:${task.id}`,
        ]),
      ).toEqual({
        kind: 'task.reminder',
        run_at: '2026-11-27T17:00Z',
        status: 'pending',
        payload: { task_id: task.id },
      });

      const audit = await auditOf(preview.confirm!.pendingId);
      expect(audit).toMatchObject({
        action: 'activity.log',
        actor_id: alex.id,
        actor_role: 'rep',
        channel: 'repl',
        target_type: 'activity',
        target_id: activity.id,
      });
      expect(audit.detail.summary).toMatch(/^sha256:[0-9a-f]{16}$/);
      expect(audit.detail.follow_up).toMatch(/^sha256:/);
      expect(audit.detail.follow_up_date).toBe('2026-11-27');
      expect(JSON.stringify(audit.detail)).not.toMatch(/pricing/);
    });

    it('asks which Dana when the name fits two contacts, and narrows by account when one is given', async () => {
      const pendingBefore = await count('public.pending_actions');
      const reply = await ask({ type: 'activity.log', kind: 'call', contact: 'Dana', summary: 'quick check-in' });
      expect(reply).toEqual({
        kind: 'question',
        text: 'Which contact do you mean: Dana Reyes (Acme) or Dana Whitfield (Acme Logistics)?',
        choices: [
          {
            label: 'Dana Reyes (Acme)',
            action: { type: 'activity.log', kind: 'call', contact: 'Dana Reyes', summary: 'quick check-in' },
          },
          {
            label: 'Dana Whitfield (Acme Logistics)',
            action: { type: 'activity.log', kind: 'call', contact: 'Dana Whitfield', summary: 'quick check-in' },
          },
        ],
      });
      expect(await count('public.pending_actions')).toBe(pendingBefore);
      // picking an answer runs the same request with that contact
      const picked = await ask(reply.choices![1].action);
      expect(picked.confirm!.preview).toMatch(/Dana Whitfield \(Acme Logistics\)/);

      const narrowed = await ask({
        type: 'activity.log',
        kind: 'meeting',
        contact: 'Dana',
        account: 'Acme Logistics',
        summary: 'site visit',
      });
      expect(narrowed.confirm!.preview.split('\n').slice(0, 4)).toEqual([
        'Log a meeting with Dana Whitfield (Acme Logistics):',
        '  contact: Dana Whitfield',
        '  account: Acme Logistics',
        '  deal: Acme Logistics renewal (negotiation, closing Fri 26 Mar 2027); its last activity becomes today',
      ]);
    });

    it('an account with no open deal is fine, and without a follow-up no task is created', async () => {
      const [acc] = await db.query<{ id: string }>(
        `insert into public.accounts (name, region, owner_id) values ('Quiet Harbor', 'West', $1) returning id`,
        [alex.id],
      );
      await db.query(`insert into public.contacts (account_id, name, owner_id) values ($1, 'Ola Nordmann', $2)`, [
        acc.id,
        alex.id,
      ]);
      const tasks = await count('public.tasks');
      const { preview, done } = await confirmed({
        type: 'activity.log',
        kind: 'email',
        contact: 'Ola Nordmann',
        summary: 'sent the brochure',
      });
      expect(preview.confirm!.preview).toContain('  deal: none open\n');
      expect(preview.confirm!.preview).toContain('  follow-up task: none');
      expect(done).toEqual({ kind: 'done', text: 'Logged the email with Ola Nordmann (Quiet Harbor).' });
      expect(
        await count(`public.activities where account_id = $1 and deal_id is null and kind = 'email'`, [acc.id]),
      ).toBe(1);
      expect(await count('public.tasks')).toBe(tasks);
    });

    it('an unconfirmed write writes nothing: answered no, or never answered', async () => {
      const before = {
        activities: await count('public.activities'),
        tasks: await count('public.tasks'),
        jobs: await count('public.jobs'),
        audit: await count('public.audit_log'),
      };
      const declined = await ask(call);
      expect(await assistant().confirm(declined.confirm!.pendingId, alex, false)).toEqual({
        kind: 'done',
        text: 'Cancelled. Nothing was written.',
      });
      const ignored = await ask(call);
      expect(ignored.kind).toBe('confirm');
      expect(
        await count(`public.pending_actions where id = $1 and status = 'pending'`, [ignored.confirm!.pendingId]),
      ).toBe(1);
      expect({
        activities: await count('public.activities'),
        tasks: await count('public.tasks'),
        jobs: await count('public.jobs'),
        audit: await count('public.audit_log'),
      }).toEqual(before);
    });

    it('the same request id twice writes one activity and one audit row', async () => {
      const action = {
        ...call,
        summary: 'second call about the rollout',
        followUp: 'book the demo',
        followUpDate: '2026-11-30',
      };
      const before = {
        activities: await count('public.activities'),
        tasks: await count('public.tasks'),
        jobs: await count('public.jobs'),
      };
      const first = await ask(action, alex, 'slack:Ev42');
      const again = await ask(action, alex, 'slack:Ev42');
      expect(again.confirm!.pendingId).toBe(first.confirm!.pendingId);
      expect((await assistant().confirm(first.confirm!.pendingId, alex, true)).kind).toBe('done');
      expect(await ask(action, alex, 'slack:Ev42')).toEqual({ kind: 'done', text: 'I already handled that message.' });
      expect(await assistant().confirm(first.confirm!.pendingId, alex, true)).toEqual({
        kind: 'done',
        text: 'That was already done; nothing was written twice.',
      });
      expect({
        activities: await count('public.activities'),
        tasks: await count('public.tasks'),
        jobs: await count('public.jobs'),
      }).toEqual({ activities: before.activities + 1, tasks: before.tasks + 1, jobs: before.jobs + 1 });
      expect(await count('public.audit_log where request_id = $1', [`pending:${first.confirm!.pendingId}`])).toBe(1);
    });
  });

  describe('tasks', () => {
    it('"remind me to call Dana next Tuesday": a task with a due date and a 09:00 reminder job', async () => {
      const { preview, done } = await confirmed({
        type: 'task.create',
        text: 'call Dana',
        dueDate: '2026-12-01',
        contact: 'Dana Reyes',
      });
      expect(preview.confirm!.preview).toBe(
        "Create a task for you: 'call Dana' about Dana Reyes (Acme); due Tue 1 Dec, reminder at 09:00 (America/Los_Angeles).",
      );
      expect(done).toEqual({
        kind: 'done',
        text: "Task added: 'call Dana' due Tue 1 Dec; I'll remind you that morning at 09:00.",
      });
      const task = await one<{ id: string }>(
        `select t.id from public.tasks t join public.contacts c on c.id = t.contact_id
         where t.text = 'call Dana' and t.due_date = '2026-12-01' and t.assignee_id = $1 and t.created_by = $1 and c.name = 'Dana Reyes'
           and ${utc('t.remind_at')} = '2026-12-01T17:00Z'`,
        [alex.id],
      );
      expect(
        await count(`public.jobs where dedupe_key = $1 and ${utc('run_at')} = '2026-12-01T17:00Z'`, [
          `task.reminder:${task.id}`,
        ]),
      ).toBe(1);
      expect(await auditOf(preview.confirm!.pendingId)).toMatchObject({
        action: 'task.create',
        actor_id: alex.id,
        channel: 'repl',
        target_type: 'task',
        target_id: task.id,
      });
    });

    it("a reminder is at 09:00 in the assignee's own timezone (Berlin for Marco)", async () => {
      await confirmed({ type: 'task.create', text: 'prepare the Stark QBR', dueDate: '2026-12-02' }, marco);
      expect(
        await one(`select ${utc('remind_at')} as at from public.tasks where text = 'prepare the Stark QBR'`),
      ).toEqual({ at: '2026-12-02T08:00Z' });
    });

    it('a due date in the past is asked about, not written', async () => {
      const before = await count('public.pending_actions');
      expect(await ask({ type: 'task.create', text: 'call Tom', dueDate: '2026-11-16' })).toEqual({
        kind: 'question',
        text: 'Mon 16 Nov is in the past. When should it be due?',
      });
      expect(await count('public.pending_actions')).toBe(before);
    });

    it("\"what's on my plate today\": the caller's open tasks due today and overdue, nobody else's", async () => {
      await db.query(
        `insert into public.tasks (text, due_date, assignee_id, created_by) values
        ('chase the signed order form', '2026-11-20', $1, $1), ('not mine', '2026-11-20', $2, $2)`,
        [alex.id, marco.id],
      );
      await db.query(
        `insert into public.tasks (text, due_date, status, assignee_id, created_by) values ('already done', '2026-11-22', 'done', $1, $1)`,
        [alex.id],
      );
      const expected = await db.query<{ text: string; overdue: boolean }>(
        `select text, due_date < '2026-11-23' as overdue from public.tasks
         where assignee_id = $1 and status = 'open' and due_date <= '2026-11-23' order by due_date, created_at`,
        [alex.id],
      );
      const before = await count('public.audit_log');
      const reply = await ask({ type: 'task.list', due: 'today' });
      const overdue = expected.filter((t) => t.overdue).length;
      expect(reply.text).toBe(`You have ${expected.length} tasks due today or overdue (${overdue} overdue):`);
      expect(reply.table!.rows.map((r) => r[1])).toEqual(expected.map((t) => t.text));
      expect(reply.table!.rows).toContainEqual(['Fri 20 Nov (overdue)', 'chase the signed order form', '']);
      expect(reply.table!.rows).toContainEqual(['Mon 23 Nov', 'send Dana the revised pricing', 'Dana Reyes (Acme)']);
      expect(reply.table!.rows.map((r) => r[1])).not.toContain('not mine');
      expect(reply.table!.rows.map((r) => r[1])).not.toContain('already done');
      expect(await count('public.audit_log')).toBe(before + 1);
    });
  });

  describe('deal.update', () => {
    it('moves a deal to a new stage and keeps the stage history', async () => {
      const id = await dealId('Acme upsell');
      const history = await count('public.deal_stage_history where deal_id = $1', [id]);
      const { preview, done } = await confirmed({ type: 'deal.update', deal: 'Acme upsell', stage: 'negotiation' });
      expect(preview.confirm!.preview).toBe(
        'Update Acme upsell (Acme · owner Alex Morgan):\n  stage proposal → negotiation',
      );
      expect(done).toEqual({
        kind: 'done',
        text: 'Updated Acme upsell: stage proposal → negotiation.',
        sensitive: true,
      });
      expect(await one(`select stage::text from public.deals where id = $1`, [id])).toEqual({ stage: 'negotiation' });
      expect(await count('public.deal_stage_history where deal_id = $1', [id])).toBe(history + 1);
      expect(
        await one(
          `select from_stage::text, to_stage::text, changed_by from public.deal_stage_history where deal_id = $1 order by id desc limit 1`,
          [id],
        ),
      ).toEqual({ from_stage: 'proposal', to_stage: 'negotiation', changed_by: alex.id });
      expect(await auditOf(preview.confirm!.pendingId)).toMatchObject({
        action: 'deal.update',
        actor_id: alex.id,
        channel: 'repl',
        target_type: 'deal',
        target_id: id,
      });
    });

    it('"Initech is now 80k" asks which Initech deal; naming it changes the amount', async () => {
      const which = await ask({ type: 'deal.update', deal: 'Initech', amount: 80000 });
      expect(which).toMatchObject({
        kind: 'question',
        text: 'Which deal do you mean: Initech upsell (prospecting, closing Tue 9 Feb 2027), Initech expansion (negotiation, closing Tue 26 Jan 2027) or Initech new business (discovery, closing Thu 1 Apr 2027)?',
      });
      expect(which.choices!.map((c) => c.action)).toEqual(
        ['Initech upsell', 'Initech expansion', 'Initech new business'].map((deal) => ({
          type: 'deal.update',
          deal,
          amount: 80000,
        })),
      );
      const { done } = await confirmed({ type: 'deal.update', deal: 'Initech expansion', amount: 80000 });
      expect(done.text).toBe('Updated Initech expansion: amount $72,500 → $80,000.');
      expect(
        await one(`select amount::float as amount from public.deals where id = $1`, [
          await dealId('Initech expansion'),
        ]),
      ).toEqual({ amount: 80000 });
    });

    it('pushes a close date', async () => {
      const { done } = await confirmed({
        type: 'deal.update',
        deal: 'the Globex new business deal',
        closeDate: '2027-03-15',
      });
      expect(done.text).toBe('Updated Globex new business: close date Mon 14 Dec → Mon 15 Mar 2027.');
      expect(
        await one(`select close_date::text as d from public.deals where id = $1`, [
          await dealId('Globex new business'),
        ]),
      ).toEqual({ d: '2027-03-15' });
    });

    it('refuses to reopen a closed deal for a rep, with the reason, writing nothing; a manager may', async () => {
      const [{ id }] = await db.query<{ id: string }>(
        `select id from public.deals where name = 'Initech renewal' and stage = 'closed_lost'`,
      );
      const before = {
        history: await count('public.deal_stage_history'),
        audit: await count('public.audit_log'),
        pending: await count('public.pending_actions'),
      };
      const reason =
        'Initech renewal is closed lost; reopening or re-closing a closed deal needs a manager or an admin.';
      expect(await ask({ type: 'deal.update', deal: 'Initech renewal', stage: 'negotiation' })).toEqual({
        kind: 'refusal',
        text: reason,
      });

      // The same rule holds in SQL when the write itself runs (e.g. the deal was closed after the preview).
      await expect(
        db.rpc(alex, 'perform', {
          request_id: 'direct-reopen',
          channel: 'repl',
          action: 'deal.update',
          payload: { deal_id: id, stage: 'negotiation' },
        }),
      ).rejects.toMatchObject({ message: reason, code: 'refused' });
      await expect(
        db.rpc(alex, 'perform', {
          request_id: 'direct-zero',
          channel: 'repl',
          action: 'deal.update',
          payload: { deal_id: await dealId('Initech upsell'), amount: 0 },
        }),
      ).rejects.toMatchObject({ message: 'The amount must be more than zero.' });
      expect(await one(`select stage::text from public.deals where id = $1`, [id])).toEqual({ stage: 'closed_lost' });
      expect({
        history: await count('public.deal_stage_history'),
        audit: await count('public.audit_log'),
        pending: await count('public.pending_actions'),
      }).toEqual(before);
      expect(await count(`public.processed_requests where request_id in ('direct-reopen', 'direct-zero')`)).toBe(0);

      const { done } = await confirmed({ type: 'deal.update', deal: 'Initech renewal', stage: 'negotiation' }, marta);
      expect(done.text).toBe('Updated Initech renewal: stage closed lost → negotiation.');
      expect(
        await one(
          `select from_stage::text, to_stage::text, changed_by from public.deal_stage_history where deal_id = $1 order by id desc limit 1`,
          [id],
        ),
      ).toEqual({ from_stage: 'closed_lost', to_stage: 'negotiation', changed_by: marta.id });
    });

    it('owner changes: a rep may not hand a deal over; their manager may, within the team', async () => {
      expect(await ask({ type: 'deal.update', deal: 'Acme new business', owner: 'Priya Shah' })).toEqual({
        kind: 'refusal',
        text: 'Only a manager or an admin can hand a deal to someone else.',
      });
      expect(await ask({ type: 'deal.update', deal: 'Hooli pilot', owner: 'Marco Rossi' }, marta)).toEqual({
        kind: 'refusal',
        text: "Marco Rossi is not in your team (Growth West), so you can't hand them this deal.",
      });
      const { done } = await confirmed({ type: 'deal.update', deal: 'Hooli pilot', owner: 'Alex Morgan' }, marta);
      expect(done.text).toBe('Updated Hooli pilot: owner Priya Shah → Alex Morgan.');
      expect(await one(`select owner_id, team from public.deals where id = $1`, [await dealId('Hooli pilot')])).toEqual(
        { owner_id: alex.id, team: 'Growth West' },
      );
    });

    it("a rep cannot change a teammate's deal, and another team's deals are not found", async () => {
      expect(await ask({ type: 'deal.update', deal: 'Acme Logistics renewal', amount: 9000 })).toEqual({
        kind: 'refusal',
        text: 'Acme Logistics renewal belongs to Priya Shah; only they or a manager can change it.',
      });
      expect(await ask({ type: 'deal.update', deal: 'Acme upsell', stage: 'proposal' }, marco)).toMatchObject({
        kind: 'question',
      });
      expect((await ask({ type: 'deal.update', deal: 'Acme upsell', stage: 'proposal' }, marco)).text).not.toContain(
        'Acme upsell (',
      );
    });
  });

  describe('deal.create', () => {
    it('defaults the name, stage and close date (end of next quarter) and says so', async () => {
      const { preview, done } = await confirmed({ type: 'deal.create', account: 'Hooli', amount: 50000 });
      expect(preview.confirm!.preview).toBe(
        [
          'Create a deal:',
          '  name: Hooli new business (default)',
          '  account: Hooli',
          '  owner: you (Alex Morgan)',
          '  stage: prospecting (default)',
          '  amount: $50,000',
          '  close date: Wed 31 Mar 2027 (default: end of next quarter)',
        ].join('\n'),
      );
      expect(done).toEqual({
        kind: 'done',
        text: 'Created Hooli new business on Hooli: prospecting, $50,000, closing Wed 31 Mar 2027.',
        sensitive: true,
      });
      const deal = await one<{ id: string }>(
        `select d.id from public.deals d join public.accounts a on a.id = d.account_id
        where d.name = 'Hooli new business' and a.name = 'Hooli' and d.owner_id = $1 and d.team = 'Growth West' and d.stage = 'prospecting'
          and d.amount = 50000 and d.close_date = '2027-03-31'`,
        [alex.id],
      );
      expect(await auditOf(preview.confirm!.pendingId)).toMatchObject({
        action: 'deal.create',
        actor_id: alex.id,
        target_type: 'deal',
        target_id: deal.id,
      });
    });

    it('refuses a duplicate open deal name and a deal that starts closed', async () => {
      const before = await count('public.deals');
      expect(await ask({ type: 'deal.create', account: 'Acme' })).toEqual({
        kind: 'refusal',
        text: 'Acme already has an open deal called "Acme new business".',
      });
      expect(
        await ask({ type: 'deal.create', account: 'Globex', name: 'Globex services', stage: 'closed_won' }),
      ).toEqual({ kind: 'refusal', text: 'A new deal starts open; create it first, then move it to a closed stage.' });
      expect(await count('public.deals')).toBe(before);
    });
  });

  describe('contact.lookup: the customer 360', () => {
    it('gives a team rep the contact details, account, open deals, last activities, cases and consent', async () => {
      const reply = await ask({ type: 'contact.lookup', query: 'Dana Reyes' });
      expect(reply.kind).toBe('answer');
      expect(reply.sensitive).toBe(true);
      const lines = reply.text.split('\n');
      expect(lines.slice(0, 4)).toEqual([
        'Dana Reyes — VP Procurement, Acme',
        '  dana.reyes@acme.com · +1 555 709 4348',
        '  Account: Acme · enterprise · West · Manufacturing · owner Alex Morgan',
        '  Consent: marketing granted',
      ]);
      expect(lines).toContain('Open deals (2):');
      expect(lines).toContain('  • Acme upsell — negotiation, $4,500, closes 2027-05-01 (Alex Morgan)');
      const activities = await count(
        `public.activities t join public.contacts c on c.id = t.contact_id where c.name = 'Dana Reyes'`,
      );
      expect(lines.filter((l) => / by .+: /.test(l))).toHaveLength(Math.min(5, activities));
      expect(lines[lines.indexOf('Last activities:') + 1]).toBe(
        '  • 2026-11-23 call by Alex Morgan: second call about the rollout',
      );
      expect(
        await count(`public.audit_log where action = 'contact.lookup' and actor_id = $1 and target_type = 'contact'`, [
          alex.id,
        ]),
      ).toBe(1);
    });

    it("masks a contact's email and phone for a rep of another team, and shows no deals RLS hides", async () => {
      // her email finds nothing for him (it would confirm a masked address), her name finds the masked card
      expect((await ask({ type: 'contact.lookup', query: 'dana.reyes@acme.com' }, marco)).kind).toBe('question');
      const reply = await ask({ type: 'contact.lookup', query: 'Dana Reyes' }, marco);
      const lines = reply.text.split('\n');
      expect(lines[1]).toBe('  d***@acme.com · •••• 4348 (masked: not an account of your team)');
      expect(reply.text).not.toContain('dana.reyes@acme.com');
      expect(reply.text).not.toContain('709');
      expect(lines).toContain('Open deals: none you can see.');
      const raw = await db.rpc(marco, 'customer_360', {
        contact_id: (await one<{ id: string }>(`select id from public.contacts where name = 'Dana Reyes'`)).id,
      });
      expect(raw.contact).toMatchObject({ email: 'd***@acme.com', phone: '•••• 4348', masked: true });
      expect(raw.deals).toEqual([]);
    });

    it('support sees all contact details; an account query gives the account 360 with its contacts', async () => {
      expect((await ask({ type: 'contact.lookup', query: 'Dana Reyes' }, omar)).text.split('\n')[1]).toBe(
        '  dana.reyes@acme.com · +1 555 709 4348',
      );
      const acme = await ask({ type: 'contact.lookup', query: 'Acme' });
      const lines = acme.text.split('\n');
      expect(lines[0]).toBe('Acme · enterprise · West · Manufacturing · owner Alex Morgan');
      expect(lines[1]).toBe(
        `Contacts (${await count(`public.contacts c join public.accounts a on a.id = c.account_id where a.name = 'Acme'`)}):`,
      );
      expect(lines).toContain('  • Dana Reyes, VP Procurement — dana.reyes@acme.com · +1 555 709 4348');
      expect(await ask({ type: 'contact.lookup', query: 'Dana' })).toMatchObject({
        kind: 'question',
        text: 'Which contact do you mean: Dana Reyes (Acme) or Dana Whitfield (Acme Logistics)?',
      });
    });
  });

  describe('contact.create', () => {
    it('creates a contact at the resolved account', async () => {
      const action = {
        type: 'contact.create',
        name: 'Nina Patel',
        email: 'Nina.Patel@acme.com',
        phone: '+1 555 010 0100',
        account: 'acme',
        title: 'Buyer',
      };
      const { preview, done } = await confirmed(action);
      expect(preview.confirm!.preview).toBe(
        'Create a contact: Nina Patel, Buyer\n  account: Acme\n  email: Nina.Patel@acme.com · phone: +1 555 010 0100',
      );
      expect(done).toEqual({
        kind: 'done',
        text: 'Added Nina Patel at Acme (nina.patel@acme.com · +1 555 010 0100).',
        sensitive: true,
      });
      const c = await one<{ id: string }>(
        `select c.id from public.contacts c join public.accounts a on a.id = c.account_id
        where c.name = 'Nina Patel' and c.email = 'nina.patel@acme.com' and c.title = 'Buyer' and a.name = 'Acme' and c.owner_id = $1`,
        [alex.id],
      );
      const audit = await auditOf(preview.confirm!.pendingId);
      expect(audit).toMatchObject({ action: 'contact.create', target_type: 'contact', target_id: c.id });
      expect(JSON.stringify(audit.detail)).not.toMatch(/nina|0100/i);
    });

    it('refuses an email that another contact already has', async () => {
      const before = await count('public.contacts');
      expect(await ask({ type: 'contact.create', name: 'D. Reyes', email: 'DANA.REYES@acme.com' })).toEqual({
        kind: 'refusal',
        text: 'There is already a contact with the email dana.reyes@acme.com: Dana Reyes (Acme).',
      });
      expect(await count('public.contacts')).toBe(before);
    });
  });

  describe('lead.qualify', () => {
    it('moves a lead from MQL to SQL', async () => {
      const [lead] = await db.query<{ id: string; name: string }>(
        `select id, name from public.leads where name = 'Sam Rossi'`,
      );
      await db.query(`update public.leads set status = 'mql' where id = $1`, [lead.id]);
      const { preview, done } = await confirmed({ type: 'lead.qualify', lead: 'sam rossi', status: 'sql' });
      expect(preview.confirm!.preview).toBe('Mark Sam Rossi (Crystal Health) as sales-qualified (SQL); it is MQL now.');
      expect(done.text).toBe('Sam Rossi (Crystal Health) is now sales-qualified (SQL); it was MQL.');
      expect(await one(`select status::text from public.leads where id = $1`, [lead.id])).toEqual({ status: 'sql' });
      expect(await auditOf(preview.confirm!.pendingId)).toMatchObject({
        action: 'lead.qualify',
        target_type: 'lead',
        target_id: lead.id,
      });
      expect(await ask({ type: 'lead.qualify', lead: 'Sam Rossi', status: 'sql' })).toEqual({
        kind: 'refusal',
        text: 'Sam Rossi is already SQL.',
      });
    });

    it('converts a lead into a new account, a contact and a deal, linked, and marks it converted', async () => {
      await db.query(
        `insert into public.leads (name, email, company, status, owner_id) values ('Robin Hale', 'robin@brightwater.example', 'Brightwater Labs', 'mql', $1)`,
        [alex.id],
      );
      const before = {
        accounts: await count('public.accounts'),
        contacts: await count('public.contacts'),
        deals: await count('public.deals'),
      };
      const { preview, done } = await confirmed({
        type: 'lead.qualify',
        lead: 'robin@brightwater.example',
        status: 'sql',
        convert: true,
      });
      expect(preview.confirm!.preview).toContain('  account: Brightwater Labs (new account, owned by you)');
      expect(done.text).toBe(
        "Converted Robin Hale (Brightwater Labs): new account Brightwater Labs, new contact Robin Hale, deal 'Brightwater Labs new business' in qualification closing Wed 31 Mar 2027.",
      );
      expect({
        accounts: await count('public.accounts'),
        contacts: await count('public.contacts'),
        deals: await count('public.deals'),
      }).toEqual({ accounts: before.accounts + 1, contacts: before.contacts + 1, deals: before.deals + 1 });
      await one(
        `select l.id from public.leads l
        join public.contacts c on c.id = l.contact_id join public.deals d on d.id = l.deal_id join public.accounts a on a.id = d.account_id
        where l.name = 'Robin Hale' and l.status = 'converted' and c.account_id = a.id and d.contact_id = c.id and a.name = 'Brightwater Labs'
          and a.owner_id = $1 and a.region = 'West' and d.owner_id = $1 and d.stage = 'qualification' and d.close_date = '2027-03-31'
          and c.email = 'robin@brightwater.example'`,
        [alex.id],
      );
      expect(await ask({ type: 'lead.qualify', lead: 'Robin Hale', status: 'sql', convert: true })).toEqual({
        kind: 'refusal',
        text: 'Robin Hale was already converted into a contact and a deal.',
      });
    });

    it('converting into an existing account reuses it; an unknown lead is a question', async () => {
      await db.query(`update public.leads set status = 'sql' where name = 'Lee Chen'`);
      const accounts = await count('public.accounts');
      const { done } = await confirmed({ type: 'lead.qualify', lead: 'Lee Chen', status: 'sql', convert: true });
      expect(done.text).toBe(
        "Converted Lee Chen (Vandelay): existing account Vandelay, new contact Lee Chen, deal 'Vandelay new business' in qualification closing Wed 31 Mar 2027.",
      );
      expect(await count('public.accounts')).toBe(accounts);
      expect(await ask({ type: 'lead.qualify', lead: 'Zebulon Quaintance', status: 'sql' })).toEqual({
        kind: 'question',
        text: 'I couldn\'t find a lead called "Zebulon Quaintance". Could you give the full name or email?',
      });
    });
  });
});
