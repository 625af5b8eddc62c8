import { stringify } from 'csv-stringify/sync';
import type { ReplyFile } from '../../src/core/types.ts';
import { humanize } from '../../src/format/labels.ts';

export type ExportRow = Record<string, unknown>;
/** Every row about one data subject, per table, as the database returned it. */
export type SubjectExport = Record<string, ExportRow[]>;

export interface ExportProgress {
  table: string;
  rowsDone: number;
  rowsTotal: number;
}

export interface ExportOptions {
  /** The data request the export answers: names the files. */
  requestId: number | string;
  generatedAt: Date;
  /** Called as the CSVs are written, a chunk of rows at a time. */
  onProgress?: (p: ExportProgress) => void;
  chunkRows?: number;
}

const encoder = new TextEncoder();

/** The subject's own record first, then the rest by name (the database hands them in no useful order). */
function tablesOf(data: SubjectExport): [string, ExportRow[]][] {
  const rank = (t: string) => (t === 'contacts' ? '' : t);
  return Object.entries(data).sort(([a], [b]) => rank(a).localeCompare(rank(b)));
}

/** Columns in the order they first appear, so rows with optional keys still line up. */
function columnsOf(rows: ExportRow[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/**
 * A machine-readable export for access and portability requests: one JSON file with every table (the
 * exact values), and one CSV per table that has rows, for spreadsheets. In the CSVs, cells that a
 * spreadsheet would run as a formula (=, +, -, @ first) are prefixed with a quote, since they can hold
 * text the customer wrote; the JSON keeps the values as they are.
 */
export function buildExport(
  data: SubjectExport,
  { requestId, generatedAt, onProgress, chunkRows = 500 }: ExportOptions,
): ReplyFile[] {
  const base = `data-request-${requestId}`;
  const tables = tablesOf(data);
  const rowsTotal = tables.reduce((n, [, rows]) => n + rows.length, 0);
  const json = JSON.stringify(
    { request: requestId, generated_at: generatedAt.toISOString(), tables: Object.fromEntries(tables) },
    null,
    2,
  );
  const files: ReplyFile[] = [{ name: `${base}.json`, mime: 'application/json', data: encoder.encode(json) }];
  let rowsDone = 0;
  for (const [table, rows] of tables) {
    if (!rows.length) continue;
    const columns = columnsOf(rows);
    const parts: string[] = [];
    for (let i = 0; i < rows.length; i += chunkRows) {
      const chunk = rows.slice(i, i + chunkRows);
      parts.push(
        stringify(chunk, {
          header: i === 0,
          columns,
          escape_formulas: true,
          cast: { boolean: (v) => String(v), object: (v) => JSON.stringify(v) },
        }),
      );
      rowsDone += chunk.length;
      onProgress?.({ table, rowsDone, rowsTotal });
    }
    files.push({ name: `${base}-${table}.csv`, mime: 'text/csv', data: encoder.encode(parts.join('')) });
  }
  return files;
}

/** "contacts 1, activities 5, …" for the reply. */
export function rowCounts(data: SubjectExport): string {
  return tablesOf(data)
    .map(([table, rows]) => `${humanize(table)} ${rows.length}`)
    .join(', ');
}
