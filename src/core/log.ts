/**
 * The one logger: structured records on stderr, as JSON lines for servers (LOG_FORMAT=json, the default when
 * stderr is not a terminal) or as one readable line in a terminal. `log.with({ requestId })` binds fields to
 * every record of a request. (A library such as pino would bring a transport thread and a pretty-printer
 * package for the terminal case; these thirty lines are all the assistant needs.)
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = RANK[(process.env.LOG_LEVEL as Level) ?? 'info'] ?? RANK.info;
const json = process.env.LOG_FORMAT ? process.env.LOG_FORMAT === 'json' : !process.stderr.isTTY;

const plain = (v: unknown) => (v instanceof Error ? (v.stack ?? v.message) : v);

function write(level: Level, msg: string, fields: Fields): void {
  if (RANK[level] < threshold) return;
  const data = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, plain(v)]));
  if (json) {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...data })}\n`);
    return;
  }
  const { component = 'crm', ...rest } = data;
  const extra = Object.entries(rest)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('');
  process.stderr.write(`[${String(component)}]${level === 'info' ? '' : ` ${level}:`} ${msg}${extra}\n`);
}

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds these fields (a component, a request id) to every record. */
  with(fields: Fields): Logger;
}

function logger(bound: Fields): Logger {
  const at =
    (level: Level) =>
    (msg: string, fields: Fields = {}) =>
      write(level, msg, { ...bound, ...fields });
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    with: (f) => logger({ ...bound, ...f }),
  };
}

export const log = logger({});
