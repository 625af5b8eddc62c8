import type { Config } from '../config.ts';
import type { CrmDb } from '../db/port.ts';
import { createLlmParser } from './llm-parser.ts';
import { offlineParser } from './offline-parser.ts';
import type { Parser } from './parser.ts';
import { nameIndex } from './pii.ts';

const NAMES_TTL_MS = 5 * 60_000;

/** The LLM parser when a key is configured (falling back to the offline one), else the offline parser. */
export function createParser(config: Config, db: CrmDb): Parser {
  if (!config.openai) return offlineParser;
  let names: { at: number; index: Set<string> } | undefined;
  return createLlmParser(config.openai, {
    fallback: offlineParser,
    knownNames: async () => {
      if (!names || Date.now() - names.at > NAMES_TTL_MS) {
        names = { at: Date.now(), index: nameIndex(await db.serviceRpc('contact_names')) };
      }
      return names.index;
    },
    record: async (user, call) => {
      if (user)
        await db.rpc(user, 'record_llm_call', {
          prompt_hash: call.promptHash,
          model: call.model,
          latency_ms: call.latencyMs,
          outcome: call.outcome,
        });
    },
  });
}
