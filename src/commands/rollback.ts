// `nhi-recon rollback ACTION_ID|PLAN_ID|RUN_ID`: restores what remediation changed, where that is possible.
import type { Command } from './types.js';
import { openContext } from './context.js';

export interface RollbackArgs { ref: string }

export const command: Command<RollbackArgs> = {
  command: 'rollback <ref>',
  describe: 'Undo remediation actions (one action, a plan or a run): re-enable, re-attach, re-create where possible',
  examples: [
    ['$0 rollback act-3f9c0a1b2c3d4e5f', 'restore one action from its recorded before-state'],
    ['$0 rollback run-20260301T020000Z-a1b2c3', 'restore every action of a run, newest first; says which cannot be restored'],
  ],
  builder: (y) => y.positional('ref', { type: 'string', demandOption: true, describe: 'An action id, plan id or run id from the journal' }),
  async run(args, io) {
    const { rollback } = await import('../remediate/index.js');
    const { loaded, store } = await openContext(args);
    try {
      const res = await rollback(store, loaded, args.ref, { log: io.log, env: io.env });
      for (const i of res.items) io.out(`${i.action_id}  ${i.outcome.padEnd(14)} ${i.operation}  ${i.target_ref}  — ${i.reason}`);
      io.out(res.message);
      return res.exitCode;
    } finally { store.close(); }
  },
};
