-- The trust layer's data: what each shared channel may be used for, and the audit trail as an answer.

create table public.channel_settings (
  channel text not null check (channel in ('slack', 'teams', 'repl')),
  conversation text not null,
  -- null: no restriction beyond the asker's role
  allow text[] check (allow <@ array['pipeline', 'logging', 'escalations', 'data_requests', 'everything']),
  -- the one conversation per chat platform that receives these notices (new cases, SLA breaches)
  notices text check (notices in ('escalations')),
  updated_by uuid references public.users(id),
  updated_at timestamptz not null default now(),
  primary key (channel, conversation)
);
create unique index channel_settings_notices_idx on public.channel_settings (channel, notices) where notices is not null;
alter table public.channel_settings enable row level security;
grant select, insert, update, delete on public.channel_settings to authenticated, service_role;
create policy channel_settings_read on public.channel_settings for select to authenticated using (true);
create policy channel_settings_admin on public.channel_settings for all to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

-- What a shared conversation allows; null when it has no setting (then the role decides alone).
create function public.channel_scopes(args jsonb) returns jsonb language sql stable as $$
  select to_jsonb(allow) from public.channel_settings
  where channel = args ->> 'channel' and conversation = args ->> 'conversation'
$$;

create function private.act_channel_configure(payload jsonb) returns jsonb language plpgsql as $$
declare
  v_allow text[] := case when payload ? 'allow' then array(select jsonb_array_elements_text(payload -> 'allow')) end;
  v_notices text := payload ->> 'notices';
  v_row public.channel_settings;
begin
  if not private.has_role('admin') then
    raise exception 'Only an admin can change what a channel is used for.';
  end if;
  if payload ->> 'conversation' is null then
    raise exception 'Channel settings apply to a shared channel; in a direct message everything your role allows is available.';
  end if;
  if v_notices is not null then
    update public.channel_settings set notices = null
    where channel = payload ->> 'channel' and notices = v_notices and conversation <> payload ->> 'conversation';
  end if;
  insert into public.channel_settings (channel, conversation, allow, notices, updated_by)
  values (payload ->> 'channel', payload ->> 'conversation', v_allow, v_notices, auth.uid())
  on conflict (channel, conversation) do update set
    allow = coalesce(excluded.allow, channel_settings.allow),
    notices = coalesce(excluded.notices, channel_settings.notices),
    updated_by = excluded.updated_by, updated_at = now()
  returning * into v_row;
  return jsonb_build_object('target_type', 'channel', 'target_id', v_row.channel || ':' || v_row.conversation,
                            'allow', to_jsonb(v_row.allow), 'notices', v_row.notices);
end $$;

-- Where a kind of notice goes on a chat platform (system work: the notifiers ask it).
create function public.notice_target(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select to_jsonb(conversation) from public.channel_settings
  where channel = args ->> 'channel' and notices = args ->> 'notices'
$$;
revoke execute on function public.notice_target(jsonb) from public, anon, authenticated;
grant execute on function public.notice_target(jsonb) to service_role;

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

create function private.act_audit_query(payload jsonb) returns jsonb language plpgsql stable as $$
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
