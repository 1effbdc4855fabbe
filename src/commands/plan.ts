// `nhi-recon plan`: turns a run's findings into a plan file (JSON) and a summary beside it. Changes nothing.
import { resolve } from 'node:path';
import type { Command } from './types.js';
import { openContext } from './context.js';
import { EXIT, UserError } from '../errors.js';
import { requireEvidence, resolveRun } from '../store/runs.js';

export interface PlanArgs { run?: string; 'plan-dir'?: string }

export const command: Command<PlanArgs> = {
  command: 'plan',
  describe: 'Turn the latest run\'s findings into a remediation plan (JSON + summary); nothing is changed',
  examples: [
    ['$0 plan', 'plan remediation for the latest run into remediation.plan_dir'],
    ['$0 plan --run previous --plan-dir /tmp/plans', 'plan from an earlier run into another folder (apply still refuses a plan older than the latest run)'],
  ],
  builder: (y) => y
    .option('run', { type: 'string', describe: 'Run id, sequence number, latest or previous (default latest)' })
    .option('plan-dir', { type: 'string', describe: 'Folder for the plan files (default remediation.plan_dir)' }),
  async run(args, io) {
    const { loaded, store } = await openContext(args);
    try {
      const { planActions, writePlan } = await import('../remediate/index.js');
      let runId: string | undefined;
      if (args.run) {
        const run = await resolveRun(store, args.run);
        if (!run) throw new UserError(`no run "${args.run}" in ${loaded.config.database}`);
        requireEvidence(run, 'plan remediation');
        runId = run.run_id;
      }
      const plan = await planActions(store, loaded, { runId, log: io.log });
      const { planFile, summaryFile } = writePlan(plan, args['plan-dir'] ? resolve(args['plan-dir']) : loaded.config.remediation.plan_dir);
      if (plan.blocked) io.log.error(`plan is blocked (${plan.blocked.rail}): ${plan.blocked.message}`);
      for (const a of plan.actions) io.out(`${a.action_id}  ${a.kind.padEnd(7)} ${a.operation}  ${a.target.ref}  (${a.rule_id}, ${a.severity})`);
      const byRail = new Map<string, number>();
      for (const h of plan.held) byRail.set(h.rail, (byRail.get(h.rail) ?? 0) + 1);
      io.out(`${plan.actions.length} action(s) planned, ${plan.held.length} held back${byRail.size ? ` (${[...byRail].map(([r, n]) => `${r}: ${n}`).join(', ')})` : ''}`);
      io.out(`plan: ${planFile}`);
      io.out(`summary: ${summaryFile}`);
      if (plan.blocked?.rail === 'breaker') return EXIT.breaker;
      return EXIT.ok;
    } finally { store.close(); }
  },
};
