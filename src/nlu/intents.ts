/**
 * Choosing the action a message asks for. Each skill declares named rules: the action a rule votes for, the
 * evidence it needs (a pattern over the cleaned, lower-case text) and its priority. Every rule is tried; the one
 * place below settles competing rules: the highest priority wins, and between equals the evidence that comes
 * first in the message. `--explain` shows every rule that fired and why the winner won.
 */

export type Evidence = RegExp | ((low: string) => boolean | RegExpExecArray | null);

export interface IntentRule {
  /** What the rule recognises, in a few words ("explicit log verb", "case number"). */
  name: string;
  /** The action type it votes for. */
  action: string;
  /** Higher wins. The bands are listed in `PRIORITY`. */
  priority: number;
  /** The evidence the rule needs. */
  when: Evidence;
  /** Evidence against: the rule does not fire when this matches. */
  unless?: Evidence;
}

/**
 * Priority bands, from the most specific evidence to the most general. A rule's priority says how sure its
 * evidence makes the action, whatever skill it belongs to.
 */
export const PRIORITY = {
  /** The assistant itself: help, greetings. */
  meta: 1000,
  /** A command whose first words name it ("post escalations here", "undo"). */
  command: 950,
  /** A record named by its number (case #1005, request 12) with what to do with it. */
  record: 900,
  /** A list or view of one kind of record ("my open cases", "what's on my plate"). */
  listing: 850,
  /** A verb or noun that names the action outright ("remind me", "escalate", "log a call", "new contact"). */
  explicit: 800,
  /** A question about the pipeline ("how much is closing this quarter"). */
  question: 700,
  /** A phrasing typical of the action ("met with Initech", "sent the deck to Dana"). */
  typical: 670,
  /** A statement about a deal ("we lost Soylent", "Initech is now 80k"). */
  statement: 500,
  /** Words that merely belong to the action's topic. */
  topical: 400,
} as const;

export interface Fired {
  rule: IntentRule;
  /** Where the evidence starts in the text (0 when a predicate fired without a position). */
  at: number;
  evidence: string;
}

export interface Decision {
  action?: string;
  winner?: Fired;
  /** Every rule that fired, winner first. */
  fired: Fired[];
}

function test(evidence: Evidence, low: string): { at: number; text: string } | undefined {
  if (evidence instanceof RegExp) {
    evidence.lastIndex = 0;
    const m = evidence.exec(low);
    return m ? { at: m.index, text: m[0] } : undefined;
  }
  const r = evidence(low);
  if (!r) return undefined;
  return r === true ? { at: 0, text: '' } : { at: r.index, text: r[0] };
}

/** Tries every rule on the text and settles which action wins. */
export function decide(low: string, rules: readonly IntentRule[]): Decision {
  const fired: Fired[] = [];
  for (const rule of rules) {
    const hit = test(rule.when, low);
    if (!hit || (rule.unless && test(rule.unless, low))) continue;
    fired.push({ rule, at: hit.at, evidence: hit.text });
  }
  fired.sort((a, b) => b.rule.priority - a.rule.priority || a.at - b.at);
  return { action: fired[0]?.rule.action, winner: fired[0], fired };
}

/** Why the winner won, in one line: "escalation.create (explicit escalate, 800) over activity.log (…, 700)". */
export function why(decision: Decision): string {
  const [winner, ...rest] = decision.fired;
  if (!winner) return 'no rule fired';
  const other = rest.find((f) => f.rule.action !== winner.rule.action);
  const label = (f: Fired) => `${f.rule.action} ("${f.rule.name}", ${f.rule.priority})`;
  if (!other) return `${label(winner)}; no rule voted for another action`;
  const how =
    other.rule.priority === winner.rule.priority ? 'same priority, its evidence comes first' : 'higher priority';
  return `${label(winner)} over ${label(other)}: ${how}`;
}
