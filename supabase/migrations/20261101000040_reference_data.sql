-- Reference rows: the stages of the sales process, what each role may run through `perform`, the
-- escalation chain's levels, and the user that people without a linked CRM account act as. Data, not
-- schema: a change to them is always a migration of its own.

-- The one user that people without a linked CRM account act as.
insert into public.users (id, name, email, role, active)
values ('00000000-0000-4000-8000-00000000a0e5', 'Unlinked chat user', 'unlinked-chat-user@crm.invalid', 'guest', true)
on conflict (id) do nothing;

insert into public.stages values
  ('prospecting', 1, 0.10, false, false),
  ('qualification', 2, 0.20, false, false),
  ('discovery', 3, 0.35, false, false),
  ('proposal', 4, 0.55, false, false),
  ('negotiation', 5, 0.75, false, false),
  ('closed_won', 6, 1.00, true, true),
  ('closed_lost', 7, 0.00, true, false);

insert into public.escalation_chain (level, title) values (1, 'team lead'), (2, 'support manager');

insert into private.capabilities (role, action)
select r, a from (values
  ('rep', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list',
                'data_request.list']),
  ('manager', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                    'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list',
                    'escalation.update', 'case.metrics', 'data_request.list']),
  ('support', array['contact.lookup', 'contact.create', 'activity.log', 'task.create', 'task.list',
                    'escalation.create', 'escalation.update', 'case.metrics', 'case.list', 'data_request.create',
                    'data_request.list']),
  ('privacy_officer', array['contact.lookup', 'task.create', 'task.list', 'escalation.create',
                            'data_request.create', 'data_request.list', 'data_request.step', 'audit.query', 'case.hold']),
  ('admin', array['pipeline.query', 'activity.log', 'deal.update', 'deal.create', 'contact.lookup', 'contact.create',
                  'task.create', 'task.list', 'lead.qualify', 'escalation.create', 'data_request.create', 'case.list',
                  'escalation.update', 'case.metrics', 'data_request.list', 'data_request.step', 'channel.configure', 'audit.query',
                  'case.hold']),
  ('guest', array['escalation.create'])
) m(r, actions), unnest(actions) a;
