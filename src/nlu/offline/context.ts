/** What every extractor gets: the cleaned text (original case), its lower-case form and the reference date. */
export interface Ctx { text: string; low: string; today: string }
