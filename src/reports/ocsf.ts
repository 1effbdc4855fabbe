// OCSF JSON Lines: one Detection Finding (class 2004, OCSF 1.1.0, the version Security Lake and most SIEM mappings
// read) per finding, and one Remediation Activity (class 7001, which first appears in OCSF 1.3.0, so those events
// carry metadata.version 1.3.0) per journaled action, tied to its finding by metadata.correlation_uid = finding_id.
// finding_info.uid is the stable finding_id, so a SIEM de-duplicates the same finding across nights.
// Numbers are exact: times are epoch ms (< 2^53), and evidence is spliced in as the stored JSON text.
import { describeGuardDecision, streamFindings } from './data.js';
import { withSink } from './atomic.js';
import { raw, stringifyWithRaw } from './json-util.js';
import { toolVersion } from './version.js';
import type { ActionRow, FindingRow, GuardDecisionRow, ReportContext, Reporter } from './types.js';
import type { Rule } from '../reconcile/rule.js';

export const OCSF_FINDING_VERSION = '1.1.0';
export const OCSF_REMEDIATION_VERSION = '1.3.0';

const SEVERITY_ID: Record<string, [number, string]> = {
  info: [1, 'Informational'], low: [2, 'Low'], medium: [3, 'Medium'], high: [4, 'High'], critical: [5, 'Critical'],
};


function severityOf(s: string | null): [number, string] {
  return (s && SEVERITY_ID[s]) || [0, 'Unknown'];
}

function product(): Record<string, unknown> {
  return { name: 'nhi-recon', uid: 'nhi-recon', vendor_name: 'nhi-recon', version: toolVersion() };
}

function cloud(provider: string | null, tenant: string | null): Record<string, unknown> {
  // The provider id exactly as the connector records it: the core keeps no list of providers.
  const c: Record<string, unknown> = { provider: provider || 'unknown' };
  if (tenant) c.account = { uid: tenant };
  return c;
}

const ms = (iso: string | null): number | undefined => (iso ? Date.parse(iso) : undefined);

/** Finding lifecycle → OCSF activity (Create/Update/Close) and finding status (New/Suppressed/Resolved). */
function findingActivity(f: FindingRow): { activity: [number, string]; status: [number, string] } {
  if (f.status === 'resolved') return { activity: [3, 'Close'], status: [4, 'Resolved'] };
  const activity: [number, string] = f.status === 'new' ? [1, 'Create'] : [2, 'Update'];
  return { activity, status: f.suppressed_by ? [3, 'Suppressed'] : [1, 'New'] };
}

export function findingEvent(f: FindingRow, rule: Rule | undefined, runId: string): Record<string, unknown> {
  const { activity, status } = findingActivity(f);
  const [sevId, sev] = severityOf(f.severity);
  const resources: Record<string, unknown>[] = [{
    uid: f.subject_ref, name: f.subject_ref, type: f.subject_type,
    data: { provider: f.provider, tenant: f.tenant, source: f.source, permission: f.permission, level: f.level },
    labels: [f.provider ?? 'unknown', f.subject_type],
  }];
  if (f.identity_ref && f.identity_ref !== f.subject_ref) resources.push({ uid: f.identity_ref, name: f.identity_ref, type: 'identity' });
  if (f.resource_ref && f.resource_ref !== f.subject_ref) resources.push({ uid: f.resource_ref, name: f.resource_ref, type: 'resource' });
  const event: Record<string, unknown> = {
    activity_id: activity[0], activity_name: activity[1],
    category_uid: 2, category_name: 'Findings',
    class_uid: 2004, class_name: 'Detection Finding',
    type_uid: 2004 * 100 + activity[0], type_name: `Detection Finding: ${activity[1]}`,
    severity_id: sevId, severity: sev,
    time: ms(f.last_seen), start_time: ms(f.first_seen), end_time: ms(f.resolved_at ?? f.last_seen), timezone_offset: 0,
    message: f.reason,
    status_id: status[0], status: status[1],
    confidence_id: 3, confidence: 'High', // deterministic rules over collected inventory, not heuristics
    metadata: {
      version: OCSF_FINDING_VERSION, product: product(), profiles: ['cloud'],
      uid: `${f.finding_id}:${runId}`, correlation_uid: f.finding_id, log_name: 'findings', log_provider: 'nhi-recon',
      labels: [f.rule_id, f.severity], tenant_uid: f.tenant ?? undefined,
    },
    cloud: cloud(f.provider, f.tenant),
    finding_info: {
      uid: f.finding_id, title: rule?.title ?? f.rule_id, desc: rule?.description ?? f.reason, types: [f.rule_id],
      created_time: ms(f.first_seen), first_seen_time: ms(f.first_seen), last_seen_time: ms(f.last_seen), modified_time: ms(f.last_seen),
      analytic: { uid: f.rule_id, name: f.rule_id, type_id: 1, type: 'Rule', category: 'nhi-recon' },
    },
    resources,
    evidences: [{ data: raw(f.evidence_json) }],
    unmapped: {
      nhi_recon: {
        run_id: runId, rule_id: f.rule_id, status: f.status, days_open: f.days_open, owner: f.owner, owner_status: f.owner_status,
        carried: f.carried, suppressed_by: f.suppressed_by,
        standards: rule?.standards ?? null,
        remediation: f.action_id ? { action_id: f.action_id, state: f.action_state, operation: f.action_operation, verified_at: f.action_verified_at } : null,
      },
    },
  };
  if (rule?.fix) event.remediation = { desc: rule.fix };
  return event;
}

/** An action's kind → D3FEND tactic as OCSF names it (disable/revoke/delete evict access; rotate hardens). */
function actionActivity(a: ActionRow): [number, string] {
  if (a.state === 'rolled_back') return [3, 'Restore'];
  if (a.kind === 'rotate') return [4, 'Harden'];
  return [2, 'Evict'];
}

function actionStatus(state: string): [number, string, string] {
  switch (state) {
    case 'verified': return [1, 'Success', 'Done and verified: the access is gone.'];
    case 'rolled_back': return [1, 'Success', 'Rolled back: the before-state was restored.'];
    case 'done': return [4, 'Partial', 'Done, not yet verified.'];
    case 'unverified': return [4, 'Partial', 'Done, but verification could not prove the access is gone.'];
    case 'failed': return [2, 'Failure', 'The provider call failed.'];
    case 'skipped': return [99, 'Skipped', 'Skipped by a safety rail.'];
    case 'intent': return [0, 'Unknown', 'Intent journaled; no outcome recorded (interrupted).'];
    default: return [99, state, state];
  }
}

export function actionEvent(a: ActionRow): Record<string, unknown> {
  const activity = actionActivity(a);
  const [statusId, status, detail] = actionStatus(a.state);
  const [sevId, sev] = a.severity ? severityOf(a.severity) : [1, 'Informational'] as [number, string];
  const time = ms(a.verified_at ?? a.outcome_at ?? a.intent_at) ?? Date.now();
  return {
    activity_id: activity[0], activity_name: activity[1],
    category_uid: 7, category_name: 'Remediation',
    class_uid: 7001, class_name: 'Remediation Activity',
    type_uid: 7001 * 100 + activity[0], type_name: `Remediation Activity: ${activity[1]}`,
    severity_id: sevId, severity: sev,
    time, start_time: ms(a.intent_at), end_time: ms(a.verified_at ?? a.outcome_at), timezone_offset: 0,
    message: `${a.operation} on ${a.target_ref}: ${detail}`,
    status_id: statusId, status, status_detail: a.reason ?? undefined,
    command_uid: a.action_id,
    metadata: {
      version: OCSF_REMEDIATION_VERSION, product: product(), profiles: ['cloud'],
      uid: a.action_id, correlation_uid: a.finding_id ?? undefined, log_name: 'actions', log_provider: 'nhi-recon',
      labels: [a.kind, a.operation], tenant_uid: a.tenant ?? undefined,
    },
    cloud: cloud(a.provider, a.tenant),
    remediation: { desc: `${a.kind} (${a.operation}) of ${a.target_ref}` },
    unmapped: {
      nhi_recon: {
        run_id: a.run_id, plan_id: a.plan_id, finding_id: a.finding_id, rule_id: a.rule_id, kind: a.kind, operation: a.operation,
        target_ref: a.target_ref, state: a.state, verification: raw(a.verification_json), result: raw(a.result_json),
      },
    },
  };
}

/**
 * A guard decision as a Detection Finding of its own (analytic `guard-collection` / `guard-authority`): a suspect
 * tenant is New (its findings are held), an accepted drop is Resolved, with who accepted it.
 */
export function guardEvent(g: GuardDecisionRow, runId: string): Record<string, unknown> {
  const accepted = g.decision === 'accepted';
  const activity: [number, string] = accepted ? [3, 'Close'] : [1, 'Create'];
  const status: [number, string] = accepted ? [4, 'Resolved'] : [1, 'New'];
  const [sevId, sev] = accepted ? [1, 'Informational'] : [4, 'High'];
  const uid = `guard:${g.guard}:${g.source ?? ''}/${g.tenant ?? ''}:${g.collection}:${g.kind ?? ''}:${runId}`;
  const time = Date.parse(g.decided_at);
  return {
    activity_id: activity[0], activity_name: activity[1],
    category_uid: 2, category_name: 'Findings',
    class_uid: 2004, class_name: 'Detection Finding',
    type_uid: 2004 * 100 + activity[0], type_name: `Detection Finding: ${activity[1]}`,
    severity_id: sevId, severity: sev,
    time, start_time: time, end_time: time, timezone_offset: 0,
    message: describeGuardDecision(g),
    status_id: status[0], status: status[1],
    confidence_id: 3, confidence: 'High',
    metadata: {
      version: OCSF_FINDING_VERSION, product: product(), profiles: ['cloud'],
      uid, correlation_uid: uid, log_name: 'guards', log_provider: 'nhi-recon', labels: [`guard-${g.guard}`, g.decision], tenant_uid: g.tenant ?? undefined,
    },
    cloud: cloud(g.provider, g.tenant),
    finding_info: {
      uid, title: g.guard === 'authority' ? 'Implausible grant records' : 'Implausible collection drop', desc: g.reason, types: [`guard-${g.guard}`],
      created_time: time, first_seen_time: time, last_seen_time: time, modified_time: time,
      analytic: { uid: `guard-${g.guard}`, name: `guard-${g.guard}`, type_id: 1, type: 'Rule', category: 'nhi-recon' },
    },
    resources: [{ uid: g.tenant ?? g.file ?? 'authority', name: g.tenant ?? g.file ?? 'authority', type: g.guard === 'authority' ? 'grant-records' : 'tenant', labels: [g.collection] }],
    unmapped: { nhi_recon: { run_id: runId, ...g } },
  };
}

export const ocsfReporter: Reporter = {
  id: 'ocsf',
  fileName: 'findings.ocsf.jsonl',
  async write(ctx: ReportContext, file: string) {
    let rows = 0;
    const run = ctx.data.run;
    await withSink(file, async (sink) => {
      const common = { includeResolved: ctx.includeResolved, now: ctx.now, rules: ctx.rules };
      for (const scope of ['report', 'suppressed'] as const) {
        for await (const f of streamFindings(ctx.store, run, { ...common, scope })) {
          await sink.write(stringifyWithRaw(findingEvent(f, ctx.rules.get(f.rule_id), run.run_id)) + '\n');
          rows++;
        }
      }
      for (const g of ctx.data.guards) {
        await sink.write(stringifyWithRaw(guardEvent(g, run.run_id)) + '\n');
        rows++;
      }
      for (const a of ctx.data.actions) {
        await sink.write(stringifyWithRaw(actionEvent(a)) + '\n');
        rows++;
      }
    });
    return rows;
  },
};
