-- A durable job queue polled with FOR UPDATE SKIP LOCKED (reminders, SLA checks): jobs survive
-- restarts. System work: the service role calls its API; users reach it only through the definer
-- helpers of the tasks and cases that enqueue into it.

create table public.jobs (
  id bigint generated always as identity primary key,
  kind text not null,
  run_at timestamptz not null,
  payload jsonb not null default '{}',
  dedupe_key text unique,
  status text not null default 'pending' check (status in ('pending', 'done', 'failed')),
  attempts int not null default 0,
  last_error text,
  done_at timestamptz
);
create index jobs_due_idx on public.jobs (run_at) where status = 'pending';
alter table public.jobs enable row level security;
revoke all on public.jobs from authenticated;
grant select, insert, update, delete on public.jobs to service_role, crm_writer;
revoke usage, select on sequence public.jobs_id_seq from authenticated;
grant select, usage on sequence public.jobs_id_seq to service_role, crm_writer;

create function public.enqueue_job(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with j as (
    insert into public.jobs (kind, run_at, payload, dedupe_key)
    values (args ->> 'kind', coalesce((args ->> 'run_at')::timestamptz, now()), coalesce(args -> 'payload', '{}'), args ->> 'dedupe_key')
    on conflict (dedupe_key) do nothing returning id)
  select jsonb_build_object('id', (select id from j))
$$;
revoke execute on function public.enqueue_job(jsonb) from public, anon, authenticated;
grant execute on function public.enqueue_job(jsonb) to service_role;

-- Claims due jobs so that two workers (or two processes) never run the same one. A claim is a
-- one-minute lease: a job whose process died runs again a minute later (the scheduler claims one
-- job at a time, so a crash strands only the one it was running).
create function public.claim_jobs(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  with due as (
    select id from public.jobs
    where status = 'pending' and run_at <= coalesce((args ->> 'now')::timestamptz, now())
      and (args ->> 'kinds' is null or kind in (select jsonb_array_elements_text(args -> 'kinds')))
    order by run_at limit coalesce((args ->> 'limit')::int, 20)
    for update skip locked),
  claimed as (
    update public.jobs j set attempts = attempts + 1, run_at = coalesce((args ->> 'now')::timestamptz, now()) + interval '1 minute'
    from due where j.id = due.id returning j.id, j.kind, j.payload, j.attempts)
  select coalesce(jsonb_agg(to_jsonb(claimed)), '[]') from claimed
$$;
revoke execute on function public.claim_jobs(jsonb) from public, anon, authenticated;
grant execute on function public.claim_jobs(jsonb) to service_role;

create function public.finish_job(args jsonb) returns jsonb language sql security definer set search_path = public as $$
  update public.jobs set
    status = case when args ->> 'error' is null then 'done' when attempts >= 5 then 'failed' else 'pending' end,
    last_error = args ->> 'error',
    done_at = case when args ->> 'error' is null then now() end
  where id = (args ->> 'id')::bigint;
  select '{}'::jsonb
$$;
revoke execute on function public.finish_job(jsonb) from public, anon, authenticated;
grant execute on function public.finish_job(jsonb) to service_role;
