import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Command, GlobalArgs } from './types.js';
import { loadConfig } from '../config/load.js';
import { Store } from '../store/store.js';
import { collectStage, exitCodeFor, reconcileStage, reportStage } from '../pipeline/scan.js';
import { writeSaasEstate } from '../demo/estate.js';
import type { DemoParts } from '../sim/demo-types.js';
import { formatSummary } from './summary.js';
import { progressReporter } from './progress.js';
import { RULES } from '../reconcile/rules/index.js';
import { EXIT, UserError } from '../errors.js';
import { parseFormats } from '../reports/index.js';
import { REPORT_FORMATS, type ReportFormat } from '../reports/types.js';
import { SEVERITIES } from '../model/index.js';

export interface DemoArgs { dir?: string; providers?: string[] }

export interface DemoSettings { dir: string; db: string; outDir: string; formats: ReportFormat[]; failOn: string }

/**
 * Where the demo writes and what it gates on, from the global options it honours (--db, --out, --format, --fail-on).
 * The demo writes its own config and runs every source, so --config and --only would be silently ignored: refused.
 */
export function demoSettings(args: DemoArgs & GlobalArgs): DemoSettings {
  if (args.config !== undefined) throw new UserError('demo writes its own config: --config cannot be used with demo (use scan --config)');
  if (args.only !== undefined) throw new UserError('demo runs every source it starts: --only cannot be used with demo (use --providers to choose simulators)');
  const failOn = args['fail-on'] ?? 'none';
  if (failOn !== 'none' && !(SEVERITIES as readonly string[]).includes(failOn)) throw new UserError(`--fail-on takes none, ${SEVERITIES.join(', ')}, got "${failOn}"`);
  const dir = resolve(args.dir ?? 'nhi-recon-demo');
  return {
    dir,
    db: args.db !== undefined ? resolve(args.db) : join(dir, 'demo.duckdb'),
    outDir: args.out !== undefined ? resolve(args.out) : join(dir, 'reports'),
    formats: parseFormats(args.format, REPORT_FORMATS),
    failOn,
  };
}

/** Provider simulators the demo starts (each src/sim/<name>/demo.ts), loaded only when used. */
const DEMOS: Record<string, () => Promise<{ startDemo(): Promise<DemoParts> }>> = {
  github: () => import('../sim/github/demo.js'),
  aws: () => import('../sim/aws/demo.js'),
  azure: () => import('../sim/azure/demo.js'),
  gcp: () => import('../sim/gcp/demo.js'),
  workspace: () => import('../sim/workspace/demo.js'),
  okta: () => import('../sim/okta/demo.js'),
  kubernetes: () => import('../sim/kubernetes/demo.js'),
  gitlab: () => import('../sim/gitlab/demo.js'),
};
export const DEMO_PROVIDERS = Object.keys(DEMOS);

export const command: Command<DemoArgs> = {
  command: 'demo',
  describe: 'Scan the built-in simulated estate (no cloud account needed) and write every report format',
  examples: [['$0 demo', 'run the demo into ./nhi-recon-demo and print where the reports are'], ['$0 demo --providers github aws', 'only these simulators (plus the file import)']],
  builder: (y) => y
    .option('dir', { type: 'string', describe: 'Folder for the demo database, config and reports', default: 'nhi-recon-demo' })
    .option('providers', { type: 'array', string: true, describe: `Simulators to start (default: ${DEMO_PROVIDERS.join(' ')})` }),
  async run(args, io) {
    const settings = demoSettings(args);
    const { dir } = settings;
    const inventory = join(dir, 'inventory');
    mkdirSync(inventory, { recursive: true, mode: 0o700 });
    const saas = writeSaasEstate(inventory);
    const parts: (DemoParts & { name: string })[] = [];
    try {
      for (const name of (args.providers ?? DEMO_PROVIDERS).filter((p) => p !== 'none')) {
        try {
          const load = DEMOS[name];
          if (!load) throw new Error(`no such simulator; choose from ${DEMO_PROVIDERS.join(', ')}`);
          parts.push({ name, ...(await (await load()).startDemo()) });
          io.log.info(`started the ${name} simulator`);
        } catch (e) {
          io.log.warn(`the ${name} simulator is not available: ${(e as Error).message}`);
        }
      }
      const authority = {
        grants: [...saas.grants, ...parts.flatMap((p) => p.authority.grants)],
        owners: [...saas.owners, ...parts.flatMap((p) => p.authority.owners)],
        people: mergePeople([...saas.people, ...parts.flatMap((p) => p.authority.people)]),
        exceptions: saas.exceptions,
        integrations: [...saas.integrations, ...parts.flatMap((p) => p.integrations ?? [])],
      };
      for (const k of ['grants', 'owners', 'people', 'exceptions', 'integrations'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: authority[k] }));
      const config = {
        database: settings.db,
        sources: [{ name: 'saas-export', type: 'file', options: { path: 'inventory', provider: 'saas', tenant: 'acme-saas' } }, ...parts.flatMap((p) => p.sources)],
        authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml', exceptions: 'exceptions.yaml', integrations: 'integrations.yaml' },
        reports: { out_dir: settings.outDir, formats: settings.formats },
        // The legacy sync account is kept for emergencies only: its recent use is reported (break-glass-used).
        break_glass: ['legacy-sync'],
      };
      const configFile = join(dir, 'nhi-recon.yaml');
      writeFileSync(configFile, `# Written by \`nhi-recon demo\`: the simulators it points at run only while the demo runs.\n${stringify(config)}`);
      const loaded = await loadConfig(configFile);
      const env = { ...io.env, ...Object.assign({}, ...parts.map((p) => p.env)) } as NodeJS.ProcessEnv;
      const store = await Store.open(loaded.config.database);
      try {
        const { run, outcomes } = await collectStage(store, loaded, { log: io.log, env, onProgress: progressReporter(io, args.quiet) });
        for (const o of outcomes.filter((x) => x.status !== 'complete')) io.log.warn(`${o.source}/${o.tenant} is ${o.status}: ${o.error}`);
        const { summary } = await reconcileStage(store, loaded, run.run_id);
        const files = await reportStage(store, loaded, run.run_id, { formats: settings.formats, outDir: loaded.config.reports.out_dir });
        io.out(formatSummary(run.run_id, summary));
        const kinds = new Set(Object.keys(summary.byRule));
        const missing = RULES.map((r) => r.id).filter((id) => !kinds.has(id));
        io.out(`finding kinds present: ${kinds.size} of ${RULES.length}${missing.length ? ` (absent: ${missing.join(', ')})` : ''}`);
        io.out(`sources: ${outcomes.map((o) => `${o.source}/${o.tenant} ${o.status}`).join(', ')}`);
        io.out(`\ndemo folder: ${dir}`);
        for (const f of files) io.out(`report: ${f}`);
        io.out(`\nExplore: npx nhi-recon query --db ${settings.db} "SELECT rule_id, severity, reason FROM findings LIMIT 20"`);
        return await exitCodeFor(store, run.run_id, settings.failOn);
      } finally { store.close(); }
    } finally {
      await Promise.all(parts.map((p) => p.close().catch(() => undefined)));
    }
  },
};

/** The same person may come from several simulators' directories: keep one record, with all their logins. */
function mergePeople(people: Record<string, unknown>[]): Record<string, unknown>[] {
  const byId = new Map<string, Record<string, unknown>>();
  for (const p of people) {
    const id = String(p.id);
    const prev = byId.get(id);
    if (!prev) { byId.set(id, { ...p, logins: { ...(p.logins as object) } }); continue; }
    const logins = prev.logins as Record<string, string[]>;
    for (const [k, v] of Object.entries((p.logins ?? {}) as Record<string, string[] | string>)) {
      logins[k] = [...new Set([...(logins[k] ?? []), ...(Array.isArray(v) ? v : [v])])];
    }
  }
  return [...byId.values()];
}
