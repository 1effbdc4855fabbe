// The JSON report: versioned (REPORT_SCHEMA_VERSION, documented in docs/report-schema.md, machine-checkable with
// REPORT_JSON_SCHEMA), written as a stream so its size never becomes a heap. Findings that an exception mutes are in
// `suppressed`, not in `findings`: a muted finding is not an open one.
import { streamEffectiveAccess, streamFindings } from './data.js';
import { withSink } from './atomic.js';
import { raw, stringifyWithRaw } from './json-util.js';
import { toolVersion } from './version.js';
import type { ActionRow, FindingRow, ReportContext, ReportData, Reporter } from './types.js';

export const REPORT_FORMAT = 'nhi-recon-report';
/** Semantic version of the report layout: a field added bumps the minor, a field removed or changed bumps the major. */
export const REPORT_SCHEMA_VERSION = '1.1.0';

export function findingJson(f: FindingRow): Record<string, unknown> {
  return {
    finding_id: f.finding_id, rule_id: f.rule_id, title: f.title, severity: f.severity, status: f.status,
    provider: f.provider, tenant: f.tenant, source: f.source,
    subject_type: f.subject_type, subject_ref: f.subject_ref, identity_ref: f.identity_ref, resource_ref: f.resource_ref,
    permission: f.permission, level: f.level, owner: f.owner, owner_status: f.owner_status,
    reason: f.reason, evidence: raw(f.evidence_json),
    first_seen: f.first_seen, last_seen: f.last_seen, days_open: f.days_open, resolved_at: f.resolved_at,
    carried: f.carried, suppressed_by: f.suppressed_by,
    remediation: f.action_id ? {
      action_id: f.action_id, operation: f.action_operation, state: f.action_state,
      verified: f.action_state === 'verified', verified_at: f.action_verified_at,
    } : null,
  };
}

export function actionJson(a: ActionRow): Record<string, unknown> {
  return {
    action_id: a.action_id, plan_id: a.plan_id, finding_id: a.finding_id, rule_id: a.rule_id, kind: a.kind, operation: a.operation,
    provider: a.provider, tenant: a.tenant, source: a.source, target_ref: a.target_ref, state: a.state, reason: a.reason,
    intent_at: a.intent_at, outcome_at: a.outcome_at, verified_at: a.verified_at,
    verification: raw(a.verification_json), result: raw(a.result_json),
  };
}

export function runJson(d: ReportData): Record<string, unknown> {
  const r = d.run;
  return {
    run_id: r.run_id, seq: r.seq, started_at: r.started_at.toISOString(), finished_at: r.finished_at ? r.finished_at.toISOString() : null,
    status: r.status, stage: r.stage, mode: r.mode, origin: r.origin, error: r.error,
  };
}

/** Everything before the findings arrays. */
export function headerJson(ctx: ReportContext): Record<string, unknown> {
  const d = ctx.data;
  return {
    format: REPORT_FORMAT,
    schema_version: REPORT_SCHEMA_VERSION,
    generated_at: d.generatedAt,
    tool: { name: 'nhi-recon', version: toolVersion() },
    run: runJson(d),
    previous_run: d.previous ? { run_id: d.previous.run_id, seq: d.previous.seq, started_at: d.previous.started_at.toISOString() } : null,
    completeness: {
      complete: d.complete,
      authority: { status: d.run.authority_status, error: d.run.authority_error },
      tenants: d.tenants,
    },
    summary: d.counts,
    changes: { since_run: d.previous?.run_id ?? null, new: d.counts.new, regressed: d.counts.regressed, resolved: d.counts.resolved },
    lifecycle: d.lifecycle,
    trend: d.trend,
    owners: d.owners,
    include_resolved: ctx.includeResolved,
    // The guards' decisions: a tenant held as suspect, or a drop a person accepted (who, how, when).
    guards: { decisions: d.guards },
  };
}

export const jsonReporter: Reporter = {
  id: 'json',
  fileName: 'report.json',
  async write(ctx, file) {
    let rows = 0;
    await withSink(file, async (sink) => {
      const head = stringifyWithRaw(headerJson(ctx), 2);
      await sink.write(head.slice(0, -2)); // drop the closing "\n}" to keep appending members
      const section = async (name: string, rowsOf: AsyncIterable<Record<string, unknown>>) => {
        await sink.write(`,\n  "${name}": [`);
        let first = true;
        for await (const row of rowsOf) {
          await sink.write(`${first ? '\n    ' : ',\n    '}${stringifyWithRaw(row)}`);
          first = false;
          rows++;
        }
        await sink.write(first ? ']' : '\n  ]');
      };
      const map = async function* (it: AsyncIterable<FindingRow>) { for await (const f of it) yield findingJson(f); };
      const opts = { includeResolved: ctx.includeResolved, now: ctx.now, rules: ctx.rules, orderBy: ctx.byOwner ? 'owner' as const : 'default' as const };
      await section('findings', map(streamFindings(ctx.store, ctx.data.run, { ...opts, scope: 'report' as const })));
      await section('suppressed', map(streamFindings(ctx.store, ctx.data.run, { ...opts, scope: 'suppressed' })));
      await section('actions', (async function* () { for (const a of ctx.data.actions) yield actionJson(a); })());
      // Per identity, what it can do once everything it holds is combined, and every path to it (steps, target,
      // assumptions): the place to read "what class is X, and how" directly.
      await section('effective_access', (async function* () {
        for await (const e of streamEffectiveAccess(ctx.store, ctx.data.run.run_id)) {
          const { paths_json, limits_json, ...rest } = e;
          yield { ...rest, paths: raw(paths_json), limits: raw(limits_json) };
        }
      })());
      await sink.write('\n}\n');
    });
    return rows;
  },
};
