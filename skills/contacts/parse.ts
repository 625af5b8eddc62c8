/** contact.lookup, contact.create and lead.qualify. */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import { LEAD_COUNT_QUESTION } from '../../src/nlu/offline/clarify.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import { EMAIL, entityBefore, takeEntity, tidy } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';
import { isPerson } from '../../src/nlu/offline/names.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type ContactCreate = Extract<Action, { type: 'contact.create' }>;

const LOOKUP_LEAD =
  /^(?:(?:(?:what'?s|whats|what is)\s+(?:the\s+|his\s+|her\s+)?)?(?:phone|e-?mail|cell|mobile|number|contact)(?: number| address| info| details| #| no\.?)? (?:for|of)|contacts?(?:\s+(?:at|from|in|for|of))?|(?:what'?s |what is )?the (?:best |right |easiest )?way to (?:reach|contact|get (?:in touch with|hold of))|do we (?:have|know)|any(?:one)?|who(?:'s| is|s)?|look ?up|lookup|find|search(?: for)?|show me (?:everything|all|info|details)(?: (?:about|on|for))?|tell me (?:about|everything about)|info (?:on|about|for)|details (?:on|for|about)|(?:contact )?(?:info|details|card) for|pull up|get me|what do we (?:know|have) (?:about|on)|everything (?:about|on)|how (?:do|can) i reach|(?:show|give|get|send)(?: me)?(?: the)?)\s+(?:the\s+)?(?:contact\s+)?/i;
const POSSESSIVE_FIELD = /\bwhat(?:'?s| is) (?:the )?(.+?)'s (?:email|phone|number|title|role)\b/i;

export function parseContactLookup(ctx: Ctx): ActionInput {
  const email = EMAIL.exec(ctx.text);
  if (email) return { type: 'contact.lookup', query: email[0] };
  const pos = POSSESSIVE_FIELD.exec(ctx.text);
  if (pos) return { type: 'contact.lookup', query: tidy(pos[1]) };
  const lead = LOOKUP_LEAD.exec(ctx.text);
  const rest = (lead ? ctx.text.slice(lead[0].length) : ctx.text)
    .replace(/^(?:me\s+)?(?:a\s+)?(?=contact|someone|anyone|people|person)/i, '')
    .replace(/^contacts?\s*:\s*/i, '')
    .replace(
      /^(?:(?:the|our|my|main|primary|contacts?|contact (?:info|details|card)|details|info|people|anyone|anybody|someone|champion|decision maker|poc|point of contact|person|buyer|do we (?:know|have)|we (?:know|have))\s+)+/i,
      '',
    )
    .replace(
      /(?:'s)?\s+(?:contacts?|contact (?:info|details|card)|details|info|people|e-?mail|phone|cell|mobile|number|title)(?: address| number)?\s*\?*$/i,
      '',
    );
  if (!lead && rest === ctx.text) return ctx.ask('contact.lookup.query');
  const query = tidy(
    rest
      .replace(/^(?:works?|is|are)\s+(?:at|for)\s+/i, '')
      .replace(
        /^(?:(?:main |primary )?(?:contacts?|people|someone|anyone|person|poc|point of contact|champion|decision maker)\s+)?(?:at|@|from|in|for)\s+/i,
        '',
      )
      .replace(/'s\s+(?:email|phone|number|details|info|title)\b.*$/i, '')
      .replace(/\?+$/, ''),
  );
  if (!query) return ctx.ask('contact.lookup.query');
  return { type: 'contact.lookup', query: query.slice(0, 320) };
}

const CREATE_LEAD =
  /\b(?:add|create|new|save|enter|insert)\b:?\s+(?:a\s+|an\s+)?(?:new\s+)?(?:contact|person)\b\s*[-–:]?\s*(?:called|named)?\s*[-–:]?\s*/i;
// "new contact for globex: kate wu", "new contact at acme logistics called peter novak": the company first.
const COMPANY_FIRST = /^\s*(?:for|at|from|@)\s+([^:,]+?)\s*(?::|,?\s+(?:called|named)\b)\s*/i;
// "save tom hardy from initech ...": a bare verb then the person.
const VERB_LEAD = /^(?:add|save|store|enter|create)\s+(?:(?:a|an|the)\s+)?(?:new\s+)?/i;
// "his email", "phone:" right before a detail label it; the label is not part of the name.
const DETAIL_LABEL =
  /\s*(?:(?:his|her|their)\s+)?(?:e-?mail|phone|cell|mobile|tel|number)(?:\s+(?:number|address))?\s*(?:is\s*|[:=]\s*)?$/i;
const AS_TITLE = /\bas\s+(?:(?:a|an|the|our|their)\s+)?([^,;.!?()]+)/i;

const ADD_AS =
  /\b(?:add|save|store|put|enter|create)\s+(.+?)\s+(?:as\s+(?:a\s+|an\s+)?(?:new\s+)?contact|to\s+(?:my\s+|our\s+|the\s+)?contacts)\b/i;
const PHONE = /(?:\+|\b)\(?\d[\d\s().-]{5,24}\d\b/;
const TITLE_HINT =
  /\b(?:ceo|cto|cfo|coo|cmo|cio|ciso|cro|cpo|vp|svp|evp|founder|co-?founder|president|head|chief|director|manager|engineer|developer|analyst|consultant|buyer|architect|officer|admin|administrator|lead|counsel|specialist|coordinator|partner|owner|designer|recruiter|procurement)\b/i;
const TITLE_THEN_ACCOUNT =
  /^\s*[,(-]?\s*(?:(?:he|she|they|who)(?:'s|\s+is|\s+are|'re|\s+works as)\s+)?(?:(?:the|a|an|is|as|our|their|new)\s+)*([^,@()]+)\s+(?:at|from|of|@|with|in)\s+/i;
const ACCOUNT_AFTER = /(?:^|\s)(?:at|from|@|with|of|for|to)\s+/gi;
// "Head of IT", "VP of Sales": a department after "of" is part of the title, not the company.
const DEPARTMENT =
  /^(?:it|sales|marketing|engineering|finance|product|operations|ops|procurement|hr|people|legal|security|data|growth|partnerships|customer success|support|design|research|technology|strategy|revenue|it security)\b/i;

/** Takes an email or phone out of the text, leaving a comma so the words around it stay apart. */
function takeDetail(text: string, re: RegExp): { value: string; text: string; after: string } | undefined {
  const m = re.exec(text);
  if (!m) return undefined;
  const after = text.slice(m.index + m[0].length);
  return { value: m[0].trim(), text: `${text.slice(0, m.index).replace(DETAIL_LABEL, '')} , ${after}`, after };
}

export function parseContactCreate(ctx: Ctx): ActionInput {
  let text = ctx.text;
  const action: Partial<ContactCreate> = { type: 'contact.create' };
  const email = takeDetail(text, EMAIL);
  if (email) {
    action.email = email.value;
    text = email.text;
  }
  const phone = takeDetail(text, PHONE);
  if (phone) {
    action.phone = phone.value;
    text = phone.text;
  }
  const addAs = ADD_AS.exec(text);
  const lead = CREATE_LEAD.exec(text);
  let start = lead ? lead.index + lead[0].length : (VERB_LEAD.exec(text)?.[0].length ?? 0);
  const first = addAs ? null : COMPANY_FIRST.exec(text.slice(start));
  const company = first ? takeEntity(first[1]) : undefined;
  if (first && company) {
    action.account = company.text;
    start += first[0].length;
  } else start += /^\s*(?:for\s+(?:me|us)\b[\s,:]*|for\s+)/i.exec(text.slice(start))?.[0].length ?? 0;
  // "add a new contact for me, her name is Fatou Diallo": the name where the message says it is.
  const said = /\b(?:(?:her|his|their|the)\s+name\s+is|name:)\s+/i.exec(text);
  if (said) start = said.index + said[0].length;
  const name = addAs && !said ? takeEntity(addAs[1]) : takeEntity(text, start);
  if (!name) return ctx.ask('contact.create.name', action);
  action.name = name.text;

  const rest = addAs
    ? `${addAs[1].slice(name.end)} ${text.slice(addAs.index + addAs[0].length)}`
    : text.slice(name.end);
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
    // "Tomás Ruiz, Orbit Wave, tomas@orbitwave.io": a capitalised name in the next comma slot is the company.
    const slot = title && !action.title && /^\p{Lu}/u.test(title[1]) ? takeEntity(title[1]) : undefined;
    const account =
      accountAfter(rest) ??
      (action.title && title ? takeEntity(rest, title.index + title[0].length) : undefined) ??
      (slot && !isPerson(slot.text) ? slot : undefined);
    if (account && !action.account) action.account = account.text;
  }
  const as = action.title ? null : AS_TITLE.exec(rest);
  if (as && TITLE_HINT.test(as[1]) && as[1].trim().split(/\s+/).length <= 5) action.title = tidy(as[1]);
  // "add contact john baker john@acme.com acme": a bare company name closing the message after the email.
  const tail = email && !action.account ? email.after.replace(/^[\s,;]+/, '').trim() : '';
  const trailing = tail ? takeEntity(tail) : undefined;
  if (
    trailing &&
    trailing.end === tail.length &&
    !TITLE_HINT.test(trailing.text) &&
    !isCommonWord(trailing.text.split(' ')[0])
  )
    action.account = trailing.text;
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

// "how many leads/MQLs": leads are not deals, so this must not fall through to a pipeline count.
export const LEAD_COUNT =
  /\b(?:how many|number of|count(?: of)?|# of|total)\b.*\b(?:leads|mqls?|sqls?)\b|^(?:(?:show|list|give)(?: me)?(?: my| all| the)? )?(?:new |open )?(?:leads|mqls|sqls)\b/;

export function parseLeadQualify(ctx: Ctx): ActionInput {
  const l = ctx.low;
  if (LEAD_COUNT.test(l)) return { type: 'clarify', question: LEAD_COUNT_QUESTION };
  const status = /\bdisqualif|\bunqualified\b|\bnot (?:a )?(?:good )?fit\b|\bjunk\b/.test(l)
    ? 'disqualified'
    : /\bsales[- ]?qualified\b|\bsql\b/.test(l)
      ? 'sql'
      : /\bmarketing[- ]?qualified\b|\bmql\b/.test(l)
        ? 'mql'
        : undefined;
  const lead = leadName(ctx);
  if (!lead) return ctx.ask('lead.qualify.lead');
  const convert = /\bconvert/.test(l);
  // Converting a lead only makes sense for a sales-qualified one.
  if (!status && !convert) return ctx.ask('lead.qualify.status');
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

// "convert Dana Park (to a contact)": only a lead converts; deals, currencies and files do not.
const CONVERT_PERSON =
  /^convert\s+(?!.*\b(?:deals?|opps?|opportunit(?:y|ies)|oppty|currency|file|amount|eur|usd|gbp)\b)(?!\$?\d)(?:the |this )?\p{L}/u;

export const leadQualifyRules: IntentRule[] = [
  {
    name: 'lead status',
    action: 'lead.qualify',
    priority: PRIORITY.explicit,
    when: /\b(?:sales|marketing)[- ]?qualified\b|\b(?:sql|mql)s?\b|\bdisqualif|\bunqualified\b|\bqualify (?:the )?(?:lead|\S+@)|\bconvert (?:the |this )?lead\b|\blead\b.*\b(?:as|to) (?:sql|mql|qualified)/,
  },
  { name: 'leads counted', action: 'lead.qualify', priority: PRIORITY.explicit, when: LEAD_COUNT },
  { name: 'convert a person', action: 'lead.qualify', priority: PRIORITY.explicit, when: CONVERT_PERSON },
];

// "save tom hardy ... tom@initech.io", "add Maria Garcia (maria@...)": someone added with an email or phone is a contact.
const ADD_WITH_DETAILS = (t: string) =>
  /^(?:add|save|store|enter|create)\s/.test(t) && /[\w.+-]@[\w-]+\.\w|\d[\d\s().-]{6,24}\d/.test(t);
const NOT_A_CONTACT =
  /\b(?:note|task|deal|opportunity|opp|reminder|todo|call|meeting|escalat\w*|case|ticket|request|cc|bcc)\b/;

export const contactCreateRules: IntentRule[] = [
  {
    name: 'add with an email or phone',
    action: 'contact.create',
    priority: PRIORITY.explicit - 50,
    when: ADD_WITH_DETAILS,
    unless: NOT_A_CONTACT,
  },
  {
    name: 'new contact',
    action: 'contact.create',
    priority: PRIORITY.explicit - 50,
    when: /\b(?:add|create|new|save|enter|insert)\b:? (?:a |an )?(?:new )?(?:contact|person)\b|\b(?:add|save|store|put|enter|create)\b.*\bas (?:a |an )?(?:new )?contact\b|\badd\b.*\bto (?:my |our |the )?contacts\b/,
  },
];

export const contactLookupRules: IntentRule[] = [
  {
    name: 'contact details asked',
    action: 'contact.lookup',
    priority: PRIORITY.statement - 30,
    when: /^(?:contacts?\s+(?:(?:at|@|from|in|for|of)\s*)?[\p{L}][\p{L}\s.'&-]*\??$|(?:what'?s|whats|what is)\s+(?:the\s+|his\s+|her\s+)?(?:phone|e-?mail|cell|mobile|number)(?: number| address)? (?:for|of)\b|do we (?:have|know) (?:any(?:one|body)?|someone|contacts?|people)\b|who do we (?:know|have)\b|any(?:one)? (?:contacts?|people) (?:at|from|in)\b|(?:anyone|anybody|someone) (?:at|from)\b|(?:phone|e-?mail|cell|mobile|number)(?: number| address| #| no\.?)? (?:for|of)\b|(?:what'?s |what is )?the (?:best |right |easiest )?way to (?:reach|contact|get (?:in touch with|hold of))\b|(?:contacts?|people|folks|anyone|anybody) (?:at|from|in)\b)|\bcontact (?:info|details|card)\b|^(?:(?:show|give|get|send)(?: me)? (?:the )?)?[\p{L}][\p{L} .'-]{1,40}?(?:'s)? (?:e-?mail|phone|cell|mobile|number|title|details|info|contact (?:info|details))(?: address| number)?\s*\?*$/u,
  },
  {
    name: 'who is',
    action: 'contact.lookup',
    priority: PRIORITY.statement - 30,
    when: /^(?:who(?:'s| is|s)?|look ?up|lookup|find|search(?: for)?|show me (?:everything|all|info|details)|tell me (?:about|everything)|info (?:on|about|for)|details (?:on|for|about)|(?:contact )?(?:info|details|card) for|pull up|get me|what do we (?:know|have) (?:about|on)|everything (?:about|on))\b|\bwhat(?:'?s| is) \S+(?: \S+)?'s (?:email|phone|number|title|role)|\bhow (?:do|can) i reach\b/,
  },
];
