-- The people who use the assistant: CRM users, each with a role, a sales team and a region.
-- Identity reaches the database as JWT claims (the Supabase idiom): `sub` is the CRM user id; the
-- policies read that user's role and team from public.users through the helpers below (the
-- `crm_role` and `team` claims must agree), called as (select ...) so that each is evaluated once
-- per statement, not once per row.

-- `guest` is what people in chat with no linked CRM user (or Slack guests / external members) act
-- as: they may raise a case from a customer's message, and see nothing else.
create type public.user_role as enum ('rep', 'manager', 'support', 'privacy_officer', 'admin', 'guest');

create table public.users (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  email text not null unique,
  role public.user_role not null,
  team text,
  region text,
  manager_id uuid references public.users(id),
  slack_user_id text unique,
  teams_aad_id text unique,
  timezone text not null default 'UTC',
  active boolean not null default true,
  created_at timestamptz not null default now()
);
alter table public.users enable row level security;
revoke insert, update, delete on public.users from authenticated;
grant select on public.users to authenticated;
grant select, insert, update, delete on public.users to service_role, crm_writer;

-- Who is asking: the active CRM user that auth.uid() names, with the role and team public.users
-- records for them. The token's crm_role and team claims are hints that must agree: a token whose
-- claims disagree with the record (signed by anyone holding the secret, or issued before a change)
-- is refused; one without a crm_role claim (a plain Supabase Auth sign-in), or naming no active
-- user, is nobody. Security definer so that the policies on public.users can ask it without
-- recursing into themselves.
create function private.me() returns public.users language plpgsql stable security definer
set search_path = public as $$
declare
  v public.users;
  c jsonb := auth.jwt();
begin
  select * into v from public.users where id = auth.uid() and active;
  if not found or not c ? 'crm_role' then
    return null;
  end if;
  if c ->> 'crm_role' is distinct from v.role::text or (c ? 'team' and c ->> 'team' is distinct from v.team) then
    raise exception 'This sign-in''s role or team does not match the CRM''s record of you; sign in again.'
      using errcode = '42501';
  end if;
  return v;
end $$;
revoke execute on function private.me() from public, anon;
grant execute on function private.me() to authenticated, crm_writer, service_role;

create function private.my_role() returns text language sql stable as $$ select (private.me()).role::text $$;
revoke execute on function private.my_role() from public, anon;
grant execute on function private.my_role() to authenticated, crm_writer, service_role;

create function private.my_team() returns text language sql stable as $$ select (private.me()).team $$;
revoke execute on function private.my_team() from public, anon;
grant execute on function private.my_team() to authenticated, crm_writer, service_role;

create function private.has_role(variadic roles text[]) returns boolean language sql stable as
  $$ select coalesce(private.my_role() = any (roles), false) $$;
revoke execute on function private.has_role(text[]) from public, anon;
grant execute on function private.has_role(text[]) to authenticated, crm_writer, service_role;

-- Known CRM roles only: a token without a `crm_role` claim (a plain Supabase Auth sign-up, an
-- anonymous sign-in) is neither staff nor a CRM user, and the read policies show it nothing.
create function private.is_staff() returns boolean language sql stable as
  $$ select private.has_role('rep', 'manager', 'support', 'privacy_officer', 'admin') $$;
revoke execute on function private.is_staff() from public, anon;
grant execute on function private.is_staff() to authenticated, crm_writer, service_role;

create function private.is_crm_user() returns boolean language sql stable as
  $$ select private.is_staff() or private.has_role('guest') $$;
revoke execute on function private.is_crm_user() from public, anon;
grant execute on function private.is_crm_user() to authenticated, crm_writer, service_role;

-- Directory data: every CRM user reads it; admins maintain it.
create policy users_read on public.users for select to authenticated, crm_writer using ((select private.is_crm_user()));
create policy users_admin on public.users for all to authenticated, crm_writer
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

-- Deals, activities and tasks carry their owner's team, so that the policies and the pipeline
-- filter on one table; keep those copies right when someone changes team.
create function private.user_moved() returns trigger language plpgsql security definer set search_path = public as $$
begin
  update public.deals set team = new.team where owner_id = new.id and team is distinct from new.team;
  update public.activities set team = new.team where owner_id = new.id and team is distinct from new.team;
  update public.tasks set team = new.team where assignee_id = new.id and team is distinct from new.team;
  return null;
end $$;
revoke execute on function private.user_moved() from public, anon, authenticated;
grant execute on function private.user_moved() to crm_writer, service_role;

create trigger users_team_moved after update of team on public.users
  for each row when (old.team is distinct from new.team) execute function private.user_moved();

-- The one user that people without a linked CRM account act as.
insert into public.users (id, name, email, role, active)
values ('00000000-0000-4000-8000-00000000a0e5', 'Unlinked chat user', 'unlinked-chat-user@crm.invalid', 'guest', true)
on conflict (id) do nothing;

-- Who is asking, as the database sees it (auth.uid() and their record in public.users).
create function public.whoami(args jsonb default '{}') returns jsonb language sql stable as $$
  select jsonb_build_object('uid', auth.uid(), 'role', private.my_role(), 'team', private.my_team(),
                            'db_role', current_user)
$$;

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

-- People matching a name, for the terminal's `/as <name>` (system work: the service role only).
create function public.users_named(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select coalesce(jsonb_agg(to_jsonb(u) - 'created_at' order by lower(u.name) = lower(args ->> 'name') desc, u.name), '[]')
  from public.users u
  where u.active and u.role <> 'guest'
    and (lower(u.name) = lower(args ->> 'name') or lower(u.name) like lower(args ->> 'name') || ' %')
$$;
revoke execute on function public.users_named(jsonb) from public, anon, authenticated;
grant execute on function public.users_named(jsonb) to service_role;

-- The sales teams a pipeline question can name (teams that have reps).
create function public.pipeline_teams(args jsonb default '{}') returns jsonb language sql stable as $$
  select coalesce(jsonb_agg(distinct u.team order by u.team), '[]')
  from public.users u
  where u.active and u.role = 'rep' and u.team is not null
$$;
