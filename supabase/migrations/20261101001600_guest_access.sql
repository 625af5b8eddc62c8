-- The guest identity and what it may read: only the cases it raised (needed to answer the reporter).
insert into public.users (id, name, email, role, active)
values ('00000000-0000-4000-8000-00000000a0e5', 'Unlinked chat user', 'unlinked-chat-user@crm.invalid', 'guest', true)
on conflict (id) do nothing;

drop policy contacts_read on public.contacts;
create policy contacts_read on public.contacts for select to authenticated using (not (select private.has_role('guest')));
drop policy consents_read on public.consents;
create policy consents_read on public.consents for select to authenticated using (not (select private.has_role('guest')));
drop policy cases_read on public.cases;
create policy cases_read on public.cases for select to authenticated
  using (not (select private.has_role('guest')) or reporter_id = (select auth.uid()));
drop policy case_events_read on public.case_events;
create policy case_events_read on public.case_events for select to authenticated
  using (not (select private.has_role('guest')) or exists (select 1 from public.cases c where c.id = case_id));
