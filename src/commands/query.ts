import type { Command } from './types.js';
import { loadConfigFor } from './context.js';
import { StatementType } from '@duckdb/node-api';
import { Store } from '../store/store.js';
import { CONTROL_OR_BIDI, visible } from '../reports/escape.js';
import { UserError, EXIT } from '../errors.js';

export interface QueryArgs { sql: string; json?: boolean; timeout?: number }

/** Statement kinds a read-only query may run: reading, and explaining a read. Everything else is refused unrun. */
const ALLOWED = new Set<number>([StatementType.SELECT, StatementType.EXPLAIN]);
const KIND_NAMES = Object.fromEntries(Object.entries(StatementType).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k])) as Record<number, string>;

/**
 * The sandbox (D14): a read-only database, no file or network access, no spilling to disk, settings locked so no
 * statement can undo any of it, only SELECT/EXPLAIN statements (checked by DuckDB's own parser before anything runs),
 * and a time limit after which the query is interrupted.
 */
export async function sandboxedQuery(store: Store, sql: string, timeoutSeconds: number): Promise<Record<string, unknown>[]> {
  for (const s of ["SET temp_directory = ''", 'SET autoinstall_known_extensions = false', 'SET autoload_known_extensions = false', 'SET enable_external_access = false', 'SET lock_configuration = true']) {
    await store.run(s);
  }
  let extracted;
  try { extracted = await store.conn.extractStatements(sql); } catch (e) { throw new UserError(`query failed: ${(e as Error).message}`); }
  if (extracted.count === 0) throw new UserError('query: no statement given');
  for (let i = 0; i < extracted.count; i++) {
    let type: number;
    try { type = (await extracted.prepare(i)).statementType; } catch (e) { throw new UserError(`query failed: ${(e as Error).message}`); }
    if (!ALLOWED.has(type)) throw new UserError(`query is read-only: statement ${i + 1} is ${KIND_NAMES[type] ?? 'not a SELECT'}; only SELECT (and EXPLAIN) statements run`);
  }
  const timer = setTimeout(() => store.conn.interrupt(), timeoutSeconds * 1000);
  try {
    return await store.all(sql);
  } catch (e) {
    const msg = (e as Error).message;
    if (/interrupt/i.test(msg)) throw new UserError(`query stopped after ${timeoutSeconds} s (--timeout)`);
    throw new UserError(`query failed: ${msg}`);
  } finally { clearTimeout(timer); }
}

export const command: Command<QueryArgs> = {
  command: 'query <sql>',
  describe: 'Run a read-only SQL query against the database',
  examples: [
    [`$0 query "SELECT rule_id, count(*) FROM findings WHERE run_id = (SELECT max(run_id) FROM runs) GROUP BY 1"`, 'count the latest findings by rule'],
    [`$0 query --json "SELECT * FROM source_runs"`, 'completeness of every tenant of every run, as JSON lines'],
  ],
  builder: (y) => y.positional('sql', { type: 'string', demandOption: true }).option('json', { type: 'boolean', describe: 'JSON lines instead of a table' })
    .option('timeout', { type: 'number', default: 60, describe: 'Seconds after which the query is interrupted' }),
  async run(args, io) {
    const loaded = await loadConfigFor(args);
    const store = await Store.open(loaded.config.database, { readOnly: true });
    try {
      // Read-only database and no file access: a query can neither change the store nor read or write files.
      const rows = await sandboxedQuery(store, args.sql, args.timeout ?? 60);
      // JSON escapes control characters itself; bidi overrides are escaped too, so a terminal shows them (D19).
      if (args.json) { for (const r of rows) io.out(JSON.stringify(r, jsonValue).replace(CONTROL_OR_BIDI, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)); return EXIT.ok; }
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
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v, jsonValue) : visible(String(v))).replace(/\s+/g, ' ').slice(0, 80);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n') + `\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
}
