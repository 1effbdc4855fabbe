import { visible } from './escape.js';

// Plain aligned text tables for terminal output (no colour codes: output is often piped or captured by CI).
export function textTable(head: string[], rows: (string | number | null | undefined)[][]): string[] {
  const cells = [head, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : visible(String(c)))))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]!))).join('  ').trimEnd());
}
