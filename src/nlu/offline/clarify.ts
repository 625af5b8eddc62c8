export const NOT_UNDERSTOOD =
  'Sorry, I didn\'t get that. Do you want to check the pipeline, log a call, update a deal, add a contact or task, or open an escalation? Type "help" for examples.';

export const LEAD_COUNT_QUESTION =
  'I can qualify a lead ("Dana is sales-qualified now", "convert Dana Park") but I can\'t count or list leads here yet. Did you mean your deal pipeline ("how many deals do I have")?';
