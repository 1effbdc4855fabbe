// The plan file's shape. A plan is data a person can review (and a CI job can archive): every action names the finding
// it answers, the target, what will be re-checked just before acting, and how it would be undone.
import { z } from 'zod';
import type { ActionKind } from '../model/index.js';
import type { Target } from '../connectors/types.js';

/** Why a finding that the policy maps to an action is not acted on in this plan. */
export type Rail =
  | 'authority'            // authoritative records did not load completely this run
  | 'incomplete-tenant'    // the tenant's collection was partial or failed (or the finding was carried)
  | 'protected'            // a break-glass identity listed under `protected`
  | 'opt-out'              // an unexpired opt-out names the target
  | 'too-new'              // not yet seen in min_consecutive_runs consecutive runs
  | 'irreversible'         // the operation cannot be undone and the policy did not allow that
  | 'unsupported'          // the connector has no such operation for this subject
  | 'missing-target'       // the finding's subject is not in the run's inventory
  | 'already-inactive'     // the target is already disabled/inactive
  | 'already-remediated'   // an earlier action already did this
  | 'in-progress'          // an earlier apply was interrupted on this target; the next apply recovers it first
  | 'disputed-owner'       // owner records disagree: never acted on automatically
  | 'reactivated'          // a disabled target was re-enabled by someone: the follow-up (delete) is not run
  | 'duplicate';           // another finding already leads to the same action

export interface Precondition {
  /** The target must still exist. */
  exists: true;
  /** The target must still be active (first step) or still inactive (follow-up after a disable). */
  active: boolean;
  /** The provider's last use must not be later than this (ISO), or must still be empty when null. */
  last_used_not_after: string | null;
  /** The same check in words, for the summary and the journal. */
  text: string;
}

export interface PlannedAction {
  action_id: string;
  step: 'first' | 'follow-up';
  /** For a follow-up: the reversible action it completes. */
  follows: string | null;
  finding_id: string;
  /** Every finding this action answers (several rules may flag one target). */
  finding_ids: string[];
  rule_id: string;
  severity: string;
  provider: string;
  tenant: string;
  source: string;
  target: Target;
  operation: string;
  kind: ActionKind;
  reversible: boolean;
  /** The finding's reason sentence. */
  why: string;
  precondition: Precondition;
  rollback: { possible: boolean; how: string };
}

export interface HeldFinding {
  finding_id: string;
  rule_id: string;
  provider: string;
  tenant: string;
  source: string;
  target_ref: string;
  operation: string | null;
  rail: Rail;
  reason: string;
}

export interface Breaker {
  rail: 'max_actions' | 'max_fraction';
  /** 'run', or source/tenant for the fraction breaker. */
  scope: string;
  count: number;
  limit: number;
  message: string;
}

export interface Plan {
  format: 'nhi-recon-plan';
  version: 1;
  plan_id: string;
  database_id: string;
  run_id: string;
  run_seq: number;
  created_at: string;
  config_file: string | null;
  limits: { max_actions: number; max_fraction: number; min_consecutive_runs: number };
  /** Set when nothing in this plan may be executed: the authority rail or a circuit breaker. */
  blocked: { rail: 'authority' | 'breaker'; message: string } | null;
  breakers: Breaker[];
  actions: PlannedAction[];
  held: HeldFinding[];
  /** sha256 of the plan without this field: apply refuses an edited or truncated plan. */
  digest: string;
}

const TargetSchema = z.object({
  provider: z.string(), tenant: z.string(), source: z.string(),
  subject: z.enum(['identity', 'credential', 'entitlement']),
  ref: z.string(), kind: z.string().nullable(), identity_ref: z.string().nullable(), resource_ref: z.string().nullable(),
  permission: z.string().nullable(), attributes: z.record(z.string(), z.unknown()).nullable(),
});

/** Validates a plan file read back from disk (apply never trusts its input). */
export const PlanSchema = z.object({
  format: z.literal('nhi-recon-plan'),
  version: z.literal(1),
  plan_id: z.string().regex(/^plan-[A-Za-z0-9-]+$/),
  database_id: z.string(),
  run_id: z.string(),
  run_seq: z.number().int(),
  created_at: z.string(),
  config_file: z.string().nullable(),
  limits: z.object({ max_actions: z.number(), max_fraction: z.number(), min_consecutive_runs: z.number() }),
  blocked: z.object({ rail: z.enum(['authority', 'breaker']), message: z.string() }).nullable(),
  breakers: z.array(z.object({ rail: z.enum(['max_actions', 'max_fraction']), scope: z.string(), count: z.number(), limit: z.number(), message: z.string() })),
  actions: z.array(z.object({
    action_id: z.string().regex(/^act-[0-9a-f]+$/),
    step: z.enum(['first', 'follow-up']),
    follows: z.string().nullable(),
    finding_id: z.string(), finding_ids: z.array(z.string()), rule_id: z.string(), severity: z.string(),
    provider: z.string(), tenant: z.string(), source: z.string(),
    target: TargetSchema,
    operation: z.string(),
    kind: z.enum(['disable', 'revoke', 'delete', 'rotate']),
    reversible: z.boolean(),
    why: z.string(),
    precondition: z.object({ exists: z.literal(true), active: z.boolean(), last_used_not_after: z.string().nullable(), text: z.string() }),
    rollback: z.object({ possible: z.boolean(), how: z.string() }),
  })),
  held: z.array(z.object({
    finding_id: z.string(), rule_id: z.string(), provider: z.string(), tenant: z.string(), source: z.string(),
    target_ref: z.string(), operation: z.string().nullable(), rail: z.string(), reason: z.string(),
  })),
  digest: z.string(),
});
