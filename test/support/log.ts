import type { Logger } from '../../src/core/log.ts';

/** A logger for tests: what was logged at warn or error, as text; nothing printed. */
export function recordingLogger(problems: string[] = []): Logger & { problems: string[] } {
  const keep = (msg: string, fields?: Record<string, unknown>) =>
    problems.push(`${msg}${fields ? ` ${JSON.stringify(fields, (_k, v) => (v instanceof Error ? v.stack : v))}` : ''}`);
  const logger: Logger = { debug: () => {}, info: () => {}, warn: keep, error: keep, with: () => logger };
  return Object.assign(logger, { problems });
}
