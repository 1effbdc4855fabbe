import { resolve } from 'node:path';
import type { Command } from './types.js';
import { openContext } from './context.js';
import { EXIT, UserError } from '../errors.js';
import { openReviews } from '../review/open.js';
import { applyDecisions } from '../review/apply.js';

export const command: Command<{ action: string; decisions?: string; owner?: string; run?: string; force?: boolean; log?: string }> = {
  command: 'review <action> [decisions]',
  describe: 'Owner access reviews: `review open` writes per-owner packets (HTML, CSV) and a decisions template; `review apply DECISIONS` records the decisions',
  examples: [
    ['$0 review open --out reviews', 'one folder per owner with packet.html, packet.csv and decisions.csv (decision column blank)'],
    ['$0 review open --owner alice', "only alice's packet"],
    ['$0 review apply reviews/alice-1a2b3c/decisions.csv', 'validate the decisions and append them to the decisions log (authority.decisions, or --log)'],
  ],
  builder: (y) => y
    .positional('action', { choices: ['open', 'apply'], describe: 'open | apply' })
    .positional('decisions', { type: 'string', describe: 'Decisions file (CSV, YAML, JSON) for apply' })
    .option('owner', { type: 'string', describe: 'open: only the packet of this owner (person id, email or login)' })
    .option('run', { type: 'string', describe: 'open: the run to review (default: the latest reconciled run)' })
    .option('force', { type: 'boolean', describe: 'open: overwrite an existing decisions template' })
    .option('log', { type: 'string', describe: 'apply: decisions log to append to (default: the first authority.decisions file)' }),
  async run(args, io) {
    if (args.action === 'open') {
      const outDir = resolve(args.out ?? 'reviews');
      const { store } = await openContext({ ...args, out: undefined }, { readOnly: true });
      try {
        const r = await openReviews(store, { outDir, owner: args.owner, run: args.run, force: args.force });
        io.out(`review packets from ${r.runId}:`);
        for (const p of r.packets) io.out(`  ${p.owner}: ${p.items} item(s) in ${p.dir}`);
        return EXIT.ok;
      } finally { store.close(); }
    }
    if (!args.decisions) throw new UserError('review apply needs the decisions file: nhi-recon review apply DECISIONS');
    const { loaded, store } = await openContext(args, { readOnly: true });
    try {
      const log = args.log ? resolve(args.log) : loaded.config.authority.decisions[0];
      if (!log) throw new UserError(`${loaded.file ?? '(config)'} authority.decisions: no decisions log configured: add one (e.g. decisions.ndjson) or give --log FILE`);
      const r = await applyDecisions(store, { decisionsFile: resolve(args.decisions), logFile: log, maxGrantDays: loaded.config.policy.max_grant_days });
      io.out(`recorded ${r.decided} decision(s) in ${log}${r.undecided ? `; ${r.undecided} item(s) left undecided` : ''}: ${Object.entries(r.byDecision).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`);
      for (const w of r.warnings) io.log.warn(w);
      if (r.decided && !loaded.config.authority.decisions.includes(log)) io.out(`add ${log} to authority.decisions so the next scan reads it`);
      io.out('revoked access is reported as ungranted-access from the next scan and removed through `plan` / `apply` as configured');
      return EXIT.ok;
    } finally { store.close(); }
  },
};
