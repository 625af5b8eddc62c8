import { readInContext } from './offline/dialogue.ts';
import { parseOffline } from './offline/index.ts';
import type { Parser } from './parser.ts';

/** The deterministic parser: the default when no LLM is configured, and the LLM's fallback. */
export const offlineParser: Parser = {
  name: 'offline',
  parse: async (text, { today, context }) =>
    context ? readInContext(text, { today }, context) : parseOffline(text, { today }),
};
