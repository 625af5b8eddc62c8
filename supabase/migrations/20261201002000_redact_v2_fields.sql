-- The audit log keeps the version 2 fields that are dates, times or enum values in clear (occurred_on, due_time,
-- filter, date_basis, compare); everything else stays hashed.
create or replace function private.redact(payload jsonb) returns jsonb language sql immutable as $$
  select coalesce(jsonb_object_agg(key, case
      when jsonb_typeof(value) in ('number', 'boolean', 'null') then value
      when jsonb_typeof(value) = 'object' then private.redact(value)
      when key in ('type', 'kind', 'metric', 'stage', 'severity', 'category', 'status', 'law', 'group_by',
                   'from', 'to', 'due_date', 'due_time', 'follow_up_date', 'close_date', 'occurred_on', 'step', 'due',
                   'scope', 'filter', 'date_basis', 'compare', 'notices', 'request', 'case', 'deal_id', 'account_id',
                   'contact_id', 'lead_id', 'id')
           and value #>> '{}' ~ '^[A-Za-z0-9_.:-]{1,40}$' then value
      else to_jsonb('sha256:' || left(encode(sha256(convert_to(lower(value #>> '{}'), 'UTF8')), 'hex'), 16))
    end), '{}'::jsonb)
  from jsonb_each(payload)
$$;
