-- Fixes from a second security review:
-- * the API keeps no direct write access at all: pending_put / pending_cancel / perform run as the
--   writer role too, so a user cannot rewrite a confirmed action or forget a processed request id;
-- * the audit log gets no free text through perform (known channels, safe request ids, enum-like values)
--   or record_llm_call (staff only), and private.audit is no longer callable by API users;
-- * an email finds a contact only for someone who may see that contact's details (no email oracle);
-- * every policy that trusts auth.uid() also requires a known CRM role; sequences are not the API's.

-- Values kept in clear must look like enum values, dates or ids; anything else is hashed.
create or replace function private.redact(payload jsonb) returns jsonb language sql immutable as $$
  select coalesce(jsonb_object_agg(key, case
      when jsonb_typeof(value) in ('number', 'boolean', 'null') then value
      when jsonb_typeof(value) = 'object' then private.redact(value)
      when key in ('type', 'kind', 'metric', 'stage', 'severity', 'category', 'status', 'law', 'groupBy',
                   'from', 'to', 'dueDate', 'followUpDate', 'closeDate', 'step', 'due', 'scope', 'notices',
                   'request', 'case', 'deal_id', 'account_id', 'contact_id', 'lead_id', 'id')
           and value #>> '{}' ~ '^[A-Za-z0-9_.:-]{1,40}$' then value
      else to_jsonb('sha256:' || left(encode(sha256(convert_to(lower(value #>> '{}'), 'UTF8')), 'hex'), 16))
    end), '{}'::jsonb)
  from jsonb_each(payload)
$$;

create or replace function public.perform(args jsonb) returns jsonb language plpgsql as $$
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
  if not exists (select 1 from private.capabilities where action = v_action and role = auth.jwt() ->> 'crm_role') then
    raise exception 'role % may not %', coalesce(auth.jwt() ->> 'crm_role', 'none'), v_action using errcode = '42501';
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


create or replace function public.find_entities(args jsonb) returns jsonb language plpgsql stable as $$
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


create or replace function private.contact_create_problem(payload jsonb) returns text language sql stable as $$
  select case when private.sees_contact_details(c.account_id, c.owner_id)
    then format('There is already a contact with the email %s: %s%s.', c.email, c.name, coalesce(' (' || a.name || ')', ''))
    else 'A contact with that email already exists on an account outside your team; ask its owner to add you.' end
  from public.contacts c left join public.accounts a on a.id = c.account_id
  where lower(c.email) = lower(payload ->> 'email')
  limit 1
$$;

create or replace function public.record_llm_call(args jsonb) returns jsonb language plpgsql as $$
begin
  if not private.is_staff()
     or coalesce(args ->> 'model', '') !~ '^[A-Za-z0-9._:/-]{1,100}$'
     or coalesce(args ->> 'outcome', '') not in ('ok', 'invalid', 'no_tool_call', 'error', 'timeout')
     or coalesce(args ->> 'promptHash', '') !~ '^[0-9a-f]{16,64}$' then
    raise exception 'not an LLM call record' using errcode = '22023';
  end if;
  perform private.audit('llm.call', 'assistant', null, 'model', args ->> 'model',
    jsonb_build_object('prompt_sha256', args ->> 'promptHash', 'latency_ms', (args ->> 'latencyMs')::int, 'outcome', args ->> 'outcome'));
  return '{}'::jsonb;
end $$;

do $$
declare f text;
begin
  foreach f in array array['public.perform(jsonb)', 'public.pending_put(jsonb)', 'public.pending_cancel(jsonb)',
                           'public.find_entities(jsonb)', 'public.record_llm_call(jsonb)'] loop
    execute format('alter function %s security definer set search_path = public, private, extensions', f);
    execute format('alter function %s owner to crm_writer', f);
  end loop;
end $$;

revoke insert, update, delete on public.pending_actions, public.processed_requests from authenticated;
revoke usage, select on all sequences in schema public from authenticated;
-- private helpers: callable by API users (the policies use them), except the audit writer and the
-- actions, which only perform (running as crm_writer) may call
revoke execute on all functions in schema private from public, anon;
grant execute on all functions in schema private to authenticated, crm_writer, service_role;
revoke execute on function private.audit(text, text, text, text, text, jsonb) from authenticated;
do $$
declare f record;
begin
  for f in select p.oid::regprocedure as sig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = 'private' and p.proname like 'act\_%' loop
    execute format('revoke execute on function %s from authenticated', f.sig);
  end loop;
end $$;

alter policy cases_read on public.cases
  using ((select private.is_staff()) or ((select private.is_crm_user()) and reporter_id = (select auth.uid())));
alter policy tasks_read on public.tasks using ((select private.is_crm_user()) and (
  assignee_id = (select auth.uid()) or (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('manager')) and team = (select private.my_team()))));
alter policy data_requests_read on public.data_requests using ((select private.is_crm_user()) and (
  requested_by = (select auth.uid()) or (select private.has_role('privacy_officer', 'admin'))));
alter policy pending_own on public.pending_actions
  using ((select private.is_crm_user()) and user_id = (select auth.uid()))
  with check ((select private.is_crm_user()) and user_id = (select auth.uid()));
alter policy processed_own on public.processed_requests
  using ((select private.is_crm_user()) and user_id = (select auth.uid()))
  with check ((select private.is_crm_user()) and user_id = (select auth.uid()));
