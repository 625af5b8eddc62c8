-- Closes what a red-team pass found (issue 21). The same changes as supabase/schemas.

-- 1. Who is asking comes from public.users (auth.uid(), active); the token's crm_role and team
--    claims must agree with it, and the audit log records the role from the record.
create function private.me() returns public.users language plpgsql stable security definer
set search_path = public as $$
declare
  v public.users;
  c jsonb := auth.jwt();
begin
  select * into v from public.users where id = auth.uid() and active;
  if not found or not c ? 'crm_role' then
    return null;
  end if;
  if c ->> 'crm_role' is distinct from v.role::text or (c ? 'team' and c ->> 'team' is distinct from v.team) then
    raise exception 'This sign-in''s role or team does not match the CRM''s record of you; sign in again.'
      using errcode = '42501';
  end if;
  return v;
end $$;

revoke execute on function private.me() from public, anon;
grant execute on function private.me() to authenticated, crm_writer, service_role;

create or replace function private.my_role() returns text language sql stable as $$ select (private.me()).role::text $$;

create or replace function private.my_team() returns text language sql stable as $$ select (private.me()).team $$;

create or replace function private.has_role(variadic roles text[]) returns boolean language sql stable as
  $$ select coalesce(private.my_role() = any (roles), false) $$;

create or replace function public.whoami(args jsonb default '{}') returns jsonb language sql stable as $$
  select jsonb_build_object('uid', auth.uid(), 'role', private.my_role(), 'team', private.my_team(),
                            'db_role', current_user)
$$;

create or replace function private.audit(p_action text, p_channel text, p_request_id text, p_target_type text,
                              p_target_id text, p_detail jsonb)
returns void language sql security definer set search_path = public as $$
  insert into public.audit_log (actor_id, actor_role, channel, request_id, action, target_type, target_id, detail)
  values (auth.uid(), private.my_role(), coalesce(p_channel, 'system'), p_request_id, p_action,
          p_target_type, p_target_id, coalesce(p_detail, '{}'))
$$;

create or replace function public.perform(args jsonb) returns jsonb language plpgsql
security definer set search_path = public, private, extensions as $$
declare
  v_request text := args ->> 'request_id';
  v_action text := args ->> 'action';
  v_payload jsonb := coalesce(args -> 'payload', '{}');
  v_channel text := args ->> 'channel';
  v_fn text;
  v_result jsonb;
  v_pending public.pending_actions;
begin
  if auth.uid() is null then
    raise exception 'no requester: every action runs as a CRM user' using errcode = '28000';
  end if;
  if args ? 'pending_id' then
    select * into v_pending from public.pending_actions where id = (args ->> 'pending_id')::uuid for update;
    if not found then
      return jsonb_build_object('error', 'not_found', 'message', 'That request is not one of yours, or it no longer exists.');
    end if;
    if v_pending.status = 'cancelled' then
      return jsonb_build_object('error', 'cancelled', 'message', 'That request was cancelled; nothing was written.');
    end if;
    if v_pending.status = 'confirmed' then
      return jsonb_build_object('replayed', true, 'action', v_pending.action ->> 'type');
    end if;
    if v_pending.expires_at < now() then
      return jsonb_build_object('error', 'expired', 'message', 'That request expired; please ask again.');
    end if;
    update public.pending_actions set status = 'confirmed' where id = v_pending.id;
    v_request := 'pending:' || v_pending.id;
    v_action := v_pending.action ->> 'type';
    v_payload := v_pending.action;
    v_channel := v_pending.channel;
  end if;

  if coalesce(v_channel, 'assistant') not in ('slack', 'teams', 'repl', 'assistant') then
    raise exception 'unknown channel' using errcode = '22023';
  end if;
  if v_request is null or v_action is null or not exists (select 1 from private.capabilities where action = v_action) then
    raise exception 'perform needs request_id and a known action' using errcode = '22023';
  end if;
  -- The core checks the same table first; this holds for anyone calling the API directly.
  if not exists (select 1 from private.capabilities where action = v_action and role = private.my_role()) then
    raise exception 'role % may not %', coalesce(private.my_role(), 'none'), v_action using errcode = '42501';
  end if;
  v_fn := 'act_' || replace(v_action, '.', '_');

  insert into public.processed_requests (request_id, user_id, action)
  values (v_request, auth.uid(), v_action) on conflict (user_id, request_id) do nothing;
  if not found then
    return jsonb_build_object('replayed', true, 'action', v_action);
  end if;

  -- The channel is context for the action functions (e.g. where an activity was logged from).
  perform set_config('crm.channel', coalesce(v_channel, 'assistant'), true);
  execute format('select private.%I($1)', v_fn) using v_payload into v_result;
  perform private.audit(v_action, v_channel,
                        case when v_request ~ '^[A-Za-z0-9:._/|-]{1,200}$' then v_request else private.hash_pii(v_request) end,
                        v_result ->> 'target_type', v_result ->> 'target_id', private.redact(v_payload - 'type'));
  return coalesce(v_result, '{}') || jsonb_build_object('action', v_action);
end $$;

create or replace function private.act_pipeline_query(payload jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
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
  v_viewer_team text := private.my_team();
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
  if private.my_role() in ('rep', 'manager') then v_where := v_where || ' and d.team = $13'; end if;
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
    'viewer', jsonb_build_object('role', private.my_role(), 'team', v_viewer_team),
    'query', payload);
end $$;

-- 2. Definer helpers that change counters, lock agents, queue jobs or read past the policies are
--    for the actions (crm_writer) and the service only; trigger functions need no grant at all.
revoke execute on function private.account_moved() from authenticated;
revoke execute on function private.case_json(bigint) from authenticated;
revoke execute on function private.cases_keep_load() from authenticated;
revoke execute on function private.chain_holder(integer, uuid) from authenticated;
revoke execute on function private.check_reassign(uuid, uuid) from authenticated;
revoke execute on function private.count_new_case(uuid, timestamptz) from authenticated;
revoke execute on function private.deal_totals_add(deals[], deals[]) from authenticated;
revoke execute on function private.deal_totals_track() from authenticated;
revoke execute on function private.deals_fill() from authenticated;
revoke execute on function private.deals_first_stage() from authenticated;
revoke execute on function private.enqueue_sla_check(bigint, text, timestamptz) from authenticated;
revoke execute on function private.enqueue_task_reminder(uuid) from authenticated;
revoke execute on function private.erase_bookkeeping(text[], bigint[]) from authenticated;
revoke execute on function private.lock_agents(uuid[]) from authenticated;
revoke execute on function private.owner_team() from authenticated;
revoke execute on function private.route_case(case_category, timestamptz) from authenticated;
revoke execute on function private.schedule_case_jobs(bigint, boolean) from authenticated;
revoke execute on function private.touch_deal(uuid) from authenticated;
revoke execute on function private.user_moved() from authenticated;

create or replace function public.case_brief(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select private.case_json(c.id) from public.cases c where c.id = (args ->> 'case')::bigint
$$;

alter function public.case_brief(jsonb) owner to crm_writer;
revoke execute on function public.case_brief(jsonb) from public, anon;
grant execute on function public.case_brief(jsonb) to authenticated, crm_writer, service_role;

-- 3. An email finds a contact only for someone who may see that contact's details.
create or replace function public.contacts_with_email(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'detail', a.name) order by c.name), '[]')
  from public.contacts c left join public.accounts a on a.id = c.account_id
  where lower(c.email) = lower(btrim(args ->> 'email')) and private.sees_contact_details(c.account_id, c.owner_id)
$$;

revoke execute on function public.contacts_with_email(jsonb) from public, anon;
grant execute on function public.contacts_with_email(jsonb) to authenticated, crm_writer, service_role;

-- 4. A lead's email and phone are masked like a contact's.
revoke select on public.leads from authenticated;
grant select (id, name, company, status, source, owner_id, contact_id, deal_id, created_at, updated_at)
  on public.leads to authenticated;
create or replace function public.find_leads(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private, extensions as $$
  with q as (select lower(btrim(args ->> 'q')) as q),
  l as (select l.*, lower(l.email) = q.q and private.sees_contact_details(null, l.owner_id) as by_email
        from public.leads l, q)
  select coalesce(jsonb_agg(x order by rank), '[]') from (
    select jsonb_build_object('id', l.id, 'name', l.name, 'company', l.company, 'status', l.status,
                              'exact', lower(l.name) = q.q or l.by_email) as x,
           row_number() over (order by l.by_email desc, lower(l.name) = q.q desc,
                              l.status in ('converted', 'disqualified'), similarity(lower(l.name), q.q) desc, l.name, l.id) as rank
    from l, q
    where q.q <> '' and case when q.q like '%@%' then l.by_email
                             else lower(l.name) = q.q or lower(l.name) like q.q || ' %'
                                  or lower(l.name) like '% ' || q.q or lower(l.name) % q.q end
    order by rank limit least(coalesce((args ->> 'limit')::int, 6), 20)) s
$$;

alter function public.find_leads(jsonb) owner to crm_writer;
revoke execute on function public.find_leads(jsonb) from public, anon;
grant execute on function public.find_leads(jsonb) to authenticated, crm_writer, service_role;

-- 5. Routing moves on to the next-best agent nobody is assigning to, in one query, and waits only
--    when every agent with room is being assigned to (no more "routing is busy" with room free).
create or replace function private.route_case(p_category public.case_category, p_at timestamptz) returns jsonb
language plpgsql security definer set search_path = public as $$
declare
  v_pick record;
begin
  select a.user_id, u.name, p_category = any (a.skills) as skilled,
         private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at) as on_shift
    into v_pick
    from public.support_agents a join public.users u on u.id = a.user_id
   where a.active and u.active and a.open_cases < a.capacity
   order by (p_category = any (a.skills) and private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at)) desc,
            private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at) desc,
            p_category = any (a.skills) desc,
            a.open_cases::numeric / a.capacity,
            a.last_assigned_at nulls first,
            a.user_id
   limit 1
   for update of a skip locked;
  if not found then
    select a.user_id, u.name, p_category = any (a.skills) as skilled,
           private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at) as on_shift
      into v_pick
      from public.support_agents a join public.users u on u.id = a.user_id
     where a.active and u.active and a.open_cases < a.capacity
     order by (p_category = any (a.skills) and private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at)) desc,
              private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at) desc,
              p_category = any (a.skills) desc,
              a.open_cases::numeric / a.capacity,
              a.last_assigned_at nulls first,
              a.user_id
     limit 1
     for update of a;
  end if;
  if not found then
    return jsonb_build_object('user_id', null, 'rule', 'queue');
  end if;
  return jsonb_build_object('user_id', v_pick.user_id, 'name', v_pick.name,
                            'rule', case when v_pick.skilled and v_pick.on_shift then 'skill' else 'fallback' end);
end $$;

-- 6. Chat deliveries claimed in Postgres, so N replicas answer a Slack event once.
create table public.channel_deliveries (
  channel text not null check (channel in ('slack', 'teams')),
  delivery_id text not null,
  claimed_at timestamptz not null default now(),
  primary key (channel, delivery_id)
);
create index channel_deliveries_claimed_idx on public.channel_deliveries (claimed_at);
alter table public.channel_deliveries enable row level security;
revoke all on public.channel_deliveries from public, anon, authenticated;

-- True for the first claim of a delivery, false for every later one (system work: the service role only).
create function public.claim_delivery(args jsonb) returns jsonb language plpgsql security definer
set search_path = public as $$
begin
  delete from public.channel_deliveries where claimed_at < now() - interval '1 day';
  insert into public.channel_deliveries (channel, delivery_id) values (args ->> 'channel', args ->> 'id')
  on conflict do nothing;
  return to_jsonb(found);
end $$;
revoke execute on function public.claim_delivery(jsonb) from public, anon, authenticated;
grant execute on function public.claim_delivery(jsonb) to service_role;

-- 7. Reminders at most once (claimed before they are posted), a one-minute job lease.
create or replace function public.claim_jobs(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with due as (
    select id from public.jobs
    where status = 'pending' and run_at <= coalesce((args ->> 'now')::timestamptz, now())
      and (args ->> 'kinds' is null or kind in (select jsonb_array_elements_text(args -> 'kinds')))
    order by run_at limit coalesce((args ->> 'limit')::int, 20)
    for update skip locked),
  claimed as (
    update public.jobs j set attempts = attempts + 1, run_at = coalesce((args ->> 'now')::timestamptz, now()) + interval '1 minute'
    from due where j.id = due.id returning j.id, j.kind, j.payload, j.attempts)
  select coalesce(jsonb_agg(to_jsonb(claimed)), '[]') from claimed
$$;

-- Hands back the claim of a reminder that could not be delivered, so that a retry sends it.
create function public.reminder_unsent(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  update public.tasks set reminded_at = null where id = (args ->> 'task_id')::uuid;
  select '{}'::jsonb
$$;
revoke execute on function public.reminder_unsent(jsonb) from public, anon, authenticated;
grant execute on function public.reminder_unsent(jsonb) to service_role;

-- 8. Case reads as the README's role model states them: a rep reads the cases they raised or hold
--    and those of their team's accounts, not every case with its customer's text.
drop policy cases_read on public.cases;
create policy cases_read on public.cases for select to authenticated, crm_writer
  using ((select private.has_role('support', 'manager', 'privacy_officer', 'admin'))
         or ((select private.is_crm_user()) and (reporter_id = (select auth.uid()) or assignee_id = (select auth.uid())))
         or ((select private.has_role('rep')) and account_id in (
               select a.id from public.accounts a join public.users u on u.id = a.owner_id
               where u.team = (select private.my_team()))));
drop policy case_events_read on public.case_events;
create policy case_events_read on public.case_events for select to authenticated, crm_writer
  using ((select private.has_role('support', 'manager', 'privacy_officer', 'admin'))
         or exists (select 1 from public.cases c where c.id = case_id));
