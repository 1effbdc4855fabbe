// `nhi-recon report`: write the reports of a run again (or of an older run) from the database, without collecting.
import type { Argv } from 'yargs';
import { resolve } from 'node:path';
import type { Command, GlobalArgs } from './types.js';
import { openContext } from './context.js';
import { requireEvidence, resolveRun } from '../store/runs.js';
import { parseFormats, writeReports } from '../reports/index.js';
import type { Counts } from '../reports/types.js';
import { EXIT, UserError } from '../errors.js';
import { SEVERITIES, SEVERITY_RANK, type Severity } from '../model/index.js';

export interface ReportArgs {
  run?: string;
  'by-owner'?: boolean;
  'include-resolved'?: boolean;
}

/** True when an open finding is at or above `level` (the `--fail-on` gate shared with `scan`). */
export function failsOn(counts: Counts, level: string | undefined): boolean {
  if (!level || level === 'none') return false;
  if (!(SEVERITIES as readonly string[]).includes(level)) throw new UserError(`--fail-on must be none or one of ${SEVERITIES.join(', ')}, not "${level}"`);
  return SEVERITIES.some((s) => SEVERITY_RANK[s] >= SEVERITY_RANK[level as Severity] && (counts.by_severity[s] ?? 0) > 0);
}

export const reportCommand: Command<ReportArgs> = {
  command: 'report',
  describe: 'Write the reports (JSON, CSV, OCSF, Markdown, HTML) of a run from the database',
  examples: [
    ['nhi-recon report', 'Write every configured format for the latest run into reports/'],
    ['nhi-recon report --format html --out /tmp/r', 'Only the HTML report, into /tmp/r'],
    ['nhi-recon report --by-owner --format markdown', 'A Markdown summary grouped by accountable owner'],
    ['nhi-recon report --run 12 --format json', 'The JSON report of run #12'],
  ],
  builder(y: Argv<GlobalArgs>) {
    return y
      .option('run', { type: 'string', default: 'latest', describe: 'Run id, sequence number, `latest` or `previous`' })
      .option('by-owner', { type: 'boolean', default: false, describe: 'Group findings by their accountable owner' })
      .option('include-resolved', { type: 'boolean', describe: 'Include findings resolved in this run (default from config)' });
  },
  async run(args, io) {
    const { loaded, store } = await openContext(args, { readOnly: true });
    try {
      const run = await resolveRun(store, args.run ?? 'latest');
      if (!run) throw new UserError(`no run "${args.run ?? 'latest'}" in ${store.path}: run \`nhi-recon scan\` first, or \`nhi-recon runs\` to list runs`);
      requireEvidence(run, 'write reports');
      const formats = parseFormats(args.format, loaded.config.reports.formats);
      const { files, data } = await writeReports(store, {
        runId: run.run_id, formats, outDir: resolve(loaded.config.reports.out_dir), byOwner: args['by-owner'],
        includeResolved: args['include-resolved'] ?? loaded.config.reports.include_resolved,
      });
      for (const f of files) io.out(`${f.format.padEnd(8)} ${f.path}`);
      const c = data.counts;
      io.log.info(`run #${run.seq}: ${c.open} open (${c.new} new, ${c.regressed} regressed), ${c.resolved} resolved, ${c.suppressed} muted${data.complete ? '' : ' — INCOMPLETE collection'}`);
      if (args['by-owner']) {
        for (const o of data.owners) io.out(`${String(o.open).padStart(6)}  ${o.owner ?? '(no owner)'}${o.owner_status && o.owner_status !== 'active' ? ` [${o.owner_status}]` : ''}`);
      }
      // Incomplete outranks findings (docs/exit-codes.md): the findings of an incomplete run are not the whole truth.
      const fails = failsOn(c, args['fail-on']);
      if (!data.complete) return EXIT.incomplete;
      return fails ? EXIT.findings : EXIT.ok;
    } finally {
      store.close();
    }
  },
};

export default reportCommand;
