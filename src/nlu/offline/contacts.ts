/** contact.lookup, contact.create and lead.qualify. */
import type { Action } from '../../actions/schema.ts';
import { ask } from './clarify.ts';
import type { Ctx } from './context.ts';
import { EMAIL, entityBefore, takeEntity, tidy } from './text.ts';
import { isCommonWord } from './vocab.ts';

type ContactCreate = Extract<Action, { type: 'contact.create' }>;

const LOOKUP_LEAD =
  /^(?:(?:phone|e-?mail|cell|mobile|number|contact)(?: number| address| info| details| #| no\.?)? (?:for|of)|(?:what'?s |what is )?the (?:best |right |easiest )?way to (?:reach|contact|get (?:in touch with|hold of))|do we (?:have|know)|any(?:one)?|who(?:'s| is|s)?|look ?up|lookup|find|search(?: for)?|show me (?:everything|all|info|details)(?: (?:about|on|for))?|tell me (?:about|everything about)|info (?:on|about|for)|details (?:on|for|about)|(?:contact )?(?:info|details|card) for|pull up|get me|what do we (?:know|have) (?:about|on)|everything (?:about|on)|how (?:do|can) i reach)\s+(?:the\s+)?(?:contact\s+)?/i;
const POSSESSIVE_FIELD = /\bwhat(?:'?s| is) (?:the )?(.+?)'s (?:email|phone|number|title|role)\b/i;

export function parseContactLookup(ctx: Ctx): Action {
  const email = EMAIL.exec(ctx.text);
  if (email) return { type: 'contact.lookup', query: email[0] };
  const pos = POSSESSIVE_FIELD.exec(ctx.text);
  if (pos) return { type: 'contact.lookup', query: tidy(pos[1]) };
  const lead = LOOKUP_LEAD.exec(ctx.text);
  const rest = (lead ? ctx.text.slice(lead[0].length) : ctx.text)
    .replace(/^(?:(?:the|our|my|main|primary|contacts?|contact (?:info|details|card)|details|info|people|anyone|anybody|someone|champion|decision maker|poc|point of contact|person|buyer|do we (?:know|have)|we (?:know|have))\s+)+/i, '')
    .replace(/(?:'s)?\s+(?:contacts?|contact (?:info|details|card)|details|info|people|e-?mail|phone|cell|mobile|number|title)(?: address| number)?\s*\?*$/i, '');
  if (!lead && rest === ctx.text) return ask('contact.lookup.query');
  const query = tidy(rest.replace(/^(?:works?|is|are)\s+(?:at|for)\s+/i, '').replace(/^(?:(?:main |primary )?(?:contacts?|people|someone|anyone|person|poc|point of contact|champion|decision maker)\s+)?(?:at|from|in|for)\s+/i, '').replace(/'s\s+(?:email|phone|number|details|info|title)\b.*$/i, '').replace(/\?+$/, ''));
  if (!query) return ask('contact.lookup.query');
  return { type: 'contact.lookup', query: query.slice(0, 320) };
}

const CREATE_LEAD = /\b(?:add|create|new|save|enter|insert)\b:?\s+(?:a\s+|an\s+)?(?:new\s+)?contact\b\s*[-–:]?\s*(for|called|named)?\s*[-–:]?\s*/i;
const ADD_AS = /\b(?:add|save|store|put|enter|create)\s+(.+?)\s+(?:as\s+(?:a\s+|an\s+)?(?:new\s+)?contact|to\s+(?:my\s+|our\s+|the\s+)?contacts)\b/i;
const PHONE = /(?:\+|\b)\(?\d[\d\s().-]{5,24}\d\b/;
const TITLE_HINT =
  /\b(?:ceo|cto|cfo|coo|cmo|cio|ciso|cro|cpo|vp|svp|evp|founder|co-?founder|president|head|chief|director|manager|engineer|developer|analyst|consultant|buyer|architect|officer|admin|administrator|lead|counsel|specialist|coordinator|partner|owner|designer|recruiter|procurement)\b/i;
const TITLE_THEN_ACCOUNT = /^\s*[,(-]?\s*(?:(?:the|a|an|is|as|our)\s+)?([^,@()]+)\s+(?:at|from|of|@|with)\s+/i;
const ACCOUNT_AFTER = /(?:^|\s)(?:at|from|@|with|of|for|to)\s+/gi;
// "Head of IT", "VP of Sales": a department after "of" is part of the title, not the company.
const DEPARTMENT = /^(?:it|sales|marketing|engineering|finance|product|operations|ops|procurement|hr|people|legal|security|data|growth|partnerships|customer success|support|design|research|technology|strategy|revenue|it security)\b/i;

export function parseContactCreate(ctx: Ctx): Action {
  let text = ctx.text;
  const action: Partial<ContactCreate> = { type: 'contact.create' };
  const email = EMAIL.exec(text);
  if (email) {
    action.email = email[0];
    text = text.slice(0, email.index) + text.slice(email.index + email[0].length);
  }
  const phone = PHONE.exec(text);
  if (phone) {
    action.phone = phone[0].trim();
    text = text.slice(0, phone.index) + text.slice(phone.index + phone[0].length);
  }
  const addAs = ADD_AS.exec(text);
  const lead = CREATE_LEAD.exec(text);
  let name = addAs ? takeEntity(addAs[1]) : takeEntity(text, lead ? lead.index + lead[0].length : 0);
  // "new contact for globex: kate wu" names the account first.
  const colon = !addAs && lead?.[1]?.toLowerCase() === 'for' && name ? /^\s*:\s*/.exec(text.slice(name.end)) : null;
  if (name && colon) {
    action.account = name.text;
    name = takeEntity(text, name.end + colon[0].length);
  }
  if (!name) return ask('contact.create.name');
  action.name = name.text;

  const rest = addAs ? `${addAs[1].slice(name.end)} ${text.slice(addAs.index + addAs[0].length)}` : text.slice(name.end);
  const titled = TITLE_THEN_ACCOUNT.exec(rest);
  const ofDepartment = titled && /\bof\s+$/i.test(titled[0]) && DEPARTMENT.test(rest.slice(titled[0].length));
  const segments = rest.split(/[,;]/).map((x) => x.trim());
  if (ofDepartment && segments.length > 1 && TITLE_HINT.test(segments[1])) {
    // "Raj Patel, Head of IT, Soylent": comma-separated title, then company.
    action.title = tidy(segments[1]);
    const account = segments[2] ? takeEntity(segments[2]) : undefined;
    if (account) action.account = account.text;
  } else if (titled && TITLE_HINT.test(titled[1]) && !ofDepartment) {
    action.title = tidy(titled[1]);
    const account = takeEntity(rest, titled[0].length);
    if (account) action.account = account.text;
  } else {
    const title = /,\s*([^,]+?)\s*(?:,|$)/.exec(rest);
    if (title && TITLE_HINT.test(title[1]) && title[1].split(' ').length <= 5) action.title = tidy(title[1]);
    // "nina petrova, cfo, globex": the company may simply follow the title.
    const account = accountAfter(rest) ?? (action.title && title ? takeEntity(rest, title.index + title[0].length) : undefined);
    if (account && !action.account) action.account = account.text;
  }
  return action as ContactCreate;
}

function accountAfter(rest: string): { text: string } | undefined {
  ACCOUNT_AFTER.lastIndex = 0;
  for (let m: RegExpExecArray | null; (m = ACCOUNT_AFTER.exec(rest)); ) {
    const p = takeEntity(rest, m.index + m[0].length);
    if (p && !isCommonWord(p.text.split(' ')[0])) return p;
  }
  return undefined;
}

export function parseLeadQualify(ctx: Ctx): Action {
  const l = ctx.low;
  const status = /\bdisqualif|\bunqualified\b|\bnot (?:a )?(?:good )?fit\b|\bjunk\b/.test(l)
    ? 'disqualified'
    : /\bsales[- ]?qualified\b|\bsql\b/.test(l)
      ? 'sql'
      : /\bmarketing[- ]?qualified\b|\bmql\b/.test(l)
        ? 'mql'
        : undefined;
  const lead = leadName(ctx);
  if (!lead) return ask('lead.qualify.lead');
  const convert = /\bconvert/.test(l);
  // Converting a lead only makes sense for a sales-qualified one.
  if (!status && !convert) return ask('lead.qualify.status');
  const action: Extract<Action, { type: 'lead.qualify' }> = { type: 'lead.qualify', lead, status: status ?? 'sql' };
  if (convert) action.convert = true;
  return action;
}

function leadName(ctx: Ctx): string | undefined {
  const email = EMAIL.exec(ctx.text);
  if (email) return email[0];
  const after = /\b(?:lead|mark|qualify|disqualify|convert|set|move)\s+(?:the\s+)?(?:lead\s+)?/i.exec(ctx.text);
  const p = after && takeEntity(ctx.text, after.index + after[0].length);
  if (p && !/^(?:as|to|lead)$/i.test(p.text)) return p.text;
  const is = /\s+(?:is|are|was|has been|just became|became|looks)\b/i.exec(ctx.text);
  return is ? entityBefore(ctx.text, is.index) : undefined;
}
