/** Scores a parser against labelled cases the way the contract describes (type, then each expected field). */

export interface EvalCase {
  text: string;
  today: string;
  expected: { type: string; [field: string]: unknown };
}
export type ParseFn = (text: string, today: string) => unknown;

export interface TypeStats {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}
export interface Ratio {
  correct: number;
  total: number;
  rate: number;
}
export interface Miss {
  text: string;
  expected: EvalCase['expected'];
  got: unknown;
  wrongFields: string[];
}
export interface EvalReport {
  typeAccuracy: Ratio;
  fieldAccuracy: Ratio;
  perType: Record<string, TypeStats>;
  misses: Miss[];
}

// The contract's free-text fields count when present and non-empty (version 2 adds note, nextStep and lossReason).
const FREE_TEXT = new Set(['summary', 'followUp', 'text', 'question', 'outcome', 'note', 'nextStep', 'lossReason']);

function sameValue(field: string, expected: unknown, got: unknown): boolean {
  if (FREE_TEXT.has(field)) return typeof got === 'string' && got.trim().length > 0;
  if (typeof expected === 'string')
    return typeof got === 'string' && expected.trim().toLowerCase() === got.trim().toLowerCase();
  if (expected && typeof expected === 'object') {
    if (!got || typeof got !== 'object') return false;
    const e = expected as Record<string, unknown>;
    const g = got as Record<string, unknown>;
    const keys = new Set([...Object.keys(e), ...Object.keys(g)]);
    return [...keys].every((k) => sameValue(k, e[k], g[k]));
  }
  return expected === got;
}

/** The expected fields (other than type) that `got` gets wrong; all of them when the type is wrong. */
export function wrongFields(expected: EvalCase['expected'], got: unknown): string[] {
  const g = (got && typeof got === 'object' ? got : {}) as Record<string, unknown>;
  const fields = Object.keys(expected).filter((k) => k !== 'type');
  if (g.type !== expected.type) return fields;
  return fields.filter((k) => !sameValue(k, expected[k], g[k]));
}

const ratio = (correct: number, total: number): Ratio => ({ correct, total, rate: total ? correct / total : 1 });

/** Runs `parse` over every case (awaiting it, so an async LLM parser fits too) and computes the metrics. */
export async function evaluate(cases: EvalCase[], parse: ParseFn): Promise<EvalReport> {
  const perType: Record<string, TypeStats> = {};
  const stats = (t: string) => (perType[t] ??= { tp: 0, fp: 0, fn: 0, precision: 0, recall: 0 });
  let typeOk = 0;
  let fieldOk = 0;
  let fieldTotal = 0;
  const misses: Miss[] = [];
  for (const c of cases) {
    const got = await parse(c.text, c.today);
    const gotType = String((got as { type?: unknown } | null)?.type ?? 'none');
    if (gotType === c.expected.type) {
      typeOk++;
      stats(gotType).tp++;
    } else {
      stats(gotType).fp++;
      stats(c.expected.type).fn++;
    }
    const fields = Object.keys(c.expected).filter((k) => k !== 'type');
    const wrong = wrongFields(c.expected, got);
    fieldTotal += fields.length;
    fieldOk += fields.length - wrong.length;
    if (gotType !== c.expected.type || wrong.length)
      misses.push({ text: c.text, expected: c.expected, got, wrongFields: wrong });
  }
  for (const s of Object.values(perType)) {
    s.precision = s.tp + s.fp ? s.tp / (s.tp + s.fp) : 1;
    s.recall = s.tp + s.fn ? s.tp / (s.tp + s.fn) : 1;
  }
  return { typeAccuracy: ratio(typeOk, cases.length), fieldAccuracy: ratio(fieldOk, fieldTotal), perType, misses };
}

/** Reads JSON lines of {text, today, expected}; blank lines are skipped. */
export function parseCases(jsonl: string): EvalCase[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EvalCase);
}

export interface Dialogue {
  today: string;
  user: string;
  note?: string;
  turns: { text: string; expected: EvalCase['expected'] }[];
}
export interface DialogueReport {
  turns: Ratio;
  conversations: Ratio;
  /** Each conversation with a wrong turn: every turn, with what it was read as. */
  misses: { dialogue: Dialogue; got: unknown[] }[];
}

/**
 * Scores whole conversations: a turn is right when its type and every expected field are (the same rule as single
 * messages); a conversation when all its turns are. `talk` starts a conversation and answers each of its messages.
 */
export async function evaluateDialogues(
  dialogues: Dialogue[],
  talk: (d: Dialogue) => Promise<(text: string) => Promise<unknown>>,
): Promise<DialogueReport> {
  let turnsOk = 0;
  let turnsTotal = 0;
  let conversationsOk = 0;
  const misses: DialogueReport['misses'] = [];
  for (const d of dialogues) {
    const say = await talk(d);
    const got: unknown[] = [];
    let ok = true;
    for (const t of d.turns) {
      const g = await say(t.text);
      got.push(g);
      const right = (g as { type?: unknown })?.type === t.expected.type && !wrongFields(t.expected, g).length;
      turnsTotal++;
      if (right) turnsOk++;
      ok &&= right;
    }
    if (ok) conversationsOk++;
    else misses.push({ dialogue: d, got });
  }
  return { turns: ratio(turnsOk, turnsTotal), conversations: ratio(conversationsOk, dialogues.length), misses };
}
