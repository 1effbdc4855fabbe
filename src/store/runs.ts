// Run bookkeeping. A run is created (committed) as `running` before any stage writes, so a crash leaves a visible
// failed run; its rows are written in one transaction and only a committed run is ever read as current.
import { randomBytes } from 'node:crypto';
import type { Store } from './store.js';
import { EXIT, UserError } from '../errors.js';
import { mergeStagedRecords } from './history.js';

export type RunStatus = 'running' | 'complete' | 'partial' | 'failed';

/**
 * Where a run is in its life, kept apart from how complete its collection was (`status`). Only a run whose reconcile
 * committed is evidence: a run killed or stopped after collecting has no findings, and reading it would say "0 open".
 * collecting → collected → reconciled → reported; failed when collection did not commit (or its process died).
 */
export type RunState = 'collecting' | 'collected' | 'reconciled' | 'reported' | 'failed';
export const EVIDENCE_STATES: readonly RunState[] = ['reconciled', 'reported'];

/** The state of a run row in SQL (alias r), derived from the older columns for rows written before the state column. */
export const RUN_STATE_SQL = `coalesce(r.state, CASE WHEN r.status = 'running' THEN 'collecting' WHEN r.status = 'failed' THEN 'failed'
  WHEN r.reconciled_at IS NULL THEN 'collected' WHEN r.stage = 'report' THEN 'reported' ELSE 'reconciled' END)`;

/** The error shown for a run whose process died: a read-only open sees it before any writer has marked it failed. */
export const ABANDONED = 'the process ended before the run committed';

export interface RunRow {
  run_id: string;
  seq: number;
  started_at: Date;
  finished_at: Date | null;
  status: RunStatus;
  stage: string | null;
  mode: string | null;
  config_file: string | null;
  authority_status: string | null;
  authority_error: string | null;
  error: string | null;
  origin: string | null;
  state: RunState;
  reconciled_at?: Date | null;
}

/**
 * A run row as the reader should see it. A read-only open succeeds only while no process holds the database for
 * writing, so a run still marked running there belongs to a process that died: show it failed, as the next writer
 * will mark it.
 */
export function viewRun(store: Store, row: Record<string, unknown> | undefined): RunRow | undefined {
  if (!row) return undefined;
  const r = row as unknown as RunRow;
  let state = (r.state ?? deriveState(r)) as RunState;
  if (store.readOnly && (r.status === 'running' || state === 'collecting')) {
    return { ...r, status: 'failed', state: 'failed', error: r.error ?? `abandoned: ${ABANDONED}` };
  }
  return { ...r, state };
}

function deriveState(r: RunRow): RunState {
  if (r.status === 'running') return 'collecting';
  if (r.status === 'failed') return 'failed';
  if (r.reconciled_at == null) return 'collected';
  return r.stage === 'report' ? 'reported' : 'reconciled';
}

export function isEvidence(run: RunRow): boolean {
  return EVIDENCE_STATES.includes(run.state);
}

/** What a run is, in words, for messages that refuse to read it. */
export function describeState(run: RunRow): string {
  switch (run.state) {
    case 'collecting': return 'still collecting (or its process died)';
    case 'collected': return 'unreconciled: it was collected but its reconcile never committed, so it has no findings';
    case 'failed': return `failed (${run.error ?? 'no detail'}), so it holds no findings`;
    default: return run.state;
  }
}

/**
 * Refuse a run that is not evidence (exit 3: what it would show is not the whole truth), naming it and its state.
 * `use` says what the caller wanted to do with it.
 */
export function requireEvidence(run: RunRow, use: string): RunRow {
  if (isEvidence(run)) return run;
  throw new UserError(`run #${run.seq} (${run.run_id}) is ${describeState(run)}; it cannot be used to ${use}. \`nhi-recon runs\` lists the runs and their states`, EXIT.incomplete);
}

// Six random bytes: tests (and shards) start many runs at one fixed instant, where three bytes could collide.
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `run-${stamp}-${randomBytes(6).toString('hex')}`;
}

export async function createRun(store: Store, opts: { mode?: string; configFile?: string | null; now?: Date; origin?: string } = {}): Promise<RunRow> {
  const now = opts.now ?? new Date();
  const runId = newRunId(now);
  const seq = Number(await store.value('SELECT coalesce(max(seq), 0) + 1 FROM runs'));
  await store.run(
    `INSERT INTO runs (run_id, seq, started_at, status, state, mode, config_file, origin) VALUES ($1, $2, $3::TIMESTAMP, 'running', 'collecting', $4, $5, $6)`,
    [runId, seq, now.toISOString(), opts.mode ?? 'report', opts.configFile ?? null, opts.origin ?? 'local'],
  );
  return (await getRun(store, runId))!;
}

export async function getRun(store: Store, runId: string): Promise<RunRow | undefined> {
  return viewRun(store, await store.one('SELECT * FROM runs WHERE run_id = $1', [runId]));
}

/** The newest run that committed its collection (complete or partial), optionally before a given sequence. */
export async function latestRun(store: Store, opts: { beforeSeq?: number; withStage?: string; reconciled?: boolean } = {}): Promise<RunRow | undefined> {
  const conds = [`status IN ('complete', 'partial')`];
  if (opts.reconciled) conds.push(`reconciled_at IS NOT NULL AND ${RUN_STATE_SQL} IN ('reconciled', 'reported')`);
  const params: (number | string)[] = [];
  if (opts.beforeSeq !== undefined) { params.push(opts.beforeSeq); conds.push(`seq < $${params.length}`); }
  if (opts.withStage) { params.push(opts.withStage); conds.push(`stage = $${params.length}`); }
  return viewRun(store, await store.one(`SELECT * FROM runs r WHERE ${conds.join(' AND ')} ORDER BY seq DESC LIMIT 1`, params));
}

/**
 * Resolve a user's run reference: an id, `latest`, `previous`, or a sequence number. `latest` and `previous` name
 * reconciled runs: a run that was collected but never reconciled (a scan killed mid-reconcile) has no findings yet
 * and must not be read as a clean run by report, diff or plan. `collected: true` (reconcile, export) drops that filter.
 */
export async function resolveRun(store: Store, ref: string, opts: { collected?: boolean } = {}): Promise<RunRow | undefined> {
  const reconciled = !opts.collected;
  if (ref === 'latest') return latestRun(store, { reconciled });
  if (ref === 'previous') {
    const last = await latestRun(store, { reconciled });
    return last ? latestRun(store, { beforeSeq: last.seq, reconciled }) : undefined;
  }
  if (/^\d+$/.test(ref)) return viewRun(store, await store.one('SELECT * FROM runs WHERE seq = $1', [Number(ref)]));
  return getRun(store, ref);
}

export async function setRunStage(store: Store, runId: string, stage: string, status?: RunStatus, error?: string | null): Promise<void> {
  // The state moves forward only: reporting an old run again, or planning from it, never makes it less than it was.
  await store.run(
    `UPDATE runs SET stage = $2, status = coalesce($3, status), error = coalesce($4, error),
       state = CASE WHEN $3 = 'failed' THEN 'failed'
                    WHEN $2 = 'collect' AND coalesce(state, 'collecting') = 'collecting' THEN 'collected'
                    WHEN $2 = 'reconcile' AND reconciled_at IS NOT NULL AND coalesce(state, 'collected') IN ('collected', 'reconciled') THEN 'reconciled'
                    WHEN $2 = 'report' AND reconciled_at IS NOT NULL THEN 'reported'
                    ELSE state END,
       finished_at = CASE WHEN $3 IS NULL OR $3 = 'running' THEN finished_at ELSE now() END WHERE run_id = $1`,
    [runId, stage, status ?? null, error ?? null],
  );
  // A committed collection is folded into the record intervals (in the caller's transaction when there is one).
  if (stage === 'collect' && status !== 'failed') await mergeStagedRecords(store, runId);
}

export async function markRunFailed(store: Store, runId: string, error: string): Promise<void> {
  await store.run(`UPDATE runs SET status = 'failed', state = 'failed', finished_at = now(), error = $2 WHERE run_id = $1`, [runId, error]);
}

/** Tenants whose collection in this run was not complete: their findings may not be resolved, nor acted on. */
export async function incompleteTenants(store: Store, runId: string): Promise<{ provider: string; tenant: string; source: string; status: string; error: string | null }[]> {
  return store.all(`SELECT provider, tenant, source, status, error FROM source_runs WHERE run_id = $1 AND status <> 'complete' ORDER BY 1, 2`, [runId]);
}
