-- Who may use what: every privilege of the API roles (anon, authenticated, service_role) and of the
-- writer role the actions run as (crm_writer), on the schemas, tables, columns, sequences and
-- functions of `public` and `private`, stated as explicit lists. A grant added or removed anywhere
-- fails one of these tests until the list here says so too; in particular a new security definer
-- function that `authenticated` (or anon) may execute fails "security definer functions executable
-- by …" below. Lines marked "too broad" are today's grants that a security change should tighten.
--
-- Run by `supabase test db` on a Supabase project (pgTAP in the `extensions` schema), and by .ci/run
-- with pg_prove against a database built by supabase/migrations. The lists hold for PostgreSQL, and
-- for a Supabase project whose new tables are not auto-exposed (the default since 2026-05-30).
begin;
set local search_path = public, extensions;
select plan(13);

-- The roles each test speaks about.
create temporary table api_role (name) on commit drop as
  values ('anon'::name), ('authenticated'), ('service_role'), ('crm_writer');

select set_eq(
  $$ select format('%s %s: %s', r.name, n.nspname, string_agg(p, ', ' order by p))
     from api_role r, pg_namespace n, unnest(array['create', 'usage']) p
     where n.nspname in ('public', 'private') and has_schema_privilege(r.name, n.oid, p)
     group by r.name, n.nspname $$,
  array[
    'anon private: usage',  -- too broad: anon needs nothing in private
    'anon public: usage',
    'authenticated private: usage',
    'authenticated public: usage',
    'crm_writer private: usage',
    'crm_writer public: usage',
    'service_role private: usage',
    'service_role public: usage'
  ],
  'schemas: who may use them (nobody but their owner may create in them)');

-- Table privileges, per role: select, insert, update, delete, truncate, references, trigger.
create temporary table table_privilege on commit drop as
  select r.name as role, format('%s %s: %s', r.name, c.oid::regclass,
           string_agg(lower(p), ', ' order by array_position(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'], p))) as item
  from api_role r, pg_class c join pg_namespace n on n.oid = c.relnamespace,
       unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
  where n.nspname in ('public', 'private') and c.relkind in ('r', 'p', 'v', 'm')
    and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    and has_table_privilege(r.name, c.oid, p)
  group by r.name, c.oid;

select is_empty(
  $$ select item from table_privilege where role = 'anon' $$,
  'anon: no table privileges');

-- Reads only, through the row-level policies; contacts: some columns (next test); no jobs, no
-- Teams conversation references. Every write goes through the actions.
select set_eq(
  $$ select item from table_privilege where role = 'authenticated' $$,
  array[
    'authenticated accounts: select',
    'authenticated activities: select',
    'authenticated audit_log: select',
    'authenticated case_events: select',
    'authenticated case_notes: select',
    'authenticated cases: select',
    'authenticated channel_settings: select',
    'authenticated consents: select',
    'authenticated data_requests: select',
    'authenticated deal_idle_totals: select',
    'authenticated deal_stage_history: select',
    'authenticated deal_totals: select',
    'authenticated deals: select',
    'authenticated escalation_chain: select',
    'authenticated pending_actions: select',
    'authenticated private.capabilities: select',
    'authenticated processed_requests: select',
    'authenticated sla_policies: select',
    'authenticated stages: select',
    'authenticated support_agents: select',
    'authenticated tasks: select',
    'authenticated users: select'
  ],
  'authenticated: table privileges');

select set_eq(
  $$ select item from table_privilege where role = 'service_role' $$,
  array[
    'service_role accounts: select, insert, update, delete',
    'service_role activities: select, insert, update, delete',
    'service_role audit_log: select, insert, update, delete',
    'service_role case_events: select, insert, update, delete',
    'service_role case_notes: select, insert, update, delete',
    'service_role cases: select, insert, update, delete',
    'service_role channel_settings: select, insert, update, delete',
    'service_role consents: select, insert, update, delete',
    'service_role contacts: select, insert, update, delete',
    'service_role data_requests: select, insert, update, delete',
    'service_role deal_idle_totals: select',
    'service_role deal_stage_history: select, insert, update, delete',
    'service_role deal_totals: select',
    'service_role deals: select, insert, update, delete',
    'service_role escalation_chain: select, insert, update, delete, truncate, references, trigger',  -- too broad: `grant all` (truncate, references, trigger too)
    'service_role jobs: select, insert, update, delete',
    'service_role leads: select, insert, update, delete',
    'service_role pending_actions: select, insert, update, delete',
    'service_role conversation_states: select, insert, update, delete',
    'service_role private.capabilities: select',
    'service_role processed_requests: select, insert, update, delete',
    'service_role sla_policies: select, insert, update, delete',
    'service_role stages: select, insert, update, delete',
    'service_role support_agents: select, insert, update, delete',
    'service_role tasks: select, insert, update, delete',
    'service_role users: select, insert, update, delete'
  ],
  'service_role: table privileges');

-- Writes of the actions, limited by the same policies (and none at all where a table has no policy
-- for the command: jobs, teams_conversations, the totals, the audit log).
select set_eq(
  $$ select item from table_privilege where role = 'crm_writer' $$,
  array[
    'crm_writer accounts: select, insert, update, delete',
    'crm_writer activities: select, insert, update, delete',
    'crm_writer audit_log: select, insert, update, delete',
    'crm_writer case_events: select, insert, update, delete',
    'crm_writer case_notes: select, insert, update, delete',
    'crm_writer cases: select, insert, update, delete',
    'crm_writer channel_settings: select, insert, update, delete',
    'crm_writer consents: select, insert, update, delete',
    'crm_writer contacts: select, insert, update, delete',
    'crm_writer data_requests: select, insert, update, delete',
    'crm_writer deal_idle_totals: select, insert, update, delete',
    'crm_writer deal_stage_history: select, insert, update, delete',
    'crm_writer deal_totals: select, insert, update, delete',
    'crm_writer deals: select, insert, update, delete',
    'crm_writer escalation_chain: select, insert, update, delete',
    'crm_writer jobs: select, insert, update, delete',
    'crm_writer leads: select, insert, update, delete',
    'crm_writer pending_actions: select, insert, update, delete',
    'crm_writer conversation_states: select, insert, update, delete',
    'crm_writer private.capabilities: select',
    'crm_writer processed_requests: select, insert, update, delete',
    'crm_writer sla_policies: select, insert, update, delete',
    'crm_writer stages: select, insert, update, delete',
    'crm_writer support_agents: select, insert, update, delete',
    'crm_writer tasks: select, insert, update, delete',
    'crm_writer teams_conversations: select, insert, update, delete',
    'crm_writer users: select, insert, update, delete'
  ],
  'crm_writer: table privileges');

select set_eq(
  $$ select format('%s %s.%s: %s', r.name, c.oid::regclass, a.attname, string_agg(lower(p), ', ' order by p))
     from api_role r, pg_class c join pg_namespace n on n.oid = c.relnamespace
     join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped,
     unnest(array['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) p
     where n.nspname in ('public', 'private') and c.relkind = 'r'
       and has_column_privilege(r.name, c.oid, a.attnum, p) and not has_table_privilege(r.name, c.oid, p)
     group by r.name, c.oid, a.attname $$,
  array[
    'authenticated contacts.id: select',
    'authenticated contacts.account_id: select',
    'authenticated contacts.name: select',
    'authenticated contacts.title: select',
    'authenticated contacts.owner_id: select',
    'authenticated contacts.created_at: select',
    'authenticated contacts.updated_at: select',
    'authenticated contacts.processing_restricted: select',
    'authenticated contacts.erased_at: select',
    'authenticated leads.id: select',
    'authenticated leads.name: select',
    'authenticated leads.company: select',
    'authenticated leads.status: select',
    'authenticated leads.source: select',
    'authenticated leads.owner_id: select',
    'authenticated leads.contact_id: select',
    'authenticated leads.deal_id: select',
    'authenticated leads.created_at: select',
    'authenticated leads.updated_at: select'
  ],
  'columns granted one by one: the email and phone of contacts and leads are not among them');

select set_eq(
  $$ select format('%s %s: %s', r.name, c.oid::regclass, string_agg(lower(p), ', ' order by p))
     from api_role r, pg_class c join pg_namespace n on n.oid = c.relnamespace, unnest(array['USAGE', 'SELECT', 'UPDATE']) p
     where n.nspname in ('public', 'private') and c.relkind = 'S' and has_sequence_privilege(r.name, c.oid, p)
     group by r.name, c.oid $$,
  array[
    'crm_writer audit_log_id_seq: select, usage',
    'crm_writer case_events_id_seq: select, usage',
    'crm_writer case_notes_id_seq: select, usage',
    'crm_writer cases_id_seq: select, usage',
    'crm_writer data_requests_id_seq: select, usage',
    'crm_writer deal_stage_history_id_seq: select, usage',
    'crm_writer jobs_id_seq: select, usage',
    'service_role audit_log_id_seq: select, usage',
    'service_role case_events_id_seq: select, usage',
    'service_role case_notes_id_seq: select, usage',
    'service_role cases_id_seq: select, usage',
    'service_role data_requests_id_seq: select, usage',
    'service_role deal_stage_history_id_seq: select, usage',
    'service_role jobs_id_seq: select, usage'
  ],
  'sequences: nobody but the system and the writer role draws ids');

-- Every function of the schema, with the roles that may execute it. Functions in `public` without
-- an explicit revoke are executable by PUBLIC, hence by anon too.
create temporary table crm_function on commit drop as
  select p.oid, p.oid::regprocedure::text as sig, p.prosecdef as definer, p.proowner, p.proconfig
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('public', 'private')
    and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e');

select set_eq(
  $$ select format('%s: %s', f.sig, coalesce(string_agg(r.name, ' ' order by r.name) filter (where has_function_privilege(r.name, f.oid, 'execute')), 'nobody'))
     from crm_function f, api_role r group by f.sig $$,
  array[
    'account_open_deals(jsonb): anon authenticated crm_writer service_role',
    'case_brief(jsonb): authenticated crm_writer service_role',
    'check_case_assignee(jsonb): anon authenticated crm_writer service_role',
    'case_notice(jsonb): service_role',
    'conversation_get(jsonb): authenticated crm_writer service_role',
    'conversation_put(jsonb): authenticated crm_writer service_role',
    'undo_candidate(jsonb): authenticated crm_writer service_role',
    'private.act_undo(jsonb): crm_writer service_role',
    'private.act_account_summary(jsonb): crm_writer service_role',
    'private.act_insight_query(jsonb): crm_writer service_role',
    'private.insight_accounts(date,timestamp with time zone,numeric,numeric): authenticated crm_writer service_role',
    'private.insight_scope(): authenticated crm_writer service_role',
    'private.rfm_segment(integer,integer,integer): authenticated crm_writer service_role',
    'private.forget_erased_in_conversations(): nobody',  -- a trigger
    'channel_scopes(jsonb): anon authenticated crm_writer service_role',
    'check_data_request_create(jsonb): anon authenticated crm_writer service_role',
    'check_data_request_step(jsonb): anon authenticated crm_writer service_role',
    'check_rep_action(jsonb): anon authenticated crm_writer service_role',
    'claim_delivery(jsonb): service_role',
    'check_task_assignee(jsonb): authenticated crm_writer service_role',
    'claim_jobs(jsonb): service_role',
    'contact_names(jsonb): service_role',
    'contacts_with_email(jsonb): authenticated crm_writer service_role',
    'customer_360(jsonb): anon authenticated crm_writer service_role',
    'data_request_deadline(jsonb): anon authenticated crm_writer service_role',
    'data_request_get(jsonb): anon authenticated crm_writer service_role',
    'deal_brief(jsonb): anon authenticated crm_writer service_role',
    'enqueue_job(jsonb): service_role',
    'find_deals(jsonb): anon authenticated crm_writer service_role',
    'find_entities(jsonb): anon authenticated crm_writer service_role',
    'find_leads(jsonb): authenticated crm_writer service_role',
    'find_tasks(jsonb): anon authenticated crm_writer service_role',
    'finish_job(jsonb): service_role',
    'notice_target(jsonb): service_role',
    'pending_cancel(jsonb): anon authenticated crm_writer service_role',
    'pending_get(jsonb): anon authenticated crm_writer service_role',
    'pending_put(jsonb): anon authenticated crm_writer service_role',
    'perform(jsonb): anon authenticated crm_writer service_role',
    'pipeline_teams(jsonb): anon authenticated crm_writer service_role',
    'record_llm_call(jsonb): anon authenticated crm_writer service_role',
    'reminder_sent(jsonb): service_role',
    'reminder_task(jsonb): service_role',
    'reminder_unsent(jsonb): service_role',
    'sla_check(jsonb): service_role',
    'route_queued(jsonb): service_role',
    'teams_reference_load(jsonb): service_role',
    'teams_reference_save(jsonb): service_role',
    'user_for_channel(jsonb): service_role',
    'users_named(jsonb): service_role',
    'whoami(jsonb): anon authenticated crm_writer service_role',
    'private.account_moved(): crm_writer service_role',
    'private.act_account_create(jsonb): crm_writer service_role',
    'private.act_activity_log(jsonb): crm_writer service_role',
    'private.act_audit_query(jsonb): crm_writer service_role',
    'private.act_case_hold(jsonb): crm_writer service_role',
    'private.act_case_list(jsonb): crm_writer service_role',
    'private.act_case_note(jsonb): crm_writer service_role',
    'private.act_case_show(jsonb): crm_writer service_role',
    'private.assignee_problem(uuid): authenticated crm_writer service_role',
    'private.act_case_metrics(jsonb): crm_writer service_role',
    'private.act_channel_configure(jsonb): crm_writer service_role',
    'private.act_contact_create(jsonb): crm_writer service_role',
    'private.act_contact_lookup(jsonb): crm_writer service_role',
    'private.act_data_request_create(jsonb): crm_writer service_role',
    'private.act_data_request_list(jsonb): crm_writer service_role',
    'private.act_data_request_step(jsonb): crm_writer service_role',
    'private.act_deal_create(jsonb): crm_writer service_role',
    'private.act_deal_update(jsonb): crm_writer service_role',
    'private.act_escalation_create(jsonb): crm_writer service_role',
    'private.act_escalation_update(jsonb): crm_writer service_role',
    'private.act_lead_qualify(jsonb): crm_writer service_role',
    'private.act_pipeline_query(jsonb): crm_writer service_role',
    'private.act_task_create(jsonb): crm_writer service_role',
    'private.act_task_complete(jsonb): crm_writer service_role',
    'private.act_task_list(jsonb): crm_writer service_role',
    'private.audit(text,text,text,text,text,jsonb): crm_writer service_role',
    'private.audit_account(text,text): authenticated crm_writer service_role',
    'private.audit_log_is_append_only(): authenticated crm_writer service_role',
    'private.audit_target_label(text,text): authenticated crm_writer service_role',
    'private.case_json(bigint): crm_writer service_role',
    'private.cases_keep_load(): crm_writer service_role',
    'private.chain_holder(integer,uuid): crm_writer service_role',
    'private.check_reassign(uuid,uuid): crm_writer service_role',
    'private.contact_card(contacts): authenticated crm_writer service_role',
    'private.contact_create_problem(jsonb): authenticated crm_writer service_role',
    'private.count_new_case(uuid,timestamp with time zone): crm_writer service_role',
    'private.data_request_create_problem(jsonb): authenticated crm_writer service_role',
    'private.data_request_due(text,date): authenticated crm_writer service_role',
    'private.data_request_json(data_requests): authenticated crm_writer service_role',
    'private.data_request_step_problem(data_requests,text,text): authenticated crm_writer service_role',
    'private.day_label(date): authenticated crm_writer service_role',
    'private.deal_create_problem(jsonb): authenticated crm_writer service_role',
    'private.deal_json(deals): authenticated crm_writer service_role',
    'private.deal_totals_add(deals[],deals[]): crm_writer service_role',
    'private.deal_totals_track(): crm_writer service_role',
    'private.deal_update_problem(deals,jsonb): authenticated crm_writer service_role',
    'private.deals_fill(): crm_writer service_role',
    'private.deals_first_stage(): crm_writer service_role',
    'private.dr_erase(data_requests): authenticated crm_writer service_role',
    'private.dr_export(data_requests): authenticated crm_writer service_role',
    'private.dr_rectify(data_requests): authenticated crm_writer service_role',
    'private.dr_restrict(data_requests): authenticated crm_writer service_role',
    'private.dr_withdraw_consent(data_requests): authenticated crm_writer service_role',
    'private.enqueue_sla_check(bigint,text,timestamp with time zone): crm_writer service_role',
    'private.enqueue_task_reminder(uuid): crm_writer service_role',
    'private.erase_bookkeeping(text[],bigint[]): crm_writer service_role',
    'private.has_role(text[]): authenticated crm_writer service_role',
    'private.hash_pii(text): authenticated crm_writer service_role',
    'private.is_crm_user(): authenticated crm_writer service_role',
    'private.is_generic_summary(text): authenticated crm_writer service_role',
    'private.is_staff(): authenticated crm_writer service_role',
    'private.lead_qualify_problem(leads,jsonb): authenticated crm_writer service_role',
    'private.lock_agents(uuid[]): crm_writer service_role',
    'private.mask_email(text): authenticated crm_writer service_role',
    'private.mask_phone(text): authenticated crm_writer service_role',
    'private.me(): authenticated crm_writer service_role',
    'private.mentions(text,text[]): authenticated crm_writer service_role',
    'private.my_role(): authenticated crm_writer service_role',
    'private.my_team(): authenticated crm_writer service_role',
    'private.new_task(text,date,uuid,uuid,uuid,uuid): authenticated crm_writer service_role',
    'private.on_shift(text,integer,integer,timestamp with time zone): authenticated crm_writer service_role',
    'private.owner_team(): crm_writer service_role',
    'private.redact(jsonb): authenticated crm_writer service_role',
    'private.regex_quote(text): authenticated crm_writer service_role',
    'private.reminder_at(date,time without time zone,uuid): authenticated crm_writer service_role',
    'private.reminder_time(date,uuid): authenticated crm_writer service_role',
    'private.restriction_problem(uuid): authenticated crm_writer service_role',
    'private.route_case(case_category,timestamp with time zone): crm_writer service_role',
    'private.rederived_due(timestamp with time zone,integer,timestamp with time zone,timestamp with time zone): authenticated crm_writer service_role',
    'private.schedule_case_jobs(bigint,boolean): crm_writer service_role',
    'private.scrub_jsonb(jsonb,text[]): authenticated crm_writer service_role',
    'private.scrub_text(text,text[]): authenticated crm_writer service_role',
    'private.sees_contact_details(uuid,uuid): authenticated crm_writer service_role',
    'private.sla_policy(case_severity,uuid): authenticated crm_writer service_role',
    'private.stage_label(deal_stage): authenticated crm_writer service_role',
    'private.subject_export(data_requests): authenticated crm_writer service_role',
    'private.subject_of(data_requests): authenticated crm_writer service_role',
    'private.subject_patterns(text,text,text,boolean): authenticated crm_writer service_role',
    'private.task_assignee_problem(uuid): authenticated crm_writer service_role',
    'private.task_json(tasks): authenticated crm_writer service_role',
    'private.touch_deal(uuid): crm_writer service_role',
    'private.user_moved(): crm_writer service_role'
  ],
  'functions: who may execute each');

-- Every security definer function: whose rights it runs with, and its search_path.
select set_eq(
  $$ select format('%s: runs as %s, %s', sig, case when pg_get_userbyid(proowner) = 'crm_writer' then 'crm_writer' else 'the schema owner' end,
                   coalesce(array_to_string(proconfig, ', '), 'no search_path'))
     from crm_function where definer $$,
  array[
    'case_notice(jsonb): runs as the schema owner, search_path=public',
    'case_brief(jsonb): runs as crm_writer, search_path=public, private',
    'check_data_request_create(jsonb): runs as crm_writer, search_path=public, private',
    'check_data_request_step(jsonb): runs as crm_writer, search_path=public, private',
    'check_rep_action(jsonb): runs as crm_writer, search_path=public, private',
    'claim_delivery(jsonb): runs as the schema owner, search_path=public',
    'check_task_assignee(jsonb): runs as crm_writer, search_path=public, private',
    'claim_jobs(jsonb): runs as the schema owner, search_path=public',
    'contact_names(jsonb): runs as the schema owner, search_path=public',
    'contacts_with_email(jsonb): runs as crm_writer, search_path=public, private',
    'customer_360(jsonb): runs as crm_writer, search_path=public, private',
    'data_request_get(jsonb): runs as crm_writer, search_path=public, private',
    'enqueue_job(jsonb): runs as the schema owner, search_path=public',
    'find_entities(jsonb): runs as crm_writer, search_path=public, private, extensions',
    'find_leads(jsonb): runs as crm_writer, search_path=public, private, extensions',
    'finish_job(jsonb): runs as the schema owner, search_path=public',
    'notice_target(jsonb): runs as the schema owner, search_path=public',
    'pending_cancel(jsonb): runs as crm_writer, search_path=public, private, extensions',
    'pending_get(jsonb): runs as crm_writer, search_path=public, private',
    'pending_put(jsonb): runs as crm_writer, search_path=public, private, extensions',
    'perform(jsonb): runs as crm_writer, search_path=public, private, extensions',
    'record_llm_call(jsonb): runs as crm_writer, search_path=public, private, extensions',
    'reminder_sent(jsonb): runs as the schema owner, search_path=public',
    'conversation_get(jsonb): runs as crm_writer, search_path=public, private',
    'conversation_put(jsonb): runs as crm_writer, search_path=public, private',
    'undo_candidate(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_undo(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_account_summary(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_insight_query(jsonb): runs as crm_writer, search_path=public, private',
    'private.forget_erased_in_conversations(): runs as the schema owner, search_path=public',  -- erasure reaches every user's conversations
    'reminder_task(jsonb): runs as the schema owner, search_path=public',
    'reminder_unsent(jsonb): runs as the schema owner, search_path=public',
    'sla_check(jsonb): runs as the schema owner, search_path=public',
    'route_queued(jsonb): runs as the schema owner, search_path=public',
    'teams_reference_load(jsonb): runs as the schema owner, search_path=public',
    'teams_reference_save(jsonb): runs as the schema owner, search_path=public',
    'user_for_channel(jsonb): runs as the schema owner, search_path=public',
    'users_named(jsonb): runs as the schema owner, search_path=public',
    'private.account_moved(): runs as the schema owner, search_path=public',
    'private.act_account_create(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_activity_log(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_audit_query(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_case_hold(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_case_list(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_case_note(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_case_show(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_case_metrics(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_channel_configure(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_contact_create(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_contact_lookup(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_data_request_create(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_data_request_list(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_data_request_step(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_deal_create(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_deal_update(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_escalation_create(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_escalation_update(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_lead_qualify(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_pipeline_query(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_task_create(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_task_complete(jsonb): runs as crm_writer, search_path=public, private',
    'private.act_task_list(jsonb): runs as crm_writer, search_path=public, private',
    'private.audit(text,text,text,text,text,jsonb): runs as the schema owner, search_path=public',
    'private.case_json(bigint): runs as the schema owner, search_path=public',
    'private.cases_keep_load(): runs as the schema owner, search_path=public',
    'private.chain_holder(integer,uuid): runs as the schema owner, search_path=public',
    'private.check_reassign(uuid,uuid): runs as the schema owner, search_path=public',
    'private.count_new_case(uuid,timestamp with time zone): runs as the schema owner, search_path=public',
    'private.deal_totals_add(deals[],deals[]): runs as the schema owner, search_path=public',
    'private.deal_totals_track(): runs as the schema owner, search_path=public',
    'private.deals_fill(): runs as the schema owner, search_path=public',
    'private.deals_first_stage(): runs as the schema owner, search_path=public',
    'private.enqueue_sla_check(bigint,text,timestamp with time zone): runs as the schema owner, search_path=public',
    'private.enqueue_task_reminder(uuid): runs as the schema owner, search_path=public',
    'private.erase_bookkeeping(text[],bigint[]): runs as the schema owner, search_path=public',
    'private.lock_agents(uuid[]): runs as the schema owner, search_path=public',
    'private.me(): runs as the schema owner, search_path=public',
    'private.owner_team(): runs as the schema owner, search_path=public',
    'private.route_case(case_category,timestamp with time zone): runs as the schema owner, search_path=public',
    'private.schedule_case_jobs(bigint,boolean): runs as the schema owner, search_path=public',
    'private.touch_deal(uuid): runs as the schema owner, search_path=public',
    'private.user_moved(): runs as the schema owner, search_path=public'
  ],
  'security definer functions: owner and search_path');

-- The allow-list that matters most: definer functions run with their owner's rights, so each one a
-- signed-in user may execute is listed here on purpose. The API (public) ones check the requester
-- themselves or run as crm_writer under the policies.
select set_eq(
  $$ select sig from crm_function where definer and has_function_privilege('authenticated', oid, 'execute') $$,
  array[
    'case_brief(jsonb)',  -- the cases policies choose the row, as the requester
    'check_data_request_create(jsonb)',
    'check_data_request_step(jsonb)',
    'check_rep_action(jsonb)',
    'contacts_with_email(jsonb)',  -- only contacts whose details the caller may see
    'conversation_get(jsonb)',  -- the caller's own conversation
    'conversation_put(jsonb)',
    'undo_candidate(jsonb)',  -- the caller's own last write
    'check_task_assignee(jsonb)',
    'customer_360(jsonb)',
    'data_request_get(jsonb)',
    'find_entities(jsonb)',
    'find_leads(jsonb)',  -- an email matches only leads whose details the caller may see
    'pending_cancel(jsonb)',
    'pending_get(jsonb)',
    'pending_put(jsonb)',
    'perform(jsonb)',
    'record_llm_call(jsonb)',
    'private.me()'  -- the caller's own users row, for the policies (they cannot read users themselves)
  ],
  'security definer functions executable by authenticated');

select set_eq(
  $$ select sig from crm_function where definer and has_function_privilege('anon', oid, 'execute') $$,
  array[
    'check_data_request_create(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'check_data_request_step(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'check_rep_action(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'customer_360(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'data_request_get(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'find_entities(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'pending_cancel(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'pending_get(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'pending_put(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'perform(jsonb)',  -- too broad: executable by anon (PUBLIC)
    'record_llm_call(jsonb)'  -- too broad: executable by anon (PUBLIC)
  ],
  'security definer functions executable by anon');

select set_eq(
  $$ select format('%s: %s', c.oid::regclass, case when c.relrowsecurity then 'row level security' else 'no row level security' end)
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('public', 'private') and c.relkind in ('r', 'p') $$,
  array[
    'accounts: row level security',
    'activities: row level security',
    'audit_log: row level security',
    'case_events: row level security',
    'case_notes: row level security',
    'cases: row level security',
    'channel_deliveries: row level security',
    'channel_settings: row level security',
    'conversation_states: row level security',
    'consents: row level security',
    'contacts: row level security',
    'data_requests: row level security',
    'deal_idle_totals: row level security',
    'deal_stage_history: row level security',
    'deal_totals: row level security',
    'deals: row level security',
    'escalation_chain: row level security',
    'jobs: row level security',
    'leads: row level security',
    'pending_actions: row level security',
    'private.capabilities: no row level security',  -- not exposed: private is not in the API schemas
    'processed_requests: row level security',
    'sla_policies: row level security',
    'stages: row level security',
    'support_agents: row level security',
    'tasks: row level security',
    'teams_conversations: row level security',
    'users: row level security'
  ],
  'row level security is on for every table in public');

select set_eq(
  $$ select format('%s %s: %s to %s', tablename, policyname, lower(cmd), array_to_string(roles, ', ')) from pg_policies where schemaname = 'public' $$,
  array[
    'accounts accounts_read: select to authenticated, crm_writer',
    'accounts accounts_update: update to authenticated, crm_writer',
    'accounts accounts_write: insert to authenticated, crm_writer',
    'activities activities_delete: delete to authenticated, crm_writer',
    'activities activities_insert: insert to authenticated, crm_writer',
    'activities activities_read: select to authenticated, crm_writer',
    'activities activities_update: update to authenticated, crm_writer',
    'audit_log audit_read: select to authenticated, crm_writer',
    'case_events case_events_insert: insert to authenticated, crm_writer',
    'case_notes case_notes_insert: insert to authenticated, crm_writer',
    'case_notes case_notes_read: select to authenticated, crm_writer',
    'case_events case_events_read: select to authenticated, crm_writer',
    'cases cases_insert: insert to authenticated, crm_writer',
    'cases cases_read: select to authenticated, crm_writer',
    'cases cases_update: update to authenticated, crm_writer',
    'channel_settings channel_settings_admin: all to authenticated, crm_writer',
    'channel_settings channel_settings_read: select to authenticated, crm_writer',
    'consents consents_read: select to authenticated, crm_writer',
    'consents consents_write: all to authenticated, crm_writer',
    'contacts contacts_delete: delete to authenticated, crm_writer',
    'contacts contacts_read: select to authenticated, crm_writer',
    'contacts contacts_update: update to authenticated, crm_writer',
    'contacts contacts_write: insert to authenticated, crm_writer',
    'data_requests data_requests_insert: insert to authenticated, crm_writer',
    'data_requests data_requests_read: select to authenticated, crm_writer',
    'data_requests data_requests_update: update to authenticated, crm_writer',
    'deal_idle_totals deal_idle_totals_read: select to authenticated, crm_writer',
    'deal_stage_history deal_history_read: select to authenticated, crm_writer',
    'deal_totals deal_totals_read: select to authenticated, crm_writer',
    'deals deals_delete: delete to authenticated, crm_writer',
    'deals deals_insert: insert to authenticated, crm_writer',
    'deals deals_read: select to authenticated, crm_writer',
    'deals deals_update: update to authenticated, crm_writer',
    'escalation_chain chain_admin: all to authenticated, crm_writer',
    'escalation_chain chain_read: select to authenticated, crm_writer',
    'leads leads_sales: all to authenticated, crm_writer',
    'pending_actions pending_own: all to authenticated, crm_writer',
    'conversation_states conversation_own: all to crm_writer',
    'activities activities_undo: delete to crm_writer',
    'tasks tasks_undo: delete to crm_writer',
    'contacts contacts_undo: delete to crm_writer',
    'audit_log audit_read_own: select to crm_writer',
    'processed_requests processed_own: all to authenticated, crm_writer',
    'sla_policies sla_admin: all to authenticated, crm_writer',
    'sla_policies sla_read: select to authenticated, crm_writer',
    'stages stages_read: select to authenticated, crm_writer',
    'support_agents agents_manage: update to authenticated, crm_writer',
    'support_agents agents_read: select to authenticated, crm_writer',
    'tasks tasks_delete: delete to authenticated, crm_writer',
    'tasks tasks_insert: insert to authenticated, crm_writer',
    'tasks tasks_read: select to authenticated, crm_writer',
    'tasks tasks_update: update to authenticated, crm_writer',
    'users users_admin: all to authenticated, crm_writer',
    'users users_read: select to authenticated, crm_writer'
  ],
  'policies: one list, each with its command and roles (what they admit: row_level_security.test.sql)');

select * from finish();
rollback;
