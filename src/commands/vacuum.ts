// `nhi-recon vacuum`: folds any unmerged collection into the record intervals, optionally drops record intervals that
// ended long ago, and rewrites the database file without its free space. Findings, actions and guard decisions are
// evidence and are never dropped.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
import type { Command, GlobalArgs } from './types.js';
import { loadConfigFor } from './context.js';
import { Store, sqlString } from '../store/store.js';
import { mergeStagedRecords, RECORD_TABLES, spanTable } from '../store/history.js';
import { UserError } from '../errors.js';

export interface VacuumArgs { 'records-older-than'?: number; json?: boolean }

export interface VacuumResult { before_bytes: number; after_bytes: number; merged_runs: number; dropped_intervals: number }

/** Record intervals (and incomplete sightings) that ended before `days` ago; open intervals are always kept. */
export async function dropOldIntervals(store: Store, days: number, now = new Date()): Promise<number> {
  const cutoff = `${sqlString(new Date(now.getTime() - days * 86_400_000).toISOString())}::TIMESTAMPTZ::TIMESTAMP`;
  let n = 0;
  await store.transaction(async () => {
    for (const t of RECORD_TABLES) {
      const where = `to_seq IS NOT NULL AND to_seq <= (SELECT coalesce(max(seq), 0) FROM runs WHERE started_at < ${cutoff})`;
      n += Number(await store.value(`SELECT count(*) FROM ${spanTable(t)} WHERE ${where}`));
      await store.run(`DELETE FROM ${spanTable(t)} WHERE ${where}`);
    }
  });
  return n;
}

export async function vacuum(file: string, opts: { recordsOlderThanDays?: number; memoryLimit?: string; now?: Date } = {}): Promise<VacuumResult> {
  if (!existsSync(file)) throw new UserError(`database ${file} does not exist`);
  const before = statSync(file).size;
  const store = await Store.open(file, { memoryLimit: opts.memoryLimit });
  let merged = 0, dropped = 0;
  const compact = `${file}.vacuum`;
  rmSync(compact, { force: true });
  try {
    merged = (await mergeStagedRecords(store)).runs;
    if (opts.recordsOlderThanDays !== undefined) dropped = await dropOldIntervals(store, opts.recordsOlderThanDays, opts.now);
    // Scratch rows a killed reconcile left (never evidence: nothing reads them; the database is ours alone while open).
    await store.run('DELETE FROM findings_work');
    await store.run('CHECKPOINT');
    // DuckDB reuses free blocks but never shrinks a file: copying into a new one is the only way to give space back.
    const db = String(await store.value('SELECT current_database()'));
    await store.run(`ATTACH ${sqlString(compact)} AS nhi_vacuum`);
    await store.run(`COPY FROM DATABASE "${db.replaceAll('"', '""')}" TO nhi_vacuum`);
    await store.run('DETACH nhi_vacuum');
  } catch (e) {
    rmSync(compact, { force: true });
    throw new UserError(`vacuum failed, the database is unchanged: ${(e as Error).message}`);
  } finally {
    store.close();
  }
  // The copy is complete and closed: it replaces the original in one rename (same directory, same owner-only mode).
  renameSync(compact, file);
  rmSync(`${compact}.wal`, { force: true });
  return { before_bytes: before, after_bytes: statSync(file).size, merged_runs: merged, dropped_intervals: dropped };
}

export const vacuumCommand: Command<VacuumArgs> = {
  command: 'vacuum',
  describe: 'Reclaim space in the database (and optionally drop record intervals that ended long ago)',
  examples: [
    ['nhi-recon vacuum', 'Rewrite the database without its free space'],
    ['nhi-recon vacuum --records-older-than 400', 'Also drop record intervals that ended over 400 days ago (findings are kept)'],
  ],
  builder(y: Argv<GlobalArgs>) {
    return y
      .option('records-older-than', { type: 'number', describe: 'Drop record intervals that ended more than this many days ago' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' });
  },
  async run(args, io) {
    const loaded = await loadConfigFor(args);
    const days = args['records-older-than'];
    if (days !== undefined && !(Number.isFinite(days) && days >= 0)) throw new UserError(`--records-older-than takes a number of days, got ${String(days)}`);
    const r = await vacuum(loaded.config.database, { recordsOlderThanDays: days, memoryLimit: loaded.config.memory_limit });
    if (args.json) { io.out(JSON.stringify(r, null, 2)); return 0; }
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
    io.out(`${loaded.config.database}: ${mb(r.before_bytes)} → ${mb(r.after_bytes)}${r.merged_runs ? `; merged ${r.merged_runs} pending run(s)` : ''}${days !== undefined ? `; dropped ${r.dropped_intervals} record interval(s) that ended over ${days} days ago` : ''}`);
    return 0;
  },
};

export default vacuumCommand;
