-- Privileges that schema diffing does not see: usage of the schemas, and the contact columns
-- `authenticated` may select (email and phone are not among them). See supabase/schemas/00 and 03.

-- Who may use the schemas: the API roles, and the writer role the actions run as.
grant usage on schema public, private to anon, authenticated, service_role, crm_writer;
grant usage on schema auth to crm_writer;
grant execute on all functions in schema auth to crm_writer;

grant select (id, account_id, name, title, owner_id, created_at, updated_at, processing_restricted, erased_at)
  on public.contacts to authenticated;
