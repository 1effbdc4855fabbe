// `nhi-recon route`: send a run's new, regressed, changed and resolved findings to the configured destinations
// (signed webhook, Slack, Jira, ServiceNow). `scan` does this after its reports; this command re-sends, e.g. after a
// destination was down. Delivery failures are reported and never change the exit code's meaning of the findings.
import type { Argv } from 'yargs';
import type { Command, GlobalArgs } from './types.js';
import { openContext } from './context.js';
import { requireEvidence, resolveRun } from '../store/runs.js';
import { routeRun, formatRouting } from '../routing/index.js';
import { EXIT, UserError } from '../errors.js';

export interface RouteArgs { run?: string; 'dry-run'?: boolean }

export const routeCommand: Command<RouteArgs> = {
  command: 'route',
  describe: 'Notify owners: send new, regressed, changed and resolved findings to webhooks, Slack, Jira or ServiceNow',
  examples: [
    ['$0 route', 'route the latest run (what was delivered before is updated, never duplicated)'],
    ['$0 route --dry-run', 'show how many threads each destination would open, update or close'],
  ],
  builder(y: Argv<GlobalArgs>) {
    return y
      .option('run', { type: 'string', default: 'latest', describe: 'Run id, sequence number, `latest` or `previous`' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Count what would be sent; send and record nothing' });
  },
  async run(args, io) {
    const { loaded, store } = await openContext(args);
    try {
      const routing = loaded.config.routing;
      if (routing.destinations.length === 0) throw new UserError(`no routing destinations in ${loaded.file ?? 'the config'} (routing.destinations)`);
      const run = await resolveRun(store, args.run ?? 'latest');
      if (!run) throw new UserError(`no run "${args.run ?? 'latest'}" in ${store.path}: run \`nhi-recon scan\` first`);
      requireEvidence(run, 'route findings');
      const result = await routeRun(store, routing, run.run_id, { env: io.env, log: io.log, dryRun: args['dry-run'] });
      for (const line of formatRouting(result)) io.out(args['dry-run'] ? `(dry run) ${line}` : line);
      // This command's only job is delivery: here a failure is the outcome (exit 3), unlike in `scan`.
      return result.outcomes.some((o) => o.failed > 0) ? EXIT.incomplete : EXIT.ok;
    } finally { store.close(); }
  },
};
