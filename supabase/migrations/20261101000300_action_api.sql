-- The API every adapter (PGlite, pg, supabase-js) calls: one jsonb argument in, jsonb out, run as
-- the requester (security invoker, so the policies apply). Skills add `private.act_<type>` functions
-- in their own migrations; `perform` runs one of them with idempotency and an audit row, atomically.

-- Free text in the audit log is hashed: the log is append-only and must not keep personal data.
create function private.redact(payload jsonb) returns jsonb language sql immutable as $$
  select coalesce(jsonb_object_agg(key, case
      when jsonb_typeof(value) in ('number', 'boolean', 'null') then value
      when key in ('type', 'kind', 'metric', 'stage', 'severity', 'category', 'status', 'law', 'groupBy',
                   'from', 'to', 'dueDate', 'followUpDate', 'closeDate', 'step', 'due', 'team', 'region',
                   'request', 'case', 'deal_id', 'account_id', 'contact_id', 'id') then value
      when jsonb_typeof(value) = 'object' then private.redact(value)
      else to_jsonb('sha256:' || left(encode(sha256(convert_to(lower(value #>> '{}'), 'UTF8')), 'hex'), 16))
    end), '{}'::jsonb)
  from jsonb_each(payload)
$$;

create function private.hash_pii(value text) returns text language sql immutable as
  $$ select 'sha256:' || left(encode(sha256(convert_to(lower(value), 'UTF8')), 'hex'), 16) $$;

create function private.audit(p_action text, p_channel text, p_request_id text, p_target_type text,
                              p_target_id text, p_detail jsonb)
returns void language sql security definer set search_path = public as $$
  insert into public.audit_log (actor_id, actor_role, channel, request_id, action, target_type, target_id, detail)
  values (auth.uid(), auth.jwt() ->> 'crm_role', coalesce(p_channel, 'system'), p_request_id, p_action,
          p_target_type, p_target_id, coalesce(p_detail, '{}'))
$$;
revoke execute on function private.audit(text, text, text, text, text, jsonb) from public;
grant execute on function private.audit(text, text, text, text, text, jsonb) to authenticated, service_role;

-- What each role may run through `perform`: the same matrix as src/core/permissions.ts (a test
-- keeps the two equal). Actions answered without the database (help, clarify) are not listed.
create table private.capabilities (
  role text not null,
  action text not null,
  primary key (role, action)
);
insert into private.capabilities (role, action)
select r, a from (values
  ('rep', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list']),
  ('manager', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                    'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list',
                    'escalation.update', 'case.metrics']),
  ('support', array['contact.lookup', 'contact.create', 'activity.log', 'task.create', 'task.list',
                    'escalation.create', 'escalation.update', 'case.metrics', 'case.list', 'data_request.create']),
  ('privacy_officer', array['contact.lookup', 'task.create', 'task.list', 'escalation.create',
                            'data_request.create', 'data_request.list', 'data_request.step', 'audit.query']),
  ('admin', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                  'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list',
                  'escalation.update', 'case.metrics', 'data_request.list', 'data_request.step', 'channel.configure', 'audit.query']),
  ('guest', array['escalation.create'])
) m(r, actions), unnest(actions) a;
grant usage on schema private to authenticated, service_role;
grant select on private.capabilities to authenticated, service_role;

-- Who is asking, as the database sees it (auth.uid() and the claims).
create function public.whoami(args jsonb default '{}') returns jsonb language sql stable as $$
  select jsonb_build_object('uid', auth.uid(), 'role', auth.jwt() ->> 'crm_role', 'team', auth.jwt() ->> 'team',
                            'db_role', current_user)
$$;

-- Stores a parsed write until its author confirms it; the same request id keeps one pending action.
create function public.pending_put(args jsonb) returns jsonb language plpgsql as $$
declare v public.pending_actions;
begin
  insert into public.pending_actions (request_id, user_id, channel, action, preview)
  values (args ->> 'request_id', auth.uid(), args ->> 'channel', args -> 'action', args ->> 'preview')
  on conflict (user_id, request_id) do nothing;
  select * into v from public.pending_actions where user_id = auth.uid() and request_id = args ->> 'request_id';
  return jsonb_build_object('id', v.id, 'status', v.status, 'preview', v.preview);
end $$;

create function public.pending_cancel(args jsonb) returns jsonb language sql as $$
  with c as (
    update public.pending_actions set status = 'cancelled'
    where id = (args ->> 'id')::uuid and status = 'pending' returning id)
  select jsonb_build_object('cancelled', exists (select 1 from c))
$$;

-- Runs one action. With `pending_id`: the stored action, once, if it is still pending and the
-- caller's own. Otherwise: `action` + `payload` under `request_id`. A request id seen before
-- returns {"replayed": true} and writes nothing.
create function public.perform(args jsonb) returns jsonb language plpgsql as $$
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
  perform private.audit(v_action, v_channel, v_request, v_result ->> 'target_type', v_result ->> 'target_id',
                        private.redact(v_payload - 'type'));
  return coalesce(v_result, '{}') || jsonb_build_object('action', v_action);
end $$;

-- Candidates for a name the user typed: exact, then prefix/word, then trigram similarity.
create function public.find_entities(args jsonb) returns jsonb language plpgsql stable as $$
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
      where lower(c.email) = q or lower(c.name) = q or lower(c.name) like q || ' %' or lower(c.name) like '% ' || q
         or lower(c.name) % q
      order by lower(c.email) = q desc, lower(c.name) = q desc, similarity(lower(c.name), q) desc, c.name
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

-- Channel identity -> CRM user. System work: only the service role may call it.
create function public.user_for_channel(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select to_jsonb(u) - 'created_at' from public.users u
  where u.active and (
    (args ? 'slack_user_id' and u.slack_user_id = args ->> 'slack_user_id')
    or (args ? 'teams_aad_id' and u.teams_aad_id = args ->> 'teams_aad_id')
    or (args ? 'email' and lower(u.email) = lower(args ->> 'email'))
    or (args ? 'id' and u.id = (args ->> 'id')::uuid)
    or (args ? 'name' and (lower(u.name) = lower(args ->> 'name') or lower(u.name) like lower(args ->> 'name') || ' %')))
  order by (u.slack_user_id = args ->> 'slack_user_id') desc nulls last
  limit 1
$$;
revoke execute on function public.user_for_channel(jsonb) from public, anon, authenticated;
grant execute on function public.user_for_channel(jsonb) to service_role;
