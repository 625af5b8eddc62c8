/**
 * Chat shorthand ("nxt wk", "mtg w/ acme", "amt", "fcst") spelled out before intent detection, so the
 * extractors only see ordinary words. Only whole lower-case tokens are rewritten: a capitalised word
 * may be a name and is left alone.
 */

const SHORTHAND: Record<string, string> = {
  nxt: 'next',
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tmw: 'tomorrow',
  tomoz: 'tomorrow',
  yday: 'yesterday',
  yest: 'yesterday',
  tdy: 'today',
  wk: 'week',
  wks: 'weeks',
  wkly: 'weekly',
  mo: 'month',
  mos: 'months',
  mtg: 'meeting',
  mtgs: 'meetings',
  abt: 'about',
  amt: 'amount',
  fcst: 'forecast',
  fcast: 'forecast',
  pipe: 'pipeline',
  oppty: 'opportunity',
  opptys: 'opportunities',
  fwd: 'forward',
  req: 'request',
  reqs: 'requests',
  pri: 'priority',
  prio: 'priority',
  vm: 'voicemail',
  lvm: 'left voicemail',
  msg: 'message',
  msgs: 'messages',
  rn: 'right now',
  u: 'you',
  ur: 'your',
  r: 'are',
  pls: '',
  plz: '',
  pl0x: '',
  thx: '',
  ty: '',
  w: 'with',
  wo: 'without',
  convo: 'conversation',
  addr: 'address',
  tel: 'phone',
  acct: 'account',
  accts: 'accounts',
  cust: 'customer',
  mgr: 'manager',
};

// Single letters only mean something in context: "spoke w dana", "deals r closing", "3 mo".
const ONLY_AFTER: Record<string, RegExp> = {
  w: /\S\s*$/,
  r: /\b(?:deals?|opps?|we|they|you|what|which|how many)\s*$/,
  mo: /\d\s*$/,
};

/** Spells out shorthand; "w/" and "w/o" become "with"/"without". */
export function expandShorthand(s: string): string {
  s = s.replace(/(?<![\w/])w\/o(?![\w/])/gi, 'without').replace(/(?<![\w/])w\/(?=\s|\w)/gi, 'with ');
  return s
    .replace(/(?<![\w@.'/-])[a-z][a-z0-9]*(?![\w@'/-]|\.\w)/g, (word, offset: number, all: string) => {
      const out = SHORTHAND[word];
      if (out === undefined || out === word) return word;
      const guard = ONLY_AFTER[word];
      if (guard && !guard.test(all.slice(Math.max(0, offset - 20), offset))) return word;
      return out;
    })
    .replace(/\s{2,}/g, ' ')
    .trim();
}
