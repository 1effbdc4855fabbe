// End to end through the real AWS connector and SDK against the local AWS simulator: two scans (collect with the
// real pipeline, reconcile with the real rules), a plan, apply with --enforce, verification by reading IAM back,
// the actions in the Markdown and OCSF reports, then rollback re-enabling the key and re-attaching the policy.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyPlan, planActions, rollback } from '../../src/remediate/index.js';
import { collectStage, reconcileStage, reportStage } from '../../src/pipeline/scan.js';
import { generateEstate } from '../../src/sim/aws/estate.js';
import { startAwsSim } from '../../src/sim/aws/server.js';
import { silentLogger as log } from '../../src/log.js';
import { onCleanup, openStore, tempDir, writeConfig } from '../helpers/index.js';

const ACCT = '111111111111';
const user = (n: string) => `arn:aws:iam::${ACCT}:user/${n}`;
const APP1 = `arn:aws:iam::${ACCT}:policy/app-1`;

describe('enforce mode against the AWS simulator', () => {
  it('plans, applies, verifies, reports and rolls back a disabled key and a detached policy', async () => {
    const estate = generateEstate({ users: 6, roles: 1, groups: 1, policies: 2, secrets: 0 });
    const acct = estate.accounts.get(ACCT)!;
    // The seeded estate: svc-3 holds app-1 directly and one active key; svc-5 and person-1 each hold an active key.
    expect(acct.users.get('svc-3')!.attached).toContain(APP1);
    expect(acct.users.get('svc-3')!.keys.map((k) => k.status)).toEqual(['Active']);
    const sim = await startAwsSim(estate);
    onCleanup(() => sim.close());

    const dir = tempDir();
    // Everything is granted, except that svc-3's grants do not cover app-1: one over-privileged finding to act on.
    writeFileSync(join(dir, 'grants.yaml'), stringify({ grants: [
      { id: 'g-people', provider: 'aws', tenant: ACCT, identity: `${user('person-')}*`, owner: 'alice', approver: 'bob', ticket: 'SEC-1', granted_at: '2024-01-01' },
      { id: 'g-svc', provider: 'aws', tenant: ACCT, identity: `${user('svc-')}[0124-9]`, owner: 'alice', approver: 'bob', ticket: 'SEC-2', granted_at: '2024-01-01' },
      { id: 'g-svc3-inline', provider: 'aws', tenant: ACCT, identity: user('svc-3'), permission: 'inline-policy:*', owner: 'alice', approver: 'bob', ticket: 'SEC-3', granted_at: '2024-01-01' },
      { id: 'g-svc3-ro', provider: 'aws', tenant: ACCT, identity: user('svc-3'), permission: 'arn:aws:iam::aws:policy/ReadOnlyAccess', owner: 'alice', approver: 'bob', ticket: 'SEC-6', granted_at: '2024-01-01' },
      { id: 'g-roles', provider: 'aws', tenant: ACCT, identity: `arn:aws:iam::${ACCT}:*`, resource: '*', permission: 'root-user', owner: 'alice', approver: 'bob', ticket: 'SEC-4', granted_at: '2024-01-01' },
      { id: 'g-role', provider: 'aws', tenant: ACCT, identity: `arn:aws:iam::${ACCT}:role/*`, owner: 'alice', approver: 'bob', ticket: 'SEC-5', granted_at: '2024-01-01' },
    ] }));
    const loaded = await writeConfig(dir, {
      database: 'test.duckdb',
      sources: [{ name: 'aws-prod', type: 'aws', options: { endpoint: sim.url, sts_endpoint: sim.url, credential_report: { poll_seconds: 0 } } }],
      authority: { grants: ['grants.yaml'] },
      protected: [{ provider: 'aws', ref: `${user('person-')}*`, reason: 'people are offboarded by HR, not by a robot' }],
      remediation: {
        max_actions: 5, max_fraction: 0.5, min_consecutive_runs: 2,
        actions: [
          { rule: 'stale-credential', provider: 'aws', operation: 'deactivate-access-key', then: { operation: 'delete-access-key', after_days: 30 } },
          { rule: 'over-privileged', provider: 'aws', operation: 'detach-managed-policy' },
        ],
      },
    });
    const env = { AWS_ACCESS_KEY_ID: estate.baseAccessKeyId, AWS_SECRET_ACCESS_KEY: 'simulated-secret-key-for-tests' };
    const store = await openStore(dir);
    const scan = async () => {
      const { run } = await collectStage(store, loaded, { log, env });
      await reconcileStage(store, loaded, run.run_id);
      return run.run_id;
    };
    await scan();
    const runId = await scan();

    const plan = await planActions(store, loaded, { log });
    expect(plan.run_id).toBe(runId);
    expect(plan.blocked).toBeNull();
    const planned = plan.actions.map((a) => [a.operation, a.target.ref.replace(/#access-key:.*/, '#key')]).sort();
    expect(planned).toEqual([
      ['deactivate-access-key', `${user('svc-3')}#key`],
      ['deactivate-access-key', `${user('svc-5')}#key`],
      ['detach-managed-policy', `${user('svc-3')}|${APP1}`],
    ]);
    expect(plan.held.filter((h) => h.target_ref.startsWith(`${user('person-1')}#access-key`))).toMatchObject([{ rail: 'protected' }]);

    const res = await applyPlan(store, loaded, plan, { enforce: true, log, env });
    expect(res).toMatchObject({ exitCode: 0, executed: 3, verified: 3, unverified: 0, failed: 0 });
    expect(acct.users.get('svc-3')!.keys[0]!.status).toBe('Inactive');
    expect(acct.users.get('svc-5')!.keys[0]!.status).toBe('Inactive');
    expect(acct.users.get('svc-3')!.attached).not.toContain(APP1);
    expect(acct.users.get('person-1')!.keys[0]!.status).toBe('Active');
    const journal = await store.all(`SELECT operation, state, verification, finding_id FROM actions WHERE run_id = $1`, [runId]);
    expect(journal.map((r) => r.state)).toEqual(['verified', 'verified', 'verified']);
    for (const r of journal) expect(JSON.parse(r.verification as string)).toMatchObject({ ok: true, read_at: expect.any(String) });

    // Every action reaches the reports: a Markdown line each, and an OCSF remediation event tied to its finding.
    const outDir = join(dir, 'reports');
    await reportStage(store, loaded, runId, { formats: ['markdown', 'ocsf'], outDir });
    const md = readFileSync(join(outDir, 'summary.md'), 'utf8');
    expect(md).toContain('deactivate-access-key on arn:aws:iam::111111111111:user/svc-5\\#access-key:');
    expect(md.match(/✅ \*\*verified\*\*/g)).toHaveLength(3);
    const events = readFileSync(join(outDir, 'findings.ocsf.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const remediation = events.filter((e) => e.metadata?.log_name === 'actions');
    expect(remediation).toHaveLength(3);
    expect(new Set(remediation.map((e) => e.metadata.correlation_uid))).toEqual(new Set(journal.map((r) => r.finding_id)));
    expect(JSON.stringify(events)).not.toContain('simulated-secret-key-for-tests');

    const rb = await rollback(store, loaded, runId, { log, env });
    expect(rb.items.map((i) => i.outcome)).toEqual(['restored', 'restored', 'restored']);
    expect(acct.users.get('svc-3')!.keys[0]!.status).toBe('Active');
    expect(acct.users.get('svc-5')!.keys[0]!.status).toBe('Active');
    expect(acct.users.get('svc-3')!.attached).toContain(APP1);
  });
});
