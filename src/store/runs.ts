// Run bookkeeping. A run is created (committed) as `running` before any stage writes, so a crash leaves a visible
// failed run; its rows are written in one transaction and only a committed run is ever read as current.
import { randomBytes } from 'node:crypto';
import type { Store } from './store.js';

export type RunStatus = 'running' | 'complete' | 'partial' | 'failed';

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
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function createRun(store: Store, opts: { mode?: string; configFile?: string | null; now?: Date; origin?: string } = {}): Promise<RunRow> {
  const now = opts.now ?? new Date();
  const runId = newRunId(now);
  const seq = Number(await store.value('SELECT coalesce(max(seq), 0) + 1 FROM runs'));
  await store.run(
    `INSERT INTO runs (run_id, seq, started_at, status, mode, config_file, origin) VALUES ($1, $2, $3::TIMESTAMP, 'running', $4, $5, $6)`,
    [runId, seq, now.toISOString(), opts.mode ?? 'report', opts.configFile ?? null, opts.origin ?? 'local'],
  );
  return (await getRun(store, runId))!;
}

export async function getRun(store: Store, runId: string): Promise<RunRow | undefined> {
  return store.one<RunRow & Record<string, unknown>>('SELECT * FROM runs WHERE run_id = $1', [runId]);
}

/** The newest run that committed its collection (complete or partial), optionally before a given sequence. */
export async function latestRun(store: Store, opts: { beforeSeq?: number; withStage?: string; reconciled?: boolean } = {}): Promise<RunRow | undefined> {
  const conds = [`status IN ('complete', 'partial')`];
  if (opts.reconciled) conds.push('reconciled_at IS NOT NULL');
  const params: (number | string)[] = [];
  if (opts.beforeSeq !== undefined) { params.push(opts.beforeSeq); conds.push(`seq < $${params.length}`); }
  if (opts.withStage) { params.push(opts.withStage); conds.push(`stage = $${params.length}`); }
  return store.one<RunRow & Record<string, unknown>>(`SELECT * FROM runs WHERE ${conds.join(' AND ')} ORDER BY seq DESC LIMIT 1`, params);
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
  if (/^\d+$/.test(ref)) return store.one<RunRow & Record<string, unknown>>('SELECT * FROM runs WHERE seq = $1', [Number(ref)]);
  return getRun(store, ref);
}

export async function setRunStage(store: Store, runId: string, stage: string, status?: RunStatus, error?: string | null): Promise<void> {
  await store.run(
    `UPDATE runs SET stage = $2, status = coalesce($3, status), error = coalesce($4, error),
       finished_at = CASE WHEN $3 IS NULL OR $3 = 'running' THEN finished_at ELSE now() END WHERE run_id = $1`,
    [runId, stage, status ?? null, error ?? null],
  );
}

export async function markRunFailed(store: Store, runId: string, error: string): Promise<void> {
  await store.run(`UPDATE runs SET status = 'failed', finished_at = now(), error = $2 WHERE run_id = $1`, [runId, error]);
}

/** Tenants whose collection in this run was not complete: their findings may not be resolved, nor acted on. */
export async function incompleteTenants(store: Store, runId: string): Promise<{ provider: string; tenant: string; source: string; status: string; error: string | null }[]> {
  return store.all(`SELECT provider, tenant, source, status, error FROM source_runs WHERE run_id = $1 AND status <> 'complete' ORDER BY 1, 2`, [runId]);
}
