// The stages of a run, each usable alone: collect (authority snapshot + sources, committed as one unit),
// reconcile, report. `scan` runs them in order. Exit codes are decided here, once.
import type { LoadedConfig } from '../config/load.js';
import { loadAuthority, storeAuthority, type Authority } from '../authority/index.js';
import { collect, type CollectOptions, type TenantOutcome } from './collect.js';
import { reconcile, type ReconcileSummary } from '../reconcile/engine.js';
import { judgeAuthority, recordDecisions, type GuardOptions } from './guards.js';
import { createRun, describeState, getRun, incompleteTenants, latestRun, markRunFailed, RUN_STATE_SQL, setRunStage, type RunRow } from '../store/runs.js';
import type { Store } from '../store/store.js';
import { EXIT, UserError } from '../errors.js';
import { SEVERITY_RANK, type Severity } from '../model/index.js';
import type { Logger } from '../log.js';

export async function loadAuthorityFor(loaded: LoadedConfig, guard: GuardOptions = {}): Promise<Authority> {
  const a = loaded.config.authority;
  if (a.required && a.grants.length === 0 && a.decisions.length === 0 && a.terraform.length === 0) {
    throw new UserError(`${loaded.file ?? '(config)'} authority.grants: no grant files configured: every entitlement would look ungranted. Configure grants, or set authority.required: false to report without them.`);
  }
  const authority = await loadAuthority(a);
  await judgeAuthority(loaded, authority, guard); // an empty grant file is refused here, before any run exists
  return authority;
}

export interface CollectStageResult { run: RunRow; outcomes: TenantOutcome[] }

/** Authority and collection of one run, committed together; a failure leaves the run marked failed and nothing else. */
export async function collectStage(store: Store, loaded: LoadedConfig, opts: Omit<CollectOptions, 'runId'> & { mode?: string }): Promise<CollectStageResult> {
  // Records are validated before a run exists: a broken grant file must stop everything (exit 2), not look like findings.
  const authority = await loadAuthorityFor(loaded, opts);
  // The grant set is also judged against the previous run's: a shrunken one is refused (exit 2) unless accepted.
  const authorityDecisions = await judgeAuthority(loaded, authority, opts, store);
  const run = await createRun(store, { mode: opts.mode, configFile: loaded.file, now: opts.now });
  try {
    const outcomes = await store.transaction(async () => {
      await storeAuthority(store, run.run_id, authority);
      await recordDecisions(store, run.run_id, authorityDecisions);
      const out = await collect(store, loaded, { ...opts, runId: run.run_id });
      const status = out.length > 0 && out.every((o) => o.status === 'complete') ? 'complete' : 'partial';
      await store.run(`UPDATE runs SET authority_status = 'complete' WHERE run_id = $1`, [run.run_id]);
      await setRunStage(store, run.run_id, 'collect', status);
      return out;
    });
    return { run: { ...run, status: outcomes.every((o) => o.status === 'complete') ? 'complete' : 'partial' }, outcomes };
  } catch (e) {
    await markRunFailed(store, run.run_id, (e as Error).message);
    throw e;
  }
}

export async function reconcileStage(store: Store, loaded: LoadedConfig, runId?: string, now?: Date): Promise<{ runId: string; summary: ReconcileSummary }> {
  const run = runId ? await getRun(store, runId) : await latestRun(store);
  if (!run) throw new UserError(runId ? `run ${runId} does not exist` : 'no collected run to reconcile: run `nhi-recon collect` (or `scan`) first');
  await assertReconcilable(store, run);
  const p = loaded.config.policy;
  const summary = await reconcile(store, {
    runId: run.run_id, now,
    policy: { stale_days: p.stale_days, grace_days: p.grace_days, max_credential_age_days: p.max_credential_age_days,
      max_credential_lifetime_days: p.max_credential_lifetime_days, providers: p.providers, disabled_rules: p.disabled_rules,
      review: { max_grant_days: p.max_grant_days, review_every_days: p.review_every_days, break_glass: loaded.config.break_glass, break_glass_window_days: p.break_glass_window_days } },
  });
  await setRunStage(store, run.run_id, 'reconcile');
  return { runId: run.run_id, summary };
}

/**
 * Reconcile never rewrites history: a reconciled run keeps the findings it was reconciled with (today's clock and
 * config would change them), and a run left unreconciled behind a later reconciled run stays so (reconciling it now
 * would put a new baseline into the middle of the finding history). Both are refused (exit 2) with what to do instead.
 */
export async function assertReconcilable(store: Store, run: RunRow): Promise<void> {
  const label = `run #${run.seq} (${run.run_id})`;
  if (run.state === 'reconciled' || run.state === 'reported') {
    throw new UserError(`${label} is already reconciled${run.reconciled_at ? ` (at ${new Date(run.reconciled_at).toISOString()})` : ''}; its findings are a record and are not recomputed. Run \`nhi-recon collect\` then \`nhi-recon reconcile\` (or \`scan\`) for a new run`);
  }
  if (run.state !== 'collected') throw new UserError(`${label} is ${describeState(run)}; only a collected run can be reconciled. Run \`nhi-recon scan\` for a new run`);
  const later = await store.one<{ seq: number }>(`SELECT seq FROM runs r WHERE seq > $1 AND ${RUN_STATE_SQL} IN ('reconciled', 'reported') ORDER BY seq LIMIT 1`, [run.seq]);
  if (later) {
    throw new UserError(`${label} was never reconciled, and run #${later.seq} after it already is: reconciling it now would rewrite the finding history. It stays unreconciled; run \`nhi-recon scan\` for a new run`);
  }
}

export interface ReportStageOptions { formats: string[]; outDir: string; byOwner?: boolean; now?: Date; log?: Logger }

export async function reportStage(store: Store, loaded: LoadedConfig, runId: string, opts: ReportStageOptions): Promise<string[]> {
  const { writeReports, parseFormats } = await import('../reports/index.js');
  const { files } = await writeReports(store, {
    runId, formats: parseFormats(opts.formats, loaded.config.reports.formats), outDir: opts.outDir, byOwner: opts.byOwner, includeResolved: loaded.config.reports.include_resolved, now: opts.now,
  });
  await setRunStage(store, runId, 'report');
  return files.map((f) => f.path);
}

/** Exit code of a finished run: incomplete collection outranks findings, because findings from it are not the whole truth. */
export async function exitCodeFor(store: Store, runId: string, failOn: string): Promise<number> {
  if ((await incompleteTenants(store, runId)).length) return EXIT.incomplete;
  // No tenant collected at all is not "everything complete".
  if (Number(await store.value('SELECT count(*) FROM source_runs WHERE run_id = $1', [runId])) === 0) return EXIT.incomplete;
  if (failOn === 'none') return EXIT.ok;
  const min = SEVERITY_RANK[failOn as Severity];
  if (min === undefined) throw new UserError(`--fail-on takes none, info, low, medium, high or critical, got "${failOn}"`);
  const sevs = (await store.all<{ severity: Severity }>(
    `SELECT DISTINCT severity FROM findings WHERE run_id = $1 AND status <> 'resolved' AND suppressed_by IS NULL`, [runId])).map((r) => r.severity);
  return sevs.some((s) => SEVERITY_RANK[s] >= min) ? EXIT.findings : EXIT.ok;
}
