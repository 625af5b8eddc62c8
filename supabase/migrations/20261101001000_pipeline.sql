-- Pipeline questions (`pipeline.query`): one read-only action answered by one SQL statement that
-- scans the matching deals once (through the deals indexes) and returns the summary plus either the
-- top rows or the per-group aggregates as jsonb. It runs as the requester, so the deals policies decide
-- which deals count: a rep asking about another team simply finds none of its deals.

-- Open-pipeline questions (the common ones: list, total, forecast, stuck) read only open deals, and
-- only a few columns of them: partial covering indexes answer them with index-only scans, scoped by
-- owner, by team (the deals policies filter on team too) or company-wide by close date. Win rates and
-- closed deals use the schema's (owner_id, close_date) and (team, close_date) indexes.
create index if not exists deals_open_owner_close_idx on public.deals (owner_id, close_date)
  include (amount, stage, team, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');
create index if not exists deals_open_team_close_idx on public.deals (team, close_date)
  include (amount, stage, owner_id, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');
create index if not exists deals_open_close_idx on public.deals (close_date)
  include (amount, stage, owner_id, team, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');

-- The sales teams a pipeline question can name (teams that have reps).
create or replace function public.pipeline_teams(args jsonb default '{}') returns jsonb language sql stable as $$
  select coalesce(jsonb_agg(distinct u.team order by u.team), '[]')
  from public.users u
  where u.active and u.role = 'rep' and u.team is not null
$$;

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
  v_cutoff timestamptz;
  v_where text := 'true';
  v_key text;
  v_label text;
  v_order text;
  v_source text;
  v_prob text;
  v_pos text;
  v_sql text;
  v_result jsonb;
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
  v_cutoff := (v_asof - v_stale)::timestamp at time zone 'UTC';

  -- Regions are stored with one spelling; match what was typed case-insensitively, then filter on the index.
  if v_region is not null then
    v_region := coalesce(
      (select u.region from public.users u where lower(u.region) = lower(v_region) limit 1),
      (select a.region from public.accounts a where lower(a.region) = lower(v_region) limit 1),
      v_region);
  end if;

  -- Only the filters that were asked for go into the statement, so each query is planned for its own indexes.
  if v_owner is not null then v_where := v_where || ' and d.owner_id = $1'; end if;
  if v_team is not null then v_where := v_where || ' and d.team = $2'; end if;
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
  if v_metric = 'stuck' then
    v_where := v_where || ' and d.stage_changed_at < $10 and (d.last_activity_at is null or d.last_activity_at < $10)';
  end if;
  if v_region is not null then v_where := v_where || ' and d.region = $4'; end if;
  if v_account is not null then v_where := v_where || ' and d.account_id = $5'; end if;
  if v_from_date is not null then v_where := v_where || ' and d.close_date >= $6'; end if;
  if v_to is not null then v_where := v_where || ' and d.close_date <= $7'; end if;
  if v_min is not null then v_where := v_where || ' and d.amount >= $8'; end if;
  if v_max is not null then v_where := v_where || ' and d.amount <= $9'; end if;

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
  v_source := 'from public.deals d where ' || v_where;
  -- Stage probabilities and order are read once and inlined, instead of a join evaluated per deal.
  select 'case d.stage ' || string_agg(format('when %L then %s', st.stage, st.probability), ' ') || ' end',
         'case d.stage ' || string_agg(format('when %L then %s', st.stage, st.position), ' ') || ' end'
    into v_prob, v_pos
  from public.stages st;

  -- Each statement names only the columns it needs, so the covering indexes answer it without the table.
  if v_group is not null then
    v_sql := format($q$
      with g as materialized (
        select %1$s as key, min(%5$s) as pos, count(*) as count, sum(d.amount) as total,
               round(sum(d.amount * %6$s), 2) as weighted,
               count(*) filter (where d.stage = 'closed_won') as won,
               count(*) filter (where d.stage = 'closed_lost') as lost,
               coalesce(sum(d.amount) filter (where d.stage = 'closed_won'), 0) as won_amount
        %2$s group by 1)
      select jsonb_build_object(
        'summary', (select jsonb_build_object(
            'count', coalesce(sum(g.count), 0), 'total', coalesce(sum(g.total), 0), 'weighted', coalesce(sum(g.weighted), 0),
            'won', coalesce(sum(g.won), 0), 'lost', coalesce(sum(g.lost), 0), 'won_amount', coalesce(sum(g.won_amount), 0)) from g),
        'groups', (select coalesce(jsonb_agg(jsonb_build_object(
            'key', g.key, 'label', %3$s, 'count', g.count, 'total', g.total, 'weighted', g.weighted,
            'won', g.won, 'lost', g.lost, 'won_amount', g.won_amount) order by %4$s), '[]') from g))
      $q$, v_key, v_source, v_label, v_order, v_pos, v_prob);
  elsif v_metric in ('list', 'top', 'stuck') then
    -- One pass for a list: the totals ride along as window aggregates while the top rows are
    -- picked from the index; only those few rows are then read from the table.
    v_sql := format($q$
      with t as materialized (
        select d.id, count(*) over () as n, sum(d.amount) over () as total,
               round(sum(d.amount * %2$s) over (), 2) as weighted,
               count(*) filter (where d.stage = 'closed_won') over () as won,
               count(*) filter (where d.stage = 'closed_lost') over () as lost,
               coalesce(sum(d.amount) filter (where d.stage = 'closed_won') over (), 0) as won_amount
        %1$s order by d.amount desc, d.close_date, d.id limit $12)
      select jsonb_build_object(
        'summary', coalesce((select jsonb_build_object('count', n, 'total', total, 'weighted', weighted, 'won', won,
                                                       'lost', lost, 'won_amount', won_amount) from t limit 1),
                            '{"count": 0, "total": 0, "weighted": 0, "won": 0, "lost": 0, "won_amount": 0}'),
        'rows', (select coalesce(jsonb_agg(jsonb_build_object(
                   'id', x.id, 'name', x.name, 'account', a.name, 'owner', u.name, 'stage', x.stage,
                   'amount', x.amount, 'close_date', x.close_date,
                   'idle_days', $11 - greatest(x.stage_changed_at, coalesce(x.last_activity_at, x.stage_changed_at))::date)
                 order by x.amount desc, x.close_date, x.id), '[]')
                 from t join public.deals x on x.id = t.id
                 left join public.accounts a on a.id = x.account_id
                 left join public.users u on u.id = x.owner_id))
      $q$, v_source, v_prob);
  else
    v_sql := format($q$
      select jsonb_build_object('summary', jsonb_build_object(
          'count', count(*), 'total', coalesce(sum(d.amount), 0), 'weighted', coalesce(round(sum(d.amount * %2$s), 2), 0),
          'won', count(*) filter (where d.stage = 'closed_won'), 'lost', count(*) filter (where d.stage = 'closed_lost'),
          'won_amount', coalesce(sum(d.amount) filter (where d.stage = 'closed_won'), 0)))
      %1$s $q$, v_source, v_prob);
  end if;
  execute v_sql into v_result
    using v_owner, v_team, v_stage, v_region, v_account, v_from_date, v_to, v_min, v_max, v_cutoff, v_asof, v_limit;

  return v_result || jsonb_build_object(
    'target_type', 'pipeline',
    'target_id', null,
    'metric', v_metric,
    'group_by', v_group,
    'region', v_region,
    'stale_days', v_stale,
    'limit', v_limit,
    'owner_team', (select u.team from public.users u where u.id = v_owner),
    'viewer', jsonb_build_object('role', auth.jwt() ->> 'crm_role', 'team', auth.jwt() ->> 'team'),
    'query', payload);
end $$;
