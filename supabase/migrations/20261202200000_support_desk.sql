-- The support desk in chat (issue 23): internal case notes, case.show, case.note, case.list filters,
-- SLA clocks that start at the event that starts them, capacity checked before a reassignment is confirmed.

-- Internal notes on a case, written by support (alone or with a resolve, reopen or hand-over: event_id
-- is that step). Staff who may see the case read them; a guest (the customer) never does.
create table public.case_notes (
  id bigint generated always as identity primary key,
  case_id bigint not null references public.cases(id) on delete cascade,
  author_id uuid not null references public.users(id),
  body text not null check (length(btrim(body)) between 1 and 2000),
  event_id bigint references public.case_events(id) on delete set null,
  created_at timestamptz not null default now()
);
create index case_notes_case_idx on public.case_notes (case_id, created_at);
alter table public.case_notes enable row level security;
revoke insert, update, delete on public.case_notes from authenticated;
grant select on public.case_notes to authenticated;
grant select, insert, update, delete on public.case_notes to service_role, crm_writer;
revoke usage, select on sequence public.case_notes_id_seq from authenticated;
grant select, usage on sequence public.case_notes_id_seq to service_role, crm_writer;
create policy case_notes_read on public.case_notes for select to authenticated, crm_writer
  using ((select private.is_staff()) and exists (select 1 from public.cases c where c.id = case_id));
create policy case_notes_insert on public.case_notes for insert to authenticated, crm_writer
  with check ((select private.has_role('support', 'manager', 'admin')) and author_id = (select auth.uid()));

-- Why someone cannot take one more case, or null: asked before a reassignment is confirmed (as the
-- requester: the agents are staff's to read), and again under the agents' locks when it runs.
create function private.assignee_problem(p_to uuid) returns text
language sql stable set search_path = public as $$
  select case
    when a.user_id is null then
      format('%s is not an active support agent, so I can''t give them the case.', coalesce(u.name, 'That person'))
    when a.open_cases >= a.capacity then
      format('%s already has %s open cases (capacity %s); choose someone else.', u.name, a.open_cases, a.capacity)
  end
  from (select p_to as id) x
  left join public.users u on u.id = x.id
  left join public.support_agents a on a.user_id = x.id and a.active
$$;
revoke execute on function private.assignee_problem(uuid) from public, anon;
grant execute on function private.assignee_problem(uuid) to authenticated, crm_writer, service_role;

-- Locks the new assignee (and the old one, in a fixed order) and checks they can take one more case.
create or replace function private.check_reassign(p_from uuid, p_to uuid) returns void
language plpgsql security definer set search_path = public as $$
declare
  v_problem text;
begin
  perform private.lock_agents(array_remove(array[p_from, p_to], null));
  v_problem := private.assignee_problem(p_to);
  if v_problem is not null then raise exception '%', v_problem; end if;
end $$;
revoke execute on function private.check_reassign(uuid, uuid) from public, anon, authenticated;
grant execute on function private.check_reassign(uuid, uuid) to crm_writer, service_role;

-- A deadline re-derived for a new objective: from the clock's start, or, when that is already past,
-- the objective counted from now but never later than the deadline was.
create function private.rederived_due(p_start timestamptz, p_minutes int, p_old timestamptz, p_now timestamptz)
returns timestamptz language sql immutable as $$
  select case when p_start + make_interval(mins => p_minutes) >= p_now then p_start + make_interval(mins => p_minutes)
              else least(p_old, p_now + make_interval(mins => p_minutes)) end
$$;
revoke execute on function private.rederived_due(timestamptz, integer, timestamptz, timestamptz) from public, anon;
grant execute on function private.rederived_due(timestamptz, integer, timestamptz, timestamptz) to authenticated, crm_writer, service_role;

-- escalation.update: { case, status?, assignee_id?, severity?, note? } (a note alone is kept too). The SLA clocks start at the event
-- that starts them: a reopen restarts both from now; a severity change re-derives the open deadlines from
-- when the clock started, but a deadline the new objective puts in the past becomes now + the objective
-- (never later than it was), so a change never breaches at once. A met first response stays met.
create or replace function private.act_escalation_update(p jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_now timestamptz := now();
  v public.cases;
  v_status text := p ->> 'status';
  v_to uuid := (p ->> 'assignee_id')::uuid;
  v_severity public.case_severity := (p ->> 'severity')::public.case_severity;
  v_note text := nullif(btrim(p ->> 'note'), '');
  v_policy public.sla_policies;
  v_route jsonb;
  v_changes text[] := '{}';
  v_notify boolean := false;
  v_clock_start timestamptz;
  v_event bigint;
begin
  if not private.has_role('support', 'manager', 'admin') then
    raise exception 'Only support staff, managers and admins can work cases.';
  end if;
  select * into v from public.cases where id = (p ->> 'case')::bigint for update;
  if not found then raise exception 'There is no case #%.', p ->> 'case'; end if;
  if v_status is null and v_to is null and v_severity is null and v_note is null then
    raise exception 'Tell me what to do with case #%: acknowledge, resolve, reopen, reassign or change the severity.', v.id;
  end if;

  if v_status = 'reopened' then
    if v.status <> 'resolved' then raise exception 'Case #% is not resolved, so there is nothing to reopen.', v.id; end if;
    v_policy := private.sla_policy(coalesce(v_severity, v.severity), v.account_id);
    -- the case goes back to its assignee if they have room, otherwise through routing again
    if v_to is null and v.assignee_id is not null and not exists (
         select 1 from public.support_agents where user_id = v.assignee_id and active and open_cases < capacity) then
      v_route := private.route_case(v.category, v_now);
      v_to := (v_route ->> 'user_id')::uuid;
      v_notify := true;
      insert into public.case_events (case_id, kind, actor_id, detail, at)
      values (v.id, 'reassigned', auth.uid(), jsonb_build_object('from', v.assignee_id, 'to', v_to, 'routing', v_route ->> 'rule'), v_now);
      update public.cases set assignee_id = v_to where id = v.id;
    end if;
    update public.cases set status = 'reopened', resolved_at = null, updated_at = v_now, first_response_at = null,
           first_response_due = v_now + make_interval(mins => v_policy.first_response_minutes),
           resolution_due = v_now + make_interval(mins => v_policy.resolution_minutes)
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'reopened', auth.uid(), v_now)
    returning id into v_event;
    v_changes := v_changes || 'reopened'::text;
  elsif v.status = 'resolved' and num_nonnulls(v_status, v_to, v_severity) > 0 then
    raise exception 'Case #% is resolved; reopen it first.', v.id;
  end if;

  if v_to is not null and v_to is distinct from v.assignee_id then
    perform private.check_reassign(v.assignee_id, v_to);
    insert into public.case_events (case_id, kind, actor_id, detail, at)
    values (v.id, 'reassigned', auth.uid(), jsonb_build_object('from', v.assignee_id, 'to', v_to), v_now)
    returning id into v_event;
    update public.cases set assignee_id = v_to, updated_at = v_now where id = v.id returning * into v;
    v_changes := v_changes || 'reassigned'::text;
    v_notify := true;
  end if;

  if v_severity is not null and v_severity <> v.severity then
    v_policy := private.sla_policy(v_severity, v.account_id);
    v_clock_start := coalesce((select max(at) from public.case_events where case_id = v.id and kind = 'reopened'), v.created_at);
    insert into public.case_events (case_id, kind, actor_id, detail, at)
    values (v.id, 'severity_changed', auth.uid(), jsonb_build_object('from', v.severity, 'to', v_severity), v_now)
    returning id into v_event;
    update public.cases set severity = v_severity, updated_at = v_now,
           first_response_due = case when first_response_at is not null then first_response_due
             else private.rederived_due(v_clock_start, v_policy.first_response_minutes, first_response_due, v_now) end,
           resolution_due = private.rederived_due(v_clock_start, v_policy.resolution_minutes, resolution_due, v_now)
     where id = v.id returning * into v;
    v_changes := v_changes || 'severity'::text;
  end if;

  if v_status = 'acknowledged' then
    if v.status = 'acknowledged' then raise exception 'Case #% is already acknowledged.', v.id; end if;
    update public.cases set status = 'acknowledged', first_response_at = coalesce(first_response_at, v_now), updated_at = v_now
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'acknowledged', auth.uid(), v_now)
    returning id into v_event;
    v_changes := v_changes || 'acknowledged'::text;
  elsif v_status = 'resolved' then
    update public.cases set status = 'resolved', resolved_at = v_now, updated_at = v_now,
           first_response_at = coalesce(first_response_at, v_now)
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'resolved', auth.uid(), v_now)
    returning id into v_event;
    v_changes := v_changes || 'resolved'::text;
  end if;

  -- the note goes with the last step taken (the resolution, the reopen, the hand-over), or alone
  if v_note is not null then
    insert into public.case_notes (case_id, author_id, body, event_id, created_at) values (v.id, auth.uid(), v_note, v_event, v_now);
    if cardinality(v_changes) = 0 then v_changes := array['noted']; end if;
  end if;
  if cardinality(v_changes) = 0 then
    raise exception 'Case #% already looks like that; nothing was changed.', v.id;
  end if;
  perform private.schedule_case_jobs(v.id, v_notify);
  return jsonb_build_object('target_type', 'case', 'target_id', v.id::text, 'changes', to_jsonb(v_changes),
                            'routing', v_route ->> 'rule', 'note', v_note) || private.case_json(v.id);
end $$;
alter function private.act_escalation_update(jsonb) owner to crm_writer;
revoke execute on function private.act_escalation_update(jsonb) from public, anon, authenticated;
grant execute on function private.act_escalation_update(jsonb) to service_role;

-- case.list: { scope: 'mine' | 'all', filter?: 'unassigned' | 'breaching', account_id?, severity?, within_hours? }.
-- Open cases, most urgent first: mine = assigned to me or raised by me; all = the support queue (support,
-- managers and admins; others get their own). Breaching = an open deadline (the first response while
-- unanswered, the resolution) passed, or passing within the next `within_hours`.
create or replace function private.act_case_list(p jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_all boolean := p ->> 'scope' = 'all' and private.has_role('support', 'manager', 'admin');
  v_filter text := p ->> 'filter';
  v_account uuid := (p ->> 'account_id')::uuid;
  v_severity public.case_severity := (p ->> 'severity')::public.case_severity;
  v_until timestamptz := now() + make_interval(hours => coalesce((p ->> 'within_hours')::int, 0));
  v_rows jsonb;
  v_total int;
begin
  if v_filter is not null and v_filter not in ('unassigned', 'breaching') then
    raise exception 'unknown case filter %', v_filter using errcode = '22023';
  end if;
  with open_cases as (
    select c.*, row_number() over (order by c.severity desc, coalesce(c.first_response_at, c.first_response_due), c.id) as rn
    from public.cases c
    where c.status <> 'resolved' and (v_all or c.assignee_id = auth.uid() or c.reporter_id = auth.uid())
      and (v_filter is distinct from 'unassigned' or c.assignee_id is null)
      and (v_filter is distinct from 'breaching'
           or (c.first_response_at is null and c.first_response_due < v_until) or c.resolution_due < v_until)
      and (v_account is null or c.account_id = v_account)
      and (v_severity is null or c.severity = v_severity)
  )
  select count(*), coalesce(jsonb_agg(jsonb_build_object(
      'id', o.id, 'summary', o.summary, 'severity', o.severity, 'status', o.status,
      'account', a.name, 'assignee', u.name, 'mine', o.assignee_id = auth.uid(),
      'due', case when o.first_response_at is null then o.first_response_due else o.resolution_due end,
      'due_kind', case when o.first_response_at is null then 'response' else 'resolution' end) order by o.rn)
      filter (where o.rn <= 20), '[]')
  into v_total, v_rows
  from open_cases o
  left join public.accounts a on a.id = o.account_id
  left join public.users u on u.id = o.assignee_id;
  return jsonb_build_object('target_type', 'cases', 'scope', case when v_all then 'all' else 'mine' end,
                            'filter', v_filter, 'within_hours', (p ->> 'within_hours')::int, 'severity', v_severity,
                            'account', (select name from public.accounts where id = v_account),
                            'now', now(), 'total', v_total, 'rows', v_rows);
end $$;
alter function private.act_case_list(jsonb) owner to crm_writer;
revoke execute on function private.act_case_list(jsonb) from public, anon, authenticated;
grant execute on function private.act_case_list(jsonb) to service_role;

-- case.metrics: { from?, to? } (dates, UTC). Open cases now, by severity and by age, and for the
-- cases opened in the period: objectives met among those decided (answered/resolved, or past their
-- deadline), and the mean and median times to first response and to resolution.
create or replace function private.act_case_metrics(p jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_to date := coalesce((p ->> 'to')::date, (now() at time zone 'UTC')::date);
  v_from date := coalesce((p ->> 'from')::date, v_to - 29);
  v_open jsonb;
  v_backlog jsonb;
  v_period jsonb;
begin
  if not private.has_role('support', 'manager', 'admin') then
    raise exception 'Only support staff, managers and admins can see support metrics.';
  end if;
  if v_from > v_to then raise exception 'The period starts after it ends (% to %).', v_from, v_to; end if;
  select jsonb_object_agg(s::text, (select count(*) from public.cases c where c.status <> 'resolved' and c.severity = s))
    into v_open from unnest(enum_range(null::public.case_severity)) s;
  select jsonb_build_object(
      'under_1_day', count(*) filter (where created_at > now() - interval '1 day'),
      '1_to_3_days', count(*) filter (where created_at <= now() - interval '1 day' and created_at > now() - interval '3 days'),
      '3_to_7_days', count(*) filter (where created_at <= now() - interval '3 days' and created_at > now() - interval '7 days'),
      'over_7_days', count(*) filter (where created_at <= now() - interval '7 days'))
    into v_backlog from public.cases where status <> 'resolved';
  select jsonb_build_object(
      'created', count(*),
      'response_met', count(*) filter (where first_response_at <= first_response_due),
      'response_decided', count(*) filter (where first_response_at is not null or first_response_due < now()),
      'resolution_met', count(*) filter (where resolved_at <= resolution_due),
      'resolution_decided', count(*) filter (where resolved_at is not null or resolution_due < now()),
      'median_first_response_minutes', round((percentile_cont(0.5) within group (
          order by extract(epoch from first_response_at - created_at) / 60)
          filter (where first_response_at is not null))::numeric, 1),
      'mean_first_response_minutes',
        round((avg(extract(epoch from first_response_at - created_at) / 60) filter (where first_response_at is not null))::numeric, 1),
      'median_resolution_minutes', round((percentile_cont(0.5) within group (
          order by extract(epoch from resolved_at - created_at) / 60) filter (where resolved_at is not null))::numeric, 1),
      'mean_resolution_minutes',
        round((avg(extract(epoch from resolved_at - created_at) / 60) filter (where resolved_at is not null))::numeric, 1))
    into v_period
    from public.cases
   where created_at >= (v_from::timestamp at time zone 'UTC') and created_at < ((v_to + 1)::timestamp at time zone 'UTC');
  return jsonb_build_object('target_type', 'cases', 'target_id', null, 'from', v_from, 'to', v_to, 'open', v_open,
                            'backlog', v_backlog) || v_period;
end $$;
alter function private.act_case_metrics(jsonb) owner to crm_writer;
revoke execute on function private.act_case_metrics(jsonb) from public, anon, authenticated;
grant execute on function private.act_case_metrics(jsonb) to service_role;

-- case.show: { case }. The case as the requester may see it (the cases policy), and like case.list:
-- support, managers, admins and privacy officers any case; a rep the cases they raised, hold, or whose
-- account they own. With its timeline: every event with who did it, and the internal notes.
create function private.act_case_show(p jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_id bigint;
begin
  select c.id into v_id from public.cases c
   where c.id = (p ->> 'case')::bigint
     and (private.has_role('support', 'manager', 'admin', 'privacy_officer')
          or auth.uid() in (c.reporter_id, c.assignee_id)
          or exists (select 1 from public.accounts a where a.id = c.account_id and a.owner_id = auth.uid()));
  if v_id is null then
    raise exception 'I can''t find case #% among the cases you can see.', p ->> 'case';
  end if;
  return jsonb_build_object('target_type', 'case', 'target_id', v_id::text, 'now', now()) || private.case_json(v_id)
    || jsonb_build_object('timeline', (
      select coalesce(jsonb_agg(jsonb_build_object('at', t.at, 'kind', t.kind, 'actor', t.actor, 'note', t.note,
                                                   'detail', t.detail) order by t.at, t.ord), '[]')
      from (
        select e.at, e.id * 2 as ord, e.kind, a.name as actor,
               (select string_agg(n.body, ' / ' order by n.id) from public.case_notes n where n.event_id = e.id) as note,
               e.detail || jsonb_strip_nulls(jsonb_build_object(
                 'from_name', (select name from public.users where id::text = e.detail ->> 'from'),
                 'to_name', (select name from public.users
                              where id::text = coalesce(e.detail ->> 'to', e.detail ->> 'to_user_id', e.detail ->> 'assignee_id')))) as detail
          from public.case_events e left join public.users a on a.id = e.actor_id
         where e.case_id = v_id
        union all
        select n.created_at, n.id * 2 + 1, 'note', a.name, n.body, '{}'::jsonb
          from public.case_notes n left join public.users a on a.id = n.author_id
         where n.case_id = v_id and n.event_id is null
      ) t));
end $$;
alter function private.act_case_show(jsonb) owner to crm_writer;
revoke execute on function private.act_case_show(jsonb) from public, anon, authenticated;
grant execute on function private.act_case_show(jsonb) to service_role;

-- case.note: { case, note }. An internal note: kept in the case's timeline, never sent to the
-- customer, and not a response (the first-response clock keeps running).
create function private.act_case_note(p jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_id bigint;
  v_note text := nullif(btrim(p ->> 'note'), '');
  v_note_id bigint;
begin
  if not private.has_role('support', 'manager', 'admin') then
    raise exception 'Only support staff, managers and admins can add notes to cases.';
  end if;
  if v_note is null then raise exception 'The note is empty; nothing was added.'; end if;
  if length(v_note) > 2000 then raise exception 'That note is too long (at most 2000 characters); nothing was added.'; end if;
  select id into v_id from public.cases where id = (p ->> 'case')::bigint for update;
  if v_id is null then raise exception 'There is no case #%.', p ->> 'case'; end if;
  insert into public.case_notes (case_id, author_id, body) values (v_id, auth.uid(), v_note) returning id into v_note_id;
  update public.cases set updated_at = now() where id = v_id;
  return jsonb_build_object('target_type', 'case', 'target_id', v_id::text, 'note_id', v_note_id, 'note', v_note)
         || private.case_json(v_id);
end $$;
alter function private.act_case_note(jsonb) owner to crm_writer;
revoke execute on function private.act_case_note(jsonb) from public, anon, authenticated;
grant execute on function private.act_case_note(jsonb) to service_role;

-- support_agents.open_cases follows every later change of a case's assignee or status. A new case
-- is counted by act_escalation_create (the demo seed loads cases with their load already counted).
-- An agent who frees a place while cases wait in the queue leaves a `case.pickup` job behind.
create or replace function private.cases_keep_load() returns trigger
language plpgsql security definer set search_path = public as $$
declare
  v_old uuid := case when old.status <> 'resolved' then old.assignee_id end;
  v_new uuid;
begin
  if tg_op = 'UPDATE' then v_new := case when new.status <> 'resolved' then new.assignee_id end; end if;
  if v_old is not distinct from v_new then return null; end if;
  perform private.lock_agents(array_remove(array[v_old, v_new], null));
  update public.support_agents set open_cases = greatest(open_cases - 1, 0) where user_id = v_old;
  if v_new is not null then
    update public.support_agents set open_cases = open_cases + 1,
           last_assigned_at = case when v_new is distinct from old.assignee_id then now() else last_assigned_at end
     where user_id = v_new;
  end if;
  if v_old is not null and exists (select 1 from public.cases where status <> 'resolved' and assignee_id is null) then
    insert into public.jobs (kind, run_at, payload) values ('case.pickup', now(), '{}');
  end if;
  return null;
end $$;
revoke execute on function private.cases_keep_load() from public, anon, authenticated;
grant execute on function private.cases_keep_load() to crm_writer, service_role;

-- The `case.pickup` job (service only), at `now` (injectable): queued cases, most urgent and oldest
-- first, go to agents with room by the same routing as a new case, until nobody has room. Each one
-- is recorded and its assignee told (a `case.assigned` job).
create function public.route_queued(args jsonb) returns jsonb
language plpgsql security definer set search_path = public as $$
declare
  v_now timestamptz := coalesce((args ->> 'now')::timestamptz, now());
  v public.cases;
  v_route jsonb;
  v_picked jsonb := '[]';
begin
  for v in select * from public.cases where status <> 'resolved' and assignee_id is null
            order by severity desc, created_at, id for update skip locked loop
    v_route := private.route_case(v.category, v_now);
    exit when v_route ->> 'user_id' is null;
    update public.cases set assignee_id = (v_route ->> 'user_id')::uuid, updated_at = v_now where id = v.id;
    insert into public.case_events (case_id, kind, detail, at)
    values (v.id, 'reassigned', jsonb_build_object('from', null, 'to', v_route ->> 'user_id', 'routing', 'queue'), v_now);
    perform private.schedule_case_jobs(v.id, true);
    v_picked := v_picked || jsonb_build_object('case', v.id, 'to', v_route ->> 'user_id');
  end loop;
  return jsonb_build_object('picked', v_picked);
end $$;
revoke execute on function public.route_queued(jsonb) from public, anon, authenticated;
grant execute on function public.route_queued(jsonb) to service_role;

drop function public.is_support_agent(jsonb);

-- Whether someone can be given one more case: { user_id } -> { problem } (asked before a reassignment is confirmed).
create function public.check_case_assignee(args jsonb) returns jsonb language sql stable as $$
  select jsonb_build_object('problem', private.assignee_problem((args ->> 'user_id')::uuid))
$$;

-- Looking at a case and its internal notes (skills/escalations).
insert into private.capabilities (role, action)
select r, a from unnest(array['rep', 'manager', 'support', 'privacy_officer', 'admin']) r, unnest(array['case.show']) a
union all
select r, 'case.note' from unnest(array['manager', 'support', 'admin']) r;

-- Bookkeeping the requester's policies do not reach: everyone's pending messages, the job queue,
-- case events and the internal notes on cases. Definer rights, so it checks the caller's role itself.
create or replace function private.erase_bookkeeping(p_patterns text[], p_held bigint[]) returns jsonb language plpgsql
security definer set search_path = public as $$
declare n_pending int; n_jobs int; n_events int; n_notes int;
begin
  if not private.has_role('privacy_officer', 'admin') then
    raise exception 'Only a privacy officer or an admin may erase personal data.';
  end if;
  update public.pending_actions set action = private.scrub_jsonb(action, p_patterns), preview = private.scrub_text(preview, p_patterns)
  where private.mentions(action::text, p_patterns) or private.mentions(preview, p_patterns);
  get diagnostics n_pending = row_count;
  update public.jobs set payload = private.scrub_jsonb(payload, p_patterns), last_error = private.scrub_text(last_error, p_patterns)
  where private.mentions(payload::text, p_patterns) or private.mentions(last_error, p_patterns);
  get diagnostics n_jobs = row_count;
  update public.case_events set detail = private.scrub_jsonb(detail, p_patterns)
  where case_id <> all (p_held) and private.mentions(detail::text, p_patterns);
  get diagnostics n_events = row_count;
  update public.case_notes set body = private.scrub_text(body, p_patterns)
  where case_id <> all (p_held) and private.mentions(body, p_patterns);
  get diagnostics n_notes = row_count;
  return jsonb_build_object('pending_actions', n_pending, 'jobs', n_jobs, 'case_events', n_events, 'case_notes', n_notes);
end $$;
revoke execute on function private.erase_bookkeeping(text[], bigint[]) from public, anon, authenticated;
grant execute on function private.erase_bookkeeping(text[], bigint[]) to crm_writer, service_role;
