-- Data-subject requests (GDPR / CCPA): intake with the legal deadline, identity verification and
-- approval as recorded steps, then execution: export (access, portability), erasure, rectification,
-- restriction, consent withdrawal. Anyone may file a request; only a privacy officer or an admin may
-- move one on (checked here as well as in the core). Every act_* runs as the requester (RLS applies);
-- what it returns for the audit row (target_type, target_id) carries no personal data.

alter table public.contacts add column if not exists processing_restricted boolean not null default false;
alter table public.contacts add column if not exists erased_at timestamptz;
-- The day the request reached us in the filer's timezone: the deadline runs from it.
alter table public.data_requests add column if not exists received_on date;

-- The legal deadline. GDPR Art. 12(3): one month from receipt; the month ends on the same day
-- number, or on the month's last day when there is none (31 Jan -> 28 Feb), which is what adding
-- an interval of a month does. Weekends and holidays are not added, so the date is never late.
-- CCPA (Cal. Civ. Code 1798.130(a)(2)): 45 calendar days.
create function private.data_request_due(p_law text, p_received date) returns date language sql immutable as $$
  select case p_law when 'ccpa' then p_received + 45 else (p_received + interval '1 month')::date end
$$;

create function public.data_request_deadline(args jsonb) returns jsonb language sql immutable as $$
  select jsonb_build_object('due_date', private.data_request_due(coalesce(args ->> 'law', 'gdpr'), (args ->> 'received_on')::date))
$$;

-- Contacts whose email is exactly the one given (a subject named by email).
create function public.contacts_with_email(args jsonb) returns jsonb language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'detail', a.name) order by c.name), '[]')
  from public.contacts c left join public.accounts a on a.id = c.account_id
  where lower(c.email) = lower(btrim(args ->> 'email'))
$$;

create function private.data_request_json(r public.data_requests) returns jsonb language sql stable as $$
  select jsonb_build_object(
    'id', r.id, 'kind', r.kind, 'law', r.law, 'status', r.status, 'subject', r.subject,
    'contact', c.name, 'account', a.name, 'received_on', r.received_on, 'due_date', r.due_date,
    'requested_by', (select name from public.users where id = r.requested_by),
    'verified_by', (select name from public.users where id = r.verified_by), 'verification_method', r.verification_method,
    'approved_by', (select name from public.users where id = r.approved_by),
    'executed_at', r.executed_at, 'changed_fields', (select jsonb_agg(k order by k) from jsonb_object_keys(r.changes) k), 'changes', r.changes,
    'result', r.result)
  from (select 1) one
  left join public.contacts c on c.id = r.subject_contact_id
  left join public.accounts a on a.id = c.account_id
$$;

-- One request as the caller may see it (their own, or any for privacy officers and admins).
create function public.data_request_get(args jsonb) returns jsonb language sql stable as $$
  select private.data_request_json(r) from public.data_requests r where r.id = (args ->> 'id')::bigint
$$;

-- ---------------------------------------------------------------------------------------------
-- Intake

-- Why a request cannot be filed as given, or null. The act below raises it; the skill asks before confirming.
create function private.data_request_create_problem(payload jsonb) returns text language plpgsql stable as $$
declare
  v_kind text := payload ->> 'kind';
  v_contact uuid := (payload ->> 'contact_id')::uuid;
  v_changes jsonb := coalesce(payload -> 'changes', '{}');
  v_bad text;
begin
  if (payload ->> 'received_on')::date > (now() at time zone 'utc')::date + 1 then
    -- a day ahead of UTC is someone's today (UTC+14); later would push the deadline out
    return 'A data request cannot be received in the future.';
  end if;
  if v_contact is not null and not exists (select 1 from public.contacts where id = v_contact) then
    return 'That contact no longer exists.';
  end if;
  if v_kind in ('rectification', 'restriction', 'consent_withdrawal') and v_contact is null then
    return format('A %s request needs a contact in the CRM; I could not match the subject to one.', replace(v_kind, '_', ' '));
  end if;
  if v_kind <> 'rectification' then
    return null;
  end if;
  select string_agg(k, ', ' order by k) into v_bad from jsonb_object_keys(v_changes) k where k not in ('name', 'email', 'phone', 'title');
  return case
    when v_changes = '{}' then 'Say what to correct, e.g. "correct Jane Doe''s phone to +1 555 0100".'
    when v_bad is not null then format('I can correct a contact''s name, email, phone or title, not %s.', v_bad)
    when v_changes ->> 'email' !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then 'The corrected email does not look like an email address.'
    when v_changes ->> 'phone' !~ '^[+()\d][\d\s().\-]{3,30}$' then 'The corrected phone does not look like a phone number.'
    when btrim(v_changes ->> 'name') = '' then 'The corrected name is empty.'
  end;
end $$;

create function public.check_data_request_create(args jsonb) returns jsonb language sql stable as $$
  select jsonb_build_object('problem', private.data_request_create_problem(args))
$$;

create function private.act_data_request_create(payload jsonb) returns jsonb language plpgsql as $$
declare
  v_kind public.data_request_kind := (payload ->> 'kind')::public.data_request_kind;
  v_law text := coalesce(payload ->> 'law', 'gdpr');
  v_received date := coalesce((payload ->> 'received_on')::date, (now() at time zone 'utc')::date);
  v_changes jsonb := payload -> 'changes';
  v_problem text := private.data_request_create_problem(payload);
  r public.data_requests;
begin
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  v_changes := case v_kind
    when 'rectification' then v_changes
    when 'consent_withdrawal' then nullif(jsonb_strip_nulls(jsonb_build_object('purpose', lower(v_changes ->> 'purpose'))), '{}')
  end;
  insert into public.data_requests (kind, subject, subject_contact_id, law, changes, requested_by, received_on, due_date)
  values (v_kind, btrim(payload ->> 'subject'), (payload ->> 'contact_id')::uuid, v_law, v_changes, auth.uid(), v_received,
          private.data_request_due(v_law, v_received))
  returning * into r;
  return jsonb_build_object('target_type', 'data_request', 'target_id', r.id::text,
                            'request', private.data_request_json(r), 'law_assumed', not (payload ? 'law'));
end $$;

-- Open requests with the days left, soonest deadline first (RLS: the filer's own, or all for privacy).
create function private.act_data_request_list(payload jsonb) returns jsonb language sql stable as $$
  select jsonb_build_object('target_type', 'data_request', 'rows', coalesce(jsonb_agg(
           private.data_request_json(r) || jsonb_build_object(
             'days_left', r.due_date - coalesce((payload ->> 'today')::date, current_date))
           order by r.due_date, r.id), '[]'))
  from public.data_requests r
  where r.status not in ('completed', 'rejected')
$$;

-- ---------------------------------------------------------------------------------------------
-- Finding the subject's data

-- Every character but letters, digits and spaces gets a backslash: in a Postgres regex that makes it literal.
create function private.regex_quote(s text) returns text language sql immutable as
  $$ select regexp_replace(s, '([^[:alnum:][:space:]])', '\\\1', 'g') $$;

-- Regular expressions that find the subject in free text: the email, the full name (any spacing),
-- the phone number with any separators (with and without its country code). With p_first, the first
-- name alone too: used only on rows linked to the subject, where "Jane" can only mean her.
create function private.subject_patterns(p_name text, p_email text, p_phone text, p_first boolean default false)
returns text[] language plpgsql immutable as $$
declare
  v text[] := '{}';
  v_digits text := regexp_replace(coalesce(p_phone, ''), '\D', '', 'g');
  v_sep text := '[\s().-]*';
begin
  if nullif(btrim(p_email), '') is not null then
    v := v || private.regex_quote(btrim(p_email));
  end if;
  if nullif(btrim(p_name), '') is not null then
    v := v || ('\m' || regexp_replace(private.regex_quote(btrim(p_name)), '\s+', '\\s+', 'g') || '\M');
    if p_first and btrim(p_name) ~ '\s' and length(split_part(btrim(p_name), ' ', 1)) > 1 then
      v := v || ('\m' || private.regex_quote(split_part(btrim(p_name), ' ', 1)) || '\M');
    end if;
  end if;
  if length(v_digits) >= 7 then
    v := v || ('\+?' || array_to_string(regexp_split_to_array(v_digits, ''), v_sep));
    if length(v_digits) > 10 then
      v := v || array_to_string(regexp_split_to_array(right(v_digits, 10), ''), v_sep);
    end if;
  end if;
  return v;
end $$;

create function private.scrub_text(t text, p_patterns text[]) returns text language plpgsql immutable as $$
declare p text;
begin
  if t is null then return null; end if;
  foreach p in array p_patterns loop
    t := regexp_replace(t, p, '[erased]', 'gi');
  end loop;
  return t;
end $$;

-- The same for every string inside a JSON document (keys and structure stay).
create function private.scrub_jsonb(j jsonb, p_patterns text[]) returns jsonb language plpgsql immutable as $$
begin
  return case jsonb_typeof(j)
    when 'object' then (select coalesce(jsonb_object_agg(key, private.scrub_jsonb(value, p_patterns)), '{}') from jsonb_each(j))
    when 'array' then (select coalesce(jsonb_agg(private.scrub_jsonb(value, p_patterns) order by n), '[]')
                       from jsonb_array_elements(j) with ordinality e(value, n))
    when 'string' then to_jsonb(private.scrub_text(j #>> '{}', p_patterns))
    else j end;
end $$;

create function private.mentions(t text, p_patterns text[]) returns boolean language sql immutable as
  $$ select coalesce(t ~* any (p_patterns), false) $$;

-- Who the request is about: its contact (unless already erased) and, for a subject typed as an
-- email, that address; the identifiers the export and the erasure search for.
create function private.subject_of(r public.data_requests)
returns table (contact_id uuid, name text, email text, phone text) language sql stable as $$
  select c.id,
         coalesce(case when c.erased_at is null then c.name end, case when r.subject !~ '@' then r.subject end),
         coalesce(case when c.erased_at is null then c.email end, case when r.subject ~ '@' then r.subject end),
         case when c.erased_at is null then c.phone end
  from (select 1) one left join public.contacts c on c.id = r.subject_contact_id
$$;

-- Every row about the subject, per table: the contact (with its account's name), its activities,
-- tasks, cases and their events, deals it is the contact of, consents, leads with its email, and
-- the data requests about it.
create function private.subject_export(r public.data_requests) returns jsonb language plpgsql stable as $$
declare
  s record;
  v_keys text[];
begin
  select * into s from private.subject_of(r);
  v_keys := array_remove(array[lower(s.name), lower(s.email), lower(r.subject)], null);
  return jsonb_build_object(
    'contacts', (select coalesce(jsonb_agg(to_jsonb(c) || jsonb_build_object('account_name', a.name) order by c.id), '[]')
                 from public.contacts c left join public.accounts a on a.id = c.account_id where c.id = s.contact_id),
    'activities', (select coalesce(jsonb_agg(to_jsonb(x) order by x.occurred_at, x.id), '[]') from public.activities x where x.contact_id = s.contact_id),
    'tasks', (select coalesce(jsonb_agg(to_jsonb(x) order by x.created_at, x.id), '[]') from public.tasks x where x.contact_id = s.contact_id),
    'cases', (select coalesce(jsonb_agg(to_jsonb(x) order by x.id), '[]') from public.cases x where x.contact_id = s.contact_id),
    'case_events', (select coalesce(jsonb_agg(to_jsonb(x) order by x.id), '[]') from public.case_events x
                    where x.case_id in (select id from public.cases where contact_id = s.contact_id)),
    'deals', (select coalesce(jsonb_agg(to_jsonb(x) order by x.close_date, x.id), '[]') from public.deals x where x.contact_id = s.contact_id),
    'consents', (select coalesce(jsonb_agg(to_jsonb(x) order by x.purpose), '[]') from public.consents x where x.contact_id = s.contact_id),
    'leads', (select coalesce(jsonb_agg(to_jsonb(x) order by x.created_at, x.id), '[]') from public.leads x
              where x.contact_id = s.contact_id or lower(x.email) = lower(s.email)),
    'data_requests', (select coalesce(jsonb_agg(to_jsonb(x) order by x.id), '[]') from public.data_requests x
                      where x.subject_contact_id = s.contact_id or lower(btrim(x.subject)) = any (v_keys)));
end $$;

-- ---------------------------------------------------------------------------------------------
-- Execution, one function per kind; each returns the completion notice kept in data_requests.result
-- (GDPR Art. 5(2)): what was done, in words and counts, without personal data.

create function private.dr_export(r public.data_requests) returns jsonb language plpgsql stable as $$
declare
  v_export jsonb := private.subject_export(r);
  v_counts jsonb;
begin
  select jsonb_object_agg(key, jsonb_array_length(value)) into v_counts from jsonb_each(v_export);
  return jsonb_build_object(
    'done', jsonb_build_array(format('exported %s rows from %s tables as JSON and CSV',
              (select sum(value::int) from jsonb_each_text(v_counts)), (select count(*) from jsonb_each(v_counts) where value::int > 0))),
    'kept', '[]'::jsonb, 'counts', v_counts, 'export', v_export);
end $$;

-- Bookkeeping the requester's policies do not reach: everyone's pending messages, the job queue,
-- case events. Definer rights, so it checks the caller's role itself.
create function private.erase_bookkeeping(p_patterns text[], p_held bigint[]) returns jsonb language plpgsql
security definer set search_path = public as $$
declare n_pending int; n_jobs int; n_events int;
begin
  if not private.has_role('privacy_officer', 'admin') then
    raise exception 'Only a privacy officer or an admin may erase personal data.';
  end if;
  update public.pending_actions set action = private.scrub_jsonb(action, p_patterns), preview = private.scrub_text(preview, p_patterns)
  where private.mentions(action::text, p_patterns) or private.mentions(preview, p_patterns);
  get diagnostics n_pending = row_count;
  update public.jobs set payload = private.scrub_jsonb(payload, p_patterns), last_error = private.scrub_text(last_error, p_patterns)
  where private.mentions(payload::text, p_patterns) or private.mentions(last_error, p_patterns);
  get diagnostics n_jobs = row_count;
  update public.case_events set detail = private.scrub_jsonb(detail, p_patterns)
  where case_id <> all (p_held) and private.mentions(detail::text, p_patterns);
  get diagnostics n_events = row_count;
  return jsonb_build_object('pending_actions', n_pending, 'jobs', n_jobs, 'case_events', n_events);
end $$;
revoke execute on function private.erase_bookkeeping(text[], bigint[]) from public, anon;
grant execute on function private.erase_bookkeeping(text[], bigint[]) to authenticated, service_role;

-- Erasure: the contact is anonymised (the row stays so deals and cases keep their shape), consents
-- deleted, leads with the email anonymised, and every mention of the name, email or phone in free
-- text replaced by "[erased]". Exception (Art. 17(3)(e)): cases under legal hold are kept whole,
-- with their events, and reported.
create function private.dr_erase(r public.data_requests) returns jsonb language plpgsql as $$
declare
  s record;
  v_all text[];
  v_linked text[];
  v_held bigint[];
  v_counts jsonb := '{}';
  v_book jsonb;
  v_contacts uuid[];
  n int;
begin
  select * into s from private.subject_of(r);
  v_all := private.subject_patterns(s.name, s.email, s.phone);
  v_linked := private.subject_patterns(s.name, s.email, s.phone, true);
  if cardinality(v_all) = 0 then
    raise exception 'Request #% names no one I can search for.', r.id;
  end if;

  select coalesce(array_agg(id order by id), '{}') into v_held from public.cases
  where legal_hold and (contact_id = s.contact_id or private.mentions(summary, v_all) or private.mentions(source_text, v_all));

  -- The same person may have been entered twice: every contact with their email, or their name and phone.
  select coalesce(array_agg(id), '{}') into v_contacts from public.contacts c
  where c.id = s.contact_id
     or (s.email is not null and lower(c.email) = lower(s.email))
     or (s.phone is not null and lower(c.name) = lower(s.name)
         and regexp_replace(c.phone, '\D', '', 'g') = regexp_replace(s.phone, '\D', '', 'g'));

  update public.contacts set name = 'Erased contact ' || left(md5(id::text), 8), email = null, phone = null, title = null,
         erased_at = now(), updated_at = now()
  where id = any (v_contacts);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('contacts anonymised', n);

  delete from public.consents where contact_id = any (v_contacts);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('consents deleted', n);

  update public.leads set name = 'Erased lead ' || left(md5(id::text), 8), email = null, phone = null, updated_at = now()
  where contact_id = any (v_contacts) or lower(email) = lower(s.email)
     or (s.phone is not null and lower(name) = lower(s.name)
         and regexp_replace(phone, '\D', '', 'g') = regexp_replace(s.phone, '\D', '', 'g'));
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('leads anonymised', n);

  update public.activities x
  set summary = private.scrub_text(summary, p), outcome = private.scrub_text(outcome, p)
  from (select case when a.contact_id = s.contact_id then v_linked else v_all end as p, a.id
        from public.activities a) m
  where m.id = x.id and (private.mentions(x.summary, m.p) or private.mentions(x.outcome, m.p));
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('activities scrubbed', n);

  -- Open tasks to reach an erased person cannot be done any more.
  update public.tasks set status = 'cancelled'
  where contact_id = any (v_contacts) and status = 'open';
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('open tasks cancelled', n);
  update public.tasks x set text = private.scrub_text(text, m.p)
  from (select case when t.contact_id = s.contact_id then v_linked else v_all end as p, t.id
        from public.tasks t) m
  where m.id = x.id and private.mentions(x.text, m.p);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('tasks scrubbed', n);

  update public.cases x set summary = private.scrub_text(summary, m.p), source_text = private.scrub_text(source_text, m.p),
         updated_at = now()
  from (select case when c.contact_id = s.contact_id then v_linked else v_all end as p, c.id
        from public.cases c) m
  where m.id = x.id and x.id <> all (v_held)
    and (private.mentions(x.summary, m.p) or private.mentions(x.source_text, m.p));
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('cases scrubbed', n);

  update public.deals set name = private.scrub_text(name, v_all) where private.mentions(name, v_all);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('deals scrubbed', n);

  -- The requests about the subject keep only a hash of who it was (enough to answer "did we?").
  update public.data_requests x
  set subject = case when x.subject like 'Erased subject %' then x.subject else 'Erased subject ' || private.hash_pii(btrim(x.subject)) end,
      changes = private.redact(x.changes), verification_method = private.scrub_text(x.verification_method, v_all),
      result = private.scrub_jsonb(x.result, v_all)
  where x.subject_contact_id = s.contact_id or x.id = r.id or private.mentions(x.subject, v_all)
     or private.mentions(x.changes::text, v_all);
  get diagnostics n = row_count; v_counts := v_counts || jsonb_build_object('data requests pseudonymised', n);

  v_book := private.erase_bookkeeping(v_all, v_held);
  v_counts := v_counts || jsonb_build_object(
    'pending messages scrubbed', (v_book ->> 'pending_actions')::int,
    'jobs scrubbed', (v_book ->> 'jobs')::int, 'case events scrubbed', (v_book ->> 'case_events')::int);

  return jsonb_build_object(
    'done', (select coalesce(jsonb_agg(format('%s: %s', key, value) order by key), '[]') from jsonb_each_text(v_counts) where value::int > 0),
    'kept', (select coalesce(jsonb_agg(format('kept under legal hold: case %s', h) order by h), '[]') from unnest(v_held) h),
    'held_cases', to_jsonb(v_held), 'counts', v_counts, 'subject_hash', private.hash_pii(coalesce(s.email, s.name)));
end $$;

-- Rectification: the fields change; the record keeps old -> new as hashes only.
create function private.dr_rectify(r public.data_requests) returns jsonb language plpgsql as $$
declare
  c public.contacts;
  k text;
  v_log jsonb := '[]';
begin
  select * into c from public.contacts where id = r.subject_contact_id and erased_at is null;
  if not found then
    raise exception 'The contact of request #% no longer exists or was erased.', r.id;
  end if;
  for k in select f from jsonb_object_keys(r.changes) f where f in ('name', 'email', 'phone', 'title') order by 1 loop
    execute format('update public.contacts set %I = $1, updated_at = now() where id = $2', k) using btrim(r.changes ->> k), c.id;
    v_log := v_log || jsonb_build_object('field', k, 'from', private.hash_pii(to_jsonb(c) ->> k),
                                         'to', private.hash_pii(btrim(r.changes ->> k)));
  end loop;
  update public.data_requests set changes = private.redact(changes) where id = r.id;
  return jsonb_build_object(
    'done', (select jsonb_agg(format('corrected %s', e ->> 'field')) from jsonb_array_elements(v_log) e),
    'kept', '[]'::jsonb, 'rectified', v_log);
end $$;

-- Restriction (Art. 18): the contact is flagged; the data stays, stored but not processed.
create function private.dr_restrict(r public.data_requests) returns jsonb language plpgsql as $$
begin
  update public.contacts set processing_restricted = true, updated_at = now() where id = r.subject_contact_id and erased_at is null;
  if not found then
    raise exception 'The contact of request #% no longer exists or was erased.', r.id;
  end if;
  return jsonb_build_object('done', jsonb_build_array('flagged the contact: processing restricted'), 'kept', '[]'::jsonb);
end $$;

-- Consent withdrawal: the purpose named (or every purpose on record, and marketing) is withdrawn, and
-- the open outreach tasks for it are cancelled (an overdue open task would still be done later).
create function private.dr_withdraw_consent(r public.data_requests) returns jsonb language plpgsql as $$
declare
  v_purposes text[];
  n_consents int;
  n_tasks int;
begin
  if not exists (select 1 from public.contacts where id = r.subject_contact_id and erased_at is null) then
    raise exception 'The contact of request #% no longer exists or was erased.', r.id;
  end if;
  v_purposes := case when r.changes ? 'purpose' then array[r.changes ->> 'purpose']
    else array(select purpose from public.consents where contact_id = r.subject_contact_id union select 'marketing' order by 1) end;
  insert into public.consents (contact_id, purpose, granted, source, updated_at)
  select r.subject_contact_id, p, false, 'data request #' || r.id, now() from unnest(v_purposes) p
  on conflict (contact_id, purpose) do update set granted = false, source = excluded.source, updated_at = now();
  get diagnostics n_consents = row_count;
  update public.tasks set status = 'cancelled'
  where contact_id = r.subject_contact_id and status = 'open' and purpose = any (v_purposes);
  get diagnostics n_tasks = row_count;
  return jsonb_build_object(
    'done', jsonb_build_array(format('withdrew consent for %s', array_to_string(v_purposes, ', ')),
                              format('cancelled %s open %s task(s)', n_tasks, array_to_string(v_purposes, '/'))),
    'kept', '[]'::jsonb, 'purposes', to_jsonb(v_purposes), 'tasks_cancelled', n_tasks);
end $$;

-- ---------------------------------------------------------------------------------------------
-- The workflow: received -> verified (who, how) -> approved -> completed; or rejected on the way.

-- Why a step cannot run now, or null. The act below raises it; the skill asks before confirming.
create function private.data_request_step_problem(r public.data_requests, p_step text, p_method text) returns text
language plpgsql stable as $$
begin
  if not private.has_role('privacy_officer', 'admin') then
    return 'Only a privacy officer or an admin may verify, approve, execute or reject data requests.';
  end if;
  if r.id is null then
    return 'There is no such data request.';
  end if;
  if r.status = 'completed' then
    return null; -- running a completed request again is a no-op, not an error
  end if;
  if r.status = 'rejected' then
    return format('Request #%s was rejected; file a new one if the person asks again.', r.id);
  end if;
  return case p_step
    when 'verify' then case
      when nullif(btrim(p_method), '') is null then 'Say how the identity was verified (e.g. "verified by a reply from the email on file").'
      when r.status <> 'received' then format('Request #%s is already verified.', r.id) end
    when 'approve' then case
      when r.status = 'received' then format('Request #%s must have the identity verified before it can be approved.', r.id)
      when r.status = 'approved' then format('Request #%s is already approved.', r.id) end
    when 'execute' then case
      when r.status <> 'approved' then format('Request #%s must be verified and approved before it is executed (it is %s).', r.id, r.status) end
    when 'reject' then null
    else format('Unknown step %s.', p_step) end;
end $$;

create function public.check_data_request_step(args jsonb) returns jsonb language sql stable as $$
  select jsonb_build_object('problem', private.data_request_step_problem(
    (select r from public.data_requests r where r.id = (args ->> 'request')::bigint), args ->> 'step', args ->> 'method'))
$$;

create function private.act_data_request_step(payload jsonb) returns jsonb language plpgsql as $$
declare
  r public.data_requests;
  v_step text := payload ->> 'step';
  v_method text := nullif(btrim(payload ->> 'method'), '');
  v_problem text;
  v_result jsonb;
  v_export jsonb;
begin
  if not private.has_role('privacy_officer', 'admin') then
    raise exception 'Only a privacy officer or an admin may verify, approve, execute or reject data requests.';
  end if;
  select * into r from public.data_requests where id = (payload ->> 'request')::bigint for update;
  if not found then
    raise exception 'There is no data request #%.', payload ->> 'request';
  end if;
  v_problem := private.data_request_step_problem(r, v_step, v_method);
  if v_problem is not null then
    raise exception '%', v_problem;
  end if;
  if r.status = 'completed' then
    -- Running it again would change nothing; refusing keeps a no-op out of the audit trail.
    raise exception 'Request #% was already completed on %; nothing changed.', r.id, r.executed_at::date;
  end if;

  if v_step = 'verify' then
    update public.data_requests set status = 'verified', verified_by = auth.uid(), verified_at = now(),
           verification_method = v_method
    where id = r.id returning * into r;
  elsif v_step = 'approve' then
    update public.data_requests set status = 'approved', approved_by = auth.uid(), approved_at = now()
    where id = r.id returning * into r;
  elsif v_step = 'execute' then
    v_result := case r.kind
      when 'access' then private.dr_export(r)
      when 'portability' then private.dr_export(r)
      when 'erasure' then private.dr_erase(r)
      when 'rectification' then private.dr_rectify(r)
      when 'restriction' then private.dr_restrict(r)
      when 'consent_withdrawal' then private.dr_withdraw_consent(r)
    end;
    v_export := v_result -> 'export';
    update public.data_requests set status = 'completed', executed_by = auth.uid(), executed_at = now(),
           result = (v_result - 'export') || jsonb_build_object('completed_on', (now() at time zone 'utc')::date,
                                                                'deadline_met', (now() at time zone 'utc')::date <= due_date)
    where id = r.id returning * into r;
  else -- reject
    update public.data_requests set status = 'rejected', executed_by = auth.uid(), executed_at = now(),
           result = jsonb_build_object('done', jsonb_build_array('rejected'), 'kept', '[]'::jsonb, 'reason', v_method)
    where id = r.id returning * into r;
  end if;
  return jsonb_build_object('target_type', 'data_request', 'target_id', r.id::text, 'step', v_step,
                            'request', private.data_request_json(r))
         || case when v_export is not null then jsonb_build_object('export', v_export) else '{}' end;
end $$;
