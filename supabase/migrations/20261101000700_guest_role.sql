-- People in chat with no linked CRM account (or Slack guests / external members) act as the one
-- `guest` user: they may raise a case from a customer's message, and see nothing else.
alter type public.user_role add value if not exists 'guest';
