import type { Command } from './types.js';
import { openContext } from './context.js';
import { exitCodeFor, reconcileStage } from '../pipeline/scan.js';
import { incompleteTenants, resolveRun } from '../store/runs.js';
import { UserError } from '../errors.js';
import { formatSummary } from './summary.js';

export interface ReconcileArgs { run?: string; from?: string }

export const command: Command<ReconcileArgs> = {
  command: 'reconcile',
  describe: 'Compare a collected run with the authoritative records and compute findings',
  examples: [
    ['$0 reconcile', 'reconcile the latest collected run'],
    ["$0 reconcile --from 'shards/**/*.parquet'", 'merge exported shards into one run and reconcile it'],
  ],
  builder: (y) => y
    .option('run', { type: 'string', describe: 'Run id, sequence number, latest or previous (default latest)' })
    .option('from', { type: 'string', describe: 'Glob of Parquet files exported by `export --parquet` from shards' }),
  async run(args, io) {
    const { loaded, store } = await openContext(args);
    try {
      let runId: string | undefined;
      if (args.from) {
        const { importShards } = await import('../pipeline/shards.js');
        runId = (await importShards(store, loaded, args.from, { log: io.log })).runId;
      } else if (args.run) {
        const run = await resolveRun(store, args.run, { collected: true });
        if (!run) throw new UserError(`no run "${args.run}" in ${loaded.config.database}`);
        runId = run.run_id;
      }
      const { runId: id, summary } = await reconcileStage(store, loaded, runId);
      io.out(formatSummary(id, summary));
      // Findings of an incomplete run are not the whole truth (and a merge is only as complete as its shards): exit 3.
      for (const t of await incompleteTenants(store, id)) io.out(`  incomplete: ${t.source}/${t.tenant} (${t.status})${t.error ? ` — ${t.error}` : ''}`);
      return await exitCodeFor(store, id, args['fail-on'] ?? 'none');
    } finally { store.close(); }
  },
};
