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

-- The stored reference for a CRM user's 1:1 chat (user_id) or a conversation (conversation_id), or null.
create function public.teams_reference_load(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select t.reference from public.teams_conversations t
  where (args ? 'user_id' and t.kind = 'personal' and t.user_id = (args ->> 'user_id')::uuid)
     or (args ? 'conversation_id' and t.conversation_id = args ->> 'conversation_id')
  limit 1
$$;

revoke execute on function public.teams_reference_save(jsonb), public.teams_reference_load(jsonb) from public, anon, authenticated;
grant execute on function public.teams_reference_save(jsonb), public.teams_reference_load(jsonb) to service_role;
