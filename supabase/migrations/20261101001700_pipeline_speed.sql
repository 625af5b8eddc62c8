-- Pipeline answers at a million deals. Totals, counts, forecasts and win rates add up thousands of
-- deals, which no index makes fast enough company-wide, so they are read from two small running-total
-- tables kept exact by triggers on deals, in the same transaction as every deal write:
--   deal_totals       every deal by (team, owner, stage, region, close date): count and amount;
--   deal_idle_totals  open deals by (team, owner, stage, region, UTC day of last stage change or
--                     activity): answers "stuck for N days" without reading the deals.
-- They carry the deals' own team column and the same read policy, so a rep or manager adds up only
-- their team's deals, as when reading public.deals. Deal tables (the top rows) come from the deals,
-- through indexes in amount order. Questions the totals cannot answer (amount or account filters,
-- stuck deals in a close-date period) add up the deals as before.

create table public.deal_totals (
  team text,
  owner_id uuid not null,
  stage public.deal_stage not null,
  region text,
  close_date date not null,
  deals bigint not null,
  amount numeric not null,
  constraint deal_totals_key unique nulls not distinct (team, owner_id, stage, region, close_date)
);
create table public.deal_idle_totals (
  team text,
  owner_id uuid not null,
  stage public.deal_stage not null,
  region text,
  idle_date date not null,
  deals bigint not null,
  amount numeric not null,
  constraint deal_idle_totals_key unique nulls not distinct (team, owner_id, stage, region, idle_date)
);

alter table public.deal_totals enable row level security;
alter table public.deal_idle_totals enable row level security;
-- Read-only to users (only the triggers below write them); the deals_read policy, word for word.
revoke all on public.deal_totals, public.deal_idle_totals from public, anon, authenticated;
grant select on public.deal_totals, public.deal_idle_totals to authenticated, service_role;
create policy deal_totals_read on public.deal_totals for select to authenticated using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));
create policy deal_idle_totals_read on public.deal_idle_totals for select to authenticated using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));

-- Adds the rows a statement wrote and subtracts the rows it replaced or deleted. Each key is
-- updated in place (insert ... on conflict), which locks its row until commit, so concurrent writers
-- queue on the keys they share and every increment lands; keys are taken in sorted order, so two
-- statements moving deals in opposite directions cannot deadlock on them. A key whose deals all left
-- keeps a zero row; readers skip zero groups.
create function private.deal_totals_add(added public.deals[], removed public.deals[]) returns void
language plpgsql security definer set search_path = public as $$
begin
  insert into public.deal_totals as t (team, owner_id, stage, region, close_date, deals, amount)
  select team, owner_id, stage, region, close_date, sum(n), sum(amount)
  from (select d.team, d.owner_id, d.stage, d.region, d.close_date, d.amount, 1 as n from unnest(added) d
        union all
        select d.team, d.owner_id, d.stage, d.region, d.close_date, -d.amount, -1 from unnest(removed) d) delta
  group by 1, 2, 3, 4, 5 having sum(n) <> 0 or sum(amount) <> 0 order by 1, 2, 3, 4, 5
  on conflict on constraint deal_totals_key
    do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount;

  insert into public.deal_idle_totals as t (team, owner_id, stage, region, idle_date, deals, amount)
  select team, owner_id, stage, region, idle_date, sum(n), sum(amount)
  from (select d.team, d.owner_id, d.stage, d.region, d.amount, 1 as n,
               (greatest(d.stage_changed_at, d.last_activity_at) at time zone 'UTC')::date as idle_date
        from unnest(added) d where d.stage not in ('closed_won', 'closed_lost')
        union all
        select d.team, d.owner_id, d.stage, d.region, -d.amount, -1,
               (greatest(d.stage_changed_at, d.last_activity_at) at time zone 'UTC')::date
        from unnest(removed) d where d.stage not in ('closed_won', 'closed_lost')) delta
  group by 1, 2, 3, 4, 5 having sum(n) <> 0 or sum(amount) <> 0 order by 1, 2, 3, 4, 5
  on conflict on constraint deal_idle_totals_key
    do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount;
end $$;

create function private.deal_totals_track() returns trigger language plpgsql security definer set search_path = public as $$
begin
  -- Only the transition tables of the firing event exist, so each event names its own.
  if tg_op = 'INSERT' then
    perform private.deal_totals_add(array(select n::public.deals from new_rows n), null);
  elsif tg_op = 'UPDATE' then
    perform private.deal_totals_add(array(select n::public.deals from new_rows n), array(select o::public.deals from old_rows o));
  elsif tg_op = 'DELETE' then
    perform private.deal_totals_add(null, array(select o::public.deals from old_rows o));
  else
    delete from public.deal_totals;
    delete from public.deal_idle_totals;
  end if;
  return null;
end $$;
revoke execute on function private.deal_totals_add(public.deals[], public.deals[]), private.deal_totals_track()
  from public, anon, authenticated;

lock table public.deals in share row exclusive mode;
create trigger deal_totals_insert after insert on public.deals referencing new table as new_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_update after update on public.deals referencing old table as old_rows new table as new_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_delete after delete on public.deals referencing old table as old_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_truncate after truncate on public.deals
  for each statement execute function private.deal_totals_track();

insert into public.deal_totals (team, owner_id, stage, region, close_date, deals, amount)
select team, owner_id, stage, region, close_date, count(*), sum(amount)
from public.deals group by 1, 2, 3, 4, 5;
insert into public.deal_idle_totals (team, owner_id, stage, region, idle_date, deals, amount)
select team, owner_id, stage, region, (greatest(stage_changed_at, last_activity_at) at time zone 'UTC')::date, count(*), sum(amount)
from public.deals where stage not in ('closed_won', 'closed_lost') group by 1, 2, 3, 4, 5;
analyze public.deal_totals;
analyze public.deal_idle_totals;

-- Deals in amount order, biggest first: a deal table reads its top rows off these, and questions
-- with an amount range (which the totals cannot apply) add up the deals from them without the table.
create index if not exists deals_open_team_amount_idx on public.deals (team, amount desc, close_date, id)
  include (stage, owner_id, region) where stage not in ('closed_won', 'closed_lost');
create index if not exists deals_open_amount_idx on public.deals (amount desc, close_date, id)
  include (stage, owner_id, team, region) where stage not in ('closed_won', 'closed_lost');
-- Stage and amount comparisons are not leakproof, so under the deals policies they cannot be index
-- conditions; partial indexes (whose predicates the planner matches anyway) serve the closed stages.
create index if not exists deals_won_amount_idx on public.deals (amount desc, close_date, id)
  include (owner_id, team, region) where stage = 'closed_won';
create index if not exists deals_lost_amount_idx on public.deals (amount desc, close_date, id)
  include (owner_id, team, region) where stage = 'closed_lost';

create or replace function private.act_pipeline_query(payload jsonb) returns jsonb language plpgsql stable as $$
declare
  v_metric text := payload ->> 'metric';
  v_group text := payload ->> 'group_by';
  v_owner uuid := (payload ->> 'owner_id')::uuid;
  v_team text := payload ->> 'team';
  v_stage public.deal_stage := (payload ->> 'stage')::public.deal_stage;
  v_region text := payload ->> 'region';
  v_account uuid := (payload ->> 'account_id')::uuid;
  v_from_date date := (payload ->> 'from')::date;
  v_to date := (payload ->> 'to')::date;
  v_min numeric := (payload ->> 'min_amount')::numeric;
  v_max numeric := (payload ->> 'max_amount')::numeric;
  v_stale int := coalesce((payload ->> 'stale_days')::int, 30);
  v_limit int := least(greatest(coalesce((payload ->> 'limit')::int, 10), 1), 100);
  v_asof date := coalesce((payload ->> 'today')::date, current_date);
  v_viewer_team text := auth.jwt() ->> 'team';
  v_cutoff timestamptz;
  v_where text := 'true';
  v_totals boolean;
  v_count text;
  v_source text;
  v_key text;
  v_label text;
  v_order text;
  v_prob text;
  v_pos text;
  v_summary text;
  v_sql text;
  v_result jsonb;
  v_rows jsonb;
begin
  if v_metric is null or v_metric not in ('list', 'total', 'count', 'forecast', 'win_rate', 'stuck', 'top') then
    raise exception 'I can answer pipeline questions about: list, total, count, forecast, win rate, stuck deals or top deals.';
  end if;
  if v_group is not null and v_group not in ('owner', 'stage', 'region', 'month') then
    raise exception 'I can group the pipeline by owner, stage, region or month.';
  end if;
  if v_from_date is not null and v_to is not null and v_from_date > v_to then
    raise exception 'The period starts (%) after it ends (%).', v_from_date, v_to;
  end if;
  -- The forecast is read stage by stage unless another grouping is asked for.
  if v_metric = 'forecast' and v_group is null then v_group := 'stage'; end if;
  -- Stuck: no stage change and no activity since midnight UTC, v_stale days before today.
  v_cutoff := (v_asof - v_stale)::timestamp at time zone 'UTC';

  -- Regions are stored with one spelling; match what was typed case-insensitively, then filter on the index.
  if v_region is not null then
    v_region := coalesce(
      (select u.region from public.users u where lower(u.region) = lower(v_region) limit 1),
      (select a.region from public.accounts a where lower(a.region) = lower(v_region) limit 1),
      v_region);
  end if;

  -- Only the filters that were asked for go into the statement, so each query is planned for its own
  -- indexes. The filters name columns that the deals and the totals tables share.
  if v_owner is not null then v_where := v_where || ' and d.owner_id = $1'; end if;
  if v_team is not null then v_where := v_where || ' and d.team = $2'; end if;
  -- The policies show reps and managers their own team's deals only; saying it in the statement as
  -- well lets the planner use the team indexes. The policies still apply.
  if auth.jwt() ->> 'crm_role' in ('rep', 'manager') then v_where := v_where || ' and d.team = $13'; end if;
  -- Closed deals count only for win rates and when a closed stage is asked for; the open-stage
  -- predicate is spelled exactly as in the partial indexes so that the planner can use them.
  if v_metric = 'win_rate' then
    v_where := v_where || ' and d.stage in (''closed_won'', ''closed_lost'')';
  else
    if v_stage is not null then v_where := v_where || ' and d.stage = $3'; end if;
    if v_stage is null or v_stage not in ('closed_won', 'closed_lost') or v_metric = 'stuck' then
      v_where := v_where || ' and d.stage not in (''closed_won'', ''closed_lost'')';
    end if;
  end if;
  if v_region is not null then v_where := v_where || ' and d.region = $4'; end if;

  -- The totals tables answer unless a filter needs the deals themselves.
  v_totals := v_account is null and v_min is null and v_max is null
    and (v_metric <> 'stuck' or (v_from_date is null and v_to is null and v_group is distinct from 'month'));
  if v_metric = 'stuck' and v_totals then
    v_source := 'from public.deal_idle_totals d where ' || v_where || ' and d.idle_date < ($10 at time zone ''UTC'')::date';
  else
    if v_from_date is not null then v_where := v_where || ' and d.close_date >= $6'; end if;
    if v_to is not null then v_where := v_where || ' and d.close_date <= $7'; end if;
    if v_account is not null then v_where := v_where || ' and d.account_id = $5'; end if;
    if v_min is not null then v_where := v_where || ' and d.amount >= $8'; end if;
    if v_max is not null then v_where := v_where || ' and d.amount <= $9'; end if;
    if v_metric = 'stuck' then
      v_where := v_where || ' and d.stage_changed_at < $10 and (d.last_activity_at is null or d.last_activity_at < $10)';
    end if;
    v_source := case when v_totals then 'from public.deal_totals d' else 'from public.deals d' end || ' where ' || v_where;
  end if;
  v_count := case when v_totals then 'sum(d.deals)' else 'count(*)' end;

  -- Stage probabilities and order are read once and inlined, instead of a join evaluated per row.
  select 'case d.stage ' || string_agg(format('when %L then %s', st.stage, st.probability), ' ') || ' end',
         'case d.stage ' || string_agg(format('when %L then %s', st.stage, st.position), ' ') || ' end'
    into v_prob, v_pos
  from public.stages st;

  if v_group is not null then
    v_key := case v_group
      when 'owner' then 'd.owner_id::text'
      when 'stage' then 'd.stage::text'
      when 'region' then $k$coalesce(d.region, '')$k$
      when 'month' then $k$to_char(d.close_date, 'YYYY-MM')$k$
    end;
    v_label := case v_group
      when 'owner' then '(select u.name from public.users u where u.id = g.key::uuid)'
      when 'region' then $k$coalesce(nullif(g.key, ''), '(no region)')$k$
      else 'g.key'
    end;
    v_order := case v_group
      when 'stage' then 'g.pos, g.key'
      when 'month' then 'g.key'
      else 'g.total desc, g.key'
    end;
    v_sql := format($q$
      with g as materialized (
        select %1$s as key, min(%5$s) as pos, %7$s as count, sum(d.amount) as total,
               round(sum(d.amount * %6$s), 2) as weighted,
               coalesce(%7$s filter (where d.stage = 'closed_won'), 0) as won,
               coalesce(%7$s filter (where d.stage = 'closed_lost'), 0) as lost,
               coalesce(sum(d.amount) filter (where d.stage = 'closed_won'), 0) as won_amount
        %2$s group by 1 having %7$s > 0)
      select jsonb_build_object(
        'summary', (select jsonb_build_object(
            'count', coalesce(sum(g.count), 0), 'total', coalesce(sum(g.total), 0), 'weighted', coalesce(sum(g.weighted), 0),
            'won', coalesce(sum(g.won), 0), 'lost', coalesce(sum(g.lost), 0), 'won_amount', coalesce(sum(g.won_amount), 0)) from g),
        'groups', (select coalesce(jsonb_agg(jsonb_build_object(
            'key', g.key, 'label', %3$s, 'count', g.count, 'total', g.total, 'weighted', g.weighted,
            'won', g.won, 'lost', g.lost, 'won_amount', g.won_amount) order by %4$s), '[]') from g))
      $q$, v_key, v_source, v_label, v_order, v_pos, v_prob, v_count);
  else
    v_sql := format($q$
      select jsonb_build_object('summary', jsonb_build_object(
          'count', coalesce(%3$s, 0), 'total', coalesce(sum(d.amount), 0), 'weighted', coalesce(round(sum(d.amount * %2$s), 2), 0),
          'won', coalesce(%3$s filter (where d.stage = 'closed_won'), 0), 'lost', coalesce(%3$s filter (where d.stage = 'closed_lost'), 0),
          'won_amount', coalesce(sum(d.amount) filter (where d.stage = 'closed_won'), 0)))
      %1$s $q$, v_source, v_prob, v_count);
  end if;
  execute v_sql into v_result
    using v_owner, v_team, v_stage, v_region, v_account, v_from_date, v_to, v_min, v_max, v_cutoff, v_asof, v_limit, v_viewer_team;

  if v_group is null and v_metric in ('list', 'top', 'stuck') then
    if v_metric = 'stuck' and v_totals then
      v_where := v_where || ' and d.stage_changed_at < $10 and (d.last_activity_at is null or d.last_activity_at < $10)';
    end if;
    -- The top rows. Walking an index in amount order finds them after about limit * (deals in scope /
    -- matching deals) rows, which is few unless the matching deals are few and, like one account's,
    -- all small; so when few match they are read through the filters' own indexes and sorted. Only
    -- those few rows are then read in full.
    execute format($q$
      with t as materialized (%1$s)
      select coalesce(jsonb_agg(jsonb_build_object(
               'id', x.id, 'name', x.name, 'account', a.name, 'owner', u.name, 'stage', x.stage,
               'amount', x.amount, 'close_date', x.close_date,
               'idle_days', $11 - greatest(x.stage_changed_at, coalesce(x.last_activity_at, x.stage_changed_at))::date)
             order by x.amount desc, x.close_date, x.id), '[]')
      from t join public.deals x on x.id = t.id
      left join public.accounts a on a.id = x.account_id
      left join public.users u on u.id = x.owner_id
      $q$, case when (v_result #>> '{summary,count}')::bigint <= 5000
        then 'with c as materialized (select d.id, d.amount, d.close_date from public.deals d where ' || v_where || ')
              select c.id from c order by c.amount desc, c.close_date, c.id limit $12'
        else 'select d.id from public.deals d where ' || v_where || ' order by d.amount desc, d.close_date, d.id limit $12'
      end) into v_rows
      using v_owner, v_team, v_stage, v_region, v_account, v_from_date, v_to, v_min, v_max, v_cutoff, v_asof, v_limit, v_viewer_team;
    v_result := v_result || jsonb_build_object('rows', v_rows);
  end if;

  return v_result || jsonb_build_object(
    'target_type', 'pipeline',
    'target_id', null,
    'metric', v_metric,
    'group_by', v_group,
    'region', v_region,
    'stale_days', v_stale,
    'limit', v_limit,
    'owner_team', (select u.team from public.users u where u.id = v_owner),
    'viewer', jsonb_build_object('role', auth.jwt() ->> 'crm_role', 'team', v_viewer_team),
    'query', payload);
end $$;
