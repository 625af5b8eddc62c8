-- A rep's daily work: activities (calls, meetings, emails, notes) with their follow-up tasks, and
-- the tasks' reminders. Activities and tasks carry their owner's team (trigger below); support reads
-- activities for context. A reminder fires at the due time (09:00 without one) in the assignee's timezone,
-- through the durable job queue (one job per task, by dedupe key).

create type public.activity_kind as enum ('call', 'meeting', 'email', 'note');

create table public.activities (
  id uuid primary key default gen_random_uuid(),
  kind public.activity_kind not null,
  summary text not null,
  outcome text,
  duration_minutes int check (duration_minutes > 0),
  occurred_at timestamptz not null default now(),
  contact_id uuid references public.contacts(id),
  account_id uuid references public.accounts(id),
  deal_id uuid references public.deals(id),
  owner_id uuid not null references public.users(id),
  team text,
  source_channel text,
  created_at timestamptz not null default now()
);
create index activities_contact_idx on public.activities (contact_id, occurred_at desc);
create index activities_account_idx on public.activities (account_id, occurred_at desc);
create index activities_deal_idx on public.activities (deal_id, occurred_at desc);
create index activities_owner_idx on public.activities (owner_id, occurred_at desc);
alter table public.activities enable row level security;
revoke insert, update, delete on public.activities from authenticated;
grant select on public.activities to authenticated;
grant select, insert, update, delete on public.activities to service_role, crm_writer;
create policy activities_read on public.activities for select to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer', 'support'))
  or team = (select private.my_team()));
create policy activities_insert on public.activities for insert to authenticated, crm_writer
  with check (owner_id = (select auth.uid()));
create policy activities_update on public.activities for update to authenticated, crm_writer using (
  owner_id = (select auth.uid()) or (select private.has_role('admin', 'privacy_officer')));
create policy activities_delete on public.activities for delete to authenticated, crm_writer
  using ((select private.has_role('admin', 'privacy_officer')));

create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  text text not null,
  due_date date,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  -- what the task is for: 'marketing' outreach tasks stop when that consent is withdrawn
  purpose text not null default 'sales',
  assignee_id uuid not null references public.users(id),
  team text,
  contact_id uuid references public.contacts(id),
  account_id uuid references public.accounts(id),
  deal_id uuid references public.deals(id),
  activity_id uuid references public.activities(id),
  remind_at timestamptz,
  reminded_at timestamptz,
  created_by uuid references public.users(id),
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  -- the time of day it is due, in the assignee's timezone ("at 3pm", "eod"); the reminder goes out then
  due_time time
);
create index tasks_assignee_idx on public.tasks (assignee_id, status, due_date);
create index tasks_contact_idx on public.tasks (contact_id);
create index tasks_remind_idx on public.tasks (remind_at) where status = 'open' and reminded_at is null;
alter table public.tasks enable row level security;
revoke insert, update, delete on public.tasks from authenticated;
grant select on public.tasks to authenticated;
grant select, insert, update, delete on public.tasks to service_role, crm_writer;
create policy tasks_read on public.tasks for select to authenticated, crm_writer using ((select private.is_crm_user()) and (
  assignee_id = (select auth.uid()) or (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('manager')) and team = (select private.my_team()))));
create policy tasks_insert on public.tasks for insert to authenticated, crm_writer with check (
  assignee_id = (select auth.uid())
  or (select private.has_role('admin'))
  or ((select private.has_role('manager')) and team = (select private.my_team())));
create policy tasks_update on public.tasks for update to authenticated, crm_writer using (
  assignee_id = (select auth.uid())
  or (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('manager')) and team = (select private.my_team())));
create policy tasks_delete on public.tasks for delete to authenticated, crm_writer
  using ((select private.has_role('admin', 'privacy_officer')));

create function private.owner_team() returns trigger language plpgsql security definer set search_path = public as $$
begin
  select team into new.team from public.users where id = (to_jsonb(new) ->> tg_argv[0])::uuid;
  return new;
end $$;
revoke execute on function private.owner_team() from public, anon, authenticated;
grant execute on function private.owner_team() to crm_writer, service_role;

create trigger activities_team before insert or update of owner_id on public.activities
  for each row execute function private.owner_team('owner_id');
create trigger tasks_team before insert or update of assignee_id on public.tasks
  for each row execute function private.owner_team('assignee_id');

-- Tasks and reminders.
create function private.reminder_time(p_due date, p_user uuid) returns timestamptz language sql stable as $$
  select (p_due + time '09:00') at time zone coalesce((select timezone from public.users where id = p_user), 'UTC')
$$;
revoke execute on function private.reminder_time(date, uuid) from public, anon;
grant execute on function private.reminder_time(date, uuid) to authenticated, crm_writer, service_role;

-- A task due at a time of day is reminded then; one due on a day only, at 09:00 (both in the assignee's timezone).
create function private.reminder_at(p_due date, p_time time, p_user uuid) returns timestamptz language sql stable as $$
  select (p_due + coalesce(p_time, time '09:00'))
         at time zone coalesce((select timezone from public.users where id = p_user), 'UTC')
$$;
revoke execute on function private.reminder_at(date, time, uuid) from public, anon;
grant execute on function private.reminder_at(date, time, uuid) to authenticated, crm_writer, service_role;

-- Who may be given a task: oneself; a manager's own team (reps and managers); anyone active, by an admin. A rep
-- gives tasks only to themself: a colleague's work is theirs or their manager's to plan.
create function private.task_assignee_problem(p_assignee uuid) returns text language plpgsql stable as $$
declare u public.users;
begin
  if p_assignee = auth.uid() then
    return null;
  end if;
  select * into u from public.users where id = p_assignee;
  if not found or not u.active then
    return 'That colleague is not an active CRM user.';
  end if;
  if private.has_role('admin') then
    return null;
  end if;
  if private.has_role('manager') then
    return case when u.team is distinct from private.my_team() or u.role not in ('rep', 'manager')
      then format('%s is not in your team (%s), so I can''t give them a task.', u.name, private.my_team()) end;
  end if;
  return format('Only a manager can give tasks to their team, so I can''t give %s one. I can remind you to ask them.',
                u.name);
end $$;
revoke execute on function private.task_assignee_problem(uuid) from public, anon;
grant execute on function private.task_assignee_problem(uuid) to authenticated, crm_writer, service_role;

-- The same refusal, asked before the user is shown a confirmation.
create function public.check_task_assignee(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select jsonb_build_object('problem', private.task_assignee_problem((args ->> 'assignee_id')::uuid))
$$;
alter function public.check_task_assignee(jsonb) owner to crm_writer;
revoke execute on function public.check_task_assignee(jsonb) from public, anon;
grant execute on function public.check_task_assignee(jsonb) to authenticated, crm_writer, service_role;

-- Users cannot write public.jobs; this definer helper enqueues only reminders of tasks the caller created.
create function private.enqueue_task_reminder(p_task uuid) returns void language sql security definer
set search_path = public as $$
  insert into public.jobs (kind, run_at, payload, dedupe_key)
  select 'task.reminder', t.remind_at, jsonb_build_object('task_id', t.id), 'task.reminder:' || t.id
  from public.tasks t
  where t.id = p_task and t.remind_at is not null and t.created_by = auth.uid()
  on conflict (dedupe_key) do nothing
$$;
revoke execute on function private.enqueue_task_reminder(uuid) from public, anon, authenticated;
grant execute on function private.enqueue_task_reminder(uuid) to crm_writer, service_role;

create function private.new_task(p_text text, p_due date, p_contact uuid, p_account uuid, p_deal uuid, p_activity uuid)
returns public.tasks language plpgsql as $$
declare t public.tasks;
begin
  insert into public.tasks (text, due_date, assignee_id, contact_id, account_id, deal_id, activity_id, remind_at, created_by)
  values (p_text, p_due, auth.uid(), p_contact, p_account, p_deal, p_activity,
          case when p_due is not null then private.reminder_time(p_due, auth.uid()) end, auth.uid())
  returning * into t;
  perform private.enqueue_task_reminder(t.id);
  return t;
end $$;
revoke execute on function private.new_task(text, date, uuid, uuid, uuid, uuid) from public, anon;
grant execute on function private.new_task(text, date, uuid, uuid, uuid, uuid) to authenticated, crm_writer, service_role;

create function private.task_json(t public.tasks) returns jsonb language sql stable as $$
  select jsonb_build_object('id', t.id, 'text', t.text, 'due_date', t.due_date, 'remind_at', t.remind_at,
                            'due_time', to_char(t.due_time, 'HH24:MI'),
                            'assignee', (select name from public.users where id = t.assignee_id))
$$;
revoke execute on function private.task_json(tasks) from public, anon;
grant execute on function private.task_json(tasks) to authenticated, crm_writer, service_role;

create function private.act_task_create(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  t public.tasks;
  v_assignee uuid := coalesce((payload ->> 'assignee_id')::uuid, auth.uid());
  v_due date := (payload ->> 'due_date')::date;
  v_time time := (payload ->> 'due_time')::time;
  v_problem text := coalesce(private.restriction_problem((payload ->> 'contact_id')::uuid),
                             private.task_assignee_problem(v_assignee));
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  if v_time is not null and v_due is null then
    raise exception 'A time needs a day: when is it due?';
  end if;
  insert into public.tasks (text, due_date, due_time, assignee_id, contact_id, account_id, remind_at, created_by)
  values (payload ->> 'text', v_due, v_time, v_assignee, (payload ->> 'contact_id')::uuid,
          (payload ->> 'account_id')::uuid, case when v_due is not null then private.reminder_at(v_due, v_time, v_assignee) end,
          auth.uid())
  returning * into t;
  perform private.enqueue_task_reminder(t.id);
  return jsonb_build_object('target_type', 'task', 'target_id', t.id, 'task', private.task_json(t),
    'contact', (select name from public.contacts where id = t.contact_id),
    'account', (select name from public.accounts where id = t.account_id));
end $$;
alter function private.act_task_create(jsonb) owner to crm_writer;
revoke execute on function private.act_task_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_task_create(jsonb) to service_role;

-- Open tasks due by a day (the asker's local today, the end of this week, or before today: overdue), overdue ones
-- included: the asker's own, a manager's team's, or a named colleague's (managers and admins; RLS keeps a manager
-- to their team).
create function private.act_task_list(payload jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_today date := (payload ->> 'today')::date;
  v_due text := coalesce(payload ->> 'due', 'today');
  v_until date := case v_due when 'week' then v_today + (7 - extract(isodow from v_today)::int)
                             when 'today' then v_today when 'overdue' then v_today - 1 end;
  v_who text := coalesce(payload ->> 'assignee', 'me');
  v_rows jsonb;
begin
  if v_who <> 'me' and not private.has_role('manager', 'admin') then
    raise exception 'You can see your own tasks; a colleague''s or the team''s are for their manager.';
  end if;
  select coalesce(jsonb_agg(jsonb_build_object(
      'id', t.id, 'text', t.text, 'due_date', t.due_date, 'due_time', to_char(t.due_time, 'HH24:MI'),
      'overdue', t.due_date < v_today, 'assignee', u.name, 'contact', c.name, 'account', a.name)
      order by t.due_date nulls last, t.due_time nulls last, t.created_at), '[]')
  into v_rows
  from public.tasks t
  join public.users u on u.id = t.assignee_id
  left join public.contacts c on c.id = t.contact_id
  left join public.accounts a on a.id = t.account_id
  where t.status = 'open'
    and case v_who when 'me' then t.assignee_id = auth.uid()
                   when 'team' then t.team = private.my_team()
                   else t.assignee_id = v_who::uuid end
    and (v_until is null or t.due_date <= v_until);
  return jsonb_build_object('target_type', 'task', 'due', v_due, 'today', v_today, 'assignee', v_who,
                            'name', payload ->> 'name', 'tasks', v_rows);
end $$;
alter function private.act_task_list(jsonb) owner to crm_writer;
revoke execute on function private.act_task_list(jsonb) from public, anon, authenticated;
grant execute on function private.act_task_list(jsonb) to service_role;

-- Open tasks the asker holds or gave, whose text, contact or account contain every word given ("lars follow up").
create function public.find_tasks(args jsonb) returns jsonb language sql stable as $$
  select coalesce(jsonb_agg(x order by due_date nulls last, created_at), '[]') from (
    select jsonb_build_object('id', t.id, 'text', t.text, 'due_date', t.due_date, 'due_time', to_char(t.due_time, 'HH24:MI'),
                              'assignee', u.name, 'contact', c.name, 'account', a.name) as x, t.due_date, t.created_at
    from public.tasks t
    join public.users u on u.id = t.assignee_id
    left join public.contacts c on c.id = t.contact_id
    left join public.accounts a on a.id = t.account_id
    where t.status = 'open' and (t.assignee_id = auth.uid() or t.created_by = auth.uid())
      and coalesce((select bool_and(' ' || regexp_replace(lower(concat_ws(' ', t.text, c.name, a.name)), '[^a-z0-9@]+', ' ', 'g')
                                    like '% ' || w || '%')
                    from jsonb_array_elements_text(args -> 'words') w), false)
    order by t.due_date nulls last, t.created_at
    limit 20) s
$$;

-- Marks one open task done (RLS: the assignee's own, a manager's team's, an admin's).
create function private.act_task_complete(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare t public.tasks;
begin
  update public.tasks set status = 'done', completed_at = now()
  where id = (payload ->> 'task_id')::uuid and status = 'open'
  returning * into t;
  if not found then
    raise exception 'That task is already done, or it is not one you can change.';
  end if;
  return jsonb_build_object('target_type', 'task', 'target_id', t.id, 'task', private.task_json(t),
    'contact', (select name from public.contacts where id = t.contact_id),
    'account', (select name from public.accounts where id = t.account_id));
end $$;
alter function private.act_task_complete(jsonb) owner to crm_writer;
revoke execute on function private.act_task_complete(jsonb) from public, anon, authenticated;
grant execute on function private.act_task_complete(jsonb) to service_role;

-- The reminder job's two steps (system work): what to send, then that it was sent.
create function public.reminder_task(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select jsonb_build_object('task_id', t.id, 'assignee_id', t.assignee_id, 'text', t.text, 'due_date', t.due_date,
                            'due_time', to_char(t.due_time, 'HH24:MI'), 'contact', c.name, 'account', a.name)
  from public.tasks t
  left join public.contacts c on c.id = t.contact_id
  left join public.accounts a on a.id = t.account_id
  where t.id = (args ->> 'task_id')::uuid and t.status = 'open' and t.reminded_at is null
$$;
revoke execute on function public.reminder_task(jsonb) from public, anon, authenticated;
grant execute on function public.reminder_task(jsonb) to service_role;

create function public.reminder_sent(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with r as (update public.tasks set reminded_at = now()
             where id = (args ->> 'task_id')::uuid and reminded_at is null returning id)
  select jsonb_build_object('marked', exists (select 1 from r))
$$;
revoke execute on function public.reminder_sent(jsonb) from public, anon, authenticated;
grant execute on function public.reminder_sent(jsonb) to service_role;

-- Hands back the claim of a reminder that could not be delivered, so that a retry sends it.
create function public.reminder_unsent(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  update public.tasks set reminded_at = null where id = (args ->> 'task_id')::uuid;
  select '{}'::jsonb
$$;
revoke execute on function public.reminder_unsent(jsonb) from public, anon, authenticated;
grant execute on function public.reminder_unsent(jsonb) to service_role;

-- Activities.

-- Deals' last-activity date is maintained for everyone's pipeline views, so it is written as the
-- system, but only through an activity the caller just logged.
create function private.touch_deal(p_activity uuid) returns void language sql security definer set search_path = public as $$
  update public.deals d set last_activity_at = greatest(d.last_activity_at, a.occurred_at)
  from public.activities a
  where a.id = p_activity and a.owner_id = auth.uid() and d.id = a.deal_id
$$;
revoke execute on function private.touch_deal(uuid) from public, anon, authenticated;
grant execute on function private.touch_deal(uuid) to crm_writer, service_role;

create function private.act_activity_log(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_deal uuid := (payload ->> 'deal_id')::uuid;
  v_account uuid := (payload ->> 'account_id')::uuid;
  a public.activities;
  t public.tasks;
  v_problem text := private.restriction_problem((payload ->> 'contact_id')::uuid);
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  if v_deal is not null and not exists (
      select 1 from public.deals where id = v_deal and account_id = v_account and stage not in ('closed_won', 'closed_lost')) then
    raise exception 'That deal is no longer open (or not visible to you); please log the activity again.';
  end if;
  insert into public.activities (kind, summary, outcome, duration_minutes, occurred_at, contact_id, account_id, deal_id,
                                 owner_id, source_channel)
  values ((payload ->> 'kind')::public.activity_kind, payload ->> 'summary', payload ->> 'outcome',
          (payload ->> 'duration_minutes')::int, coalesce((payload ->> 'occurred_at')::timestamptz, now()),
          (payload ->> 'contact_id')::uuid, v_account, v_deal, auth.uid(),
          coalesce(nullif(current_setting('crm.channel', true), ''), 'assistant'))
  returning * into a;
  perform private.touch_deal(a.id);
  if payload ? 'follow_up' then
    t := private.new_task(payload ->> 'follow_up', (payload ->> 'follow_up_date')::date, a.contact_id, a.account_id, a.deal_id, a.id);
  end if;
  return jsonb_build_object('target_type', 'activity', 'target_id', a.id,
    'activity', jsonb_build_object('id', a.id, 'kind', a.kind, 'duration_minutes', a.duration_minutes),
    'contact', (select name from public.contacts where id = a.contact_id),
    'account', (select name from public.accounts where id = a.account_id),
    'deal', (select name from public.deals where id = a.deal_id),
    'task', case when t.id is not null then private.task_json(t) end);
end $$;
alter function private.act_activity_log(jsonb) owner to crm_writer;
revoke execute on function private.act_activity_log(jsonb) from public, anon, authenticated;
grant execute on function private.act_activity_log(jsonb) to service_role;
