// Scale-out: each shard collects its tenants into its own database and exports its run as Parquet; one reconcile
// merges the exports into a new run. Completeness travels per tenant in source_runs, so a shard that failed (or never
// exported) leaves its tenants incomplete, never empty. See docs/scale-out.md for the guarantees.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { Store } from '../store/store.js';
import { sqlString } from '../store/store.js';
import { RECORD_TABLES, stageInsertSql, type RecordTable } from '../store/history.js';
import { createRun, getRun, latestRun, markRunFailed, setRunStage } from '../store/runs.js';
import { loadAuthorityFor } from './scan.js';
import { storeAuthority } from '../authority/index.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';

export const SHARD_TABLES = ['identities', 'credentials', 'entitlements', 'source_runs'] as const;

/** Suffix of an export still being written (or abandoned by a killed job): never read by a merge. */
const PARTIAL = '.partial';

export async function exportRun(store: Store, dir: string, runId?: string): Promise<{ runId: string; files: string[] }> {
  const run = runId ? await getRun(store, runId) : await latestRun(store);
  if (!run) throw new UserError('no collected run to export');
  if (run.status !== 'complete' && run.status !== 'partial') {
    // A failed run's rows were rolled back: exporting it would look like a shard with no tenants.
    throw new UserError(`run ${run.run_id} is ${run.status}, not collected: nothing to export`);
  }
  const out = resolve(dir, run.run_id);
  // Written beside the final folder and renamed into place, so a job killed mid-export leaves a folder a merge
  // skips rather than one missing some tables.
  const tmp = `${out}${PARTIAL}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  for (const t of SHARD_TABLES) {
    const file = join(tmp, `${t}.parquet`);
    await store.run(`COPY (SELECT * FROM ${t} WHERE run_id = ${sqlString(run.run_id)}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
  }
  // Re-exporting the same run replaces the earlier copy (same rows), it never sits beside it.
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  return { runId: run.run_id, files: SHARD_TABLES.map((t) => join(out, `${t}.parquet`)) };
}

/** One shard export folder: <dir>/<run_id>/{identities,credentials,entitlements,source_runs}.parquet. */
interface ShardExport { dir: string; runId: string; files: string[]; collectedAt: number | null }

export interface ImportResult {
  runId: string;
  /** Exports merged. */
  shards: number;
  /** Export folders left out because their collection is older than this database's latest run. */
  stale: string[];
  /** (source, tenant) pairs of the previous run that no export contains: recorded as failed. */
  missing: { source: string; tenant: string }[];
}

export async function importShards(store: Store, loaded: LoadedConfig, glob: string, opts: { log: Logger; now?: Date }): Promise<ImportResult> {
  const authority = await loadAuthorityFor(loaded);
  const exports = await findExports(store, glob, opts.log);
  const prev = await latestRun(store);
  const prevAt = prev ? Number(await store.value('SELECT epoch_ms(started_at) FROM runs WHERE run_id = $1', [prev.run_id])) : null;

  // An export collected before this database's latest run is old news (already merged, or superseded): merging it
  // would present last week's access as tonight's. Its tenants count as missing instead.
  const stale = prevAt !== null ? exports.filter((e) => e.collectedAt !== null && e.collectedAt < prevAt) : [];
  for (const e of stale) opts.log.warn(`skipping ${e.dir}: run ${e.runId} was collected before run ${prev!.run_id} of this database (a stale export)`);
  const fresh = exports.filter((e) => !stale.includes(e));
  if (!fresh.length) {
    // Re-running a merge over exports it already merged: a run with every tenant "missing" would only mislead.
    throw new UserError(`every export matching ${glob} was collected before run ${prev!.run_id} of this database: nothing new to merge (collect and export the shards again)`);
  }
  await refuseOverlaps(store, fresh);

  const run = await createRun(store, { mode: 'report', configFile: loaded.file, now: opts.now, origin: 'merged' });
  const runLit = sqlString(run.run_id);
  let missing: { source: string; tenant: string }[] = [];
  try {
    await store.transaction(async () => {
      await storeAuthority(store, run.run_id, authority);
      for (const t of SHARD_TABLES) {
        const files = fresh.map((e) => join(e.dir, `${t}.parquet`));
        const from = `SELECT * REPLACE (${runLit} AS run_id) FROM read_parquet(${sqlList(files)}, union_by_name = true)`;
        if ((RECORD_TABLES as readonly string[]).includes(t)) for (const sql of stageInsertSql(t as RecordTable, runLit, from)) await store.run(sql);
        else await store.run(`INSERT INTO ${t} ${from}`);
      }
      if (prev) missing = await recordMissingTenants(store, loaded, run.run_id, prev.run_id);
      const status = await store.value(`SELECT CASE WHEN count(*) > 0 AND bool_and(status = 'complete') THEN 'complete' ELSE 'partial' END FROM source_runs WHERE run_id = $1`, [run.run_id]);
      await store.run(`UPDATE runs SET authority_status = 'complete' WHERE run_id = $1`, [run.run_id]);
      await setRunStage(store, run.run_id, 'collect', status as 'complete' | 'partial');
    });
  } catch (e) {
    await markRunFailed(store, run.run_id, (e as Error).message);
    throw e;
  }
  for (const m of missing) opts.log.warn(`tenant ${m.source}/${m.tenant} is in no shard export: marked failed, its findings are carried, not resolved`);
  opts.log.info(`merged ${fresh.length} shard export(s) into run ${run.run_id}`);
  return { runId: run.run_id, shards: fresh.length, stale: stale.map((e) => e.dir), missing };
}

/** The export folders a glob names, each checked whole: all four tables, one run, and no run exported twice. */
async function findExports(store: Store, glob: string, log: Logger): Promise<ShardExport[]> {
  const found = (await store.all<{ file: string }>(`SELECT file FROM glob(${sqlString(resolve(glob))}) ORDER BY file`)).map((f) => f.file);
  if (!found.length) throw new UserError(`no Parquet files match ${glob}`);
  const byDir = new Map<string, string[]>();
  const partial = new Set<string>();
  for (const f of found) {
    const d = dirname(f);
    if (d.split(sep).some((seg) => seg.endsWith(PARTIAL))) { partial.add(d); continue; }
    const table = basename(f).replace(/\.parquet$/, '');
    if (!(SHARD_TABLES as readonly string[]).includes(table)) {
      throw new UserError(`${f} is not part of a shard export (expected ${SHARD_TABLES.map((t) => `${t}.parquet`).join(', ')}): narrow the --from glob`);
    }
    byDir.set(d, [...(byDir.get(d) ?? []), f]);
  }
  for (const d of partial) log.warn(`skipping ${d}: an unfinished export (its job stopped while exporting)`);
  if (!byDir.size) throw new UserError(`no finished shard export matches ${glob}`);

  const exports: ShardExport[] = [];
  for (const [dir, files] of byDir) {
    const lacking = SHARD_TABLES.filter((t) => !files.some((f) => basename(f) === `${t}.parquet`));
    if (lacking.length) throw new UserError(`${dir} is an incomplete shard export: ${lacking.map((t) => `${t}.parquet`).join(', ')} missing (re-export the shard, or remove the folder)`);
    // Every row of a folder must come from one run: a folder that mixes runs was assembled by hand.
    const runs = await store.all<{ run_id: string }>(
      `SELECT DISTINCT run_id FROM read_parquet(${sqlList(files)}, union_by_name = true) ORDER BY 1`);
    if (runs.length > 1) throw new UserError(`${dir} mixes rows of ${runs.length} runs (${runs.map((r) => r.run_id).join(', ')}): one export folder holds one run`);
    const collected = await store.value(`SELECT epoch_ms(min(started_at)) FROM read_parquet(${sqlString(join(dir, 'source_runs.parquet'))})`);
    exports.push({ dir, files, runId: runs[0]?.run_id ?? basename(dir), collectedAt: collected === null ? null : Number(collected) });
  }
  const seen = new Map<string, string>();
  for (const e of exports) {
    const other = seen.get(e.runId);
    if (other) throw new UserError(`run ${e.runId} is exported twice (${other} and ${e.dir}): keep one copy, a merge must not count it twice`);
    seen.set(e.runId, e.dir);
  }
  return exports;
}

/** Two exports holding the same (source, tenant) would double-count it: refuse, naming both. */
async function refuseOverlaps(store: Store, exports: ShardExport[]): Promise<void> {
  if (exports.length < 2) return;
  const files = exports.map((e) => join(e.dir, 'source_runs.parquet'));
  // tenant '*' is a source that failed before listing tenants: every shard may report one, and it covers nothing.
  const dup = await store.all<{ source: string; tenant: string; files: string[] }>(
    `SELECT source, tenant, list(DISTINCT filename ORDER BY filename) AS files
     FROM read_parquet(${sqlList(files)}, union_by_name = true, filename = true)
     WHERE tenant <> '*' GROUP BY source, tenant HAVING count(DISTINCT filename) > 1 ORDER BY source, tenant`);
  if (!dup.length) return;
  const lines = dup.slice(0, 10).map((d) => `  ${d.source}/${d.tenant}: ${d.files.map((f) => dirname(f)).join(' and ')}`);
  throw new UserError(`${dup.length} tenant(s) are in more than one shard export; a merge must not count them twice. ` +
    `Keep one export per shard (the newest) and remove the others:\n${lines.join('\n')}${dup.length > 10 ? `\n  … and ${dup.length - 10} more` : ''}`);
}

/**
 * Tenants the previous run held that no export brings (their shard's job died before exporting) get a failed
 * source_runs row: the run is then partial, the exit code says so, remediation refuses them, and their findings are
 * carried, not resolved. Only sources still configured (and, where tenants are listed, tenants still listed) count.
 */
async function recordMissingTenants(store: Store, loaded: LoadedConfig, runId: string, prevRunId: string): Promise<{ source: string; tenant: string }[]> {
  const sources = loaded.config.sources.filter((s) => s.enabled);
  if (!sources.length) return [];
  const scope = sources.map((s) => `(r.source = ${sqlString(s.name)}${s.tenants.length ? ` AND r.tenant IN ${sqlTuple(s.tenants)}` : ''})`).join(' OR ');
  const missing = await store.all<{ source: string; provider: string; tenant: string }>(
    `SELECT DISTINCT r.source, r.provider, r.tenant FROM source_runs r
     WHERE r.run_id = $1 AND r.tenant <> '*' AND (${scope})
       AND NOT EXISTS (SELECT 1 FROM source_runs c WHERE c.run_id = $2 AND c.source = r.source AND c.tenant = r.tenant)
     ORDER BY 1, 3`, [prevRunId, runId]);
  for (const m of missing) {
    await store.run(`INSERT INTO source_runs (run_id, source, provider, tenant, status, api_calls, cached_calls, rate_budget_used, rows, started_at, finished_at, error)
      VALUES ($1, $2, $3, $4, 'failed', 0, 0, 0, 0, NULL, NULL, $5)`,
    [runId, m.source, m.provider, m.tenant, `no shard export contains this tenant (run ${prevRunId} had it): its shard did not finish or did not export`]);
  }
  return missing.map(({ source, tenant }) => ({ source, tenant }));
}

function sqlList(items: string[]): string { return `[${items.map(sqlString).join(', ')}]`; }
function sqlTuple(items: string[]): string { return `(${items.map(sqlString).join(', ')})`; }

