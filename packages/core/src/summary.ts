import { appendFile } from 'node:fs/promises';
import * as core from '@actions/core';

/** A table cell: text (Markdown allowed), a number or boolean, or nothing. */
export type TableCell = string | number | boolean | null | undefined;

/** Column alignment in {@link markdownTable}. */
export type TableAlignment = 'left' | 'center' | 'right';

/** Makes text safe inside a Markdown table cell: `|` escaped, line breaks as `<br>`. */
export function escapeTableCell(cell: TableCell): string {
  if (cell === null || cell === undefined) return '';
  return String(cell)
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * A GitHub-flavoured Markdown table. Cells are escaped (see {@link escapeTableCell}); short rows are
 * padded with empty cells; a row longer than `headers` is an error.
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly TableCell[])[],
  align: readonly TableAlignment[] = [],
): string {
  if (headers.length === 0) throw new TypeError('A table needs at least one column');
  const line = (cells: readonly TableCell[]): string =>
    `| ${headers.map((_, i) => escapeTableCell(cells[i])).join(' | ')} |`;
  const rule = headers.map((_, i) => {
    const a = align[i];
    return a === 'center' ? ':---:' : a === 'right' ? '---:' : a === 'left' ? ':---' : '---';
  });
  const out = [line(headers), `| ${rule.join(' | ')} |`];
  for (const [index, row] of rows.entries()) {
    if (row.length > headers.length) {
      throw new TypeError(`Table row ${index + 1} has ${row.length} cells but the table has ${headers.length} columns`);
    }
    out.push(line(row));
  }
  return `${out.join('\n')}\n`;
}

function fence(code: string): string {
  // A fence longer than any backtick run inside the code, so the code cannot close it.
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** A fenced code block, e.g. `markdownCodeBlock(yaml, 'yaml')`. */
export function markdownCodeBlock(code: string, language = ''): string {
  const marks = fence(code);
  return `${marks}${language}\n${code.replace(/\s+$/, '')}\n${marks}\n`;
}

/** A fenced `mermaid` block, which GitHub renders as a diagram (flowchart, gitGraph, xychart …). */
export function mermaid(code: string): string {
  return markdownCodeBlock(code.trim(), 'mermaid');
}

/** Inline code: `markdownInlineCode('v1.2.3')` → `` `v1.2.3` ``, safe when the text itself has backticks. */
export function markdownInlineCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const marks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${marks}${pad}${text}${pad}${marks}`;
}

/** Escapes `&`, `<`, `>` and `"` for text placed inside HTML. */
export function escapeHtmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A collapsible `<details>` block with a plain-text `summary` line and a Markdown `body`. */
export function details(summary: string, body: string, options: { open?: boolean } = {}): string {
  const open = options.open === true ? ' open' : '';
  return `<details${open}>\n<summary>${escapeHtmlText(summary)}</summary>\n\n${body.trim()}\n\n</details>\n`;
}

/** A Markdown heading of `level` 1–6 (a line break in `text` becomes a space). */
export function markdownHeading(text: string, level = 2): string {
  const depth = Math.min(6, Math.max(1, Math.round(level)));
  return `${'#'.repeat(depth)} ${text.replace(/\s*[\r\n]+\s*/g, ' ')}\n`;
}

/** Runs `fn` inside a collapsible log group named `name` (core.group) and returns its result. */
export function logGroup<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return core.group(name, fn);
}

/**
 * Appends `markdown` to the job summary (`$GITHUB_STEP_SUMMARY`). Call it once, at the end of the action.
 * Returns false, with a debug message, when there is no summary file (outside GitHub Actions).
 */
export async function writeSummary(markdown: string): Promise<boolean> {
  const path = process.env['GITHUB_STEP_SUMMARY'];
  if (path === undefined || path === '') {
    core.debug('GITHUB_STEP_SUMMARY is not set: the job summary is not written.');
    return false;
  }
  await appendFile(path, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}
