import type { Reply, Table } from '../core/types.ts';

/** A fixed-width text table for the terminal and for plain-text fallbacks. */
export function textTable({ columns, rows, more }: Table): string {
  const cells = [columns, ...rows.map((r) => r.map(String))];
  const widths = columns.map((_, i) => Math.min(40, Math.max(...cells.map((r) => (r[i] ?? '').length))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c.length > widths[i] ? `${c.slice(0, widths[i] - 1)}…` : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
  if (more) out.push(`… and ${more} more`);
  return out.join('\n');
}

/** The whole reply as plain text (REPL, logs, channel fallbacks). */
export function replyAsText(reply: Reply): string {
  const parts = [reply.text];
  if (reply.table) parts.push(textTable(reply.table));
  for (const f of reply.files ?? []) parts.push(`[${f.name}${f.path ? ` → ${f.path}` : ''}]`);
  return parts.join('\n');
}
