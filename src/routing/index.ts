// Routing: puts findings in front of people. Each finding is one thread per destination — opened when it is new,
// reopened when it regresses, updated when what it says changes, closed when a complete collection confirmed it gone —
// and never duplicated across runs: `deliveries` remembers the thread (issue key, record id) and what it last said.
// A delivery failure never fails the scan: it is logged, recorded in delivery_log, and retried by the next run
// (nothing is recorded as delivered until the destination accepted it).
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.js';
import { getRun, isEvidence, describeState } from '../store/runs.js';
import { SEVERITY_RANK, type Severity } from '../model/index.js';
import { redact, type Logger } from '../log.js';
import type { Destination, Routing } from './config.js';
import { globMatch } from '../remediate/rails.js';
import { createSender, type RoutedFinding, type RoutingEvent, type Sender } from './destinations.js';

export type { RoutedFinding, RoutingEvent } from './destinations.js';

export interface DestinationOutcome {
  destination: string;
  type: string;
  delivered: Record<RoutingEvent, number>;
  failed: number;
  /** Deliveries beyond max_per_run, left for the next run. */
  deferred: number;
  errors: string[];
}

export interface RouteResult { runId: string; outcomes: DestinationOutcome[] }

export interface RouteOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  now?: Date;
  /** Compute what would be sent without sending or recording anything. */
  dryRun?: boolean;
  baseFetch?: typeof fetch;
  /** Retries per request (429/5xx, honouring Retry-After); tests lower the delays. */
  retry?: { retries: number; baseDelayMs: number; maxDelayMs: number; timeoutMs: number; maxRateWaitMs: number };
}

/** What a delivered thread says; a change in any of these is an update. */
export function contentHash(f: RoutedFinding): string {
  return createHash('sha256').update(JSON.stringify([f.severity, f.status === 'resolved' ? 'resolved' : 'open', f.owner, f.reason, f.level])).digest('hex').slice(0, 16);
}

interface DeliveryRow { finding_id: string; external_id: string | null; state: 'open' | 'closed'; hash: string; last_run: string }

const FINDING_COLS = `f.finding_id, f.rule_id, f.severity, f.status, f.provider, f.tenant, f.source, f.subject_type, f.subject_ref,
  f.identity_ref, f.resource_ref, f.permission, f.level, f.owner, f.owner_status, f.reason, CAST(f.evidence AS VARCHAR) AS evidence,
  strftime(f.first_seen, '%Y-%m-%dT%H:%M:%SZ') AS first_seen, strftime(f.last_seen, '%Y-%m-%dT%H:%M:%SZ') AS last_seen,
  strftime(f.resolved_at, '%Y-%m-%dT%H:%M:%SZ') AS resolved_at, coalesce(f.carried, false) AS carried, f.suppressed_by`;

function matches(globs: string[], value: string | null): boolean {
  if (globs.includes('*')) return true;
  if (value === null) return false;
  return globs.some((g) => globMatch(g, value));
}

/** The events one destination is owed for this run, in a stable order: closes first (good news), then by severity. */
export function plannedEvents(dest: Destination, findings: RoutedFinding[], deliveries: Map<string, DeliveryRow>): { event: RoutingEvent; finding: RoutedFinding; prior: DeliveryRow | undefined }[] {
  const out: { event: RoutingEvent; finding: RoutedFinding; prior: DeliveryRow | undefined }[] = [];
  const min = SEVERITY_RANK[dest.min_severity];
  for (const f of findings) {
    const prior = deliveries.get(f.finding_id);
    const inScope = SEVERITY_RANK[f.severity as Severity] >= min && matches(dest.owners, f.owner) && matches(dest.rules, f.rule_id);
    if (f.status === 'resolved') {
      // A thread is closed on resolution even when the finding fell out of scope since (a lowered severity).
      if (prior?.state === 'open') out.push({ event: 'close', finding: f, prior });
      continue;
    }
    if (f.suppressed_by) continue; // muted by an exception: no new thread, and an open one stays as it is
    if (!inScope) continue;
    if (!prior) out.push({ event: 'open', finding: f, prior });
    else if (prior.state === 'closed') out.push({ event: 'reopen', finding: f, prior });
    else if (prior.hash !== contentHash(f)) out.push({ event: 'update', finding: f, prior });
  }
  const order: Record<RoutingEvent, number> = { close: 0, reopen: 1, open: 2, update: 3 };
  return out.sort((a, b) => order[a.event] - order[b.event] || SEVERITY_RANK[b.finding.severity as Severity] - SEVERITY_RANK[a.finding.severity as Severity] || a.finding.finding_id.localeCompare(b.finding.finding_id));
}

/**
 * Routes the findings of an evidence run. Open threads whose finding is not in this run at all (its rule disabled,
 * its source dropped from the config) are left as they are: absence from a run is not a resolution.
 */
export async function routeRun(store: Store, routing: Routing, runId: string, opts: RouteOptions): Promise<RouteResult> {
  const run = await getRun(store, runId);
  if (!run) throw new Error(`no run ${runId}`);
  // Only reconciled runs are evidence: an unfinished run has no findings, and routing it would close nothing but
  // could never be told apart from a clean estate.
  if (!isEvidence(run)) throw new Error(`run ${runId} is ${describeState(run)}; nothing was routed`);
  const now = opts.now ?? new Date();
  const findings = (await store.all(`SELECT ${FINDING_COLS} FROM findings f WHERE f.run_id = $1 ORDER BY f.finding_id`, [runId])) as unknown as RoutedFinding[];
  const outcomes: DestinationOutcome[] = [];
  if (!routing.enabled) return { runId, outcomes };
  for (const dest of routing.destinations) {
    const outcome: DestinationOutcome = { destination: dest.name, type: dest.type, delivered: { open: 0, reopen: 0, update: 0, close: 0 }, failed: 0, deferred: 0, errors: [] };
    outcomes.push(outcome);
    const rows = (await store.all(`SELECT finding_id, external_id, state, hash, last_run FROM deliveries WHERE destination = $1`, [dest.name])) as unknown as DeliveryRow[];
    const deliveries = new Map(rows.map((r) => [r.finding_id, r]));
    const events = plannedEvents(dest, findings, deliveries);
    outcome.deferred = Math.max(0, events.length - dest.max_per_run);
    if (opts.dryRun) {
      for (const e of events.slice(0, dest.max_per_run)) outcome.delivered[e.event]++;
      continue;
    }
    let sender: Sender;
    try {
      sender = createSender(dest, { env: opts.env, baseFetch: opts.baseFetch, retry: opts.retry, runId, log: opts.log });
    } catch (e) {
      // A missing secret fails this destination's deliveries, not the scan.
      outcome.failed = Math.min(events.length, dest.max_per_run);
      outcome.errors.push(redact((e as Error).message));
      opts.log.warn(`routing ${dest.name}: ${redact((e as Error).message)}`);
      continue;
    }
    let consecutiveFailures = 0;
    for (const e of events.slice(0, dest.max_per_run)) {
      if (consecutiveFailures >= 3) {
        // The destination is down: stop hammering it; everything left is retried next run.
        outcome.deferred += 1;
        continue;
      }
      try {
        const idempotency = `${e.finding.finding_id}|${e.event}|${contentHash(e.finding)}|${e.prior?.last_run ?? ''}`;
        const externalId = await sender.send(e.event, e.finding, e.prior?.external_id ?? null, idempotency);
        consecutiveFailures = 0;
        outcome.delivered[e.event]++;
        const state = e.event === 'close' ? 'closed' : 'open';
        await store.run(`INSERT OR REPLACE INTO deliveries VALUES ($1, $2, $3, $4, $5, coalesce((SELECT first_run FROM deliveries WHERE destination = $1 AND finding_id = $2), $6), $6, $7::TIMESTAMP)`,
          [dest.name, e.finding.finding_id, externalId ?? e.prior?.external_id ?? null, state, contentHash(e.finding), runId, now.toISOString()]);
        await store.run(`INSERT INTO delivery_log VALUES ($1, $2, $3, $4, true, NULL, $5::TIMESTAMP)`, [runId, dest.name, e.finding.finding_id, e.event, now.toISOString()]);
      } catch (err) {
        consecutiveFailures++;
        outcome.failed++;
        const msg = redact((err as Error).message);
        if (outcome.errors.length < 5) outcome.errors.push(`${e.event} ${e.finding.finding_id}: ${msg}`);
        opts.log.warn(`routing ${dest.name}: ${e.event} of finding ${e.finding.finding_id} failed: ${msg}`);
        await store.run(`INSERT INTO delivery_log VALUES ($1, $2, $3, $4, false, $5, $6::TIMESTAMP)`, [runId, dest.name, e.finding.finding_id, e.event, msg.slice(0, 500), now.toISOString()]);
      }
    }
  }
  return { runId, outcomes };
}

/** One line per destination for the terminal. */
export function formatRouting(result: RouteResult): string[] {
  return result.outcomes.map((o) => {
    const d = o.delivered;
    const parts = [`${d.open} opened`, `${d.reopen} reopened`, `${d.update} updated`, `${d.close} closed`];
    if (o.failed) parts.push(`${o.failed} FAILED (${o.errors[0] ?? 'see the log'})`);
    if (o.deferred) parts.push(`${o.deferred} deferred to the next run`);
    return `routing ${o.destination} (${o.type}): ${parts.join(', ')}`;
  });
}
