import type { Action } from '../../actions/schema.ts';
import { missingQuestion } from '../skills.ts';

export const NOT_UNDERSTOOD =
  "Sorry, I didn't get that. Do you want to check the pipeline, log a call, update a deal, add a contact or task, or open an escalation? Type \"help\" for examples.";

export const LEAD_COUNT_QUESTION =
  'I can qualify a lead ("Dana is sales-qualified now", "convert Dana Park") but I can\'t count or list leads here yet. Did you mean your deal pipeline ("how many deals do I have")?';

/** A clarify action asking for the missing `<actionType>.<field>`, with the skill's own wording. */
export function ask(key: string): Action {
  return { type: 'clarify', question: missingQuestion(key) ?? NOT_UNDERSTOOD };
}
