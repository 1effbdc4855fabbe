// `nhi-recon runs`: the history in the database, newest first, with how complete each run was and its counts.
import type { Argv } from 'yargs';
import type { Command, GlobalArgs } from './types.js';
import { openContext } from './context.js';
import { textTable } from '../reports/table.js';
import type { Store } from '../store/store.js';

export interface RunsArgs { limit?: number; json?: boolean }

export interface RunSummaryRow {
  seq: number; run_id: string; started_at: string; status: string; stage: string | null; mode: string | null;
  tenants: number; incomplete_tenants: number; authority_status: string | null;
  open: number; critical: number; high: number; new: number; regressed: number; resolved: number; suppressed: number; actions: number; verified: number;
}

export async function listRuns(store: Store, limit = 20): Promise<RunSummaryRow[]> {
  const rows = await store.all(`
    SELECT r.seq, r.run_id, epoch_ms(r.started_at) AS started_ms, r.status, r.stage, r.mode, r.authority_status,
      (SELECT count(*) FROM source_runs s WHERE s.run_id = r.run_id) AS tenants,
      (SELECT count(*) FROM source_runs s WHERE s.run_id = r.run_id AND s.status <> 'complete') AS incomplete_tenants,
      count(f.finding_id) FILTER (WHERE f.status <> 'resolved' AND f.suppressed_by IS NULL) AS open,
      count(f.finding_id) FILTER (WHERE f.status <> 'resolved' AND f.suppressed_by IS NULL AND f.severity = 'critical') AS critical,
      count(f.finding_id) FILTER (WHERE f.status <> 'resolved' AND f.suppressed_by IS NULL AND f.severity = 'high') AS high,
      count(f.finding_id) FILTER (WHERE f.status = 'new' AND f.suppressed_by IS NULL) AS new,
      count(f.finding_id) FILTER (WHERE f.status = 'regressed' AND f.suppressed_by IS NULL) AS regressed,
      count(f.finding_id) FILTER (WHERE f.status = 'resolved') AS resolved,
      count(f.finding_id) FILTER (WHERE f.status <> 'resolved' AND f.suppressed_by IS NOT NULL) AS suppressed,
      (SELECT count(*) FROM actions a WHERE a.run_id = r.run_id) AS actions,
      (SELECT count(*) FROM actions a WHERE a.run_id = r.run_id AND a.state = 'verified') AS verified
    FROM runs r LEFT JOIN findings f ON f.run_id = r.run_id
    GROUP BY ALL ORDER BY r.seq DESC LIMIT ${Math.max(1, Math.floor(limit))}`);
  return rows.map((r) => ({
    seq: Number(r.seq), run_id: String(r.run_id), started_at: new Date(Number(r.started_ms)).toISOString(), status: String(r.status),
    stage: (r.stage as string | null) ?? null, mode: (r.mode as string | null) ?? null, authority_status: (r.authority_status as string | null) ?? null,
    tenants: Number(r.tenants), incomplete_tenants: Number(r.incomplete_tenants), open: Number(r.open), critical: Number(r.critical), high: Number(r.high),
    new: Number(r.new), regressed: Number(r.regressed), resolved: Number(r.resolved), suppressed: Number(r.suppressed),
    actions: Number(r.actions), verified: Number(r.verified),
  }));
}

export const runsCommand: Command<RunsArgs> = {
  command: 'runs',
  describe: 'List the runs in the database with their completeness and finding counts',
  examples: [
    ['nhi-recon runs', 'The 20 newest runs'],
    ['nhi-recon runs --limit 100 --json', 'The 100 newest runs as JSON'],
  ],
  builder(y: Argv<GlobalArgs>) {
    return y
      .option('limit', { type: 'number', default: 20, describe: 'How many runs to list (newest first)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' });
  },
  async run(args, io) {
    const { store } = await openContext(args, { readOnly: true });
    try {
      const runs = await listRuns(store, args.limit ?? 20);
      if (args.json) { io.out(JSON.stringify(runs, null, 2)); return 0; }
      if (!runs.length) { io.out('No runs yet: `nhi-recon scan` records the first one.'); return 0; }
      const lines = textTable(
        ['#', 'run', 'started (UTC)', 'status', 'tenants', 'open', 'crit', 'high', 'new', 'regr', 'resolved', 'muted', 'actions'],
        runs.map((r) => [r.seq, r.run_id, r.started_at.slice(0, 16).replace('T', ' '), r.status + (r.authority_status === 'failed' ? ' (authority failed)' : ''),
          r.incomplete_tenants ? `${r.tenants - r.incomplete_tenants}/${r.tenants} !` : `${r.tenants}/${r.tenants}`,
          r.open, r.critical, r.high, r.new, r.regressed, r.resolved, r.suppressed, r.actions ? `${r.verified}/${r.actions} verified` : '']),
      );
      for (const l of lines) io.out(l);
      return 0;
    } finally {
      store.close();
    }
  },
};

export default runsCommand;
