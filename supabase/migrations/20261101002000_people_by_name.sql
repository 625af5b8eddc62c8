-- People matching a name, for the terminal's `/as <name>` (system work: the service role only).
create function public.users_named(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select coalesce(jsonb_agg(to_jsonb(u) - 'created_at' order by lower(u.name) = lower(args ->> 'name') desc, u.name), '[]')
  from public.users u
  where u.active and u.role <> 'guest'
    and (lower(u.name) = lower(args ->> 'name') or lower(u.name) like lower(args ->> 'name') || ' %')
$$;
revoke execute on function public.users_named(jsonb) from public, anon, authenticated;
grant execute on function public.users_named(jsonb) to service_role;
