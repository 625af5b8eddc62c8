-- What the LLM parser needs from the database: the contact names to mask before text leaves the
-- process (system work), and a record of every model call in the audit log (no raw text).
create function public.contact_names(args jsonb) returns jsonb language sql stable security definer
set search_path = public as $$
  select coalesce(jsonb_agg(distinct name), '[]') from public.contacts
$$;
revoke execute on function public.contact_names(jsonb) from public, anon, authenticated;
grant execute on function public.contact_names(jsonb) to service_role;

create function public.record_llm_call(args jsonb) returns jsonb language sql as $$
  select private.audit('llm.call', 'llm', null, 'model', args ->> 'model',
    jsonb_build_object('prompt_sha256', args ->> 'promptHash', 'latency_ms', (args ->> 'latencyMs')::int,
                       'outcome', args ->> 'outcome'));
  select '{}'::jsonb
$$;
