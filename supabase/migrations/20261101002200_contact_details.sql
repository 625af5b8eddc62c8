-- A contact's email and phone are not readable straight from the table: the functions that need
-- them run as the writer role (RLS still applies) and show them only as the role model allows (the
-- customer 360 masks them outside the asker's team). Without this, anyone with API access could read
-- every contact's details directly, whatever the 360 shows.
revoke select on public.contacts from authenticated;
grant select (id, account_id, name, title, owner_id, created_at, updated_at, processing_restricted, erased_at)
  on public.contacts to authenticated;

do $$
declare f text;
begin
  foreach f in array array[
    'public.find_entities(jsonb)', 'public.customer_360(jsonb)', 'public.check_rep_action(jsonb)',
    'public.contacts_with_email(jsonb)', 'public.check_data_request_create(jsonb)', 'public.check_data_request_step(jsonb)',
    'public.data_request_get(jsonb)', 'public.pending_get(jsonb)'] loop
    execute format('alter function %s security definer set search_path = public, private', f);
    execute format('alter function %s owner to crm_writer', f);
  end loop;
end $$;
