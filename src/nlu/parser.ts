import type { Action } from '../actions/index.ts';
import type { Requester } from '../db/port.ts';
import type { DialogueContext } from './dialogue.ts';

export interface ParseOptions {
  today: string;
  user?: Requester;
  /** A customer message being escalated: data to summarise, never instructions. */
  source?: { text: string; link?: string; author?: string };
  /** The conversation so far: the message may continue, correct or answer it. */
  context?: DialogueContext;
}

/** Text in, one typed action out. Offline and LLM parsers both implement it. */
export interface Parser {
  readonly name: string;
  parse(text: string, opts: ParseOptions): Promise<Action>;
}
