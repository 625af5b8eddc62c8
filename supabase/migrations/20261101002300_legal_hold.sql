-- case.hold: { case, hold }. A privacy officer (or admin) puts a case under legal hold, so that an
-- erasure keeps it as it is and reports it, or lifts the hold. Recorded as a case event.
insert into private.capabilities (role, action) values ('privacy_officer', 'case.hold'), ('admin', 'case.hold')
on conflict do nothing;

create function private.act_case_hold(p jsonb) returns jsonb language plpgsql as $$
declare
  v public.cases;
  v_hold boolean := (p ->> 'hold')::boolean;
begin
  if not private.has_role('privacy_officer', 'admin') then
    raise exception 'Only a privacy officer or an admin can put a case under legal hold.';
  end if;
  select * into v from public.cases where id = (p ->> 'case')::bigint for update;
  if not found then
    raise exception 'There is no case #%.', p ->> 'case';
  end if;
  if v.legal_hold = v_hold then
    raise exception 'Case #% is % under legal hold; nothing changed.', v.id, case when v_hold then 'already' else 'not' end;
  end if;
  update public.cases set legal_hold = v_hold, updated_at = now() where id = v.id;
  insert into public.case_events (case_id, kind, actor_id)
  values (v.id, case when v_hold then 'legal_hold' else 'legal_hold_lifted' end, auth.uid());
  return jsonb_build_object('target_type', 'case', 'target_id', v.id::text, 'case', v.id, 'hold', v_hold, 'summary', v.summary);
end $$;
-- like every action: runs as the writer role (see 20261101001800_writes_through_actions.sql)
alter function private.act_case_hold(jsonb) security definer set search_path = public, private;
alter function private.act_case_hold(jsonb) owner to crm_writer;
