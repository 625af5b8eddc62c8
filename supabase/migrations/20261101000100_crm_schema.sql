-- The CRM data model: people who use the assistant, the customers they sell to and support,
-- and the records of what happened. Tables live in `public` (what PostgREST exposes);
-- helpers that are not part of the API live in `private`.

create schema if not exists private;
create extension if not exists pg_trgm;

create type public.user_role as enum ('rep', 'manager', 'support', 'privacy_officer', 'admin');
create type public.deal_stage as enum ('prospecting', 'qualification', 'discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost');
create type public.activity_kind as enum ('call', 'meeting', 'email', 'note');
create type public.lead_status as enum ('new', 'mql', 'sql', 'converted', 'disqualified');
create type public.case_severity as enum ('low', 'medium', 'high', 'urgent');
create type public.case_category as enum ('billing', 'technical', 'outage', 'security', 'account', 'other');
create type public.case_status as enum ('new', 'acknowledged', 'resolved', 'reopened');
create type public.data_request_kind as enum ('access', 'erasure', 'rectification', 'restriction', 'portability', 'consent_withdrawal');
create type public.data_request_status as enum ('received', 'verified', 'approved', 'completed', 'rejected');
create type public.account_tier as enum ('standard', 'premium', 'enterprise');

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

create table public.contacts (
  id uuid primary key default gen_random_uuid(),
  account_id uuid references public.accounts(id),
  name text not null,
  email text,
  phone text,
  title text,
  owner_id uuid references public.users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index contacts_account_idx on public.contacts (account_id);
create index contacts_email_idx on public.contacts (lower(email));
create index contacts_name_idx on public.contacts using gin (lower(name) gin_trgm_ops);

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

-- The sales process: order and default win probability of each stage (used by the weighted forecast).
create table public.stages (
  stage public.deal_stage primary key,
  position int not null unique,
  probability numeric(4, 3) not null check (probability between 0 and 1),
  is_closed boolean not null,
  is_won boolean not null
);
insert into public.stages values
  ('prospecting', 1, 0.10, false, false),
  ('qualification', 2, 0.20, false, false),
  ('discovery', 3, 0.35, false, false),
  ('proposal', 4, 0.55, false, false),
  ('negotiation', 5, 0.75, false, false),
  ('closed_won', 6, 1.00, true, true),
  ('closed_lost', 7, 0.00, true, false);

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

create table public.deal_stage_history (
  id bigint generated always as identity primary key,
  deal_id uuid not null references public.deals(id) on delete cascade,
  from_stage public.deal_stage,
  to_stage public.deal_stage not null,
  changed_by uuid references public.users(id),
  changed_at timestamptz not null default now()
);
create index deal_stage_history_deal_idx on public.deal_stage_history (deal_id, changed_at);

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

-- Support: service objectives, the agents who work cases, and the cases themselves.
create table public.sla_policies (
  severity public.case_severity not null,
  tier public.account_tier not null,
  first_response_minutes int not null check (first_response_minutes > 0),
  resolution_minutes int not null check (resolution_minutes > 0),
  primary key (severity, tier)
);

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

create table public.case_events (
  id bigint generated always as identity primary key,
  case_id bigint not null references public.cases(id) on delete cascade,
  kind text not null,
  actor_id uuid references public.users(id),
  detail jsonb not null default '{}',
  at timestamptz not null default now()
);
create index case_events_case_idx on public.case_events (case_id, at);

-- Privacy: consents per purpose and data-subject requests.
create table public.consents (
  id uuid primary key default gen_random_uuid(),
  contact_id uuid not null references public.contacts(id) on delete cascade,
  purpose text not null,
  granted boolean not null,
  source text,
  updated_at timestamptz not null default now(),
  unique (contact_id, purpose)
);

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
  result jsonb
);
create index data_requests_open_idx on public.data_requests (status, due_date);

-- The assistant's own bookkeeping.
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

-- Request ids come from the channels (Slack event ids, …): unique per user, so nobody can
-- pre-empt someone else's request by guessing its id.
create table public.processed_requests (
  user_id uuid not null references public.users(id),
  request_id text not null,
  action text not null,
  created_at timestamptz not null default now(),
  primary key (user_id, request_id)
);

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

create function private.audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_append_only before update or delete on public.audit_log
  for each row execute function private.audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.audit_log_is_append_only();

-- A durable job queue polled with FOR UPDATE SKIP LOCKED (reminders, SLA checks): jobs survive restarts.
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

-- Keep denormalised columns right whatever writes the row.
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
    insert into public.deal_stage_history (deal_id, from_stage, to_stage, changed_by)
      values (new.id, old.stage, new.stage, auth.uid());
  end if;
  new.updated_at := now();
  return new;
end $$;
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
create trigger deals_first_stage after insert on public.deals
  for each row execute function private.deals_first_stage();

create function private.owner_team() returns trigger language plpgsql security definer set search_path = public as $$
begin
  select team into new.team from public.users where id = (to_jsonb(new) ->> tg_argv[0])::uuid;
  return new;
end $$;
create trigger activities_team before insert or update of owner_id on public.activities
  for each row execute function private.owner_team('owner_id');
create trigger tasks_team before insert or update of assignee_id on public.tasks
  for each row execute function private.owner_team('assignee_id');
