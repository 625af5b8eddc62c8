-- The CRM's schema as one baseline: supabase/schemas/*.sql in order, as of the squash of the
-- migrations 20261101000100 to 20261101002500 (version 0.x, nothing deployed yet). Read and change
-- the schema in supabase/schemas/; a change there comes with a new migration that makes the same
-- change, and test/schema.test.ts keeps the two equal. What schema diffing (`supabase db diff`)
-- cannot see is in the migrations around this one: the role (…_roles.sql), schema and column
-- privileges (…_privileges.sql) and the reference rows (…_reference_data.sql).

-- supabase/schemas/00_roles_and_schemas.sql
-- The CRM's schema, one file per domain, applied in the order of their numbers: leads come after the
-- deals they convert into, jobs before the tasks and cases that enqueue into them. Tables live in
-- `public`, which PostgREST exposes; helpers that are not part of the API live in `private`. The
-- Supabase platform's own part (the API roles anon, authenticated and service_role, auth.uid() and
-- auth.jwt()) exists already: on Supabase, or made by supabase/migrations/20261101000000_auth_shim.sql
-- on PGlite and plain Postgres.
--
-- Privileges, which every table and function below states next to its definition:
-- * `authenticated` is every user request, run as the requester: it reads through the row-level
--   policies and writes nothing directly. Every write is an action: `public.perform` runs
--   `private.act_<type>` as `crm_writer`, a role that may write but is neither the tables' owner nor
--   BYPASSRLS, so the same policies (which read the requester's JWT claims) decide what it touches.
-- * `service_role` is the assistant's system work: schedulers, channel identity.
-- * A function in `public` without grant lines is executable by PUBLIC, PostgreSQL's default for
--   functions, which includes `anon`.
-- * On a Supabase project whose default privileges still grant every new table in `public` to anon,
--   authenticated and service_role (projects created before 2026-05-30), the revokes next to each
--   table are what take those grants back; on PGlite and plain Postgres they change nothing.

create schema if not exists private;
create extension if not exists pg_trgm;

-- supabase/schemas/01_users_and_teams.sql
-- The people who use the assistant: CRM users, each with a role, a sales team and a region.
-- Identity reaches the database as JWT claims (the Supabase idiom): `sub` is the CRM user id;
-- `crm_role`, `team` and `region` describe them. The policies read them through the helpers below,
-- called as (select ...) so that each is evaluated once per statement, not once per row.

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

-- Who is asking.
create function private.my_role() returns text language sql stable as $$ select auth.jwt() ->> 'crm_role' $$;
revoke execute on function private.my_role() from public, anon;
grant execute on function private.my_role() to authenticated, crm_writer, service_role;

create function private.my_team() returns text language sql stable as $$ select auth.jwt() ->> 'team' $$;
revoke execute on function private.my_team() from public, anon;
grant execute on function private.my_team() to authenticated, crm_writer, service_role;

create function private.has_role(variadic roles text[]) returns boolean language sql stable as
  $$ select coalesce(auth.jwt() ->> 'crm_role' = any (roles), false) $$;
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
revoke execute on function private.user_moved() from public, anon;
grant execute on function private.user_moved() to authenticated, crm_writer, service_role;

create trigger users_team_moved after update of team on public.users
  for each row when (old.team is distinct from new.team) execute function private.user_moved();

-- Who is asking, as the database sees it (auth.uid() and the claims).
create function public.whoami(args jsonb default '{}') returns jsonb language sql stable as $$
  select jsonb_build_object('uid', auth.uid(), 'role', auth.jwt() ->> 'crm_role', 'team', auth.jwt() ->> 'team',
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

-- supabase/schemas/02_accounts.sql
-- The customers: accounts, shared company-wide. Every CRM user reads them; reps, managers and
-- admins create and update them (through the actions).

create type public.account_tier as enum ('standard', 'premium', 'enterprise');

create table public.accounts (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  domain text,
  industry text,
  tier public.account_tier not null default 'standard',
  region text not null,
  owner_id uuid references public.users(id),
  created_at timestamptz not null default now()
);
create index accounts_name_idx on public.accounts using gin (lower(name) gin_trgm_ops);
alter table public.accounts enable row level security;
revoke insert, update, delete on public.accounts from authenticated;
grant select on public.accounts to authenticated;
grant select, insert, update, delete on public.accounts to service_role, crm_writer;
create policy accounts_read on public.accounts for select to authenticated, crm_writer using ((select private.is_crm_user()));
create policy accounts_write on public.accounts for insert to authenticated, crm_writer
  with check ((select private.has_role('rep', 'manager', 'admin')));
create policy accounts_update on public.accounts for update to authenticated, crm_writer
  using ((select private.has_role('rep', 'manager', 'admin')));

-- Deals carry their account's region: keep that copy right when an account moves.
create function private.account_moved() returns trigger language plpgsql security definer set search_path = public as $$
begin
  update public.deals set region = new.region where account_id = new.id and region is distinct from new.region;
  return null;
end $$;
revoke execute on function private.account_moved() from public, anon;
grant execute on function private.account_moved() to authenticated, crm_writer, service_role;

create trigger accounts_region_moved after update of region on public.accounts
  for each row when (old.region is distinct from new.region) execute function private.account_moved();

-- supabase/schemas/03_contacts.sql
-- The people at the customers, and their consents. Staff read contacts (guests see none), but a
-- contact's email and phone cannot be selected from the table: the functions that need them run as
-- the writer role (the policies still apply) and show them only as the role model allows. The
-- customer 360 masks them unless the caller works the account: a rep or manager sees the email and
-- phone of contacts whose account is owned by someone in their team; support, privacy officers and
-- admins see them all.

create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  account_id uuid references public.accounts(id),
  name text not null,
  email text,
  phone text,
  title text,
  owner_id uuid references public.users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- GDPR Art. 18: a contact under a processing restriction is kept, but nothing new is recorded about them.
  processing_restricted boolean not null default false,
  -- When an erasure anonymised the contact (the row stays, so that deals and cases keep their shape).
  erased_at timestamptz
);
create index contacts_account_idx on public.contacts (account_id);
create index contacts_email_idx on public.contacts (lower(email));
create index contacts_name_idx on public.contacts using gin (lower(name) gin_trgm_ops);
alter table public.contacts enable row level security;
revoke select, insert, update, delete on public.contacts from authenticated;
grant select, insert, update, delete on public.contacts to service_role, crm_writer;
create policy contacts_read on public.contacts for select to authenticated, crm_writer using ((select private.is_staff()));
create policy contacts_write on public.contacts for insert to authenticated, crm_writer
  with check ((select private.has_role('rep', 'manager', 'support', 'admin')));
create policy contacts_update on public.contacts for update to authenticated, crm_writer
  using ((select private.has_role('rep', 'manager', 'privacy_officer', 'admin')));
create policy contacts_delete on public.contacts for delete to authenticated, crm_writer
  using ((select private.has_role('privacy_officer', 'admin')));

-- Consents per purpose ('marketing', ...).
create table public.consents (
  id uuid primary key default gen_random_uuid(),
  contact_id uuid not null references public.contacts(id) on delete cascade,
  purpose text not null,
  granted boolean not null,
  source text,
  updated_at timestamptz not null default now(),
  unique (contact_id, purpose)
);
alter table public.consents enable row level security;
revoke insert, update, delete on public.consents from authenticated;
grant select on public.consents to authenticated;
grant select, insert, update, delete on public.consents to service_role, crm_writer;
create policy consents_read on public.consents for select to authenticated, crm_writer using ((select private.is_staff()));
create policy consents_write on public.consents for all to authenticated, crm_writer
  using ((select private.has_role('rep', 'manager', 'privacy_officer', 'admin')))
  with check ((select private.has_role('rep', 'manager', 'privacy_officer', 'admin')));

-- Masking, and the customer 360.
create function private.sees_contact_details(p_account uuid, p_contact_owner uuid) returns boolean language sql stable as $$
  select private.has_role('support', 'privacy_officer', 'admin')
      or (private.has_role('rep', 'manager') and exists (
            select 1 from public.users u
            where u.id = coalesce((select a.owner_id from public.accounts a where a.id = p_account), p_contact_owner)
              and u.team = private.my_team()))
$$;
revoke execute on function private.sees_contact_details(uuid, uuid) from public, anon;
grant execute on function private.sees_contact_details(uuid, uuid) to authenticated, crm_writer, service_role;

create function private.mask_email(e text) returns text language sql immutable as
  $$ select case when e like '%@%' then left(e, 1) || '***@' || split_part(e, '@', 2) end $$;
revoke execute on function private.mask_email(text) from public, anon;
grant execute on function private.mask_email(text) to authenticated, crm_writer, service_role;

create function private.mask_phone(p text) returns text language sql immutable as
  $$ select case when p is not null then '•••• ' || right(regexp_replace(p, '\D', '', 'g'), 4) end $$;
revoke execute on function private.mask_phone(text) from public, anon;
grant execute on function private.mask_phone(text) to authenticated, crm_writer, service_role;

create function private.contact_card(c public.contacts) returns jsonb language sql stable as $$
  select jsonb_build_object('id', c.id, 'name', c.name, 'title', c.title,
    'email', case when v.sees then c.email else private.mask_email(c.email) end,
    'phone', case when v.sees then c.phone else private.mask_phone(c.phone) end,
    'masked', not v.sees)
  from (select private.sees_contact_details(c.account_id, c.owner_id) as sees) v
$$;
revoke execute on function private.contact_card(contacts) from public, anon;
grant execute on function private.contact_card(contacts) to authenticated, crm_writer, service_role;

-- A contact's (or an account's) whole picture: details, account, open deals (as RLS allows), the
-- last 5 activities, open cases and consent.
create function public.customer_360(args jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
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
alter function public.customer_360(jsonb) owner to crm_writer;

create function private.act_contact_lookup(payload jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select public.customer_360(payload) || jsonb_build_object(
    'target_type', case when payload ? 'contact_id' then 'contact' else 'account' end,
    'target_id', coalesce(payload ->> 'contact_id', payload ->> 'account_id'))
$$;
alter function private.act_contact_lookup(jsonb) owner to crm_writer;
revoke execute on function private.act_contact_lookup(jsonb) from public, anon, authenticated;
grant execute on function private.act_contact_lookup(jsonb) to service_role;

-- Why a new contact would be a duplicate, or null. An email on an account outside the caller's team
-- is not named (no email oracle).
create function private.contact_create_problem(payload jsonb) returns text language sql stable as $$
  select case when private.sees_contact_details(c.account_id, c.owner_id)
    then format('There is already a contact with the email %s: %s%s.', c.email, c.name, coalesce(' (' || a.name || ')', ''))
    else 'A contact with that email already exists on an account outside your team; ask its owner to add you.' end
  from public.contacts c left join public.accounts a on a.id = c.account_id
  where lower(c.email) = lower(payload ->> 'email')
  limit 1
$$;
revoke execute on function private.contact_create_problem(jsonb) from public, anon;
grant execute on function private.contact_create_problem(jsonb) to authenticated, crm_writer, service_role;

create function private.act_contact_create(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
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
alter function private.act_contact_create(jsonb) owner to crm_writer;
revoke execute on function private.act_contact_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_contact_create(jsonb) to service_role;

-- GDPR Art. 18: nothing new is recorded about a contact under a processing restriction.
create function private.restriction_problem(p_contact uuid) returns text language plpgsql stable as $$
declare v_name text;
begin
  select name into v_name from public.contacts where id = p_contact and processing_restricted;
  return case when v_name is not null then format(
    'Processing of %s''s data is restricted (a GDPR request), so I can''t record anything new about them until a privacy officer lifts it.', v_name) end;
end $$;
revoke execute on function private.restriction_problem(uuid) from public, anon;
grant execute on function private.restriction_problem(uuid) to authenticated, crm_writer, service_role;

-- The contact names the LLM parser masks before text leaves the process (system work).
create function public.contact_names(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select coalesce(jsonb_agg(distinct name), '[]') from public.contacts
$$;
revoke execute on function public.contact_names(jsonb) from public, anon, authenticated;
grant execute on function public.contact_names(jsonb) to service_role;

-- supabase/schemas/04_deals_and_pipeline.sql
-- Deals and the pipeline. A rep and a manager see their team's deals; a rep changes only their own,
-- a manager their team's; admins and privacy officers (for data requests) see all; support sees none.
-- Pipeline questions (`pipeline.query`) are one read-only action, private.act_pipeline_query, which
-- answers with the summary plus either the top rows or the per-group aggregates as jsonb, from the
-- running totals below where it can. It runs as the requester, so the deals policies decide which
-- deals count: a rep asking about another team simply finds none of its deals.

create type public.deal_stage as enum ('prospecting', 'qualification', 'discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost');

-- The sales process: order and default win probability of each stage (used by the weighted forecast).
create table public.stages (
  stage public.deal_stage primary key,
  position int not null unique,
  probability numeric(4, 3) not null check (probability between 0 and 1),
  is_closed boolean not null,
  is_won boolean not null
);
alter table public.stages enable row level security;
revoke insert, update, delete on public.stages from authenticated;
grant select on public.stages to authenticated;
grant select, insert, update, delete on public.stages to service_role, crm_writer;
create policy stages_read on public.stages for select to authenticated, crm_writer using ((select private.is_crm_user()));

create table public.deals (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  account_id uuid not null references public.accounts(id),
  contact_id uuid references public.contacts(id),
  owner_id uuid not null references public.users(id),
  -- team and region are copied from the owner and the account (trigger below) so that the
  -- pipeline queries and the row-level policies filter on one indexed table.
  team text,
  region text,
  stage public.deal_stage not null default 'prospecting',
  amount numeric(14, 2) not null default 0 check (amount >= 0),
  -- An ISO 4217 code: always three letters.
  -- squawk-ignore ban-char-field
  currency char(3) not null default 'USD',
  close_date date not null,
  closed_at timestamptz,
  stage_changed_at timestamptz not null default now(),
  last_activity_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index deals_team_close_idx on public.deals (team, close_date);
create index deals_owner_close_idx on public.deals (owner_id, close_date);
create index deals_region_close_idx on public.deals (region, close_date);
create index deals_stage_close_idx on public.deals (stage, close_date);
create index deals_close_idx on public.deals (close_date) include (amount, stage, owner_id, team, region);
create index deals_account_idx on public.deals (account_id);
create index deals_contact_idx on public.deals (contact_id);
-- Open-pipeline questions (the common ones: list, total, forecast, stuck) read only open deals, and
-- only a few columns of them: partial covering indexes answer them with index-only scans, scoped by
-- owner, by team (the deals policies filter on team too) or company-wide by close date. Win rates and
-- closed deals use the (owner_id, close_date) and (team, close_date) indexes above.
create index deals_open_owner_close_idx on public.deals (owner_id, close_date)
  include (amount, stage, team, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');
create index deals_open_team_close_idx on public.deals (team, close_date)
  include (amount, stage, owner_id, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');
create index deals_open_close_idx on public.deals (close_date)
  include (amount, stage, owner_id, team, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');
-- Deals in amount order, biggest first: a deal table reads its top rows off these, and questions
-- with an amount range (which the totals cannot apply) add up the deals from them without the table.
create index deals_open_team_amount_idx on public.deals (team, amount desc, close_date, id)
  include (stage, owner_id, region) where stage not in ('closed_won', 'closed_lost');
create index deals_open_amount_idx on public.deals (amount desc, close_date, id)
  include (stage, owner_id, team, region) where stage not in ('closed_won', 'closed_lost');
-- Stage and amount comparisons are not leakproof, so under the deals policies they cannot be index
-- conditions; partial indexes (whose predicates the planner matches anyway) serve the closed stages.
create index deals_won_amount_idx on public.deals (amount desc, close_date, id)
  include (owner_id, team, region) where stage = 'closed_won';
create index deals_lost_amount_idx on public.deals (amount desc, close_date, id)
  include (owner_id, team, region) where stage = 'closed_lost';
alter table public.deals enable row level security;
revoke insert, update, delete on public.deals from authenticated;
grant select on public.deals to authenticated;
grant select, insert, update, delete on public.deals to service_role, crm_writer;
create policy deals_read on public.deals for select to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));
create policy deals_insert on public.deals for insert to authenticated, crm_writer with check (
  (select private.has_role('admin'))
  or ((select private.has_role('rep')) and owner_id = (select auth.uid()))
  or ((select private.has_role('manager')) and exists (
        select 1 from public.users u where u.id = owner_id and u.team = (select private.my_team()))));
create policy deals_update on public.deals for update to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep')) and owner_id = (select auth.uid()))
  or ((select private.has_role('manager')) and team = (select private.my_team())));
create policy deals_delete on public.deals for delete to authenticated, crm_writer using ((select private.has_role('admin')));

create table public.deal_stage_history (
  id bigint generated always as identity primary key,
  deal_id uuid not null references public.deals(id) on delete cascade,
  from_stage public.deal_stage,
  to_stage public.deal_stage not null,
  changed_by uuid references public.users(id),
  changed_at timestamptz not null default now()
);
create index deal_stage_history_deal_idx on public.deal_stage_history (deal_id, changed_at);
alter table public.deal_stage_history enable row level security;
revoke insert, update, delete on public.deal_stage_history from authenticated;
grant select on public.deal_stage_history to authenticated;
grant select, insert, update, delete on public.deal_stage_history to service_role, crm_writer;
revoke usage, select on sequence public.deal_stage_history_id_seq from authenticated;
grant select, usage on sequence public.deal_stage_history_id_seq to service_role, crm_writer;
create policy deal_history_read on public.deal_stage_history for select to authenticated, crm_writer
  using (exists (select 1 from public.deals d where d.id = deal_id));

-- Keeps the denormalised columns right whatever writes the row, and records stage changes. A deal
-- that is won or lost closes today: a close date still in the future would leave it out of "won this
-- month" and the win rate until that date (the user can still set another date explicitly).
create function private.deals_fill() returns trigger language plpgsql security definer set search_path = public as $$
begin
  if tg_op = 'INSERT' or new.owner_id is distinct from old.owner_id then
    select team into new.team from public.users where id = new.owner_id;
  end if;
  if tg_op = 'INSERT' or new.account_id is distinct from old.account_id then
    select region into new.region from public.accounts where id = new.account_id;
  end if;
  if tg_op = 'UPDATE' and new.stage is distinct from old.stage then
    new.stage_changed_at := now();
    new.closed_at := case when new.stage in ('closed_won', 'closed_lost') then now() end;
    if new.closed_at is not null and new.close_date is not distinct from old.close_date and new.close_date > current_date then
      new.close_date := current_date;
    end if;
    insert into public.deal_stage_history (deal_id, from_stage, to_stage, changed_by)
      values (new.id, old.stage, new.stage, auth.uid());
  end if;
  new.updated_at := now();
  return new;
end $$;
revoke execute on function private.deals_fill() from public, anon;
grant execute on function private.deals_fill() to authenticated, crm_writer, service_role;

create trigger deals_fill before insert or update on public.deals
  for each row execute function private.deals_fill();

-- A deal created by a user starts its stage history (bulk loads bring their own history).
create function private.deals_first_stage() returns trigger language plpgsql security definer set search_path = public as $$
begin
  if auth.uid() is not null then
    insert into public.deal_stage_history (deal_id, from_stage, to_stage, changed_by, changed_at)
    values (new.id, null, new.stage, auth.uid(), new.created_at);
  end if;
  return null;
end $$;
revoke execute on function private.deals_first_stage() from public, anon;
grant execute on function private.deals_first_stage() to authenticated, crm_writer, service_role;

create trigger deals_first_stage after insert on public.deals
  for each row execute function private.deals_first_stage();

-- Pipeline answers at a million deals. Totals, counts, forecasts and win rates add up thousands of
-- deals, which no index makes fast enough company-wide, so they are read from two small running-total
-- tables kept exact by triggers on deals, in the same transaction as every deal write:
--   deal_totals       every deal by (team, owner, stage, region, close date): count and amount;
--   deal_idle_totals  open deals by (team, owner, stage, region, UTC day of last stage change or
--                     activity): answers "stuck for N days" without reading the deals.
-- They carry the deals' own team column and the same read policy, so a rep or manager adds up only
-- their team's deals, as when reading public.deals. Deal tables (the top rows) come from the deals,
-- through indexes in amount order. Questions the totals cannot answer (amount or account filters,
-- stuck deals in a close-date period) add up the deals as before.

create table public.deal_totals (
  team text,
  owner_id uuid not null,
  stage public.deal_stage not null,
  region text,
  close_date date not null,
  deals bigint not null,
  amount numeric not null,
  constraint deal_totals_key unique nulls not distinct (team, owner_id, stage, region, close_date)
);
create table public.deal_idle_totals (
  team text,
  owner_id uuid not null,
  stage public.deal_stage not null,
  region text,
  idle_date date not null,
  deals bigint not null,
  amount numeric not null,
  constraint deal_idle_totals_key unique nulls not distinct (team, owner_id, stage, region, idle_date)
);
alter table public.deal_totals enable row level security;
alter table public.deal_idle_totals enable row level security;
-- Read-only to users (only the triggers below write them); the deals_read policy, word for word.
revoke all on public.deal_totals from public, anon, authenticated;
grant select on public.deal_totals to authenticated, service_role;
grant select, insert, update, delete on public.deal_totals to crm_writer;
revoke all on public.deal_idle_totals from public, anon, authenticated;
grant select on public.deal_idle_totals to authenticated, service_role;
grant select, insert, update, delete on public.deal_idle_totals to crm_writer;
create policy deal_totals_read on public.deal_totals for select to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));
create policy deal_idle_totals_read on public.deal_idle_totals for select to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));

-- Adds the rows a statement wrote and subtracts the rows it replaced or deleted. Each key is
-- updated in place (insert ... on conflict), which locks its row until commit, so concurrent writers
-- queue on the keys they share and every increment lands; keys are taken in sorted order, so two
-- statements moving deals in opposite directions cannot deadlock on them. A key whose deals all left
-- keeps a zero row; readers skip zero groups.
create function private.deal_totals_add(added public.deals[], removed public.deals[]) returns void
language plpgsql security definer set search_path = public as $$
begin
  insert into public.deal_totals as t (team, owner_id, stage, region, close_date, deals, amount)
  select team, owner_id, stage, region, close_date, sum(n), sum(amount)
  from (select d.team, d.owner_id, d.stage, d.region, d.close_date, d.amount, 1 as n from unnest(added) d
        union all
        select d.team, d.owner_id, d.stage, d.region, d.close_date, -d.amount, -1 from unnest(removed) d) delta
  group by 1, 2, 3, 4, 5 having sum(n) <> 0 or sum(amount) <> 0 order by 1, 2, 3, 4, 5
  on conflict on constraint deal_totals_key
    do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount;

  insert into public.deal_idle_totals as t (team, owner_id, stage, region, idle_date, deals, amount)
  select team, owner_id, stage, region, idle_date, sum(n), sum(amount)
  from (select d.team, d.owner_id, d.stage, d.region, d.amount, 1 as n,
               (greatest(d.stage_changed_at, d.last_activity_at) at time zone 'UTC')::date as idle_date
        from unnest(added) d where d.stage not in ('closed_won', 'closed_lost')
        union all
        select d.team, d.owner_id, d.stage, d.region, -d.amount, -1,
               (greatest(d.stage_changed_at, d.last_activity_at) at time zone 'UTC')::date
        from unnest(removed) d where d.stage not in ('closed_won', 'closed_lost')) delta
  group by 1, 2, 3, 4, 5 having sum(n) <> 0 or sum(amount) <> 0 order by 1, 2, 3, 4, 5
  on conflict on constraint deal_idle_totals_key
    do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount;
end $$;
revoke execute on function private.deal_totals_add(deals[], deals[]) from public, anon;
grant execute on function private.deal_totals_add(deals[], deals[]) to authenticated, crm_writer, service_role;

create function private.deal_totals_track() returns trigger language plpgsql security definer set search_path = public as $$
begin
  -- Only the transition tables of the firing event exist, so each event names its own.
  if tg_op = 'INSERT' then
    perform private.deal_totals_add(array(select n::public.deals from new_rows n), null);
  elsif tg_op = 'UPDATE' then
    perform private.deal_totals_add(array(select n::public.deals from new_rows n), array(select o::public.deals from old_rows o));
  elsif tg_op = 'DELETE' then
    perform private.deal_totals_add(null, array(select o::public.deals from old_rows o));
  else
    delete from public.deal_totals;
    delete from public.deal_idle_totals;
  end if;
  return null;
end $$;
revoke execute on function private.deal_totals_track() from public, anon;
grant execute on function private.deal_totals_track() to authenticated, crm_writer, service_role;

create trigger deal_totals_insert after insert on public.deals referencing new table as new_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_update after update on public.deals referencing old table as old_rows new table as new_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_delete after delete on public.deals referencing old table as old_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_truncate after truncate on public.deals
  for each statement execute function private.deal_totals_track();
-- Analysed while empty, so that the planner starts from "no rows" rather than from "never analysed".
analyze public.deal_totals;
analyze public.deal_idle_totals;

create function private.stage_label(s public.deal_stage) returns text language sql immutable as
  $$ select replace(s::text, '_', ' ') $$;
revoke execute on function private.stage_label(deal_stage) from public, anon;
grant execute on function private.stage_label(deal_stage) to authenticated, crm_writer, service_role;

create function private.day_label(d date) returns text language sql immutable as
  $$ select to_char(d, 'FMDy FMDD Mon YYYY') $$;
revoke execute on function private.day_label(date) from public, anon;
grant execute on function private.day_label(date) to authenticated, crm_writer, service_role;

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

-- Why a change to a deal is not allowed, or null. Used before confirming and again when it runs.
create function private.deal_update_problem(d public.deals, payload jsonb) returns text language plpgsql stable as $$
declare
  v_stage public.deal_stage := (payload ->> 'stage')::public.deal_stage;
  v_amount numeric := (payload ->> 'amount')::numeric;
  v_close date := (payload ->> 'close_date')::date;
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
revoke execute on function private.deal_update_problem(deals, jsonb) from public, anon;
grant execute on function private.deal_update_problem(deals, jsonb) to authenticated, crm_writer, service_role;

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
revoke execute on function private.deal_create_problem(jsonb) from public, anon;
grant execute on function private.deal_create_problem(jsonb) to authenticated, crm_writer, service_role;

create function private.deal_json(d public.deals) returns jsonb language sql stable as $$
  select jsonb_build_object('stage', d.stage, 'amount', d.amount, 'close_date', d.close_date,
                            'owner', (select name from public.users where id = d.owner_id))
$$;
revoke execute on function private.deal_json(deals) from public, anon;
grant execute on function private.deal_json(deals) to authenticated, crm_writer, service_role;

create function private.act_deal_update(payload jsonb) returns jsonb language plpgsql
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
alter function private.act_deal_update(jsonb) owner to crm_writer;
revoke execute on function private.act_deal_update(jsonb) from public, anon, authenticated;
grant execute on function private.act_deal_update(jsonb) to service_role;

create function private.act_deal_create(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
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
          (payload ->> 'close_date')::date)
  returning * into n;
  return jsonb_build_object('target_type', 'deal', 'target_id', n.id, 'name', n.name,
    'account', (select name from public.accounts where id = n.account_id), 'after', private.deal_json(n));
end $$;
alter function private.act_deal_create(jsonb) owner to crm_writer;
revoke execute on function private.act_deal_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_deal_create(jsonb) to service_role;

create function private.act_pipeline_query(payload jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_metric text := payload ->> 'metric';
  v_group text := payload ->> 'group_by';
  v_owner uuid := (payload ->> 'owner_id')::uuid;
  v_team text := payload ->> 'team';
  v_stage public.deal_stage := (payload ->> 'stage')::public.deal_stage;
  v_region text := payload ->> 'region';
  v_account uuid := (payload ->> 'account_id')::uuid;
  v_from_date date := (payload ->> 'from')::date;
  v_to date := (payload ->> 'to')::date;
  v_min numeric := (payload ->> 'min_amount')::numeric;
  v_max numeric := (payload ->> 'max_amount')::numeric;
  v_stale int := coalesce((payload ->> 'stale_days')::int, 30);
  v_limit int := least(greatest(coalesce((payload ->> 'limit')::int, 10), 1), 100);
  v_asof date := coalesce((payload ->> 'today')::date, current_date);
  v_viewer_team text := auth.jwt() ->> 'team';
  v_cutoff timestamptz;
  v_where text := 'true';
  v_totals boolean;
  v_count text;
  v_source text;
  v_key text;
  v_label text;
  v_order text;
  v_prob text;
  v_pos text;
  v_summary text;
  v_sql text;
  v_result jsonb;
  v_rows jsonb;
begin
  if v_metric is null or v_metric not in ('list', 'total', 'count', 'forecast', 'win_rate', 'stuck', 'top') then
    raise exception 'I can answer pipeline questions about: list, total, count, forecast, win rate, stuck deals or top deals.';
  end if;
  if v_group is not null and v_group not in ('owner', 'stage', 'region', 'month') then
    raise exception 'I can group the pipeline by owner, stage, region or month.';
  end if;
  if v_from_date is not null and v_to is not null and v_from_date > v_to then
    raise exception 'The period starts (%) after it ends (%).', v_from_date, v_to;
  end if;
  -- The forecast is read stage by stage unless another grouping is asked for.
  if v_metric = 'forecast' and v_group is null then v_group := 'stage'; end if;
  -- Stuck: no stage change and no activity since midnight UTC, v_stale days before today.
  v_cutoff := (v_asof - v_stale)::timestamp at time zone 'UTC';

  -- Regions are stored with one spelling; match what was typed case-insensitively, then filter on the index.
  if v_region is not null then
    v_region := coalesce(
      (select u.region from public.users u where lower(u.region) = lower(v_region) limit 1),
      (select a.region from public.accounts a where lower(a.region) = lower(v_region) limit 1),
      v_region);
  end if;

  -- Only the filters that were asked for go into the statement, so each query is planned for its own
  -- indexes. The filters name columns that the deals and the totals tables share.
  if v_owner is not null then v_where := v_where || ' and d.owner_id = $1'; end if;
  if v_team is not null then v_where := v_where || ' and d.team = $2'; end if;
  -- The policies show reps and managers their own team's deals only; saying it in the statement as
  -- well lets the planner use the team indexes. The policies still apply.
  if auth.jwt() ->> 'crm_role' in ('rep', 'manager') then v_where := v_where || ' and d.team = $13'; end if;
  -- Closed deals count only for win rates and when a closed stage is asked for; the open-stage
  -- predicate is spelled exactly as in the partial indexes so that the planner can use them.
  if v_metric = 'win_rate' then
    v_where := v_where || ' and d.stage in (''closed_won'', ''closed_lost'')';
  else
    if v_stage is not null then v_where := v_where || ' and d.stage = $3'; end if;
    if v_stage is null or v_stage not in ('closed_won', 'closed_lost') or v_metric = 'stuck' then
      v_where := v_where || ' and d.stage not in (''closed_won'', ''closed_lost'')';
    end if;
  end if;
  if v_region is not null then v_where := v_where || ' and d.region = $4'; end if;

  -- The totals tables answer unless a filter needs the deals themselves.
  v_totals := v_account is null and v_min is null and v_max is null
    and (v_metric <> 'stuck' or (v_from_date is null and v_to is null and v_group is distinct from 'month'));
  if v_metric = 'stuck' and v_totals then
    v_source := 'from public.deal_idle_totals d where ' || v_where || ' and d.idle_date < ($10 at time zone ''UTC'')::date';
  else
    if v_from_date is not null then v_where := v_where || ' and d.close_date >= $6'; end if;
    if v_to is not null then v_where := v_where || ' and d.close_date <= $7'; end if;
    if v_account is not null then v_where := v_where || ' and d.account_id = $5'; end if;
    if v_min is not null then v_where := v_where || ' and d.amount >= $8'; end if;
    if v_max is not null then v_where := v_where || ' and d.amount <= $9'; end if;
    if v_metric = 'stuck' then
      v_where := v_where || ' and d.stage_changed_at < $10 and (d.last_activity_at is null or d.last_activity_at < $10)';
    end if;
    v_source := case when v_totals then 'from public.deal_totals d' else 'from public.deals d' end || ' where ' || v_where;
  end if;
  v_count := case when v_totals then 'sum(d.deals)' else 'count(*)' end;

  -- Stage probabilities and order are read once and inlined, instead of a join evaluated per row.
  select 'case d.stage ' || string_agg(format('when %L then %s', st.stage, st.probability), ' ') || ' end',
         'case d.stage ' || string_agg(format('when %L then %s', st.stage, st.position), ' ') || ' end'
    into v_prob, v_pos
  from public.stages st;

  if v_group is not null then
    v_key := case v_group
      when 'owner' then 'd.owner_id::text'
      when 'stage' then 'd.stage::text'
      when 'region' then $k$coalesce(d.region, '')$k$
      when 'month' then $k$to_char(d.close_date, 'YYYY-MM')$k$
    end;
    v_label := case v_group
      when 'owner' then '(select u.name from public.users u where u.id = g.key::uuid)'
      when 'region' then $k$coalesce(nullif(g.key, ''), '(no region)')$k$
      else 'g.key'
    end;
    v_order := case v_group
      when 'stage' then 'g.pos, g.key'
      when 'month' then 'g.key'
      else 'g.total desc, g.key'
    end;
    v_sql := format($q$
      with g as materialized (
        select %1$s as key, min(%5$s) as pos, %7$s as count, sum(d.amount) as total,
               round(sum(d.amount * %6$s), 2) as weighted,
               coalesce(%7$s filter (where d.stage = 'closed_won'), 0) as won,
               coalesce(%7$s filter (where d.stage = 'closed_lost'), 0) as lost,
               coalesce(sum(d.amount) filter (where d.stage = 'closed_won'), 0) as won_amount
        %2$s group by 1 having %7$s > 0)
      select jsonb_build_object(
        'summary', (select jsonb_build_object(
            'count', coalesce(sum(g.count), 0), 'total', coalesce(sum(g.total), 0), 'weighted', coalesce(sum(g.weighted), 0),
            'won', coalesce(sum(g.won), 0), 'lost', coalesce(sum(g.lost), 0), 'won_amount', coalesce(sum(g.won_amount), 0)) from g),
        'groups', (select coalesce(jsonb_agg(jsonb_build_object(
            'key', g.key, 'label', %3$s, 'count', g.count, 'total', g.total, 'weighted', g.weighted,
            'won', g.won, 'lost', g.lost, 'won_amount', g.won_amount) order by %4$s), '[]') from g))
      $q$, v_key, v_source, v_label, v_order, v_pos, v_prob, v_count);
  else
    v_sql := format($q$
      select jsonb_build_object('summary', jsonb_build_object(
          'count', coalesce(%3$s, 0), 'total', coalesce(sum(d.amount), 0), 'weighted', coalesce(round(sum(d.amount * %2$s), 2), 0),
          'won', coalesce(%3$s filter (where d.stage = 'closed_won'), 0), 'lost', coalesce(%3$s filter (where d.stage = 'closed_lost'), 0),
          'won_amount', coalesce(sum(d.amount) filter (where d.stage = 'closed_won'), 0)))
      %1$s $q$, v_source, v_prob, v_count);
  end if;
  execute v_sql into v_result
    using v_owner, v_team, v_stage, v_region, v_account, v_from_date, v_to, v_min, v_max, v_cutoff, v_asof, v_limit, v_viewer_team;

  if v_group is null and v_metric in ('list', 'top', 'stuck') then
    if v_metric = 'stuck' and v_totals then
      v_where := v_where || ' and d.stage_changed_at < $10 and (d.last_activity_at is null or d.last_activity_at < $10)';
    end if;
    -- The top rows. Walking an index in amount order finds them after about limit * (deals in scope /
    -- matching deals) rows, which is few unless the matching deals are few and, like one account's,
    -- all small; so when few match they are read through the filters' own indexes and sorted. Only
    -- those few rows are then read in full.
    execute format($q$
      with t as materialized (%1$s)
      select coalesce(jsonb_agg(jsonb_build_object(
               'id', x.id, 'name', x.name, 'account', a.name, 'owner', u.name, 'stage', x.stage,
               'amount', x.amount, 'close_date', x.close_date,
               'idle_days', $11 - greatest(x.stage_changed_at, coalesce(x.last_activity_at, x.stage_changed_at))::date)
             order by x.amount desc, x.close_date, x.id), '[]')
      from t join public.deals x on x.id = t.id
      left join public.accounts a on a.id = x.account_id
      left join public.users u on u.id = x.owner_id
      $q$, case when (v_result #>> '{summary,count}')::bigint <= 5000
        then 'with c as materialized (select d.id, d.amount, d.close_date from public.deals d where ' || v_where || ')
              select c.id from c order by c.amount desc, c.close_date, c.id limit $12'
        else 'select d.id from public.deals d where ' || v_where || ' order by d.amount desc, d.close_date, d.id limit $12'
      end) into v_rows
      using v_owner, v_team, v_stage, v_region, v_account, v_from_date, v_to, v_min, v_max, v_cutoff, v_asof, v_limit, v_viewer_team;
    v_result := v_result || jsonb_build_object('rows', v_rows);
  end if;

  return v_result || jsonb_build_object(
    'target_type', 'pipeline',
    'target_id', null,
    'metric', v_metric,
    'group_by', v_group,
    'region', v_region,
    'stale_days', v_stale,
    'limit', v_limit,
    'owner_team', (select u.team from public.users u where u.id = v_owner),
    'viewer', jsonb_build_object('role', auth.jwt() ->> 'crm_role', 'team', v_viewer_team),
    'query', payload);
end $$;
alter function private.act_pipeline_query(jsonb) owner to crm_writer;
revoke execute on function private.act_pipeline_query(jsonb) from public, anon, authenticated;
grant execute on function private.act_pipeline_query(jsonb) to service_role;

-- supabase/schemas/05_leads.sql
-- Leads: MQL -> SQL, and conversion into an account (if new), a contact and a deal.

create type public.lead_status as enum ('new', 'mql', 'sql', 'converted', 'disqualified');

create table public.leads (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  email text,
  phone text,
  company text,
  status public.lead_status not null default 'new',
  source text,
  owner_id uuid references public.users(id),
  contact_id uuid references public.contacts(id),
  deal_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index leads_owner_idx on public.leads (owner_id, status);
alter table public.leads enable row level security;
revoke insert, update, delete on public.leads from authenticated;
grant select on public.leads to authenticated;
grant select, insert, update, delete on public.leads to service_role, crm_writer;
create policy leads_sales on public.leads for all to authenticated, crm_writer
  using ((select private.has_role('rep', 'manager', 'admin', 'privacy_officer')))
  with check ((select private.has_role('rep', 'manager', 'admin', 'privacy_officer')));

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
revoke execute on function private.lead_qualify_problem(leads, jsonb) from public, anon;
grant execute on function private.lead_qualify_problem(leads, jsonb) to authenticated, crm_writer, service_role;

create function private.act_lead_qualify(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
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
  values (l.company || ' new business', v_account, v_contact, auth.uid(), 'qualification', (payload ->> 'close_date')::date)
  returning * into v_deal;
  update public.leads set status = 'converted', contact_id = v_contact, deal_id = v_deal.id, updated_at = now()
  where id = l.id;
  return jsonb_build_object('target_type', 'lead', 'target_id', l.id, 'name', l.name, 'company', l.company,
    'from', l.status, 'to', 'converted',
    'converted', jsonb_build_object('account', l.company, 'account_id', v_account, 'account_created', v_account_new,
                                    'contact_id', v_contact, 'contact_created', v_contact_new,
                                    'deal', v_deal.name, 'deal_id', v_deal.id, 'close_date', v_deal.close_date));
end $$;
alter function private.act_lead_qualify(jsonb) owner to crm_writer;
revoke execute on function private.act_lead_qualify(jsonb) from public, anon, authenticated;
grant execute on function private.act_lead_qualify(jsonb) to service_role;

-- supabase/schemas/06_jobs.sql
-- A durable job queue polled with FOR UPDATE SKIP LOCKED (reminders, SLA checks): jobs survive
-- restarts. System work: the service role calls its API; users reach it only through the definer
-- helpers of the tasks and cases that enqueue into it.

create table public.jobs (
  id bigint generated always as identity primary key,
  kind text not null,
  run_at timestamptz not null,
  payload jsonb not null default '{}',
  dedupe_key text unique,
  status text not null default 'pending' check (status in ('pending', 'done', 'failed')),
  attempts int not null default 0,
  last_error text,
  done_at timestamptz
);
create index jobs_due_idx on public.jobs (run_at) where status = 'pending';
alter table public.jobs enable row level security;
revoke all on public.jobs from authenticated;
grant select, insert, update, delete on public.jobs to service_role, crm_writer;
revoke usage, select on sequence public.jobs_id_seq from authenticated;
grant select, usage on sequence public.jobs_id_seq to service_role, crm_writer;

create function public.enqueue_job(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with j as (
    insert into public.jobs (kind, run_at, payload, dedupe_key)
    values (args ->> 'kind', coalesce((args ->> 'run_at')::timestamptz, now()), coalesce(args -> 'payload', '{}'), args ->> 'dedupe_key')
    on conflict (dedupe_key) do nothing returning id)
  select jsonb_build_object('id', (select id from j))
$$;
revoke execute on function public.enqueue_job(jsonb) from public, anon, authenticated;
grant execute on function public.enqueue_job(jsonb) to service_role;

-- Claims due jobs so that two workers (or two processes) never run the same one.
create function public.claim_jobs(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with due as (
    select id from public.jobs
    where status = 'pending' and run_at <= coalesce((args ->> 'now')::timestamptz, now())
      and (args ->> 'kinds' is null or kind in (select jsonb_array_elements_text(args -> 'kinds')))
    order by run_at limit coalesce((args ->> 'limit')::int, 20)
    for update skip locked),
  claimed as (
    update public.jobs j set attempts = attempts + 1, run_at = coalesce((args ->> 'now')::timestamptz, now()) + interval '5 minutes'
    from due where j.id = due.id returning j.id, j.kind, j.payload, j.attempts)
  select coalesce(jsonb_agg(to_jsonb(claimed)), '[]') from claimed
$$;
revoke execute on function public.claim_jobs(jsonb) from public, anon, authenticated;
grant execute on function public.claim_jobs(jsonb) to service_role;

create function public.finish_job(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  update public.jobs set
    status = case when args ->> 'error' is null then 'done' when attempts >= 5 then 'failed' else 'pending' end,
    last_error = args ->> 'error',
    done_at = case when args ->> 'error' is null then now() end
  where id = (args ->> 'id')::bigint;
  select '{}'::jsonb
$$;
revoke execute on function public.finish_job(jsonb) from public, anon, authenticated;
grant execute on function public.finish_job(jsonb) to service_role;

-- supabase/schemas/07_activities_and_tasks.sql
-- A rep's daily work: activities (calls, meetings, emails, notes) with their follow-up tasks, and
-- the tasks' reminders. Activities and tasks carry their owner's team (trigger below); support reads
-- activities for context. A reminder fires at 09:00 in the assignee's timezone on the due date,
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
  completed_at timestamptz
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
revoke execute on function private.owner_team() from public, anon;
grant execute on function private.owner_team() to authenticated, crm_writer, service_role;

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
grant execute on function private.enqueue_task_reminder(uuid) to authenticated, crm_writer, service_role;

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
  select jsonb_build_object('id', t.id, 'text', t.text, 'due_date', t.due_date, 'remind_at', t.remind_at)
$$;
revoke execute on function private.task_json(tasks) from public, anon;
grant execute on function private.task_json(tasks) to authenticated, crm_writer, service_role;

create function private.act_task_create(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare t public.tasks; v_problem text := private.restriction_problem((payload ->> 'contact_id')::uuid);
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  t := private.new_task(payload ->> 'text', (payload ->> 'due_date')::date, (payload ->> 'contact_id')::uuid,
                        (payload ->> 'account_id')::uuid, null, null);
  return jsonb_build_object('target_type', 'task', 'target_id', t.id, 'task', private.task_json(t),
    'contact', (select name from public.contacts where id = t.contact_id),
    'account', (select name from public.accounts where id = t.account_id));
end $$;
alter function private.act_task_create(jsonb) owner to crm_writer;
revoke execute on function private.act_task_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_task_create(jsonb) to service_role;

-- The caller's open tasks due by a day (their local today, or a week ahead), overdue ones included.
create function private.act_task_list(payload jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
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
alter function private.act_task_list(jsonb) owner to crm_writer;
revoke execute on function private.act_task_list(jsonb) from public, anon, authenticated;
grant execute on function private.act_task_list(jsonb) to service_role;

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
revoke execute on function public.reminder_task(jsonb) from public, anon, authenticated;
grant execute on function public.reminder_task(jsonb) to service_role;

create function public.reminder_sent(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with r as (update public.tasks set reminded_at = now()
             where id = (args ->> 'task_id')::uuid and reminded_at is null returning id)
  select jsonb_build_object('marked', exists (select 1 from r))
$$;
revoke execute on function public.reminder_sent(jsonb) from public, anon, authenticated;
grant execute on function public.reminder_sent(jsonb) to service_role;

-- Activities.

-- Deals' last-activity date is maintained for everyone's pipeline views, so it is written as the
-- system, but only through an activity the caller just logged.
create function private.touch_deal(p_activity uuid) returns void language sql security definer set search_path = public as $$
  update public.deals d set last_activity_at = greatest(d.last_activity_at, a.occurred_at)
  from public.activities a
  where a.id = p_activity and a.owner_id = auth.uid() and d.id = a.deal_id
$$;
revoke execute on function private.touch_deal(uuid) from public, anon;
grant execute on function private.touch_deal(uuid) to authenticated, crm_writer, service_role;

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

-- supabase/schemas/08_cases_and_sla.sql
-- Support: service objectives, the agents who work cases, the cases themselves, and escalations:
-- opening a case (routing + SLA deadlines), working it, the SLA breach checks that climb the
-- escalation chain, and the managers' metrics. Anyone may raise a case and read them (a guest only
-- the cases it raised); support, managers and admins work them. Routing and the agents' load run as
-- security definer helpers: whoever raises a case may not update support_agents themselves.

create type public.case_severity as enum ('low', 'medium', 'high', 'urgent');
create type public.case_category as enum ('billing', 'technical', 'outage', 'security', 'account', 'other');
create type public.case_status as enum ('new', 'acknowledged', 'resolved', 'reopened');

create table public.sla_policies (
  severity public.case_severity not null,
  tier public.account_tier not null,
  first_response_minutes int not null check (first_response_minutes > 0),
  resolution_minutes int not null check (resolution_minutes > 0),
  primary key (severity, tier)
);
alter table public.sla_policies enable row level security;
revoke insert, update, delete on public.sla_policies from authenticated;
grant select on public.sla_policies to authenticated;
grant select, insert, update, delete on public.sla_policies to service_role, crm_writer;
create policy sla_read on public.sla_policies for select to authenticated, crm_writer using ((select private.is_crm_user()));
create policy sla_admin on public.sla_policies for all to authenticated, crm_writer
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

create table public.support_agents (
  user_id uuid primary key references public.users(id),
  skills public.case_category[] not null default '{}',
  location text not null,
  timezone text not null default 'UTC',
  shift_start smallint not null default 9 check (shift_start between 0 and 23),
  shift_end smallint not null default 17 check (shift_end between 1 and 24),
  capacity int not null default 5 check (capacity >= 0),
  open_cases int not null default 0 check (open_cases >= 0),
  last_assigned_at timestamptz,
  active boolean not null default true
);
alter table public.support_agents enable row level security;
revoke insert, update, delete on public.support_agents from authenticated;
grant select on public.support_agents to authenticated;
grant select, insert, update, delete on public.support_agents to service_role, crm_writer;
create policy agents_read on public.support_agents for select to authenticated, crm_writer using ((select private.is_staff()));
create policy agents_manage on public.support_agents for update to authenticated, crm_writer
  using ((select private.has_role('manager', 'admin')));

create table public.cases (
  id bigint generated by default as identity (start with 1000) primary key,
  summary text not null,
  source_text text,
  source_link text,
  source_channel text,
  account_id uuid references public.accounts(id),
  contact_id uuid references public.contacts(id),
  severity public.case_severity not null default 'medium',
  category public.case_category not null default 'other',
  status public.case_status not null default 'new',
  assignee_id uuid references public.users(id),
  reporter_id uuid references public.users(id),
  escalation_level int not null default 0,
  first_response_due timestamptz,
  resolution_due timestamptz,
  first_response_at timestamptz,
  resolved_at timestamptz,
  legal_hold boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index cases_open_idx on public.cases (status, severity) where status <> 'resolved';
create index cases_assignee_idx on public.cases (assignee_id) where status <> 'resolved';
create index cases_account_idx on public.cases (account_id);
create index cases_contact_idx on public.cases (contact_id);
alter table public.cases enable row level security;
revoke insert, update, delete on public.cases from authenticated;
grant select on public.cases to authenticated;
grant select, insert, update, delete on public.cases to service_role, crm_writer;
revoke usage, select on sequence public.cases_id_seq from authenticated;
grant select, usage on sequence public.cases_id_seq to service_role, crm_writer;
create policy cases_read on public.cases for select to authenticated, crm_writer
  using ((select private.is_staff()) or ((select private.is_crm_user()) and reporter_id = (select auth.uid())));
create policy cases_insert on public.cases for insert to authenticated, crm_writer with check (reporter_id = (select auth.uid()));
create policy cases_update on public.cases for update to authenticated, crm_writer
  using ((select private.has_role('support', 'manager', 'admin', 'privacy_officer')));

create table public.case_events (
  id bigint generated always as identity primary key,
  case_id bigint not null references public.cases(id) on delete cascade,
  kind text not null,
  actor_id uuid references public.users(id),
  detail jsonb not null default '{}',
  at timestamptz not null default now()
);
create index case_events_case_idx on public.case_events (case_id, at);
-- One re-escalation step per level, whatever runs twice.
create unique index case_events_one_step_per_level on public.case_events (case_id, (detail ->> 'level'))
  where kind = 'escalated';
create index case_events_kind_idx on public.case_events (case_id, kind);
alter table public.case_events enable row level security;
revoke insert, update, delete on public.case_events from authenticated;
grant select on public.case_events to authenticated;
grant select, insert, update, delete on public.case_events to service_role, crm_writer;
revoke usage, select on sequence public.case_events_id_seq from authenticated;
grant select, usage on sequence public.case_events_id_seq to service_role, crm_writer;
create policy case_events_read on public.case_events for select to authenticated, crm_writer
  using ((select private.is_staff()) or exists (select 1 from public.cases c where c.id = case_id));
create policy case_events_insert on public.case_events for insert to authenticated, crm_writer
  with check (actor_id = (select auth.uid()));

-- Who a breached case goes to, level by level. A level with no fixed user goes to the manager of
-- whoever held the level below (level 0 = the assignee; for a case in the queue, the agents' lead).
create table public.escalation_chain (
  level int primary key check (level > 0),
  title text not null,
  user_id uuid references public.users(id)
);
alter table public.escalation_chain enable row level security;
revoke insert, update, delete on public.escalation_chain from authenticated;
grant select on public.escalation_chain to authenticated;
grant all on public.escalation_chain to service_role;
grant select, insert, update, delete on public.escalation_chain to crm_writer;
create policy chain_read on public.escalation_chain for select to authenticated, crm_writer using (true);
create policy chain_admin on public.escalation_chain for all to authenticated, crm_writer
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

-- Whether an agent works at that moment: shift hours in the agent's own timezone (may wrap midnight).
create function private.on_shift(p_tz text, p_start int, p_end int, p_at timestamptz) returns boolean
language sql stable as $$
  select case when p_start < p_end then h >= p_start and h < p_end else h >= p_start or h < p_end end
  from (select extract(hour from p_at at time zone p_tz)::int as h) x
$$;
revoke execute on function private.on_shift(text, integer, integer, timestamptz) from public, anon;
grant execute on function private.on_shift(text, integer, integer, timestamptz) to authenticated, crm_writer, service_role;

-- Picks the agent for a new case and locks their row until the transaction ends:
--   1. skill match on the category and on shift, 2. otherwise anyone with room (on shift first,
--   then skilled), then least occupied (open/capacity), then round robin (longest since last case).
-- The chosen row is re-checked under a lock taken with SKIP LOCKED: a transaction never waits on
-- an agent row while holding another (no deadlocks), and when another transaction is assigning to
-- the same agent it re-reads once that one has committed, so capacity is never exceeded and a
-- momentary lock never sends a case to the queue. Returns the agent and the rule that chose them.
create function private.route_case(p_category public.case_category, p_at timestamptz) returns jsonb
language plpgsql security definer set search_path = public as $$
declare
  v_pick record;
  v_tries int := 0;
begin
  loop
    select a.user_id, u.name,
           p_category = any (a.skills) as skilled,
           private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at) as on_shift
      into v_pick
      from public.support_agents a join public.users u on u.id = a.user_id
     where a.active and u.active and a.open_cases < a.capacity
     order by (p_category = any (a.skills) and private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at)) desc,
              private.on_shift(a.timezone, a.shift_start, a.shift_end, p_at) desc,
              p_category = any (a.skills) desc,
              a.open_cases::numeric / a.capacity,
              a.last_assigned_at nulls first,
              a.user_id
     limit 1;
    if not found then
      return jsonb_build_object('user_id', null, 'rule', 'queue');
    end if;
    perform 1 from public.support_agents
     where user_id = v_pick.user_id and active and open_cases < capacity
       for update skip locked;
    if found then
      return jsonb_build_object('user_id', v_pick.user_id, 'name', v_pick.name,
                                'rule', case when v_pick.skilled and v_pick.on_shift then 'skill' else 'fallback' end);
    end if;
    v_tries := v_tries + 1;
    if v_tries > 500 then
      raise exception 'Support routing is busy right now; nothing was opened. Please try again.';
    end if;
    perform pg_sleep(0.002);
  end loop;
end $$;
revoke execute on function private.route_case(case_category, timestamptz) from public, anon;
grant execute on function private.route_case(case_category, timestamptz) to authenticated, crm_writer, service_role;

-- Locks agent rows in one order (so two reassignments never deadlock).
create function private.lock_agents(p_ids uuid[]) returns void
language plpgsql security definer set search_path = public as $$
begin
  perform 1 from public.support_agents where user_id = any (p_ids) order by user_id for update;
end $$;
revoke execute on function private.lock_agents(uuid[]) from public, anon;
grant execute on function private.lock_agents(uuid[]) to authenticated, crm_writer, service_role;

-- support_agents.open_cases follows every later change of a case's assignee or status. A new case
-- is counted by act_escalation_create (the demo seed loads cases with their load already counted).
create function private.cases_keep_load() returns trigger
language plpgsql security definer set search_path = public as $$
declare
  v_old uuid := case when old.status <> 'resolved' then old.assignee_id end;
  v_new uuid;
begin
  if tg_op = 'UPDATE' then v_new := case when new.status <> 'resolved' then new.assignee_id end; end if;
  if v_old is not distinct from v_new then return null; end if;
  perform private.lock_agents(array_remove(array[v_old, v_new], null));
  update public.support_agents set open_cases = greatest(open_cases - 1, 0) where user_id = v_old;
  if v_new is not null then
    update public.support_agents set open_cases = open_cases + 1,
           last_assigned_at = case when v_new is distinct from old.assignee_id then now() else last_assigned_at end
     where user_id = v_new;
  end if;
  return null;
end $$;
revoke execute on function private.cases_keep_load() from public, anon;
grant execute on function private.cases_keep_load() to authenticated, crm_writer, service_role;

create trigger cases_keep_load after update of assignee_id, status or delete on public.cases
  for each row execute function private.cases_keep_load();

create function private.count_new_case(p_agent uuid, p_at timestamptz) returns void
language sql security definer set search_path = public as $$
  update public.support_agents set open_cases = open_cases + 1, last_assigned_at = p_at where user_id = p_agent
$$;
revoke execute on function private.count_new_case(uuid, timestamptz) from public, anon;
grant execute on function private.count_new_case(uuid, timestamptz) to authenticated, crm_writer, service_role;

create function private.sla_policy(p_severity public.case_severity, p_account uuid) returns public.sla_policies
language plpgsql stable as $$
declare
  v public.sla_policies;
  v_tier public.account_tier := coalesce((select tier from public.accounts where id = p_account), 'standard');
begin
  select * into v from public.sla_policies where severity = p_severity and tier = v_tier;
  if not found then
    raise exception 'There is no SLA policy for % cases of % accounts; ask an admin to add one.', p_severity, v_tier;
  end if;
  return v;
end $$;
revoke execute on function private.sla_policy(case_severity, uuid) from public, anon;
grant execute on function private.sla_policy(case_severity, uuid) to authenticated, crm_writer, service_role;

-- The case as every reply and notice shows it.
create function private.case_json(p_id bigint) returns jsonb language sql stable security definer
set search_path = public as $$
  select jsonb_build_object('case', jsonb_build_object(
    'id', c.id, 'summary', c.summary, 'severity', c.severity, 'category', c.category, 'status', c.status,
    'source_link', c.source_link, 'escalation_level', c.escalation_level,
    'account', case when a.id is not null then jsonb_build_object('id', a.id, 'name', a.name, 'tier', a.tier) end,
    'contact', case when ct.id is not null then jsonb_build_object('id', ct.id, 'name', ct.name) end,
    'assignee', case when u.id is not null then jsonb_build_object('id', u.id, 'name', u.name) end,
    'reporter', case when r.id is not null then jsonb_build_object('id', r.id, 'name', r.name) end,
    'created_at', c.created_at, 'first_response_due', c.first_response_due, 'resolution_due', c.resolution_due,
    'first_response_at', c.first_response_at, 'resolved_at', c.resolved_at))
  from public.cases c
  left join public.accounts a on a.id = c.account_id
  left join public.contacts ct on ct.id = c.contact_id
  left join public.users u on u.id = c.assignee_id
  left join public.users r on r.id = c.reporter_id
  where c.id = p_id
$$;
revoke execute on function private.case_json(bigint) from public, anon;
grant execute on function private.case_json(bigint) to authenticated, crm_writer, service_role;

create function private.enqueue_sla_check(p_case bigint, p_check text, p_at timestamptz) returns void
language sql security definer set search_path = public as $$
  insert into public.jobs (kind, run_at, payload, dedupe_key)
  values ('sla.check', p_at, jsonb_build_object('case_id', p_case, 'check', p_check),
          format('sla.check:%s:%s:%s', p_case, p_check, extract(epoch from p_at)))
  on conflict (dedupe_key) do nothing
$$;
revoke execute on function private.enqueue_sla_check(bigint, text, timestamptz) from public, anon;
grant execute on function private.enqueue_sla_check(bigint, text, timestamptz) to authenticated, crm_writer, service_role;

-- Durable follow-ups of a case change: breach checks at its open deadlines, and the assignment notice.
create function private.schedule_case_jobs(p_case bigint, p_notify boolean) returns void
language plpgsql security definer set search_path = public as $$
declare v public.cases;
begin
  select * into v from public.cases where id = p_case;
  if v.status <> 'resolved' then
    if v.first_response_at is null then perform private.enqueue_sla_check(v.id, 'first_response', v.first_response_due); end if;
    perform private.enqueue_sla_check(v.id, 'resolution', v.resolution_due);
  end if;
  if p_notify then
    insert into public.jobs (kind, run_at, payload) values ('case.assigned', now(), jsonb_build_object('case_id', v.id));
  end if;
end $$;
revoke execute on function private.schedule_case_jobs(bigint, boolean) from public, anon;
grant execute on function private.schedule_case_jobs(bigint, boolean) to authenticated, crm_writer, service_role;

create function private.is_generic_summary(p text) returns boolean language sql immutable as
  $$ select lower(btrim(coalesce(p, ''), ' .!?')) in ('', 'this', 'that', 'it', 'this message', 'that message', 'escalate this') $$;
revoke execute on function private.is_generic_summary(text) from public, anon;
grant execute on function private.is_generic_summary(text) to authenticated, crm_writer, service_role;

-- escalation.create: { summary, account_id?, contact_id?, severity?, category?, source_text?, source_link? }
create function private.act_escalation_create(p jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_now timestamptz := now();
  v_source text := nullif(btrim(p ->> 'source_text'), '');
  v_summary text := btrim(p ->> 'summary');
  v_contact public.contacts;
  v_account uuid := (p ->> 'account_id')::uuid;
  v_severity public.case_severity := coalesce(p ->> 'severity', 'medium')::public.case_severity;
  v_category public.case_category := coalesce(p ->> 'category', 'other')::public.case_category;
  v_policy public.sla_policies;
  v_route jsonb;
  v_assignee uuid;
  v_id bigint;
begin
  if private.is_generic_summary(v_summary) then v_summary := left(v_source, 300); end if;
  if v_summary is null or v_summary = '' then
    raise exception 'A case needs a short description of the problem; nothing was opened.';
  end if;
  if p ->> 'contact_id' is not null then
    select * into v_contact from public.contacts where id = (p ->> 'contact_id')::uuid;
    if not found then raise exception 'I could not find that contact any more; nothing was opened.'; end if;
    v_account := coalesce(v_account, v_contact.account_id);
  end if;
  if v_account is not null and not exists (select 1 from public.accounts where id = v_account) then
    raise exception 'I could not find that account any more; nothing was opened.';
  end if;
  v_policy := private.sla_policy(v_severity, v_account);
  v_route := private.route_case(v_category, v_now);
  v_assignee := (v_route ->> 'user_id')::uuid;

  insert into public.cases (summary, source_text, source_link, account_id, contact_id, severity, category,
                            assignee_id, reporter_id, first_response_due, resolution_due, created_at, updated_at)
  values (v_summary, v_source, nullif(btrim(p ->> 'source_link'), ''), v_account, v_contact.id, v_severity, v_category,
          v_assignee, auth.uid(), v_now + make_interval(mins => v_policy.first_response_minutes),
          v_now + make_interval(mins => v_policy.resolution_minutes), v_now, v_now)
  returning id into v_id;
  if v_assignee is not null then perform private.count_new_case(v_assignee, v_now); end if;
  insert into public.case_events (case_id, kind, actor_id, detail, at)
  values (v_id, 'created', auth.uid(), jsonb_build_object('routing', v_route ->> 'rule', 'assignee_id', v_assignee), v_now);
  perform private.schedule_case_jobs(v_id, true);
  return jsonb_build_object('target_type', 'case', 'target_id', v_id::text, 'routing', v_route ->> 'rule')
         || private.case_json(v_id);
end $$;
alter function private.act_escalation_create(jsonb) owner to crm_writer;
revoke execute on function private.act_escalation_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_escalation_create(jsonb) to service_role;

-- Locks the new assignee (and the old one, in a fixed order) and checks they can take one more case.
create function private.check_reassign(p_from uuid, p_to uuid) returns void
language plpgsql security definer set search_path = public as $$
declare
  v public.support_agents;
  v_name text := (select name from public.users where id = p_to);
begin
  perform private.lock_agents(array_remove(array[p_from, p_to], null));
  select * into v from public.support_agents where user_id = p_to and active;
  if not found then
    raise exception '% is not an active support agent, so I can''t give them the case.', coalesce(v_name, 'That person');
  end if;
  if v.open_cases >= v.capacity then
    raise exception '% already has % open cases (capacity %); choose someone else.', v_name, v.open_cases, v.capacity;
  end if;
end $$;
revoke execute on function private.check_reassign(uuid, uuid) from public, anon;
grant execute on function private.check_reassign(uuid, uuid) to authenticated, crm_writer, service_role;

-- escalation.update: { case, status?, assignee_id?, severity? }
create function private.act_escalation_update(p jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_now timestamptz := now();
  v public.cases;
  v_status text := p ->> 'status';
  v_to uuid := (p ->> 'assignee_id')::uuid;
  v_severity public.case_severity := (p ->> 'severity')::public.case_severity;
  v_policy public.sla_policies;
  v_route jsonb;
  v_changes text[] := '{}';
  v_notify boolean := false;
  v_clock_start timestamptz;
begin
  if not private.has_role('support', 'manager', 'admin') then
    raise exception 'Only support staff, managers and admins can work cases.';
  end if;
  select * into v from public.cases where id = (p ->> 'case')::bigint for update;
  if not found then raise exception 'There is no case #%.', p ->> 'case'; end if;
  if v_status is null and v_to is null and v_severity is null then
    raise exception 'Tell me what to do with case #%: acknowledge, resolve, reopen, reassign or change the severity.', v.id;
  end if;

  if v_status = 'reopened' then
    if v.status <> 'resolved' then raise exception 'Case #% is not resolved, so there is nothing to reopen.', v.id; end if;
    v_policy := private.sla_policy(coalesce(v_severity, v.severity), v.account_id);
    -- the case goes back to its assignee if they have room, otherwise through routing again
    if v_to is null and v.assignee_id is not null and not exists (
         select 1 from public.support_agents where user_id = v.assignee_id and active and open_cases < capacity) then
      v_route := private.route_case(v.category, v_now);
      v_to := (v_route ->> 'user_id')::uuid;
      v_notify := true;
      insert into public.case_events (case_id, kind, actor_id, detail, at)
      values (v.id, 'reassigned', auth.uid(), jsonb_build_object('from', v.assignee_id, 'to', v_to, 'routing', v_route ->> 'rule'), v_now);
      update public.cases set assignee_id = v_to where id = v.id;
    end if;
    update public.cases set status = 'reopened', resolved_at = null, updated_at = v_now,
           resolution_due = v_now + make_interval(mins => v_policy.resolution_minutes)
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'reopened', auth.uid(), v_now);
    v_changes := v_changes || 'reopened'::text;
  elsif v.status = 'resolved' then
    raise exception 'Case #% is resolved; reopen it first.', v.id;
  end if;

  if v_to is not null and v_to is distinct from v.assignee_id then
    perform private.check_reassign(v.assignee_id, v_to);
    insert into public.case_events (case_id, kind, actor_id, detail, at)
    values (v.id, 'reassigned', auth.uid(), jsonb_build_object('from', v.assignee_id, 'to', v_to), v_now);
    update public.cases set assignee_id = v_to, updated_at = v_now where id = v.id returning * into v;
    v_changes := v_changes || 'reassigned'::text;
    v_notify := true;
  end if;

  if v_severity is not null and v_severity <> v.severity then
    v_policy := private.sla_policy(v_severity, v.account_id);
    v_clock_start := coalesce((select max(at) from public.case_events where case_id = v.id and kind = 'reopened'), v.created_at);
    insert into public.case_events (case_id, kind, actor_id, detail, at)
    values (v.id, 'severity_changed', auth.uid(), jsonb_build_object('from', v.severity, 'to', v_severity), v_now);
    update public.cases set severity = v_severity, updated_at = v_now,
           first_response_due = created_at + make_interval(mins => v_policy.first_response_minutes),
           resolution_due = v_clock_start + make_interval(mins => v_policy.resolution_minutes)
     where id = v.id returning * into v;
    v_changes := v_changes || 'severity'::text;
  end if;

  if v_status = 'acknowledged' then
    if v.status = 'acknowledged' then raise exception 'Case #% is already acknowledged.', v.id; end if;
    update public.cases set status = 'acknowledged', first_response_at = coalesce(first_response_at, v_now), updated_at = v_now
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'acknowledged', auth.uid(), v_now);
    v_changes := v_changes || 'acknowledged'::text;
  elsif v_status = 'resolved' then
    update public.cases set status = 'resolved', resolved_at = v_now, updated_at = v_now,
           first_response_at = coalesce(first_response_at, v_now)
     where id = v.id returning * into v;
    insert into public.case_events (case_id, kind, actor_id, at) values (v.id, 'resolved', auth.uid(), v_now);
    v_changes := v_changes || 'resolved'::text;
  end if;

  if cardinality(v_changes) = 0 then
    raise exception 'Case #% already looks like that; nothing was changed.', v.id;
  end if;
  perform private.schedule_case_jobs(v.id, v_notify);
  return jsonb_build_object('target_type', 'case', 'target_id', v.id::text, 'changes', to_jsonb(v_changes),
                            'routing', v_route ->> 'rule') || private.case_json(v.id);
end $$;
alter function private.act_escalation_update(jsonb) owner to crm_writer;
revoke execute on function private.act_escalation_update(jsonb) from public, anon, authenticated;
grant execute on function private.act_escalation_update(jsonb) to service_role;

-- The holder of an escalation level: the configured user, else the manager of the level below.
create function private.chain_holder(p_level int, p_assignee uuid) returns uuid
language plpgsql stable security definer set search_path = public as $$
declare
  v_holder uuid := p_assignee;
  v_fixed uuid;
begin
  for l in 1 .. p_level loop
    select user_id into v_fixed from public.escalation_chain where level = l;
    v_holder := coalesce(v_fixed,
      (select manager_id from public.users where id = v_holder),
      case when v_holder is null then
        (select u.manager_id from public.support_agents a join public.users u on u.id = a.user_id
          where a.active and u.manager_id is not null group by u.manager_id order by count(*) desc, u.manager_id limit 1)
      end);
  end loop;
  return v_holder;
end $$;
revoke execute on function private.chain_holder(integer, uuid) from public, anon;
grant execute on function private.chain_holder(integer, uuid) to authenticated, crm_writer, service_role;

-- The breach check a `sla.check` job runs (service only), at `now` (injectable). One step per
-- level: the steps already taken for this deadline decide when the next one is due, under the
-- case's row lock, so a job that runs twice finds its step taken. Schedules the next check itself.
create function public.sla_check(args jsonb) returns jsonb
language plpgsql security definer set search_path = public as $$
declare
  v_now timestamptz := coalesce((args ->> 'now')::timestamptz, now());
  v_check text := args ->> 'check';
  v public.cases;
  v_due timestamptz;
  v_every interval;
  v_steps int;
  v_step_due timestamptz;
  v_top int := coalesce((select max(level) from public.escalation_chain), 0);
  v_level int;
  v_to uuid;
begin
  if v_check is null or v_check not in ('first_response', 'resolution') then
    raise exception 'unknown SLA check %', v_check using errcode = '22023';
  end if;
  select * into v from public.cases where id = (args ->> 'case_id')::bigint for update;
  if not found then return jsonb_build_object('status', 'gone'); end if;
  if v.status = 'resolved' or (v_check = 'first_response' and v.first_response_at is not null) then
    return jsonb_build_object('status', 'met');
  end if;
  v_due := case v_check when 'first_response' then v.first_response_due else v.resolution_due end;
  v_every := make_interval(mins => (private.sla_policy(v.severity, v.account_id)).first_response_minutes);
  select count(*) into v_steps from public.case_events
   where case_id = v.id and kind in ('escalated', 'sla_breached')
     and detail ->> 'check' = v_check and (detail ->> 'due')::timestamptz = v_due;
  v_step_due := v_due + v_steps * v_every;
  if v.escalation_level >= v_top and v_steps > 0 then
    return jsonb_build_object('status', 'done');
  end if;
  if v_now < v_step_due then
    perform private.enqueue_sla_check(v.id, v_check, v_step_due);
    return jsonb_build_object('status', 'pending', 'next_check_at', v_step_due);
  end if;

  if v.escalation_level >= v_top then
    -- already at the top of the chain: record the breach once and tell the top again
    v_to := private.chain_holder(v_top, v.assignee_id);
    insert into public.case_events (case_id, kind, detail, at)
    values (v.id, 'sla_breached', jsonb_build_object('check', v_check, 'due', v_due, 'to_user_id', v_to), v_now);
    return jsonb_build_object('status', 'breached', 'check', v_check, 'due', v_due, 'level', v.escalation_level,
      'title', (select title from public.escalation_chain where level = v_top),
      'to', (select jsonb_build_object('id', id, 'name', name) from public.users where id = v_to)) || private.case_json(v.id);
  end if;

  v_level := v.escalation_level + 1;
  v_to := private.chain_holder(v_level, v.assignee_id);
  update public.cases set escalation_level = v_level, updated_at = v_now where id = v.id;
  insert into public.case_events (case_id, kind, detail, at)
  values (v.id, 'escalated', jsonb_build_object('check', v_check, 'due', v_due, 'level', v_level, 'to_user_id', v_to), v_now);
  if v_level < v_top then perform private.enqueue_sla_check(v.id, v_check, v_step_due + v_every); end if;
  return jsonb_build_object('status', 'escalated', 'check', v_check, 'due', v_due, 'level', v_level,
    'title', (select title from public.escalation_chain where level = v_level),
    'to', (select jsonb_build_object('id', id, 'name', name) from public.users where id = v_to)) || private.case_json(v.id);
end $$;
revoke execute on function public.sla_check(jsonb) from public, anon, authenticated;
grant execute on function public.sla_check(jsonb) to service_role;

-- The case an assignment notice is about (service only: the notice job has no requester).
create function public.case_notice(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$ select private.case_json((args ->> 'case_id')::bigint) $$;
revoke execute on function public.case_notice(jsonb) from public, anon, authenticated;
grant execute on function public.case_notice(jsonb) to service_role;

-- A case as the requester may see it (previews of escalation.update).
create function public.case_brief(args jsonb) returns jsonb language sql stable as $$
  select private.case_json(c.id) from public.cases c where c.id = (args ->> 'case')::bigint
$$;

-- case.metrics: { from?, to? } (dates, UTC). Open cases now, and for the cases opened in the
-- period: objectives met among those decided (answered/resolved, or past their deadline), and the
-- median first-response time.
create function private.act_case_metrics(p jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_to date := coalesce((p ->> 'to')::date, (now() at time zone 'UTC')::date);
  v_from date := coalesce((p ->> 'from')::date, v_to - 29);
  v_open jsonb;
  v_period jsonb;
begin
  if not private.has_role('support', 'manager', 'admin') then
    raise exception 'Only support staff, managers and admins can see support metrics.';
  end if;
  if v_from > v_to then raise exception 'The period starts after it ends (% to %).', v_from, v_to; end if;
  select jsonb_object_agg(s::text, (select count(*) from public.cases c where c.status <> 'resolved' and c.severity = s))
    into v_open from unnest(enum_range(null::public.case_severity)) s;
  select jsonb_build_object(
      'created', count(*),
      'response_met', count(*) filter (where first_response_at <= first_response_due),
      'response_decided', count(*) filter (where first_response_at is not null or first_response_due < now()),
      'resolution_met', count(*) filter (where resolved_at <= resolution_due),
      'resolution_decided', count(*) filter (where resolved_at is not null or resolution_due < now()),
      'median_first_response_minutes', round((percentile_cont(0.5) within group (
          order by extract(epoch from first_response_at - created_at) / 60)
          filter (where first_response_at is not null))::numeric, 1))
    into v_period
    from public.cases
   where created_at >= (v_from::timestamp at time zone 'UTC') and created_at < ((v_to + 1)::timestamp at time zone 'UTC');
  return jsonb_build_object('target_type', 'cases', 'target_id', null, 'from', v_from, 'to', v_to, 'open', v_open)
         || v_period;
end $$;
alter function private.act_case_metrics(jsonb) owner to crm_writer;
revoke execute on function private.act_case_metrics(jsonb) from public, anon, authenticated;
grant execute on function private.act_case_metrics(jsonb) to service_role;

-- case.list: { scope: 'mine' | 'all' }. Open cases, most urgent first: mine = assigned to me or
-- raised by me; all = the support queue (support, managers and admins; others get their own).
create function private.act_case_list(p jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_all boolean := p ->> 'scope' = 'all' and private.has_role('support', 'manager', 'admin');
  v_rows jsonb;
  v_total int;
begin
  with open_cases as (
    select c.*, row_number() over (order by c.severity desc, coalesce(c.first_response_at, c.first_response_due), c.id) as rn
    from public.cases c
    where c.status <> 'resolved' and (v_all or c.assignee_id = auth.uid() or c.reporter_id = auth.uid())
  )
  select count(*), coalesce(jsonb_agg(jsonb_build_object(
      'id', o.id, 'summary', o.summary, 'severity', o.severity, 'status', o.status,
      'account', a.name, 'assignee', u.name, 'mine', o.assignee_id = auth.uid(),
      'due', case when o.first_response_at is null then o.first_response_due else o.resolution_due end,
      'due_kind', case when o.first_response_at is null then 'first response' else 'resolution' end) order by o.rn)
      filter (where o.rn <= 20), '[]')
  into v_total, v_rows
  from open_cases o
  left join public.accounts a on a.id = o.account_id
  left join public.users u on u.id = o.assignee_id;
  return jsonb_build_object('target_type', 'cases', 'scope', case when v_all then 'all' else 'mine' end,
                            'total', v_total, 'rows', v_rows);
end $$;
alter function private.act_case_list(jsonb) owner to crm_writer;
revoke execute on function private.act_case_list(jsonb) from public, anon, authenticated;
grant execute on function private.act_case_list(jsonb) to service_role;

-- case.hold: { case, hold }. A privacy officer (or admin) puts a case under legal hold, so that an
-- erasure keeps it as it is and reports it, or lifts the hold. Recorded as a case event.
create function private.act_case_hold(p jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v public.cases;
  v_hold boolean := (p ->> 'hold')::boolean;
begin
  if not private.has_role('privacy_officer', 'admin') then
    raise exception 'Only a privacy officer or an admin can put a case under legal hold.';
  end if;
  select * into v from public.cases where id = (p ->> 'case')::bigint for update;
  if not found then
    raise exception 'There is no case #%.', p ->> 'case';
  end if;
  if v.legal_hold = v_hold then
    raise exception 'Case #% is % under legal hold; nothing changed.', v.id, case when v_hold then 'already' else 'not' end;
  end if;
  update public.cases set legal_hold = v_hold, updated_at = now() where id = v.id;
  insert into public.case_events (case_id, kind, actor_id)
  values (v.id, case when v_hold then 'legal_hold' else 'legal_hold_lifted' end, auth.uid());
  return jsonb_build_object('target_type', 'case', 'target_id', v.id::text, 'case', v.id, 'hold', v_hold, 'summary', v.summary);
end $$;
alter function private.act_case_hold(jsonb) owner to crm_writer;
revoke execute on function private.act_case_hold(jsonb) from public, anon, authenticated;
grant execute on function private.act_case_hold(jsonb) to service_role;

-- Whether someone can be given a case (asked before a reassignment is confirmed).
create function public.is_support_agent(args jsonb) returns jsonb language sql stable as $$
  select to_jsonb(exists (select 1 from public.support_agents where user_id = (args ->> 'user_id')::uuid and active))
$$;

-- supabase/schemas/09_data_requests.sql
-- Data-subject requests (GDPR / CCPA): intake with the legal deadline, identity verification and
-- approval as recorded steps, then execution: export (access, portability), erasure, rectification,
-- restriction, consent withdrawal. Anyone may file a request and follow their own; only a privacy
-- officer or an admin may move one on (checked here as well as in the core). Every act_* runs as the
-- writer role with the requester's claims (the policies apply); what it returns for the audit row
-- (target_type, target_id) carries no personal data.

create type public.data_request_kind as enum ('access', 'erasure', 'rectification', 'restriction', 'portability', 'consent_withdrawal');
create type public.data_request_status as enum ('received', 'verified', 'approved', 'completed', 'rejected');

create table public.data_requests (
  id bigint generated by default as identity (start with 100) primary key,
  kind public.data_request_kind not null,
  subject text not null,
  subject_contact_id uuid references public.contacts(id),
  law text check (law in ('gdpr', 'ccpa')),
  changes jsonb,
  status public.data_request_status not null default 'received',
  requested_by uuid not null references public.users(id),
  received_at timestamptz not null default now(),
  due_date date not null,
  verified_by uuid references public.users(id),
  verified_at timestamptz,
  verification_method text,
  approved_by uuid references public.users(id),
  approved_at timestamptz,
  executed_by uuid references public.users(id),
  executed_at timestamptz,
  result jsonb,
  -- The day the request reached us in the filer's timezone: the deadline runs from it.
  received_on date
);
create index data_requests_open_idx on public.data_requests (status, due_date);
alter table public.data_requests enable row level security;
revoke insert, update, delete on public.data_requests from authenticated;
grant select on public.data_requests to authenticated;
grant select, insert, update, delete on public.data_requests to service_role, crm_writer;
revoke usage, select on sequence public.data_requests_id_seq from authenticated;
grant select, usage on sequence public.data_requests_id_seq to service_role, crm_writer;
create policy data_requests_read on public.data_requests for select to authenticated, crm_writer using ((select private.is_crm_user()) and (
  requested_by = (select auth.uid()) or (select private.has_role('privacy_officer', 'admin'))));
create policy data_requests_insert on public.data_requests for insert to authenticated, crm_writer
  with check (requested_by = (select auth.uid()));
create policy data_requests_update on public.data_requests for update to authenticated, crm_writer
  using ((select private.has_role('privacy_officer', 'admin')));

-- The legal deadline. GDPR Art. 12(3): one month from receipt; the month ends on the same day
-- number, or on the month's last day when there is none (31 Jan -> 28 Feb), which is what adding
-- an interval of a month does. Weekends and holidays are not added, so the date is never late.
-- CCPA (Cal. Civ. Code 1798.130(a)(2)): 45 calendar days.
create function private.data_request_due(p_law text, p_received date) returns date language sql immutable as $$
  select case p_law when 'ccpa' then p_received + 45 else (p_received + interval '1 month')::date end
$$;
revoke execute on function private.data_request_due(text, date) from public, anon;
grant execute on function private.data_request_due(text, date) to authenticated, crm_writer, service_role;

create function public.data_request_deadline(args jsonb) returns jsonb language sql immutable as $$
  select jsonb_build_object('due_date', private.data_request_due(coalesce(args ->> 'law', 'gdpr'), (args ->> 'received_on')::date))
$$;

-- Contacts whose email is exactly the one given (a subject named by email).
create function public.contacts_with_email(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'detail', a.name) order by c.name), '[]')
  from public.contacts c left join public.accounts a on a.id = c.account_id
  where lower(c.email) = lower(btrim(args ->> 'email'))
$$;
alter function public.contacts_with_email(jsonb) owner to crm_writer;

create function private.data_request_json(r public.data_requests) returns jsonb language sql stable as $$
  select jsonb_build_object(
    'id', r.id, 'kind', r.kind, 'law', r.law, 'status', r.status, 'subject', r.subject,
    'contact', c.name, 'account', a.name, 'received_on', r.received_on, 'due_date', r.due_date,
    'requested_by', (select name from public.users where id = r.requested_by),
    'verified_by', (select name from public.users where id = r.verified_by), 'verification_method', r.verification_method,
    'approved_by', (select name from public.users where id = r.approved_by),
    'executed_at', r.executed_at, 'changed_fields', (select jsonb_agg(k order by k) from jsonb_object_keys(r.changes) k), 'changes', r.changes,
    'result', r.result)
  from (select 1) one
  left join public.contacts c on c.id = r.subject_contact_id
  left join public.accounts a on a.id = c.account_id
$$;
revoke execute on function private.data_request_json(data_requests) from public, anon;
grant execute on function private.data_request_json(data_requests) to authenticated, crm_writer, service_role;

-- One request as the caller may see it (their own, or any for privacy officers and admins).
create function public.data_request_get(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select private.data_request_json(r) from public.data_requests r where r.id = (args ->> 'id')::bigint
$$;
alter function public.data_request_get(jsonb) owner to crm_writer;

-- ---------------------------------------------------------------------------------------------
-- Intake

-- Why a request cannot be filed as given, or null. The act below raises it; the skill asks before confirming.
create function private.data_request_create_problem(payload jsonb) returns text language plpgsql stable as $$
declare
  v_kind text := payload ->> 'kind';
  v_contact uuid := (payload ->> 'contact_id')::uuid;
  v_changes jsonb := coalesce(payload -> 'changes', '{}');
  v_bad text;
begin
  if (payload ->> 'received_on')::date > (now() at time zone 'utc')::date + 1 then
    -- a day ahead of UTC is someone's today (UTC+14); later would push the deadline out
    return 'A data request cannot be received in the future.';
  end if;
  if v_contact is not null and not exists (select 1 from public.contacts where id = v_contact) then
    return 'That contact no longer exists.';
  end if;
  if v_kind in ('rectification', 'restriction', 'consent_withdrawal') and v_contact is null then
    return format('A %s request needs a contact in the CRM; I could not match the subject to one.', replace(v_kind, '_', ' '));
  end if;
  if v_kind <> 'rectification' then
    return null;
  end if;
  select string_agg(k, ', ' order by k) into v_bad from jsonb_object_keys(v_changes) k where k not in ('name', 'email', 'phone', 'title');
  return case
    when v_changes = '{}' then 'Say what to correct, e.g. "correct Jane Doe''s phone to +1 555 0100".'
    when v_bad is not null then format('I can correct a contact''s name, email, phone or title, not %s.', v_bad)
    when v_changes ->> 'email' !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then 'The corrected email does not look like an email address.'
    when v_changes ->> 'phone' !~ '^[+()\d][\d\s().\-]{3,30}$' then 'The corrected phone does not look like a phone number.'
    when btrim(v_changes ->> 'name') = '' then 'The corrected name is empty.'
  end;
end $$;
revoke execute on function private.data_request_create_problem(jsonb) from public, anon;
grant execute on function private.data_request_create_problem(jsonb) to authenticated, crm_writer, service_role;

create function public.check_data_request_create(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select jsonb_build_object('problem', private.data_request_create_problem(args))
$$;
alter function public.check_data_request_create(jsonb) owner to crm_writer;

create function private.act_data_request_create(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_kind public.data_request_kind := (payload ->> 'kind')::public.data_request_kind;
  v_law text := coalesce(payload ->> 'law', 'gdpr');
  v_received date := coalesce((payload ->> 'received_on')::date, (now() at time zone 'utc')::date);
  v_changes jsonb := payload -> 'changes';
  v_problem text := private.data_request_create_problem(payload);
  r public.data_requests;
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  v_changes := case v_kind
    when 'rectification' then v_changes
    when 'consent_withdrawal' then nullif(jsonb_strip_nulls(jsonb_build_object('purpose', lower(v_changes ->> 'purpose'))), '{}')
  end;
  insert into public.data_requests (kind, subject, subject_contact_id, law, changes, requested_by, received_on, due_date)
  values (v_kind, btrim(payload ->> 'subject'), (payload ->> 'contact_id')::uuid, v_law, v_changes, auth.uid(), v_received,
          private.data_request_due(v_law, v_received))
  returning * into r;
  return jsonb_build_object('target_type', 'data_request', 'target_id', r.id::text,
                            'request', private.data_request_json(r), 'law_assumed', not (payload ? 'law'));
end $$;
alter function private.act_data_request_create(jsonb) owner to crm_writer;
revoke execute on function private.act_data_request_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_data_request_create(jsonb) to service_role;

-- Open requests with the days left, soonest deadline first (RLS: the filer's own, or all for privacy).
create function private.act_data_request_list(payload jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select jsonb_build_object('target_type', 'data_request', 'rows', coalesce(jsonb_agg(
           private.data_request_json(r) || jsonb_build_object(
             'days_left', r.due_date - coalesce((payload ->> 'today')::date, current_date))
           order by r.due_date, r.id), '[]'))
  from public.data_requests r
  where r.status not in ('completed', 'rejected')
$$;
alter function private.act_data_request_list(jsonb) owner to crm_writer;
revoke execute on function private.act_data_request_list(jsonb) from public, anon, authenticated;
grant execute on function private.act_data_request_list(jsonb) to service_role;

-- ---------------------------------------------------------------------------------------------
-- Finding the subject's data

-- Every character but letters, digits and spaces gets a backslash: in a Postgres regex that makes it literal.
create function private.regex_quote(s text) returns text language sql immutable as
  $$ select regexp_replace(s, '([^[:alnum:][:space:]])', '\\\1', 'g') $$;
revoke execute on function private.regex_quote(text) from public, anon;
grant execute on function private.regex_quote(text) to authenticated, crm_writer, service_role;

-- Regular expressions that find the subject in free text: the email, the full name (any spacing),
-- the phone number with any separators (with and without its country code). With p_first, the first
-- name alone too: used only on rows linked to the subject, where "Jane" can only mean her.
create function private.subject_patterns(p_name text, p_email text, p_phone text, p_first boolean default false)
returns text[] language plpgsql immutable as $$
declare
  v text[] := '{}';
  v_digits text := regexp_replace(coalesce(p_phone, ''), '\D', '', 'g');
  v_sep text := '[\s().-]*';
begin
  if nullif(btrim(p_email), '') is not null then
    v := v || private.regex_quote(btrim(p_email));
  end if;
  if nullif(btrim(p_name), '') is not null then
    v := v || ('\m' || regexp_replace(private.regex_quote(btrim(p_name)), '\s+', '\\s+', 'g') || '\M');
    if p_first and btrim(p_name) ~ '\s' and length(split_part(btrim(p_name), ' ', 1)) > 1 then
      v := v || ('\m' || private.regex_quote(split_part(btrim(p_name), ' ', 1)) || '\M');
    end if;
  end if;
  if length(v_digits) >= 7 then
    v := v || ('\+?' || array_to_string(regexp_split_to_array(v_digits, ''), v_sep));
    if length(v_digits) > 10 then
      v := v || array_to_string(regexp_split_to_array(right(v_digits, 10), ''), v_sep);
    end if;
  end if;
  return v;
end $$;
revoke execute on function private.subject_patterns(text, text, text, boolean) from public, anon;
grant execute on function private.subject_patterns(text, text, text, boolean) to authenticated, crm_writer, service_role;

create function private.scrub_text(t text, p_patterns text[]) returns text language plpgsql immutable as $$
declare p text;
begin
  if t is null then return null; end if;
  foreach p in array p_patterns loop
    t := regexp_replace(t, p, '[erased]', 'gi');
  end loop;
  return t;
end $$;
revoke execute on function private.scrub_text(text, text[]) from public, anon;
grant execute on function private.scrub_text(text, text[]) to authenticated, crm_writer, service_role;

-- The same for every string inside a JSON document (keys and structure stay).
create function private.scrub_jsonb(j jsonb, p_patterns text[]) returns jsonb language plpgsql immutable as $$
begin
  return case jsonb_typeof(j)
    when 'object' then (select coalesce(jsonb_object_agg(key, private.scrub_jsonb(value, p_patterns)), '{}') from jsonb_each(j))
    when 'array' then (select coalesce(jsonb_agg(private.scrub_jsonb(value, p_patterns) order by n), '[]')
                       from jsonb_array_elements(j) with ordinality e(value, n))
    when 'string' then to_jsonb(private.scrub_text(j #>> '{}', p_patterns))
    else j end;
end $$;
revoke execute on function private.scrub_jsonb(jsonb, text[]) from public, anon;
grant execute on function private.scrub_jsonb(jsonb, text[]) to authenticated, crm_writer, service_role;

create function private.mentions(t text, p_patterns text[]) returns boolean language sql immutable as
  $$ select coalesce(t ~* any (p_patterns), false) $$;
revoke execute on function private.mentions(text, text[]) from public, anon;
grant execute on function private.mentions(text, text[]) to authenticated, crm_writer, service_role;

-- Who the request is about: its contact (unless already erased) and, for a subject typed as an
-- email, that address; the identifiers the export and the erasure search for.
create function private.subject_of(r public.data_requests)
returns table (contact_id uuid, name text, email text, phone text) language sql stable as $$
  select c.id,
         coalesce(case when c.erased_at is null then c.name end, case when r.subject !~ '@' then r.subject end),
         coalesce(case when c.erased_at is null then c.email end, case when r.subject ~ '@' then r.subject end),
         case when c.erased_at is null then c.phone end
  from (select 1) one left join public.contacts c on c.id = r.subject_contact_id
$$;
revoke execute on function private.subject_of(data_requests) from public, anon;
grant execute on function private.subject_of(data_requests) to authenticated, crm_writer, service_role;

-- Every row about the subject, per table: the contact (with its account's name), its activities,
-- tasks, cases and their events, deals it is the contact of, consents, leads with its email, and
-- the data requests about it.
create function private.subject_export(r public.data_requests) returns jsonb language plpgsql stable as $$
declare
  s record;
  v_keys text[];
begin
  select * into s from private.subject_of(r);
  v_keys := array_remove(array[lower(s.name), lower(s.email), lower(r.subject)], null);
  return jsonb_build_object(
    'contacts', (select coalesce(jsonb_agg(to_jsonb(c) || jsonb_build_object('account_name', a.name) order by c.id), '[]')
                 from public.contacts c left join public.accounts a on a.id = c.account_id where c.id = s.contact_id),
    'activities', (select coalesce(jsonb_agg(to_jsonb(x) order by x.occurred_at, x.id), '[]') from public.activities x where x.contact_id = s.contact_id),
    'tasks', (select coalesce(jsonb_agg(to_jsonb(x) order by x.created_at, x.id), '[]') from public.tasks x where x.contact_id = s.contact_id),
    'cases', (select coalesce(jsonb_agg(to_jsonb(x) order by x.id), '[]') from public.cases x where x.contact_id = s.contact_id),
    'case_events', (select coalesce(jsonb_agg(to_jsonb(x) order by x.id), '[]') from public.case_events x
                    where x.case_id in (select id from public.cases where contact_id = s.contact_id)),
    'deals', (select coalesce(jsonb_agg(to_jsonb(x) order by x.close_date, x.id), '[]') from public.deals x where x.contact_id = s.contact_id),
    'consents', (select coalesce(jsonb_agg(to_jsonb(x) order by x.purpose), '[]') from public.consents x where x.contact_id = s.contact_id),
    'leads', (select coalesce(jsonb_agg(to_jsonb(x) order by x.created_at, x.id), '[]') from public.leads x
              where x.contact_id = s.contact_id or lower(x.email) = lower(s.email)),
    'data_requests', (select coalesce(jsonb_agg(to_jsonb(x) order by x.id), '[]') from public.data_requests x
                      where x.subject_contact_id = s.contact_id or lower(btrim(x.subject)) = any (v_keys)));
end $$;
revoke execute on function private.subject_export(data_requests) from public, anon;
grant execute on function private.subject_export(data_requests) to authenticated, crm_writer, service_role;

-- ---------------------------------------------------------------------------------------------
-- Execution, one function per kind; each returns the completion notice kept in data_requests.result
-- (GDPR Art. 5(2)): what was done, in words and counts, without personal data.

create function private.dr_export(r public.data_requests) returns jsonb language plpgsql stable as $$
declare
  v_export jsonb := private.subject_export(r);
  v_counts jsonb;
begin
  select jsonb_object_agg(key, jsonb_array_length(value)) into v_counts from jsonb_each(v_export);
  return jsonb_build_object(
    'done', jsonb_build_array(format('exported %s rows from %s tables as JSON and CSV',
              (select sum(value::int) from jsonb_each_text(v_counts)), (select count(*) from jsonb_each(v_counts) where value::int > 0))),
    'kept', '[]'::jsonb, 'counts', v_counts, 'export', v_export);
end $$;
revoke execute on function private.dr_export(data_requests) from public, anon;
grant execute on function private.dr_export(data_requests) to authenticated, crm_writer, service_role;

-- Bookkeeping the requester's policies do not reach: everyone's pending messages, the job queue,
-- case events. Definer rights, so it checks the caller's role itself.
create function private.erase_bookkeeping(p_patterns text[], p_held bigint[]) returns jsonb language plpgsql
security definer set search_path = public as $$
declare n_pending int; n_jobs int; n_events int;
begin
  if not private.has_role('privacy_officer', 'admin') then
    raise exception 'Only a privacy officer or an admin may erase personal data.';
  end if;
  update public.pending_actions set action = private.scrub_jsonb(action, p_patterns), preview = private.scrub_text(preview, p_patterns)
  where private.mentions(action::text, p_patterns) or private.mentions(preview, p_patterns);
  get diagnostics n_pending = row_count;
  update public.jobs set payload = private.scrub_jsonb(payload, p_patterns), last_error = private.scrub_text(last_error, p_patterns)
  where private.mentions(payload::text, p_patterns) or private.mentions(last_error, p_patterns);
  get diagnostics n_jobs = row_count;
  update public.case_events set detail = private.scrub_jsonb(detail, p_patterns)
  where case_id <> all (p_held) and private.mentions(detail::text, p_patterns);
  get diagnostics n_events = row_count;
  return jsonb_build_object('pending_actions', n_pending, 'jobs', n_jobs, 'case_events', n_events);
end $$;
revoke execute on function private.erase_bookkeeping(text[], bigint[]) from public, anon;
grant execute on function private.erase_bookkeeping(text[], bigint[]) to authenticated, crm_writer, service_role;

-- Erasure: the contact is anonymised (the row stays so deals and cases keep their shape), consents
-- deleted, leads with the email anonymised, and every mention of the name, email or phone in free
-- text replaced by "[erased]". Exception (Art. 17(3)(e)): cases under legal hold are kept whole,
-- with their events, and reported.
create function private.dr_erase(r public.data_requests) returns jsonb language plpgsql as $$
declare
  s record;
  v_all text[];
  v_linked text[];
  v_held bigint[];
  v_counts jsonb := '{}';
  v_book jsonb;
  v_contacts uuid[];
  n int;
begin
  select * into s from private.subject_of(r);
  v_all := private.subject_patterns(s.name, s.email, s.phone);
  v_linked := private.subject_patterns(s.name, s.email, s.phone, true);
  if cardinality(v_all) = 0 then
    raise exception 'Request #% names no one I can search for.', r.id;
  end if;

  select coalesce(array_agg(id order by id), '{}') into v_held from public.cases
  where legal_hold and (contact_id = s.contact_id or private.mentions(summary, v_all) or private.mentions(source_text, v_all));

  -- The same person may have been entered twice: every contact with their email, or their name and phone.
  select coalesce(array_agg(id), '{}') into v_contacts from public.contacts c
  where c.id = s.contact_id
     or (s.email is not null and lower(c.email) = lower(s.email))
     or (s.phone is not null and lower(c.name) = lower(s.name)
         and regexp_replace(c.phone, '\D', '', 'g') = regexp_replace(s.phone, '\D', '', 'g'));

  update public.contacts set name = 'Erased contact ' || left(md5(id::text), 8), email = null, phone = null, title = null,
         erased_at = now(), updated_at = now()
  where id = any (v_contacts);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('contacts anonymised', n);

  delete from public.consents where contact_id = any (v_contacts);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('consents deleted', n);

  update public.leads set name = 'Erased lead ' || left(md5(id::text), 8), email = null, phone = null, updated_at = now()
  where contact_id = any (v_contacts) or lower(email) = lower(s.email)
     or (s.phone is not null and lower(name) = lower(s.name)
         and regexp_replace(phone, '\D', '', 'g') = regexp_replace(s.phone, '\D', '', 'g'));
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('leads anonymised', n);

  update public.activities x
  set summary = private.scrub_text(summary, p), outcome = private.scrub_text(outcome, p)
  from (select case when a.contact_id = s.contact_id then v_linked else v_all end as p, a.id
        from public.activities a) m
  where m.id = x.id and (private.mentions(x.summary, m.p) or private.mentions(x.outcome, m.p));
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('activities scrubbed', n);

  -- Open tasks to reach an erased person cannot be done any more.
  update public.tasks set status = 'cancelled'
  where contact_id = any (v_contacts) and status = 'open';
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('open tasks cancelled', n);
  update public.tasks x set text = private.scrub_text(text, m.p)
  from (select case when t.contact_id = s.contact_id then v_linked else v_all end as p, t.id
        from public.tasks t) m
  where m.id = x.id and private.mentions(x.text, m.p);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('tasks scrubbed', n);

  update public.cases x set summary = private.scrub_text(summary, m.p), source_text = private.scrub_text(source_text, m.p),
         updated_at = now()
  from (select case when c.contact_id = s.contact_id then v_linked else v_all end as p, c.id
        from public.cases c) m
  where m.id = x.id and x.id <> all (v_held)
    and (private.mentions(x.summary, m.p) or private.mentions(x.source_text, m.p));
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('cases scrubbed', n);

  update public.deals set name = private.scrub_text(name, v_all) where private.mentions(name, v_all);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('deals scrubbed', n);

  -- The requests about the subject keep only a hash of who it was (enough to answer "did we?").
  update public.data_requests x
  set subject = case when x.subject like 'Erased subject %' then x.subject else 'Erased subject ' || private.hash_pii(btrim(x.subject)) end,
      changes = private.redact(x.changes), verification_method = private.scrub_text(x.verification_method, v_all),
      result = private.scrub_jsonb(x.result, v_all)
  where x.subject_contact_id = s.contact_id or x.id = r.id or private.mentions(x.subject, v_all)
     or private.mentions(x.changes::text, v_all);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('data requests pseudonymised', n);

  v_book := private.erase_bookkeeping(v_all, v_held);
  v_counts := v_counts || jsonb_build_object(
    'pending messages scrubbed', (v_book ->> 'pending_actions')::int,
    'jobs scrubbed', (v_book ->> 'jobs')::int, 'case events scrubbed', (v_book ->> 'case_events')::int);

  return jsonb_build_object(
    'done', (select coalesce(jsonb_agg(format('%s: %s', key, value) order by key), '[]') from jsonb_each_text(v_counts) where value::int > 0),
    'kept', (select coalesce(jsonb_agg(format('kept under legal hold: case %s', h) order by h), '[]') from unnest(v_held) h),
    'held_cases', to_jsonb(v_held), 'counts', v_counts, 'subject_hash', private.hash_pii(coalesce(s.email, s.name)));
end $$;
revoke execute on function private.dr_erase(data_requests) from public, anon;
grant execute on function private.dr_erase(data_requests) to authenticated, crm_writer, service_role;

-- Rectification: the fields change; the record keeps old -> new as hashes only.
create function private.dr_rectify(r public.data_requests) returns jsonb language plpgsql as $$
declare
  c public.contacts;
  k text;
  v_log jsonb := '[]';
begin
  select * into c from public.contacts where id = r.subject_contact_id and erased_at is null;
  if not found then
    raise exception 'The contact of request #% no longer exists or was erased.', r.id;
  end if;
  for k in select f from jsonb_object_keys(r.changes) f where f in ('name', 'email', 'phone', 'title') order by 1 loop
    execute format('update public.contacts set %I = $1, updated_at = now() where id = $2', k) using btrim(r.changes ->> k), c.id;
    v_log := v_log || jsonb_build_object('field', k, 'from', private.hash_pii(to_jsonb(c) ->> k),
                                         'to', private.hash_pii(btrim(r.changes ->> k)));
  end loop;
  update public.data_requests set changes = private.redact(changes) where id = r.id;
  return jsonb_build_object(
    'done', (select jsonb_agg(format('corrected %s', e ->> 'field')) from jsonb_array_elements(v_log) e),
    'kept', '[]'::jsonb, 'rectified', v_log);
end $$;
revoke execute on function private.dr_rectify(data_requests) from public, anon;
grant execute on function private.dr_rectify(data_requests) to authenticated, crm_writer, service_role;

-- Restriction (Art. 18): the contact is flagged; the data stays, stored but not processed.
create function private.dr_restrict(r public.data_requests) returns jsonb language plpgsql as $$
begin
  update public.contacts set processing_restricted = true, updated_at = now() where id = r.subject_contact_id and erased_at is null;
  if not found then
    raise exception 'The contact of request #% no longer exists or was erased.', r.id;
  end if;
  return jsonb_build_object('done', jsonb_build_array('flagged the contact: processing restricted'), 'kept', '[]'::jsonb);
end $$;
revoke execute on function private.dr_restrict(data_requests) from public, anon;
grant execute on function private.dr_restrict(data_requests) to authenticated, crm_writer, service_role;

-- Consent withdrawal: the purpose named (or every purpose on record, and marketing) is withdrawn, and
-- the open outreach tasks for it are cancelled (an overdue open task would still be done later).
create function private.dr_withdraw_consent(r public.data_requests) returns jsonb language plpgsql as $$
declare
  v_purposes text[];
  n_consents int;
  n_tasks int;
begin
  if not exists (select 1 from public.contacts where id = r.subject_contact_id and erased_at is null) then
    raise exception 'The contact of request #% no longer exists or was erased.', r.id;
  end if;
  v_purposes := case when r.changes ? 'purpose' then array[r.changes ->> 'purpose']
    else array(select purpose from public.consents where contact_id = r.subject_contact_id union select 'marketing' order by 1) end;
  insert into public.consents (contact_id, purpose, granted, source, updated_at)
  select r.subject_contact_id, p, false, 'data request #' || r.id, now() from unnest(v_purposes) p
  on conflict (contact_id, purpose) do update set granted = false, source = excluded.source, updated_at = now();
  get diagnostics n_consents = row_count;
  update public.tasks set status = 'cancelled'
  where contact_id = r.subject_contact_id and status = 'open' and purpose = any (v_purposes);
  get diagnostics n_tasks = row_count;
  return jsonb_build_object(
    'done', jsonb_build_array(format('withdrew consent for %s', array_to_string(v_purposes, ', ')),
                              format('cancelled %s open %s task(s)', n_tasks, array_to_string(v_purposes, '/'))),
    'kept', '[]'::jsonb, 'purposes', to_jsonb(v_purposes), 'tasks_cancelled', n_tasks);
end $$;
revoke execute on function private.dr_withdraw_consent(data_requests) from public, anon;
grant execute on function private.dr_withdraw_consent(data_requests) to authenticated, crm_writer, service_role;

-- ---------------------------------------------------------------------------------------------
-- The workflow: received -> verified (who, how) -> approved -> completed; or rejected on the way.

-- Why a step cannot run now, or null. The act below raises it; the skill asks before confirming.
create function private.data_request_step_problem(r public.data_requests, p_step text, p_method text) returns text
language plpgsql stable as $$
begin
  if not private.has_role('privacy_officer', 'admin') then
    return 'Only a privacy officer or an admin may verify, approve, execute or reject data requests.';
  end if;
  if r.id is null then
    return 'There is no such data request.';
  end if;
  if r.status = 'completed' then
    return null; -- running a completed request again is a no-op, not an error
  end if;
  if r.status = 'rejected' then
    return format('Request #%s was rejected; file a new one if the person asks again.', r.id);
  end if;
  return case p_step
    when 'verify' then case
      when nullif(btrim(p_method), '') is null then 'Say how the identity was verified (e.g. "verified by a reply from the email on file").'
      when r.status <> 'received' then format('Request #%s is already verified.', r.id) end
    when 'approve' then case
      when r.status = 'received' then format('Request #%s must have the identity verified before it can be approved.', r.id)
      when r.status = 'approved' then format('Request #%s is already approved.', r.id) end
    when 'execute' then case
      when r.status <> 'approved' then format('Request #%s must be verified and approved before it is executed (it is %s).', r.id, r.status) end
    when 'reject' then null
    else format('Unknown step %s.', p_step) end;
end $$;
revoke execute on function private.data_request_step_problem(data_requests, text, text) from public, anon;
grant execute on function private.data_request_step_problem(data_requests, text, text) to authenticated, crm_writer, service_role;

create function public.check_data_request_step(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select jsonb_build_object('problem', private.data_request_step_problem(
    (select r from public.data_requests r where r.id = (args ->> 'request')::bigint), args ->> 'step', args ->> 'method'))
$$;
alter function public.check_data_request_step(jsonb) owner to crm_writer;

create function private.act_data_request_step(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  r public.data_requests;
  v_step text := payload ->> 'step';
  v_method text := nullif(btrim(payload ->> 'method'), '');
  v_problem text;
  v_result jsonb;
  v_export jsonb;
begin
  if not private.has_role('privacy_officer', 'admin') then
    raise exception 'Only a privacy officer or an admin may verify, approve, execute or reject data requests.';
  end if;
  select * into r from public.data_requests where id = (payload ->> 'request')::bigint for update;
  if not found then
    raise exception 'There is no data request #%.', payload ->> 'request';
  end if;
  v_problem := private.data_request_step_problem(r, v_step, v_method);
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  if r.status = 'completed' then
    -- Running it again would change nothing; refusing keeps a no-op out of the audit trail.
    raise exception 'Request #% was already completed on %; nothing changed.', r.id, r.executed_at::date;
  end if;

  if v_step = 'verify' then
    update public.data_requests set status = 'verified', verified_by = auth.uid(), verified_at = now(),
           verification_method = v_method
    where id = r.id returning * into r;
  elsif v_step = 'approve' then
    update public.data_requests set status = 'approved', approved_by = auth.uid(), approved_at = now()
    where id = r.id returning * into r;
  elsif v_step = 'execute' then
    v_result := case r.kind
      when 'access' then private.dr_export(r)
      when 'portability' then private.dr_export(r)
      when 'erasure' then private.dr_erase(r)
      when 'rectification' then private.dr_rectify(r)
      when 'restriction' then private.dr_restrict(r)
      when 'consent_withdrawal' then private.dr_withdraw_consent(r)
    end;
    v_export := v_result -> 'export';
    update public.data_requests set status = 'completed', executed_by = auth.uid(), executed_at = now(),
           result = (v_result - 'export') || jsonb_build_object('completed_on', (now() at time zone 'utc')::date,
                                                                'deadline_met', (now() at time zone 'utc')::date <= due_date)
    where id = r.id returning * into r;
  else -- reject
    update public.data_requests set status = 'rejected', executed_by = auth.uid(), executed_at = now(),
           result = jsonb_build_object('done', jsonb_build_array('rejected'), 'kept', '[]'::jsonb, 'reason', v_method)
    where id = r.id returning * into r;
  end if;
  return jsonb_build_object('target_type', 'data_request', 'target_id', r.id::text, 'step', v_step,
                            'request', private.data_request_json(r))
         || case when v_export is not null then jsonb_build_object('export', v_export) else '{}' end;
end $$;
alter function private.act_data_request_step(jsonb) owner to crm_writer;
revoke execute on function private.act_data_request_step(jsonb) from public, anon, authenticated;
grant execute on function private.act_data_request_step(jsonb) to service_role;

-- supabase/schemas/10_channels.sql
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

-- supabase/schemas/11_action_api_and_audit.sql
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
                   'from', 'to', 'due_date', 'follow_up_date', 'close_date', 'step', 'due', 'scope', 'notices',
                   'request', 'case', 'deal_id', 'account_id', 'contact_id', 'lead_id', 'id')
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
  values (auth.uid(), auth.jwt() ->> 'crm_role', coalesce(p_channel, 'system'), p_request_id, p_action,
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
