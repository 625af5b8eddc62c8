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
-- A lead's email and phone are contact details like a contact's: not selectable by the API roles
-- (find_leads matches an email, and only an email, for those who may see the owner's details).
revoke select, insert, update, delete on public.leads from authenticated;
grant select, insert, update, delete on public.leads to service_role, crm_writer;
grant select (id, name, company, status, source, owner_id, contact_id, deal_id, created_at, updated_at)
  on public.leads to authenticated;
create policy leads_sales on public.leads for all to authenticated, crm_writer
  using ((select private.has_role('rep', 'manager', 'admin', 'privacy_officer')))
  with check ((select private.has_role('rep', 'manager', 'admin', 'privacy_officer')));

create function public.find_leads(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private, extensions as $$
  with q as (select lower(btrim(args ->> 'q')) as q),
  l as (select l.*, lower(l.email) = q.q and private.sees_contact_details(null, l.owner_id) as by_email
        from public.leads l, q)
  select coalesce(jsonb_agg(x order by rank), '[]') from (
    select jsonb_build_object('id', l.id, 'name', l.name, 'company', l.company, 'status', l.status,
                              'exact', lower(l.name) = q.q or l.by_email) as x,
           row_number() over (order by l.by_email desc, lower(l.name) = q.q desc,
                              l.status in ('converted', 'disqualified'), similarity(lower(l.name), q.q) desc, l.name, l.id) as rank
    from l, q
    where q.q <> '' and case when q.q like '%@%' then l.by_email
                             else lower(l.name) = q.q or lower(l.name) like q.q || ' %'
                                  or lower(l.name) like '% ' || q.q or lower(l.name) % q.q end
    order by rank limit least(coalesce((args ->> 'limit')::int, 6), 20)) s
$$;
alter function public.find_leads(jsonb) owner to crm_writer;
revoke execute on function public.find_leads(jsonb) from public, anon;
grant execute on function public.find_leads(jsonb) to authenticated, crm_writer, service_role;

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
