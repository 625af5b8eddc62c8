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

-- The writer role the actions run as.
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

create schema if not exists private;
create extension if not exists pg_trgm;

-- Who may use the schemas: the API roles, and the writer role the actions run as.
grant usage on schema public, private to anon, authenticated, service_role, crm_writer;
grant usage on schema auth to crm_writer;
grant execute on all functions in schema auth to crm_writer;
