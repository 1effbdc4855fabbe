// `nhi-recon history PATTERN`: the evidence trail of collected records — when each was first observed, last observed
// by a complete collection, and when a complete collection confirmed it gone or changed — and the findings about them.
import type { Argv } from 'yargs';
import type { Command, GlobalArgs } from './types.js';
import { openContext } from './context.js';
import { textTable } from '../reports/table.js';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';

export interface HistoryArgs { pattern: string; json?: boolean; limit?: number }

export interface IntervalRow {
  collection: string; source: string; tenant: string; ref: string; label: string; state: string;
  first_run: string; first_seen: string; last_seen: string | null; ended_run: string | null; ended_at: string | null;
}
export interface FindingTrail { finding_id: string; rule_id: string; subject_ref: string; runs: number; first_run: string; last_run: string; last_status: string; carried: boolean }

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

export async function recordHistory(store: Store, pattern: string, limit = 200): Promise<{ intervals: IntervalRow[]; findings: FindingTrail[] }> {
  const exists = await store.value(`SELECT count(*) FROM duckdb_views() WHERE view_name = 'record_intervals'`);
  if (!Number(exists)) throw new UserError('this database predates record intervals: run `nhi-recon scan` (or collect) once to upgrade it');
  const rows = await store.all(`SELECT collection, source, tenant, ref, label, state, first_run, first_seen, last_seen, ended_run, ended_at
    FROM record_intervals WHERE ref GLOB $1 OR label GLOB $1 ORDER BY collection, source, tenant, ref, first_seen LIMIT ${Math.max(1, Math.floor(limit))}`, [pattern]);
  const intervals = rows.map((r) => ({ ...r, first_seen: iso(r.first_seen)!, last_seen: iso(r.last_seen), ended_at: iso(r.ended_at) })) as unknown as IntervalRow[];
  const findings = await store.all<FindingTrail & Record<string, unknown>>(`
    SELECT f.finding_id, any_value(f.rule_id) AS rule_id, any_value(f.subject_ref) AS subject_ref, count(*)::INTEGER AS runs,
      arg_min(f.run_id, r.seq) AS first_run, arg_max(f.run_id, r.seq) AS last_run, arg_max(f.status, r.seq) AS last_status, arg_max(f.carried, r.seq) AS carried
    FROM findings f JOIN runs r USING (run_id)
    WHERE f.subject_ref GLOB $1 OR f.identity_ref GLOB $1 GROUP BY f.finding_id ORDER BY rule_id, subject_ref LIMIT ${Math.max(1, Math.floor(limit))}`, [pattern]);
  return { intervals, findings };
}

function describe(r: IntervalRow): string {
  const seen = r.last_seen ? `, last seen complete ${r.last_seen.slice(0, 16)}` : '';
  switch (r.state) {
    case 'removed': return `present from ${r.first_seen.slice(0, 16)}${seen}; confirmed absent ${r.ended_at?.slice(0, 16)} by a complete collection (${r.ended_run})`;
    case 'changed': return `present from ${r.first_seen.slice(0, 16)}${seen}; changed ${r.ended_at?.slice(0, 16)} (${r.ended_run})`;
    case 'present': return `present from ${r.first_seen.slice(0, 16)}${seen}`;
    default: return `observed ${r.first_seen.slice(0, 16)} by an incomplete collection (${r.first_run}): proves nothing before or after`;
  }
}

export const historyCommand: Command<HistoryArgs> = {
  command: 'history <pattern>',
  describe: 'When each matching record was first seen, last seen, and confirmed gone — and the findings about it',
  examples: [
    ['nhi-recon history "AKIA*"', 'Every interval of the access keys whose id starts with AKIA'],
    ['nhi-recon history "repo:acme/*" --json', 'Intervals and finding trails as JSON'],
  ],
  builder(y: Argv<GlobalArgs>) {
    return y
      .positional('pattern', { type: 'string', demandOption: true, describe: 'A ref or name, or a glob (* ?) over them' })
      .option('limit', { type: 'number', default: 200, describe: 'At most this many intervals and finding trails' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of text' });
  },
  async run(args, io) {
    const { store } = await openContext(args, { readOnly: true });
    try {
      const h = await recordHistory(store, args.pattern, args.limit ?? 200);
      if (args.json) { io.out(JSON.stringify(h, null, 2)); return 0; }
      if (!h.intervals.length && !h.findings.length) { io.out(`Nothing recorded matches ${args.pattern}.`); return 0; }
      for (const r of h.intervals) io.out(`${r.collection.replace(/s$/, '').replace(/ie$/, 'y')} ${r.source}/${r.tenant} ${r.label}: ${describe(r)}`);
      if (h.findings.length) {
        io.out('');
        for (const l of textTable(['finding', 'rule', 'subject', 'runs', 'first run', 'last run', 'last status'],
          h.findings.map((f) => [f.finding_id.slice(0, 12), f.rule_id, f.subject_ref, f.runs, f.first_run, f.last_run, f.last_status + (f.carried ? ' (carried: tenant not fully collected)' : '')]))) io.out(l);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};

export default historyCommand;
