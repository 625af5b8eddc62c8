-- Support escalations: opening a case (routing + SLA deadlines), working it, the SLA breach checks
-- that climb the escalation chain, and the managers' metrics. Routing and the agents' load run as
-- security definer helpers: whoever raises a case may not update support_agents themselves.

-- Who a breached case goes to, level by level. A level with no fixed user goes to the manager of
-- whoever held the level below (level 0 = the assignee; for a case in the queue, the agents' lead).
create table public.escalation_chain (
  level int primary key check (level > 0),
  title text not null,
  user_id uuid references public.users(id)
);
insert into public.escalation_chain (level, title) values (1, 'team lead'), (2, 'support manager');

alter table public.escalation_chain enable row level security;
grant select on public.escalation_chain to authenticated;
grant all on public.escalation_chain to service_role;
create policy chain_read on public.escalation_chain for select to authenticated using (true);
create policy chain_admin on public.escalation_chain for all to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

-- One re-escalation step per level, whatever runs twice.
create unique index case_events_one_step_per_level on public.case_events (case_id, (detail ->> 'level'))
  where kind = 'escalated';
create index case_events_kind_idx on public.case_events (case_id, kind);

-- Whether an agent works at that moment: shift hours in the agent's own timezone (may wrap midnight).
create function private.on_shift(p_tz text, p_start int, p_end int, p_at timestamptz) returns boolean
language sql stable as $$
  select case when p_start < p_end then h >= p_start and h < p_end else h >= p_start or h < p_end end
  from (select extract(hour from p_at at time zone p_tz)::int as h) x
$$;

-- Picks the agent for a new case and locks their row until the transaction ends:
--   1. skill match on the category and on shift, 2. otherwise anyone with room (on shift first,
--   then skilled), then least occupied (open/capacity), then round robin (longest since last case).
-- The chosen row is re-checked under a lock taken with SKIP LOCKED: a transaction never waits on
-- an agent row while holding another (no deadlocks), and when another transaction is assigning to
-- the same agent it re-reads once that one has committed, so capacity is never exceeded and a
-- momentary lock never sends a case to the queue. Returns the agent and the rule that chose them.
create function private.route_case(p_category public.case_category, p_at timestamptz) returns jsonb
language plpgsql security definer set search_path = public as $$
declare
  v_pick record;
  v_tries int := 0;
begin
  loop
    select a.user_id, u.name,
           p_category = any (a.skills) as skilled,
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
     limit 1;
    if not found then
      return jsonb_build_object('user_id', null, 'rule', 'queue');
    end if;
    perform 1 from public.support_agents
     where user_id = v_pick.user_id and active and open_cases < capacity
       for update skip locked;
    if found then
      return jsonb_build_object('user_id', v_pick.user_id, 'name', v_pick.name,
                                'rule', case when v_pick.skilled and v_pick.on_shift then 'skill' else 'fallback' end);
    end if;
    v_tries := v_tries + 1;
    if v_tries > 500 then
      raise exception 'Support routing is busy right now; nothing was opened. Please try again.';
    end if;
    perform pg_sleep(0.002);
  end loop;
end $$;

-- Locks agent rows in one order (so two reassignments never deadlock).
create function private.lock_agents(p_ids uuid[]) returns void
language plpgsql security definer set search_path = public as $$
begin
  perform 1 from public.support_agents where user_id = any (p_ids) order by user_id for update;
end $$;

-- support_agents.open_cases follows every later change of a case's assignee or status. A new case
-- is counted by act_escalation_create (the demo seed loads cases with their load already counted).
create function private.cases_keep_load() returns trigger
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
  return null;
end $$;
create trigger cases_keep_load after update of assignee_id, status or delete on public.cases
  for each row execute function private.cases_keep_load();

create function private.count_new_case(p_agent uuid, p_at timestamptz) returns void
language sql security definer set search_path = public as $$
  update public.support_agents set open_cases = open_cases + 1, last_assigned_at = p_at where user_id = p_agent
$$;

create function private.sla_policy(p_severity public.case_severity, p_account uuid) returns public.sla_policies
language plpgsql stable as $$
declare
  v public.sla_policies;
  v_tier public.account_tier := coalesce((select tier from public.accounts where id = p_account), 'standard');
begin
  select * into v from public.sla_policies where severity = p_severity and tier = v_tier;
  if not found then
    raise exception 'There is no SLA policy for % cases of % accounts; ask an admin to add one.', p_severity, v_tier;
  end if;
  return v;
end $$;

-- The case as every reply and notice shows it.
create function private.case_json(p_id bigint) returns jsonb language sql stable security definer
set search_path = public as $$
  select jsonb_build_object('case', jsonb_build_object(
    'id', c.id, 'summary', c.summary, 'severity', c.severity, 'category', c.category, 'status', c.status,
    'source_link', c.source_link, 'escalation_level', c.escalation_level,
    'account', case when a.id is not null then jsonb_build_object('id', a.id, 'name', a.name, 'tier', a.tier) end,
    'contact', case when ct.id is not null then jsonb_build_object('id', ct.id, 'name', ct.name) end,
    'assignee', case when u.id is not null then jsonb_build_object('id', u.id, 'name', u.name) end,
    'reporter', case when r.id is not null then jsonb_build_object('id', r.id, 'name', r.name) end,
    'created_at', c.created_at, 'first_response_due', c.first_response_due, 'resolution_due', c.resolution_due,
    'first_response_at', c.first_response_at, 'resolved_at', c.resolved_at))
  from public.cases c
  left join public.accounts a on a.id = c.account_id
  left join public.contacts ct on ct.id = c.contact_id
  left join public.users u on u.id = c.assignee_id
  left join public.users r on r.id = c.reporter_id
  where c.id = p_id
$$;

create function private.enqueue_sla_check(p_case bigint, p_check text, p_at timestamptz) returns void
language sql security definer set search_path = public as $$
  insert into public.jobs (kind, run_at, payload, dedupe_key)
  values ('sla.check', p_at, jsonb_build_object('case_id', p_case, 'check', p_check),
          format('sla.check:%s:%s:%s', p_case, p_check, extract(epoch from p_at)))
  on conflict (dedupe_key) do nothing
$$;

-- Durable follow-ups of a case change: breach checks at its open deadlines, and the assignment notice.
create function private.schedule_case_jobs(p_case bigint, p_notify boolean) returns void
language plpgsql security definer set search_path = public as $$
declare v public.cases;
begin
  select * into v from public.cases where id = p_case;
  if v.status <> 'resolved' then
    if v.first_response_at is null then perform private.enqueue_sla_check(v.id, 'first_response', v.first_response_due); end if;
    perform private.enqueue_sla_check(v.id, 'resolution', v.resolution_due);
  end if;
  if p_notify then
    insert into public.jobs (kind, run_at, payload) values ('case.assigned', now(), jsonb_build_object('case_id', v.id));
  end if;
end $$;

create function private.is_generic_summary(p text) returns boolean language sql immutable as
  $$ select lower(btrim(coalesce(p, ''), ' .!?')) in ('', 'this', 'that', 'it', 'this message', 'that message', 'escalate this') $$;

-- escalation.create: { summary, account_id?, contact_id?, severity?, category?, source_text?, source_link? }
create function private.act_escalation_create(p jsonb) returns jsonb language plpgsql as $$
declare
  v_now timestamptz := now();
  v_source text := nullif(btrim(p ->> 'source_text'), '');
  v_summary text := btrim(p ->> 'summary');
  v_contact public.contacts;
  v_account uuid := (p ->> 'account_id')::uuid;
  v_severity public.case_severity := coalesce(p ->> 'severity', 'medium')::public.case_severity;
  v_category public.case_category := coalesce(p ->> 'category', 'other')::public.case_category;
  v_policy public.sla_policies;
  v_route jsonb;
  v_assignee uuid;
  v_id bigint;
begin
  if private.is_generic_summary(v_summary) then v_summary := left(v_source, 300); end if;
  if v_summary is null or v_summary = '' then
    raise exception 'A case needs a short description of the problem; nothing was opened.';
  end if;
  if p ->> 'contact_id' is not null then
    select * into v_contact from public.contacts where id = (p ->> 'contact_id')::uuid;
    if not found then raise exception 'I could not find that contact any more; nothing was opened.'; end if;
    v_account := coalesce(v_account, v_contact.account_id);
  end if;
  if v_account is not null and not exists (select 1 from public.accounts where id = v_account) then
    raise exception 'I could not find that account any more; nothing was opened.';
  end if;
  v_policy := private.sla_policy(v_severity, v_account);
  v_route := private.route_case(v_category, v_now);
  v_assignee := (v_route ->> 'user_id')::uuid;

  insert into public.cases (summary, source_text, source_link, account_id, contact_id, severity, category,
                            assignee_id, reporter_id, first_response_due, resolution_due, created_at, updated_at)
  values (v_summary, v_source, nullif(btrim(p ->> 'source_link'), ''), v_account, v_contact.id, v_severity, v_category,
          v_assignee, auth.uid(), v_now + make_interval(mins => v_policy.first_response_minutes),
          v_now + make_interval(mins => v_policy.resolution_minutes), v_now, v_now)
  returning id into v_id;
  if v_assignee is not null then perform private.count_new_case(v_assignee, v_now); end if;
  insert into public.case_events (case_id, kind, actor_id, detail, at)
  values (v_id, 'created', auth.uid(), jsonb_build_object('routing', v_route ->> 'rule', 'assignee_id', v_assignee), v_now);
  perform private.schedule_case_jobs(v_id, true);
  return jsonb_build_object('target_type', 'case', 'target_id', v_id::text, 'routing', v_route ->> 'rule')
         || private.case_json(v_id);
end $$;

-- Locks the new assignee (and the old one, in a fixed order) and checks they can take one more case.
create function private.check_reassign(p_from uuid, p_to uuid) returns void
language plpgsql security definer set search_path = public as $$
declare
  v public.support_agents;
  v_name text := (select name from public.users where id = p_to);
begin
  perform private.lock_agents(array_remove(array[p_from, p_to], null));
  select * into v from public.support_agents where user_id = p_to and active;
  if not found then
    raise exception '% is not an active support agent, so I can''t give them the case.', coalesce(v_name, 'That person');
  end if;
  if v.open_cases >= v.capacity then
    raise exception '% already has % open cases (capacity %); choose someone else.', v_name, v.open_cases, v.capacity;
  end if;
end $$;

-- escalation.update: { case, status?, assignee_id?, severity? }
create function private.act_escalation_update(p jsonb) returns jsonb language plpgsql as $$
declare
  v_now timestamptz := now();
  v public.cases;
  v_status text := p ->> 'status';
  v_to uuid := (p ->> 'assignee_id')::uuid;
  v_severity public.case_severity := (p ->> 'severity')::public.case_severity;
  v_policy public.sla_policies;
  v_route jsonb;
  v_changes text[] := '{}';
  v_notify boolean := false;
  v_clock_start timestamptz;
begin
  if not private.has_role('support', 'manager', 'admin') then
    raise exception 'Only support staff, managers and admins can work cases.';
  end if;
  select * into v from public.cases where id = (p ->> 'case')::bigint for update;
  if not found then raise exception 'There is no case #%.', p ->> 'case'; end if;
  if v_status is null and v_to is null and v_severity is null then
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
    update public.cases set status = 'reopened', resolved_at = null, updated_at = v_now,
           resolution_due = v_now + make_interval(mins => v_policy.resolution_minutes)
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'reopened', auth.uid(), v_now);
    v_changes := v_changes || 'reopened'::text;
  elsif v.status = 'resolved' then
    raise exception 'Case #% is resolved; reopen it first.', v.id;
  end if;

  if v_to is not null and v_to is distinct from v.assignee_id then
    perform private.check_reassign(v.assignee_id, v_to);
    insert into public.case_events (case_id, kind, actor_id, detail, at)
    values (v.id, 'reassigned', auth.uid(), jsonb_build_object('from', v.assignee_id, 'to', v_to), v_now);
    update public.cases set assignee_id = v_to, updated_at = v_now where id = v.id returning * into v;
    v_changes := v_changes || 'reassigned'::text;
    v_notify := true;
  end if;

  if v_severity is not null and v_severity <> v.severity then
    v_policy := private.sla_policy(v_severity, v.account_id);
    v_clock_start := coalesce((select max(at) from public.case_events where case_id = v.id and kind = 'reopened'), v.created_at);
    insert into public.case_events (case_id, kind, actor_id, detail, at)
    values (v.id, 'severity_changed', auth.uid(), jsonb_build_object('from', v.severity, 'to', v_severity), v_now);
    update public.cases set severity = v_severity, updated_at = v_now,
           first_response_due = created_at + make_interval(mins => v_policy.first_response_minutes),
           resolution_due = v_clock_start + make_interval(mins => v_policy.resolution_minutes)
     where id = v.id returning * into v;
    v_changes := v_changes || 'severity'::text;
  end if;

  if v_status = 'acknowledged' then
    if v.status = 'acknowledged' then raise exception 'Case #% is already acknowledged.', v.id; end if;
    update public.cases set status = 'acknowledged', first_response_at = coalesce(first_response_at, v_now), updated_at = v_now
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'acknowledged', auth.uid(), v_now);
    v_changes := v_changes || 'acknowledged'::text;
  elsif v_status = 'resolved' then
    update public.cases set status = 'resolved', resolved_at = v_now, updated_at = v_now,
           first_response_at = coalesce(first_response_at, v_now)
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'resolved', auth.uid(), v_now);
    v_changes := v_changes || 'resolved'::text;
  end if;

  if cardinality(v_changes) = 0 then
    raise exception 'Case #% already looks like that; nothing was changed.', v.id;
  end if;
  perform private.schedule_case_jobs(v.id, v_notify);
  return jsonb_build_object('target_type', 'case', 'target_id', v.id::text, 'changes', to_jsonb(v_changes),
                            'routing', v_route ->> 'rule') || private.case_json(v.id);
end $$;

-- The holder of an escalation level: the configured user, else the manager of the level below.
create function private.chain_holder(p_level int, p_assignee uuid) returns uuid
language plpgsql stable security definer set search_path = public as $$
declare
  v_holder uuid := p_assignee;
  v_fixed uuid;
begin
  for l in 1 .. p_level loop
    select user_id into v_fixed from public.escalation_chain where level = l;
    v_holder := coalesce(v_fixed,
      (select manager_id from public.users where id = v_holder),
      case when v_holder is null then
        (select u.manager_id from public.support_agents a join public.users u on u.id = a.user_id
          where a.active and u.manager_id is not null group by u.manager_id order by count(*) desc, u.manager_id limit 1)
      end);
  end loop;
  return v_holder;
end $$;

-- The breach check a `sla.check` job runs (service only), at `now` (injectable). One step per
-- level: the steps already taken for this deadline decide when the next one is due, under the
-- case's row lock, so a job that runs twice finds its step taken. Schedules the next check itself.
create function public.sla_check(args jsonb) returns jsonb
language plpgsql security definer set search_path = public as $$
declare
  v_now timestamptz := coalesce((args ->> 'now')::timestamptz, now());
  v_check text := args ->> 'check';
  v public.cases;
  v_due timestamptz;
  v_every interval;
  v_steps int;
  v_step_due timestamptz;
  v_top int := coalesce((select max(level) from public.escalation_chain), 0);
  v_level int;
  v_to uuid;
begin
  if v_check is null or v_check not in ('first_response', 'resolution') then
    raise exception 'unknown SLA check %', v_check using errcode = '22023';
  end if;
  select * into v from public.cases where id = (args ->> 'case_id')::bigint for update;
  if not found then return jsonb_build_object('status', 'gone'); end if;
  if v.status = 'resolved' or (v_check = 'first_response' and v.first_response_at is not null) then
    return jsonb_build_object('status', 'met');
  end if;
  v_due := case v_check when 'first_response' then v.first_response_due else v.resolution_due end;
  v_every := make_interval(mins => (private.sla_policy(v.severity, v.account_id)).first_response_minutes);
  select count(*) into v_steps from public.case_events
   where case_id = v.id and kind in ('escalated', 'sla_breached')
     and detail ->> 'check' = v_check and (detail ->> 'due')::timestamptz = v_due;
  v_step_due := v_due + v_steps * v_every;
  if v.escalation_level >= v_top and v_steps > 0 then
    return jsonb_build_object('status', 'done');
  end if;
  if v_now < v_step_due then
    perform private.enqueue_sla_check(v.id, v_check, v_step_due);
    return jsonb_build_object('status', 'pending', 'next_check_at', v_step_due);
  end if;

  if v.escalation_level >= v_top then
    -- already at the top of the chain: record the breach once and tell the top again
    v_to := private.chain_holder(v_top, v.assignee_id);
    insert into public.case_events (case_id, kind, detail, at)
    values (v.id, 'sla_breached', jsonb_build_object('check', v_check, 'due', v_due, 'to_user_id', v_to), v_now);
    return jsonb_build_object('status', 'breached', 'check', v_check, 'due', v_due, 'level', v.escalation_level,
      'title', (select title from public.escalation_chain where level = v_top),
      'to', (select jsonb_build_object('id', id, 'name', name) from public.users where id = v_to)) || private.case_json(v.id);
  end if;

  v_level := v.escalation_level + 1;
  v_to := private.chain_holder(v_level, v.assignee_id);
  update public.cases set escalation_level = v_level, updated_at = v_now where id = v.id;
  insert into public.case_events (case_id, kind, detail, at)
  values (v.id, 'escalated', jsonb_build_object('check', v_check, 'due', v_due, 'level', v_level, 'to_user_id', v_to), v_now);
  if v_level < v_top then perform private.enqueue_sla_check(v.id, v_check, v_step_due + v_every); end if;
  return jsonb_build_object('status', 'escalated', 'check', v_check, 'due', v_due, 'level', v_level,
    'title', (select title from public.escalation_chain where level = v_level),
    'to', (select jsonb_build_object('id', id, 'name', name) from public.users where id = v_to)) || private.case_json(v.id);
end $$;

-- The case an assignment notice is about (service only: the notice job has no requester).
create function public.case_notice(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$ select private.case_json((args ->> 'case_id')::bigint) $$;

revoke execute on function public.sla_check(jsonb), public.case_notice(jsonb) from public, anon, authenticated;
grant execute on function public.sla_check(jsonb), public.case_notice(jsonb) to service_role;

-- A case as the requester may see it (previews of escalation.update).
create function public.case_brief(args jsonb) returns jsonb language sql stable as $$
  select private.case_json(c.id) from public.cases c where c.id = (args ->> 'case')::bigint
$$;

-- case.metrics: { from?, to? } (dates, UTC). Open cases now, and for the cases opened in the
-- period: objectives met among those decided (answered/resolved, or past their deadline), and the
-- median first-response time.
create function private.act_case_metrics(p jsonb) returns jsonb language plpgsql stable as $$
declare
  v_to date := coalesce((p ->> 'to')::date, (now() at time zone 'UTC')::date);
  v_from date := coalesce((p ->> 'from')::date, v_to - 29);
  v_open jsonb;
  v_period jsonb;
begin
  if not private.has_role('support', 'manager', 'admin') then
    raise exception 'Only support staff, managers and admins can see support metrics.';
  end if;
  if v_from > v_to then raise exception 'The period starts after it ends (% to %).', v_from, v_to; end if;
  select jsonb_object_agg(s::text, (select count(*) from public.cases c where c.status <> 'resolved' and c.severity = s))
    into v_open from unnest(enum_range(null::public.case_severity)) s;
  select jsonb_build_object(
      'created', count(*),
      'response_met', count(*) filter (where first_response_at <= first_response_due),
      'response_decided', count(*) filter (where first_response_at is not null or first_response_due < now()),
      'resolution_met', count(*) filter (where resolved_at <= resolution_due),
      'resolution_decided', count(*) filter (where resolved_at is not null or resolution_due < now()),
      'median_first_response_minutes', round((percentile_cont(0.5) within group (
          order by extract(epoch from first_response_at - created_at) / 60)
          filter (where first_response_at is not null))::numeric, 1))
    into v_period
    from public.cases
   where created_at >= (v_from::timestamp at time zone 'UTC') and created_at < ((v_to + 1)::timestamp at time zone 'UTC');
  return jsonb_build_object('target_type', 'cases', 'target_id', null, 'from', v_from, 'to', v_to, 'open', v_open)
         || v_period;
end $$;

-- The definer helpers run only inside the act_ functions (as the requester) and the service's jobs.
revoke execute on function private.route_case(public.case_category, timestamptz), private.lock_agents(uuid[]),
  private.count_new_case(uuid, timestamptz), private.case_json(bigint), private.enqueue_sla_check(bigint, text, timestamptz),
  private.schedule_case_jobs(bigint, boolean), private.check_reassign(uuid, uuid), private.chain_holder(int, uuid),
  private.cases_keep_load() from public, anon;
grant execute on function private.route_case(public.case_category, timestamptz), private.lock_agents(uuid[]),
  private.count_new_case(uuid, timestamptz), private.case_json(bigint), private.enqueue_sla_check(bigint, text, timestamptz),
  private.schedule_case_jobs(bigint, boolean), private.check_reassign(uuid, uuid) to authenticated, service_role;
grant execute on function private.chain_holder(int, uuid) to service_role;
