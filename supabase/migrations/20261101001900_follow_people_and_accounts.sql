-- deals, activities and tasks carry their owner's team (and deals their account's region) so that the
-- policies and the pipeline filter on one table; keep those copies right when people or accounts move.
create function private.user_moved() returns trigger language plpgsql security definer set search_path = public as $$
begin
  update public.deals set team = new.team where owner_id = new.id and team is distinct from new.team;
  update public.activities set team = new.team where owner_id = new.id and team is distinct from new.team;
  update public.tasks set team = new.team where assignee_id = new.id and team is distinct from new.team;
  return null;
end $$;
create trigger users_team_moved after update of team on public.users
  for each row when (old.team is distinct from new.team) execute function private.user_moved();

create function private.account_moved() returns trigger language plpgsql security definer set search_path = public as $$
begin
  update public.deals set region = new.region where account_id = new.id and region is distinct from new.region;
  return null;
end $$;
create trigger accounts_region_moved after update of region on public.accounts
  for each row when (old.region is distinct from new.region) execute function private.account_moved();

-- An LLM call's audit row holds no free text: the model name must look like one, the outcome is one of a few words.
create or replace function public.record_llm_call(args jsonb) returns jsonb language plpgsql as $$
begin
  if coalesce(args ->> 'model', '') !~ '^[A-Za-z0-9._:/-]{1,100}$'
     or coalesce(args ->> 'outcome', '') not in ('ok', 'invalid', 'no_tool_call', 'error', 'timeout')
     or coalesce(args ->> 'promptHash', '') !~ '^[0-9a-f]{16,64}$' then
    raise exception 'not an LLM call record' using errcode = '22023';
  end if;
  perform private.audit('llm.call', 'llm', null, 'model', args ->> 'model',
    jsonb_build_object('prompt_sha256', args ->> 'promptHash', 'latency_ms', (args ->> 'latencyMs')::int, 'outcome', args ->> 'outcome'));
  return '{}'::jsonb;
end $$;

