// `nhi-recon diff A B`: which findings are new, resolved or regressed going from run A to run B. Findings are matched
// by their stable finding_id; "open" means not resolved (a muted finding is still open, and is marked as muted).
import type { Argv } from 'yargs';
import type { Command, GlobalArgs } from './types.js';
import { openContext } from './context.js';
import { textTable } from '../reports/table.js';
import { requireEvidence, resolveRun, type RunRow } from '../store/runs.js';
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';

export interface DiffArgs { a?: string; b?: string; json?: boolean; limit?: number }

export interface DiffRow { finding_id: string; rule_id: string; severity: string; provider: string | null; tenant: string | null; subject_ref: string; owner: string | null; suppressed_by: string | null; reason: string }
export interface RunDiff { from: { run_id: string; seq: number }; to: { run_id: string; seq: number }; new: DiffRow[]; resolved: DiffRow[]; regressed: DiffRow[]; still_open: number }

export async function diffRuns(store: Store, a: RunRow, b: RunRow): Promise<RunDiff> {
  const rows = await store.all(`
    WITH oa AS (SELECT * FROM findings WHERE run_id = $1 AND status <> 'resolved'),
         ob AS (SELECT * FROM findings WHERE run_id = $2 AND status <> 'resolved'),
         -- seen (open or resolved) in any run up to A: such a finding reopening in B is a regression, not new
         seen AS (SELECT DISTINCT f.finding_id FROM findings f JOIN runs r ON r.run_id = f.run_id WHERE r.seq <= $3)
    SELECT * FROM (
    SELECT 'new' AS kind, ob.* FROM ob WHERE ob.finding_id NOT IN (SELECT finding_id FROM oa) AND ob.finding_id NOT IN (SELECT finding_id FROM seen)
    UNION ALL
    SELECT 'regressed' AS kind, ob.* FROM ob WHERE ob.finding_id NOT IN (SELECT finding_id FROM oa) AND ob.finding_id IN (SELECT finding_id FROM seen)
    UNION ALL
    SELECT 'resolved' AS kind, oa.* FROM oa WHERE oa.finding_id NOT IN (SELECT finding_id FROM ob)
    UNION ALL
    SELECT 'still_open' AS kind, ob.* FROM ob WHERE ob.finding_id IN (SELECT finding_id FROM oa))
    ORDER BY kind, CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, rule_id, subject_ref`,
  [a.run_id, b.run_id, a.seq]);
  const pick = (kind: string): DiffRow[] => rows.filter((r) => r.kind === kind).map((r) => ({
    finding_id: String(r.finding_id), rule_id: String(r.rule_id), severity: String(r.severity), provider: (r.provider as string | null) ?? null,
    tenant: (r.tenant as string | null) ?? null, subject_ref: String(r.subject_ref), owner: (r.owner as string | null) ?? null,
    suppressed_by: (r.suppressed_by as string | null) ?? null, reason: String(r.reason),
  }));
  return {
    from: { run_id: a.run_id, seq: a.seq }, to: { run_id: b.run_id, seq: b.seq },
    new: pick('new'), resolved: pick('resolved'), regressed: pick('regressed'), still_open: rows.filter((r) => r.kind === 'still_open').length,
  };
}

export const diffCommand: Command<DiffArgs> = {
  command: 'diff [a] [b]',
  describe: 'Show the findings that are new, resolved or regressed between two runs',
  examples: [
    ['nhi-recon diff', 'Compare the previous run with the latest'],
    ['nhi-recon diff 12 15', 'What changed from run #12 to run #15'],
    ['nhi-recon diff previous latest --json', 'The same as JSON, for a script'],
  ],
  builder(y: Argv<GlobalArgs>) {
    return y
      .positional('a', { type: 'string', default: 'previous', describe: 'The earlier run (id, sequence number, latest, previous)' })
      .positional('b', { type: 'string', default: 'latest', describe: 'The later run' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON' })
      .option('limit', { type: 'number', default: 100, describe: 'Rows shown per section in the table output' });
  },
  async run(args, io) {
    const { store } = await openContext(args, { readOnly: true });
    try {
      const a = await resolveRun(store, args.a ?? 'previous');
      const b = await resolveRun(store, args.b ?? 'latest');
      if (!a || !b) throw new UserError(`run "${!a ? args.a ?? 'previous' : args.b ?? 'latest'}" not found: \`nhi-recon runs\` lists the runs (a diff needs two)`);
      requireEvidence(a, 'diff findings');
      requireEvidence(b, 'diff findings');
      if (a.seq > b.seq) throw new UserError(`run #${a.seq} is newer than run #${b.seq}: give the earlier run first`);
      const d = await diffRuns(store, a, b);
      if (args.json) { io.out(JSON.stringify(d, null, 2)); return 0; }
      io.out(`Run #${a.seq} → run #${b.seq}: ${d.new.length} new, ${d.regressed.length} regressed, ${d.resolved.length} resolved, ${d.still_open} still open.`);
      const limit = Math.max(1, args.limit ?? 100);
      for (const [title, list] of [['New', d.new], ['Regressed', d.regressed], ['Resolved', d.resolved]] as const) {
        if (!list.length) continue;
        io.out('');
        io.out(`${title} (${list.length}):`);
        for (const l of textTable(['severity', 'rule', 'subject', 'owner', 'finding'],
          list.slice(0, limit).map((r) => [r.severity, r.rule_id, r.subject_ref + (r.suppressed_by ? ` [muted: ${r.suppressed_by}]` : ''), r.owner ?? '(none)', r.finding_id]))) io.out(`  ${l}`);
        if (list.length > limit) io.out(`  … and ${list.length - limit} more (--json for all)`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};

export default diffCommand;
