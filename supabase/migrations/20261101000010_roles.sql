-- The role every action runs as (see supabase/schemas/00_roles_and_schemas.sql). Roles belong to the
-- cluster, not to a schema: schema diffing never produces them, so they have their own migration,
-- before the baseline that hands functions over to crm_writer.

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
