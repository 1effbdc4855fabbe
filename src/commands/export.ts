import type { Command } from './types.js';
import { openContext } from './context.js';
import { exportRun } from '../pipeline/shards.js';
import { resolveRun } from '../store/runs.js';
import { EXIT, UserError } from '../errors.js';

export interface ExportArgs { parquet: string; run?: string }

export const command: Command<ExportArgs> = {
  command: 'export',
  describe: 'Export a run as Parquet (one file per table) so shards can be merged by `reconcile --from`',
  examples: [['$0 export --parquet shards/', 'write shards/<run_id>/{identities,credentials,entitlements,source_runs}.parquet']],
  builder: (y) => y.option('parquet', { type: 'string', demandOption: true, describe: 'Output folder' }).option('run', { type: 'string', describe: 'Run (default latest)' }),
  async run(args, io) {
    const { store } = await openContext(args);
    try {
      let runId: string | undefined;
      if (args.run) { const r = await resolveRun(store, args.run, { collected: true }); if (!r) throw new UserError(`no run "${args.run}"`); runId = r.run_id; }
      const { files } = await exportRun(store, args.parquet, runId);
      for (const f of files) io.out(f);
      return EXIT.ok;
    } finally { store.close(); }
  },
};
