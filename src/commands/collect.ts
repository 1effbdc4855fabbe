import type { Argv } from 'yargs';
import type { Command } from './types.js';
import { openContext } from './context.js';
import { collectStage } from '../pipeline/scan.js';
import { parseShard } from '../pipeline/collect.js';
import { progressReporter } from './progress.js';
import { EXIT } from '../errors.js';

export interface CollectArgs { shard?: string; tenant?: string[]; full?: boolean; 'accept-drop'?: string[]; 'accept-authority-drop'?: boolean }

export function collectOptions<T>(y: Argv<T>) {
  return y
    .option('shard', { type: 'string', describe: 'Collect only shard I of N (tenants are assigned by a stable hash), e.g. 2/8' })
    .option('tenant', { type: 'array', string: true, describe: 'Collect only these tenants' })
    .option('full', { type: 'boolean', describe: 'Ignore the ETag cache (a scheduled full collection)' })
    .option('accept-drop', { type: 'array', string: true, describe: 'Accept, for this run, the implausible drop of these tenants (TENANT or SOURCE/TENANT): recorded in the run' })
    .option('accept-authority-drop', acceptAuthorityDropOption);
}

export const acceptAuthorityDropOption = { type: 'boolean', describe: 'Accept, for this run, an empty grant file or a grant set that shrank beyond the guard (recorded in the run)' } as const;

/** The guard acceptances given on the command line, as collectStage takes them. */
export const guardOptions = (args: CollectArgs) => ({ acceptDrop: args['accept-drop'], acceptAuthorityDrop: args['accept-authority-drop'] });

export const command: Command<CollectArgs> = {
  command: 'collect',
  describe: 'Collect identities, credentials and entitlements from every source into a new run',
  examples: [
    ['$0 collect --config nhi-recon.yaml', 'collect every configured source'],
    ['$0 collect --shard 1/4 --db shard1.duckdb', 'collect the first of four shards'],
  ],
  builder: (y) => collectOptions(y),
  async run(args, io) {
    const { loaded, store } = await openContext(args);
    try {
      const { run, outcomes } = await collectStage(store, loaded, {
        log: io.log, only: args.only, tenants: args.tenant, shard: args.shard ? parseShard(args.shard) : undefined,
        fullCollection: args.full, env: io.env, onProgress: progressReporter(io, args.quiet), ...guardOptions(args),
      });
      for (const o of outcomes) io.out(`${o.status.padEnd(8)} ${o.source}/${o.tenant}: ${o.rows} records, ${o.api_calls} calls (${o.cached_calls} cached)${o.error ? ` — ${o.error}` : ''}`);
      io.out(`run ${run.run_id}: ${run.status}`);
      return outcomes.every((o) => o.status === 'complete') ? EXIT.ok : EXIT.incomplete;
    } finally { store.close(); }
  },
};
