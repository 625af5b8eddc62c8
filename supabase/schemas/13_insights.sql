-- Account insights (`insight.query`) and the account summary (`account.summary`): read-only actions
-- computed from the deals, activities and cases the asker can see. The definitions are written down in
-- the README ("Account insights"); each is one expression below. Everything is computed when asked,
-- as of the asker's today: the functions run as the requester (the policies decide which deals,
-- activities and cases count) and add the role's own scope: a rep's accounts are the ones they own,
-- a manager's those owned by their team, an admin's all of them.
--
--   a renewal           a deal whose name contains "renewal";
--   historic value      the sum of the account's closed-won amounts with a close date up to today;
--   customer years N    least(3, whole years since the account's first win + 1);
--   average annual      the won amount of the last N years (close date after today - N years) / N;
--   segment churn rate  of the account's tier, over the renewals due in the last 2 years (close date
--                       after today - 2 years, up to today): those lost or not won by their close
--                       date / all of them; the whole book's rate when the tier has none due;
--   lifetime L          1 / churn rate, bounded to 1..10 years (10 when nothing churned, 1 when no
--                       renewal was due at all);
--   predicted CLV       average annual * margin * (1 - (1 + d)^-L) / d   (d the discount rate; * L when 0);
--   churn risk          the sum of the points of the signals listed in private.insight_accounts, at most 100;
--   health grade        A below 20 risk, B below 40, C below 60, D below 80, F from 80;
--   RFM segment         recency of the last win, frequency and value of the wins of the last 3 years,
--                       each scored 1-3, named in private.rfm_segment;
--   customer equity     the sum of predicted CLV.

-- Renewals, and the won deals of an account by close date, without reading the rest of the deals.
create index deals_renewal_close_idx on public.deals (close_date) include (account_id, stage)
  where lower(name) like '%renewal%';
create index deals_won_account_idx on public.deals (account_id, close_date) include (amount)
  where stage = 'closed_won';
create index accounts_owner_idx on public.accounts (owner_id);

-- The accounts an insight question covers: a rep's own, a manager's team's, all for an admin. One
-- branch per role, each behind a one-time filter, so that a rep's and a manager's read the owner index.
create function private.insight_scope() returns setof public.accounts language sql stable as $$
  select a.* from public.accounts a where private.has_role('admin')
  union all
  select a.* from public.accounts a where private.has_role('rep') and a.owner_id = auth.uid()
  union all
  select a.* from public.accounts a
  where private.has_role('manager') and a.owner_id in (select u.id from public.users u where u.team = private.my_team())
$$;
revoke execute on function private.insight_scope() from public, anon;
grant execute on function private.insight_scope() to authenticated, crm_writer, service_role;

-- The RFM group of recency, frequency and monetary scores (1-3 each; null for an account that never won).
create function private.rfm_segment(r int, f int, m int) returns text language sql immutable as $$
  select case
    when r is null then 'prospect'
    when r = 3 and f >= 2 and m >= 2 then 'champion'
    when r >= 2 and f >= 2 then 'loyal'
    when r = 3 then 'new'
    when r = 2 then 'needs attention'
    when f >= 2 or m = 3 then 'at risk'
    else 'hibernating' end
$$;
revoke execute on function private.rfm_segment(int, int, int) from public, anon;
grant execute on function private.rfm_segment(int, int, int) to authenticated, crm_writer, service_role;

-- One row per account in scope with every figure of the definitions above. The signals of the churn
-- risk are a jsonb array, biggest first: {signal, points, ...what it saw}.
create function private.insight_accounts(p_as_of date, p_now timestamptz, p_margin numeric, p_discount numeric)
returns table (
  account_id uuid, name text, owner text, tier text, industry text, region text,
  historic_value numeric, first_win date, last_win date, wins_3y int, won_3y numeric, won_12m numeric, won_prev_12m numeric,
  customer_years int, avg_annual numeric, churn_rate numeric, renewals_due int, renewals_churned int, lifetime numeric,
  clv numeric, last_activity date, open_high_cases int, sla_breaches int, lost_renewals int, slipped_renewals int,
  risk int, signals jsonb, grade text, r int, f int, m int, segment text)
language sql stable as $$
  with renewals as materialized (
    select d.account_id, d.stage, d.close_date from public.deals d
    where lower(d.name) like '%renewal%' and d.close_date > (p_as_of - interval '2 years')::date and d.close_date <= p_as_of),
  tier_churn as (
    select a.tier, count(*)::int as due, count(*) filter (where r.stage <> 'closed_won')::int as churned
    from renewals r join public.accounts a on a.id = r.account_id group by a.tier),
  book_churn as (select sum(due)::int as due, sum(churned)::int as churned from tier_churn),
  base as (
    select s.id, s.name, u.name as owner_name, s.tier, s.industry, s.region, fw.*, w.*, v.*, act.last_activity, k.*,
           coalesce(tc.due, bc.due, 0) as seg_due, coalesce(tc.churned, bc.churned, 0) as seg_churned
    from private.insight_scope() s
    left join public.users u on u.id = s.owner_id
    left join tier_churn tc on tc.tier = s.tier
    cross join book_churn bc
    cross join lateral (
      select min(d.close_date) as first_win, least(3, extract(year from age(p_as_of, min(d.close_date)))::int + 1) as n_years
      from public.deals d where d.account_id = s.id and d.stage = 'closed_won' and d.close_date <= p_as_of) fw
    cross join lateral (
      select max(d.close_date) as last_win, coalesce(sum(d.amount), 0) as hv,
             sum(d.amount) filter (where d.close_date > (p_as_of - make_interval(years => fw.n_years))::date) as won_n,
             count(*) filter (where d.close_date > (p_as_of - interval '3 years')::date)::int as wins3,
             coalesce(sum(d.amount) filter (where d.close_date > (p_as_of - interval '3 years')::date), 0) as won3,
             coalesce(sum(d.amount) filter (where d.close_date > (p_as_of - interval '1 year')::date), 0) as won12,
             coalesce(sum(d.amount) filter (where d.close_date > (p_as_of - interval '2 years')::date
                                              and d.close_date <= (p_as_of - interval '1 year')::date), 0) as prev12
      from public.deals d where d.account_id = s.id and d.stage = 'closed_won' and d.close_date <= p_as_of) w
    cross join lateral (
      select count(*) filter (where r.stage = 'closed_lost')::int as lost,
             count(*) filter (where r.stage not in ('closed_won', 'closed_lost') and r.close_date < p_as_of)::int as slipped
      from renewals r where r.account_id = s.id) v
    cross join lateral (
      select (max(t.occurred_at) at time zone 'UTC')::date as last_activity from public.activities t
      where t.account_id = s.id and t.occurred_at < (p_as_of + 1)::timestamp at time zone 'UTC') act
    cross join lateral (
      select count(*) filter (where c.severity in ('high', 'urgent'))::int as high_cases,
             count(*) filter (where c.resolution_due < p_now
                                 or (c.first_response_at is null and c.first_response_due < p_now))::int as breaches
      from public.cases c where c.account_id = s.id and c.status <> 'resolved' and c.created_at <= p_now) k),
  lived as (
    select b.*, coalesce(round(b.won_n / b.n_years, 2), 0) as annual,
           case when b.seg_due > 0 then round(b.seg_churned::numeric / b.seg_due, 4) end as rate,
           case when b.seg_due = 0 then 1 when b.seg_churned = 0 then 10
                else least(10, greatest(1, b.seg_due::numeric / b.seg_churned)) end as life
    from base b),
  scored as (
    select l.*, g.sigs,
      least(100, (select coalesce(sum((e ->> 'points')::int), 0) from jsonb_array_elements(g.sigs) e))::int as score,
      case when l.last_win is null then null when p_as_of - l.last_win <= 90 then 3 when p_as_of - l.last_win <= 365 then 2 else 1 end as rs,
      case when l.last_win is null then null when l.wins3 >= 3 then 3 when l.wins3 = 2 then 2 else 1 end as fs,
      case when l.last_win is null then null when l.won3 >= 250000 then 3 when l.won3 >= 50000 then 2 else 1 end as ms
    from lived l cross join lateral (
      select coalesce(jsonb_agg(x.sig order by (x.sig ->> 'points')::int desc, x.sig ->> 'signal'), '[]') as sigs
      from (values
        (case when l.lost > 0 then jsonb_build_object('signal', 'lost_renewal', 'points', 30, 'count', l.lost) end),
        (case when l.slipped > 0 then jsonb_build_object('signal', 'slipped_renewal', 'points', 20, 'count', l.slipped) end),
        (case when l.last_activity is null then jsonb_build_object('signal', 'no_activity', 'points', 25)
              when p_as_of - l.last_activity > 90 then jsonb_build_object('signal', 'idle', 'points', 20, 'days', p_as_of - l.last_activity)
              when p_as_of - l.last_activity > 30 then jsonb_build_object('signal', 'idle', 'points', 10, 'days', p_as_of - l.last_activity) end),
        (case when l.high_cases > 0 then jsonb_build_object('signal', 'high_cases', 'points', least(20, 10 * l.high_cases), 'count', l.high_cases) end),
        (case when l.breaches > 0 then jsonb_build_object('signal', 'sla_breaches', 'points', least(20, 10 * l.breaches), 'count', l.breaches) end),
        (case when l.prev12 > 0 and l.won12 = 0 then jsonb_build_object('signal', 'no_recent_wins', 'points', 25, 'before', l.prev12)
              when l.won12 < l.prev12 then jsonb_build_object('signal', 'falling_revenue', 'points', 15, 'before', l.prev12, 'now', l.won12) end)
      ) x(sig) where x.sig is not null) g)
  select s.id, s.name, s.owner_name, s.tier::text, s.industry, s.region,
         s.hv, s.first_win, s.last_win, s.wins3, s.won3, s.won12, s.prev12,
         case when s.first_win is not null then s.n_years end, s.annual, s.rate, s.seg_due, s.seg_churned, round(s.life, 2),
         round(s.annual * p_margin * case when p_discount = 0 then s.life
                                          else (1 - power(1 + p_discount, -s.life)) / p_discount end, 2),
         s.last_activity, s.high_cases, s.breaches, s.lost, s.slipped,
         s.score, s.sigs,
         case when s.score < 20 then 'A' when s.score < 40 then 'B' when s.score < 60 then 'C' when s.score < 80 then 'D' else 'F' end,
         s.rs, s.fs, s.ms, private.rfm_segment(s.rs, s.fs, s.ms)
  from scored s
$$;
revoke execute on function private.insight_accounts(date, timestamptz, numeric, numeric) from public, anon;
grant execute on function private.insight_accounts(date, timestamptz, numeric, numeric) to authenticated, crm_writer, service_role;

-- insight.query: the figures of one account, the top accounts by the metric asked about, or the
-- accounts grouped (by RFM segment, tier, industry, region or owner), with the summary of the scope.
create function private.act_insight_query(payload jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_metric text := payload ->> 'metric';
  v_group text := payload ->> 'group_by';
  v_account uuid := (payload ->> 'account_id')::uuid;
  v_limit int := least(greatest(coalesce((payload ->> 'limit')::int, 10), 1), 100);
  v_as_of date := coalesce((payload ->> 'today')::date, current_date);
  v_now timestamptz := coalesce((payload ->> 'now')::timestamptz, now());
  v_margin numeric := coalesce((payload ->> 'margin')::numeric, 1);
  v_discount numeric := coalesce((payload ->> 'discount_rate')::numeric, 0.10);
  v_owner text;
  v_result jsonb;
begin
  if v_metric is null or v_metric not in ('clv', 'churn_risk', 'health', 'segments', 'equity') then
    raise exception 'I can answer about lifetime value, churn risk, health, segments and customer equity.';
  end if;
  if v_group is not null and v_group not in ('segment', 'tier', 'industry', 'region', 'owner') then
    raise exception 'I can group accounts by segment, tier, industry, region or owner.';
  end if;
  if v_margin <= 0 or v_margin > 1 or v_discount < 0 or v_discount >= 1 then
    raise exception 'The margin must be above 0 and at most 1, and the discount rate at least 0 and below 1.';
  end if;
  if v_account is not null and not exists (select 1 from private.insight_scope() s where s.id = v_account) then
    select u.name into v_owner from public.accounts a left join public.users u on u.id = a.owner_id where a.id = v_account;
    raise exception '% is not one of %, so I don''t have insights on it for you%.', payload ->> 'account_name',
      case when private.has_role('manager') then 'your team''s accounts' else 'your accounts' end,
      coalesce(' (its owner is ' || v_owner || ')', '');
  end if;
  if v_group is null and v_account is null and v_metric in ('segments', 'equity') then v_group := 'segment'; end if;

  with a as materialized (select * from private.insight_accounts(v_as_of, v_now, v_margin, v_discount)),
  g as (
    select case v_group when 'segment' then a.segment when 'tier' then a.tier when 'industry' then coalesce(a.industry, '(none)')
                        when 'region' then a.region when 'owner' then coalesce(a.owner, '(no owner)') end as key, a.*
    from a where v_group is not null)
  select jsonb_build_object(
    'summary', (select jsonb_build_object(
        'accounts', count(*), 'historic_value', coalesce(sum(a.historic_value), 0), 'equity', coalesce(sum(a.clv), 0),
        'avg_risk', coalesce(round(avg(a.risk)), 0), 'at_risk', count(*) filter (where a.risk >= 60),
        'customers', count(*) filter (where a.first_win is not null)) from a),
    'grades', (select coalesce(jsonb_object_agg(x.grade, x.n), '{}') from (select a.grade, count(*) as n from a group by 1) x),
    'segments', (select coalesce(jsonb_object_agg(x.segment, x.n), '{}') from (select a.segment, count(*) as n from a group by 1) x),
    'churn_rates', (select coalesce(jsonb_agg(x order by x.tier), '[]') from (
        select distinct a.tier, a.renewals_due as due, a.renewals_churned as churned, a.churn_rate as rate, a.lifetime from a) x),
    'account', (select to_jsonb(a) from a where a.account_id = v_account),
    'rows', case when v_account is null and v_group is null then (
        select coalesce(jsonb_agg(to_jsonb(t) order by t.n), '[]') from (
          select a.*, row_number() over (order by case when v_metric in ('churn_risk', 'health') then a.risk end desc nulls last,
                                                  a.clv desc, a.name) as n
          from a where v_metric not in ('churn_risk', 'health') or a.risk > 0) t where t.n <= v_limit) end,
    'groups', case when v_group is not null then (
        select coalesce(jsonb_agg(to_jsonb(x) order by x.equity desc, x.key), '[]') from (
          select g.key, count(*) as accounts, sum(g.historic_value) as historic_value, sum(g.clv) as equity,
                 round(avg(g.risk)) as avg_risk, count(*) filter (where g.risk >= 60) as at_risk,
                 (select jsonb_object_agg(y.grade, y.n) from (select h.grade, count(*) as n from g h where h.key = g.key group by 1) y) as grades,
                 (select jsonb_object_agg(y.segment, y.n) from (select h.segment, count(*) as n from g h where h.key = g.key group by 1) y) as segments
          from g group by g.key) x) end)
  into v_result;

  return v_result || jsonb_build_object(
    'target_type', 'insights', 'target_id', v_account, 'metric', v_metric, 'group_by', v_group, 'limit', v_limit,
    'as_of', v_as_of, 'margin', v_margin, 'discount_rate', v_discount,
    'viewer', jsonb_build_object('role', auth.jwt() ->> 'crm_role', 'team', auth.jwt() ->> 'team'),
    'account_name', payload ->> 'account_name');
end $$;
alter function private.act_insight_query(jsonb) owner to crm_writer;
revoke execute on function private.act_insight_query(jsonb) from public, anon, authenticated;
grant execute on function private.act_insight_query(jsonb) to service_role;

insert into private.capabilities (role, action)
values ('rep', 'insight.query'), ('manager', 'insight.query'), ('admin', 'insight.query');

-- account.summary ("what's the latest on Acme"): the account, its open deals with their next step (the
-- deal's own, else the first open task on it) and risks, its last activities, open cases and key contacts, as the
-- policies show them. A deal's risks: idle (no stage change or activity for 30+ days), past its close
-- date, single-threaded (its contact and the people in its activities are one person or none).
create function private.act_account_summary(payload jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_account uuid := (payload ->> 'account_id')::uuid;
  v_today date := coalesce((payload ->> 'today')::date, current_date);
  v_now timestamptz := coalesce((payload ->> 'now')::timestamptz, now());
  v_result jsonb;
begin
  if not exists (select 1 from public.accounts where id = v_account) then
    raise exception 'I can''t find that account any more.';
  end if;
  with deals as (
    select d.id, d.name, d.stage, d.amount, d.close_date, u.name as owner,
           v_today - (greatest(d.stage_changed_at, coalesce(d.last_activity_at, d.stage_changed_at)) at time zone 'UTC')::date as idle_days,
           coalesce(case when d.next_step is not null then jsonb_build_object('text', d.next_step, 'due_date', null) end,
             (select jsonb_build_object('text', t.text, 'due_date', t.due_date) from public.tasks t
              where t.deal_id = d.id and t.status = 'open' order by t.due_date nulls last, t.created_at limit 1)) as next_step,
           (select count(distinct p.contact_id) from (
              select d.contact_id union select a.contact_id from public.activities a where a.deal_id = d.id) p
            where p.contact_id is not null) as people
    from public.deals d left join public.users u on u.id = d.owner_id
    where d.account_id = v_account and d.stage not in ('closed_won', 'closed_lost')),
  risky as (
    select d.*, array_remove(array[
             case when d.idle_days >= 30 then 'idle' end,
             case when d.close_date < v_today then 'past_close_date' end,
             case when d.people <= 1 then 'single_threaded' end], null) as risks
    from deals d)
  select jsonb_build_object(
    'account', (select jsonb_build_object('id', a.id, 'name', a.name, 'tier', a.tier, 'industry', a.industry,
                                          'region', a.region, 'owner', u.name)
                from public.accounts a left join public.users u on u.id = a.owner_id where a.id = v_account),
    'deals', (select coalesce(jsonb_agg(jsonb_build_object('name', r.name, 'stage', r.stage, 'amount', r.amount,
                'close_date', r.close_date, 'owner', r.owner, 'idle_days', r.idle_days, 'next_step', r.next_step,
                'people', r.people, 'risks', to_jsonb(r.risks)) order by r.close_date, r.name), '[]') from risky r),
    'activities', (select coalesce(jsonb_agg(x.j order by x.occurred_at desc), '[]') from (
        select jsonb_build_object('kind', t.kind, 'summary', t.summary, 'occurred_at', t.occurred_at, 'by', u.name,
                                  'contact', c.name) as j, t.occurred_at
        from public.activities t join public.users u on u.id = t.owner_id left join public.contacts c on c.id = t.contact_id
        where t.account_id = v_account and t.occurred_at <= v_now
        order by t.occurred_at desc limit 5) x),
    'activities_90d', (select count(*) from public.activities t
                       where t.account_id = v_account and t.occurred_at <= v_now and t.occurred_at > v_now - interval '90 days'),
    'cases', (select coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'summary', k.summary, 'severity', k.severity,
                'status', k.status, 'breached', k.resolution_due < v_now or (k.first_response_at is null and k.first_response_due < v_now))
                order by k.severity desc, k.created_at), '[]')
              from public.cases k where k.account_id = v_account and k.status <> 'resolved'),
    -- Key contacts: the five most in touch over the last 180 days.
    'contacts', (select coalesce(jsonb_agg(x.j order by x.n desc, x.last desc nulls last, x.name), '[]') from (
        select private.contact_card(c) || jsonb_build_object('activities', n.n, 'last', n.last) as j, n.n, n.last, c.name
        from public.contacts c
        cross join lateral (select count(*) as n, max(t.occurred_at) as last from public.activities t
                            where t.contact_id = c.id and t.occurred_at <= v_now and t.occurred_at > v_now - interval '180 days') n
        where c.account_id = v_account and c.erased_at is null
        order by n.n desc, n.last desc nulls last, c.name limit 5) x),
    'contacts_total', (select count(*) from public.contacts c where c.account_id = v_account and c.erased_at is null),
    'open_tasks', (select count(*) from public.tasks t where t.account_id = v_account and t.status = 'open'))
  into v_result;
  return v_result || jsonb_build_object('target_type', 'account', 'target_id', v_account, 'today', v_today);
end $$;
alter function private.act_account_summary(jsonb) owner to crm_writer;
revoke execute on function private.act_account_summary(jsonb) from public, anon, authenticated;
grant execute on function private.act_account_summary(jsonb) to service_role;

insert into private.capabilities (role, action)
values ('rep', 'account.summary'), ('manager', 'account.summary'), ('support', 'account.summary'), ('admin', 'account.summary');
