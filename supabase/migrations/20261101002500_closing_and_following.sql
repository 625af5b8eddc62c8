-- A deal that is won or lost closes today: a close date still in the future would leave it out of
-- "won this month" and the win rate until that date (the user can still set another date explicitly).
create or replace function private.deals_fill() returns trigger language plpgsql security definer set search_path = public as $$
begin
  if tg_op = 'INSERT' or new.owner_id is distinct from old.owner_id then
    select team into new.team from public.users where id = new.owner_id;
  end if;
  if tg_op = 'INSERT' or new.account_id is distinct from old.account_id then
    select region into new.region from public.accounts where id = new.account_id;
  end if;
  if tg_op = 'UPDATE' and new.stage is distinct from old.stage then
    new.stage_changed_at := now();
    new.closed_at := case when new.stage in ('closed_won', 'closed_lost') then now() end;
    if new.closed_at is not null and new.close_date is not distinct from old.close_date and new.close_date > current_date then
      new.close_date := current_date;
    end if;
    insert into public.deal_stage_history (deal_id, from_stage, to_stage, changed_by)
      values (new.id, old.stage, new.stage, auth.uid());
  end if;
  new.updated_at := now();
  return new;
end $$;

-- Anyone may follow the data requests they filed (the policies show them their own).
insert into private.capabilities (role, action)
values ('rep', 'data_request.list'), ('manager', 'data_request.list'), ('support', 'data_request.list')
on conflict do nothing;
