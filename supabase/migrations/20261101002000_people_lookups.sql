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

-- Whether someone can be given a case (asked before a reassignment is confirmed).
create function public.is_support_agent(args jsonb) returns jsonb language sql stable as $$
  select to_jsonb(exists (select 1 from public.support_agents where user_id = (args ->> 'user_id')::uuid and active))
$$;
