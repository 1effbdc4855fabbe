// A small history of three runs written straight into the store (the reconciler's and the remediation engine's
// output tables), shaped to exercise every part of the reports: new, open, regressed, resolved, muted and carried
// findings, an incomplete tenant, verified and failed actions, expired-grant lifecycle, hostile names, 64-bit ids.
import type { Store } from '../../src/store/store.js';

export interface SeedFinding {
  finding_id: string; rule_id: string; severity: string; status: string; provider: string; tenant: string; source: string;
  subject_type: string; subject_ref: string; identity_ref?: string | null; resource_ref?: string | null; permission?: string | null;
  level?: string | null; owner?: string | null; owner_status?: string | null; reason: string; evidence?: string;
  first_seen: string; last_seen: string; resolved_at?: string | null; carried?: boolean; suppressed_by?: string | null;
}

export async function insertRun(store: Store, r: { run_id: string; seq: number; started_at: string; status: string; authority_status?: string; authority_error?: string | null; stage?: string }): Promise<void> {
  await store.run(`INSERT INTO runs (run_id, seq, started_at, finished_at, reconciled_at, status, stage, mode, authority_status, authority_error, origin)
    VALUES ($1, $2, $3::TIMESTAMP, $3::TIMESTAMP + INTERVAL 5 MINUTE, $3::TIMESTAMP + INTERVAL 2 MINUTE, $4, $5, 'report', $6, $7, 'local')`,
  [r.run_id, r.seq, r.started_at, r.status, r.stage ?? 'report', r.authority_status ?? 'complete', r.authority_error ?? null]);
}

export async function insertSourceRun(store: Store, runId: string, s: { source: string; provider: string; tenant: string; status: string; api_calls?: number; error?: string | null }): Promise<void> {
  await store.run(`INSERT INTO source_runs (run_id, source, provider, tenant, status, api_calls, cached_calls, rate_budget_used, rows, error)
    VALUES ($1, $2, $3, $4, $5, $6, 3, 10, 42, $7)`, [runId, s.source, s.provider, s.tenant, s.status, s.api_calls ?? 17, s.error ?? null]);
}

export async function insertFinding(store: Store, runId: string, f: SeedFinding): Promise<void> {
  await store.run(`INSERT INTO findings_stage VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::JSON,
      $19::TIMESTAMP, $20::TIMESTAMP, $21::TIMESTAMP, $22, $23)`, [
    runId, f.finding_id, f.rule_id, f.severity, f.status, f.provider, f.tenant, f.source, f.subject_type, f.subject_ref,
    f.identity_ref ?? null, f.resource_ref ?? null, f.permission ?? null, f.level ?? null, f.owner ?? null, f.owner_status ?? null,
    f.reason, f.evidence ?? '{}', f.first_seen, f.last_seen, f.resolved_at ?? null, f.carried ?? false, f.suppressed_by ?? null,
  ]);
}

export async function insertAction(store: Store, a: { action_id: string; run_id: string; finding_id: string; rule_id: string; kind: string; operation: string;
  provider: string; tenant: string; target_ref: string; state: string; intent_at: string; verified_at?: string | null; reason?: string | null; verification?: string }): Promise<void> {
  await store.run(`INSERT INTO actions (action_id, plan_id, run_id, finding_id, rule_id, kind, operation, provider, tenant, source, target_ref, state,
      before_state, result, verification, reason, intent_at, outcome_at, verified_at)
    VALUES ($1, 'plan-1', $2, $3, $4, $5, $6, $7, $8, 'src', $9, $10, '{}'::JSON, '{"ok":true}'::JSON, $11::JSON, $12, $13::TIMESTAMP, $13::TIMESTAMP + INTERVAL 1 MINUTE, $14::TIMESTAMP)`,
  [a.action_id, a.run_id, a.finding_id, a.rule_id, a.kind, a.operation, a.provider, a.tenant, a.target_ref, a.state,
    a.verification ?? '{"checked":"get_user"}', a.reason ?? null, a.intent_at, a.verified_at ?? null]);
}

export const HOSTILE = '=HYPERLINK("http://evil")|<script>alert(1)</script>';
export const BIG_ID = '9007199254740993'; // 2^53 + 1: not representable as a JS number

const base = {
  f1: { finding_id: 'f-expired-1', rule_id: 'expired-grant', severity: 'high', provider: 'aws', tenant: '111122223333', source: 'aws-prod', subject_type: 'entitlement',
    subject_ref: 'arn:aws:iam::111122223333:user/ci-deployer#AdministratorAccess', identity_ref: 'arn:aws:iam::111122223333:user/ci-deployer',
    resource_ref: 'arn:aws:iam::111122223333:root', permission: 'arn:aws:iam::aws:policy/AdministratorAccess', level: 'admin', owner: 'alice', owner_status: 'active',
    reason: 'ci-deployer still holds AdministratorAccess although grant G-1 expired on 2024-02-01.',
    evidence: '{"grant_id":"G-1","grant_expires_at":"2024-02-01T00:00:00Z"}', first_seen: '2024-03-01T00:00:00' },
  f2: { finding_id: 'f-ungranted-2', rule_id: 'ungranted-access', severity: 'critical', provider: 'github', tenant: 'acme', source: 'github-acme', subject_type: 'entitlement',
    subject_ref: 'github:acme/web/collaborator/mallory#admin', identity_ref: 'github:user/mallory', resource_ref: 'github:acme/web', permission: 'admin', level: 'admin',
    owner: 'bob', owner_status: 'active', reason: 'mallory holds admin on acme/web with no grant.', evidence: '{"via":"direct"}', first_seen: '2024-03-01T00:00:00' },
  f3: { finding_id: 'f-stale-3', rule_id: 'stale-credential', severity: 'low', provider: 'aws', tenant: '111122223333', source: 'aws-prod', subject_type: 'credential',
    subject_ref: 'arn:aws:iam::111122223333:user/reporting/AKIAEXAMPLE', identity_ref: 'arn:aws:iam::111122223333:user/reporting', owner: 'carol', owner_status: 'departed',
    reason: 'Access key unused for 200 days.', evidence: '{"last_used_days":200}', first_seen: '2024-03-01T00:00:00' },
  f4: { finding_id: 'f-orphan-4', rule_id: 'orphaned-identity', severity: 'medium', provider: 'gcp', tenant: 'projects/acme-prod', source: 'gcp-prod', subject_type: 'identity',
    subject_ref: 'projects/acme-prod/serviceAccounts/etl@acme-prod.iam.gserviceaccount.com', identity_ref: 'projects/acme-prod/serviceAccounts/etl@acme-prod.iam.gserviceaccount.com',
    owner: null, owner_status: null, reason: 'Service account etl has no owner.', evidence: '{}', first_seen: '2024-03-01T00:00:00' },
  f5: { finding_id: 'f-leak-5', rule_id: 'leaked-credential', severity: 'critical', provider: 'github', tenant: 'acme', source: 'github-acme', subject_type: 'credential',
    subject_ref: `github:acme/api/deploy_key/${BIG_ID}`, identity_ref: null, owner: 'bob', owner_status: 'active',
    reason: 'A secret-scanning alert names this deploy key and it is still active.', evidence: `{"alert_number":7,"key_id":${BIG_ID}}`, first_seen: '2024-03-08T00:00:00' },
  f6: { finding_id: 'f-expired-6', rule_id: 'expired-grant', severity: 'medium', provider: 'azure', tenant: 'sub-1', source: 'azure-prod', subject_type: 'entitlement',
    subject_ref: `/subscriptions/sub-1/roleAssignments/${HOSTILE}`, identity_ref: 'sp-1', resource_ref: '/subscriptions/sub-1', permission: 'Reader', level: 'read',
    owner: 'alice', owner_status: 'active', reason: `Principal ${HOSTILE} still reads sub-1 after grant G-6 expired.`,
    evidence: '{"grant_id":"G-6","grant_expires_at":"2024-03-01T00:00:00Z"}', first_seen: '2024-03-08T00:00:00' },
};

/** Three runs: #1 baseline, #2 changes, #3 partial (github incomplete) with a regression and actions. */
export async function seedHistory(store: Store): Promise<{ runs: string[] }> {
  const runs = ['run-1', 'run-2', 'run-3'];
  const tenants = [
    { source: 'aws-prod', provider: 'aws', tenant: '111122223333' }, { source: 'github-acme', provider: 'github', tenant: 'acme' },
    { source: 'gcp-prod', provider: 'gcp', tenant: 'projects/acme-prod' }, { source: 'azure-prod', provider: 'azure', tenant: 'sub-1' },
  ];
  await insertRun(store, { run_id: 'run-1', seq: 1, started_at: '2024-03-01T00:00:00', status: 'complete' });
  await insertRun(store, { run_id: 'run-2', seq: 2, started_at: '2024-03-08T00:00:00', status: 'complete' });
  await insertRun(store, { run_id: 'run-3', seq: 3, started_at: '2024-03-15T00:00:00', status: 'partial' });
  for (const t of tenants) {
    await insertSourceRun(store, 'run-1', { ...t, status: 'complete' });
    await insertSourceRun(store, 'run-2', { ...t, status: 'complete' });
    await insertSourceRun(store, 'run-3', t.provider === 'github' ? { ...t, status: 'partial', error: 'rate budget exhausted after 3 retries' } : { ...t, status: 'complete' });
  }
  const at = (f: typeof base.f1 | typeof base.f2 | typeof base.f3 | typeof base.f4 | typeof base.f5 | typeof base.f6, o: Partial<SeedFinding>): SeedFinding => ({ ...f, status: 'open', last_seen: f.first_seen, ...o } as SeedFinding);
  // run 1
  for (const f of [base.f1, base.f2, base.f3, base.f4]) await insertFinding(store, 'run-1', at(f, { status: 'new', last_seen: '2024-03-01T00:00:00' }));
  // run 2: f1 removed (verified action), f3 muted, f5 and f6 new
  await insertFinding(store, 'run-2', at(base.f1, { status: 'resolved', last_seen: '2024-03-01T00:00:00', resolved_at: '2024-03-08T00:00:00' }));
  await insertFinding(store, 'run-2', at(base.f2, { last_seen: '2024-03-08T00:00:00' }));
  await insertFinding(store, 'run-2', at(base.f3, { last_seen: '2024-03-08T00:00:00', suppressed_by: 'EX-1' }));
  await insertFinding(store, 'run-2', at(base.f4, { last_seen: '2024-03-08T00:00:00' }));
  await insertFinding(store, 'run-2', at(base.f5, { status: 'new', last_seen: '2024-03-08T00:00:00' }));
  await insertFinding(store, 'run-2', at(base.f6, { status: 'new', last_seen: '2024-03-08T00:00:00' }));
  await insertAction(store, { action_id: 'act-1', run_id: 'run-1', finding_id: 'f-expired-1', rule_id: 'expired-grant', kind: 'disable', operation: 'detach_policy',
    provider: 'aws', tenant: '111122223333', target_ref: base.f1.subject_ref, state: 'verified', intent_at: '2024-03-02T10:00:00', verified_at: '2024-03-02T10:05:00' });
  // run 3 (github partial): f1 regressed, f2 carried, f5 remediated (verified), f6 resolved, f3 still muted, f4 open
  await insertFinding(store, 'run-3', at(base.f1, { status: 'regressed', first_seen: '2024-03-01T00:00:00', last_seen: '2024-03-15T00:00:00' }));
  await insertFinding(store, 'run-3', at(base.f2, { last_seen: '2024-03-08T00:00:00', carried: true }));
  await insertFinding(store, 'run-3', at(base.f3, { last_seen: '2024-03-15T00:00:00', suppressed_by: 'EX-1' }));
  await insertFinding(store, 'run-3', at(base.f4, { last_seen: '2024-03-15T00:00:00' }));
  await insertFinding(store, 'run-3', at(base.f5, { last_seen: '2024-03-15T00:00:00' }));
  await insertFinding(store, 'run-3', at(base.f6, { status: 'resolved', last_seen: '2024-03-08T00:00:00', resolved_at: '2024-03-15T00:00:00' }));
  await insertAction(store, { action_id: 'act-2', run_id: 'run-3', finding_id: 'f-leak-5', rule_id: 'leaked-credential', kind: 'revoke', operation: 'delete_deploy_key',
    provider: 'github', tenant: 'acme', target_ref: base.f5.subject_ref, state: 'verified', intent_at: '2024-03-15T01:00:00', verified_at: '2024-03-15T01:02:00',
    verification: `{"status":404,"key_id":${BIG_ID}}` });
  await insertAction(store, { action_id: 'act-3', run_id: 'run-3', finding_id: 'f-orphan-4', rule_id: 'orphaned-identity', kind: 'disable', operation: 'disable_service_account',
    provider: 'gcp', tenant: 'projects/acme-prod', target_ref: base.f4.subject_ref, state: 'failed', intent_at: '2024-03-15T01:03:00', reason: 'PERMISSION_DENIED' });
  return { runs };
}
