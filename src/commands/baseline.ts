import type { Command } from './types.js';
import { resolve } from 'node:path';
import { openContext } from './context.js';
import { EXIT } from '../errors.js';
import { writeBaseline } from '../review/baseline.js';

export const command: Command<{ out?: string; run?: string; force?: boolean; 'allow-partial'?: boolean }> = {
  command: 'baseline',
  describe: 'Draft grants, owner records and an integration register from the latest reconciled run (status: draft, for review)',
  examples: [['$0 baseline --out drafts', 'write drafts/grants.draft.yaml, owners.draft.yaml and integrations.draft.yaml; add the grants file to authority.grants to turn ungranted-access into a review list']],
  builder: (y) => y
    .option('run', { type: 'string', describe: 'Run to draft from (default: the latest reconciled run)' })
    .option('force', { type: 'boolean', describe: 'Overwrite draft files already in the folder' })
    .option('allow-partial', { type: 'boolean', describe: 'Draft from a run with incomplete tenants (their drafts are marked partial)' }),
  async run(args, io) {
    // --out is the global report-folder option; here it names the drafts folder (default: drafts).
    const outDir = resolve(args.out ?? 'drafts');
    const { loaded, store } = await openContext({ ...args, out: undefined }, { readOnly: true });
    try {
      const r = await writeBaseline(store, { outDir, run: args.run, force: args.force, allowPartial: args['allow-partial'], draftGrantDays: loaded.config.policy.draft_grant_days });
      io.out(`baseline from ${r.runId}: ${r.grants} draft grant(s)${r.partial ? ` (${r.partial} from partial tenants)` : ''}, ${r.owners} draft owner record(s), ${r.integrations} integration(s)`);
      for (const f of r.files) io.out(`wrote ${f}`);
      return EXIT.ok;
    } finally { store.close(); }
  },
};
