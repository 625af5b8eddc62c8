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
grant select (id, account_id, name, title, owner_id, created_at, updated_at, processing_restricted, erased_at)
  on public.contacts to authenticated;
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
