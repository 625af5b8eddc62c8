-- What each role sees and may change, row by row, on a fixture of two sales teams: as the API role
-- `authenticated` (every user request: reads only) and as `crm_writer` with the requester's claims
-- (what the actions run as: the writes). One row of each matrix below is one statement, and one
-- expectation per person, in this order:
--   Rita (rep, West), Ravi (rep, East), Mona (manager, West), Sam (support), Pia (privacy officer),
--   Ada (admin), Gil (guest), and "no role": a signed-in token with Rita's id and team but no
--   crm_role claim (a plain Supabase Auth user).
-- An expectation is a number of rows ("2"), "all" / "none" (of a table's rows), "no privilege" (the
-- role may not run the statement at all) or "policy" (a new row the policies refuse). Every
-- statement is undone after it ran, so each one starts from the fixture. Lines marked "too broad"
-- state today's behaviour, which a security change should tighten.
begin;
set local search_path = public, extensions;

-- The fixture (inserted as the tables' owner, so no policy applies).
insert into public.users (id, name, email, role, team, region) values
  ('00000000-0000-4000-8000-0000000000a1', 'pgTAP Rita', 'rita@pgtap.test', 'rep', 'pgTAP West', 'pgTAP-W'),
  ('00000000-0000-4000-8000-0000000000a2', 'pgTAP Ravi', 'ravi@pgtap.test', 'rep', 'pgTAP East', 'pgTAP-E'),
  ('00000000-0000-4000-8000-0000000000a3', 'pgTAP Mona', 'mona@pgtap.test', 'manager', 'pgTAP West', 'pgTAP-W'),
  ('00000000-0000-4000-8000-0000000000a4', 'pgTAP Sam', 'sam@pgtap.test', 'support', null, null),
  ('00000000-0000-4000-8000-0000000000a5', 'pgTAP Pia', 'pia@pgtap.test', 'privacy_officer', null, null),
  ('00000000-0000-4000-8000-0000000000a6', 'pgTAP Ada', 'ada@pgtap.test', 'admin', null, null),
  ('00000000-0000-4000-8000-0000000000a7', 'pgTAP Gil', 'gil@pgtap.test', 'guest', null, null);
insert into public.accounts (id, name, region, owner_id) values
  ('00000000-0000-4000-8000-0000000000b1', 'pgTAP Acme', 'pgTAP-W', '00000000-0000-4000-8000-0000000000a1'),
  ('00000000-0000-4000-8000-0000000000b2', 'pgTAP Globex', 'pgTAP-E', '00000000-0000-4000-8000-0000000000a2');
insert into public.contacts (id, account_id, name, email, phone, owner_id) values
  ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', 'pgTAP Dana', 'dana@acme.pgtap.test', '+1 555 0101', '00000000-0000-4000-8000-0000000000a1'),
  ('00000000-0000-4000-8000-0000000000c2', '00000000-0000-4000-8000-0000000000b2', 'pgTAP Ken', 'ken@globex.pgtap.test', '+1 555 0102', '00000000-0000-4000-8000-0000000000a2'),
  ('00000000-0000-4000-8000-0000000000c3', '00000000-0000-4000-8000-0000000000b1', 'pgTAP Lonely', null, null, '00000000-0000-4000-8000-0000000000a1');
insert into public.consents (contact_id, purpose, granted) values
  ('00000000-0000-4000-8000-0000000000c1', 'marketing', true),
  ('00000000-0000-4000-8000-0000000000c2', 'marketing', true);
insert into public.leads (name, company, owner_id) values
  ('pgTAP Lead West', 'pgTAP Initech', '00000000-0000-4000-8000-0000000000a1'),
  ('pgTAP Lead East', 'pgTAP Umbrella', '00000000-0000-4000-8000-0000000000a2');
insert into public.deals (id, name, account_id, owner_id, amount, close_date) values
  ('00000000-0000-4000-8000-0000000000d1', 'pgTAP Acme deal', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1', 1000, current_date + 30),
  ('00000000-0000-4000-8000-0000000000d2', 'pgTAP Acme expansion', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a3', 2000, current_date + 40),
  ('00000000-0000-4000-8000-0000000000d3', 'pgTAP Globex deal', '00000000-0000-4000-8000-0000000000b2', '00000000-0000-4000-8000-0000000000a2', 3000, current_date + 50);
insert into public.deal_stage_history (deal_id, to_stage)
  select id, stage from public.deals where name like 'pgTAP %';
insert into public.activities (id, kind, summary, contact_id, account_id, owner_id) values
  ('00000000-0000-4000-8000-0000000000e1', 'call', 'pgTAP call with Dana', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1'),
  ('00000000-0000-4000-8000-0000000000e2', 'call', 'pgTAP call with Ken', '00000000-0000-4000-8000-0000000000c2', '00000000-0000-4000-8000-0000000000b2', '00000000-0000-4000-8000-0000000000a2');
insert into public.tasks (text, assignee_id) values
  ('pgTAP task of Rita', '00000000-0000-4000-8000-0000000000a1'),
  ('pgTAP task of Mona', '00000000-0000-4000-8000-0000000000a3'),
  ('pgTAP task of Ravi', '00000000-0000-4000-8000-0000000000a2');
insert into public.support_agents (user_id, location) values ('00000000-0000-4000-8000-0000000000a4', 'pgTAP');
insert into public.sla_policies values ('low', 'standard', 60, 600) on conflict do nothing;
insert into public.cases (id, summary, reporter_id, assignee_id) values
  (990001, 'pgTAP case of Rita', '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a4'),
  (990002, 'pgTAP case of Gil', '00000000-0000-4000-8000-0000000000a7', null),
  (990003, 'pgTAP case of Ravi', '00000000-0000-4000-8000-0000000000a2', null);
insert into public.case_events (case_id, kind, actor_id)
  select id, 'created', reporter_id from public.cases where id between 990001 and 990003;
insert into public.data_requests (id, kind, subject, requested_by, due_date) values
  (990001, 'access', 'pgTAP subject one', '00000000-0000-4000-8000-0000000000a1', current_date + 30),
  (990002, 'access', 'pgTAP subject two', '00000000-0000-4000-8000-0000000000a2', current_date + 30);
insert into public.pending_actions (request_id, user_id, channel, action, preview) values
  ('pgtap-1', '00000000-0000-4000-8000-0000000000a1', 'repl', '{}', 'pgTAP'),
  ('pgtap-2', '00000000-0000-4000-8000-0000000000a2', 'repl', '{}', 'pgTAP');
insert into public.processed_requests (request_id, user_id, action) values
  ('pgtap-1', '00000000-0000-4000-8000-0000000000a1', 'task.create'),
  ('pgtap-2', '00000000-0000-4000-8000-0000000000a2', 'task.create');
insert into public.audit_log (channel, action, actor_id) values
  ('repl', 'pgtap.test', '00000000-0000-4000-8000-0000000000a1'),
  ('repl', 'pgtap.test', '00000000-0000-4000-8000-0000000000a2');
insert into public.channel_settings (channel, conversation, allow) values ('slack', 'pgTAP-C1', array['pipeline']);

-- The people, in the order of the expectations, with the JWT claims their requests carry.
create temporary table person (n int, name text, claims jsonb) on commit drop;
insert into person select n, name, claims::jsonb from (values
  (1, 'Rita', '{"sub": "00000000-0000-4000-8000-0000000000a1", "crm_role": "rep", "team": "pgTAP West"}'),
  (2, 'Ravi', '{"sub": "00000000-0000-4000-8000-0000000000a2", "crm_role": "rep", "team": "pgTAP East"}'),
  (3, 'Mona', '{"sub": "00000000-0000-4000-8000-0000000000a3", "crm_role": "manager", "team": "pgTAP West"}'),
  (4, 'Sam', '{"sub": "00000000-0000-4000-8000-0000000000a4", "crm_role": "support"}'),
  (5, 'Pia', '{"sub": "00000000-0000-4000-8000-0000000000a5", "crm_role": "privacy_officer"}'),
  (6, 'Ada', '{"sub": "00000000-0000-4000-8000-0000000000a6", "crm_role": "admin"}'),
  (7, 'Gil', '{"sub": "00000000-0000-4000-8000-0000000000a7", "crm_role": "guest"}'),
  (8, 'no role', '{"sub": "00000000-0000-4000-8000-0000000000a1", "team": "pgTAP West"}')
) p(n, name, claims);
update person set claims = claims || '{"role": "authenticated"}';

-- Runs one statement as a person in a database role and undoes it: "ok <rows>", "no privilege",
-- "policy", or the error.
create function pg_temp.attempt(p_claims jsonb, p_role text, p_sql text) returns text language plpgsql as $$
declare
  n bigint;
  v_result text;
begin
  perform set_config('request.jwt.claims', p_claims::text, true);
  execute format('set local role %I', p_role);
  begin
    execute p_sql;
    get diagnostics n = row_count;
    raise exception using errcode = 'PT001', message = n::text; -- undo what the statement did
  exception
    when sqlstate 'PT001' then v_result := 'ok ' || sqlerrm;
    when insufficient_privilege then
      v_result := case when sqlerrm like 'permission denied%' then 'no privilege'
                       when sqlerrm like 'new row violates row-level security policy%' then 'policy'
                       else sqlstate || ': ' || sqlerrm end;
    when others then v_result := sqlstate || ': ' || sqlerrm;
  end;
  reset role;
  return v_result;
end $$;

-- What an expectation means for a statement: "all" is every row it finds as the tables' owner.
create function pg_temp.expected(p_expect text, p_sql text) returns text language sql as $$
  select case when p_expect = 'all' then pg_temp.attempt('{}', session_user, p_sql)
              when p_expect = 'none' then 'ok 0'
              when p_expect ~ '^\d+$' then 'ok ' || p_expect
              else p_expect end
$$;

create temporary table reads (what text, sql text, expect text[]) on commit drop;
insert into reads values
  ('users', $q$select 1 from public.users where email like '%@pgtap.test'$q$, '{7,7,7,7,7,7,7,0}'),
  ('accounts', $q$select 1 from public.accounts where name like 'pgTAP %'$q$, '{2,2,2,2,2,2,2,0}'),
  ('contacts', $q$select 1 from public.contacts where name like 'pgTAP %'$q$, '{3,3,3,3,3,3,0,0}'),
  ('contact emails and phones', $q$select email, phone from public.contacts$q$,
   '{no privilege,no privilege,no privilege,no privilege,no privilege,no privilege,no privilege,no privilege}'),
  ('consents', $q$select 1 from public.consents c join public.contacts k on k.id = c.contact_id where k.name like 'pgTAP %'$q$, '{2,2,2,2,2,2,0,0}'),
  ('leads', $q$select 1 from public.leads where name like 'pgTAP %'$q$, '{2,2,2,0,2,2,0,0}'),
  ('lead emails and phones', $q$select email, phone from public.leads$q$,
   '{no privilege,no privilege,no privilege,no privilege,no privilege,no privilege,no privilege,no privilege}'),
  ('stages', $q$select 1 from public.stages$q$, '{all,all,all,all,all,all,all,none}'),
  ('deals', $q$select 1 from public.deals where name like 'pgTAP %'$q$, '{2,1,2,0,3,3,0,0}'),
  ('stage history', $q$select 1 from public.deal_stage_history h join public.deals d on d.id = h.deal_id where d.name like 'pgTAP %'$q$,
   '{2,1,2,0,3,3,0,0}'),
  ('pipeline totals', $q$select 1 from public.deal_totals where team like 'pgTAP %'$q$, '{2,1,2,0,3,3,0,0}'),
  ('idle totals', $q$select 1 from public.deal_idle_totals where team like 'pgTAP %'$q$, '{2,1,2,0,3,3,0,0}'),
  ('activities', $q$select 1 from public.activities where summary like 'pgTAP %'$q$, '{1,1,1,2,2,2,0,0}'),
  ('tasks', $q$select 1 from public.tasks where text like 'pgTAP %'$q$, '{1,1,2,0,3,3,0,0}'),
  ('SLA policies', $q$select 1 from public.sla_policies$q$, '{all,all,all,all,all,all,all,none}'),
  ('support agents', $q$select 1 from public.support_agents$q$, '{all,all,all,all,all,all,none,none}'),
  ('cases', $q$select 1 from public.cases where summary like 'pgTAP %'$q$, '{1,1,3,3,3,3,1,0}'),
  ('case events', $q$select 1 from public.case_events where case_id between 990001 and 990003$q$, '{1,1,3,3,3,3,1,0}'),
  -- too broad: chain_read is `using (true)`, a token without a crm_role reads the chain too
  ('escalation chain', $q$select 1 from public.escalation_chain$q$, '{all,all,all,all,all,all,all,all}'),
  ('data requests', $q$select 1 from public.data_requests where subject like 'pgTAP %'$q$, '{1,1,0,0,2,2,0,0}'),
  ('pending actions', $q$select 1 from public.pending_actions where request_id like 'pgtap-%'$q$, '{1,1,0,0,0,0,0,0}'),
  ('processed requests', $q$select 1 from public.processed_requests where request_id like 'pgtap-%'$q$, '{1,1,0,0,0,0,0,0}'),
  ('audit log', $q$select 1 from public.audit_log where action = 'pgtap.test'$q$, '{0,0,0,0,2,2,0,0}'),
  ('channel settings', $q$select 1 from public.channel_settings$q$, '{all,all,all,all,all,all,all,none}'),
  ('jobs', $q$select 1 from public.jobs$q$,
   '{no privilege,no privilege,no privilege,no privilege,no privilege,no privilege,no privilege,no privilege}'),
  ('Teams conversations', $q$select 1 from public.teams_conversations$q$,
   '{no privilege,no privilege,no privilege,no privilege,no privilege,no privilege,no privilege,no privilege}');

-- Writes as the actions make them (crm_writer, with the requester's claims). `perform` lets a role
-- run only the actions of its capabilities; these are what the policies allow beneath that.
create temporary table writes (what text, sql text, expect text[]) on commit drop;
insert into writes values
  ('create a deal they own', $q$insert into public.deals (name, account_id, owner_id, close_date)
     values ('pgTAP new deal', '00000000-0000-4000-8000-0000000000b1', auth.uid(), current_date + 30)$q$,
   '{1,1,1,policy,policy,1,policy,policy}'),
  ('create a deal for Rita', $q$insert into public.deals (name, account_id, owner_id, close_date)
     values ('pgTAP new deal', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1', current_date + 30)$q$,
   '{1,policy,1,policy,policy,1,policy,policy}'),
  ('change Rita''s deal', $q$update public.deals set amount = amount + 1 where id = '00000000-0000-4000-8000-0000000000d1'$q$,
   '{1,0,1,0,1,1,0,0}'),
  ('change Ravi''s deal', $q$update public.deals set amount = amount + 1 where id = '00000000-0000-4000-8000-0000000000d3'$q$,
   '{0,1,0,0,1,1,0,0}'),
  ('delete deals', $q$delete from public.deals where name like 'pgTAP %'$q$, '{0,0,0,0,0,3,0,0}'),
  ('create a contact', $q$insert into public.contacts (name, account_id, owner_id) values ('pgTAP new contact', '00000000-0000-4000-8000-0000000000b1', auth.uid())$q$,
   '{1,1,1,1,policy,1,policy,policy}'),
  ('change contacts', $q$update public.contacts set title = 'pgTAP' where name like 'pgTAP %'$q$, '{3,3,3,0,3,3,0,0}'),
  ('delete a contact', $q$delete from public.contacts where id = '00000000-0000-4000-8000-0000000000c3'$q$, '{0,0,0,0,1,1,0,0}'),
  ('change consents', $q$update public.consents set granted = not granted
     where contact_id in ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c2')$q$, '{2,2,2,0,2,2,0,0}'),
  ('create an account', $q$insert into public.accounts (name, region, owner_id) values ('pgTAP new account', 'pgTAP-W', auth.uid())$q$,
   '{1,1,1,policy,policy,1,policy,policy}'),
  ('change accounts', $q$update public.accounts set industry = 'pgTAP' where name like 'pgTAP %'$q$, '{2,2,2,0,0,2,0,0}'),
  ('qualify leads', $q$update public.leads set status = 'mql' where name like 'pgTAP %'$q$, '{2,2,2,0,2,2,0,0}'),
  ('log an activity as themselves', $q$insert into public.activities (kind, summary, account_id, owner_id)
     values ('note', 'pgTAP note', '00000000-0000-4000-8000-0000000000b1', auth.uid())$q$, '{1,1,1,1,1,1,1,1}'),
  ('log an activity as Rita', $q$insert into public.activities (kind, summary, account_id, owner_id)
     values ('note', 'pgTAP note', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1')$q$,
   '{1,policy,policy,policy,policy,policy,policy,1}'),
  ('change Rita''s activity', $q$update public.activities set outcome = 'pgTAP' where id = '00000000-0000-4000-8000-0000000000e1'$q$,
   '{1,0,0,0,1,1,0,0}'),
  ('create a task for themselves', $q$insert into public.tasks (text, assignee_id) values ('pgTAP new task', auth.uid())$q$,
   '{1,1,1,1,1,1,1,1}'),
  ('create a task for Rita', $q$insert into public.tasks (text, assignee_id) values ('pgTAP new task', '00000000-0000-4000-8000-0000000000a1')$q$,
   '{1,policy,1,policy,policy,1,policy,1}'),
  ('raise a case', $q$insert into public.cases (summary, reporter_id) values ('pgTAP new case', auth.uid())$q$, '{1,1,1,1,1,1,1,1}'),
  ('raise a case as Rita', $q$insert into public.cases (summary, reporter_id) values ('pgTAP new case', '00000000-0000-4000-8000-0000000000a1')$q$,
   '{1,policy,policy,policy,policy,policy,policy,1}'),
  ('work Rita''s case', $q$update public.cases set status = 'acknowledged' where id = 990001$q$, '{0,0,1,1,1,1,0,0}'),
  ('add a case event', $q$insert into public.case_events (case_id, kind, actor_id) values (990001, 'pgtap', auth.uid())$q$,
   '{1,1,1,1,1,1,1,1}'),
  ('file a data request', $q$insert into public.data_requests (kind, subject, requested_by, due_date)
     values ('access', 'pgTAP new subject', auth.uid(), current_date + 30)$q$, '{1,1,1,1,1,1,1,1}'),
  ('move data requests on', $q$update public.data_requests set status = 'verified' where id in (990001, 990002)$q$, '{0,0,0,0,2,2,0,0}'),
  ('keep a pending action', $q$insert into public.pending_actions (request_id, user_id, channel, action, preview)
     values ('pgtap-new', auth.uid(), 'repl', '{}', 'pgTAP')$q$, '{1,1,1,1,1,1,1,policy}'),
  ('confirm Ravi''s pending action', $q$update public.pending_actions set status = 'confirmed' where request_id = 'pgtap-2'$q$,
   '{0,1,0,0,0,0,0,0}'),
  ('forget a processed request', $q$delete from public.processed_requests where request_id like 'pgtap-%'$q$, '{1,1,0,0,0,0,0,0}'),
  ('write the audit log', $q$insert into public.audit_log (channel, action) values ('repl', 'pgtap.forged')$q$,
   '{policy,policy,policy,policy,policy,policy,policy,policy}'),
  ('erase audit rows', $q$delete from public.audit_log where action = 'pgtap.test'$q$, '{0,0,0,0,0,0,0,0}'),
  ('change users', $q$update public.users set timezone = 'UTC' where email like '%@pgtap.test'$q$, '{0,0,0,0,0,7,0,0}'),
  ('change the escalation chain', $q$update public.escalation_chain set title = title$q$, '{none,none,none,none,none,all,none,none}'),
  ('change SLA policies', $q$update public.sla_policies set resolution_minutes = resolution_minutes$q$,
   '{none,none,none,none,none,all,none,none}'),
  ('configure a channel', $q$update public.channel_settings set allow = null where conversation = 'pgTAP-C1'$q$, '{0,0,0,0,0,1,0,0}'),
  ('change an agent''s capacity', $q$update public.support_agents set capacity = capacity + 1
     where user_id = '00000000-0000-4000-8000-0000000000a4'$q$, '{0,0,1,0,0,1,0,0}'),
  ('enqueue a job', $q$insert into public.jobs (kind, run_at) values ('pgtap', now())$q$,
   '{policy,policy,policy,policy,policy,policy,policy,policy}'),
  ('write the pipeline totals', $q$insert into public.deal_totals (owner_id, stage, close_date, deals, amount)
     values (auth.uid(), 'prospecting', current_date, 1, 1)$q$, '{policy,policy,policy,policy,policy,policy,policy,policy}'),
  ('store a Teams conversation', $q$insert into public.teams_conversations (conversation_id, kind, reference) values ('pgtap', 'channel', '{}')$q$,
   '{policy,policy,policy,policy,policy,policy,policy,policy}');

-- Statements the API role may not run at all, whoever asks.
create temporary table api_refusals (what text, role text, sql text, expect text) on commit drop;
insert into api_refusals values
  ('change a deal directly', 'authenticated', $q$update public.deals set amount = 1 where name like 'pgTAP %'$q$, 'no privilege'),
  ('delete cases directly', 'authenticated', $q$delete from public.cases where summary like 'pgTAP %'$q$, 'no privilege'),
  ('write the audit log directly', 'authenticated', $q$insert into public.audit_log (channel, action) values ('repl', 'x')$q$, 'no privilege'),
  ('draw an audit log id', 'authenticated', $q$select nextval('public.audit_log_id_seq')$q$, 'no privilege'),
  ('look a user up by channel identity', 'authenticated', $q$select public.user_for_channel('{"name": "pgTAP Rita"}')$q$, 'no privilege'),
  ('run an action without perform', 'authenticated', $q$select private.act_task_list('{}')$q$, 'no privilege'),
  ('write the audit log through its helper', 'authenticated', $q$select private.audit('x', 'repl', null, null, null, '{}')$q$, 'no privilege');

select plan((select count(*)::int * 8 from reads) + (select count(*)::int * 8 from writes) + (select count(*)::int * 8 from api_refusals) + 10);

select is(pg_temp.attempt(p.claims, 'authenticated', r.sql), pg_temp.expected(r.expect[p.n], r.sql), format('%s reads %s', p.name, r.what))
from reads r, person p order by r.what, p.n;

select is(pg_temp.attempt(p.claims, 'crm_writer', w.sql), pg_temp.expected(w.expect[p.n], w.sql), format('%s: %s', p.name, w.what))
from writes w, person p order by w.what, p.n;

select is(pg_temp.attempt(p.claims, a.role, a.sql), a.expect, format('%s may not %s', p.name, a.what))
from api_refusals a, person p order by a.what, p.n;

-- anon (no signed-in user) reads and changes nothing, and the API refuses to act for it.
select is(pg_temp.attempt('{"role": "anon"}', 'anon', $q$select 1 from public.users$q$), 'no privilege', 'anon reads no users');
select is(pg_temp.attempt('{"role": "anon"}', 'anon', $q$select 1 from public.deals$q$), 'no privilege', 'anon reads no deals');
select is(pg_temp.attempt('{"role": "anon"}', 'anon', $q$select public.perform('{"request_id": "x", "action": "case.list"}')$q$),
          '28000: no requester: every action runs as a CRM user', 'anon cannot perform an action');
select is(pg_temp.attempt('{"role": "anon"}', 'anon', $q$select 1 from jsonb_array_elements(public.find_entities('{"kind": "contact", "q": "pgTAP Dana"}'))$q$),
          'ok 0', 'anon finds no contact by name');
-- An email finds a contact only for those who may see the contact's details: not a rep of another
-- team (nor anon, nor a guest); the contact's own team does.
select is(pg_temp.attempt(p.claims, 'authenticated', $q$select 1 from jsonb_array_elements(public.contacts_with_email('{"email": "dana@acme.pgtap.test"}'))$q$),
          case when p.name in ('Rita', 'Mona') then 'ok 1' else 'ok 0' end, format('%s finds West''s contact by email: %s', p.name, p.name in ('Rita', 'Mona')))
from person p where p.name in ('Rita', 'Ravi', 'Mona');
-- The definer helpers are for the actions only: a guest cannot read a case past the cases policies.
select is(pg_temp.attempt(p.claims, 'authenticated', $q$select private.case_json(990001)$q$),
          'no privilege', 'Gil (guest) may not call private.case_json')
from person p where p.name = 'Gil';
-- Role and team come from public.users; a token whose claims disagree is refused, whatever it asks.
select is(pg_temp.attempt(p.claims || '{"crm_role": "admin"}', 'authenticated', $q$select 1 from public.audit_log$q$),
          '42501: This sign-in''s role or team does not match the CRM''s record of you; sign in again.',
          'Rita''s id with an admin claim is refused')
from person p where p.name = 'Rita';
select is(pg_temp.attempt(p.claims || '{"team": "pgTAP East"}', 'authenticated', $q$select 1 from public.deals$q$),
          '42501: This sign-in''s role or team does not match the CRM''s record of you; sign in again.',
          'Rita''s id naming the East team is refused')
from person p where p.name = 'Rita';

select * from finish();
rollback;
