-- Deals and the pipeline. A rep and a manager see their team's deals; a rep changes only their own,
-- a manager their team's; admins and privacy officers (for data requests) see all; support sees none.
-- Pipeline questions (`pipeline.query`) are one read-only action, private.act_pipeline_query, which
-- answers with the summary plus either the top rows or the per-group aggregates as jsonb, from the
-- running totals below where it can. It runs as the requester, so the deals policies decide which
-- deals count: a rep asking about another team simply finds none of its deals.

create type public.deal_stage as enum ('prospecting', 'qualification', 'discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost');

-- The sales process: order and default win probability of each stage (used by the weighted forecast).
create table public.stages (
  stage public.deal_stage primary key,
  position int not null unique,
  probability numeric(4, 3) not null check (probability between 0 and 1),
  is_closed boolean not null,
  is_won boolean not null
);
alter table public.stages enable row level security;
revoke insert, update, delete on public.stages from authenticated;
grant select on public.stages to authenticated;
grant select, insert, update, delete on public.stages to service_role, crm_writer;
create policy stages_read on public.stages for select to authenticated, crm_writer using ((select private.is_crm_user()));
insert into public.stages values
  ('prospecting', 1, 0.10, false, false),
  ('qualification', 2, 0.20, false, false),
  ('discovery', 3, 0.35, false, false),
  ('proposal', 4, 0.55, false, false),
  ('negotiation', 5, 0.75, false, false),
  ('closed_won', 6, 1.00, true, true),
  ('closed_lost', 7, 0.00, true, false);

create table public.deals (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  account_id uuid not null references public.accounts(id),
  contact_id uuid references public.contacts(id),
  owner_id uuid not null references public.users(id),
  -- team and region are copied from the owner and the account (trigger below) so that the
  -- pipeline queries and the row-level policies filter on one indexed table.
  team text,
  region text,
  stage public.deal_stage not null default 'prospecting',
  amount numeric(14, 2) not null default 0 check (amount >= 0),
  -- An ISO 4217 code: always three letters.
  -- squawk-ignore ban-char-field
  currency char(3) not null default 'USD',
  close_date date not null,
  closed_at timestamptz,
  stage_changed_at timestamptz not null default now(),
  last_activity_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- What happens next on an open deal, and why a lost one was lost (said in chat, shown in summaries).
  next_step text,
  loss_reason text
);
create index deals_team_close_idx on public.deals (team, close_date);
create index deals_owner_close_idx on public.deals (owner_id, close_date);
create index deals_region_close_idx on public.deals (region, close_date);
create index deals_stage_close_idx on public.deals (stage, close_date);
create index deals_close_idx on public.deals (close_date) include (amount, stage, owner_id, team, region);
create index deals_account_idx on public.deals (account_id);
create index deals_contact_idx on public.deals (contact_id);
-- Open-pipeline questions (the common ones: list, total, forecast, stuck) read only open deals, and
-- only a few columns of them: partial covering indexes answer them with index-only scans, scoped by
-- owner, by team (the deals policies filter on team too) or company-wide by close date. Win rates and
-- closed deals use the (owner_id, close_date) and (team, close_date) indexes above.
create index deals_open_owner_close_idx on public.deals (owner_id, close_date)
  include (amount, stage, team, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');
create index deals_open_team_close_idx on public.deals (team, close_date)
  include (amount, stage, owner_id, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');
create index deals_open_close_idx on public.deals (close_date)
  include (amount, stage, owner_id, team, region, account_id, stage_changed_at, last_activity_at, id)
  where stage not in ('closed_won', 'closed_lost');
-- Deals in amount order, biggest first: a deal table reads its top rows off these, and questions
-- with an amount range (which the totals cannot apply) add up the deals from them without the table.
create index deals_open_team_amount_idx on public.deals (team, amount desc, close_date, id)
  include (stage, owner_id, region) where stage not in ('closed_won', 'closed_lost');
create index deals_open_amount_idx on public.deals (amount desc, close_date, id)
  include (stage, owner_id, team, region) where stage not in ('closed_won', 'closed_lost');
-- Stage and amount comparisons are not leakproof, so under the deals policies they cannot be index
-- conditions; partial indexes (whose predicates the planner matches anyway) serve the closed stages.
create index deals_won_amount_idx on public.deals (amount desc, close_date, id)
  include (owner_id, team, region) where stage = 'closed_won';
create index deals_lost_amount_idx on public.deals (amount desc, close_date, id)
  include (owner_id, team, region) where stage = 'closed_lost';
alter table public.deals enable row level security;
revoke insert, update, delete on public.deals from authenticated;
grant select on public.deals to authenticated;
grant select, insert, update, delete on public.deals to service_role, crm_writer;
create policy deals_read on public.deals for select to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));
create policy deals_insert on public.deals for insert to authenticated, crm_writer with check (
  (select private.has_role('admin'))
  or ((select private.has_role('rep')) and owner_id = (select auth.uid()))
  or ((select private.has_role('manager')) and exists (
        select 1 from public.users u where u.id = owner_id and u.team = (select private.my_team()))));
create policy deals_update on public.deals for update to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep')) and owner_id = (select auth.uid()))
  or ((select private.has_role('manager')) and team = (select private.my_team())));
create policy deals_delete on public.deals for delete to authenticated, crm_writer using ((select private.has_role('admin')));

create table public.deal_stage_history (
  id bigint generated always as identity primary key,
  deal_id uuid not null references public.deals(id) on delete cascade,
  from_stage public.deal_stage,
  to_stage public.deal_stage not null,
  changed_by uuid references public.users(id),
  changed_at timestamptz not null default now()
);
create index deal_stage_history_deal_idx on public.deal_stage_history (deal_id, changed_at);
alter table public.deal_stage_history enable row level security;
revoke insert, update, delete on public.deal_stage_history from authenticated;
grant select on public.deal_stage_history to authenticated;
grant select, insert, update, delete on public.deal_stage_history to service_role, crm_writer;
revoke usage, select on sequence public.deal_stage_history_id_seq from authenticated;
grant select, usage on sequence public.deal_stage_history_id_seq to service_role, crm_writer;
create policy deal_history_read on public.deal_stage_history for select to authenticated, crm_writer
  using (exists (select 1 from public.deals d where d.id = deal_id));

-- Keeps the denormalised columns right whatever writes the row, and records stage changes. A deal
-- that is won or lost closes today: a close date still in the future would leave it out of "won this
-- month" and the win rate until that date (the user can still set another date explicitly).
create function private.deals_fill() returns trigger language plpgsql security definer set search_path = public as $$
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
revoke execute on function private.deals_fill() from public, anon, authenticated;
grant execute on function private.deals_fill() to crm_writer, service_role;

create trigger deals_fill before insert or update on public.deals
  for each row execute function private.deals_fill();

-- A deal created by a user starts its stage history (bulk loads bring their own history).
create function private.deals_first_stage() returns trigger language plpgsql security definer set search_path = public as $$
begin
  if auth.uid() is not null then
    insert into public.deal_stage_history (deal_id, from_stage, to_stage, changed_by, changed_at)
    values (new.id, null, new.stage, auth.uid(), new.created_at);
  end if;
  return null;
end $$;
revoke execute on function private.deals_first_stage() from public, anon, authenticated;
grant execute on function private.deals_first_stage() to crm_writer, service_role;

create trigger deals_first_stage after insert on public.deals
  for each row execute function private.deals_first_stage();

-- Pipeline answers at a million deals. Totals, counts, forecasts and win rates add up thousands of
-- deals, which no index makes fast enough company-wide, so they are read from two small running-total
-- tables kept exact by triggers on deals, in the same transaction as every deal write:
--   deal_totals       every deal by (team, owner, stage, region, close date): count and amount;
--   deal_idle_totals  open deals by (team, owner, stage, region, UTC day of last stage change or
--                     activity): answers "stuck for N days" without reading the deals.
-- They carry the deals' own team column and the same read policy, so a rep or manager adds up only
-- their team's deals, as when reading public.deals. Deal tables (the top rows) come from the deals,
-- through indexes in amount order. Questions the totals cannot answer (amount or account filters,
-- stuck deals in a close-date period) add up the deals as before.

create table public.deal_totals (
  team text,
  owner_id uuid not null,
  stage public.deal_stage not null,
  region text,
  close_date date not null,
  deals bigint not null,
  amount numeric not null,
  constraint deal_totals_key unique nulls not distinct (team, owner_id, stage, region, close_date)
);
create table public.deal_idle_totals (
  team text,
  owner_id uuid not null,
  stage public.deal_stage not null,
  region text,
  idle_date date not null,
  deals bigint not null,
  amount numeric not null,
  constraint deal_idle_totals_key unique nulls not distinct (team, owner_id, stage, region, idle_date)
);
alter table public.deal_totals enable row level security;
alter table public.deal_idle_totals enable row level security;
-- Read-only to users (only the triggers below write them); the deals_read policy, word for word.
revoke all on public.deal_totals from public, anon, authenticated;
grant select on public.deal_totals to authenticated, service_role;
grant select, insert, update, delete on public.deal_totals to crm_writer;
revoke all on public.deal_idle_totals from public, anon, authenticated;
grant select on public.deal_idle_totals to authenticated, service_role;
grant select, insert, update, delete on public.deal_idle_totals to crm_writer;
create policy deal_totals_read on public.deal_totals for select to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));
create policy deal_idle_totals_read on public.deal_idle_totals for select to authenticated, crm_writer using (
  (select private.has_role('admin', 'privacy_officer'))
  or ((select private.has_role('rep', 'manager')) and team = (select private.my_team())));

-- Adds the rows a statement wrote and subtracts the rows it replaced or deleted. Each key is
-- updated in place (insert ... on conflict), which locks its row until commit, so concurrent writers
-- queue on the keys they share and every increment lands; keys are taken in sorted order, so two
-- statements moving deals in opposite directions cannot deadlock on them. A key whose deals all left
-- keeps a zero row; readers skip zero groups.
create function private.deal_totals_add(added public.deals[], removed public.deals[]) returns void
language plpgsql security definer set search_path = public as $$
begin
  insert into public.deal_totals as t (team, owner_id, stage, region, close_date, deals, amount)
  select team, owner_id, stage, region, close_date, sum(n), sum(amount)
  from (select d.team, d.owner_id, d.stage, d.region, d.close_date, d.amount, 1 as n from unnest(added) d
        union all
        select d.team, d.owner_id, d.stage, d.region, d.close_date, -d.amount, -1 from unnest(removed) d) delta
  group by 1, 2, 3, 4, 5 having sum(n) <> 0 or sum(amount) <> 0 order by 1, 2, 3, 4, 5
  on conflict on constraint deal_totals_key
    do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount;

  insert into public.deal_idle_totals as t (team, owner_id, stage, region, idle_date, deals, amount)
  select team, owner_id, stage, region, idle_date, sum(n), sum(amount)
  from (select d.team, d.owner_id, d.stage, d.region, d.amount, 1 as n,
               (greatest(d.stage_changed_at, d.last_activity_at) at time zone 'UTC')::date as idle_date
        from unnest(added) d where d.stage not in ('closed_won', 'closed_lost')
        union all
        select d.team, d.owner_id, d.stage, d.region, -d.amount, -1,
               (greatest(d.stage_changed_at, d.last_activity_at) at time zone 'UTC')::date
        from unnest(removed) d where d.stage not in ('closed_won', 'closed_lost')) delta
  group by 1, 2, 3, 4, 5 having sum(n) <> 0 or sum(amount) <> 0 order by 1, 2, 3, 4, 5
  on conflict on constraint deal_idle_totals_key
    do update set deals = t.deals + excluded.deals, amount = t.amount + excluded.amount;
end $$;
revoke execute on function private.deal_totals_add(deals[], deals[]) from public, anon, authenticated;
grant execute on function private.deal_totals_add(deals[], deals[]) to crm_writer, service_role;

create function private.deal_totals_track() returns trigger language plpgsql security definer set search_path = public as $$
begin
  -- Only the transition tables of the firing event exist, so each event names its own.
  if tg_op = 'INSERT' then
    perform private.deal_totals_add(array(select n::public.deals from new_rows n), null);
  elsif tg_op = 'UPDATE' then
    perform private.deal_totals_add(array(select n::public.deals from new_rows n), array(select o::public.deals from old_rows o));
  elsif tg_op = 'DELETE' then
    perform private.deal_totals_add(null, array(select o::public.deals from old_rows o));
  else
    delete from public.deal_totals;
    delete from public.deal_idle_totals;
  end if;
  return null;
end $$;
revoke execute on function private.deal_totals_track() from public, anon, authenticated;
grant execute on function private.deal_totals_track() to crm_writer, service_role;

create trigger deal_totals_insert after insert on public.deals referencing new table as new_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_update after update on public.deals referencing old table as old_rows new table as new_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_delete after delete on public.deals referencing old table as old_rows
  for each statement execute function private.deal_totals_track();
create trigger deal_totals_truncate after truncate on public.deals
  for each statement execute function private.deal_totals_track();
-- Analysed while empty, so that the planner starts from "no rows" rather than from "never analysed".
analyze public.deal_totals;
analyze public.deal_idle_totals;

create function private.stage_label(s public.deal_stage) returns text language sql immutable as
  $$ select replace(s::text, '_', ' ') $$;
revoke execute on function private.stage_label(deal_stage) from public, anon;
grant execute on function private.stage_label(deal_stage) to authenticated, crm_writer, service_role;

create function private.day_label(d date) returns text language sql immutable as
  $$ select to_char(d, 'FMDy FMDD Mon YYYY') $$;
revoke execute on function private.day_label(date) from public, anon;
grant execute on function private.day_label(date) to authenticated, crm_writer, service_role;

-- Deals matching a typed name, as the caller sees them. `match` says how: the deal's name, its
-- account's name, the account's name followed by more words ("acme renewal"), or only similar.
create function public.find_deals(args jsonb) returns jsonb language sql stable as $$
  with q as (select lower(btrim(args ->> 'q')) as q),
  hits as (
    select d.*, a.name as account_name,
           case when lower(d.name) = q.q then 1 when lower(a.name) = q.q then 2
                when q.q like lower(a.name) || ' %' then 3 else 4 end as match_rank,
           similarity(lower(d.name), q.q) as sim
    from public.deals d join public.accounts a on a.id = d.account_id, q
    where q.q <> '' and (lower(d.name) = q.q or lower(a.name) = q.q or q.q like lower(a.name) || ' %'
                         or lower(d.name) like q.q || '%' or lower(d.name) % q.q))
  select coalesce(jsonb_agg(x order by rank), '[]') from (
    select jsonb_build_object('id', h.id, 'name', h.name, 'account', h.account_name, 'account_id', h.account_id,
                              'stage', h.stage, 'close_date', h.close_date, 'open', h.stage not in ('closed_won', 'closed_lost'),
                              'match', (array['name', 'account', 'account_in_query', 'similar'])[h.match_rank]) as x,
           row_number() over (order by h.match_rank, h.sim desc, h.stage in ('closed_won', 'closed_lost'),
                              h.close_date, h.id) as rank
    from hits h
    order by rank limit least(coalesce((args ->> 'limit')::int, 8), 20)) s
$$;

create function public.deal_brief(args jsonb) returns jsonb language sql stable as $$
  select jsonb_build_object('id', d.id, 'name', d.name, 'account', a.name, 'stage', d.stage, 'amount', d.amount,
                            'close_date', d.close_date, 'owner', u.name, 'owner_id', d.owner_id,
                            'next_step', d.next_step, 'loss_reason', d.loss_reason)
  from public.deals d join public.accounts a on a.id = d.account_id join public.users u on u.id = d.owner_id
  where d.id = (args ->> 'id')::uuid
$$;

-- The open deals of an account the caller can see, most relevant first: the contact's, the
-- caller's own, the most recently worked, the soonest to close.
create function public.account_open_deals(args jsonb) returns jsonb language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', d.id, 'name', d.name, 'stage', d.stage, 'amount', d.amount,
                                               'close_date', d.close_date, 'owner', u.name, 'contact_id', d.contact_id)
                            order by d.contact_id is not distinct from (args ->> 'contact_id')::uuid desc,
                                     d.owner_id = auth.uid() desc, d.last_activity_at desc nulls last, d.close_date, d.id), '[]')
  from public.deals d join public.users u on u.id = d.owner_id
  where d.account_id = (args ->> 'account_id')::uuid and d.stage not in ('closed_won', 'closed_lost')
$$;

-- Why a change to a deal is not allowed, or null. Used before confirming and again when it runs.
create function private.deal_update_problem(d public.deals, payload jsonb) returns text language plpgsql stable as $$
declare
  v_stage public.deal_stage := (payload ->> 'stage')::public.deal_stage;
  v_amount numeric := (payload ->> 'amount')::numeric;
  v_close date := (payload ->> 'close_date')::date;
  v_owner uuid := (payload ->> 'owner_id')::uuid;
  v_notes boolean := payload ? 'next_step' or payload ? 'loss_reason';
  v_new_owner public.users;
begin
  if private.has_role('rep') and d.owner_id <> auth.uid() then
    return format('%s belongs to %s; only they or a manager can change it.', d.name,
                  (select name from public.users where id = d.owner_id));
  end if;
  if v_stage is null and v_amount is null and v_close is null and v_owner is null and not v_notes then
    return format('Tell me what to change on %s: the stage, amount, close date, owner or next step.', d.name);
  end if;
  if v_stage = d.stage and v_amount is null and v_close is null and v_owner is null and not v_notes then
    return format('%s is already in %s; nothing to change.', d.name, private.stage_label(d.stage));
  end if;
  if payload ? 'loss_reason' and coalesce(v_stage, d.stage) <> 'closed_lost' then
    return format('A loss reason goes with a lost deal; %s would be %s.', d.name,
                  private.stage_label(coalesce(v_stage, d.stage)));
  end if;
  if payload ? 'next_step' and coalesce(v_stage, d.stage) in ('closed_won', 'closed_lost') then
    return format('%s would be closed; a next step goes on an open deal.', d.name);
  end if;
  if d.stage in ('closed_won', 'closed_lost') and not private.has_role('manager', 'admin') then
    if v_stage is not null and v_stage <> d.stage then
      return format('%s is %s; reopening or re-closing a closed deal needs a manager or an admin.', d.name,
                    private.stage_label(d.stage));
    end if;
    return format('%s is %s; only a manager or an admin can change a closed deal.', d.name, private.stage_label(d.stage));
  end if;
  if v_amount is not null and v_amount <= 0 then
    return 'The amount must be more than zero.';
  end if;
  if v_stage = 'closed_won' and coalesce(v_amount, d.amount) <= 0 then
    return format('%s has no amount yet; set the amount before marking it won.', d.name);
  end if;
  if v_close is not null and v_close < d.created_at::date then
    return format('The close date can''t be before the deal was created (%s).', private.day_label(d.created_at::date));
  end if;
  if v_owner is not null and v_owner <> d.owner_id then
    if private.has_role('rep') then
      return 'Only a manager or an admin can hand a deal to someone else.';
    end if;
    select * into v_new_owner from public.users where id = v_owner;
    if not found or not v_new_owner.active or v_new_owner.role not in ('rep', 'manager') then
      return format('%s can''t own deals; pick a rep or a manager.', coalesce(v_new_owner.name, 'That person'));
    end if;
    if private.has_role('manager') and v_new_owner.team is distinct from private.my_team() then
      return format('%s is not in your team (%s), so you can''t hand them this deal.', v_new_owner.name, private.my_team());
    end if;
  end if;
  return null;
end $$;
revoke execute on function private.deal_update_problem(deals, jsonb) from public, anon;
grant execute on function private.deal_update_problem(deals, jsonb) to authenticated, crm_writer, service_role;

create function private.deal_create_problem(payload jsonb) returns text language plpgsql stable as $$
declare
  v_account public.accounts;
  v_stage public.deal_stage := coalesce((payload ->> 'stage')::public.deal_stage, 'prospecting');
begin
  select * into v_account from public.accounts where id = (payload ->> 'account_id')::uuid;
  if not found then
    return 'I can''t find that account any more.';
  end if;
  if v_stage in ('closed_won', 'closed_lost') then
    return 'A new deal starts open; create it first, then move it to a closed stage.';
  end if;
  if (payload ->> 'amount')::numeric <= 0 then
    return 'The amount must be more than zero.';
  end if;
  if exists (select 1 from public.deals where account_id = v_account.id and lower(name) = lower(payload ->> 'name')
             and stage not in ('closed_won', 'closed_lost')) then
    return format('%s already has an open deal called "%s".', v_account.name, payload ->> 'name');
  end if;
  return null;
end $$;
revoke execute on function private.deal_create_problem(jsonb) from public, anon;
grant execute on function private.deal_create_problem(jsonb) to authenticated, crm_writer, service_role;

create function private.deal_json(d public.deals) returns jsonb language sql stable as $$
  select jsonb_build_object('stage', d.stage, 'amount', d.amount, 'close_date', d.close_date,
                            'owner', (select name from public.users where id = d.owner_id),
                            'next_step', d.next_step, 'loss_reason', d.loss_reason)
$$;
revoke execute on function private.deal_json(deals) from public, anon;
grant execute on function private.deal_json(deals) to authenticated, crm_writer, service_role;

create function private.act_deal_update(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  d public.deals;
  n public.deals;
  v_problem text;
begin
  select * into d from public.deals where id = (payload ->> 'deal_id')::uuid;
  if not found then
    raise exception 'I can''t find that deal among the ones you can see.';
  end if;
  v_problem := private.deal_update_problem(d, payload);
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  update public.deals set
    stage = coalesce((payload ->> 'stage')::public.deal_stage, stage),
    amount = coalesce((payload ->> 'amount')::numeric, amount),
    close_date = coalesce((payload ->> 'close_date')::date, close_date),
    owner_id = coalesce((payload ->> 'owner_id')::uuid, owner_id),
    next_step = case when payload ? 'next_step' then payload ->> 'next_step' else next_step end,
    loss_reason = case when payload ? 'loss_reason' then payload ->> 'loss_reason' else loss_reason end
  where id = d.id
  returning * into n;
  if not found then
    raise exception 'You can''t change %.', d.name;
  end if;
  return jsonb_build_object('target_type', 'deal', 'target_id', d.id, 'name', d.name,
    'account', (select name from public.accounts where id = d.account_id),
    'before', private.deal_json(d), 'after', private.deal_json(n));
end $$;
alter function private.act_deal_update(jsonb) owner to crm_writer;
revoke execute on function private.act_deal_update(jsonb) from public, anon, authenticated;
grant execute on function private.act_deal_update(jsonb) to service_role;

create function private.act_deal_create(payload jsonb) returns jsonb language plpgsql
security definer set search_path = public, private as $$
declare
  v_problem text := private.deal_create_problem(payload);
  n public.deals;
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  insert into public.deals (name, account_id, owner_id, stage, amount, close_date)
  values (payload ->> 'name', (payload ->> 'account_id')::uuid, auth.uid(),
          coalesce((payload ->> 'stage')::public.deal_stage, 'prospecting'), coalesce((payload ->> 'amount')::numeric, 0),
          (payload ->> 'close_date')::date)
  returning * into n;
  return jsonb_build_object('target_type', 'deal', 'target_id', n.id, 'name', n.name,
    'account', (select name from public.accounts where id = n.account_id), 'after', private.deal_json(n));
end $$;
alter function private.act_deal_create(jsonb) owner to crm_writer;
revoke execute on function private.act_deal_create(jsonb) from public, anon, authenticated;
grant execute on function private.act_deal_create(jsonb) to service_role;

create function private.act_pipeline_query(payload jsonb) returns jsonb language plpgsql stable
security definer set search_path = public, private as $$
declare
  v_metric text := payload ->> 'metric';
  v_group text := payload ->> 'group_by';
  v_owner uuid := (payload ->> 'owner_id')::uuid;
  v_team text := payload ->> 'team';
  v_stage public.deal_stage := (payload ->> 'stage')::public.deal_stage;
  v_region text := payload ->> 'region';
  v_account uuid := (payload ->> 'account_id')::uuid;
  v_from_date date := (payload ->> 'from')::date;
  v_to date := (payload ->> 'to')::date;
  v_min numeric := (payload ->> 'min_amount')::numeric;
  v_max numeric := (payload ->> 'max_amount')::numeric;
  v_stale int := coalesce((payload ->> 'stale_days')::int, 30);
  v_limit int := least(greatest(coalesce((payload ->> 'limit')::int, 10), 1), 100);
  v_asof date := coalesce((payload ->> 'today')::date, current_date);
  v_viewer_team text := private.my_team();
  v_cutoff timestamptz;
  v_where text := 'true';
  v_totals boolean;
  v_count text;
  v_source text;
  v_key text;
  v_label text;
  v_order text;
  v_prob text;
  v_pos text;
  v_summary text;
  v_sql text;
  v_result jsonb;
  v_rows jsonb;
begin
  if v_metric is null or v_metric not in ('list', 'total', 'count', 'forecast', 'win_rate', 'stuck', 'top') then
    raise exception 'I can answer pipeline questions about: list, total, count, forecast, win rate, stuck deals or top deals.';
  end if;
  if v_group is not null and v_group not in ('owner', 'stage', 'region', 'month') then
    raise exception 'I can group the pipeline by owner, stage, region or month.';
  end if;
  if v_from_date is not null and v_to is not null and v_from_date > v_to then
    raise exception 'The period starts (%) after it ends (%).', v_from_date, v_to;
  end if;
  -- The forecast is read stage by stage unless another grouping is asked for.
  if v_metric = 'forecast' and v_group is null then v_group := 'stage'; end if;
  -- Stuck: no stage change and no activity since midnight UTC, v_stale days before today.
  v_cutoff := (v_asof - v_stale)::timestamp at time zone 'UTC';

  -- Regions are stored with one spelling; match what was typed case-insensitively, then filter on the index.
  if v_region is not null then
    v_region := coalesce(
      (select u.region from public.users u where lower(u.region) = lower(v_region) limit 1),
      (select a.region from public.accounts a where lower(a.region) = lower(v_region) limit 1),
      v_region);
  end if;

  -- Only the filters that were asked for go into the statement, so each query is planned for its own
  -- indexes. The filters name columns that the deals and the totals tables share.
  if v_owner is not null then v_where := v_where || ' and d.owner_id = $1'; end if;
  if v_team is not null then v_where := v_where || ' and d.team = $2'; end if;
  -- The policies show reps and managers their own team's deals only; saying it in the statement as
  -- well lets the planner use the team indexes. The policies still apply.
  if private.my_role() in ('rep', 'manager') then v_where := v_where || ' and d.team = $13'; end if;
  -- Closed deals count only for win rates and when a closed stage is asked for; the open-stage
  -- predicate is spelled exactly as in the partial indexes so that the planner can use them.
  if v_metric = 'win_rate' then
    v_where := v_where || ' and d.stage in (''closed_won'', ''closed_lost'')';
  else
    if v_stage is not null then v_where := v_where || ' and d.stage = $3'; end if;
    if v_stage is null or v_stage not in ('closed_won', 'closed_lost') or v_metric = 'stuck' then
      v_where := v_where || ' and d.stage not in (''closed_won'', ''closed_lost'')';
    end if;
  end if;
  if v_region is not null then v_where := v_where || ' and d.region = $4'; end if;

  -- The totals tables answer unless a filter needs the deals themselves.
  v_totals := v_account is null and v_min is null and v_max is null
    and (v_metric <> 'stuck' or (v_from_date is null and v_to is null and v_group is distinct from 'month'));
  if v_metric = 'stuck' and v_totals then
    v_source := 'from public.deal_idle_totals d where ' || v_where || ' and d.idle_date < ($10 at time zone ''UTC'')::date';
  else
    if v_from_date is not null then v_where := v_where || ' and d.close_date >= $6'; end if;
    if v_to is not null then v_where := v_where || ' and d.close_date <= $7'; end if;
    if v_account is not null then v_where := v_where || ' and d.account_id = $5'; end if;
    if v_min is not null then v_where := v_where || ' and d.amount >= $8'; end if;
    if v_max is not null then v_where := v_where || ' and d.amount <= $9'; end if;
    if v_metric = 'stuck' then
      v_where := v_where || ' and d.stage_changed_at < $10 and (d.last_activity_at is null or d.last_activity_at < $10)';
    end if;
    v_source := case when v_totals then 'from public.deal_totals d' else 'from public.deals d' end || ' where ' || v_where;
  end if;
  v_count := case when v_totals then 'sum(d.deals)' else 'count(*)' end;

  -- Stage probabilities and order are read once and inlined, instead of a join evaluated per row.
  select 'case d.stage ' || string_agg(format('when %L then %s', st.stage, st.probability), ' ') || ' end',
         'case d.stage ' || string_agg(format('when %L then %s', st.stage, st.position), ' ') || ' end'
    into v_prob, v_pos
  from public.stages st;

  if v_group is not null then
    v_key := case v_group
      when 'owner' then 'd.owner_id::text'
      when 'stage' then 'd.stage::text'
      when 'region' then $k$coalesce(d.region, '')$k$
      when 'month' then $k$to_char(d.close_date, 'YYYY-MM')$k$
    end;
    v_label := case v_group
      when 'owner' then '(select u.name from public.users u where u.id = g.key::uuid)'
      when 'region' then $k$coalesce(nullif(g.key, ''), '(no region)')$k$
      else 'g.key'
    end;
    v_order := case v_group
      when 'stage' then 'g.pos, g.key'
      when 'month' then 'g.key'
      else 'g.total desc, g.key'
    end;
    v_sql := format($q$
      with g as materialized (
        select %1$s as key, min(%5$s) as pos, %7$s as count, sum(d.amount) as total,
               round(sum(d.amount * %6$s), 2) as weighted,
               coalesce(%7$s filter (where d.stage = 'closed_won'), 0) as won,
               coalesce(%7$s filter (where d.stage = 'closed_lost'), 0) as lost,
               coalesce(sum(d.amount) filter (where d.stage = 'closed_won'), 0) as won_amount
        %2$s group by 1 having %7$s > 0)
      select jsonb_build_object(
        'summary', (select jsonb_build_object(
            'count', coalesce(sum(g.count), 0), 'total', coalesce(sum(g.total), 0), 'weighted', coalesce(sum(g.weighted), 0),
            'won', coalesce(sum(g.won), 0), 'lost', coalesce(sum(g.lost), 0), 'won_amount', coalesce(sum(g.won_amount), 0)) from g),
        'groups', (select coalesce(jsonb_agg(jsonb_build_object(
            'key', g.key, 'label', %3$s, 'count', g.count, 'total', g.total, 'weighted', g.weighted,
            'won', g.won, 'lost', g.lost, 'won_amount', g.won_amount) order by %4$s), '[]') from g))
      $q$, v_key, v_source, v_label, v_order, v_pos, v_prob, v_count);
  else
    v_sql := format($q$
      select jsonb_build_object('summary', jsonb_build_object(
          'count', coalesce(%3$s, 0), 'total', coalesce(sum(d.amount), 0), 'weighted', coalesce(round(sum(d.amount * %2$s), 2), 0),
          'won', coalesce(%3$s filter (where d.stage = 'closed_won'), 0), 'lost', coalesce(%3$s filter (where d.stage = 'closed_lost'), 0),
          'won_amount', coalesce(sum(d.amount) filter (where d.stage = 'closed_won'), 0)))
      %1$s $q$, v_source, v_prob, v_count);
  end if;
  execute v_sql into v_result
    using v_owner, v_team, v_stage, v_region, v_account, v_from_date, v_to, v_min, v_max, v_cutoff, v_asof, v_limit, v_viewer_team;

  if v_group is null and v_metric in ('list', 'top', 'stuck') then
    if v_metric = 'stuck' and v_totals then
      v_where := v_where || ' and d.stage_changed_at < $10 and (d.last_activity_at is null or d.last_activity_at < $10)';
    end if;
    -- The top rows. Walking an index in amount order finds them after about limit * (deals in scope /
    -- matching deals) rows, which is few unless the matching deals are few and, like one account's,
    -- all small; so when few match they are read through the filters' own indexes and sorted. Only
    -- those few rows are then read in full.
    execute format($q$
      with t as materialized (%1$s)
      select coalesce(jsonb_agg(jsonb_build_object(
               'id', x.id, 'name', x.name, 'account', a.name, 'owner', u.name, 'stage', x.stage,
               'amount', x.amount, 'close_date', x.close_date,
               'idle_days', $11 - greatest(x.stage_changed_at, coalesce(x.last_activity_at, x.stage_changed_at))::date)
             order by x.amount desc, x.close_date, x.id), '[]')
      from t join public.deals x on x.id = t.id
      left join public.accounts a on a.id = x.account_id
      left join public.users u on u.id = x.owner_id
      $q$, case when (v_result #>> '{summary,count}')::bigint <= 5000
        then 'with c as materialized (select d.id, d.amount, d.close_date from public.deals d where ' || v_where || ')
              select c.id from c order by c.amount desc, c.close_date, c.id limit $12'
        else 'select d.id from public.deals d where ' || v_where || ' order by d.amount desc, d.close_date, d.id limit $12'
      end) into v_rows
      using v_owner, v_team, v_stage, v_region, v_account, v_from_date, v_to, v_min, v_max, v_cutoff, v_asof, v_limit, v_viewer_team;
    v_result := v_result || jsonb_build_object('rows', v_rows);
  end if;

  return v_result || jsonb_build_object(
    'target_type', 'pipeline',
    'target_id', null,
    'metric', v_metric,
    'group_by', v_group,
    'region', v_region,
    'stale_days', v_stale,
    'limit', v_limit,
    'owner_team', (select u.team from public.users u where u.id = v_owner),
    'viewer', jsonb_build_object('role', private.my_role(), 'team', v_viewer_team),
    'query', payload);
end $$;
alter function private.act_pipeline_query(jsonb) owner to crm_writer;
revoke execute on function private.act_pipeline_query(jsonb) from public, anon, authenticated;
grant execute on function private.act_pipeline_query(jsonb) to service_role;
