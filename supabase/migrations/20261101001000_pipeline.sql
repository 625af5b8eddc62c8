-- Pipeline questions (`pipeline.query`): one read-only action, answered by private.act_pipeline_query
-- (in 20261101001700_pipeline_speed.sql, with the running totals it reads) with the summary plus
-- either the top rows or the per-group aggregates as jsonb. It runs as the requester, so the deals
-- policies decide which deals count: a rep asking about another team simply finds none of its deals.

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
