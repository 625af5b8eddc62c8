import type { ActionInput } from '../../core/types.ts';
import type { Spans } from '../spans.ts';

/** What every extractor gets: the cleaned text (original case), its lower-case form, the reference date and its spans. */
export interface Ctx {
  text: string;
  low: string;
  today: string;
  /** The settled spans of the text (dates, amounts, durations, …); taking one records it for `--explain`. */
  spans: Spans;
  /**
   * A clarify action asking for the missing `<action type>.<field>`, in the skill's own words (its skill.json). With
   * what was understood so far, so that the answer can complete it ("log a call with Dana" -> "what happened?").
   */
  ask(key: string, partial?: object): ActionInput;
  /** In a conversation, the request this message continues or corrects: what it leaves unsaid stays as it was there. */
  base?: ActionInput;
  /** The action another piece of text would be read as ("how do I log a call" is help about activity.log). */
  intentOf(text: string): string | undefined;
}
