-- What a conversation carries from one message to the next (the write waiting for a yes, the last question, what was
-- talked about), so that every replica of a chat channel reads "and next quarter?" the same way. Private to its user,
-- forgotten after 30 minutes of silence, and forgotten at once when a person named in it is erased.
create table public.conversation_states (
  user_id uuid not null references public.users(id) on delete cascade,
  conversation text not null check (length(conversation) <= 300),
  state jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, conversation)
);
alter table public.conversation_states enable row level security;
revoke all on public.conversation_states from authenticated;
grant select, insert, update, delete on public.conversation_states to service_role, crm_writer;
create policy conversation_own on public.conversation_states for all to crm_writer
  using ((select private.is_crm_user()) and user_id = (select auth.uid()))
  with check ((select private.is_crm_user()) and user_id = (select auth.uid()));

create function public.conversation_get(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select coalesce((select s.state from public.conversation_states s
                   where s.user_id = auth.uid() and s.conversation = args ->> 'conversation'
                     and s.updated_at > now() - interval '30 minutes'), '{}'::jsonb)
$$;
alter function public.conversation_get(jsonb) owner to crm_writer;
revoke execute on function public.conversation_get(jsonb) from public, anon;
grant execute on function public.conversation_get(jsonb) to authenticated, crm_writer, service_role;

create function public.conversation_put(args jsonb) returns jsonb language sql
security definer set search_path = public, private as $$
  insert into public.conversation_states (user_id, conversation, state)
  values (auth.uid(), args ->> 'conversation', coalesce(args -> 'state', '{}'))
  on conflict (user_id, conversation) do update set state = excluded.state, updated_at = now()
  returning '{}'::jsonb
$$;
alter function public.conversation_put(jsonb) owner to crm_writer;
revoke execute on function public.conversation_put(jsonb) from public, anon;
grant execute on function public.conversation_put(jsonb) to authenticated, crm_writer, service_role;

-- An erasure leaves no name or email behind in what conversations remember, whoever's they are (so it runs as the
-- schema's owner, past the per-user policy, like private.audit).
create function private.forget_erased_in_conversations() returns trigger language plpgsql
security definer set search_path = public as $$
begin
  delete from public.conversation_states s
  where strpos(lower(s.state::text), lower(old.name)) > 0
     or (old.email is not null and strpos(lower(s.state::text), lower(old.email)) > 0);
  return null;
end $$;
revoke execute on function private.forget_erased_in_conversations() from public, anon, authenticated;

create trigger contacts_erased_forget_conversations after update of erased_at or delete on public.contacts
  for each row when (old.erased_at is null) execute function private.forget_erased_in_conversations();

-- "Undo": the asker's own last write, within 30 minutes, taken back once. What can be taken back whole: a logged
-- activity (with its follow-up task, and the deal's last activity recomputed), a new task, a new contact nothing
-- refers to yet. `writes` are the action types that write, from the core's registry.
create policy audit_read_own on public.audit_log for select to crm_writer using (actor_id = (select auth.uid()));

create function public.undo_candidate(args jsonb) returns jsonb language sql stable
security definer set search_path = public, private as $$
  select jsonb_build_object('audit_id', l.id, 'action', l.action, 'at', l.at,
    'undone', exists (select 1 from public.audit_log u where u.action = 'undo' and u.target_id = l.id::text),
    'recent', l.at > now() - interval '30 minutes',
    'what', case l.action
      when 'activity.log' then (select a.kind || ': ' || left(a.summary, 80) from public.activities a where a.id::text = l.target_id)
      when 'task.create' then (select left(t.text, 80) from public.tasks t where t.id::text = l.target_id)
      when 'contact.create' then (select c.name from public.contacts c where c.id::text = l.target_id and c.erased_at is null)
    end)
  from public.audit_log l
  where l.actor_id = auth.uid() and l.action <> 'undo'
    and l.action in (select jsonb_array_elements_text(args -> 'writes'))
  order by l.id desc
  limit 1
$$;
alter function public.undo_candidate(jsonb) owner to crm_writer;
revoke execute on function public.undo_candidate(jsonb) from public, anon;
grant execute on function public.undo_candidate(jsonb) to authenticated, crm_writer, service_role;

-- What act_undo may delete, as its caller: their own records of the last 30 minutes, and only while it runs (it sets
-- crm.undo for its transaction); reps still cannot delete through the API, nor other definer functions.
create policy activities_undo on public.activities for delete to crm_writer
  using (current_setting('crm.undo', true) = 'on' and owner_id = (select auth.uid())
         and created_at > now() - interval '30 minutes');
create policy tasks_undo on public.tasks for delete to crm_writer
  using (current_setting('crm.undo', true) = 'on' and created_by = (select auth.uid())
         and created_at > now() - interval '30 minutes');
create policy contacts_undo on public.contacts for delete to crm_writer
  using (current_setting('crm.undo', true) = 'on' and owner_id = (select auth.uid())
         and created_at > now() - interval '30 minutes');

create function private.act_undo(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  l public.audit_log;
  v_deal uuid;
begin
  -- One undo per change even when two arrive at once: the second waits here, then sees the first.
  perform pg_advisory_xact_lock(hashtext('undo'), (payload ->> 'audit_id')::int);
  select * into l from public.audit_log where id = (payload ->> 'audit_id')::bigint and actor_id = auth.uid();
  if l.id is null or l.at < now() - interval '30 minutes' then
    raise exception 'I can only take back one of your own changes from the last 30 minutes.';
  end if;
  if exists (select 1 from public.audit_log u where u.action = 'undo' and u.target_id = l.id::text) then
    raise exception 'That change was already taken back.';
  end if;
  perform set_config('crm.undo', 'on', true);
  case l.action
    when 'activity.log' then
      delete from public.tasks where activity_id = l.target_id::uuid and status = 'open';
      delete from public.activities where id = l.target_id::uuid and owner_id = auth.uid() returning deal_id into v_deal;
      if not found then raise exception 'That activity is no longer there.'; end if;
      update public.deals d set last_activity_at = (select max(a.occurred_at) from public.activities a where a.deal_id = d.id)
      where d.id = v_deal;
    when 'task.create' then
      update public.tasks set status = 'cancelled' where id = l.target_id::uuid and status = 'open';
      if not found then raise exception 'That task is no longer open, so there is nothing to take back.'; end if;
    when 'contact.create' then
      if exists (select 1 from public.activities where contact_id = l.target_id::uuid)
         or exists (select 1 from public.tasks where contact_id = l.target_id::uuid)
         or exists (select 1 from public.deals where contact_id = l.target_id::uuid) then
        raise exception 'That contact already has activities, tasks or deals, so I won''t delete it.';
      end if;
      begin
        delete from public.contacts where id = l.target_id::uuid;
      exception when foreign_key_violation then
        raise exception 'That contact is already linked to other records, so I won''t delete it.';
      end;
    else
      raise exception 'I can''t take back that kind of change.';
  end case;
  return jsonb_build_object('target_type', 'undo', 'target_id', l.id, 'undone', l.action);
end $$;
alter function private.act_undo(jsonb) owner to crm_writer;
revoke execute on function private.act_undo(jsonb) from public, anon, authenticated;
grant execute on function private.act_undo(jsonb) to service_role;

insert into private.capabilities (role, action)
select r, 'undo' from unnest(array['rep', 'manager', 'support', 'privacy_officer', 'admin']) r;
