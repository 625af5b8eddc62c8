import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlDb } from './port.ts';

export const MIGRATIONS_DIR = new URL('../../supabase/migrations/', import.meta.url).pathname;

/** A migration file as the Supabase CLI names it: `<version>_<name>.sql`. */
const MIGRATION_FILE = /^([0-9]+)_(.*)\.sql$/;

/** The first of the migrations squashed into the baseline: every database migrated before the squash has it. */
const BEFORE_THE_SQUASH = '20261101000100';

/**
 * Applies supabase/migrations in order, each in its own transaction, and records each in
 * `supabase_migrations.schema_migrations` exactly as the Supabase CLI does (`supabase db push`): its
 * version, its name and its statements, split the way the CLI splits them. So a database migrated
 * here is up to date for the CLI, and one pushed with the CLI is accepted here. A migration edited
 * after it was applied is refused (it would never run again, and the databases would silently
 * differ), and so is a database that has migrations this checkout does not hold.
 */
export async function migrate(db: SqlDb, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (
      version text primary key, statements text[], name text);`);
  const done = new Map(
    (
      await db.query<{ version: string; statements: string[] | null }>(
        'select version, statements from supabase_migrations.schema_migrations',
      )
    ).map((r) => [r.version, r.statements]),
  );
  const files = readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort();
  const unknown = [...done.keys()].filter((v) => !files.some((f) => f.startsWith(`${v}_`))).sort();
  if (unknown.includes(BEFORE_THE_SQUASH)) {
    throw new Error(
      `This ${db.kind === 'pglite' ? 'embedded ' : ''}database was migrated before the schema's migrations were squashed into ` +
        `one baseline (version 0.x), and cannot be brought up to date: supabase/migrations no longer holds ${unknown.length} of its ` +
        `migrations (${unknown[0]}, …). Nothing was changed. Recreate it: for the embedded demo database, delete its folder ` +
        `(PGLITE_DIR, by default ./.data/pglite) and npm start creates and seeds a new one; for a server database, drop it, ` +
        `create it empty and run npm run db:seed.`,
    );
  }
  if (unknown.length) {
    throw new Error(
      `This database has migrations that supabase/migrations does not hold (${unknown.join(', ')}): it was migrated by a ` +
        `newer checkout, or one of its files was renamed or removed. Nothing was changed.`,
    );
  }
  const applied: string[] = [];
  for (const file of files) {
    const [, version, name] = MIGRATION_FILE.exec(file)!;
    const sql = readFileSync(join(dir, file), 'utf8');
    const statements = splitStatements(sql);
    if (done.has(version)) {
      const recorded = done.get(version);
      // A version recorded without statements (`supabase migration repair`) is taken as it is.
      if (recorded != null && JSON.stringify(recorded) !== JSON.stringify(statements)) {
        throw new Error(
          `supabase/migrations/${file} was changed after it was applied to this database; add a new migration instead.`,
        );
      }
      continue;
    }
    await db.transaction(async (tx) => {
      await tx.exec(sql);
      await tx.query(
        'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
        [version, name, statements],
      );
    });
    applied.push(file);
  }
  return applied;
}

/**
 * Splits a migration into statements as the Supabase CLI records them (`parser.SplitAndTrim` of
 * supabase/cli, pkg/parser): a statement ends at a `;` outside quotes, dollar quotes, comments and
 * parentheses (and BEGIN ATOMIC … END bodies); each keeps the comments before it, loses its trailing
 * `;` and surrounding white space, and empty ones are dropped. A port of the CLI's state machine,
 * quirks included, so that both record the same array.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let state: State = ready;
  let i = 0;
  while (i < sql.length) {
    const cp = sql.codePointAt(i)!;
    const r = String.fromCodePoint(cp);
    i += r.length;
    const data = sql.slice(start, i);
    // The CLI steps through the text byte by byte: after a character of n UTF-8 bytes its state
    // machine also sees n - 1 replacement characters, with the same text so far.
    const visits = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    let next: State | null = state;
    for (let v = 0; v < visits && next !== null; v++) next = next.next(v === 0 ? r : '\ufffd', data);
    if (next === null) {
      push(out, data);
      start = i;
      state = ready;
    } else {
      state = next;
    }
  }
  if (start < sql.length) push(out, sql.slice(start));
  return out;
}

function push(out: string[], token: string) {
  const trimmed = goTrimSpace(token.replace(/;+$/, ''));
  if (trimmed) out.push(trimmed);
}

/** Go's strings.TrimSpace: Unicode White_Space (which, unlike String.prototype.trim, keeps U+FEFF and drops U+0085). */
const goTrimSpace = (s: string) =>
  s.replace(
    /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g,
    '',
  );

/** One state of the splitter: the next state after rune `r` (`data`: the statement so far, `r` included), or null to end the statement. */
interface State {
  next(r: string, data: string): State | null;
}

const isLetterOrDigit = (r: string) => /^[\p{L}\p{Nd}]$/u.test(r);
const isIdentifierRune = (r: string) => isLetterOrDigit(r) || r === '_' || r === '$';

const ready: State = {
  next(r, data) {
    switch (r) {
      case '$':
        return tag(data.length - 1);
      case "'":
      case '"':
        return quote(r);
      case '-':
        return comment;
      case '/':
        return block();
      case '\\':
        return escaped;
      case ';':
        return null;
      case '(':
        return atomic(ready, ')');
      case 'c':
      case 'C':
        if (isBeginAtomic(data)) return atomic(ready, 'END');
    }
    return ready;
  },
};

/** `BEGIN ATOMIC` just ended, as whole words. */
function isBeginAtomic(data: string): boolean {
  const offset = data.length - 'ATOMIC'.length;
  if (offset < 0 || data.slice(offset).toUpperCase() !== 'ATOMIC') return false;
  if (offset > 0 && isIdentifierRune(lastRune(data.slice(0, offset)))) return false;
  const prefix = data.slice(0, offset).replace(/\s+$/u, '');
  const begin = prefix.length - 'BEGIN'.length;
  if (begin < 0 || prefix.slice(begin).toUpperCase() !== 'BEGIN') return false;
  return begin === 0 || !isIdentifierRune(lastRune(prefix.slice(0, begin)));
}

const lastRune = (s: string) => Array.from(s).at(-1) ?? '';

/** After one `-`: a second one starts a line comment. */
const comment: State = {
  next: (r, data) => (r === '-' ? dollar('\n') : ready.next(r, data)),
};

/** After a `/`: `/*` opens a (nested) block comment. */
function block(): State {
  let depth = 0;
  const self: State = {
    next(r, data) {
      const window = data.slice(-2);
      if (window === '/*') {
        depth += 1;
        return self;
      }
      if (depth === 0) return ready.next(r, data);
      if (window === '*/') {
        depth -= 1;
        if (depth === 0) return ready;
      }
      return self;
    },
  };
  return self;
}

/** Inside '…' or "…"; a doubled delimiter stays inside. */
function quote(delimiter: string): State {
  let closing = false;
  const self: State = {
    next(r, data) {
      if (closing) {
        if (r === delimiter) {
          closing = false;
          return self;
        }
        return ready.next(r, data);
      }
      if (r === delimiter) closing = true;
      return self;
    },
  };
  return self;
}

/** Inside a dollar quote (or a line comment, which ends at a newline): nothing is escaped. */
function dollar(delimiter: string): State {
  const self: State = {
    next: (_r, data) => (data.endsWith(delimiter) ? ready : self),
  };
  return self;
}

/** After a `$`: `$tag$` opens a dollar quote; anything else was not one. */
function tag(offset: number): State {
  const self: State = {
    next(r, data) {
      if (r === '$') return dollar(data.slice(offset));
      if (isLetterOrDigit(r) || r === '_') return self;
      return ready.next(r, data);
    },
  };
  return self;
}

/** After a backslash: the next character is taken as it is. */
const escaped: State = { next: () => ready };

/** Inside parentheses or a BEGIN ATOMIC body, until the delimiter appears outside quotes. */
function atomic(prev: State, delimiter: string): State {
  const self: State = {
    next(r, data) {
      const curr = prev.next(r, data);
      if (curr !== null) prev = curr;
      if (prev === ready && data.slice(-delimiter.length).toUpperCase() === delimiter.toUpperCase()) return ready;
      return self;
    },
  };
  return self;
}
