// Rollback: restores what an action changed, from the before-state the journal kept, newest action first, and
// reads the target back to prove it. Says plainly what cannot be restored (a deleted key cannot be un-deleted).
import type { LoadedConfig } from '../config/load.js';
import { NotReversibleError, type Target } from '../connectors/types.js';
import { EXIT, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { errorText } from './apply.js';
import { Journal, parseJson, type JournalRow } from './journal.js';
import { isHandle, Sources, stateFromJson, stateJson } from './sources.js';

export interface RollbackOptions { log: Logger; now?: Date; env?: NodeJS.ProcessEnv; signal?: AbortSignal }

export interface RollbackItem {
  action_id: string;
  operation: string;
  target_ref: string;
  /** restored: undone and read back active; not-restorable: cannot be undone; failed: tried and did not work; skipped: nothing to undo. */
  outcome: 'restored' | 'not-restorable' | 'failed' | 'skipped';
  reason: string;
}

export interface RollbackResult { exitCode: number; items: RollbackItem[]; message: string }

const UNDOABLE = new Set(['done', 'verified', 'unverified']);

/** Rolls back one action (ACTION_ID), or every action of a plan (PLAN_ID) or of a run (RUN_ID). */
export async function rollback(store: Store, loaded: LoadedConfig, ref: string, opts: RollbackOptions): Promise<RollbackResult> {
  const rows = await store.all<JournalRow & Record<string, unknown>>(
    `SELECT * FROM actions WHERE action_id = $1 OR plan_id = $1 OR run_id = $1 ORDER BY coalesce(intent_at, outcome_at) DESC, action_id DESC`, [ref]);
  if (!rows.length) throw new UserError(`no action, plan or run "${ref}" in the journal of ${store.path}`);
  const clock = () => opts.now ?? new Date();
  const journal = new Journal(store, clock);
  const sources = new Sources(loaded, { runId: rows[0]!.run_id, log: opts.log, now: clock(), env: opts.env, signal: opts.signal });
  const items: RollbackItem[] = [];
  const add = (r: JournalRow, outcome: RollbackItem['outcome'], reason: string) => {
    items.push({ action_id: r.action_id, operation: r.operation, target_ref: r.target_ref, outcome, reason });
    const line = `${r.action_id} ${r.operation} ${r.target_ref}: ${outcome} — ${reason}`;
    if (outcome === 'failed' || outcome === 'not-restorable') opts.log.warn(line); else opts.log.info(line);
  };

  for (const r of rows) {
    if (r.state === 'rolled_back') { add(r, 'skipped', `already rolled back at ${r.rolled_back_at?.toISOString() ?? '?'}`); continue; }
    if (r.state === 'intent') { add(r, 'failed', 'this action was interrupted; run `nhi-recon apply` on its plan first so the journal knows whether it happened'); continue; }
    if (!UNDOABLE.has(r.state)) { add(r, 'skipped', `nothing to undo: the action ${r.state === 'skipped' ? 'was skipped' : 'failed before changing anything'}`); continue; }
    // A later destructive step on the same target (delete after disable) makes this one impossible to restore.
    const later = await store.one<{ action_id: string; operation: string }>(
      `SELECT action_id, operation FROM actions WHERE source = $1 AND target_ref = $2 AND action_id <> $3 AND state IN ('done', 'verified', 'unverified', 'intent')
         AND kind = 'delete' AND coalesce(intent_at, outcome_at) > $4::TIMESTAMP LIMIT 1`,
      [r.source, r.target_ref, r.action_id, (r.intent_at ?? r.outcome_at ?? new Date(0)).toISOString()]);
    if (later) {
      const reason = `cannot be restored: the target was later deleted by action ${later.action_id} (${later.operation})`;
      await journal.rollbackRefused(r.action_id, reason);
      add(r, 'not-restorable', reason);
      continue;
    }
    const before = parseJson(r.before_state);
    const target = before?.target as Target | undefined;
    const read = before?.read as Record<string, unknown> | null | undefined;
    if (!target || !read) { add(r, 'failed', 'the journal holds no before-state for this action'); continue; }
    const h = await sources.get(r.source ?? '');
    if (!isHandle(h)) { add(r, 'failed', h.error); continue; }
    const spec = h.remediation?.actions.find((a) => a.operation === r.operation);
    if (!h.remediation?.rollback || !spec?.reversible) {
      const reason = `cannot be restored: ${r.operation} (${r.kind}) is not reversible${r.kind === 'delete' ? '; the deleted target must be re-created by hand' : ''}`;
      await journal.rollbackRefused(r.action_id, reason);
      add(r, 'not-restorable', reason);
      continue;
    }
    let result: Record<string, unknown>;
    try {
      result = await h.remediation.rollback(h.ctx, r.operation, target, stateFromJson(read));
    } catch (e) {
      if (e instanceof NotReversibleError) {
        const reason = `cannot be restored: ${e.message}`;
        await journal.rollbackRefused(r.action_id, reason);
        add(r, 'not-restorable', reason);
      } else add(r, 'failed', `the rollback call failed: ${errorText(e)}`);
      continue;
    }
    // Proof of the restore: read the target back; it must exist and be active again.
    let after;
    try { after = await h.remediation.read(h.ctx, target); } catch (e) { add(r, 'failed', `restored, but could not read it back: ${errorText(e)}`); continue; }
    if (!(after.exists && after.active)) {
      // Not proven restored: the action keeps its state, so a later rollback may try again.
      const reason = 'the rollback call returned, but the target does not read back active';
      await journal.rollbackRefused(r.action_id, reason);
      add(r, 'failed', reason);
      continue;
    }
    const prior = parseJson(r.verification) ?? {};
    await journal.rolledBack(r.action_id, { ...prior, rollback: { ok: true, result, read: stateJson(after), read_at: clock().toISOString() } },
      'rolled back and read back active');
    add(r, 'restored', 'restored and read back active');
  }
  const bad = items.filter((i) => i.outcome === 'failed' || i.outcome === 'not-restorable').length;
  const restored = items.filter((i) => i.outcome === 'restored').length;
  return { exitCode: bad ? EXIT.incomplete : EXIT.ok, items, message: `${restored} restored, ${bad} could not be restored, ${items.length - restored - bad} had nothing to undo` };
}
