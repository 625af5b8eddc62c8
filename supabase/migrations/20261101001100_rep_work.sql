-- A rep's daily work from chat: activities with follow-ups, tasks and their reminders, deal changes,
-- contacts and the customer 360, lead qualification. The act_* functions run as the requester
-- (security invoker, RLS applies); the rules that refuse a change live here, once, and the skills
-- ask the same functions before showing a confirmation (public.check_rep_action).

create function private.stage_label(s public.deal_stage) returns text language sql immutable as
  $$ select replace(s::text, '_', ' ') $$;

create function private.day_label(d date) returns text language sql immutable as
  $$ select to_char(d, 'FMDy FMDD Mon YYYY') $$;

-- ---------------------------------------------------------------------------------------------
-- Tasks and reminders: a reminder fires at 09:00 in the assignee's timezone on the due date,
-- through the durable job queue (one job per task, by dedupe key).

create function private.reminder_time(p_due date, p_user uuid) returns timestamptz language sql stable as $$
  select (p_due + time '09:00') at time zone coalesce((select timezone from public.users where id = p_user), 'UTC')
$$;

-- Users cannot write public.jobs; this definer helper enqueues only reminders of tasks the caller created.
create function private.enqueue_task_reminder(p_task uuid) returns void language sql security definer
set search_path = public as $$
  insert into public.jobs (kind, run_at, payload, dedupe_key)
  select 'task.reminder', t.remind_at, jsonb_build_object('task_id', t.id), 'task.reminder:' || t.id
  from public.tasks t
  where t.id = p_task and t.remind_at is not null and t.created_by = auth.uid()
  on conflict (dedupe_key) do nothing
$$;
revoke execute on function private.enqueue_task_reminder(uuid) from public, anon;
grant execute on function private.enqueue_task_reminder(uuid) to authenticated, service_role;

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

create function private.task_json(t public.tasks) returns jsonb language sql stable as $$
  select jsonb_build_object('id', t.id, 'text', t.text, 'due_date', t.due_date, 'remind_at', t.remind_at)
$$;

-- GDPR Art. 18: a contact under a processing restriction is kept, but nothing new is recorded about
-- them (processing_restricted is added by the data-requests migration; plpgsql resolves it at run time).
create function private.restriction_problem(p_contact uuid) returns text language plpgsql stable as $$
declare v_name text;
begin
  select name into v_name from public.contacts where id = p_contact and processing_restricted;
  return case when v_name is not null then format(
    'Processing of %s''s data is restricted (a GDPR request), so I can''t record anything new about them until a privacy officer lifts it.', v_name) end;
end $$;

create function private.act_task_create(payload jsonb) returns jsonb language plpgsql as $$
declare t public.tasks; v_problem text := private.restriction_problem((payload ->> 'contact_id')::uuid);
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  t := private.new_task(payload ->> 'text', (payload ->> 'dueDate')::date, (payload ->> 'contact_id')::uuid,
                        (payload ->> 'account_id')::uuid, null, null);
  return jsonb_build_object('target_type', 'task', 'target_id', t.id, 'task', private.task_json(t),
    'contact', (select name from public.contacts where id = t.contact_id),
    'account', (select name from public.accounts where id = t.account_id));
end $$;

-- The caller's open tasks due by a day (their local today, or a week ahead), overdue ones included.
create function private.act_task_list(payload jsonb) returns jsonb language plpgsql stable as $$
declare
  v_today date := (payload ->> 'today')::date;
  v_due text := coalesce(payload ->> 'due', 'today');
  v_until date := case v_due when 'week' then v_today + 6 when 'today' then v_today end;
  v_rows jsonb;
begin
  select coalesce(jsonb_agg(jsonb_build_object(
      'id', t.id, 'text', t.text, 'due_date', t.due_date, 'overdue', t.due_date < v_today,
      'contact', c.name, 'account', a.name) order by t.due_date nulls last, t.created_at), '[]')
  into v_rows
  from public.tasks t
  left join public.contacts c on c.id = t.contact_id
  left join public.accounts a on a.id = t.account_id
  where t.assignee_id = auth.uid() and t.status = 'open'
    and (v_until is null or t.due_date <= v_until);
  return jsonb_build_object('target_type', 'task', 'due', v_due, 'today', v_today, 'tasks', v_rows);
end $$;

-- The reminder job's two steps (system work): what to send, then that it was sent.
create function public.reminder_task(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select jsonb_build_object('task_id', t.id, 'assignee_id', t.assignee_id, 'text', t.text, 'due_date', t.due_date,
                            'contact', c.name, 'account', a.name)
  from public.tasks t
  left join public.contacts c on c.id = t.contact_id
  left join public.accounts a on a.id = t.account_id
  where t.id = (args ->> 'task_id')::uuid and t.status = 'open' and t.reminded_at is null
$$;

create function public.reminder_sent(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with r as (update public.tasks set reminded_at = now()
             where id = (args ->> 'task_id')::uuid and reminded_at is null returning id)
  select jsonb_build_object('marked', exists (select 1 from r))
$$;
revoke execute on function public.reminder_task(jsonb), public.reminder_sent(jsonb) from public, anon, authenticated;
grant execute on function public.reminder_task(jsonb), public.reminder_sent(jsonb) to service_role;

-- ---------------------------------------------------------------------------------------------
-- Activities.

-- The open deals of an account the caller can see, most relevant first: the contact's, the
-- caller's own, the most recently worked, the soonest to close.
create function public.account_open_deals(args jsonb) returns jsonb language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', d.id, 'name', d.name, 'stage', d.stage, 'amount', d.amount,
                                               'close_date', d.close_date, 'owner', u.name)
                            order by d.contact_id is not distinct from (args ->> 'contact_id')::uuid desc,
                                     d.owner_id = auth.uid() desc, d.last_activity_at desc nulls last, d.close_date, d.id), '[]')
  from public.deals d join public.users u on u.id = d.owner_id
  where d.account_id = (args ->> 'account_id')::uuid and d.stage not in ('closed_won', 'closed_lost')
$$;

-- Deals' last-activity date is maintained for everyone's pipeline views, so it is written as the
-- system, but only through an activity the caller just logged.
create function private.touch_deal(p_activity uuid) returns void language sql security definer set search_path = public as $$
  update public.deals d set last_activity_at = greatest(d.last_activity_at, a.occurred_at)
  from public.activities a
  where a.id = p_activity and a.owner_id = auth.uid() and d.id = a.deal_id
$$;
revoke execute on function private.touch_deal(uuid) from public, anon;
grant execute on function private.touch_deal(uuid) to authenticated, service_role;

create function private.act_activity_log(payload jsonb) returns jsonb language plpgsql as $$
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
          (payload ->> 'durationMinutes')::int, coalesce((payload ->> 'occurred_at')::timestamptz, now()),
          (payload ->> 'contact_id')::uuid, v_account, v_deal, auth.uid(),
          coalesce(nullif(current_setting('crm.channel', true), ''), 'assistant'))
  returning * into a;
  perform private.touch_deal(a.id);
  if payload ? 'followUp' then
    t := private.new_task(payload ->> 'followUp', (payload ->> 'followUpDate')::date, a.contact_id, a.account_id, a.deal_id, a.id);
  end if;
  return jsonb_build_object('target_type', 'activity', 'target_id', a.id,
    'activity', jsonb_build_object('id', a.id, 'kind', a.kind, 'duration_minutes', a.duration_minutes),
    'contact', (select name from public.contacts where id = a.contact_id),
    'account', (select name from public.accounts where id = a.account_id),
    'deal', (select name from public.deals where id = a.deal_id),
    'task', case when t.id is not null then private.task_json(t) end);
end $$;

-- ---------------------------------------------------------------------------------------------
-- Deals.

-- Deals matching a typed name, as the caller sees them. `match` says how: the deal's name, its
-- account's name, the account's name followed by more words ("acme renewal"), or only similar.
create function public.find_deals(args jsonb) returns jsonb language sql stable as $$
  with q as (select lower(btrim(args ->> 'q')) as q),
  hits as (
    select d.*, a.name as account_name,
           case when lower(d.name) = q.q then 1 when lower(a.name) = q.q then 2
                when q.q like lower(a.name) || ' %' then 3 else 4 end as match_rank,
           similarity(lower(d.name), q.q) as sim
    from public.deals d join public.accounts a on a.id = d.account_id, q
    where q.q <> '' and (lower(d.name) = q.q or lower(a.name) = q.q or q.q like lower(a.name) || ' %'
                         or lower(d.name) like q.q || '%' or lower(d.name) % q.q))
  select coalesce(jsonb_agg(x order by rank), '[]') from (
    select jsonb_build_object('id', h.id, 'name', h.name, 'account', h.account_name, 'account_id', h.account_id,
                              'stage', h.stage, 'close_date', h.close_date, 'open', h.stage not in ('closed_won', 'closed_lost'),
                              'match', (array['name', 'account', 'account_in_query', 'similar'])[h.match_rank]) as x,
           row_number() over (order by h.match_rank, h.sim desc, h.stage in ('closed_won', 'closed_lost'),
                              h.close_date, h.id) as rank
    from hits h
    order by rank limit least(coalesce((args ->> 'limit')::int, 8), 20)) s
$$;

create function public.deal_brief(args jsonb) returns jsonb language sql stable as $$
  select jsonb_build_object('id', d.id, 'name', d.name, 'account', a.name, 'stage', d.stage, 'amount', d.amount,
                            'close_date', d.close_date, 'owner', u.name, 'owner_id', d.owner_id)
  from public.deals d join public.accounts a on a.id = d.account_id join public.users u on u.id = d.owner_id
  where d.id = (args ->> 'id')::uuid
$$;

-- Why a change to a deal is not allowed, or null. Used before confirming and again when it runs.
create function private.deal_update_problem(d public.deals, payload jsonb) returns text language plpgsql stable as $$
declare
  v_stage public.deal_stage := (payload ->> 'stage')::public.deal_stage;
  v_amount numeric := (payload ->> 'amount')::numeric;
  v_close date := (payload ->> 'closeDate')::date;
  v_owner uuid := (payload ->> 'owner_id')::uuid;
  v_new_owner public.users;
begin
  if private.has_role('rep') and d.owner_id <> auth.uid() then
    return format('%s belongs to %s; only they or a manager can change it.', d.name,
                  (select name from public.users where id = d.owner_id));
  end if;
  if v_stage is null and v_amount is null and v_close is null and v_owner is null then
    return format('Tell me what to change on %s: the stage, amount, close date or owner.', d.name);
  end if;
  if v_stage = d.stage and v_amount is null and v_close is null and v_owner is null then
    return format('%s is already in %s; nothing to change.', d.name, private.stage_label(d.stage));
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

create function private.deal_create_problem(payload jsonb) returns text language plpgsql stable as $$
declare
  v_account public.accounts;
  v_stage public.deal_stage := coalesce((payload ->> 'stage')::public.deal_stage, 'prospecting');
begin
  select * into v_account from public.accounts where id = (payload ->> 'account_id')::uuid;
  if not found then
    return 'I can''t find that account any more.';
  end if;
  if v_stage in ('closed_won', 'closed_lost') then
    return 'A new deal starts open; create it first, then move it to a closed stage.';
  end if;
  if (payload ->> 'amount')::numeric <= 0 then
    return 'The amount must be more than zero.';
  end if;
  if exists (select 1 from public.deals where account_id = v_account.id and lower(name) = lower(payload ->> 'name')
             and stage not in ('closed_won', 'closed_lost')) then
    return format('%s already has an open deal called "%s".', v_account.name, payload ->> 'name');
  end if;
  return null;
end $$;

create function private.deal_json(d public.deals) returns jsonb language sql stable as $$
  select jsonb_build_object('stage', d.stage, 'amount', d.amount, 'close_date', d.close_date,
                            'owner', (select name from public.users where id = d.owner_id))
$$;

create function private.act_deal_update(payload jsonb) returns jsonb language plpgsql as $$
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
    close_date = coalesce((payload ->> 'closeDate')::date, close_date),
    owner_id = coalesce((payload ->> 'owner_id')::uuid, owner_id)
  where id = d.id
  returning * into n;
  if not found then
    raise exception 'You can''t change %.', d.name;
  end if;
  return jsonb_build_object('target_type', 'deal', 'target_id', d.id, 'name', d.name,
    'account', (select name from public.accounts where id = d.account_id),
    'before', private.deal_json(d), 'after', private.deal_json(n));
end $$;

create function private.act_deal_create(payload jsonb) returns jsonb language plpgsql as $$
declare
  v_problem text := private.deal_create_problem(payload);
  n public.deals;
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  insert into public.deals (name, account_id, owner_id, stage, amount, close_date)
  values (payload ->> 'name', (payload ->> 'account_id')::uuid, auth.uid(),
          coalesce((payload ->> 'stage')::public.deal_stage, 'prospecting'), coalesce((payload ->> 'amount')::numeric, 0),
          (payload ->> 'closeDate')::date)
  returning * into n;
  return jsonb_build_object('target_type', 'deal', 'target_id', n.id, 'name', n.name,
    'account', (select name from public.accounts where id = n.account_id), 'after', private.deal_json(n));
end $$;

-- ---------------------------------------------------------------------------------------------
-- Contacts and the customer 360. Contact details are masked unless the caller works the account:
-- a rep or manager sees email and phone of contacts whose account is owned by someone in their
-- team; support, privacy officers and admins see them all.

create function private.sees_contact_details(p_account uuid, p_contact_owner uuid) returns boolean language sql stable as $$
  select private.has_role('support', 'privacy_officer', 'admin')
      or (private.has_role('rep', 'manager') and exists (
            select 1 from public.users u
            where u.id = coalesce((select a.owner_id from public.accounts a where a.id = p_account), p_contact_owner)
              and u.team = private.my_team()))
$$;

create function private.mask_email(e text) returns text language sql immutable as
  $$ select case when e like '%@%' then left(e, 1) || '***@' || split_part(e, '@', 2) end $$;

create function private.mask_phone(p text) returns text language sql immutable as
  $$ select case when p is not null then '•••• ' || right(regexp_replace(p, '\D', '', 'g'), 4) end $$;

create function private.contact_card(c public.contacts) returns jsonb language sql stable as $$
  select jsonb_build_object('id', c.id, 'name', c.name, 'title', c.title,
    'email', case when v.sees then c.email else private.mask_email(c.email) end,
    'phone', case when v.sees then c.phone else private.mask_phone(c.phone) end,
    'masked', not v.sees)
  from (select private.sees_contact_details(c.account_id, c.owner_id) as sees) v
$$;

-- A contact's (or an account's) whole picture: details, account, open deals (as RLS allows), the
-- last 5 activities, open cases and consent.
create function public.customer_360(args jsonb) returns jsonb language plpgsql stable as $$
declare
  c public.contacts;
  v_account uuid := (args ->> 'account_id')::uuid;
begin
  if args ? 'contact_id' then
    select * into c from public.contacts where id = (args ->> 'contact_id')::uuid;
    if not found then
      raise exception 'I can''t find that contact any more.';
    end if;
    v_account := c.account_id;
  elsif not exists (select 1 from public.accounts where id = v_account) then
    raise exception 'I can''t find that account any more.';
  end if;
  return jsonb_build_object(
    'contact', case when c.id is not null then private.contact_card(c) end,
    'restricted', coalesce(c.processing_restricted, false),
    'account', (select jsonb_build_object('id', a.id, 'name', a.name, 'tier', a.tier, 'region', a.region,
                                          'industry', a.industry, 'owner', u.name)
                from public.accounts a left join public.users u on u.id = a.owner_id where a.id = v_account),
    'contacts', case when c.id is null then
      (select coalesce(jsonb_agg(private.contact_card(x) order by x.name), '[]') from public.contacts x
       where x.account_id = v_account) end,
    'deals', (select coalesce(jsonb_agg(jsonb_build_object('name', d.name, 'stage', d.stage, 'amount', d.amount,
                                                           'close_date', d.close_date, 'owner', u.name)
                                        order by d.close_date, d.name), '[]')
              from public.deals d join public.users u on u.id = d.owner_id
              where d.account_id = v_account and d.stage not in ('closed_won', 'closed_lost')),
    'activities', (select coalesce(jsonb_agg(x.j order by x.occurred_at desc), '[]') from (
        select jsonb_build_object('kind', t.kind, 'summary', t.summary, 'occurred_at', t.occurred_at, 'by', u.name) as j,
               t.occurred_at
        from public.activities t join public.users u on u.id = t.owner_id
        where (c.id is not null and t.contact_id = c.id) or (c.id is null and t.account_id = v_account)
        order by t.occurred_at desc limit 5) x),
    'cases', (select coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'summary', k.summary, 'severity', k.severity,
                                                           'status', k.status) order by k.created_at desc), '[]')
              from public.cases k
              where k.status <> 'resolved' and (k.account_id = v_account or (c.id is not null and k.contact_id = c.id))),
    'consents', case when c.id is not null then
      (select coalesce(jsonb_agg(jsonb_build_object('purpose', s.purpose, 'granted', s.granted, 'updated_at', s.updated_at)
                                 order by s.purpose), '[]')
       from public.consents s where s.contact_id = c.id) end);
end $$;

create function private.act_contact_lookup(payload jsonb) returns jsonb language sql stable as $$
  select public.customer_360(payload) || jsonb_build_object(
    'target_type', case when payload ? 'contact_id' then 'contact' else 'account' end,
    'target_id', coalesce(payload ->> 'contact_id', payload ->> 'account_id'))
$$;

create function private.contact_create_problem(payload jsonb) returns text language sql stable as $$
  select format('There is already a contact with the email %s: %s%s.', c.email, c.name, coalesce(' (' || a.name || ')', ''))
  from public.contacts c left join public.accounts a on a.id = c.account_id
  where lower(c.email) = lower(payload ->> 'email')
  limit 1
$$;

create function private.act_contact_create(payload jsonb) returns jsonb language plpgsql as $$
declare
  v_problem text := private.contact_create_problem(payload);
  c public.contacts;
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  insert into public.contacts (account_id, name, email, phone, title, owner_id)
  values ((payload ->> 'account_id')::uuid, payload ->> 'name', lower(payload ->> 'email'), payload ->> 'phone',
          payload ->> 'title', auth.uid())
  returning * into c;
  return jsonb_build_object('target_type', 'contact', 'target_id', c.id, 'contact', private.contact_card(c),
                            'account', (select name from public.accounts where id = c.account_id));
end $$;

-- ---------------------------------------------------------------------------------------------
-- Leads: MQL -> SQL, and conversion into an account (if new), a contact and a deal.

create function public.find_leads(args jsonb) returns jsonb language sql stable as $$
  with q as (select lower(btrim(args ->> 'q')) as q)
  select coalesce(jsonb_agg(x order by rank), '[]') from (
    select jsonb_build_object('id', l.id, 'name', l.name, 'company', l.company, 'status', l.status,
                              'exact', lower(l.name) = q.q or lower(l.email) = q.q) as x,
           row_number() over (order by lower(l.email) = q.q desc, lower(l.name) = q.q desc,
                              l.status in ('converted', 'disqualified'), similarity(lower(l.name), q.q) desc, l.name, l.id) as rank
    from public.leads l, q
    where q.q <> '' and (lower(l.email) = q.q or lower(l.name) = q.q or lower(l.name) like q.q || ' %'
                         or lower(l.name) like '% ' || q.q or lower(l.name) % q.q)
    order by rank limit least(coalesce((args ->> 'limit')::int, 6), 20)) s
$$;

create function private.lead_qualify_problem(l public.leads, payload jsonb) returns text language plpgsql stable as $$
declare v_to public.lead_status := (payload ->> 'status')::public.lead_status;
begin
  if l.status = 'converted' then
    return format('%s was already converted into a contact and a deal.', l.name);
  end if;
  if coalesce((payload ->> 'convert')::boolean, false) then
    if v_to <> 'sql' then
      return format('Only a sales-qualified lead can be converted; %s would be %s.', l.name, upper(v_to::text));
    end if;
    if l.company is null then
      return format('%s has no company, so I can''t tell which account to convert them into.', l.name);
    end if;
    return null;
  end if;
  if l.status = v_to then
    return format('%s is already %s.', l.name, case v_to when 'disqualified' then 'disqualified' else upper(v_to::text) end);
  end if;
  if v_to = 'mql' and l.status <> 'new' then
    return format('%s is already %s; a lead only moves forward to MQL from new.', l.name, upper(l.status::text));
  end if;
  return null;
end $$;

create function private.act_lead_qualify(payload jsonb) returns jsonb language plpgsql as $$
declare
  l public.leads;
  v_problem text;
  v_account uuid;
  v_account_new boolean := false;
  v_contact uuid;
  v_contact_new boolean := false;
  v_deal public.deals;
begin
  select * into l from public.leads where id = (payload ->> 'lead_id')::uuid;
  if not found then
    raise exception 'I can''t find that lead among the ones you can see.';
  end if;
  v_problem := private.lead_qualify_problem(l, payload);
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  if not coalesce((payload ->> 'convert')::boolean, false) then
    update public.leads set status = (payload ->> 'status')::public.lead_status, updated_at = now() where id = l.id;
    return jsonb_build_object('target_type', 'lead', 'target_id', l.id, 'name', l.name, 'company', l.company,
                              'from', l.status, 'to', payload ->> 'status');
  end if;

  select id into v_account from public.accounts where lower(name) = lower(l.company) order by created_at, id limit 1;
  if v_account is null then
    insert into public.accounts (name, domain, region, owner_id)
    values (l.company, nullif(split_part(l.email, '@', 2), ''),
            coalesce((select region from public.users where id = auth.uid()), 'Global'), auth.uid())
    returning id into v_account;
    v_account_new := true;
  end if;
  select id into v_contact from public.contacts where l.email is not null and lower(email) = lower(l.email) limit 1;
  if v_contact is null then
    insert into public.contacts (account_id, name, email, phone, owner_id)
    values (v_account, l.name, lower(l.email), l.phone, auth.uid())
    returning id into v_contact;
    v_contact_new := true;
  end if;
  insert into public.deals (name, account_id, contact_id, owner_id, stage, close_date)
  values (l.company || ' new business', v_account, v_contact, auth.uid(), 'qualification', (payload ->> 'closeDate')::date)
  returning * into v_deal;
  update public.leads set status = 'converted', contact_id = v_contact, deal_id = v_deal.id, updated_at = now()
  where id = l.id;
  return jsonb_build_object('target_type', 'lead', 'target_id', l.id, 'name', l.name, 'company', l.company,
    'from', l.status, 'to', 'converted',
    'converted', jsonb_build_object('account', l.company, 'account_id', v_account, 'account_created', v_account_new,
                                    'contact_id', v_contact, 'contact_created', v_contact_new,
                                    'deal', v_deal.name, 'deal_id', v_deal.id, 'close_date', v_deal.close_date));
end $$;

-- ---------------------------------------------------------------------------------------------
-- The same refusals as the act_* functions, asked before the user is shown a confirmation.
create function public.check_rep_action(args jsonb) returns jsonb language plpgsql stable as $$
declare
  p jsonb := coalesce(args -> 'payload', '{}');
  d public.deals;
  l public.leads;
  v_problem text;
begin
  case args ->> 'action'
    when 'deal.update' then
      select * into d from public.deals where id = (p ->> 'deal_id')::uuid;
      v_problem := case when d.id is null then 'I can''t find that deal among the ones you can see.'
                        else private.deal_update_problem(d, p) end;
    when 'deal.create' then v_problem := private.deal_create_problem(p);
    when 'contact.create' then v_problem := private.contact_create_problem(p);
    when 'activity.log', 'task.create' then v_problem := private.restriction_problem((p ->> 'contact_id')::uuid);
    when 'lead.qualify' then
      select * into l from public.leads where id = (p ->> 'lead_id')::uuid;
      v_problem := case when l.id is null then 'I can''t find that lead among the ones you can see.'
                        else private.lead_qualify_problem(l, p) end;
    else raise exception 'check_rep_action: unknown action %', args ->> 'action' using errcode = '22023';
  end case;
  return jsonb_build_object('problem', v_problem);
end $$;
