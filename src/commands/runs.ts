// `nhi-recon runs`: the history in the database, newest first, with how complete each run was and its counts.
import type { Argv } from 'yargs';
import type { Command, GlobalArgs } from './types.js';
import { openContext } from './context.js';
import { textTable } from '../reports/table.js';
import type { Store } from '../store/store.js';
import { isEvidence, RUN_STATE_SQL, viewRun, type RunRow, type RunState } from '../store/runs.js';

export interface RunsArgs { limit?: number; json?: boolean }

/**
 * One run. `state` is where the run is in its life (collecting, collected, reconciled, reported, failed) and
 * `evidence` whether its findings may be read: the finding counts of a run that is not evidence are null, never 0.
 */
export interface RunSummaryRow {
  seq: number; run_id: string; started_at: string; status: string; state: RunState; evidence: boolean; error: string | null;
  stage: string | null; mode: string | null;
  tenants: number; incomplete_tenants: number; authority_status: string | null;
  open: number | null; critical: number | null; high: number | null; new: number | null; regressed: number | null; resolved: number | null;
  suppressed: number | null; actions: number; verified: number;
}

/** The state as the table shows it: a collected run that was never reconciled says so. */
function stateLabel(r: RunSummaryRow): string {
  if (r.state === 'collected') return 'unreconciled';
  if (r.state === 'failed') return r.error?.startsWith('abandoned') ? 'failed (abandoned)' : 'failed';
  if (r.state === 'collecting') return 'collecting';
  return r.status + (r.authority_status === 'failed' ? ' (authority failed)' : '');
}

export async function listRuns(store: Store, limit = 20): Promise<RunSummaryRow[]> {
  const rows = await store.all(`
    SELECT r.seq, r.run_id, epoch_ms(r.started_at) AS started_ms, r.status, r.stage, r.mode, r.authority_status, r.error, r.reconciled_at,
      ${RUN_STATE_SQL} AS state,
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
  return rows.map((row) => {
    // viewRun: a read-only open shows a run of a dead process as failed (abandoned), not as running.
    const r = { ...row, ...viewRun(store, row) } as Record<string, unknown> & RunRow;
    const evidence = isEvidence(r);
    const count = (v: unknown): number | null => (evidence ? Number(v) : null);
    return {
      seq: Number(r.seq), run_id: String(r.run_id), started_at: new Date(Number(r.started_ms)).toISOString(), status: String(r.status),
      state: r.state, evidence, error: r.error ?? null,
      stage: (r.stage as string | null) ?? null, mode: (r.mode as string | null) ?? null, authority_status: (r.authority_status as string | null) ?? null,
      tenants: Number(r.tenants), incomplete_tenants: Number(r.incomplete_tenants), open: count(r.open), critical: count(r.critical), high: count(r.high),
      new: count(r.new), regressed: count(r.regressed), resolved: count(r.resolved), suppressed: count(r.suppressed),
      actions: Number(r.actions), verified: Number(r.verified),
    };
  });
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
        runs.map((r) => [r.seq, r.run_id, r.started_at.slice(0, 16).replace('T', ' '), stateLabel(r),
          r.incomplete_tenants || !r.tenants ? `${r.tenants - r.incomplete_tenants}/${r.tenants} !` : `${r.tenants}/${r.tenants}`,
          ...[r.open, r.critical, r.high, r.new, r.regressed, r.resolved, r.suppressed].map((n) => n ?? '-'), r.actions ? `${r.verified}/${r.actions} verified` : '']),
      );
      for (const l of lines) io.out(l);
      return 0;
    } finally {
      store.close();
    }
  },
};

export default runsCommand;
