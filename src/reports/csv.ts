// The CSV report: one row per finding, written by DuckDB's COPY straight from the table (no rows pass through JS).
// Cells a spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a leading apostrophe: provider-side
// names are attacker-controlled, and an IAM user called =HYPERLINK(...) must not execute in an analyst's Excel.
import { sqlString } from '../store/store.js';
import { SEVERITY_ORDER_SQL } from './data.js';
import type { Reporter } from './types.js';
import { CONTROL_OR_BIDI_SQL } from './escape.js';

// Control and bidi characters become U+FFFD (the replacement character): visible, never an escape sequence or reordering.
const visibleSql = (expr: string) => `regexp_replace(${expr}, '${CONTROL_OR_BIDI_SQL}', '\uFFFD', 'g')`;
const safe = (e: string) => { const expr = visibleSql(e); return `CASE WHEN regexp_matches(${expr}, '^[=+\\-@\\t\\r]') THEN '''' || ${expr} ELSE ${expr} END`; };
const isoCol = (expr: string) => `strftime(${expr}, '%Y-%m-%dT%H:%M:%SZ')`;

export const CSV_COLUMNS = [
  'finding_id', 'rule_id', 'severity', 'status', 'provider', 'tenant', 'source', 'subject_type', 'subject_ref', 'identity_ref',
  'resource_ref', 'permission', 'level', 'owner', 'owner_status', 'reason', 'first_seen', 'last_seen', 'days_open', 'resolved_at',
  'carried', 'suppressed_by', 'remediation_state', 'remediation_verified_at', 'evidence',
] as const;

export const csvReporter: Reporter = {
  id: 'csv',
  fileName: 'findings.csv',
  async write(ctx, file) {
    const run = ctx.data.run;
    const now = `${sqlString(ctx.now.toISOString())}::TIMESTAMPTZ::TIMESTAMP`;
    const text = (c: string) => safe(`f.${c}`);
    const order = ctx.byOwner ? `f.owner NULLS FIRST, ${SEVERITY_ORDER_SQL}, f.finding_id` : `${SEVERITY_ORDER_SQL}, f.rule_id, f.subject_ref, f.finding_id`;
    // Suppressed findings stay in the CSV (one flat table) but are marked by suppressed_by.
    const where = ctx.includeResolved ? 'true' : `f.status <> 'resolved'`;
    const select = `
      WITH la AS (
        SELECT a.finding_id, a.state, a.verified_at FROM actions a LEFT JOIN runs ar ON ar.run_id = a.run_id
        WHERE a.finding_id IS NOT NULL AND (ar.seq IS NULL OR ar.seq <= ${Number(run.seq)})
        QUALIFY row_number() OVER (PARTITION BY a.finding_id ORDER BY coalesce(a.verified_at, a.outcome_at, a.intent_at) DESC NULLS LAST, a.action_id DESC) = 1)
      SELECT f.finding_id, f.rule_id, f.severity, f.status, ${text('provider')} AS provider, ${text('tenant')} AS tenant, ${text('source')} AS source,
        f.subject_type, ${text('subject_ref')} AS subject_ref, ${text('identity_ref')} AS identity_ref, ${text('resource_ref')} AS resource_ref,
        ${text('permission')} AS permission, f.level, ${text('owner')} AS owner, f.owner_status, ${text('reason')} AS reason,
        ${isoCol('f.first_seen')} AS first_seen, ${isoCol('f.last_seen')} AS last_seen,
        greatest(0, CAST(floor((epoch(coalesce(f.resolved_at, ${now})) - epoch(f.first_seen)) / 86400) AS BIGINT)) AS days_open,
        ${isoCol('f.resolved_at')} AS resolved_at, coalesce(f.carried, false) AS carried, ${text('suppressed_by')} AS suppressed_by,
        la.state AS remediation_state, ${isoCol('la.verified_at')} AS remediation_verified_at,
        coalesce(CAST(json(f.evidence) AS VARCHAR), '{}') AS evidence
      FROM findings f LEFT JOIN la ON la.finding_id = f.finding_id
      WHERE f.run_id = ${sqlString(run.run_id)} AND ${where}
      ORDER BY ${order}`;
    const count = await ctx.store.value(`COPY (${select}) TO ${sqlString(file)} (FORMAT csv, HEADER true)`);
    return Number(count ?? 0);
  },
  // The guards' decisions (suspect tenants, accepted drops) as their own flat table beside the findings.
  companions: [{
    fileName: 'guards.csv',
    async write(ctx, file) {
      const g = (c: string) => safe(`coalesce(CAST(${c} AS VARCHAR), '')`);
      const count = await ctx.store.value(`COPY (SELECT guard, decision, ${g('source')} AS source, ${g('provider')} AS provider, ${g('tenant')} AS tenant,
          collection, ${g('kind')} AS kind, ${g('file')} AS file, baseline_run_id, baseline, current, ${g('reason')} AS reason,
          ${g('accepted_by')} AS accepted_by, accepted_via, ${isoCol('decided_at')} AS decided_at
        FROM guard_decisions WHERE run_id = ${sqlString(ctx.data.run.run_id)} ORDER BY guard, source, tenant, collection, kind NULLS FIRST)
        TO ${sqlString(file)} (FORMAT csv, HEADER true)`);
      return Number(count ?? 0);
    },
  }],
};
