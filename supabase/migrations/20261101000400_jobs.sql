-- The durable job queue's API (system work: the service role calls it, users cannot).
create function public.enqueue_job(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with j as (
    insert into public.jobs (kind, run_at, payload, dedupe_key)
    values (args ->> 'kind', coalesce((args ->> 'run_at')::timestamptz, now()), coalesce(args -> 'payload', '{}'), args ->> 'dedupe_key')
    on conflict (dedupe_key) do nothing returning id)
  select jsonb_build_object('id', (select id from j))
$$;

-- Claims due jobs so that two workers (or two processes) never run the same one.
create function public.claim_jobs(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with due as (
    select id from public.jobs
    where status = 'pending' and run_at <= coalesce((args ->> 'now')::timestamptz, now())
      and (args ->> 'kinds' is null or kind in (select jsonb_array_elements_text(args -> 'kinds')))
    order by run_at limit coalesce((args ->> 'limit')::int, 20)
    for update skip locked),
  claimed as (
    update public.jobs j set attempts = attempts + 1, run_at = coalesce((args ->> 'now')::timestamptz, now()) + interval '5 minutes'
    from due where j.id = due.id returning j.id, j.kind, j.payload, j.attempts)
  select coalesce(jsonb_agg(to_jsonb(claimed)), '[]') from claimed
$$;

create function public.finish_job(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  update public.jobs set
    status = case when args ->> 'error' is null then 'done' when attempts >= 5 then 'failed' else 'pending' end,
    last_error = args ->> 'error',
    done_at = case when args ->> 'error' is null then now() end
  where id = (args ->> 'id')::bigint;
  select '{}'::jsonb
$$;

revoke execute on function public.enqueue_job(jsonb), public.claim_jobs(jsonb), public.finish_job(jsonb) from public, anon, authenticated;
grant execute on function public.enqueue_job(jsonb), public.claim_jobs(jsonb), public.finish_job(jsonb) to service_role;
