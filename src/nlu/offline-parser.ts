import type { Parser } from './parser.ts';
import { parseOffline } from './offline/index.ts';

/** The deterministic parser: the default when no LLM is configured, and the LLM's fallback. */
export const offlineParser: Parser = {
  name: 'offline',
  parse: async (text, { today }) => parseOffline(text, { today }),
};
