// The report's view of the store: one summary computed with a handful of aggregate queries, and the findings streamed
// chunk by chunk from a DuckDB cursor. Timestamps leave SQL as epoch milliseconds (exact, BIGINT-safe once turned into
// a Number: 2^53 ms is the year 287396) and evidence leaves it as the stored JSON text, never re-parsed.
import type { Store } from '../store/store.js';
import { getRun, requireEvidence, type RunRow } from '../store/runs.js';
import { UserError } from '../errors.js';
import { SEVERITIES } from '../model/index.js';
import type { Rule } from '../reconcile/rule.js';
import type { ActionRow, Counts, FindingRow, Lifecycle, OwnerGroup, ReportData, TenantCompleteness, TrendPoint, GuardDecisionRow } from './types.js';

export const SEVERITY_ORDER_SQL = `CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END`;

/** Which findings of a run a section shows. `open` = actionable (not resolved, not muted). */
export type FindingScope = 'open' | 'changed' | 'suppressed' | 'resolved' | 'report';

export function scopeSql(scope: FindingScope, includeResolved: boolean): string {
  switch (scope) {
    case 'open': return `f.status <> 'resolved' AND f.suppressed_by IS NULL`;
    case 'changed': return `f.status IN ('new', 'regressed') AND f.suppressed_by IS NULL`;
    case 'suppressed': return `f.status <> 'resolved' AND f.suppressed_by IS NOT NULL`;
    case 'resolved': return `f.status = 'resolved'`;
    // Open findings plus (optionally) the ones resolved in this run; muted ones are reported apart.
    case 'report': return includeResolved ? `(f.suppressed_by IS NULL OR f.status = 'resolved')` : `f.status <> 'resolved' AND f.suppressed_by IS NULL`;
  }
}

export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'bigint' ? Number(v) : Number(v);
}

export function isoFromMs(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return new Date(num(v)).toISOString();
}

function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

/** The newest action per finding, as of the reported run (later runs' actions are not shown in an older report). */
function lastActionSql(): string {
  return `SELECT a.finding_id, a.action_id, a.state, a.operation, a.verified_at
    FROM actions a LEFT JOIN runs ar ON ar.run_id = a.run_id
    WHERE a.finding_id IS NOT NULL AND (ar.seq IS NULL OR ar.seq <= $seq)
    QUALIFY row_number() OVER (PARTITION BY a.finding_id ORDER BY coalesce(a.verified_at, a.outcome_at, a.intent_at) DESC NULLS LAST, a.action_id DESC) = 1`;
}

export interface FindingQuery { scope: FindingScope; includeResolved: boolean; orderBy?: 'default' | 'owner'; limit?: number; perOwnerLimit?: number }

export function findingsSql(q: FindingQuery): string {
  const { scope, includeResolved, orderBy = 'default' } = q;
  const order = orderBy === 'owner'
    ? `f.owner NULLS FIRST, ${SEVERITY_ORDER_SQL}, f.rule_id, f.subject_ref, f.finding_id`
    : `${SEVERITY_ORDER_SQL}, CASE f.status WHEN 'regressed' THEN 0 WHEN 'new' THEN 1 WHEN 'open' THEN 2 ELSE 3 END, f.rule_id, f.subject_ref, f.finding_id`;
  return `WITH la AS (${lastActionSql()})
    SELECT f.finding_id, f.rule_id, f.severity, f.status, f.provider, f.tenant, f.source, f.subject_type, f.subject_ref,
      f.identity_ref, f.resource_ref, f.permission, f.level, f.owner, f.owner_status, f.reason,
      coalesce(CAST(json(f.evidence) AS VARCHAR), '{}') AS evidence_json,
      epoch_ms(f.first_seen) AS first_seen_ms, epoch_ms(f.last_seen) AS last_seen_ms, epoch_ms(f.resolved_at) AS resolved_at_ms,
      coalesce(f.carried, false) AS carried, f.suppressed_by,
      la.action_id, la.state AS action_state, la.operation AS action_operation, epoch_ms(la.verified_at) AS action_verified_ms
    FROM findings f LEFT JOIN la ON la.finding_id = f.finding_id
    WHERE f.run_id = $run AND ${scopeSql(scope, includeResolved)}
    ${q.perOwnerLimit ? `QUALIFY row_number() OVER (PARTITION BY f.owner ORDER BY ${SEVERITY_ORDER_SQL}, f.finding_id) <= ${Math.floor(q.perOwnerLimit)}` : ''}
    ORDER BY ${order}${q.limit ? ` LIMIT ${Math.floor(q.limit)}` : ''}`;
}

/** Streams a run's findings in report order, one DuckDB chunk (about 2k rows) at a time. */
export async function* streamFindings(
  store: Store, run: RunRow, opts: FindingQuery & { now: Date; rules: Map<string, Rule> },
): AsyncGenerator<FindingRow> {
  const result = await store.conn.stream(findingsSql(opts), { run: run.run_id, seq: run.seq });
  const nowMs = opts.now.getTime();
  const names = result.columnNames();
  // A chunk read column by column (strings, bigints, booleans, nulls as DuckDB gives them): row objects of JS values
  // (yieldRowObjectJs) cost about 15 of the 24 CPU seconds of streaming 1M findings.
  for await (const chunk of result) {
    const cols: Record<string, unknown[]> = {};
    names.forEach((name, i) => { cols[name] = chunk.getColumnValues(i); });
    for (let i = 0; i < chunk.rowCount; i++) {
      const r: Record<string, unknown> = {};
      for (const name of names) r[name] = cols[name]![i];
      const first = num(r.first_seen_ms);
      const resolvedMs = r.resolved_at_ms === null ? null : num(r.resolved_at_ms);
      const end = resolvedMs ?? nowMs;
      const ruleId = String(r.rule_id);
      yield {
        finding_id: String(r.finding_id),
        rule_id: ruleId,
        title: opts.rules.get(ruleId)?.title ?? ruleId,
        severity: String(r.severity),
        status: String(r.status),
        provider: (r.provider as string | null) ?? null,
        tenant: (r.tenant as string | null) ?? null,
        source: (r.source as string | null) ?? null,
        subject_type: String(r.subject_type),
        subject_ref: String(r.subject_ref),
        identity_ref: (r.identity_ref as string | null) ?? null,
        resource_ref: (r.resource_ref as string | null) ?? null,
        permission: (r.permission as string | null) ?? null,
        level: (r.level as string | null) ?? null,
        owner: (r.owner as string | null) ?? null,
        owner_status: (r.owner_status as string | null) ?? null,
        reason: String(r.reason),
        evidence_json: String(r.evidence_json),
        first_seen: new Date(first).toISOString(),
        last_seen: isoFromMs(r.last_seen_ms)!,
        resolved_at: resolvedMs === null ? null : new Date(resolvedMs).toISOString(),
        days_open: Math.max(0, Math.floor((end - first) / 86_400_000)),
        carried: Boolean(r.carried),
        suppressed_by: (r.suppressed_by as string | null) ?? null,
        action_id: (r.action_id as string | null) ?? null,
        action_state: (r.action_state as string | null) ?? null,
        action_operation: (r.action_operation as string | null) ?? null,
        action_verified_at: isoFromMs(r.action_verified_ms),
      };
    }
  }
}

/** Resolve the run a report is about, with a clear error when there is none. */
export async function requireRun(store: Store, runId: string): Promise<RunRow> {
  const run = await getRun(store, runId);
  if (!run) throw new UserError(`run ${runId} is not in the database ${store.path}; \`nhi-recon runs\` lists the runs`);
  return run;
}

/** A run whose findings were computed (a run collected but never reconciled has none, and is no baseline). */
const RECONCILED = `(r.reconciled_at IS NOT NULL OR EXISTS (SELECT 1 FROM findings f WHERE f.run_id = r.run_id))`;

/** The run reported before this one (for "what changed"): the newest earlier reconciled run. */
export async function previousReportedRun(store: Store, run: RunRow): Promise<RunRow | undefined> {
  return store.one<RunRow & Record<string, unknown>>(
    `SELECT r.* FROM runs r WHERE r.seq < $1 AND r.status IN ('complete', 'partial') AND ${RECONCILED} ORDER BY r.seq DESC LIMIT 1`, [run.seq]);
}

const zeroSeverities = (): Record<string, number> => Object.fromEntries([...SEVERITIES].reverse().map((s) => [s, 0]));

export async function countFindings(store: Store, runId: string): Promise<Counts> {
  const open = `status <> 'resolved' AND suppressed_by IS NULL`;
  const totals = await store.one(`SELECT
      count(*) FILTER (WHERE ${open}) AS open,
      count(*) FILTER (WHERE status = 'new' AND suppressed_by IS NULL) AS new,
      count(*) FILTER (WHERE status = 'regressed' AND suppressed_by IS NULL) AS regressed,
      count(*) FILTER (WHERE status = 'resolved') AS resolved,
      count(*) FILTER (WHERE status <> 'resolved' AND suppressed_by IS NOT NULL) AS suppressed,
      count(*) FILTER (WHERE ${open} AND carried) AS carried
    FROM findings WHERE run_id = $1`, [runId]);
  const group = async (col: string) => {
    const rows = await store.all<{ k: string | null; n: number }>(`SELECT ${col} AS k, count(*) AS n FROM findings WHERE run_id = $1 AND ${open} GROUP BY 1 ORDER BY 2 DESC, 1`, [runId]);
    return Object.fromEntries(rows.map((r) => [r.k ?? '(none)', num(r.n)]));
  };
  return {
    open: num(totals?.open), new: num(totals?.new), regressed: num(totals?.regressed), resolved: num(totals?.resolved),
    suppressed: num(totals?.suppressed), carried: num(totals?.carried),
    by_severity: { ...zeroSeverities(), ...(await group('severity')) },
    by_rule: await group('rule_id'),
    by_provider: await group('provider'),
  };
}

/** Days between a grant's expiry (from the finding's evidence) and the removal of the access. */
const REMOVALS_SQL = `
  SELECT DISTINCT f.finding_id, f.resolved_at, r.seq,
    (epoch(f.resolved_at) - epoch(TRY_CAST(json_extract_string(f.evidence, '$.grant_expires_at') AS TIMESTAMPTZ)::TIMESTAMP)) / 86400.0 AS days
  FROM findings f JOIN runs r ON r.run_id = f.run_id
  WHERE f.rule_id = 'expired-grant' AND f.status = 'resolved' AND f.resolved_at IS NOT NULL
    AND json_extract_string(f.evidence, '$.grant_expires_at') IS NOT NULL`;

const round1 = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

export async function lifecycleAt(store: Store, run: RunRow): Promise<Lifecycle> {
  const done = await store.one(`SELECT count(*) AS n, median(days) AS med, max(days) AS worst FROM (${REMOVALS_SQL}) WHERE seq <= $1 AND days IS NOT NULL`, [run.seq]);
  const open = await store.one(`SELECT count(*) AS n,
      max((epoch($2::TIMESTAMP) - epoch(TRY_CAST(json_extract_string(evidence, '$.grant_expires_at') AS TIMESTAMPTZ)::TIMESTAMP)) / 86400.0) AS oldest
    FROM findings WHERE run_id = $1 AND rule_id = 'expired-grant' AND status <> 'resolved'`, [run.run_id, run.started_at.toISOString()]);
  return {
    removed: num(done?.n), median_days: round1(done?.med), worst_days: round1(done?.worst),
    still_open: num(open?.n), oldest_open_days: round1(open?.oldest),
  };
}

/** Runs up to this one that produced findings, oldest first, with their counts and lifecycle (at most `limit`). */
export async function trendUpTo(store: Store, run: RunRow, limit = 30): Promise<TrendPoint[]> {
  const rows = await store.all(`
    WITH t AS (
      SELECT r.run_id, r.seq, r.started_at, r.status FROM runs r
      WHERE r.seq <= $1 AND r.status IN ('complete', 'partial') AND (r.run_id = $2 OR ${RECONCILED})
      ORDER BY r.seq DESC LIMIT ${Math.max(1, Math.floor(limit))}),
    c AS (
      SELECT t.seq,
        count(f.finding_id) FILTER (WHERE f.status <> 'resolved' AND f.suppressed_by IS NULL) AS open,
        count(f.finding_id) FILTER (WHERE f.status <> 'resolved' AND f.suppressed_by IS NULL AND f.severity = 'critical') AS critical,
        count(f.finding_id) FILTER (WHERE f.status <> 'resolved' AND f.suppressed_by IS NULL AND f.severity = 'high') AS high,
        count(f.finding_id) FILTER (WHERE f.status = 'new' AND f.suppressed_by IS NULL) AS new,
        count(f.finding_id) FILTER (WHERE f.status = 'resolved') AS resolved
      FROM t LEFT JOIN findings f ON f.run_id = t.run_id GROUP BY t.seq),
    l AS (
      SELECT t.seq, median(x.days) AS med, max(x.days) AS worst
      FROM t JOIN (${REMOVALS_SQL}) x ON x.seq <= t.seq WHERE x.days IS NOT NULL GROUP BY t.seq)
    SELECT t.run_id, t.seq, epoch_ms(t.started_at) AS started_ms, t.status, c.open, c.critical, c.high, c.new, c.resolved, l.med, l.worst
    FROM t JOIN c USING (seq) LEFT JOIN l USING (seq) ORDER BY t.seq`, [run.seq, run.run_id]);
  return rows.map((r) => ({
    run_id: String(r.run_id), seq: num(r.seq), started_at: isoFromMs(r.started_ms)!, status: String(r.status),
    open: num(r.open), critical: num(r.critical), high: num(r.high), new: num(r.new), resolved: num(r.resolved),
    lifecycle_median_days: round1(r.med), lifecycle_worst_days: round1(r.worst),
  }));
}

export async function tenantCompleteness(store: Store, runId: string): Promise<TenantCompleteness[]> {
  const rows = await store.all(`SELECT source, provider, tenant, status, api_calls, cached_calls, rate_budget_used, rows, error
    FROM source_runs WHERE run_id = $1 ORDER BY provider, source, tenant`, [runId]);
  return rows.map((r) => ({
    source: String(r.source), provider: String(r.provider), tenant: String(r.tenant), status: String(r.status),
    api_calls: num(r.api_calls), cached_calls: num(r.cached_calls), rate_budget_used: num(r.rate_budget_used), rows: num(r.rows),
    error: (r.error as string | null) ?? null,
  }));
}

export async function ownerGroups(store: Store, runId: string): Promise<OwnerGroup[]> {
  // One row per *person*: an owner written as a person id, an email or any of the person's provider logins resolves
  // through the people directory of the run, so one person is one row with their real status. Owners the directory
  // does not know stay rows of their own.
  const rows = await store.all(`WITH who AS (
      SELECT p.person_id, p.name, p.status, p.person_id AS alias FROM people p WHERE p.run_id = $1
      UNION SELECT p.person_id, p.name, p.status, p.email FROM people p WHERE p.run_id = $1 AND p.email IS NOT NULL
      UNION SELECT p.person_id, p.name, p.status, l.login FROM person_logins l JOIN people p ON p.run_id = l.run_id AND p.person_id = l.person_id WHERE l.run_id = $1),
    one AS (SELECT lower(alias) AS alias, min(person_id) AS person_id, count(DISTINCT person_id) AS n, any_value(name) AS name, any_value(status) AS status FROM who GROUP BY 1)
    SELECT f.owner, any_value(f.owner_status) AS owner_status, f.severity, count(*) AS n,
      CASE WHEN any_value(o.n) = 1 THEN any_value(o.person_id) END AS person_id, any_value(o.name) AS person_name, any_value(o.status) AS person_status
    FROM findings f LEFT JOIN one o ON o.alias = lower(f.owner)
    WHERE f.run_id = $1 AND f.status <> 'resolved' AND f.suppressed_by IS NULL GROUP BY f.owner, f.severity`, [runId]);
  const groups = new Map<string, OwnerGroup>();
  for (const r of rows) {
    const person = (r.person_id as string | null) ?? null;
    const key = person ? `person:${person}` : `owner:${(r.owner as string | null) ?? '\u0000'}`;
    const label = person ? (r.person_name ? `${r.person_name as string} (${person})` : person) : (r.owner as string | null) ?? null;
    const g = groups.get(key) ?? { owner: label, owner_status: person ? (r.person_status as string | null) ?? null : (r.owner_status as string | null) ?? null, open: 0, by_severity: zeroSeverities(), person_id: person, aliases: [] };
    if (r.owner && !g.aliases!.includes(String(r.owner))) g.aliases!.push(String(r.owner));
    g.by_severity[String(r.severity)] = (g.by_severity[String(r.severity)] ?? 0) + num(r.n);
    g.open += num(r.n);
    groups.set(key, g);
  }
  for (const g of groups.values()) g.aliases!.sort();
  // Unowned first: nobody will pick those up unless they are put in front of someone.
  return [...groups.values()].sort((a, b) => (a.owner === null ? -1 : b.owner === null ? 1 : b.open - a.open || a.owner.localeCompare(b.owner)));
}

export async function runActions(store: Store, runId: string): Promise<ActionRow[]> {
  const rows = await store.all(`SELECT a.action_id, a.plan_id, a.run_id, a.finding_id, a.rule_id, a.kind, a.operation, a.provider, a.tenant,
      a.source, a.target_ref, a.state, a.reason, epoch_ms(a.intent_at) AS intent_ms, epoch_ms(a.outcome_at) AS outcome_ms,
      epoch_ms(a.verified_at) AS verified_ms, CAST(json(a.verification) AS VARCHAR) AS verification_json, CAST(json(a.result) AS VARCHAR) AS result_json,
      (SELECT any_value(f.severity) FROM findings f WHERE f.run_id = a.run_id AND f.finding_id = a.finding_id) AS severity
    FROM actions a WHERE a.run_id = $1 ORDER BY a.intent_at NULLS LAST, a.action_id`, [runId]);
  return rows.map((r) => ({
    action_id: String(r.action_id), plan_id: String(r.plan_id), run_id: String(r.run_id), finding_id: (r.finding_id as string | null) ?? null,
    rule_id: (r.rule_id as string | null) ?? null, kind: String(r.kind), operation: String(r.operation),
    provider: (r.provider as string | null) ?? null, tenant: (r.tenant as string | null) ?? null, source: (r.source as string | null) ?? null,
    target_ref: String(r.target_ref), state: String(r.state), reason: (r.reason as string | null) ?? null,
    intent_at: isoFromMs(r.intent_ms), outcome_at: isoFromMs(r.outcome_ms), verified_at: isoFromMs(r.verified_ms),
    verification_json: (r.verification_json as string | null) ?? null, result_json: (r.result_json as string | null) ?? null,
    severity: (r.severity as string | null) ?? null,
  }));
}

export async function loadReportData(store: Store, runId: string, now: Date): Promise<ReportData> {
  // A run that is not evidence (failed, or collected and never reconciled) has no findings: a report of it would say
  // "0 open". Refused here as well as in the commands, so no path writes one.
  const run = requireEvidence(await requireRun(store, runId), 'write reports');
  const previous = await previousReportedRun(store, run);
  const tenants = await tenantCompleteness(store, runId);
  return {
    run, previous, generatedAt: now.toISOString(),
    // "0 of 0 tenants" is not complete: a run that collected no tenant saw nothing.
    complete: run.authority_status !== 'failed' && tenants.length > 0 && tenants.every((t) => t.status === 'complete'),
    tenants,
    counts: await countFindings(store, runId),
    lifecycle: await lifecycleAt(store, run),
    trend: await trendUpTo(store, run),
    owners: await ownerGroups(store, runId),
    actions: await runActions(store, runId),
    guards: await guardDecisions(store, runId),
  };
}

/** One identity's effective access (a connector's summary entitlement): its class and every path that gives it. */
export interface EffectiveAccessRow {
  identity_ref: string; identity_name: string | null; provider: string; tenant: string; source: string; resource_ref: string;
  class: string | null; level: string; privileged: boolean | null; paths_json: string; limits_json: string;
}

/**
 * Summary entitlements (attributes.summary = true): what an identity can do once everything it holds is combined,
 * with the paths (steps, target, assumptions) a person acts on. Streamed, most powerful first.
 */
export async function* streamEffectiveAccess(store: Store, runId: string): AsyncGenerator<EffectiveAccessRow> {
  const sql = `SELECT identity_ref, identity_name, provider, tenant, source, resource_ref, json_extract_string(attributes, '$.class') AS class, level, privileged,
      coalesce(CAST(json_extract(attributes, '$.paths') AS VARCHAR), '[]') AS paths_json, coalesce(CAST(json_extract(attributes, '$.limits') AS VARCHAR), '[]') AS limits_json
    FROM entitlements WHERE run_id = $1 AND json_extract_string(attributes, '$.summary') = 'true'
    ORDER BY lvl_order, coalesce(privileged, false) DESC, identity_ref`.replace('lvl_order', `CASE level WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'write' THEN 2 WHEN 'read' THEN 3 ELSE 4 END`);
  for (const r of await store.all(sql, [runId])) {
    yield {
      identity_ref: String(r.identity_ref), identity_name: (r.identity_name as string | null) ?? null, provider: String(r.provider), tenant: String(r.tenant),
      source: String(r.source), resource_ref: String(r.resource_ref), class: (r.class as string | null) ?? null, level: String(r.level),
      privileged: (r.privileged as boolean | null) ?? null, paths_json: String(r.paths_json), limits_json: String(r.limits_json),
    };
  }
}

export async function guardDecisions(store: Store, runId: string): Promise<GuardDecisionRow[]> {
  const rows = await store.all(`SELECT guard, decision, source, provider, tenant, collection, kind, file, baseline_run_id, baseline::DOUBLE AS baseline,
      current::DOUBLE AS current, reason, accepted_by, accepted_via, epoch_ms(decided_at) AS decided_ms
    FROM guard_decisions WHERE run_id = $1 ORDER BY guard, source, tenant, collection, kind NULLS FIRST`, [runId]);
  return rows.map((r) => ({
    guard: String(r.guard), decision: String(r.decision), source: (r.source as string | null) ?? null, provider: (r.provider as string | null) ?? null,
    tenant: (r.tenant as string | null) ?? null, collection: String(r.collection), kind: (r.kind as string | null) ?? null, file: (r.file as string | null) ?? null,
    baseline_run_id: (r.baseline_run_id as string | null) ?? null, baseline: r.baseline == null ? null : Number(r.baseline), current: Number(r.current),
    reason: String(r.reason), accepted_by: (r.accepted_by as string | null) ?? null, accepted_via: (r.accepted_via as string | null) ?? null,
    decided_at: new Date(Number(r.decided_ms)).toISOString(),
  }));
}

/** A guard decision in one line: what it concerns, what dropped, and who accepted it. */
export function describeGuardDecision(g: GuardDecisionRow): string {
  const where = g.guard === 'authority' ? 'grant records' : `${g.source}/${g.tenant}`;
  const against = g.baseline_run_id ? ` against run ${g.baseline_run_id}` : '';
  const by = g.decision === 'accepted' ? `, accepted by ${g.accepted_by ?? 'unknown'} (${g.accepted_via ?? 'unknown'})` : ' — held: findings carried, nothing acted on';
  return `${g.decision}: ${where} — ${g.reason}${against}${by}`;
}

export { iso };
