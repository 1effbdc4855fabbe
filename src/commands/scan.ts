import type { Command } from './types.js';
import { openContext } from './context.js';
import { collectStage, exitCodeFor, reconcileStage, reportStage } from '../pipeline/scan.js';
import { parseShard } from '../pipeline/collect.js';
import { collectOptions, guardOptions, type CollectArgs } from './collect.js';
import { progressReporter } from './progress.js';
import { formatSummary } from './summary.js';
import { EXIT, UserError } from '../errors.js';

export interface ScanArgs extends CollectArgs { mode?: 'report' | 'enforce'; 'by-owner'?: boolean; route?: boolean }

export const command: Command<ScanArgs> = {
  command: 'scan',
  describe: 'Collect, reconcile and report in one go (and, with --mode enforce, plan and apply remediation)',
  examples: [
    ['$0 scan --config nhi-recon.yaml --fail-on high', 'nightly scan; exit 1 when a high or critical finding is open'],
    ['$0 scan --mode enforce', 'scan, then plan and apply remediation within the safety rails'],
  ],
  builder: (y) => collectOptions(y)
    .option('mode', { choices: ['report', 'enforce'] as const, describe: 'report (default) or enforce: also plan and apply remediation' })
    .option('by-owner', { type: 'boolean', describe: 'Also write reports grouped by accountable owner' })
    .option('route', { type: 'boolean', default: true, describe: 'Notify the configured routing destinations after the reports (--no-route: not this time)' }),
  async run(args, io) {
    const { loaded, store } = await openContext(args);
    try {
      const cfg = loaded.config;
      const { run, outcomes } = await collectStage(store, loaded, {
        log: io.log, only: args.only, tenants: args.tenant, shard: args.shard ? parseShard(args.shard) : undefined,
        fullCollection: args.full, env: io.env, onProgress: progressReporter(io, args.quiet), mode: args.mode ?? 'report', ...guardOptions(args),
      });
      for (const o of outcomes.filter((x) => x.status !== 'complete')) io.log.warn(`${o.source}/${o.tenant} is ${o.status}: ${o.error ?? 'no reason given'}`);
      const { summary } = await reconcileStage(store, loaded, run.run_id);
      let code = await exitCodeFor(store, run.run_id, args['fail-on'] ?? cfg.reports.fail_on);
      if (args.mode === 'enforce') {
        // Two keys for the dangerous half: the flag here and `remediation.mode: enforce` in the reviewed config.
        if (cfg.remediation.mode !== 'enforce') {
          throw new UserError(`scan --mode enforce needs remediation.mode: enforce in ${loaded.file ?? 'the config'} as well; nothing was changed (the scan's reports were not written either)`);
        }
        const { planActions, writePlan, applyPlan } = await import('../remediate/index.js');
        const plan = await planActions(store, loaded, { runId: run.run_id });
        const written = await writePlan(plan, cfg.remediation.plan_dir);
        io.out(`plan: ${written.planFile}`);
        const applied = await applyPlan(store, loaded, plan, { enforce: true, log: io.log });
        if (applied.exitCode !== EXIT.ok) code = Math.max(code, applied.exitCode);
      }
      const files = await reportStage(store, loaded, run.run_id, { formats: (args.format as string[] | undefined) ?? cfg.reports.formats, outDir: cfg.reports.out_dir, byOwner: args['by-owner'] });
      io.out(formatSummary(run.run_id, summary));
      for (const f of files) io.out(`report: ${f}`);
      if (cfg.routing.enabled && cfg.routing.destinations.length > 0 && args.route !== false) {
        // After the reports: routing is notification, never part of the evidence, and its failures never fail the scan.
        const { routeRun, formatRouting } = await import('../routing/index.js');
        try {
          for (const line of formatRouting(await routeRun(store, cfg.routing, run.run_id, { env: io.env, log: io.log }))) io.out(line);
        } catch (e) {
          io.log.warn(`routing did not run: ${(e as Error).message}`);
        }
      }
      return code;
    } finally { store.close(); }
  },
};
