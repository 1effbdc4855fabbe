// `nhi-recon apply PLAN --enforce`: executes exactly that plan within the safety rails. Without --enforce it only
// re-reads each target and says what it would do.
import type { Command } from './types.js';
import { openContext } from './context.js';
import { UserError } from '../errors.js';

export interface ApplyArgs { plan: string; enforce?: boolean }

export const command: Command<ApplyArgs> = {
  command: 'apply <plan>',
  describe: 'Execute a plan written by `plan` (only with --enforce): re-check, act, verify, journal',
  examples: [
    ['$0 apply plans/plan-12-20260301T020000Z-a1b2c3.json', 'dry run: re-read every target and show what would be done'],
    ['$0 apply plans/plan-12-20260301T020000Z-a1b2c3.json --enforce', 'execute the plan; exit 4 if a circuit breaker trips, 3 if an action failed or could not be verified'],
  ],
  builder: (y) => y
    .positional('plan', { type: 'string', demandOption: true, describe: 'Plan file (JSON) written by `nhi-recon plan`' })
    .option('enforce', { type: 'boolean', default: false, describe: 'Really change things at the providers' }),
  async run(args, io) {
    const { readPlan, applyPlan } = await import('../remediate/index.js');
    const plan = readPlan(args.plan);
    const { loaded, store } = await openContext(args);
    try {
      // Two keys for the dangerous half, as in `scan --mode enforce`: the flag here and the reviewed config's mode.
      if (args.enforce && loaded.config.remediation.mode !== 'enforce') {
        throw new UserError(`apply --enforce needs remediation.mode: enforce in ${loaded.file ?? 'the config'} as well; nothing was changed`);
      }
      const res = await applyPlan(store, loaded, plan, { enforce: Boolean(args.enforce), log: io.log, env: io.env });
      for (const o of res.outcomes) io.out(`${o.action_id}  ${o.state.padEnd(13)} ${o.operation}  ${o.target_ref}${o.reason ? `  — ${o.reason}` : ''}`);
      io.out(res.message);
      return res.exitCode;
    } finally { store.close(); }
  },
};
