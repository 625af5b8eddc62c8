-- case.list: { scope: 'mine' | 'all' }. Open cases, most urgent first: mine = assigned to me or
-- raised by me; all = the support queue (support, managers and admins; others get their own).
create function private.act_case_list(p jsonb) returns jsonb language plpgsql stable as $$
declare
  v_all boolean := p ->> 'scope' = 'all' and private.has_role('support', 'manager', 'admin');
  v_rows jsonb;
  v_total int;
begin
  with open_cases as (
    select c.*, row_number() over (order by c.severity desc, coalesce(c.first_response_at, c.first_response_due), c.id) as rn
    from public.cases c
    where c.status <> 'resolved' and (v_all or c.assignee_id = auth.uid() or c.reporter_id = auth.uid())
  )
  select count(*), coalesce(jsonb_agg(jsonb_build_object(
      'id', o.id, 'summary', o.summary, 'severity', o.severity, 'status', o.status,
      'account', a.name, 'assignee', u.name, 'mine', o.assignee_id = auth.uid(),
      'due', case when o.first_response_at is null then o.first_response_due else o.resolution_due end,
      'due_kind', case when o.first_response_at is null then 'first response' else 'resolution' end) order by o.rn)
      filter (where o.rn <= 20), '[]')
  into v_total, v_rows
  from open_cases o
  left join public.accounts a on a.id = o.account_id
  left join public.users u on u.id = o.assignee_id;
  return jsonb_build_object('target_type', 'cases', 'scope', case when v_all then 'all' else 'mine' end,
                            'total', v_total, 'rows', v_rows);
end $$;
-- like every action: runs as the writer role (see 20261101001800_writes_through_actions.sql)
alter function private.act_case_list(jsonb) security definer set search_path = public, private;
alter function private.act_case_list(jsonb) owner to crm_writer;
