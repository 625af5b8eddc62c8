-- Who sees what. The requester's identity arrives as JWT claims (Supabase idiom): `sub` is the CRM
-- user id, `crm_role`, `team` and `region` describe them. Policies call the helpers through
-- (select ...) so each is evaluated once per statement, not once per row.

create function private.my_role() returns text language sql stable as $$ select auth.jwt() ->> 'crm_role' $$;
create function private.my_team() returns text language sql stable as $$ select auth.jwt() ->> 'team' $$;
create function private.has_role(variadic roles text[]) returns boolean language sql stable as
  $$ select coalesce(auth.jwt() ->> 'crm_role' = any (roles), false) $$;

grant usage on schema public, private to anon, authenticated, service_role;
grant execute on all functions in schema private to authenticated, service_role;
grant select, insert, update, delete on all tables in schema public to authenticated, service_role;
grant usage, select on all sequences in schema public to authenticated, service_role;
revoke all on public.audit_log, public.jobs from authenticated;
grant select on public.audit_log to authenticated;

alter table public.users enable row level security;
alter table public.accounts enable row level security;
alter table public.contacts enable row level security;
alter table public.leads enable row level security;
alter table public.stages enable row level security;
alter table public.deals enable row level security;
alter table public.deal_stage_history enable row level security;
alter table public.activities enable row level security;
alter table public.tasks enable row level security;
alter table public.sla_policies enable row level security;
alter table public.support_agents enable row level security;
alter table public.cases enable row level security;
alter table public.case_events enable row level security;
alter table public.consents enable row level security;
alter table public.data_requests enable row level security;
alter table public.pending_actions enable row level security;
alter table public.processed_requests enable row level security;
alter table public.audit_log enable row level security;
alter table public.jobs enable row level security;

-- Directory data: every signed-in user reads it; admins maintain it.
create policy users_read on public.users for select to authenticated using (true);
create policy users_admin on public.users for all to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy stages_read on public.stages for select to authenticated using (true);
create policy sla_read on public.sla_policies for select to authenticated using (true);
create policy sla_admin on public.sla_policies for all to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy agents_read on public.support_agents for select to authenticated using (true);
create policy agents_manage on public.support_agents for update to authenticated
  using ((select private.has_role('manager', 'admin')));

-- Customers: accounts and contacts are shared company-wide (the 360 masks contact details by role).
create policy accounts_read on public.accounts for select to authenticated using (true);
create policy accounts_write on public.accounts for insert to authenticated
  with check ((select private.has_role('rep', 'manager', 'admin')));
create policy accounts_update on public.accounts for update to authenticated
  using ((select private.has_role('rep', 'manager', 'admin')));
create policy contacts_read on public.contacts for select to authenticated using (true);
create policy contacts_write on public.contacts for insert to authenticated
  with check ((select private.has_role('rep', 'manager', 'support', 'admin')));
create policy contacts_update on public.contacts for update to authenticated
  using ((select private.has_role('rep', 'manager', 'privacy_officer', 'admin')));
create policy contacts_delete on public.contacts for delete to authenticated
  using ((select private.has_role('privacy_officer', 'admin')));
create policy leads_sales on public.leads for all to authenticated
  using ((select private.has_role('rep', 'manager', 'admin', 'privacy_officer')))
  with check ((select private.has_role('rep', 'manager', 'admin', 'privacy_officer')));

-- Deals: a rep and a manager see their team's deals; a rep changes only their own, a manager their
-- team's; admins and privacy officers (for data requests) see all; support sees none.
create policy deals_read on public.deals for select to authenticated using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));
create policy deals_insert on public.deals for insert to authenticated with check (
  (select private.has_role('admin'))
  or ((select private.has_role('rep')) and owner_id = (select auth.uid()))
  or ((select private.has_role('manager')) and exists (
        select 1 from public.users u where u.id = owner_id and u.team = (select private.my_team()))));
create policy deals_update on public.deals for update to authenticated using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep')) and owner_id = (select auth.uid()))
  or ((select private.has_role('manager')) and team = (select private.my_team())));
create policy deals_delete on public.deals for delete to authenticated using ((select private.has_role('admin')));
create policy deal_history_read on public.deal_stage_history for select to authenticated
  using (exists (select 1 from public.deals d where d.id = deal_id));

-- Activities and tasks follow the owner's team; support reads activities for context.
create policy activities_read on public.activities for select to authenticated using (
  (select private.has_role('admin', 'privacy_officer', 'support'))
  or team = (select private.my_team()));
create policy activities_insert on public.activities for insert to authenticated
  with check (owner_id = (select auth.uid()));
create policy activities_update on public.activities for update to authenticated using (
  owner_id = (select auth.uid()) or (select private.has_role('admin', 'privacy_officer')));
create policy activities_delete on public.activities for delete to authenticated
  using ((select private.has_role('admin', 'privacy_officer')));
create policy tasks_read on public.tasks for select to authenticated using (
  assignee_id = (select auth.uid())
  or (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('manager')) and team = (select private.my_team())));
create policy tasks_insert on public.tasks for insert to authenticated with check (
  assignee_id = (select auth.uid())
  or (select private.has_role('admin'))
  or ((select private.has_role('manager')) and team = (select private.my_team())));
create policy tasks_update on public.tasks for update to authenticated using (
  assignee_id = (select auth.uid())
  or (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('manager')) and team = (select private.my_team())));
create policy tasks_delete on public.tasks for delete to authenticated
  using ((select private.has_role('admin', 'privacy_officer')));

-- Cases: anyone may raise one and read them; support, managers and admins work them.
create policy cases_read on public.cases for select to authenticated using (true);
create policy cases_insert on public.cases for insert to authenticated with check (reporter_id = (select auth.uid()));
create policy cases_update on public.cases for update to authenticated
  using ((select private.has_role('support', 'manager', 'admin', 'privacy_officer')));
create policy case_events_read on public.case_events for select to authenticated using (true);
create policy case_events_insert on public.case_events for insert to authenticated
  with check (actor_id = (select auth.uid()));

-- Privacy: anyone may file a request and follow their own; privacy officers and admins handle them.
create policy consents_read on public.consents for select to authenticated using (true);
create policy consents_write on public.consents for all to authenticated
  using ((select private.has_role('rep', 'manager', 'privacy_officer', 'admin')))
  with check ((select private.has_role('rep', 'manager', 'privacy_officer', 'admin')));
create policy data_requests_read on public.data_requests for select to authenticated using (
  requested_by = (select auth.uid()) or (select private.has_role('privacy_officer', 'admin')));
create policy data_requests_insert on public.data_requests for insert to authenticated
  with check (requested_by = (select auth.uid()));
create policy data_requests_update on public.data_requests for update to authenticated
  using ((select private.has_role('privacy_officer', 'admin')));

-- The assistant's bookkeeping is private to each user; the audit log is read by admins and privacy officers.
create policy pending_own on public.pending_actions for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy processed_own on public.processed_requests for all to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy audit_read on public.audit_log for select to authenticated
  using ((select private.has_role('admin', 'privacy_officer')));
