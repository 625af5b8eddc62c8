/** Privacy requests: data_request.create (GDPR/CCPA rights), data_request.list and data_request.step. */
import type { Action } from '../../src/actions/index.ts';
import type { ActionInput } from '../../src/core/types.ts';
import type { Ctx } from '../../src/nlu/offline/context.ts';
import type { DATA_REQUEST_KINDS } from './create.ts';
import { EMAIL, entityBefore, takeEntity, tidy } from '../../src/nlu/offline/text.ts';
import { isCommonWord } from '../../src/nlu/offline/vocab.ts';
import { type IntentRule, PRIORITY } from '../../src/nlu/intents.ts';

type Kind = (typeof DATA_REQUEST_KINDS)[number];

// Checked in this order: the more specific rights first ("export ... machine readable" is portability).
export const DATA_REQUEST_KINDS_RE: [Kind, RegExp][] = [
  [
    'opt_out_sale',
    /\b(?:do not|don'?t|stop|no longer|not|never)\s+(?:to\s+)?(?:sell|share|selling|sharing)\b|\bopt(?:ed|s)?[- ]out of (?:the )?(?:sale|selling|sharing)\b|\bdo not sell\b|\bsale (?:or|and|\/) shar/,
  ],
  [
    'limit_sensitive',
    /\blimit (?:the )?(?:use|processing|sharing)(?: and disclosure)? of (?:my |his |her |their )?sensitive\b|\bsensitive (?:personal )?(?:information|data)\b.*\blimit|\blimit\b.*\bsensitive (?:personal )?(?:information|data|info)\b/,
  ],
  [
    'consent_withdrawal',
    /\bwithdr(?:ew|aw|awn|aws|awing)\b.*\bconsent\b|\bconsent\b.*\bwithdr|\brevok(?:e|ed|es|ing)\b.*\bconsent\b|\bopt(?:ed|s)?[- ]out of (?:all )?(?:marketing|emails?|newsletters?|tracking|communications)\b|\bunsubscribe[sd]?\b.*\bmarketing\b|\bno longer consents?\b|\bstop (?:to )?(?:using|use|processing|process)\b.*\bfor marketing\b/,
  ],
  [
    'portability',
    /\bmachine[- ]readable\b|\bdata\b.*\b(?:sent|send|transferr?ed|transfer|moved|move|ported|port)\b.*\bto (?:a |an |another |their |the )?(?:new |other |different )?(?:provider|vendor|service|controller|platform|company|crm)\b|\b(?:data|records|export\w*)\b.*\b(?:in|as) (?:a )?(?:csv|json|xml)\b|\bportab|\btransfer (?:his|her|their|all) (?:personal )?data\b|\bdata (?:export )?in (?:a )?(?:csv|json|portable)/,
  ],
  [
    'restriction',
    /\b(?:stop|restrict|pause|halt|suspend|freeze|limit)(?:s|ed|ing)? (?:all )?(?:the )?(?:data )?processing\b|\brestrict(?:ion)? (?:of )?(?:his|her|their) data\b|\brestriction (?:of processing|request)\b/,
  ],
  [
    'rectification',
    /\brectif(?:y|ied|ies|ying)\b|\b(?:correct|rectify|fix)\b.*\b(?:phone|email|e-mail|address|name|surname|title|date of birth|dob|birthday)\b.*\b(?:to|should (?:be|read))\b|\b(?:update|change)\b.*'s (?:\w+ )?(?:phone|email|e-mail|address|name|surname|title|date of birth|dob|birthday)\b.*\bto\b|\brectification\b/,
  ],
  [
    'erasure',
    /\bforgotten\b|\bforget (?:me|him|her|them|about (?:me|him|her|them))\b|\berase\b|\berasure\b|\bdelet(?:e|ed|ing|ion)\b.*\b(?:data|request|everything|records?|information|info)\b|\b(?:data|records|information|info)\b.*\bdelet(?:e|ed|ing|ion)\b|\b(?:wipe|purge|remove) (?:all )?(?:of )?(?:his|her|their|the)? ?(?:personal )?(?:data|information|info|records)\b/,
  ],
  [
    'access',
    /\bexport (?:everything|all (?:the |of )?(?:his |her |their )?(?:personal )?data|(?:his|her|their) (?:personal )?data)|\bwhat (?:personal )?data (?:do )?we (?:hold|have|store|keep)\b|\bcopy of (?:his|her|their|my|all)? ?(?:personal )?(?:data|information|info)\b|\bsubject access\b|\bdsar\b|\baccess request\b|\beverything we (?:hold|have|store|keep) (?:on|about)\b|\bsee (?:all )?(?:the )?data we (?:hold|have)\b|\b(?:which|what) (?:personal )?(?:data|information|info) (?:do )?we (?:have|hold|store|keep|saved?|process)\b|\bauskunft\b|\bcopy of (?:all )?(?:the )?(?:personal )?(?:data|information|info)\b|\bwhat (?:data |info(?:rmation)? )?we (?:hold|have|store|keep) (?:on|about) (?:him|her|them|me)\b/,
  ],
];

const FIELD =
  'phone number|phone|mobile|e-mail address|email address|e-mail|email|postal address|mailing address|address|surname|last name|first name|full name|name|job title|title|date of birth|dob|birthday';
const CHANGE = new RegExp(
  String.raw`\b(${FIELD})\s*,?\s+(?:(?:for|of|on)\s+[^,;]+?\s+)?(?:(?:should|must|needs? to|has to|is to)\s+(?:be\s+)?(?:(?:updated|changed|corrected|amended|set)\s+to|read)|(?:should|must)\s+be|is now|to|=|->)\s+(.+?)(?=\s*(?:,|;|\s(?:as per|per|because|since|following|according to|due to|please)\b|\band\b\s+(?:the\s+|her\s+|his\s+|their\s+)?(?:${FIELD})\b|$))`,
  'gi',
);
const FIELD_KEY: Record<string, string> = {
  'phone number': 'phone',
  mobile: 'phone',
  'e-mail address': 'email',
  'email address': 'email',
  'e-mail': 'email',
  'postal address': 'address',
  'mailing address': 'address',
  'last name': 'last_name',
  surname: 'last_name',
  'first name': 'first_name',
  'full name': 'name',
  'job title': 'title',
  dob: 'date_of_birth',
  'date of birth': 'date_of_birth',
  birthday: 'date_of_birth',
};

const SUBJECT_VERB =
  /\s(?:wants|would like|has|have|is|asked|asks|requested|requests|withdrew|withdraws|withdrawn|revoked|revokes|no longer|doesn'?t|does not|don'?t|do not|opted|unsubscribed|wrote|says|said|needs|demands|demanded|emailed|e-mailed|called|phoned|messaged|texted|asking|wrote in)\b/i;
const SUBJECT_AFTER =
  /\b(?:for|from|of|on|about|regarding|re|subject|customer|user|contact|client|erase|delete|forget|export|remove|wipe|purge|restrict|anonymi[sz]e)\s*[:,]?\s+(?:all\s+)?(?:(?:personal\s+)?data\s+(?:for|of|on|about)\s+)?/gi;

const NEW_VALUE_BEFORE = new RegExp(
  String.raw`\b(?:${FIELD})\b[^@]*(?:\b(?:should|must|needs? to|has to|is now|changed|updated|corrected|to)|=|->)\s*(?:be\s+)?$`,
  'i',
);
const FIELD_AFTER_NAME = new RegExp(String.raw`(?:'s)?\s+(?:${FIELD})$`, 'i');
const NOT_A_SUBJECT =
  /^(?:gdpr|ccpa|dsar|marketing|processing|data|him|her|them|request|access|access request|what|that|it|there|who|let|here|someone|he|she|they)$/i;
const ROLE = /^(?:customer|user|client|subject|contact|lead|prospect|data subject)\s+/i;

/** The person the request is about: the earliest name or email the sentence gives, not a generic word. */
function subjectOf(ctx: Ctx): string | undefined {
  const found: { at: number; name: string }[] = [];
  const add = (at: number, name: string | undefined) => {
    // "jane doe email should be ...": the field being changed is not part of the name.
    const clean = name?.replace(ROLE, '').replace(FIELD_AFTER_NAME, '');
    if (clean && !NOT_A_SUBJECT.test(clean) && !isCommonWord(clean.split(' ')[0])) found.push({ at, name: clean });
  };
  const possessive = /'s\b/.exec(ctx.text);
  if (possessive) add(possessive.index, entityBefore(ctx.text, possessive.index));
  const email = EMAIL.exec(ctx.text);
  // An email given as the corrected value ("email should be x@y.com") is not who the request is about.
  if (email && !NEW_VALUE_BEFORE.test(ctx.text.slice(0, email.index))) add(email.index, email[0]);
  const verb = SUBJECT_VERB.exec(ctx.text);
  if (verb) add(verb.index, entityBefore(ctx.text, verb.index));
  SUBJECT_AFTER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SUBJECT_AFTER.exec(ctx.text)))
    add(m.index + m[0].length, takeEntity(ctx.text, m.index + m[0].length)?.text);
  // "right to erasure: ken adams", "ccpa delete request - jason lee"
  const colon = /[:\-–]\s+(?=\S)/g;
  while ((m = colon.exec(ctx.text))) add(m.index + m[0].length, takeEntity(ctx.text, m.index + m[0].length)?.text);
  // A possessive ("Jane Doe's email") or an email names the person most surely; otherwise the earliest candidate.
  const sure =
    (possessive ? found.find((f) => f.at === possessive.index) : undefined) ?? found.find((f) => f.name.includes('@'));
  return (sure ?? found.sort((a, b) => a.at - b.at)[0])?.name;
}

export function parseDataRequest(ctx: Ctx): ActionInput {
  const kind = DATA_REQUEST_KINDS_RE.find(([, re]) => re.test(ctx.low))?.[0];
  const subject = subjectOf(ctx);
  if (!kind) return ctx.ask('data_request.create.kind', subject ? { subject } : {});
  if (!subject) return ctx.ask('data_request.create.subject', { kind });
  const action: Extract<Action, { type: 'data_request.create' }> = { type: 'data_request.create', kind, subject };
  const law = /\bgdpr\b/.exec(ctx.low) ? 'gdpr' : /\bccpa\b|\bcpra\b/.exec(ctx.low) ? 'ccpa' : undefined;
  if (law) action.law = law;
  if (kind === 'rectification') {
    const changes: Record<string, string> = {};
    CHANGE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = CHANGE.exec(ctx.text))) {
      const field = m[1].toLowerCase();
      changes[FIELD_KEY[field] ?? field] = m[2].trim().replace(/[.!?]+$/, '');
    }
    if (Object.keys(changes).length) action.changes = changes;
  }
  return action;
}

const STEPS: [Extract<Action, { type: 'data_request.step' }>['step'], RegExp][] = [
  ['lift', /\blift(?:ed|ing)?\b|\bunrestrict|\bremove (?:the )?restriction\b|\bend (?:the )?restriction\b/],
  ['extend', /\bextend|\bextension\b|\bmore time\b/],
  ['reject', /\breject|\bden(?:y|ied|ies)\b|\bdecline|\brefuse/],
  [
    'verify',
    /\bverif|\bidentity (?:is )?(?:confirmed|checked)|\b(?:checked|confirmed|matched) (?:her|his|their|the)? ?(?:id|identity|passport|dob|driver)/,
  ],
  ['approve', /\bapprov|\bsign(?:ed)?[- ]off\b/],
  ['execute', /\bexecut|\brun\b|\bprocess\b|\bcarry out\b|\bgo ahead\b|\bdo it\b/],
];
// "request 42", "req 17", "data req 23", "dr 42", "DSR-12": the number of a data request.
const REQUEST_NO =
  /\b(?:data\s+)?(?:request|req|dsr|dsar|dr)\s*(?:#|no\.?|number|-)?\s*#?(\d{1,12})\b|(?:^|\s)#(\d{1,12})\b/i;
// "approve 2", "execute 2": with a step verb first, the number alone is the request's.
const STEP_FIRST_NO = /^(?:please\s+)?(?:verify|approve|execute|reject|deny|extend|lift|run)\s+#?(\d{1,12})\b/i;

export function parseDataRequestStep(ctx: Ctx): ActionInput {
  const no = REQUEST_NO.exec(ctx.text) ?? STEP_FIRST_NO.exec(ctx.text);
  const request = no?.[1] ?? no?.[2];
  const l = ctx.low;
  const step = STEPS.find(([, re]) => re.test(l))?.[0];
  if (!request) return ctx.ask('data_request.step.request', step ? { step } : {});
  if (!step) return ctx.ask('data_request.step.step', { request });
  const action: Extract<Action, { type: 'data_request.step' }> = { type: 'data_request.step', request, step };
  const note = stepNote(ctx.text, no!.index + no![0].length, step);
  if (note) action.note = note;
  return action;
}

/** How the identity was verified, or the reason: what is said beside the step ("by passport", "- checked her ID"). */
function stepNote(text: string, afterNumber: number, step: string): string | undefined {
  const rest = text.slice(afterNumber);
  const by = /\b(?:by|via|with|using|through|because|since|as)\s+(?:a\s+|an\s+)?([^\n]{3,200})/i.exec(rest);
  const sep = /^\s*(?:[-–—:;,]+|\.\s+|\n)\s*(?:(?:i|we)\s+(?=\w))?([\s\S]{3,300})/.exec(rest);
  const before =
    step === 'verify'
      ? /^(.{3,200}?)[,;]?\s+(?:please\s+)?(?:mark|verify|approve)/i.exec(text.replace(/^.*?\brequest\s*#?\d+\s*/i, ''))
      : null;
  const raw = (sep?.[1] ?? by?.[1] ?? before?.[1])?.replace(
    /^(?:verified|reason|note)\s*[:=-]\s*(?:yes\s*[-–—:,]\s*)?/i,
    '',
  );
  const note = raw && tidy(raw.replace(/\s*(?:,\s*)?(?:please|pls|so|thanks?)\b.*$/i, '').replace(/^>\s*/gm, ''));
  return note && /\p{L}{3}/u.test(note) && !/^(?:it|now|too|as well)$/i.test(note) ? note.slice(0, 500) : undefined;
}

export function parseDataRequestList(): ActionInput {
  return { type: 'data_request.list' };
}

export const dataRequestStepRules: IntentRule[] = [
  {
    name: 'step on a numbered request',
    action: 'data_request.step',
    priority: PRIORITY.record,
    when: /\b(?:verify|verified|approve|approved|execute|executed|run|process|reject|rejected|deny|denied|decline|extend|extension|lift|sign(?:ed)? off)\b.*\b(?:data\s+)?(?:request|req|dsr|dsar|dr)\s*(?:#|no\.?|number|-)?\s*#?\d+|\b(?:data\s+)?(?:request|req|dsr|dsar|dr)\s*(?:#|no\.?|number|-)?\s*#?\d+\b.*\b(?:verif|approv|execut|reject|deny|denied|extend|extension|lift|sign(?:ed)? off)|^(?:please\s+)?(?:verify|approve|execute|reject|deny|extend|lift)\s+#?\d{1,12}\b(?!\s*(?:k|m)\b)/,
  },
];

export const caseHoldRules: IntentRule[] = [
  {
    name: 'legal hold on a case',
    action: 'case.hold',
    priority: PRIORITY.record - 10,
    when: (t) => /\blegal[- ]hold\b/.test(t) && /\d/.test(t),
  },
];

export const dataRequestListRules: IntentRule[] = [
  {
    name: 'list of data requests',
    action: 'data_request.list',
    priority: PRIORITY.listing,
    when: /\b(?:open|pending|outstanding|active|list|show|all|any|current|new|my)\b.*\b(?:data|privacy|dsar|gdpr|ccpa|subject access|deletion|erasure)\s+requests\b|\bdsars\b|^(?:data|privacy|gdpr) requests\b/,
  },
];

export const dataRequestCreateRules: IntentRule[] = [
  ...DATA_REQUEST_KINDS_RE.map(
    ([kind, re]): IntentRule => ({
      name: `${kind.replaceAll('_', ' ')} request`,
      action: 'data_request.create',
      priority: PRIORITY.explicit - 10,
      when: re,
    }),
  ),
  {
    name: 'privacy law named',
    action: 'data_request.create',
    priority: PRIORITY.explicit - 10,
    when: /\b(?:gdpr|ccpa|dsar|privacy request|data subject)\b/,
  },
];

/** "put case 1005 on legal hold" / "lift the legal hold on #1005". */
export function parseCaseHold(ctx: Ctx): ActionInput {
  const id = /(?:#|\b)(\d{1,12})\b/.exec(ctx.low)?.[1];
  if (!id) return { type: 'clarify', question: 'Which case number should the legal hold apply to?' };
  return {
    type: 'case.hold',
    case: id,
    hold: !/\b(?:lift|release|remove|end|clear|drop|take off|off)\b/.test(ctx.low),
  };
}
