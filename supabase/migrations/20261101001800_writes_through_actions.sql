-- Writes go through the actions, not through the tables. On Supabase, PostgREST exposes every table
-- in `public` to any signed-in token, so a rule that lives only in a `private.act_*` function (who may
-- reopen a won deal, a data request's workflow, who may lift a legal hold…) would be bypassed by a
-- direct INSERT/UPDATE. Here:
--   * `authenticated` keeps SELECT (filtered by the policies) and loses INSERT/UPDATE/DELETE, except on
--     its own bookkeeping (pending_actions, processed_requests);
--   * every `private.act_*` function runs as `crm_writer`, a role that may write but is neither the
--     tables' owner nor BYPASSRLS, so the same row-level policies (which read the requester's JWT
--     claims) still decide what it may touch;
--   * the read policies admit only known CRM roles: a token without a `crm_role` claim (a plain
--     Supabase Auth sign-up, an anonymous sign-in) sees nothing.
-- A migration that adds an act_ function must repeat the ALTER FUNCTION below (a test checks).

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'crm_writer') then
    begin
      create role crm_writer nologin noinherit;
    exception when duplicate_object or unique_violation then null;
    end;
  end if;
end $$;
grant crm_writer to current_user; -- needed to hand functions over to it (PostgreSQL 15)

grant usage on schema public, private, auth to crm_writer;
grant select, insert, update, delete on all tables in schema public to crm_writer;
grant usage, select on all sequences in schema public to crm_writer;
grant execute on all functions in schema private, auth to crm_writer;
grant select on private.capabilities to crm_writer;

revoke insert, update, delete on all tables in schema public from authenticated;
grant insert, update, delete on public.pending_actions, public.processed_requests to authenticated;

-- The policies that speak to `authenticated` speak to the writer role too.
do $$
declare p record;
begin
  for p in select schemaname, tablename, policyname, roles from pg_policies
           where schemaname = 'public' and 'authenticated' = any (roles) and not 'crm_writer' = any (roles) loop
    execute format('alter policy %I on %I.%I to %s', p.policyname, p.schemaname, p.tablename,
                   array_to_string(array(select quote_ident(r) from unnest(p.roles || array['crm_writer'::name]) r), ', '));
  end loop;
end $$;

do $$
declare f record;
begin
  for f in select p.oid::regprocedure as sig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = 'private' and p.proname like 'act\_%' loop
    execute format('alter function %s security definer set search_path = public, private', f.sig);
    execute format('alter function %s owner to crm_writer', f.sig);
  end loop;
end $$;

-- Known CRM roles only.
create function private.is_staff() returns boolean language sql stable as
  $$ select private.has_role('rep', 'manager', 'support', 'privacy_officer', 'admin') $$;
create function private.is_crm_user() returns boolean language sql stable as
  $$ select private.is_staff() or private.has_role('guest') $$;
grant execute on function private.is_staff(), private.is_crm_user() to authenticated, crm_writer, service_role;

alter policy users_read on public.users using ((select private.is_crm_user()));
alter policy stages_read on public.stages using ((select private.is_crm_user()));
alter policy sla_read on public.sla_policies using ((select private.is_crm_user()));
alter policy agents_read on public.support_agents using ((select private.is_staff()));
alter policy accounts_read on public.accounts using ((select private.is_crm_user()));
alter policy contacts_read on public.contacts using ((select private.is_staff()));
alter policy consents_read on public.consents using ((select private.is_staff()));
alter policy cases_read on public.cases using ((select private.is_staff()) or reporter_id = (select auth.uid()));
alter policy case_events_read on public.case_events
  using ((select private.is_staff()) or exists (select 1 from public.cases c where c.id = case_id));
alter policy channel_settings_read on public.channel_settings using ((select private.is_crm_user()));
