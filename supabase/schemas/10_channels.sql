-- The chat side: what each shared channel may be used for (set by an admin from chat), and how the
-- bot reaches a Microsoft Teams conversation again later.

-- Per shared conversation: what it may be used for, and whether it receives escalation notices.
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
revoke insert, update, delete on public.channel_settings from authenticated;
grant select on public.channel_settings to authenticated;
grant select, insert, update, delete on public.channel_settings to service_role, crm_writer;
create policy channel_settings_read on public.channel_settings for select to authenticated, crm_writer using ((select private.is_crm_user()));
create policy channel_settings_admin on public.channel_settings for all to authenticated, crm_writer
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

-- What a shared conversation allows; null when it has no setting (then the role decides alone).
create function public.channel_scopes(args jsonb) returns jsonb language sql stable as $$
  select to_jsonb(allow) from public.channel_settings
  where channel = args ->> 'channel' and conversation = args ->> 'conversation'
$$;

create function private.act_channel_configure(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
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
alter function private.act_channel_configure(jsonb) owner to crm_writer;
revoke execute on function private.act_channel_configure(jsonb) from public, anon, authenticated;
grant execute on function private.act_channel_configure(jsonb) to service_role;

-- Where a kind of notice goes on a chat platform (system work: the notifiers ask it).
create function public.notice_target(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select to_jsonb(conversation) from public.channel_settings
  where channel = args ->> 'channel' and notices = args ->> 'notices'
$$;
revoke execute on function public.notice_target(jsonb) from public, anon, authenticated;
grant execute on function public.notice_target(jsonb) to service_role;

-- Microsoft Teams conversation references: how the bot reaches a conversation again later
-- (proactive reminders, escalation notices, SLA breaches, private answers). A personal (1:1)
-- conversation belongs to one CRM user; a channel is reached by its id (e.g. the one whose
-- channel_settings receive escalation notices). Only the bot's service role reads or writes them.

create table public.teams_conversations (
  conversation_id text primary key,
  kind text not null check (kind in ('personal', 'groupChat', 'channel')),
  user_id uuid references public.users(id) on delete cascade,
  reference jsonb not null,
  updated_at timestamptz not null default now(),
  check (kind = 'personal' or user_id is null)
);
create unique index teams_conversations_personal_idx on public.teams_conversations (user_id) where kind = 'personal';
alter table public.teams_conversations enable row level security;
revoke all on public.teams_conversations from public, anon, authenticated;
grant select, insert, update, delete on public.teams_conversations to crm_writer;

-- Upserts a reference; a user's newer 1:1 conversation replaces the older one.
create function public.teams_reference_save(args jsonb) returns jsonb language plpgsql security definer
set search_path = public as $$
declare
  v_kind text := args ->> 'kind';
  v_user uuid := case when args ->> 'kind' = 'personal' then (args ->> 'user_id')::uuid end;
begin
  if v_kind = 'personal' then
    delete from public.teams_conversations
    where kind = 'personal' and user_id = v_user and conversation_id <> args ->> 'conversation_id';
  end if;
  insert into public.teams_conversations (conversation_id, kind, user_id, reference)
  values (args ->> 'conversation_id', v_kind, v_user, args -> 'reference')
  on conflict (conversation_id) do update
    set kind = excluded.kind, user_id = excluded.user_id, reference = excluded.reference, updated_at = now();
  return jsonb_build_object('conversation_id', args ->> 'conversation_id');
end $$;
revoke execute on function public.teams_reference_save(jsonb) from public, anon, authenticated;
grant execute on function public.teams_reference_save(jsonb) to service_role;

-- The stored reference for a CRM user's 1:1 chat (user_id) or a conversation (conversation_id), or null.
create function public.teams_reference_load(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select t.reference from public.teams_conversations t
  where (args ? 'user_id' and t.kind = 'personal' and t.user_id = (args ->> 'user_id')::uuid)
     or (args ? 'conversation_id' and t.conversation_id = args ->> 'conversation_id')
  limit 1
$$;
revoke execute on function public.teams_reference_load(jsonb) from public, anon, authenticated;
grant execute on function public.teams_reference_load(jsonb) to service_role;

-- Chat deliveries already taken (a Slack event id): every replica claims a delivery here before
-- answering it, so one answer goes out however many replicas Slack's retries reach. Claims older
-- than a day are dropped (Slack retries within minutes).
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
