// The executor: runs exactly the actions of a plan, after checking the plan still holds (same database, latest run,
// every rail re-evaluated), re-reading each target just before acting, journaling intent and outcome around each call
// and reading the target back to verify. A re-run of the same plan resumes from the journal: nothing done twice,
// nothing interrupted forgotten.
import type { LoadedConfig } from '../config/load.js';
import type { Target, TargetState } from '../connectors/types.js';
import { EXIT, UserError } from '../errors.js';
import { redact, type Logger } from '../log.js';
import type { Store } from '../store/store.js';
import { Journal, parseJson, type ActionState, type JournalRow } from './journal.js';
import { planActions } from './plan.js';
import { findSpec, isHandle, Sources, stateFromJson, stateJson, type SourceHandle } from './sources.js';
import type { Plan, PlannedAction, Precondition } from './types.js';

export interface ApplyHooks {
  /** After the intent is committed, before the provider call (tests kill the process here). */
  afterIntent?(a: PlannedAction): Promise<void> | void;
  /** After the provider call returned, before its outcome is journaled. */
  afterExecute?(a: PlannedAction): Promise<void> | void;
}

export interface ApplyOptions {
  /** Without it nothing is changed: each target is re-read and what would happen is reported. */
  enforce: boolean;
  log: Logger;
  /** Clock for journal timestamps and rails (tests); default the wall clock. */
  now?: Date;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  hooks?: ApplyHooks;
}

export type OutcomeState = ActionState | 'would-execute' | 'would-skip';

export interface ActionOutcome {
  action_id: string;
  operation: string;
  kind: string;
  target_ref: string;
  state: OutcomeState;
  reason: string | null;
  /** The journal already had an outcome for it (a re-run of the same plan). */
  previously: boolean;
}

export interface ApplyResult {
  exitCode: number;
  /** Provider calls made by this apply (or, without --enforce, the calls it would make). */
  executed: number;
  skipped: number;
  failed: number;
  verified: number;
  unverified: number;
  /** Interrupted actions found done (or not) and closed in the journal. */
  recovered: number;
  message: string;
  outcomes: ActionOutcome[];
}

export async function applyPlan(store: Store, loaded: LoadedConfig, plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  const { log } = opts;
  const clock = () => opts.now ?? new Date();
  await checkPlanCurrent(store, plan);
  const res: ApplyResult = { exitCode: EXIT.ok, executed: 0, skipped: 0, failed: 0, verified: 0, unverified: 0, recovered: 0, message: '', outcomes: [] };
  const blockedResult = (blocked: NonNullable<Plan['blocked']>): ApplyResult => {
    log.error(`no action taken: ${blocked.message}`);
    return { ...res, exitCode: blocked.rail === 'breaker' ? EXIT.breaker : EXIT.incomplete, message: `no action taken: ${blocked.message}` };
  };
  if (plan.blocked) return blockedResult(plan.blocked);

  // The plan is re-derived from the same run under today's config: an action the policy or a rail no longer allows
  // (a new protected entry, an opt-out, a tightened breaker) is skipped, and a plan that now trips a breaker does nothing.
  const again = await planActions(store, loaded, { runId: plan.run_id, planId: plan.plan_id, now: clock(), log });
  if (again.blocked) return blockedResult(again.blocked);
  const allowed = new Map(again.actions.map((a) => [a.action_id, a]));

  const sources = new Sources(loaded, { runId: plan.run_id, log, now: clock(), env: opts.env, signal: opts.signal });
  const journal = opts.enforce ? new Journal(store, clock).forRun(plan.run_id) : null;
  if (journal) res.recovered += await recoverOtherPlans(journal, sources, plan.plan_id, log);
  const existing = journal ? await journal.rowsOfPlan(plan.plan_id) : new Map<string, JournalRow>();

  const record = (a: PlannedAction, state: OutcomeState, reason: string | null, previously = false) => {
    res.outcomes.push({ action_id: a.action_id, operation: a.operation, kind: a.kind, target_ref: a.target.ref, state, reason, previously });
    if (state === 'skipped' || state === 'would-skip') res.skipped++;
    else if (state === 'failed') res.failed++;
    else if (state === 'verified') res.verified++;
    else if (state === 'unverified') res.unverified++;
    const line = `${a.action_id} ${a.operation} ${a.target.ref}: ${state}${reason ? ` (${reason})` : ''}`;
    if (state === 'failed' || state === 'unverified') log.error(line); else log.info(line);
  };

  for (const a of plan.actions) {
    const row = existing.get(a.action_id);
    if (row && journal) {
      // A re-run: never repeat a call whose outcome is known; finish what was interrupted.
      if (row.state === 'intent') {
        const h = await sources.get(a.source);
        if (!isHandle(h) || !h.remediation) { record(a, 'intent', `cannot recover: ${isHandle(h) ? 'no remediation' : h.error}`, true); res.failed++; continue; }
        // A multi-step action first settles what it created before the crash: finished, or undone and run again.
        const settled = await settleInterrupted(journal, h, row, a.operation, a.target, log);
        if (settled === 'failed') { record(a, 'intent', 'cannot recover: the connector could not settle what the interrupted call created; see the log', true); res.failed++; continue; }
        if (settled === 'verified' || settled === 'unverified') {
          res.recovered++;
          record(a, settled, settled === 'verified' ? 'recovered: the interrupted action was finished' : 'recovered and finished, but the read-back still shows access', true);
          continue;
        }
        const v = settled === 'undone' ? { ok: false } : await verifySafely(h, a.operation, a.target);
        if (v.ok) {
          await journal.verification(a.action_id, true, { ...v, recovered: true }, 'recovered after an interrupted apply: the call had taken effect');
          res.recovered++;
          record(a, 'verified', 'recovered: the interrupted call had taken effect', true);
          continue;
        }
        // The call never took effect: carry on from the precondition check, under the intent already journaled.
      } else if (row.state === 'done' || row.state === 'unverified') {
        const h = await sources.get(a.source);
        if (!isHandle(h) || !h.remediation) { record(a, row.state, isHandle(h) ? 'no remediation' : h.error, true); continue; }
        const v = await verifySafely(h, a.operation, a.target);
        await journal.verification(a.action_id, v.ok, v);
        record(a, v.ok ? 'verified' : 'unverified', v.ok ? null : 'verification still fails', true);
        continue;
      } else {
        record(a, row.state, row.reason, true);
        continue;
      }
    }

    const skip = async (reason: string, before: TargetState | null) => {
      if (journal) {
        if (row) await journal.outcome(a.action_id, 'failed', { error: reason }, reason);
        else await journal.skipped(plan.plan_id, a, reason, { target: a.target, read: before ? stateJson(before) : null });
      }
      record(a, journal ? (row ? 'failed' : 'skipped') : 'would-skip', reason);
    };

    if (!allowed.has(a.action_id)) {
      const why = again.held.find((h) => h.target_ref === a.target.ref && h.operation === a.operation);
      await skip(why ? `no longer allowed: ${why.rail}: ${why.reason}` : 'no longer in the plan the policy produces for this run', null);
      continue;
    }
    const h = await sources.get(a.source);
    if (!isHandle(h) || !h.remediation) { await skip(isHandle(h) ? `connector ${h.connector.id} supports no remediation` : h.error, null); continue; }
    const spec = findSpec(h, a.operation, a.target.subject, a.target.kind);
    if (typeof spec === 'string') { await skip(spec, null); continue; }

    let before: TargetState;
    try {
      before = await h.remediation.read(h.ctx, a.target);
    } catch (e) {
      await skip(`could not re-read the target, so nothing was done: ${errorText(e)}`, null);
      continue;
    }
    const changed = preconditionFails(a.precondition, before);
    if (changed) { await skip(`changed since the plan: ${changed}`, before); continue; }
    if (!journal) { res.executed++; record(a, 'would-execute', null); continue; }

    if (!row) await journal.intent(plan.plan_id, a, { target: a.target, read: stateJson(before), precondition: a.precondition });
    await opts.hooks?.afterIntent?.(a);
    let result: Record<string, unknown>;
    try {
      result = await h.remediation.execute(h.ctx, a.operation, a.target, before, (created) => journal.progress(a.action_id, created));
    } catch (e) {
      const msg = errorText(e);
      await journal.outcome(a.action_id, 'failed', { error: msg, at: clock().toISOString() }, `the provider call failed: ${msg}`);
      record(a, 'failed', msg);
      continue;
    }
    res.executed++;
    await opts.hooks?.afterExecute?.(a);
    await journal.outcome(a.action_id, 'done', { ...result, executed_at: clock().toISOString() });
    const v = await verifySafely(h, a.operation, a.target);
    await journal.verification(a.action_id, v.ok, v, v.ok ? null : 'the target still grants access after the call');
    record(a, v.ok ? 'verified' : 'unverified', v.ok ? null : 'read back after the call, the access is still there');
  }

  if (res.failed || res.unverified) res.exitCode = EXIT.incomplete;
  res.message = opts.enforce
    ? `${res.executed} executed, ${res.verified} verified, ${res.unverified} unverified, ${res.failed} failed, ${res.skipped} skipped${res.recovered ? `, ${res.recovered} recovered` : ''}`
    : `dry run: ${res.executed} would be executed, ${res.skipped} would be skipped; nothing was changed (add --enforce)`;
  return res;
}

/** Refuses a plan from another database, or one older than the latest run (its facts may be out of date). */
export async function checkPlanCurrent(store: Store, plan: Plan): Promise<void> {
  const dbId = await store.databaseId();
  if (plan.database_id !== dbId) throw new UserError(`plan ${plan.plan_id} was made from another database (${plan.database_id}, this is ${dbId}): run \`nhi-recon plan\` against ${store.path}`);
  const run = await store.one<{ run_id: string; seq: number; status: string }>(`SELECT run_id, seq, status FROM runs WHERE run_id = $1`, [plan.run_id]);
  if (!run || run.seq !== plan.run_seq) throw new UserError(`plan ${plan.plan_id} names run ${plan.run_id}, which is not in ${store.path}`);
  if (run.status === 'failed') throw new UserError(`plan ${plan.plan_id} is for run ${plan.run_id}, which failed`);
  const newer = await store.one<{ run_id: string; seq: number }>(
    `SELECT run_id, seq FROM runs WHERE seq > $1 AND status IN ('complete', 'partial', 'running') ORDER BY seq DESC LIMIT 1`, [plan.run_seq]);
  if (newer) throw new UserError(`plan ${plan.plan_id} is for run ${plan.run_id} (#${plan.run_seq}), but run ${newer.run_id} (#${newer.seq}) is newer: run \`nhi-recon plan\` again`);
}

/** Why the target no longer matches what the plan saw, or null when it still does. */
export function preconditionFails(pc: Precondition, s: TargetState): string | null {
  if (!s.exists) return 'the target no longer exists';
  if (s.active !== pc.active) return pc.active ? 'it is no longer active (already disabled or revoked)' : 'it was re-enabled since the plan';
  if (s.last_used_at) {
    const limit = pc.last_used_not_after ? Date.parse(pc.last_used_not_after) : null;
    if (limit === null || s.last_used_at.getTime() > limit) return `it was used at ${s.last_used_at.toISOString()}, after ${pc.last_used_not_after ?? 'the plan (unused then)'}`;
  }
  return null;
}

async function verifySafely(h: SourceHandle, operation: string, target: Target): Promise<{ ok: boolean; evidence: Record<string, unknown>; read_at: string }> {
  const read_at = new Date().toISOString();
  try {
    const v = await h.remediation!.verify(h.ctx, operation, target);
    return { ok: v.ok, evidence: v.evidence, read_at };
  } catch (e) {
    return { ok: false, evidence: { error: `could not read the target back: ${errorText(e)}` }, read_at };
  }
}

/** Intents left by an apply of another plan that died mid-call: settle each from what the provider shows now. */
async function recoverOtherPlans(journal: Journal, sources: Sources, planId: string, log: Logger): Promise<number> {
  let n = 0;
  for (const row of await journal.danglingIntents(planId)) {
    const before = parseJson(row.before_state);
    const target = before?.target as Target | undefined;
    const h = row.source ? await sources.get(row.source) : { error: 'no source recorded' };
    if (!target || !isHandle(h) || !h.remediation) {
      log.warn(`interrupted action ${row.action_id} (plan ${row.plan_id}) cannot be checked: ${!target ? 'no target recorded' : isHandle(h) ? 'no remediation' : h.error}`);
      continue;
    }
    const settled = await settleInterrupted(journal, h, row, row.operation, target, log);
    if (settled === 'failed') continue;
    if (settled === 'verified' || settled === 'unverified') { log.warn(`settled interrupted action ${row.action_id} from plan ${row.plan_id}: finished it`); n++; continue; }
    if (settled === 'undone') {
      await journal.abandoned(row.action_id, { undone: true, progress: parseJson(row.progress) }, `interrupted (plan ${row.plan_id}); what it had created was removed and it is not retried — the next plan picks it up if the finding persists`);
      log.warn(`settled interrupted action ${row.action_id} from plan ${row.plan_id}: undone`);
      n++;
      continue;
    }
    const v = await verifySafely(h, row.operation, target);
    if (v.ok) await journal.verification(row.action_id, true, { ...v, recovered: true }, 'recovered after an interrupted apply: the call had taken effect');
    else await journal.abandoned(row.action_id, v, `interrupted before the call took effect (plan ${row.plan_id}); not retried — the next plan picks it up if the finding persists`);
    log.warn(`settled interrupted action ${row.action_id} from plan ${row.plan_id}: ${v.ok ? 'it had taken effect' : 'it had not taken effect'}`);
    n++;
  }
  return n;
}

/**
 * Lets the connector settle an interrupted action from its journaled progress. 'verified'/'unverified': it was
 * finished, its outcome and read-back journaled; 'undone': what it created is gone and the target is as before;
 * 'none': the connector has nothing to settle (a read-back decides); 'failed': it could not tell (logged; left as intent).
 */
async function settleInterrupted(journal: Journal, h: SourceHandle, row: JournalRow, operation: string, target: Target, log: Logger): Promise<'verified' | 'unverified' | 'undone' | 'none' | 'failed'> {
  if (!h.remediation?.recover) return 'none';
  const before = parseJson(row.before_state);
  const read = parseJson(before?.read);
  let r;
  try {
    r = await h.remediation.recover(h.ctx, operation, target, stateFromJson(read ?? {}), { progress: parseJson(row.progress), intent_at: row.intent_at ? new Date(row.intent_at) : null });
  } catch (e) {
    log.error(`interrupted action ${row.action_id} (${operation} ${target.ref}) could not be settled: ${errorText(e)}`);
    return 'failed';
  }
  if (!r) return 'none';
  if (r.outcome === 'undone') {
    await journal.progress(row.action_id, { undone: r.evidence });
    return 'undone';
  }
  await journal.outcome(row.action_id, 'done', { ...r.result, recovered: true });
  const v = await verifySafely(h, operation, target);
  await journal.verification(row.action_id, v.ok, { ...v, recovered: true }, v.ok ? 'recovered after an interrupted apply: the action was finished' : 'recovered and finished, but the target still grants access');
  return v.ok ? 'verified' : 'unverified';
}

export function errorText(e: unknown): string {
  return redact(e instanceof Error ? e.message : String(e)).slice(0, 500);
}
