-- A requester's own pending write, so a channel can show it in an edit form before it is confirmed
-- (the Slack "Edit" button). Skills store resolved ids; `names` gives the names those ids stand for,
-- so the form shows what the user said. Security invoker: the pending_own policy keeps it to its author.
create function public.pending_get(args jsonb) returns jsonb language sql stable as $$
  select jsonb_build_object(
    'id', p.id, 'action', p.action, 'preview', p.preview,
    'status', case when p.status = 'pending' and p.expires_at < now() then 'expired' else p.status end,
    'names', jsonb_strip_nulls(jsonb_build_object(
      'contact', (select c.name from public.contacts c where c.id::text = p.action ->> 'contact_id'),
      'account', (select a.name from public.accounts a where a.id::text = p.action ->> 'account_id'),
      'deal', (select d.name from public.deals d where d.id::text = p.action ->> 'deal_id'))))
  from public.pending_actions p
  where p.id = (args ->> 'id')::uuid
$$;
