-- The API every adapter (PGlite, pg, supabase-js) calls: one jsonb argument in, jsonb out, run as the
-- requester. `public.perform` runs one action, `private.act_<type>` of the domain files: it checks
-- the role against private.capabilities, records the request id (the same id runs once), and writes
-- one audit_log row, atomically. Every act_ function runs as crm_writer (test/security.test.ts checks).

-- Append-only: who did what, through which channel, when. Free text is stored hashed.
create table public.audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_id uuid,
  actor_role text,
  channel text not null,
  request_id text,
  action text not null,
  target_type text,
  target_id text,
  detail jsonb not null default '{}'
);
create index audit_log_at_idx on public.audit_log (at);
create index audit_log_action_idx on public.audit_log (action, at);
alter table public.audit_log enable row level security;
revoke all on public.audit_log from authenticated;
grant select on public.audit_log to authenticated;
grant select, insert, update, delete on public.audit_log to service_role, crm_writer;
revoke usage, select on sequence public.audit_log_id_seq from authenticated;
grant select, usage on sequence public.audit_log_id_seq to service_role, crm_writer;
-- Admins and privacy officers read the audit log.
create policy audit_read on public.audit_log for select to authenticated, crm_writer
  using ((select private.has_role('admin', 'privacy_officer')));
create function private.audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
revoke execute on function private.audit_log_is_append_only() from public, anon;
grant execute on function private.audit_log_is_append_only() to authenticated, crm_writer, service_role;

create trigger audit_log_append_only before update or delete on public.audit_log
  for each row execute function private.audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.audit_log_is_append_only();

-- Free text in the audit log is hashed: the log must not keep personal data. Values kept in clear
-- must look like enum values, dates or ids; anything else is hashed.
create function private.redact(payload jsonb) returns jsonb language sql immutable as $$
  select coalesce(jsonb_object_agg(key, case
      when jsonb_typeof(value) in ('number', 'boolean', 'null') then value
      when jsonb_typeof(value) = 'object' then private.redact(value)
      when key in ('type', 'kind', 'metric', 'stage', 'severity', 'category', 'status', 'law', 'group_by',
                   'from', 'to', 'due_date', 'due_time', 'follow_up_date', 'close_date', 'occurred_on', 'step', 'due',
                   'scope', 'filter', 'date_basis', 'compare', 'notices', 'request', 'case', 'deal_id', 'account_id',
                   'contact_id', 'lead_id', 'id')
           and value #>> '{}' ~ '^[A-Za-z0-9_.:-]{1,40}$' then value
      else to_jsonb('sha256:' || left(encode(sha256(convert_to(lower(value #>> '{}'), 'UTF8')), 'hex'), 16))
    end), '{}'::jsonb)
  from jsonb_each(payload)
$$;
revoke execute on function private.redact(jsonb) from public, anon;
grant execute on function private.redact(jsonb) to authenticated, crm_writer, service_role;

create function private.hash_pii(value text) returns text language sql immutable as
  $$ select 'sha256:' || left(encode(sha256(convert_to(lower(value), 'UTF8')), 'hex'), 16) $$;
revoke execute on function private.hash_pii(text) from public, anon;
grant execute on function private.hash_pii(text) to authenticated, crm_writer, service_role;

create function private.audit(p_action text, p_channel text, p_request_id text, p_target_type text,
                              p_target_id text, p_detail jsonb)
returns void language sql security definer set search_path = public as $$
  insert into public.audit_log (actor_id, actor_role, channel, request_id, action, target_type, target_id, detail)
  values (auth.uid(), private.my_role(), coalesce(p_channel, 'system'), p_request_id, p_action,
          p_target_type, p_target_id, coalesce(p_detail, '{}'))
$$;
revoke execute on function private.audit(text, text, text, text, text, jsonb) from public, anon, authenticated;
grant execute on function private.audit(text, text, text, text, text, jsonb) to crm_writer, service_role;

-- What each role may run through `perform`: the same matrix as src/core/permissions.ts (a test
-- keeps the two equal). Actions answered without the database (help, clarify) are not listed.
create table private.capabilities (
  role text not null,
  action text not null,
  primary key (role, action)
);
grant select on private.capabilities to authenticated, service_role, crm_writer;
insert into private.capabilities (role, action)
select r, a from (values
  ('rep', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list',
                'data_request.list']),
  ('manager', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                    'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list',
                    'escalation.update', 'case.metrics', 'data_request.list']),
  ('support', array['contact.lookup', 'contact.create', 'activity.log', 'task.create', 'task.list',
                    'escalation.create', 'escalation.update', 'case.metrics', 'case.list', 'data_request.create',
                    'data_request.list']),
  ('privacy_officer', array['contact.lookup', 'task.create', 'task.list', 'escalation.create',
                            'data_request.create', 'data_request.list', 'data_request.step', 'audit.query', 'case.hold']),
  ('admin', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                  'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list',
                  'escalation.update', 'case.metrics', 'data_request.list', 'data_request.step', 'channel.configure', 'audit.query',
                  'case.hold']),
  ('guest', array['escalation.create'])
) m(r, actions), unnest(actions) a;
-- Looking at a case and its internal notes (skills/escalations).
insert into private.capabilities (role, action)
select r, a from unnest(array['rep', 'manager', 'support', 'privacy_officer', 'admin']) r, unnest(array['case.show']) a
union all
select r, 'case.note' from unnest(array['manager', 'support', 'admin']) r;
-- Tasks done from chat, and accounts created from chat (version 2).
insert into private.capabilities (role, action) values
  ('rep', 'task.complete'), ('manager', 'task.complete'), ('support', 'task.complete'),
  ('privacy_officer', 'task.complete'), ('admin', 'task.complete'),
  ('rep', 'account.create'), ('manager', 'account.create'), ('admin', 'account.create');

-- The assistant's bookkeeping, private to each user: parsed writes waiting for their author's
-- confirmation, and the request ids already run.
create table public.pending_actions (
  id uuid primary key default gen_random_uuid(),
  request_id text not null,
  user_id uuid not null references public.users(id),
  channel text not null,
  action jsonb not null,
  preview text not null,
  status text not null default 'pending' check (status in ('pending', 'confirmed', 'cancelled')),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '1 day',
  unique (user_id, request_id)
);
alter table public.pending_actions enable row level security;
revoke insert, update, delete on public.pending_actions from authenticated;
grant select on public.pending_actions to authenticated;
grant select, insert, update, delete on public.pending_actions to service_role, crm_writer;
create policy pending_own on public.pending_actions for all to authenticated, crm_writer
  using ((select private.is_crm_user()) and user_id = (select auth.uid()))
  with check ((select private.is_crm_user()) and user_id = (select auth.uid()));

-- Request ids come from the channels (Slack event ids, …): unique per user, so nobody can
-- pre-empt someone else's request by guessing its id.
create table public.processed_requests (
  user_id uuid not null references public.users(id),
  request_id text not null,
  action text not null,
  created_at timestamptz not null default now(),
  primary key (user_id, request_id)
);
alter table public.processed_requests enable row level security;
revoke insert, update, delete on public.processed_requests from authenticated;
grant select on public.processed_requests to authenticated;
grant select, insert, update, delete on public.processed_requests to service_role, crm_writer;
create policy processed_own on public.processed_requests for all to authenticated, crm_writer
  using ((select private.is_crm_user()) and user_id = (select auth.uid()))
  with check ((select private.is_crm_user()) and user_id = (select auth.uid()));

-- Stores a parsed write until its author confirms it; the same request id keeps one pending action.
create function public.pending_put(args jsonb) returns jsonb language plpgsql
security definer set search_path = public, private, extensions as $$
declare v public.pending_actions;
begin
  insert into public.pending_actions (request_id, user_id, channel, action, preview)
  values (args ->> 'request_id', auth.uid(), args ->> 'channel', args -> 'action', args ->> 'preview')
  on conflict (user_id, request_id) do nothing;
  select * into v from public.pending_actions where user_id = auth.uid() and request_id = args ->> 'request_id';
  return jsonb_build_object('id', v.id, 'status', v.status, 'preview', v.preview);
end $$;
alter function public.pending_put(jsonb) owner to crm_writer;

create function public.pending_cancel(args jsonb) returns jsonb language sql
security definer set search_path = public, private, extensions as $$
  with c as (
    update public.pending_actions set status = 'cancelled'
    where id = (args ->> 'id')::uuid and status = 'pending' returning id)
  select jsonb_build_object('cancelled', exists (select 1 from c))
$$;
alter function public.pending_cancel(jsonb) owner to crm_writer;

-- A requester's own pending write, so a channel can show it in an edit form before it is confirmed
-- (the Slack "Edit" button). Skills store resolved ids; `names` gives the names those ids stand for,
-- so the form shows what the user said. The pending_own policy keeps it to its author.
create function public.pending_get(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select jsonb_build_object(
    'id', p.id, 'action', p.action, 'preview', p.preview,
    'status', case when p.status = 'pending' and p.expires_at < now() then 'expired' else p.status end,
    'names', jsonb_strip_nulls(jsonb_build_object(
      'contact', (select c.name from public.contacts c where c.id::text = p.action ->> 'contact_id'),
      'account', (select a.name from public.accounts a where a.id::text = p.action ->> 'account_id'),
      'deal', (select d.name from public.deals d where d.id::text = p.action ->> 'deal_id'))))
  from public.pending_actions p
  where p.id = (args ->> 'id')::uuid
$$;
alter function public.pending_get(jsonb) owner to crm_writer;

-- Runs one action. With `pending_id`: the stored action, once, if it is still pending and the
-- caller's own. Otherwise: `action` + `payload` under `request_id`. A request id seen before
-- returns {"replayed": true} and writes nothing. The audit log gets no free text through it: known
-- channels, safe request ids, redacted payloads.
create function public.perform(args jsonb) returns jsonb language plpgsql
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
alter function public.perform(jsonb) owner to crm_writer;

-- The same refusals as the rep's act_* functions (deals, contacts, activities, tasks, leads), asked
-- before the user is shown a confirmation.
create function public.check_rep_action(args jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
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
alter function public.check_rep_action(jsonb) owner to crm_writer;

-- Candidates for a name the user typed: exact, then prefix/word, then trigram similarity. An email
-- finds a contact only for someone who may see that contact's details (no email oracle).
create function public.find_entities(args jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private, extensions as $$
declare
  q text := lower(btrim(args ->> 'q'));
  k text := args ->> 'kind';
  lim int := least(coalesce((args ->> 'limit')::int, 5), 20);
  res jsonb;
begin
  if q is null or q = '' then return '[]'; end if;
  if k = 'account' then
    select coalesce(jsonb_agg(x), '[]') into res from (
      select jsonb_build_object('id', a.id, 'name', a.name, 'detail', a.region) as x
      from public.accounts a
      where lower(a.name) = q or lower(a.name) like q || '%' or lower(a.name) like '% ' || q || '%'
         or lower(a.name) % q
      order by lower(a.name) = q desc, lower(a.name) like q || '%' desc, similarity(lower(a.name), q) desc, a.name
      limit lim) s;
  elsif k = 'contact' then
    select coalesce(jsonb_agg(x), '[]') into res from (
      select jsonb_build_object('id', c.id, 'name', c.name, 'detail', a.name, 'account_id', c.account_id) as x
      from public.contacts c left join public.accounts a on a.id = c.account_id
      where case when q like '%@%' then lower(c.email) = q and private.sees_contact_details(c.account_id, c.owner_id)
                 else lower(c.name) = q or lower(c.name) like q || ' %' or lower(c.name) like '% ' || q or lower(c.name) % q end
      order by lower(c.email) = q and private.sees_contact_details(c.account_id, c.owner_id) desc, lower(c.name) = q desc, similarity(lower(c.name), q) desc, c.name
      limit lim) s;
  elsif k = 'deal' then
    select coalesce(jsonb_agg(x), '[]') into res from (
      select jsonb_build_object('id', d.id, 'name', d.name, 'detail', a.name || ' · ' || d.stage, 'account_id', d.account_id) as x
      from public.deals d join public.accounts a on a.id = d.account_id
      where (lower(d.name) = q or lower(d.name) like q || '%' or lower(a.name) = q or lower(a.name) like q || '%'
             or lower(d.name) % q)
        and (coalesce((args ->> 'open')::boolean, false) = false or d.stage not in ('closed_won', 'closed_lost'))
      order by lower(d.name) = q desc, lower(a.name) = q desc, d.stage in ('closed_won', 'closed_lost'),
               similarity(lower(d.name), q) desc, d.close_date
      limit lim) s;
  elsif k = 'user' then
    select coalesce(jsonb_agg(x), '[]') into res from (
      select jsonb_build_object('id', u.id, 'name', u.name, 'detail', u.role::text || coalesce(' · ' || u.team, '')) as x
      from public.users u
      where u.active and (lower(u.email) = q or lower(u.name) = q or lower(u.name) like q || ' %'
                          or lower(u.name) like '% ' || q or lower(u.name) % q)
      order by lower(u.name) = q desc, similarity(lower(u.name), q) desc, u.name
      limit lim) s;
  else
    raise exception 'unknown entity kind %', k using errcode = '22023';
  end if;
  return res;
end $$;
alter function public.find_entities(jsonb) owner to crm_writer;

-- Every LLM call is audited without text: the model name must look like one, the outcome is one of
-- a few words, the prompt is a hash; staff only.
create function public.record_llm_call(args jsonb) returns jsonb language plpgsql
security definer set search_path = public, private, extensions as $$
begin
  if not private.is_staff()
     or coalesce(args ->> 'model', '') !~ '^[A-Za-z0-9._:/-]{1,100}$'
     or coalesce(args ->> 'outcome', '') not in ('ok', 'invalid', 'no_tool_call', 'error', 'timeout')
     or coalesce(args ->> 'prompt_hash', '') !~ '^[0-9a-f]{16,64}$' then
    raise exception 'not an LLM call record' using errcode = '22023';
  end if;
  perform private.audit('llm.call', 'assistant', null, 'model', args ->> 'model',
    jsonb_build_object('prompt_sha256', args ->> 'prompt_hash', 'latency_ms', (args ->> 'latency_ms')::int, 'outcome', args ->> 'outcome'));
  return '{}'::jsonb;
end $$;
alter function public.record_llm_call(jsonb) owner to crm_writer;

-- The audit trail as an answer ("who exported data this week").

-- The account an audited record belongs to, whatever its type.
create function private.audit_account(p_type text, p_id text) returns uuid language sql stable as $$
  select case p_type
    when 'activity' then (select account_id from public.activities where id::text = p_id)
    when 'deal' then (select account_id from public.deals where id::text = p_id)
    when 'case' then (select account_id from public.cases where id::text = p_id)
    when 'contact' then (select account_id from public.contacts where id::text = p_id)
    when 'task' then (select account_id from public.tasks where id::text = p_id)
    when 'account' then (select id from public.accounts where id::text = p_id)
  end
$$;
revoke execute on function private.audit_account(text, text) from public, anon;
grant execute on function private.audit_account(text, text) to authenticated, crm_writer, service_role;

-- How an audited record is named in an answer: the deal's or account's name, a case or request number.
create function private.audit_target_label(p_type text, p_id text) returns text language sql stable as $$
  select coalesce(case p_type
    when 'deal' then (select 'deal ' || name from public.deals where id::text = p_id)
    when 'account' then (select 'account ' || name from public.accounts where id::text = p_id)
    when 'contact' then (select 'contact ' || name from public.contacts where id::text = p_id)
    when 'activity' then (select a.kind || ' on ' || coalesce(acc.name, 'no account') from public.activities a
                          left join public.accounts acc on acc.id = a.account_id where a.id::text = p_id)
    when 'task' then (select 'task on ' || coalesce(acc.name, 'no account') from public.tasks t
                      left join public.accounts acc on acc.id = t.account_id where t.id::text = p_id)
    when 'case' then 'case #' || p_id
    when 'data_request' then 'request #' || p_id
  end, coalesce(p_type || ' ' || p_id, ''))
$$;
revoke execute on function private.audit_target_label(text, text) from public, anon;
grant execute on function private.audit_target_label(text, text) to authenticated, crm_writer, service_role;

create function private.act_audit_query(payload jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_from timestamptz := coalesce((payload ->> 'from')::date, current_date - 7);
  v_to timestamptz := coalesce((payload ->> 'to')::date, current_date) + 1;
  v_kind text := coalesce(payload ->> 'action', 'any');
  v_rows jsonb;
  v_total int;
begin
  if not private.has_role('admin', 'privacy_officer') then
    raise exception 'Only admins and privacy officers can read the audit trail.';
  end if;
  with hits as (
    select l.*, u.name as actor_name, dr.kind::text as request_kind
    from public.audit_log l
    left join public.users u on u.id = l.actor_id
    left join public.data_requests dr on l.target_type = 'data_request' and dr.id::text = l.target_id
    where l.at >= v_from and l.at < v_to
      and l.action not in ('audit.query')
      and (payload ->> 'actor_id' is null or l.actor_id = (payload ->> 'actor_id')::uuid)
      and (payload ->> 'account_id' is null or private.audit_account(l.target_type, l.target_id) = (payload ->> 'account_id')::uuid)
      and case v_kind
        when 'export' then l.action = 'data_request.step' and l.detail ->> 'step' = 'execute' and dr.kind in ('access', 'portability')
        when 'erasure' then l.action = 'data_request.step' and l.detail ->> 'step' = 'execute' and dr.kind = 'erasure'
        when 'data_request' then l.action like 'data_request.%'
        when 'llm' then l.action = 'llm.call'
        when 'write' then l.action not in ('pipeline.query', 'contact.lookup', 'task.list', 'case.metrics', 'data_request.list', 'llm.call', 'help')
        else true end
  )
  select count(*), coalesce(jsonb_agg(jsonb_build_object(
      'at', at, 'actor', actor_name, 'role', actor_role, 'channel', channel,
      'action', action || coalesce(' (' || nullif(concat_ws(', ', detail ->> 'step', request_kind), '') || ')', ''),
      'target', private.audit_target_label(target_type, target_id))
      order by at desc) filter (where rn <= 50), '[]')
  into v_total, v_rows
  from (select *, row_number() over (order by at desc) as rn from hits) h;
  return jsonb_build_object('target_type', 'audit_log', 'rows', v_rows, 'total', v_total, 'kind', v_kind,
                            'account_name', payload ->> 'account_name',
                            'from', v_from::date, 'to', (v_to - interval '1 day')::date);
end $$;
alter function private.act_audit_query(jsonb) owner to crm_writer;
revoke execute on function private.act_audit_query(jsonb) from public, anon, authenticated;
grant execute on function private.act_audit_query(jsonb) to service_role;
