import type { Command } from './types.js';
import { loadConfigFor } from './context.js';
import { Store } from '../store/store.js';
import { UserError, EXIT } from '../errors.js';

export interface QueryArgs { sql: string; json?: boolean }

export const command: Command<QueryArgs> = {
  command: 'query <sql>',
  describe: 'Run a read-only SQL query against the database',
  examples: [
    [`$0 query "SELECT rule_id, count(*) FROM findings WHERE run_id = (SELECT max(run_id) FROM runs) GROUP BY 1"`, 'count the latest findings by rule'],
    [`$0 query --json "SELECT * FROM source_runs"`, 'completeness of every tenant of every run, as JSON lines'],
  ],
  builder: (y) => y.positional('sql', { type: 'string', demandOption: true }).option('json', { type: 'boolean', describe: 'JSON lines instead of a table' }),
  async run(args, io) {
    const loaded = await loadConfigFor(args);
    const store = await Store.open(loaded.config.database, { readOnly: true });
    try {
      // Read-only database and no file access: a query can neither change the store nor read or write files.
      await store.run('SET enable_external_access = false');
      let rows: Record<string, unknown>[];
      try { rows = await store.all(args.sql); } catch (e) { throw new UserError(`query failed: ${(e as Error).message}`); }
      if (args.json) { for (const r of rows) io.out(JSON.stringify(r, jsonValue)); return EXIT.ok; }
      io.out(table(rows));
      return EXIT.ok;
    } finally { store.close(); }
  },
};

function jsonValue(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

export function table(rows: Record<string, unknown>[]): string {
  if (!rows.length) return '(no rows)';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v, jsonValue) : String(v)).replace(/\s+/g, ' ').slice(0, 80);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + `\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
}
