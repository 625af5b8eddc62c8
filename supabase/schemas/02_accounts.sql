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
revoke execute on function private.account_moved() from public, anon, authenticated;
grant execute on function private.account_moved() to crm_writer, service_role;

create trigger accounts_region_moved after update of region on public.accounts
  for each row when (old.region is distinct from new.region) execute function private.account_moved();

-- A new account from chat: in the creator's region, owned by them. A name already taken (case aside) is refused:
-- the assistant offers existing look-alikes before this runs.
create function private.act_account_create(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_name text := btrim(payload ->> 'name');
  a public.accounts;
begin
  if coalesce(v_name, '') = '' then
    raise exception 'A new account needs a name.';
  end if;
  select * into a from public.accounts where lower(name) = lower(v_name) limit 1;
  if found then
    raise exception 'There is already an account called %.', a.name;
  end if;
  insert into public.accounts (name, domain, industry, region, owner_id)
  values (v_name, lower(nullif(btrim(payload ->> 'domain'), '')), nullif(btrim(payload ->> 'industry'), ''),
          coalesce((select region from public.users where id = auth.uid()), 'Global'), auth.uid())
  returning * into a;
  return jsonb_build_object('target_type', 'account', 'target_id', a.id,
    'account', jsonb_build_object('id', a.id, 'name', a.name, 'domain', a.domain, 'industry', a.industry,
                                  'region', a.region));
end $$;
alter function private.act_account_create(jsonb) owner to crm_writer;
revoke execute on function private.act_account_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_account_create(jsonb) to service_role;
