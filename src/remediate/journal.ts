// The action journal (the `actions` table). Every write is one autocommitted statement, so what is on disk is
// exactly what happened up to a crash: intent before the provider call, outcome after it, verification last.
import type { Store } from '../store/store.js';
import { redact } from '../log.js';
import type { PlannedAction } from './types.js';

export type ActionState = 'intent' | 'done' | 'verified' | 'unverified' | 'failed' | 'skipped' | 'rolled_back';

/** The columns that name an action in the `actions` table; the journal and the reports both read them. */
export interface ActionIdentity {
  action_id: string;
  plan_id: string;
  run_id: string;
  finding_id: string | null;
  rule_id: string | null;
  kind: string;
  operation: string;
  provider: string | null;
  tenant: string | null;
  source: string | null;
  target_ref: string;
}

export interface JournalRow extends ActionIdentity {
  state: ActionState;
  before_state: string | null;
  result: string | null;
  verification: string | null;
  /** What the action created at the provider before its outcome (ids only), for recovery after a crash. */
  progress: string | null;
  reason: string | null;
  intent_at: Date | null;
  outcome_at: Date | null;
  verified_at: Date | null;
  rolled_back_at: Date | null;
}

export function parseJson(v: unknown): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return v as Record<string, unknown>;
  try { return JSON.parse(String(v)) as Record<string, unknown>; } catch { return null; }
}

/**
 * JSON for the journal (its rows end up in reports): dates as ISO, and secret *values* redacted — a field named like
 * one, or a string shaped like a token or private key. Identifiers stay exact: an access key id, a secret's ARN or
 * version id names a thing (rollback, recovery and an auditor need them) and grants nothing.
 */
function json(v: unknown): string {
  return JSON.stringify(v, (k, x: unknown) => {
    if (x instanceof Date) return x.toISOString();
    if (SECRET_FIELD.test(k) && x !== null && x !== undefined) return '[redacted]';
    return typeof x === 'string' ? redact(x) : x;
  });
}

/** Field names that hold secret values (not ids or names of secrets). */
const SECRET_FIELD = /^(secret_?access_?key|secret_?string|secret_?binary|secret_?value|password|private_?key|client_?secret|session_?token|access_?token|token_?value)$/i;

/**
 * The before-state is kept exactly: rollback acts on the ids in it (a cloud access key id looks credential-shaped to
 * the log redactor but is an identifier). Connectors never put secret values in a TargetState.
 */
function exactJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Date ? x.toISOString() : x));
}

export class Journal {
  constructor(private readonly store: Store, private readonly clock: () => Date = () => new Date()) {
    // A transaction around the journal would hold every write back until its commit: a crash would lose them all.
    if ((store as unknown as { txDepth: number }).txDepth > 0) {
      throw new Error('the action journal must not be written inside a transaction: each write commits on its own');
    }
  }

  now(): Date { return this.clock(); }

  async rowsOfPlan(planId: string): Promise<Map<string, JournalRow>> {
    const rows = await this.store.all<JournalRow & Record<string, unknown>>(`SELECT * FROM actions WHERE plan_id = $1`, [planId]);
    return new Map(rows.map((r) => [r.action_id, r]));
  }

  async get(actionId: string): Promise<JournalRow | undefined> {
    return this.store.one<JournalRow & Record<string, unknown>>(`SELECT * FROM actions WHERE action_id = $1`, [actionId]);
  }

  /** Intents of other plans that never got an outcome: an apply died between asking the provider and recording it. */
  async danglingIntents(exceptPlan: string): Promise<JournalRow[]> {
    return this.store.all<JournalRow & Record<string, unknown>>(
      `SELECT * FROM actions WHERE state = 'intent' AND plan_id <> $1 ORDER BY intent_at`, [exceptPlan]);
  }

  private async insert(planId: string, a: PlannedAction, state: ActionState, before: unknown, reason: string | null): Promise<void> {
    const now = this.now().toISOString();
    await this.store.run(
      `INSERT INTO actions (action_id, plan_id, run_id, finding_id, rule_id, kind, operation, provider, tenant, source, target_ref,
         state, before_state, reason, intent_at, outcome_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::TIMESTAMP, $16::TIMESTAMP)`,
      [a.action_id, planId, this.runId, a.finding_id, a.rule_id, a.kind, a.operation, a.provider, a.tenant, a.source, a.target.ref,
        state, exactJson(before), reason, now, state === 'intent' ? null : now]);
  }

  private runId = '';
  /** The run the journal rows belong to (the plan's run). */
  forRun(runId: string): this { this.runId = runId; return this; }

  /** Written, and committed, before the provider is asked to change anything. */
  intent(planId: string, a: PlannedAction, before: Record<string, unknown>): Promise<void> {
    return this.insert(planId, a, 'intent', before, null);
  }

  /** An action that was not executed, with the reason; it has an outcome, so a re-run does not try it again. */
  skipped(planId: string, a: PlannedAction, reason: string, before: Record<string, unknown> | null): Promise<void> {
    return this.insert(planId, a, 'skipped', before, reason);
  }

  /** Replaces the action's progress record; committed before the provider is called again. */
  async progress(actionId: string, created: Record<string, unknown>): Promise<void> {
    await this.store.run(`UPDATE actions SET progress = $2 WHERE action_id = $1`, [actionId, json(created)]);
  }

  async outcome(actionId: string, state: 'done' | 'failed', result: Record<string, unknown>, reason: string | null = null): Promise<void> {
    await this.store.run(`UPDATE actions SET state = $2, result = $3, reason = coalesce($4, reason), outcome_at = $5::TIMESTAMP WHERE action_id = $1`,
      [actionId, state, json(result), reason, this.now().toISOString()]);
  }

  async verification(actionId: string, ok: boolean, verification: Record<string, unknown>, reason: string | null = null): Promise<void> {
    const at = this.now().toISOString();
    await this.store.run(
      `UPDATE actions SET state = $2, verification = $3, reason = coalesce($4, reason), verified_at = $5::TIMESTAMP,
         outcome_at = coalesce(outcome_at, $5::TIMESTAMP) WHERE action_id = $1`,
      [actionId, ok ? 'verified' : 'unverified', json(verification), reason, at]);
  }

  /** An interrupted intent whose call never took effect: closed as failed so it is neither lost nor retried blindly. */
  async abandoned(actionId: string, verification: Record<string, unknown>, reason: string): Promise<void> {
    await this.store.run(`UPDATE actions SET state = 'failed', verification = $2, reason = $3, outcome_at = $4::TIMESTAMP WHERE action_id = $1`,
      [actionId, json(verification), reason, this.now().toISOString()]);
  }

  async rolledBack(actionId: string, verification: Record<string, unknown>, reason: string): Promise<void> {
    await this.store.run(`UPDATE actions SET state = 'rolled_back', verification = $2, reason = $3, rolled_back_at = $4::TIMESTAMP WHERE action_id = $1`,
      [actionId, json(verification), reason, this.now().toISOString()]);
  }

  /** A rollback attempt that did not restore anything: the state stays, the reason says why. */
  async rollbackRefused(actionId: string, reason: string): Promise<void> {
    await this.store.run(`UPDATE actions SET reason = CASE WHEN reason IS NULL THEN $2 ELSE reason || '; ' || $2 END WHERE action_id = $1`, [actionId, reason]);
  }
}
