import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistant, type Assistant } from '../src/core/assistant.ts';
import type { Reply } from '../src/core/types.ts';
import type { Requester } from '../src/db/port.ts';
import { formatMoney } from '../src/format/labels.ts';
import { freshDb, TARGETS, TODAY, userNamed, type TestDb } from './support/db.ts';

/** A deal as the superuser reads it (no row-level security), for computing the answers independently. */
interface Deal {
  id: string;
  name: string;
  owner_id: string;
  team: string;
  region: string;
  stage: string;
  account_id: string;
  amount: number;
  close_date: string;
  changed_ms: number;
  activity_ms: number | null;
}

const CLOSED = new Set(['closed_won', 'closed_lost']);
const Q4 = { from: '2026-10-01', to: '2026-12-31' };
const Q3 = { from: '2026-07-01', to: '2026-09-30' };
const money = (n: number) => formatMoney(n);
const deals = (n: number, kind = 'open') => `${n.toLocaleString('en-US')} ${kind} deal${n === 1 ? '' : 's'}`;
const DAY = 86_400_000;

describe.each(TARGETS)('pipeline.query on %s', (target) => {
  let db: TestDb;
  let assistant: Assistant;
  let all: Deal[];
  /** Probability of each stage in thousandths, so the weighted sums are exact integers (of cents). */
  let permille: Map<string, number>;
  let alex: Requester, marta: Requester, marco: Requester, jordan: Requester, priya: Requester;

  beforeAll(async () => {
    db = await freshDb(target);
    assistant = createAssistant({
      db,
      parser: { name: 'test', parse: async () => ({ type: 'help' }) },
      now: () => new Date(`${TODAY}T12:00:00Z`),
    });
    [alex, marta, marco, jordan, priya] = await Promise.all(
      ['Alex Morgan', 'Marta Schulz', 'Marco Rossi', 'Jordan Lee', 'Priya Shah'].map((n) => userNamed(db, n)),
    );
    const rows = await db.query<Record<string, string | null>>(`
      select id::text, name, owner_id::text, team, region, stage::text, account_id::text, amount::text, close_date::text,
             (extract(epoch from stage_changed_at) * 1000)::text as changed_ms,
             (extract(epoch from last_activity_at) * 1000)::text as activity_ms
      from public.deals`);
    all = rows.map((r) => ({
      ...(r as unknown as Deal),
      amount: Number(r.amount),
      changed_ms: Number(r.changed_ms),
      activity_ms: r.activity_ms === null ? null : Number(r.activity_ms),
    }));
    const stages = await db.query<{ stage: string; p: string }>(
      'select stage::text, (probability * 1000)::int::text as p from public.stages',
    );
    permille = new Map(stages.map((s) => [s.stage, Number(s.p)]));
  });
  afterAll(async () => db?.close());

  const ask = (user: Requester, q: Record<string, unknown>): Promise<Reply> =>
    assistant.run({ type: 'pipeline.query', ...q }, { requestId: randomUUID(), channel: 'repl', user });

  const inPeriod = (d: Deal, p: { from?: string; to?: string }) =>
    (!p.from || d.close_date >= p.from) && (!p.to || d.close_date <= p.to);
  const open = (d: Deal) => !CLOSED.has(d.stage);
  const sum = (ds: Deal[]) => ds.reduce((t, d) => t + d.amount, 0);
  const weighted = (ds: Deal[]) => ds.reduce((t, d) => t + d.amount * 100 * permille.get(d.stage)!, 0) / 100_000;
  /** The order every deal table uses: biggest first, then soonest, then id. */
  const ranked = (ds: Deal[]) =>
    [...ds].sort((a, b) => b.amount - a.amount || a.close_date.localeCompare(b.close_date) || a.id.localeCompare(b.id));
  const nameOf = async (id: string) =>
    (await db.query<{ name: string }>('select name from public.users where id = $1', [id]))[0].name;

  it("a rep's pipeline is their own open deals, any close date", async () => {
    const mine = all.filter((d) => d.owner_id === alex.id && open(d));
    expect(mine.length).toBeGreaterThan(5);
    const r = await ask(alex, { metric: 'total' });
    expect(r.kind).toBe('answer');
    expect(r.sensitive).toBe(true);
    expect(r.text.split('\n')[0]).toBe(`Your pipeline, any close date: ${money(sum(mine))} in ${deals(mine.length)}.`);
  });

  it("lists a rep's deals closing this quarter, biggest first, with the rest counted", async () => {
    const mine = ranked(all.filter((d) => d.owner_id === alex.id && open(d) && inPeriod(d, Q4)));
    const r = await ask(alex, { metric: 'list', owner: 'me', ...Q4, limit: 3 });
    expect(r.text.split('\n')[0]).toBe(`Your pipeline, Q4 2026: ${deals(mine.length)} worth ${money(sum(mine))}.`);
    expect(r.table!.columns).toEqual(['Deal', 'Stage', 'Amount', 'Close date']);
    expect(r.table!.rows).toEqual(
      mine.slice(0, 3).map((d) => [d.name, d.stage.replace('_', ' '), money(d.amount), d.close_date]),
    );
    expect(r.table!.more).toBe(mine.length - 3);
  });

  it("counts a team's deals in one stage and region, whatever case the region is typed in", async () => {
    const hits = all.filter((d) => d.team === 'Growth West' && d.stage === 'proposal' && d.region === 'West');
    expect(hits.length).toBeGreaterThan(0);
    const r = await ask(alex, { metric: 'count', team: 'mine', stage: 'proposal', region: 'wEsT' });
    expect(r.text).toBe(
      `Your team (Growth West), any close date: ${deals(hits.length, 'proposal')} worth ${money(sum(hits))}.\nFilters: stage proposal · region West.`,
    );
  });

  it('applies an amount range and a close-date window together', async () => {
    const hits = all.filter(
      (d) =>
        d.team === 'Growth West' &&
        open(d) &&
        inPeriod(d, { from: '2026-09-15', to: '2027-02-10' }) &&
        d.amount >= 20_000 &&
        d.amount <= 150_000,
    );
    expect(hits.length).toBeGreaterThan(0);
    const r = await ask(marta, {
      metric: 'total',
      from: '2026-09-15',
      to: '2027-02-10',
      minAmount: 20_000,
      maxAmount: 150_000,
    });
    expect(r.text).toBe(
      `Your team (Growth West), Sep 15, 2026 – Feb 10, 2027: ${money(sum(hits))} in ${deals(hits.length)}.\n` +
        'Filters: amount $20,000–$150,000.',
    );
  });

  it('includes the deals on both ends of the window and of the amount range', async () => {
    const team = ranked(all.filter((d) => d.team === 'Growth West' && open(d) && inPeriod(d, Q4)));
    const [big, small] = [team[1], team[team.length - 2]];
    const [from, to] = [big.close_date, small.close_date].sort();
    const window = { from, to, minAmount: small.amount, maxAmount: big.amount };
    const hits = team.filter((d) => inPeriod(d, window) && d.amount >= small.amount && d.amount <= big.amount);
    expect(hits).toContain(big);
    expect(hits).toContain(small);
    const r = await ask(marta, { metric: 'count', ...window });
    expect(r.text.split('\n')[0]).toMatch(
      new RegExp(`: ${deals(hits.length)} worth ${money(sum(hits)).replace('$', '\\$')}\\.$`),
    );
  });

  it("a manager's forecast is their team's, weighted by stage probability, with a funnel table and chart", async () => {
    const hits = all.filter((d) => d.team === 'Growth West' && open(d) && inPeriod(d, Q4));
    const r = await ask(marta, { metric: 'forecast', ...Q4 });
    expect(r.text.split('\n')[0]).toBe(
      `Your team (Growth West), Q4 2026: weighted forecast ${money(weighted(hits))} from ${money(sum(hits))} in ${deals(hits.length)}.`,
    );
    const byStage = ['prospecting', 'qualification', 'discovery', 'proposal', 'negotiation']
      .map((s) => hits.filter((d) => d.stage === s))
      .filter((ds) => ds.length);
    expect(r.table!.rows).toEqual(byStage.map((ds) => [ds[0].stage, ds.length, money(sum(ds)), money(weighted(ds))]));
    expect(r.files?.map((f) => f.name)).toEqual(['forecast-by-stage.png']);
  });

  it('groups the forecast by month and attaches a readable PNG', async () => {
    const hits = all.filter((d) => d.team === 'Growth West' && open(d) && inPeriod(d, Q4));
    const r = await ask(marta, { metric: 'forecast', team: 'mine', groupBy: 'month', ...Q4 });
    const months = [
      ['2026-10', 'Oct 2026'],
      ['2026-11', 'Nov 2026'],
      ['2026-12', 'Dec 2026'],
    ]
      .map(([m, label]) => [label, hits.filter((d) => d.close_date.startsWith(m))] as const)
      .filter(([, ds]) => ds.length);
    expect(r.table!.columns).toEqual(['Month', 'Deals', 'Pipeline', 'Weighted']);
    expect(r.table!.rows).toEqual(months.map(([label, ds]) => [label, ds.length, money(sum(ds)), money(weighted(ds))]));
    const [png] = r.files!;
    expect(png).toMatchObject({ name: 'forecast-by-month.png', mime: 'image/png' });
    expect([...png.data.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const header = Buffer.from(png.data.subarray(12, 24));
    expect(header.toString('latin1', 0, 4)).toBe('IHDR');
    const [width, height] = [header.readUInt32BE(4), header.readUInt32BE(8)];
    expect(width).toBeGreaterThanOrEqual(600);
    expect(width).toBeLessThanOrEqual(2400);
    expect(height).toBeGreaterThanOrEqual(400);
    expect(height).toBeLessThanOrEqual(2000);
    expect(png.data.length).toBeGreaterThan(10_000);
    expect(png.data.length).toBeLessThan(1_000_000);
  });

  it('win rate counts won and lost deals closed in the period, per owner', async () => {
    const closed = all.filter((d) => d.team === 'Growth West' && CLOSED.has(d.stage) && inPeriod(d, Q3));
    const won = closed.filter((d) => d.stage === 'closed_won');
    expect(won.length).toBeGreaterThan(0);
    expect(closed.length).toBeGreaterThan(won.length);
    const rate = (w: number, n: number) => `${(Math.round((w / n) * 1000) / 10).toLocaleString('en-US')}%`;
    const r = await ask(marta, { metric: 'win_rate', groupBy: 'owner', ...Q3 });
    expect(r.text.split('\n')[0]).toBe(
      `Your team (Growth West), Q3 2026: win rate ${rate(won.length, closed.length)} ` +
        `(${won.length} won, ${closed.length - won.length} lost; ${money(sum(won))} won).`,
    );
    const owners = [...new Set(closed.map((d) => d.owner_id))]
      .map((id) => closed.filter((d) => d.owner_id === id))
      .sort((a, b) => sum(b) - sum(a) || a[0].owner_id.localeCompare(b[0].owner_id));
    const expected = await Promise.all(
      owners.map(async (ds) => {
        const w = ds.filter((d) => d.stage === 'closed_won').length;
        return [await nameOf(ds[0].owner_id), w, ds.length - w, rate(w, ds.length)];
      }),
    );
    expect(r.table!.rows).toEqual(expected);
    expect(r.files?.[0].name).toBe('win-rate-by-owner.png');
  });

  it('stuck deals: open, no stage change and no activity for N days (30 by default)', async () => {
    for (const days of [undefined, 60]) {
      const cutoff = Date.parse(`${TODAY}T00:00:00Z`) - (days ?? 30) * DAY;
      const stuck = ranked(
        all.filter(
          (d) =>
            d.team === 'Growth West' &&
            open(d) &&
            d.changed_ms < cutoff &&
            (d.activity_ms === null || d.activity_ms < cutoff),
        ),
      );
      expect(stuck.length).toBeGreaterThan(10);
      const r = await ask(marta, { metric: 'stuck', staleDays: days });
      expect(r.text).toBe(
        `Your team (Growth West), any close date: ${stuck.length} stuck deals worth ${money(sum(stuck))}.\n` +
          `Filters: no stage change and no activity for ${days ?? 30}+ days.`,
      );
      expect(r.table!.rows.map((row) => row[0])).toEqual(stuck.slice(0, 10).map((d) => d.name));
      expect(r.table!.more).toBe(stuck.length - 10);
    }
  });

  it('"how much did we close": a closed stage counts only when asked for, here for a named colleague', async () => {
    const hits = all.filter((d) => d.owner_id === priya.id && d.stage === 'closed_won' && inPeriod(d, Q3));
    expect(hits.length).toBeGreaterThan(0);
    const r = await ask(alex, { metric: 'total', owner: 'priya', stage: 'closed_won', ...Q3 });
    expect(r.text).toBe(
      `Priya Shah's deals, Q3 2026: ${money(sum(hits))} in ${deals(hits.length, 'closed won')}.\nFilters: stage closed won.`,
    );
  });

  it('an admin sees the company, grouped by region', async () => {
    const hits = all.filter((d) => open(d) && inPeriod(d, Q4));
    const r = await ask(jordan, { metric: 'total', groupBy: 'region', ...Q4 });
    expect(r.text.split('\n')[0]).toBe(`The company, Q4 2026: ${money(sum(hits))} in ${deals(hits.length)}.`);
    const regions = [...new Set(hits.map((d) => d.region))]
      .map((reg) => hits.filter((d) => d.region === reg))
      .sort((a, b) => sum(b) - sum(a) || a[0].region.localeCompare(b[0].region));
    expect(r.table!.rows).toEqual(regions.map((ds) => [ds[0].region, ds.length, money(sum(ds))]));
    expect(regions.length).toBe(4);
  });

  it('top deals of an account the user names', async () => {
    const [acme] = await db.query<{ id: string }>(`select id::text from public.accounts where name = 'Acme'`);
    const hits = ranked(all.filter((d) => d.account_id === acme.id && open(d) && d.team === 'Growth West'));
    expect(hits.length).toBeGreaterThan(0);
    const r = await ask(alex, { metric: 'top', account: 'acme' });
    expect(r.text.split('\n')[0]).toBe(
      `Acme, any close date: the top ${Math.min(10, hits.length)} of ${deals(hits.length)} (${money(sum(hits))} in all).`,
    );
    expect(r.table!.rows.map((row) => row[0])).toEqual(hits.slice(0, 10).map((d) => d.name));
  });

  it("a rep asking for another team's deals gets none of them, and is told why", async () => {
    const emea = all.filter((d) => d.team === 'Enterprise EMEA' && open(d));
    expect(emea.length).toBeGreaterThan(0);
    const r = await ask(alex, { metric: 'total', team: 'emea' });
    expect(r.text).toBe(
      "Enterprise EMEA, any close date: $0 in 0 open deals.\nYou can only see Growth West's deals, so none of Enterprise EMEA's are included.",
    );
    const byName = await ask(alex, { metric: 'list', owner: 'Marco Rossi' });
    expect(byName.text).toContain("You can only see Growth West's deals, so none of Marco Rossi's are included.");
    expect(byName.table).toBeUndefined();
    // The same question from inside that team does see them.
    const own = all.filter((d) => d.team === 'Enterprise EMEA' && open(d) && d.owner_id === marco.id);
    expect((await ask(marco, { metric: 'total' })).text).toBe(
      `Your pipeline, any close date: ${money(sum(own))} in ${deals(own.length)}.`,
    );
  });

  it('company-wide numbers need a manager or admin; a manager still sees only their team', async () => {
    const refused = await ask(alex, { metric: 'total', team: 'the company' });
    expect(refused.kind).toBe('refusal');
    expect(refused.text).toMatch(/needs a manager or admin/);
    const team = all.filter((d) => d.team === 'Growth West' && open(d));
    const r = await ask(marta, { metric: 'count', team: 'company' });
    expect(r.text).toBe(
      `The company, any close date: ${deals(team.length)} worth ${money(sum(team))}.\n` +
        "You can only see Growth West's deals, so this covers Growth West only.",
    );
  });

  it('asks back for a team or colleague it cannot place, and runs nothing', async () => {
    expect(await ask(marta, { metric: 'total', team: 'Narnia' })).toMatchObject({
      kind: 'question',
      text: expect.stringMatching(/don't know a team called "Narnia"/),
    });
    expect(await ask(marta, { metric: 'total', owner: 'Zebulon Quux' })).toMatchObject({ kind: 'question' });
  });
});
