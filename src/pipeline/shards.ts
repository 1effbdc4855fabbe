// Scale-out: each shard collects its tenants into its own database and exports its run as Parquet; one reconcile
// merges the exports into a new run. Completeness travels per tenant in source_runs, so a shard that failed (or never
// exported) leaves its tenants incomplete, never empty.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { Store } from '../store/store.js';
import { sqlString } from '../store/store.js';
import { createRun, latestRun, markRunFailed, setRunStage } from '../store/runs.js';
import { loadAuthorityFor } from './scan.js';
import { storeAuthority } from '../authority/index.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';

export const SHARD_TABLES = ['identities', 'credentials', 'entitlements', 'source_runs'] as const;

export async function exportRun(store: Store, dir: string, runId?: string): Promise<{ runId: string; files: string[] }> {
  const run = runId ? { run_id: runId } : await latestRun(store);
  if (!run) throw new UserError('no collected run to export');
  const out = resolve(dir, run.run_id);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  for (const t of SHARD_TABLES) {
    const file = join(out, `${t}.parquet`);
    await store.run(`COPY (SELECT * FROM ${t} WHERE run_id = ${sqlString(run.run_id)}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
    files.push(file);
  }
  return { runId: run.run_id, files };
}

export async function importShards(store: Store, loaded: LoadedConfig, glob: string, opts: { log: Logger; now?: Date }): Promise<{ runId: string; shards: number }> {
  const authority = await loadAuthorityFor(loaded);
  const pattern = resolve(glob);
  const found = await store.all<{ file: string }>(`SELECT file FROM glob(${sqlString(pattern)})`);
  if (!found.length) throw new UserError(`no Parquet files match ${glob}`);
  const run = await createRun(store, { mode: 'report', configFile: loaded.file, now: opts.now, origin: 'merged' });
  try {
    await store.transaction(async () => {
      await storeAuthority(store, run.run_id, authority);
      for (const t of SHARD_TABLES) {
        const files = found.map((f) => f.file).filter((f) => f.endsWith(`/${t}.parquet`));
        if (!files.length) continue;
        const list = `[${files.map(sqlString).join(', ')}]`;
        await store.run(`INSERT INTO ${t} SELECT * REPLACE (${sqlString(run.run_id)} AS run_id) FROM read_parquet(${list}, union_by_name = true)`);
      }
      const status = await store.value(`SELECT CASE WHEN count(*) > 0 AND bool_and(status = 'complete') THEN 'complete' ELSE 'partial' END FROM source_runs WHERE run_id = $1`, [run.run_id]);
      await store.run(`UPDATE runs SET authority_status = 'complete' WHERE run_id = $1`, [run.run_id]);
      await setRunStage(store, run.run_id, 'collect', status as 'complete' | 'partial');
    });
  } catch (e) {
    await markRunFailed(store, run.run_id, (e as Error).message);
    throw e;
  }
  const shards = new Set(found.map((f) => f.file.split('/').slice(-2, -1)[0])).size;
  opts.log.info(`merged ${shards} shard export(s) into run ${run.run_id}`);
  return { runId: run.run_id, shards };
}
