// The connector contract. A connector is a folder under src/connectors/ whose index.ts exports `connector`.
// It says what it collects and which remediations it supports as data; the core derives capabilities from that.
import type { z } from 'zod';
import type { CredentialInput, EntitlementInput, IdentityInput, ActionKind } from '../model/index.js';
import type { HttpCache } from './http/cache.js';
import type { HttpCounters, RetryPolicy } from './http/fetch.js';
import type { Logger } from '../log.js';

export interface SourceRef {
  /** The configured source's name (unique in a config). */
  name: string;
  /** The connector id (its folder name). */
  type: string;
  /** Tenants named in the config (org, account id, subscription, project); empty means "discover". */
  tenants: string[];
}

/** Per-tenant HTTP plumbing the core hands to a connector: counters land in source_runs, the cache in http_cache. */
export interface HttpContext {
  counters: HttpCounters;
  /** Null when caching is disabled (full collection). */
  cache: HttpCache | null;
  retry: RetryPolicy;
  concurrency: number;
}

export interface ConnectorContext<O> {
  runId: string;
  source: SourceRef;
  options: O;
  log: Logger;
  now: Date;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Creates the HTTP context of one tenant (each tenant has its own counters). */
  http(tenant: string): HttpContext;
}

/** Where a connector streams one tenant's records. The core adds run_id, source, provider and tenant. */
export interface TenantSink {
  identity(rec: IdentityInput): void;
  credential(rec: CredentialInput): void;
  entitlement(rec: EntitlementInput): void;
  /** The tenant's collection missed something (a 403 on one scope, a budget ran out): it will be marked partial. */
  partial(reason: string): void;
  readonly http: HttpContext;
}

export type SubjectType = 'identity' | 'credential' | 'entitlement';

export interface ActionSpec {
  /** Stable, provider-specific name, e.g. 'delete-deploy-key'. */
  operation: string;
  kind: ActionKind;
  subject: SubjectType;
  /** Credential or identity kinds this applies to (empty: any of the subject type). */
  kinds?: string[];
  reversible: boolean;
  description: string;
}

/** What remediation needs to know of a record; built by the core from the store. */
export interface Target {
  provider: string;
  tenant: string;
  source: string;
  subject: SubjectType;
  ref: string;
  kind: string | null;
  identity_ref: string | null;
  resource_ref: string | null;
  permission: string | null;
  attributes: Record<string, unknown> | null;
}

/** A fresh read of a target from the provider. */
export interface TargetState {
  /** False when the target no longer exists. */
  exists: boolean;
  /** False when it exists but grants nothing (a deactivated key, a disabled account). */
  active: boolean;
  last_used_at: Date | null;
  /** Provider-native facts, enough to roll back (never secret values). */
  state: Record<string, unknown>;
}

export interface Verification { ok: boolean; evidence: Record<string, unknown> }

/**
 * Journals what an action has created at the provider so far (a new key's id, a secret version id: identifiers, never
 * secret values). Each call replaces the previous record and is committed before it returns, so an execute calls it
 * before its next provider call and a crash can never leave an object no record names.
 */
export type ProgressRecorder = (created: Record<string, unknown>) => Promise<void>;

/** An action whose apply died between its intent and its outcome, as the journal has it. */
export interface Interrupted { progress: Record<string, unknown> | null; intent_at: Date | null }

/** What `recover` found and did: the action completed (finished now if need be), or undone so it can run again. */
export type Recovered =
  | { outcome: 'done'; result: Record<string, unknown> }
  | { outcome: 'undone'; evidence: Record<string, unknown> };

export interface Remediation<O> {
  actions: ActionSpec[];
  read(ctx: ConnectorContext<O>, target: Target): Promise<TargetState>;
  execute(ctx: ConnectorContext<O>, operation: string, target: Target, before: TargetState, progress?: ProgressRecorder): Promise<Record<string, unknown>>;
  /**
   * Settles an interrupted multi-step action from its journaled progress: finishes it, or removes what it created so
   * nothing is orphaned. Undefined when the operation has no intermediate objects (then a read-back decides).
   */
  recover?(ctx: ConnectorContext<O>, operation: string, target: Target, before: TargetState, interrupted: Interrupted): Promise<Recovered | undefined>;
  /** Re-read the target after acting; ok only when the access is really gone or disabled. */
  verify(ctx: ConnectorContext<O>, operation: string, target: Target): Promise<Verification>;
  /** Restore what `execute` changed, from the before-state; throw NotReversibleError when impossible. */
  rollback?(ctx: ConnectorContext<O>, operation: string, target: Target, before: TargetState): Promise<Record<string, unknown>>;
}

/**
 * How a provider compares its identifiers, as data the core can use without knowing the provider: refs and names
 * that `insensitive` matches are compared without regard to letter case (protected entries and opt-outs match them
 * case-insensitively); all others exactly. `rule` states the provider's rule, for the docs.
 */
export interface IdentifierCase { insensitive: RegExp; rule: string }

export interface Connector<O = unknown> {
  id: string;
  provider: string;
  description: string;
  /** The provider's letter-case rule for refs and names; absent means every comparison is exact. */
  identifierCase?: IdentifierCase;
  collects: {
    identities: readonly string[];
    credentials: readonly string[];
    entitlements: boolean;
  };
  /** The provider recorded on rows, when a connector serves several (the file connector imports any SaaS). */
  providerFor?(options: O): string;
  /** Validates the source's `options` block of the config. */
  options: z.ZodType<O>;
  /** Checks credentials and reachability before anything is collected; throws an actionable UserError. */
  validate?(ctx: ConnectorContext<O>): Promise<void>;
  /** The tenants in scope: the configured ones, or those discovered (org accounts, projects under a folder). */
  tenants(ctx: ConnectorContext<O>): Promise<string[]>;
  /** Streams one tenant's records into the sink. Throwing marks the tenant failed; sink.partial() marks it partial. */
  collect(ctx: ConnectorContext<O>, tenant: string, sink: TenantSink): Promise<void>;
  remediation?: Remediation<O>;
}

export class NotReversibleError extends Error {
  constructor(message: string) { super(message); this.name = 'NotReversibleError'; }
}
