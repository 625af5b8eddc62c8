/**
 * What a conversation carries from one message to the next, so that "and next quarter?", "make it 45 minutes",
 * "move it to negotiation" or the answer to the assistant's own question can be read. Both parsers take it; the
 * channel kit keeps it (in Postgres, so that every replica of a chat channel sees the same conversation).
 */
import type { Action } from '../actions/index.ts';

/** The records talked about last, as the user named them ("it", "her", "that deal", "the case"). */
export interface Focus {
  contact?: string;
  account?: string;
  deal?: string;
  case?: string;
  request?: string;
}

export interface DialogueContext {
  /** The write waiting for its author's yes or no, as it was read: a correction edits it. */
  pending?: Action;
  /** The last request answered or written, as it was read: a follow-up keeps what it does not replace. */
  last?: Action;
  /** The parser asked back about this text (a request it could not complete): the next message may complete it. */
  asked?: string;
  /** A whole request the assistant asked about or turned down as it stood ("that date is past", "which deal?"). */
  question?: Action;
  focus?: Focus;
}

const PERSON_FIELDS = ['contact', 'subject', 'name'] as const;

/** What an action talks about, on top of what was talked about before. */
export function focusAfter(action: Action, before: Focus = {}): Focus {
  const a = action as Record<string, unknown>;
  const text = (k: string) => (typeof a[k] === 'string' && !/@/.test(a[k] as string) ? (a[k] as string) : undefined);
  const focus: Focus = { ...before };
  const person = PERSON_FIELDS.map(text).find(Boolean);
  if (action.type === 'contact.lookup') {
    // "who is Tom Becker" puts Tom in focus, "who do we know at Acme" the account.
    if (/^\S+\s+\S+/.test(action.query) && !/\b(?:inc|ltd|llc|gmbh|corp|labs?|group)\b/i.test(action.query))
      focus.contact = action.query;
    else focus.account = action.query;
  } else if (person && action.type !== 'account.create') focus.contact = person;
  if (text('account')) focus.account = text('account');
  if (action.type === 'account.create') focus.account = action.name;
  if (action.type === 'deal.update') focus.deal = action.deal;
  if (action.type === 'deal.create') focus.deal = action.name ?? action.account;
  if (typeof a.case === 'string') focus.case = a.case;
  if (action.type === 'data_request.step') focus.request = action.request;
  return focus;
}
