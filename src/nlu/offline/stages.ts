/** Deal stages as people say them: "negotiating", "in proposal", "won", "closed lost". */
type Stage = 'prospecting' | 'qualification' | 'discovery' | 'proposal' | 'negotiation' | 'closed_won' | 'closed_lost';

const STAGE_RULES: [Stage, RegExp][] = [
  ['closed_lost', /\bclosed[- _]?lost\b|\blost\b|\blose\b|\b(?:went|gone|is) dark\b|\bkilled\b/],
  [
    'closed_won',
    /\bclosed[- _]?won\b|\bwon\b|\bwin\b(?![- ]?(?:rate|ratio))|\bclosed\b|\bsigned\b|\bbooked\b|\b(?:did|have|has) (?:[\w-]+ ){1,3}(?:close|win|book|sell)\b/,
  ],
  ['negotiation', /\bnegotiat\w*|\bcontracting\b/],
  ['proposal', /\bproposals?\b|\bquote sent\b/],
  ['discovery', /\bdiscovery\b/],
  ['qualification', /\bqualification\b|\bqualifying\b/],
  ['prospecting', /\bprospect(?:ing|s)?\b/],
];

export function findStage(low: string): Stage | undefined {
  return STAGE_RULES.find(([, re]) => re.test(low))?.[0];
}
