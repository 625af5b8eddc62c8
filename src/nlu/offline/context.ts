import type { ActionInput } from '../../core/types.ts';

/** What every extractor gets: the cleaned text (original case), its lower-case form and the reference date. */
export interface Ctx {
  text: string;
  low: string;
  today: string;
  /** A clarify action asking for the missing `<action type>.<field>`, in the skill's own words (its skill.json). */
  ask(key: string): ActionInput;
}
