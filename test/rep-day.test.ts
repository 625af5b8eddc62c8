import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant } from '../src/core/assistant.ts';
import { createChannelKit } from '../src/core/channel-kit.ts';
import type { Reply } from '../src/core/types.ts';
import type { Requester } from '../src/db/port.ts';
import { offlineParser } from '../src/nlu/offline-parser.ts';
import { reminderText } from '../skills/tasks/reminders.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb, utc } from './support/db.ts';

// 12:00 in Los Angeles (Alex's and Marta's timezone) on the demo's today, Monday 2026-11-23.
const NOW = '2026-11-23T20:00:00.000Z';

/** A rep's day, round two (issue 25): what was typed, what is asked back, and what is (not) written. */
describe.each(TARGETS)("a rep's day, round two, on %s", (target) => {
  let db: TestDb;
  let alex: Requester, marta: Requester, marco: Requester, priya: Requester;
  let seq = 0;
  beforeAll(async () => {
    db = await freshDb(target);
    [alex, marta, marco, priya] = await Promise.all(
      ['Alex Morgan', 'Marta Schulz', 'Marco Rossi', 'Priya Shah'].map((n) => userNamed(db, n)),
    );
    await db.query(
      `insert into public.contacts (name, account_id, owner_id) select 'Jenny Park', id, $1 from public.accounts where name = 'Acme'`,
      [alex.id],
    );
  });
  afterAll(() => db?.close());

  const assistant = () => createAssistant({ db, parser: offlineParser, now: () => new Date(NOW) });
  let kit: ReturnType<typeof createChannelKit>;
  /** One typed message through the channel kit (yes/no and picks included), as a REPL would send it. */
  const say = (text: string, user = alex) => {
    kit ??= createChannelKit({ assistant: assistant(), db });
    return kit.say({ kind: 'member', user }, { requestId: `rd-${++seq}`, channel: 'repl' }, text);
  };
  const ask = (action: unknown, user = alex) =>
    assistant().run(action, { requestId: `rd-${++seq}`, channel: 'repl', user });
  const count = async (from: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`select count(*)::int as n from ${from}`, params))[0].n;
  const one = async <T>(sql: string, params: unknown[] = []) => {
    const rows = await db.query<T>(sql, params);
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const pending = () => count(`public.pending_actions where status = 'pending'`);
  /** Nothing waits for a yes and nothing was written by the given reply. */
  async function nothingWritten(reply: Promise<Reply>, kind: Reply['kind'] = 'question') {
    const [p, audit] = [await pending(), await count('public.audit_log')];
    const r = await reply;
    expect(r.kind, r.text).toBe(kind);
    expect(r.confirm).toBeUndefined();
    expect(await pending()).toBe(p);
    expect(await count('public.audit_log')).toBe(audit);
    return r;
  }

  describe('no silent swaps', () => {
    it('"priya patel, cto at initrode" is not filed at Initech: it asks, and offers Initrode as a new account', async () => {
      const r = await nothingWritten(say('new contact: priya patel, cto at initrode, priya@initrode.com'));
      expect(r.text).toBe(
        'I couldn\'t find an account called "initrode". Did you mean Initech (West)? Or is Initrode a new account? Then I\'ll create it, and you add Priya Patel again.',
      );
      expect(r.choices?.map((c) => c.label)).toEqual(['Initech (West)', 'New account: Initrode (initrode.com)']);
      expect(await count(`public.contacts where lower(name) = 'priya patel'`)).toBe(0);

      const create = await say('2');
      expect(create.confirm?.preview).toBe(
        [
          'Create an account: Initrode',
          '  domain: initrode.com · industry: —',
          '  region: West · owner: you',
          '  (similar accounts that exist: Initech)',
        ].join('\n'),
      );
      expect(await count(`public.accounts where name = 'Initrode'`)).toBe(0);
      expect((await say('yes')).text).toBe('Added the account Initrode (initrode.com), owned by you.');
      expect(
        await one(
          `select domain, region, owner_id, (select count(*)::int from public.audit_log l where l.action = 'account.create' and l.target_id = a.id::text) as audited
           from public.accounts a where name = 'Initrode'`,
        ),
      ).toEqual({ domain: 'initrode.com', region: 'West', owner_id: alex.id, audited: 1 });

      // Said again, it is the new account, with the name and title capitalised as a CRM shows them.
      const contact = await say('new contact: priya patel, cto at initrode, priya@initrode.com');
      expect(contact.confirm?.preview).toBe(
        'Create a contact: Priya Patel, CTO\n  account: Initrode\n  email: priya@initrode.com · phone: —',
      );
      await say('yes');
      expect(
        await one(
          `select c.name, c.title, a.name as account from public.contacts c join public.accounts a on a.id = c.account_id where c.email = 'priya@initrode.com'`,
        ),
      ).toEqual({ name: 'Priya Patel', title: 'CTO', account: 'Initrode' });
    });

    it('an account that exists is not created twice, and explicit capitals are kept as typed', async () => {
      expect((await nothingWritten(ask({ type: 'account.create', name: 'acme' }), 'answer')).text).toBe(
        'There is already an account called Acme; nothing was created.',
      );
      const r = await ask({ type: 'contact.create', name: 'Ana McKay-deVries', title: 'head of IT', account: 'Acme' });
      expect(r.confirm?.preview.split('\n')[0]).toBe('Create a contact: Ana McKay-deVries, head of IT');
      await assistant().confirm(r.confirm!.pendingId, alex, false);
    });

    it('"jenny park is sales qualified" does not offer Dana Park: Jenny Park is a contact, not a lead', async () => {
      const before = await one(`select status::text from public.leads where name = 'Dana Park'`);
      const r = await nothingWritten(say('jenny park is sales qualified'));
      expect(r.text).toBe(
        'Jenny Park is a contact at Acme, not a lead, so there is no lead status to change. Did you mean the lead Dana Park (Initrode, MQL)?',
      );
      expect(await one(`select status::text from public.leads where name = 'Dana Park'`)).toEqual(before);
    });

    it('a look-alike company, contact or deal is asked about; a name typed as it is, or its start, is taken', async () => {
      const r = await nothingWritten(ask({ type: 'deal.update', deal: 'initrode upsell', stage: 'negotiation' }));
      expect(r.text).toMatch(/^I couldn't find a deal called "initrode upsell"\. Did you mean Initech upsell/);
      const call = await nothingWritten(
        ask({ type: 'activity.log', kind: 'call', contact: 'jenny reyes', account: 'Acme', summary: 'intro' }),
      );
      expect(call.text).toMatch(/^I couldn't find a contact called "jenny reyes" at Acme\./);
      const typo = await nothingWritten(ask({ type: 'pipeline.query', metric: 'total', account: 'Globx' }));
      expect(typo.text).toMatch(/^I couldn't find an account called "Globx"\. Did you mean Globex/);
      // The name typed, case and spacing aside, is that record.
      const r2 = await ask({ type: 'deal.update', deal: 'initech  EXPANSION', closeDate: '2027-02-15' });
      expect(r2.confirm?.preview.split('\n')[0]).toBe('Update Initech expansion (Initech · owner Alex Morgan):');
      await assistant().confirm(r2.confirm!.pendingId, alex, false);
    });

    it('"-5k" never becomes $5,000: a negative amount, or a cut below zero, is asked about', async () => {
      const amount = await one(`select amount::float as a from public.deals where name = 'Acme upsell'`);
      expect((await nothingWritten(say('change acme upsell amount to -5k'))).text).toMatch(/can't be negative/);
      expect(
        (await nothingWritten(ask({ type: 'deal.update', deal: 'Acme upsell', amount: -5000 }), 'refusal')).text,
      ).toMatch(/^I can't run that request; nothing was changed\./);
      expect((await nothingWritten(say('reduce the acme upsell by 500k'))).text).toBe(
        'That would make Acme upsell worth less than nothing ($4,500 now). What should its amount be?',
      );
      expect((await nothingWritten(ask({ type: 'deal.update', deal: 'Acme upsell', amount: 5e9 }))).text).toBe(
        '$5,000,000,000 for Acme upsell ($4,500 now) looks like a slip. What should its amount be?',
      );
      expect(await one(`select amount::float as a from public.deals where name = 'Acme upsell'`)).toEqual(amount);
    });

    it('a relative change shows the old and the new amount, and writes the new one', async () => {
      const r = await say('bump the acme upsell by 10k');
      expect(r.confirm?.preview).toBe(
        'Update Acme upsell (Acme · owner Alex Morgan):\n  amount $4,500 → $14,500 (+$10,000)',
      );
      expect((await say('yes')).text).toBe('Updated Acme upsell: amount $4,500 → $14,500.');
      expect(await one(`select amount::float as a from public.deals where name = 'Acme upsell'`)).toEqual({ a: 14500 });
    });

    it('closing a deal as won shows that its close date moves to today, and writes exactly that', async () => {
      const r = await say('mark initech upsell as won');
      expect(r.confirm?.preview).toBe(
        'Update Initech upsell (Initech · owner Alex Morgan):\n  stage prospecting → closed won\n  close date Tue 9 Feb 2027 → Mon 23 Nov',
      );
      const done = await say('yes');
      expect(done.text).toBe(
        'Updated Initech upsell: stage prospecting → closed won, close date Tue 9 Feb 2027 → Mon 23 Nov.',
      );
      expect(await one(`select stage::text, close_date::text from public.deals where name = 'Initech upsell'`)).toEqual(
        { stage: 'closed_won', close_date: TODAY },
      );
    });
  });

  describe('deals: next step and loss reason', () => {
    it('a next step is stored on the deal and shown before and after', async () => {
      const r = await ask({ type: 'deal.update', deal: 'Initech expansion', nextStep: 'send the order form' });
      expect(r.confirm?.preview).toBe(
        "Update Initech expansion (Initech · owner Alex Morgan):\n  next step — → 'send the order form'",
      );
      expect((await assistant().confirm(r.confirm!.pendingId, alex, true)).text).toBe(
        "Updated Initech expansion: next step — → 'send the order form'.",
      );
      expect(await one(`select next_step from public.deals where name = 'Initech expansion'`)).toEqual({
        next_step: 'send the order form',
      });
    });

    it('"lost, they went with a competitor" stores the loss reason with the stage; a loss reason on an open deal is refused', async () => {
      const refused = await nothingWritten(
        ask({ type: 'deal.update', deal: 'Initech new business', lossReason: 'price' }),
        'refusal',
      );
      expect(refused.text).toBe('A loss reason goes with a lost deal; Initech new business would be discovery.');
      const r = await say('initech new business is lost, they went with a competitor');
      expect(r.confirm?.preview).toBe(
        [
          'Update Initech new business (Initech · owner Alex Morgan):',
          '  stage discovery → closed lost',
          '  close date Thu 1 Apr 2027 → Mon 23 Nov',
          "  loss reason — → 'a competitor'",
        ].join('\n'),
      );
      await say('yes');
      expect(
        await one(
          `select stage::text, loss_reason, close_date::text from public.deals where name = 'Initech new business'`,
        ),
      ).toEqual({ stage: 'closed_lost', loss_reason: 'a competitor', close_date: TODAY });
    });
  });

  describe('activities: which deal, and when', () => {
    it('a call with a contact on several open deals takes the one furthest along, or asks when none is', async () => {
      const call = { type: 'activity.log', kind: 'call', contact: 'Dana', account: 'Acme', summary: 'pricing' };
      const furthest = await ask(call);
      expect(furthest.confirm?.preview).toContain('  deal: Acme upsell (proposal, closing Sat 1 May 2027)');
      await assistant().confirm(furthest.confirm!.pendingId, alex, false);
      await db.query(`update public.deals set stage = 'proposal' where name = 'Acme new business'`);
      const r = await nothingWritten(
        ask({ type: 'activity.log', kind: 'call', contact: 'Dana', account: 'Acme', summary: 'talked renewal terms' }),
      );
      expect(r.text).toBe(
        'Dana Reyes is on 2 open deals, none further along than the others. Which one was the call about: Acme upsell (proposal, closing Sat 1 May 2027) or Acme new business (proposal, closing Thu 29 Apr 2027)?',
      );
      const picked = await ask(r.choices![1].action);
      expect(picked.confirm?.preview).toContain(
        '  deal: Acme new business (proposal, closing Thu 29 Apr 2027); its last activity becomes today',
      );
      await assistant().confirm(picked.confirm!.pendingId, alex, true);
      expect(
        await one(
          `select d.name from public.activities t join public.deals d on d.id = t.deal_id where t.summary = 'talked renewal terms'`,
        ),
      ).toEqual({ name: 'Acme new business' });
    });

    it('"met Globex yesterday" is stored on yesterday; the deal\'s last activity follows the real date', async () => {
      const deal = await one<{ id: string; name: string }>(
        `select d.id, d.name from public.deals d join public.accounts a on a.id = d.account_id
         where a.name = 'Globex' and d.stage not in ('closed_won', 'closed_lost')
         order by d.owner_id = $1 desc, d.last_activity_at desc nulls last, d.close_date, d.id limit 1`,
        [alex.id],
      );
      await db.query(`update public.deals set last_activity_at = '2026-11-01T12:00:00Z' where id = $1`, [deal.id]);
      const r = await say('met Globex yesterday, they want a demo');
      expect(r.confirm?.preview).toContain('  when: Sun 22 Nov');
      expect(r.confirm?.preview).toContain('its last activity becomes Sun 22 Nov unless a later one is logged');
      await say('yes');
      expect(
        await one(
          `select ${utc('occurred_at')} as at, deal_id from public.activities where summary = 'they want a demo'`,
        ),
      ).toEqual({ at: '2026-11-22T12:00Z', deal_id: deal.id });
      expect(await one(`select ${utc('last_activity_at')} as at from public.deals where id = $1`, [deal.id])).toEqual({
        at: '2026-11-22T12:00Z',
      });
      // An older one does not move it back.
      const old = await ask({
        type: 'activity.log',
        kind: 'note',
        account: 'Globex',
        summary: 'old note',
        occurredOn: '2026-11-10',
      });
      await assistant().confirm(old.confirm!.pendingId, alex, true);
      expect(await one(`select ${utc('last_activity_at')} as at from public.deals where id = $1`, [deal.id])).toEqual({
        at: '2026-11-22T12:00Z',
      });
    });
  });

  describe('tasks', () => {
    it('"eod" is 17:00 in the user\'s timezone: stored, and the reminder job runs then', async () => {
      const r = await say('remind me to send the deck eod');
      expect(r.confirm?.preview).toBe(
        "Create a task for you: 'send the deck'; due Mon 23 Nov at 17:00, reminder at 17:00 (America/Los_Angeles).",
      );
      expect((await say('yes')).text).toBe(
        "Task added: 'send the deck' due Mon 23 Nov at 17:00; I'll remind you then.",
      );
      const task = await one<{ id: string; due: string; time: string; remind_at: string }>(
        `select id, due_date::text as due, to_char(due_time, 'HH24:MI') as time, ${utc('remind_at')} as remind_at from public.tasks where text = 'send the deck'`,
      );
      // 17:00 in Los Angeles is 01:00 UTC the next day.
      expect(task).toMatchObject({ due: TODAY, time: '17:00', remind_at: '2026-11-24T01:00Z' });
      expect(
        await one(`select ${utc('run_at')} as run_at from public.jobs where dedupe_key = $1`, [
          `task.reminder:${task.id}`,
        ]),
      ).toEqual({ run_at: '2026-11-24T01:00Z' });
      const due = await db.serviceRpc('reminder_task', { task_id: task.id });
      expect(reminderText(due!)).toBe('Reminder: send the deck, due Mon 23 Nov at 17:00.');
    });

    it('a time that has already passed today is asked about', async () => {
      expect((await nothingWritten(say('remind me to call Tom at 9am'))).text).toBe(
        '09:00 today has already passed. When should it be due?',
      );
    });

    it('a manager gives a task to a rep in her team; the rep gets it and its reminder', async () => {
      const r = await say('remind alex to update the acme upsell by friday at 2pm', marta);
      expect(r.confirm?.preview).toBe(
        "Create a task for Alex Morgan: 'update the acme upsell' about Acme; due Fri 27 Nov at 14:00, reminder at 14:00 (their time).",
      );
      expect((await say('yes', marta)).text).toBe(
        "Task added for Alex Morgan: 'update the acme upsell' due Fri 27 Nov at 14:00; I'll remind Alex Morgan then.",
      );
      const task = await one<{ id: string }>(
        `select id, assignee_id, created_by, ${utc('remind_at')} as remind_at from public.tasks where text = 'update the acme upsell'`,
      );
      expect(task).toMatchObject({ assignee_id: alex.id, created_by: marta.id, remind_at: '2026-11-27T22:00Z' });
      expect(await count('public.jobs where dedupe_key = $1', [`task.reminder:${task.id}`])).toBe(1);
    });

    it("a rep's tasks are their own; a manager's team is hers only (asked before, refused by the database too)", async () => {
      expect((await nothingWritten(say('remind priya to send the quote tomorrow'), 'answer')).text).toBe(
        "Only a manager can give tasks to their team, so I can't give Priya Shah one. I can remind you to ask them.",
      );
      expect(
        (
          await nothingWritten(
            ask({ type: 'task.create', text: 'prep the QBR', assignee: 'Marco Rossi' }, marta),
            'answer',
          )
        ).text,
      ).toBe("Marco Rossi is not in your team (Growth West), so I can't give them a task.");
      // Straight to the API, past the assistant's check.
      const direct = await db
        .rpc(alex, 'perform', {
          request_id: 'rd-direct-assign',
          channel: 'repl',
          action: 'task.create',
          payload: { text: 'sneaky', assignee_id: priya.id },
        })
        .catch((e: Error) => e);
      expect(String(direct)).toMatch(/Only a manager can give tasks/);
      expect(await count(`public.tasks where text = 'sneaky'`)).toBe(0);
      expect(marco.team).not.toBe(marta.team);
    });

    it('"mark the … as done" completes the one task it names; several that fit are asked about', async () => {
      await db.query(
        `insert into public.tasks (text, due_date, assignee_id, created_by, contact_id, remind_at) select 'follow up with Lars Nguyen on renewal', '2026-11-25', $1, $1, null, '2026-11-25T17:00Z'`,
        [alex.id],
      );
      const r = await say('mark the lars nguyen follow up as done');
      expect(r.confirm?.preview).toBe("Mark as done: 'follow up with Lars Nguyen on renewal' (due Wed 25 Nov).");
      expect(await count(`public.tasks where text like '%Lars Nguyen%' and status = 'open'`)).toBe(1);
      expect((await say('yes')).text).toBe(
        "Done: 'follow up with Lars Nguyen on renewal'. It's off your list and its reminder won't go out.",
      );
      const done = await one<{ id: string; status: string; completed: boolean }>(
        `select id, status, completed_at is not null as completed from public.tasks where text like '%Lars Nguyen%'`,
      );
      expect(done).toMatchObject({ status: 'done', completed: true });
      expect(await db.serviceRpc('reminder_task', { task_id: done.id })).toBeNull();
      expect(await count(`public.audit_log where action = 'task.complete' and target_id = $1`, [done.id])).toBe(1);

      await db.query(
        `insert into public.tasks (text, due_date, assignee_id, created_by) values ('send the Hooli pricing', '2026-11-24', $1, $1), ('send the Hooli contract', '2026-11-26', $1, $1)`,
        [alex.id],
      );
      const which = await nothingWritten(say('done with the hooli task'));
      expect(which.text).toBe(
        "Which task is done: 'send the Hooli pricing' (due Tue 24 Nov) or 'send the Hooli contract' (due Thu 26 Nov)?",
      );
      const picked = await say('2');
      expect(picked.confirm?.preview).toBe("Mark as done: 'send the Hooli contract' (due Thu 26 Nov).");
      await say('yes');
      expect(await one(`select status from public.tasks where text = 'send the Hooli contract'`)).toEqual({
        status: 'done',
      });
      expect(await one(`select status from public.tasks where text = 'send the Hooli pricing'`)).toEqual({
        status: 'open',
      });
      expect((await nothingWritten(say('done with the zanzibar task'), 'answer')).text).toMatch(
        /^I couldn't find an open task of yours about "zanzibar/,
      );
    });

    it('task lists by today, week, overdue and team: the counts are those of an independent SQL', async () => {
      await db.query(
        `insert into public.tasks (text, due_date, assignee_id, created_by) values
         ('chase the PO', '2026-11-20', $1, $1), ('chase legal', '2026-11-21', $1, $1), ('book the QBR room', '2026-11-28', $1, $1),
         ('renewal prep', '2026-11-30', $1, $1), ('old one', '2026-11-02', $2, $2)`,
        [alex.id, priya.id],
      );
      const open = (user: string, until: string | null, cmp = '<=') =>
        count(
          `public.tasks where assignee_id = $1 and status = 'open' ${until ? `and due_date ${cmp} '${until}'` : ''}`,
          [user],
        );
      const overdue = await open(alex.id, TODAY, '<');
      // This week is Monday 23 to Sunday 29 November.
      const week = await open(alex.id, '2026-11-29');
      const today = await open(alex.id, TODAY);
      expect(overdue).toBeGreaterThan(0);
      expect(week).toBeGreaterThan(today);
      const todayReply = await ask({ type: 'task.list', due: 'today' });
      expect(todayReply.text).toBe(`You have ${today} tasks due today or overdue (${overdue} overdue):`);
      const weekReply = await ask({ type: 'task.list', due: 'week' });
      expect(weekReply.text).toBe(`You have ${week} tasks due this week or overdue (${overdue} overdue):`);
      expect(weekReply.table!.rows).toHaveLength(week);
      const overdueReply = await ask({ type: 'task.list', due: 'overdue' });
      expect(overdueReply.text).toBe(`You have ${overdue} tasks overdue:`);

      const team = await count(
        `public.tasks t join public.users u on u.id = t.assignee_id where u.team = 'Growth West' and t.status = 'open' and t.due_date < $1`,
        [TODAY],
      );
      const teamReply = await say("my team's overdue tasks", marta);
      expect(teamReply.text).toBe(`Your team (Growth West) has ${team} tasks overdue:`);
      expect(teamReply.table!.columns).toEqual(['Due', 'Task', 'About', 'For']);
      expect(new Set(teamReply.table!.rows.map((r) => r[3])).size).toBeGreaterThan(1);
      expect((await say("my team's overdue tasks", alex)).kind).toBe('refusal');
      const alexFor = await ask({ type: 'task.list', due: 'all', assignee: 'Alex Morgan' }, marta);
      expect(alexFor.text).toMatch(new RegExp(`^Alex Morgan has ${await open(alex.id, null)} tasks open`));
    });
  });
});
