import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SummaryResult } from '../skills/accounts/summary.ts';
import type { AccountInsight, InsightResult } from '../skills/insights/query.ts';
import { createAssistant } from '../src/core/assistant.ts';
import { claimsFor, type Requester } from '../src/db/port.ts';
import type { Parser } from '../src/nlu/parser.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';

// The figures of the insights, each recomputed here from the raw rows the asker can see, in the words of the
// README's definitions (supabase/schemas/13_insights.sql computes them the SQL way).
const NOW = `${TODAY}T20:00:00.000Z`;
const DAY = 86_400_000;
const MARGIN = 0.8;
const RATE = 0.1;
const parser: Parser = { name: 'test', parse: async () => ({ type: 'help' }) };

/** `today` minus whole years, as a YYYY-MM-DD string. */
const yearsBefore = (years: number) => `${Number(TODAY.slice(0, 4)) - years}${TODAY.slice(4)}`;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);

interface Raw {
  accounts: { id: string; name: string; tier: string }[];
  /** The tier of every account: a segment's churn rate counts every renewal the asker can see, in scope or not. */
  tiers: Map<string, string>;
  deals: { account_id: string; name: string; stage: string; amount: number; close_date: string }[];
  lastActivity: Map<string, string>;
  cases: { account_id: string; severity: string; breached: boolean }[];
}

/** What the definitions say, from the raw rows. */
function expected(raw: Raw) {
  const renewals = raw.deals.filter(
    (d) => d.name.toLowerCase().includes('renewal') && d.close_date > yearsBefore(2) && d.close_date <= TODAY,
  );
  const tierOf = raw.tiers;
  const churn = new Map<string, { due: number; churned: number }>();
  const all = { due: 0, churned: 0 };
  for (const r of renewals) {
    const t = tierOf.get(r.account_id);
    if (!t) continue;
    const c = churn.get(t) ?? { due: 0, churned: 0 };
    c.due++;
    all.due++;
    if (r.stage !== 'closed_won') {
      c.churned++;
      all.churned++;
    }
    churn.set(t, c);
  }
  return new Map(
    raw.accounts.map((a) => {
      const won = raw.deals.filter((d) => d.account_id === a.id && d.stage === 'closed_won' && d.close_date <= TODAY);
      const sum = (ds: typeof won) => ds.reduce((s, d) => s + d.amount, 0);
      const historic = sum(won);
      const firstWin = won.map((d) => d.close_date).sort()[0];
      const lastWin = won
        .map((d) => d.close_date)
        .sort()
        .at(-1);
      let years = 0;
      if (firstWin) {
        let whole = 0;
        while (yearsBefore(whole + 1) >= firstWin) whole++;
        years = Math.min(3, whole + 1);
      }
      const annual = years
        ? Math.round((sum(won.filter((d) => d.close_date > yearsBefore(years))) / years) * 100) / 100
        : 0;
      const seg = churn.get(a.tier) ?? all;
      const lifetime = seg.due === 0 ? 1 : seg.churned === 0 ? 10 : Math.min(10, Math.max(1, seg.due / seg.churned));
      const clv = annual * MARGIN * ((1 - (1 + RATE) ** -lifetime) / RATE);

      const mine = renewals.filter((r) => r.account_id === a.id);
      const lost = mine.filter((r) => r.stage === 'closed_lost').length;
      const slipped = mine.filter((r) => !r.stage.startsWith('closed') && r.close_date < TODAY).length;
      const last = raw.lastActivity.get(a.id);
      const idle = last ? daysBetween(last, TODAY) : undefined;
      const open = raw.cases.filter((c) => c.account_id === a.id);
      const high = open.filter((c) => c.severity === 'high' || c.severity === 'urgent').length;
      const breaches = open.filter((c) => c.breached).length;
      const won12 = sum(won.filter((d) => d.close_date > yearsBefore(1)));
      const prev12 = sum(won.filter((d) => d.close_date > yearsBefore(2) && d.close_date <= yearsBefore(1)));
      const points =
        (lost ? 30 : 0) +
        (slipped ? 20 : 0) +
        (idle === undefined ? 25 : idle > 90 ? 20 : idle > 30 ? 10 : 0) +
        Math.min(20, 10 * high) +
        Math.min(20, 10 * breaches) +
        (prev12 > 0 && won12 === 0 ? 25 : won12 < prev12 ? 15 : 0);
      const risk = Math.min(100, points);

      const wins3 = won.filter((d) => d.close_date > yearsBefore(3));
      const r = lastWin ? (daysBetween(lastWin, TODAY) <= 90 ? 3 : daysBetween(lastWin, TODAY) <= 365 ? 2 : 1) : 0;
      const f = wins3.length >= 3 ? 3 : wins3.length === 2 ? 2 : 1;
      const m = sum(wins3) >= 250_000 ? 3 : sum(wins3) >= 50_000 ? 2 : 1;
      const segment = !r
        ? 'prospect'
        : r === 3 && f >= 2 && m >= 2
          ? 'champion'
          : r >= 2 && f >= 2
            ? 'loyal'
            : r === 3
              ? 'new'
              : r === 2
                ? 'needs attention'
                : f >= 2 || m === 3
                  ? 'at risk'
                  : 'hibernating';
      const grade = risk < 20 ? 'A' : risk < 40 ? 'B' : risk < 60 ? 'C' : risk < 80 ? 'D' : 'F';
      return [a.id, { name: a.name, historic, annual, years, lifetime, clv, seg, risk, grade, segment }] as const;
    }),
  );
}

describe.each(TARGETS)('account insights on %s', (target) => {
  let db: TestDb;
  let alex: Requester, marta: Requester, jordan: Requester, marco: Requester, omar: Requester;
  beforeAll(async () => {
    db = await freshDb(target);
    [alex, marta, jordan, marco, omar] = await Promise.all(
      ['Alex Morgan', 'Marta Schulz', 'Jordan Lee', 'Marco Rossi', 'Omar Haddad'].map((n) => userNamed(db, n)),
    );
  });
  afterAll(() => db?.close());

  /** A query as the user, through the policies. */
  const asUser = <T>(user: Requester, sql: string, params: unknown[] = []) =>
    db.transaction(async (tx) => {
      await tx.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
        JSON.stringify(claimsFor(user)),
      ]);
      return tx.query<T>(sql, params);
    });
  const insight = async (user: Requester, payload: Record<string, unknown>): Promise<InsightResult> =>
    (await db.rpc(user, 'perform', {
      request_id: randomUUID(),
      channel: 'repl',
      action: 'insight.query',
      payload: { today: TODAY, now: NOW, margin: MARGIN, discount_rate: RATE, ...payload },
    })) as unknown as InsightResult;
  const allOf = (user: Requester, margin = MARGIN) =>
    asUser<AccountInsight>(user, 'select * from private.insight_accounts($1, $2, $3, $4)', [TODAY, NOW, margin, RATE]);

  /** The raw rows the user sees, and their scope written out: a rep's own accounts, a manager's team's, all. */
  async function rawFor(user: Requester): Promise<Raw> {
    const [scope, params] =
      user.role === 'rep'
        ? ['a.owner_id = $1', [user.id]]
        : user.role === 'manager'
          ? ['a.owner_id in (select id from public.users where team = $1)', [user.team]]
          : ['true', []];
    const accounts = await asUser<Raw['accounts'][number]>(
      user,
      `select a.id::text, a.name, a.tier::text from public.accounts a where ${scope}`,
      params,
    );
    const deals = await asUser<Raw['deals'][number]>(
      user,
      'select account_id::text, name, stage::text, amount::float8 as amount, close_date::text from public.deals',
    );
    const acts = await asUser<{ account_id: string; day: string }>(
      user,
      `select account_id::text, max((occurred_at at time zone 'UTC')::date)::text as day from public.activities
       where account_id is not null and (occurred_at at time zone 'UTC')::date <= $1 group by account_id`,
      [TODAY],
    );
    const cases = await asUser<Raw['cases'][number]>(
      user,
      `select account_id::text, severity::text,
              (resolution_due < $1 or (first_response_at is null and first_response_due < $1)) as breached
       from public.cases where status <> 'resolved' and created_at <= $1 and account_id is not null`,
      [NOW],
    );
    const tiers = await asUser<{ id: string; tier: string }>(user, 'select id::text, tier::text from public.accounts');
    return {
      accounts,
      tiers: new Map(tiers.map((t) => [t.id, t.tier])),
      deals,
      lastActivity: new Map(acts.map((a) => [a.account_id, a.day])),
      cases,
    };
  }

  it('compute every account of a manager by its written definition: historic value, CLV, churn inputs, risk, grade, segment', async () => {
    const raw = await rawFor(marta);
    const want = expected(raw);
    const got = await allOf(marta);
    expect(got.map((a) => a.account_id).sort()).toEqual([...want.keys()].sort());
    expect(got.length).toBeGreaterThan(40);
    for (const a of got) {
      const w = want.get(a.account_id)!;
      expect({ name: a.name, historic: Number(a.historic_value), annual: Number(a.avg_annual) }).toEqual({
        name: w.name,
        historic: w.historic,
        annual: w.annual,
      });
      expect({ due: a.renewals_due, churned: a.renewals_churned }).toEqual(w.seg);
      expect(Number(a.lifetime)).toBeCloseTo(w.lifetime, 2);
      expect(Number(a.clv)).toBeCloseTo(w.clv, 0);
      expect({ risk: a.risk, grade: a.grade, segment: a.segment }).toEqual({
        risk: w.risk,
        grade: w.grade,
        segment: w.segment,
      });
    }
    // The data exercises the definitions: several segments, risk signals and tiers with renewals due.
    expect(new Set(got.map((a) => a.segment)).size).toBeGreaterThanOrEqual(5);
    expect(got.filter((a) => a.risk >= 40).length).toBeGreaterThan(0);
    expect(got.filter((a) => a.renewals_due > 0 && Number(a.clv) > 0).length).toBeGreaterThan(5);
  });

  it('answer the CLV of one account with its working, equal to the definition', async () => {
    const want = expected(await rawFor(alex));
    const valued = [...want.entries()].filter(([, w]) => w.clv > 0).slice(0, 3);
    expect(valued.length).toBe(3);
    for (const [id, w] of valued) {
      const r = await insight(alex, { metric: 'clv', account_id: id, account_name: w.name });
      expect(r.as_of).toBe(TODAY);
      expect(Number(r.account!.clv)).toBeCloseTo(w.clv, 0);
      expect(Number(r.account!.historic_value)).toBe(w.historic);
      expect(r.account!.customer_years).toBe(w.years);
    }
  });

  it("sum to the scope's customer equity, segment counts and at-risk count", async () => {
    const want = [...expected(await rawFor(marta)).values()];
    const equity = want.reduce((s, w) => s + w.clv, 0);
    const seg = await insight(marta, { metric: 'equity' });
    expect(seg.group_by).toBe('segment');
    expect(Number(seg.summary.equity)).toBeCloseTo(equity, -1);
    const counts = Object.fromEntries(seg.groups!.map((g) => [g.key, g.accounts]));
    const truth: Record<string, number> = {};
    for (const w of want) truth[w.segment] = (truth[w.segment] ?? 0) + 1;
    expect(counts).toEqual(truth);
    for (const g of seg.groups!) {
      const of = want.filter((w) => w.segment === g.key);
      expect(Number(g.equity)).toBeCloseTo(
        of.reduce((s, w) => s + w.clv, 0),
        -1,
      );
    }
    const risk = await insight(marta, { metric: 'churn_risk', limit: 5 });
    expect(risk.summary.at_risk).toBe(want.filter((w) => w.risk >= 60).length);
    expect(risk.rows!.map((a) => a.risk)).toEqual(
      want
        .map((w) => w.risk)
        .sort((a, b) => b - a)
        .slice(0, 5),
    );
  });

  it('are scoped by role: a rep their own accounts, a manager the team, an admin all; support may not ask', async () => {
    const ids = async (user: Requester) => (await allOf(user)).map((a) => a.account_id).sort();
    const own = await db.query<{ id: string }>('select id::text from public.accounts where owner_id = $1 order by 1', [
      alex.id,
    ]);
    expect(await ids(alex)).toEqual(own.map((r) => r.id).sort());
    const team = await db.query<{ id: string }>(
      `select a.id::text from public.accounts a join public.users u on u.id = a.owner_id where u.team = 'Growth West'`,
    );
    expect(await ids(marta)).toEqual(team.map((r) => r.id).sort());
    const [{ n }] = await db.query<{ n: number }>('select count(*)::int as n from public.accounts');
    expect((await insight(jordan, { metric: 'clv' })).summary.accounts).toBe(n);
    // Another team's rep sees only their own team's renewals in the churn rates (the deals policies).
    const marcoRaw = await rawFor(marco);
    expect(new Set(marcoRaw.deals.map((d) => d.account_id)).size).toBeGreaterThan(0);
    for (const a of await allOf(marco)) expect(a.renewals_due).toBe(expected(marcoRaw).get(a.account_id)!.seg.due);
    // An account outside the asker's scope is refused by name, not answered.
    const [hooli] = await db.query<{ id: string }>(`select id::text from public.accounts where name = 'Hooli'`);
    await expect(insight(alex, { metric: 'clv', account_id: hooli.id, account_name: 'Hooli' })).rejects.toThrow(
      /Hooli is not one of your accounts.*Priya Shah/,
    );
    await expect(insight(omar, { metric: 'clv' })).rejects.toThrow("You don't have permission to do that.");
  });

  it('reply with the figures, "as of", the working and a chart through the assistant', async () => {
    const assistant = createAssistant({ db, parser, now: () => new Date(NOW) });
    const ask = (action: unknown) => assistant.run(action, { requestId: randomUUID(), channel: 'repl', user: marta });
    for (const metric of ['clv', 'churn_risk', 'health', 'segments', 'equity']) {
      const reply = await ask({ type: 'insight.query', metric });
      expect(reply.kind, reply.text).toBe('answer');
      expect(reply.text).toContain('as of Nov 23, 2026');
      expect(reply.text).toMatch(/How: /);
      expect(reply.table?.rows.length).toBeGreaterThan(0);
    }
    const acme = await ask({ type: 'insight.query', metric: 'clv', account: 'acme' });
    // The assistant's settings are the defaults: margin 1, discount rate 10%.
    const [a] = (await allOf(marta, 1)).filter((x) => x.name === 'Acme');
    const money = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
    expect(acme.text).toContain(`predicted lifetime value ${money(Number(a.clv))}`);
    const byTier = await ask({ type: 'insight.query', metric: 'equity', groupBy: 'tier' });
    expect(byTier.files?.[0]?.mime).toBe('image/png');
    const help = await assistant.run(
      { type: 'help', topic: 'insight.query' },
      { requestId: 'h', channel: 'repl', user: marta },
    );
    expect(help.text).toContain('Predicted CLV: average annual won revenue');
  });
  it('summarise an account: open deals with next steps, risks, activities, cases and contacts, counts equal to SQL', async () => {
    const summary = async (user: Requester, account: string) => {
      const [{ id }] = await db.query<{ id: string }>('select id::text from public.accounts where name = $1', [
        account,
      ]);
      const r = (await db.rpc(user, 'perform', {
        request_id: randomUUID(),
        channel: 'repl',
        action: 'account.summary',
        payload: { account_id: id, today: TODAY, now: NOW },
      })) as unknown as SummaryResult;
      return { id, r };
    };
    for (const name of ['Acme', 'Globex', 'Hooli']) {
      const { id, r } = await summary(alex, name);
      const [truth] = await asUser<Record<string, number>>(
        alex,
        `with d as (
           select d.*, (select count(distinct p) from (select d.contact_id as p union
                          select a.contact_id from public.activities a where a.deal_id = d.id) x where p is not null) as people
           from public.deals d where d.account_id = $1 and d.stage not in ('closed_won', 'closed_lost'))
         select (select count(*)::int from d) as deals,
                (select count(*)::int from d where $2::date - (greatest(stage_changed_at, coalesce(last_activity_at, stage_changed_at))
                   at time zone 'UTC')::date >= 30) as idle,
                (select count(*)::int from d where close_date < $2::date) as past_close,
                (select count(*)::int from d where people <= 1) as single,
                (select count(*)::int from public.cases where account_id = $1 and status <> 'resolved') as cases,
                (select count(*)::int from public.activities where account_id = $1 and occurred_at <= $3
                   and occurred_at > $3::timestamptz - interval '90 days') as activities_90d,
                (select count(*)::int from public.contacts where account_id = $1 and erased_at is null) as contacts,
                (select count(*)::int from public.tasks where account_id = $1 and status = 'open') as tasks`,
        [id, TODAY, NOW],
      );
      const risk = (k: string) => r.deals.filter((d) => (d.risks as string[]).includes(k)).length;
      expect({
        deals: r.deals.length,
        idle: risk('idle'),
        past_close: risk('past_close_date'),
        single: risk('single_threaded'),
        cases: r.cases.length,
        activities_90d: r.activities_90d,
        contacts: r.contacts_total,
        tasks: r.open_tasks,
      }).toEqual(truth);
      if (name === 'Hooli') expect(r.deals.length).toBeGreaterThan(0); // Priya's account, Alex's team: visible
    }
    const acme = (await summary(alex, 'Acme')).r;
    expect(acme.deals.some((d) => d.next_step)).toBe(true);
    // A deal's own next step (set from chat) comes before its first open task.
    const [deal] = await db.query<{ id: string; name: string }>(
      `update public.deals set next_step = 'security review' where id = (select d.id from public.deals d
         join public.accounts a on a.id = d.account_id where a.name = 'Acme' and d.stage not in ('closed_won', 'closed_lost')
         order by d.name limit 1) returning id::text, name`,
    );
    const stepped = (await summary(alex, 'Acme')).r.deals.find((d) => d.name === deal.name);
    expect(stepped?.next_step).toEqual({ text: 'security review', due_date: null });
    await db.query('update public.deals set next_step = null where id = $1', [deal.id]);
    expect(acme.activities.length).toBeGreaterThan(0);
    // Support sees the account's cases and contacts, and none of its deals (the deals policy).
    const asSupport = (await summary(omar, 'Acme')).r;
    expect(asSupport.deals).toEqual([]);
    expect(asSupport.cases.length).toBe(acme.cases.length);
    // Another team's rep sees none of Acme's deals or activities.
    const asMarco = (await summary(marco, 'Acme')).r;
    expect([asMarco.deals.length, asMarco.activities.length]).toEqual([0, 0]);
    const reply = await createAssistant({ db, parser, now: () => new Date(NOW) }).run(
      { type: 'account.summary', account: 'acme' },
      { requestId: randomUUID(), channel: 'repl', user: alex },
    );
    expect(reply.text).toContain(`Open deals: ${acme.deals.length}`);
    expect(reply.table?.rows.length).toBe(acme.deals.length);
  });
});
