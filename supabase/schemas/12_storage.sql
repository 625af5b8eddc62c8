-- Exports (data requests) and chart PNGs on a Supabase project: a private bucket in which each user
-- writes and reads only their own folder, `<user id>/...`; they share files as signed, expiring links.
-- PGlite and plain Postgres have no Storage (no `storage` schema): the assistant writes files
-- locally there and this migration does nothing.
do $$
begin
  if to_regclass('storage.buckets') is null or to_regclass('storage.objects') is null then
    return;
  end if;
  insert into storage.buckets (id, name, public) values ('crm-files', 'crm-files', false)
  on conflict (id) do nothing;
  drop policy if exists crm_files_insert_own on storage.objects;
  create policy crm_files_insert_own on storage.objects for insert to authenticated
    with check (bucket_id = 'crm-files' and (storage.foldername(name))[1] = (select auth.uid())::text);
  drop policy if exists crm_files_read_own on storage.objects;
  create policy crm_files_read_own on storage.objects for select to authenticated
    using (bucket_id = 'crm-files' and (storage.foldername(name))[1] = (select auth.uid())::text);
end $$;
