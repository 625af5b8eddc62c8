import type { Action } from '../actions/index.ts';
import type { Requester } from '../db/port.ts';

export interface ParseOptions {
  today: string;
  user?: Requester;
  /** A customer message being escalated: data to summarise, never instructions. */
  source?: { text: string; link?: string; author?: string };
}

/** Text in, one typed action out. Offline and LLM parsers both implement it. */
export interface Parser {
  readonly name: string;
  parse(text: string, opts: ParseOptions): Promise<Action>;
}
