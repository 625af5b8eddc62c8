/**
 * Decides which action a message asks for. Rules are tried in order; the order matters where phrasings
 * overlap ("close case 12" is a case update, not a deal; "remind me to call Dana" is a task, not a call log).
 * The text is already lower-cased and typo-corrected.
 */
import { AUDIT_RE, CHANNEL_CONFIG_RE } from './admin.ts';
import { LEAD_COUNT } from './contacts.ts';
import { DATA_REQUEST_KINDS_RE } from './data-requests.ts';

import type { ActionType } from '../../actions/index.ts';

export type Intent = ActionType | 'unknown';

const QUESTION_START =
  /^(?:what|whats|what's|how|which|show|list|give|get|any|are|do|did|is|total|count|top|find|display|pull|where|who'?s? (?:has|owns))\b/;
const PIPELINE_WORDS =
  /\bpipeline\b|\bforecast|\bwin[- ]?(?:rate|ratio)\b|\b(?:close|closing|conversion) rate\b|\bquota\b|\bdeals\b|\bopps\b|\bopportunities\b|\brevenue\b|\bbookings\b|\bstuck\b|\bstalled\b|\bstale\b|\bhow (?:much|many)\b|\bclosing\b|\bbiggest\b|\blargest\b|\btop \d+|\bnumbers\b|\b(?:in|at) (?:prospecting|qualification|discovery|proposal|negotiation)\b/;

// "a deal", "a new opp", "a 10k deal", "a new $50k opportunity".
const DEAL_NOUN_SRC = String.raw`(?:a |an )?(?:new )?(?:\$?\d[\d.,]*\s?(?:k|m|mm|grand)?\s)?(?:new )?(?:deal|opportunity|opp|oppty)\b`;

// "save tom hardy ... tom@initech.io", "add Maria Garcia (maria@...)": someone added with an email or phone is a contact.
const addWithDetails = (t: string) =>
  /^(?:add|save|store|enter|create)\s/.test(t) && /[\w.+-]@[\w-]+\.\w|\d[\d\s().-]{6,24}\d/.test(t);
const NOT_A_CONTACT =
  /\b(?:note|task|deal|opportunity|opp|reminder|todo|call|meeting|escalat\w*|case|ticket|request|cc|bcc)\b/;

// "convert Dana Park (to a contact)": only a lead converts; deals, currencies and files do not.
const CONVERT_PERSON =
  /^convert\s+(?!.*\b(?:deals?|opps?|opportunit(?:y|ies)|oppty|currency|file|amount|eur|usd|gbp)\b)(?!\$?\d)(?:the |this )?\p{L}/u;

// "log a call with Ken, discussed outage", "called Dana, she's worried about the outage": an explicit activity log wins
// over outage and security words, which stay data in its summary. An explicit "escalate"/"open a ticket" still escalates.
const EXPLICIT_ACTIVITY =
  /^(?:(?:log|logged|logging|record|recorded)\s+(?:a |an |my |the |this )?(?:\w+ )?(?:call|meeting|email|e-mail|note|convo|conversation|chat|visit|demo|voice ?mail)s?\b|(?:just\s+)?(?:called|phoned|rang|met(?: with)?|emailed|e-mailed|mailed|messaged|texted|visited|spoke (?:to|with)|talked (?:to|with)|had (?:a |an )(?:\w+ )?(?:call|meeting|chat|sync|demo|convo|conversation) with|(?:just )?(?:got off|hung up)(?: the)?(?: phone| call)? with)\s+\S)/;
const EXPLICIT_ESCALATION =
  /\bescalat|\b(?:open|create|raise|file|submit|start)\s+(?:a |an |new )*(?:[\w-]+\s+){0,2}(?:case|ticket|incident)\b|\blog\s+(?:a |an |new )*(?:[\w-]+\s+){0,2}(?:case|ticket|incident)\b/;

const RULES: [Intent, (t: string) => boolean][] = [
  [
    'help',
    (t) =>
      /^(?:help|commands|menu|usage)\b|^\?+$|what (?:can|do|else can) (?:you|u|this bot|the bot|it|this thing) do|what are (?:your|the) (?:commands|skills|options)|\bhow (?:do|can|should|would) (?:i|we)\b(?! (?:reach|get (?:in touch with|hold of))\b)|^how to\b|\bhelp (?:me )?(?:with|on|about)\b|^(?:show|list) (?:me )?(?:the |your )?(?:commands|skills)|what (?:commands|skills)|\bwhat (?:kinds?|sorts?|types?) of (?:commands|things|stuff|requests|questions)\b|\bwhat do you (?:understand|support|know how to do)\b|\bwhat (?:can|should) i (?:type|say|ask)\b|^(?:(?:show|give|list|send)(?: me)? )?(?:some |a few )?examples\b|\bexamples? of what\b|\bexample (?:commands|messages|questions)\b|\b(?:what'?s|what is) the (?:right |best |correct |proper )?way to\b(?! (?:reach|contact|get (?:in touch with|hold of))\b)|\bexplain (?:what|how) (?:you|u|this|it|the bot)\b|\bwhat (?:do )?(?:you|u) do\b|^i'?m new\b|\bnew here\b|^getting started\b|^how (?:does|do) (?:the |this |a |your )?[\w .-]{0,30}\b(?:command|skill|bot|feature|thing|assistant)s? work\b/.test(
        t,
      ),
  ],
  ['channel.configure', (t) => CHANNEL_CONFIG_RE.test(t)],
  ['audit.query', (t) => AUDIT_RE.test(t)],
  [
    'data_request.step',
    (t) =>
      /\b(?:verify|verified|approve|approved|execute|executed|run|process|reject|rejected|deny|denied|decline)\b.*\brequest\s*(?:#|no\.?|number)?\s*#?\d+|\brequest\s*(?:#|no\.?|number)?\s*#?\d+\b.*\b(?:verif|approv|execut|reject|deny|denied)/.test(
        t,
      ),
  ],
  ['case.hold', (t) => /\blegal[- ]hold\b/.test(t) && /\d/.test(t)],
  [
    'escalation.update',
    (t) =>
      /\b(?:case|ticket|escalation|incident|issue)\s*(?:#|no\.?|number)?\s*#?\d{1,12}\b|\b(?:esc|cs|tkt|inc|sup|case|ticket)-\d{1,12}\b|\b(?:severity|status|assignee) (?:of|on|for) #?\d{1,12}\b|(?:^|\s)#\d{1,12}\b|^(?:re-?open|resolve|ack(?:nowledge)?)\s+\d{1,12}\b/.test(
        t,
      ),
  ],
  [
    'data_request.list',
    (t) =>
      /\b(?:open|pending|outstanding|active|list|show|all|any|current|new|my)\b.*\b(?:data|privacy|dsar|gdpr|ccpa|subject access|deletion|erasure)\s+requests\b|\bdsars\b|^(?:data|privacy|gdpr) requests\b/.test(
        t,
      ),
  ],
  [
    'case.list',
    (t) =>
      !/\b(?:by severity|slas?|metrics|attainment|how many|median|escalate|open a|raise a|create a|file a)\b/.test(t) &&
      /\b(?:my|open|all|assigned|unassigned|pending|outstanding)\b(?:\s+\w+){0,2}\s+(?:cases|tickets|escalations)\b|\bsupport queue\b|\b(?:cases|tickets) (?:assigned to me|for me|on my plate)\b/.test(
        t,
      ),
  ],
  [
    'case.metrics',
    (t) =>
      /\b(?:cases|tickets) by severity\b|\bslas?\b|\b(?:support|case|ticket|escalation|cs)\s+(?:metrics|stats|statistics|kpis?|numbers|performance|dashboard)\b|\b(?:resolution|response|handle|handling) times?\b|\bcsat\b|\bmttr\b/.test(
        t,
      ),
  ],
  [
    'task.list',
    (t) =>
      !/^(?:remind|add|create|new|set|make)\b|\btask:|^(?:task|todo|to-?do|reminder)\b[^:]{0,20}:|^(?:task|todo|to-?do|reminder) for (?:today|tonight|tomorrow|this week|next week)\s+\w+\s+\w+/.test(
        t,
      ) &&
      /\bon my (?:plate|list|agenda)\b|\bmy (?:tasks|todos?|to-?dos|to do list|reminders|agenda)\b|\b(?:what(?:'?s| is| do i have)?|whats|anything) due\b|\b(?:tasks?|todos?|reminders) (?:for|due) (?:today|this week|tomorrow)\b|^(?:show|list|view|see|get)(?: me)?(?: all)?(?: my)?(?: open)? (?:tasks|todos|to-?dos|reminders)\b|what do i (?:need|have) to do\b/.test(
        t,
      ),
  ],
  [
    'lead.qualify',
    (t) =>
      /\b(?:sales|marketing)[- ]?qualified\b|\b(?:sql|mql)s?\b|\bdisqualif|\bunqualified\b|\bqualify (?:the )?(?:lead|\S+@)|\bconvert (?:the |this )?lead\b|\blead\b.*\b(?:as|to) (?:sql|mql|qualified)/.test(
        t,
      ) ||
      LEAD_COUNT.test(t) ||
      CONVERT_PERSON.test(t),
  ],
  [
    'data_request.create',
    (t) =>
      DATA_REQUEST_KINDS_RE.some(([, re]) => re.test(t)) ||
      /\b(?:gdpr|ccpa|dsar|privacy request|data subject)\b/.test(t),
  ],
  [
    'task.create',
    (t) =>
      /^(?:remind(?:er)?|todo|to-?do|task)\b|\bremind me\b|\bset (?:a |up a )?reminder\b|\b(?:add|create|make|new|set up) (?:a |an )?(?:new )?(?:task|todo|to-?do|reminder|follow[- ]?up task)\b|\bdon'?t let me forget\b|\bput (?:it |this )?on my (?:list|calendar|todo)/.test(
        t,
      ),
  ],
  [
    'escalation.create',
    (t) =>
      (!EXPLICIT_ACTIVITY.test(t) || EXPLICIT_ESCALATION.test(t)) &&
      /\bescalat|^(?:(?:possible|potential|suspected|major|serious|big)\s+)?(?:security|billing|technical|login|access|sso|api|payment|invoice)\s+(?:issue|problem|incident|bug|error)s?\b|\b(?:open|create|raise|file|log|submit|start)\s+(?:a |an |new )*(?:[\w-]+\s+){0,2}(?:case|ticket|incident)\b|\b(?:low|medium|normal|high|urgent|critical|top)[- ](?:priority|severity|pri|sev)\b|\bsev[- ]?[0-4]\b|\bp[0-3]\b|\b(?:is|are|went|been|goes) down\b|\b(?:site|app|platform|portal|servers?|prod|production|system|service|website|checkout|dashboard|api|login|sso|everything)\s+(?:(?:is|are|was|went)\s+)?down\b|\boutage\b|\bdata (?:leak|breach)\b|\bbreach\b|\bdouble[- ](?:charged|billed)\b|\b(?:charged|billed) (?:twice|double|two times)\b|\bovercharged\b|^(?:urgent|critical|asap|emergency)\s*[:,!-]|[,;:\-–]\s*(?:urgent|critical|asap|not urgent)\s*[!.]*$|^(?:[\w'&.-]+\s+){1,3}(?:reports?|reported|is reporting|are reporting|complains?|complained|is seeing|are seeing|is experiencing|are experiencing)\b.*\b(?:slow|broken|errors?|bugs?|crash\w*|fail\w*|not working|down|outage|timeouts?|can'?t|cannot|unable)\b|\bcan'?t (?:log ?in|login|sign in|access)\b|\bcannot (?:log ?in|login|sign in|access)\b/.test(
        t,
      ),
  ],
  [
    'contact.create',
    (t) =>
      (addWithDetails(t) && !NOT_A_CONTACT.test(t)) ||
      /\b(?:add|create|new|save|enter|insert)\b:? (?:a |an )?(?:new )?(?:contact|person)\b|\b(?:add|save|store|put|enter|create)\b.*\bas (?:a |an )?(?:new )?contact\b|\badd\b.*\bto (?:my |our |the )?contacts\b/.test(
        t,
      ),
  ],
  [
    'pipeline.query',
    (t) =>
      QUESTION_START.test(t) &&
      (PIPELINE_WORDS.test(t) || /\b(?:win|won|close|closed|sold|sell|book|booked|lost|lose)\b/.test(t)),
  ],
  // "lost deals this quarter", "open opps over 50k": deals in the plural are a question, not an update.
  [
    'pipeline.query',
    (t) =>
      /^(?:won|lost|closed|closed[- ](?:won|lost)|open|stuck|stale|new|big|biggest|all|active|late|slipped)\s+(?:[\w-]+\s+)?(?:deals|opps|opportunities)\b/.test(
        t,
      ),
  ],
  [
    'deal.create',
    (t) =>
      new RegExp(String.raw`^(?:new|create|add|open|log|set up|start|register|enter)\b:? ${DEAL_NOUN_SRC}`).test(t),
  ],
  [
    'activity.log',
    (t) =>
      /^(?:log|logged|logging|record|recorded)\b|\blog (?:a |an |my |the |this )?(?:\w+ )?(?:call|meeting|email|note|convo|conversation|chat|visit|demo)\b|\b(?:called|phoned|rang|spoke|talked|chatted|met|emailed|e-mailed|mailed|messaged|texted|visited|(?:dropped|stopped) by)\b|\b(?:call|meeting|chat|sync|demo|lunch|coffee|dinner|breakfast|drinks|catch[- ]?up|conversation|convo|meet|workshop|session|presentation|walkthrough|onsite|visit|qbr|kickoff|review|zoom|webex|hangout|video call|teams call) (?:with|w\/)|^(?:quick|short|brief|small|fyi)\s*[:,-]?\s*notes?\b|\b(?:e-?mail|message|call|voice ?mail|reply|text) from\b|^notes?\b|\bnotes? (?:on|for|about|re|to)\b|\b(?:call|meeting|demo) (?:notes?|recap|summary)\b|\bsent (?:an? |the )?(?:e-?mail|message|follow[- ]?up)\b|\badd (?:a )?note\b|\bleft (?:a )?voice ?mail|^voice ?mail\b|\bhad (?:a |an )(?:\w+ )?(?:call|meeting|chat|sync|demo|lunch|coffee|convo|conversation)\b|\bjust (?:got off|hung up|finished|wrapped)|\b(?:e-?mail|message|proposal|deck|quote|contract|pricing|follow[- ]?up) sent\b|\bsent (?:the |a |an |our |over )?[\w -]{1,40}? to\b|^(?:call|meeting|demo|sync|lunch|coffee|visit|intro call|discovery call)\s+(?:for|at|with)\s+\S+.*\b(?:went|was|were|is|are|got|wants?|needs?|said|agreed|asked)\b/.test(
        t,
      ),
  ],
  [
    'deal.create',
    (t) =>
      new RegExp(String.raw`\b(?:new|create|add|open|log|set up|start|register|enter)\b:? ${DEAL_NOUN_SRC}`).test(t),
  ],
  [
    'deal.update',
    (t) =>
      /\bnow (?:at |worth )?\$?\d|\b(?:to|into) (?:prospecting|qualification|discovery|proposal|negotiation|closed[- ]?(?:won|lost))\b|^\S+(?: \S+){0,2} (?:won|lost)\s*(?:[!.,;]|$)|(?:->|→|=>)\s*(?:prospecting|qualification|discovery|proposal|negotiation|closed|won|lost)\b|^\S+(?: \S+){0,2} (?:just |finally )?(?:signed|churned|closed[- ]?(?:won|lost))\b|\b(?:went|gone) dark\b|\bmark (?:it|this|that|them) (?:as )?(?:won|lost|closed)\b|\b(?:give|hand(?: over)?)\b.*\b(?:deal|opp|opportunity)\b.*\bto\b|\b(?:change|set|switch|update) (?:the )?owner\b|\b(?:bump(?:ed)?|rais(?:e|ed)|increas(?:e|ed)|lower(?:ed)?|drop(?:ped)?|reduc(?:e|ed)) (?:it |the (?:amount|value|deal) )?to \$?\d|\b(?:move|moved|push|pushed|slip|slipped|change|set) (?:the )?close\b/.test(
        t,
      ) ||
      /^(?:move|moved|moving|pushing|slipping|push|pushed|slip|slipped|bump|bumped|advance|advanced|set|change|changed|update|updated|mark|marked|put|progress|shift|drag|reassign|assign|transfer|close|closed|won|lost)\b|\b(?:is|are) now (?:at |in |worth )?(?:\$?\d|in\b|at\b|closed|won|lost|prospecting|qualification|discovery|proposal|negotiation)|\b(?:we|they|i) (?:just |finally )?(?:lost|won|closed|signed)\b|\b(?:moved|slipped|pushed|advanced|progressed|went) (?:to|into|out)\b|\b(?:close date|closing date)\b|\bamount\s+(?:to\s+|is\s+|=\s*)?\$?\d|\b(?:move|moved|push|advance)\b.*\bto (?:prospecting|qualification|discovery|proposal|negotiation|closed)|\bis (?:in|at) (?:prospecting|qualification|discovery|proposal|negotiation)\b|\bdeal\b.*\b(?:closed|won|lost|is now|moved|slipped)\b/.test(
        t,
      ),
  ],
  [
    'deal.create',
    (t) =>
      /^(?:an? )?(?:deal|opp|opportunity|oppty) (?:for|with|at) \S.*\d/.test(t) && !/\b(?:is|now|moved|to)\b/.test(t),
  ],
  [
    'task.create',
    (t) =>
      /^(?:i )?(?:need|have|got) to\b|^follow[- ]?up with\b|^(?:call|email|ping|chase|send)\b.*\b(?:by|on|tomorrow|today|next)\b/.test(
        t,
      ),
  ],
  [
    'contact.lookup',
    (t) =>
      /^(?:contacts?\s+(?:at|from|in|for|of\s+)?[\p{L}][\p{L}\s.'&-]*\??$|(?:what'?s|whats|what is)\s+(?:the\s+|his\s+|her\s+)?(?:phone|e-?mail|cell|mobile|number)(?: number| address)? (?:for|of)\b|do we (?:have|know) (?:any(?:one|body)?|someone|contacts?|people)\b|who do we (?:know|have)\b|any(?:one)? (?:contacts?|people) (?:at|from|in)\b|(?:anyone|anybody|someone) (?:at|from)\b|(?:phone|e-?mail|cell|mobile|number)(?: number| address| #| no\.?)? (?:for|of)\b|(?:what'?s |what is )?the (?:best |right |easiest )?way to (?:reach|contact|get (?:in touch with|hold of))\b|(?:contacts?|people|folks|anyone|anybody) (?:at|from|in)\b)|\bcontact (?:info|details|card)\b|^(?:(?:show|give|get|send)(?: me)? (?:the )?)?[\p{L}][\p{L} .'-]{1,40}?(?:'s)? (?:e-?mail|phone|cell|mobile|number|title|details|info|contact (?:info|details))(?: address| number)?\s*\?*$/u.test(
        t,
      ) ||
      /^(?:who(?:'s| is|s)?|look ?up|lookup|find|search(?: for)?|show me (?:everything|all|info|details)|tell me (?:about|everything)|info (?:on|about|for)|details (?:on|for|about)|(?:contact )?(?:info|details|card) for|pull up|get me|what do we (?:know|have) (?:about|on)|everything (?:about|on))\b|\bwhat(?:'?s| is) \S+(?: \S+)?'s (?:email|phone|number|title|role)|\bhow (?:do|can) i reach\b/.test(
        t,
      ),
  ],
  ['pipeline.query', (t) => PIPELINE_WORDS.test(t) || /\b(?:deals|opps)\b/.test(t)],
];

export function detectIntent(low: string): Intent {
  for (const [intent, test] of RULES) if (test(low)) return intent;
  return 'unknown';
}
