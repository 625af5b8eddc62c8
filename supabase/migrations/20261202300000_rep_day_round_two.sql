-- A rep's day, round two (issue 25): deals keep a next step and a loss reason; tasks have a time of day, an
-- assignee other than their creator (a manager's team), lists by week / overdue / team, and can be marked done;
-- accounts can be created from chat.

alter table public.deals add column next_step text, add column loss_reason text;
alter table public.tasks add column due_time time;

create or replace function public.deal_brief(args jsonb) returns jsonb language sql stable as $$
  select jsonb_build_object('id', d.id, 'name', d.name, 'account', a.name, 'stage', d.stage, 'amount', d.amount,
                            'close_date', d.close_date, 'owner', u.name, 'owner_id', d.owner_id,
                            'next_step', d.next_step, 'loss_reason', d.loss_reason)
  from public.deals d join public.accounts a on a.id = d.account_id join public.users u on u.id = d.owner_id
  where d.id = (args ->> 'id')::uuid
$$;

create or replace function public.account_open_deals(args jsonb) returns jsonb language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', d.id, 'name', d.name, 'stage', d.stage, 'amount', d.amount,
                                               'close_date', d.close_date, 'owner', u.name, 'contact_id', d.contact_id)
                            order by d.contact_id is not distinct from (args ->> 'contact_id')::uuid desc,
                                     d.owner_id = auth.uid() desc, d.last_activity_at desc nulls last, d.close_date, d.id), '[]')
  from public.deals d join public.users u on u.id = d.owner_id
  where d.account_id = (args ->> 'account_id')::uuid and d.stage not in ('closed_won', 'closed_lost')
$$;

create or replace function private.deal_update_problem(d public.deals, payload jsonb) returns text language plpgsql stable as $$
declare
  v_stage public.deal_stage := (payload ->> 'stage')::public.deal_stage;
  v_amount numeric := (payload ->> 'amount')::numeric;
  v_close date := (payload ->> 'close_date')::date;
  v_owner uuid := (payload ->> 'owner_id')::uuid;
  v_notes boolean := payload ? 'next_step' or payload ? 'loss_reason';
  v_new_owner public.users;
begin
  if private.has_role('rep') and d.owner_id <> auth.uid() then
    return format('%s belongs to %s; only they or a manager can change it.', d.name,
                  (select name from public.users where id = d.owner_id));
  end if;
  if v_stage is null and v_amount is null and v_close is null and v_owner is null and not v_notes then
    return format('Tell me what to change on %s: the stage, amount, close date, owner or next step.', d.name);
  end if;
  if v_stage = d.stage and v_amount is null and v_close is null and v_owner is null and not v_notes then
    return format('%s is already in %s; nothing to change.', d.name, private.stage_label(d.stage));
  end if;
  if payload ? 'loss_reason' and coalesce(v_stage, d.stage) <> 'closed_lost' then
    return format('A loss reason goes with a lost deal; %s would be %s.', d.name,
                  private.stage_label(coalesce(v_stage, d.stage)));
  end if;
  if payload ? 'next_step' and coalesce(v_stage, d.stage) in ('closed_won', 'closed_lost') then
    return format('%s would be closed; a next step goes on an open deal.', d.name);
  end if;
  if d.stage in ('closed_won', 'closed_lost') and not private.has_role('manager', 'admin') then
    if v_stage is not null and v_stage <> d.stage then
      return format('%s is %s; reopening or re-closing a closed deal needs a manager or an admin.', d.name,
                    private.stage_label(d.stage));
    end if;
    return format('%s is %s; only a manager or an admin can change a closed deal.', d.name, private.stage_label(d.stage));
  end if;
  if v_amount is not null and v_amount <= 0 then
    return 'The amount must be more than zero.';
  end if;
  if v_stage = 'closed_won' and coalesce(v_amount, d.amount) <= 0 then
    return format('%s has no amount yet; set the amount before marking it won.', d.name);
  end if;
  if v_close is not null and v_close < d.created_at::date then
    return format('The close date can''t be before the deal was created (%s).', private.day_label(d.created_at::date));
  end if;
  if v_owner is not null and v_owner <> d.owner_id then
    if private.has_role('rep') then
      return 'Only a manager or an admin can hand a deal to someone else.';
    end if;
    select * into v_new_owner from public.users where id = v_owner;
    if not found or not v_new_owner.active or v_new_owner.role not in ('rep', 'manager') then
      return format('%s can''t own deals; pick a rep or a manager.', coalesce(v_new_owner.name, 'That person'));
    end if;
    if private.has_role('manager') and v_new_owner.team is distinct from private.my_team() then
      return format('%s is not in your team (%s), so you can''t hand them this deal.', v_new_owner.name, private.my_team());
    end if;
  end if;
  return null;
end $$;
revoke execute on function private.deal_update_problem(deals, jsonb) from public, anon;
grant execute on function private.deal_update_problem(deals, jsonb) to authenticated, crm_writer, service_role;

create or replace function private.deal_json(d public.deals) returns jsonb language sql stable as $$
  select jsonb_build_object('stage', d.stage, 'amount', d.amount, 'close_date', d.close_date,
                            'owner', (select name from public.users where id = d.owner_id),
                            'next_step', d.next_step, 'loss_reason', d.loss_reason)
$$;
revoke execute on function private.deal_json(deals) from public, anon;
grant execute on function private.deal_json(deals) to authenticated, crm_writer, service_role;

create or replace function private.act_deal_update(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  d public.deals;
  n public.deals;
  v_problem text;
begin
  select * into d from public.deals where id = (payload ->> 'deal_id')::uuid;
  if not found then
    raise exception 'I can''t find that deal among the ones you can see.';
  end if;
  v_problem := private.deal_update_problem(d, payload);
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  update public.deals set
    stage = coalesce((payload ->> 'stage')::public.deal_stage, stage),
    amount = coalesce((payload ->> 'amount')::numeric, amount),
    close_date = coalesce((payload ->> 'close_date')::date, close_date),
    owner_id = coalesce((payload ->> 'owner_id')::uuid, owner_id),
    next_step = case when payload ? 'next_step' then payload ->> 'next_step' else next_step end,
    loss_reason = case when payload ? 'loss_reason' then payload ->> 'loss_reason' else loss_reason end
  where id = d.id
  returning * into n;
  if not found then
    raise exception 'You can''t change %.', d.name;
  end if;
  return jsonb_build_object('target_type', 'deal', 'target_id', d.id, 'name', d.name,
    'account', (select name from public.accounts where id = d.account_id),
    'before', private.deal_json(d), 'after', private.deal_json(n));
end $$;
alter function private.act_deal_update(jsonb) owner to crm_writer;
revoke execute on function private.act_deal_update(jsonb) from public, anon, authenticated;
grant execute on function private.act_deal_update(jsonb) to service_role;

create or replace function private.act_account_create(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_name text := btrim(payload ->> 'name');
  a public.accounts;
begin
  if coalesce(v_name, '') = '' then
    raise exception 'A new account needs a name.';
  end if;
  select * into a from public.accounts where lower(name) = lower(v_name) limit 1;
  if found then
    raise exception 'There is already an account called %.', a.name;
  end if;
  insert into public.accounts (name, domain, industry, region, owner_id)
  values (v_name, lower(nullif(btrim(payload ->> 'domain'), '')), nullif(btrim(payload ->> 'industry'), ''),
          coalesce((select region from public.users where id = auth.uid()), 'Global'), auth.uid())
  returning * into a;
  return jsonb_build_object('target_type', 'account', 'target_id', a.id,
    'account', jsonb_build_object('id', a.id, 'name', a.name, 'domain', a.domain, 'industry', a.industry,
                                  'region', a.region));
end $$;
alter function private.act_account_create(jsonb) owner to crm_writer;
revoke execute on function private.act_account_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_account_create(jsonb) to service_role;

create or replace function private.reminder_at(p_due date, p_time time, p_user uuid) returns timestamptz language sql stable as $$
  select (p_due + coalesce(p_time, time '09:00'))
         at time zone coalesce((select timezone from public.users where id = p_user), 'UTC')
$$;
revoke execute on function private.reminder_at(date, time, uuid) from public, anon;
grant execute on function private.reminder_at(date, time, uuid) to authenticated, crm_writer, service_role;

create or replace function private.task_assignee_problem(p_assignee uuid) returns text language plpgsql stable as $$
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

create or replace function public.check_task_assignee(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select jsonb_build_object('problem', private.task_assignee_problem((args ->> 'assignee_id')::uuid))
$$;
alter function public.check_task_assignee(jsonb) owner to crm_writer;
revoke execute on function public.check_task_assignee(jsonb) from public, anon;
grant execute on function public.check_task_assignee(jsonb) to authenticated, crm_writer, service_role;

create or replace function private.task_json(t public.tasks) returns jsonb language sql stable as $$
  select jsonb_build_object('id', t.id, 'text', t.text, 'due_date', t.due_date, 'remind_at', t.remind_at,
                            'due_time', to_char(t.due_time, 'HH24:MI'),
                            'assignee', (select name from public.users where id = t.assignee_id))
$$;
revoke execute on function private.task_json(tasks) from public, anon;
grant execute on function private.task_json(tasks) to authenticated, crm_writer, service_role;

create or replace function private.act_task_create(payload jsonb) returns jsonb language plpgsql
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

create or replace function private.act_task_list(payload jsonb) returns jsonb language plpgsql stable
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

create or replace function public.find_tasks(args jsonb) returns jsonb language sql stable as $$
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

create or replace function private.act_task_complete(payload jsonb) returns jsonb language plpgsql
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

create or replace function public.reminder_task(args jsonb) returns jsonb language sql stable security definer
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

insert into private.capabilities (role, action) values
  ('rep', 'task.complete'), ('manager', 'task.complete'), ('support', 'task.complete'),
  ('privacy_officer', 'task.complete'), ('admin', 'task.complete'),
  ('rep', 'account.create'), ('manager', 'account.create'), ('admin', 'account.create');
