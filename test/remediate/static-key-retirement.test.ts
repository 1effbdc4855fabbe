// Issue 17: a static cloud key stored as a CI secret is retired (disabled first) only once a federation for the same
// pipeline is in use and the key has fallen idle — through the real AWS connector, the real rules and the planner.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan, planActions } from '../../src/remediate/index.js';
import { collectStage, reconcileStage } from '../../src/pipeline/scan.js';
import { newEstate, policy, READONLY_DOC } from '../../src/sim/aws/estate.js';
import { startAwsSim } from '../../src/sim/aws/server.js';
import { silentLogger as log } from '../../src/log.js';
import { onCleanup, openStore, tempDir, writeConfig } from '../helpers/index.js';

const ACCT = '111111111111';
const DAY = 86_400_000;
const ago = (d: number) => new Date(Math.floor((Date.now() - d * DAY) / 1000) * 1000);

async function scenario(keyLastUsedDaysAgo: number) {
  const estate = newEstate([ACCT]);
  const acct = estate.accounts.get(ACCT)!;
  const RO = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
  estate.awsPolicies.set(RO, policy(RO, READONLY_DOC));
  acct.users.set('svc-ci', { name: 'svc-ci', id: 'AIDATESTSVCCI0000001', path: '/', created: ago(200), tags: { owner: 'alice', 'ci-pipeline': 'acme/web' }, groups: [], attached: [RO], inline: [],
    mfa: false, certs: [], keys: [{ id: 'AKIATESTSVCCI0000001', status: 'Active', created: ago(200), lastUsed: { date: ago(keyLastUsedDaysAgo), region: 'us-east-1', service: 's3' } }] });
  // The pipeline now deploys through a role pinned to its main branch, used yesterday.
  acct.roles.set('gha-web', { name: 'gha-web', id: 'AROATESTGHAWEB000001', path: '/', created: ago(40), tags: { owner: 'alice' }, attached: [RO], inline: [], lastUsed: { date: ago(1), region: 'us-east-1' },
    trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCT}:oidc-provider/token.actions.githubusercontent.com` }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/web:ref:refs/heads/main' } } }] } });
  const sim = await startAwsSim(estate);
  onCleanup(() => sim.close());
  const dir = tempDir();
  // The CI side as a CI connector records it: a repository secret named for an AWS key, with its pipeline.
  mkdirSync(join(dir, 'ci'));
  writeFileSync(join(dir, 'ci', 'credentials.ndjson'), JSON.stringify({ ref: 'github:acme/web/secret/AWS_ACCESS_KEY_ID', kind: 'stored_secret', name: 'AWS_ACCESS_KEY_ID', created_at: ago(200).toISOString(),
    expiry_supported: false, last_used_known: false, owner: 'alice', attributes: { ci: { pipeline: 'acme/web', cloud: 'aws', proposed_trust: { Statement: [{ Principal: { Federated: 'arn:aws:iam::{target_tenant}:oidc-provider/token.actions.githubusercontent.com' } }] } } } }) + '\n');
  writeFileSync(join(dir, 'grants.yaml'), "grants:\n  - { id: g1, provider: aws, tenant: '*', identity: '*', resource: '*', owner: alice, approver: bob, ticket: SEC-1, granted_at: '2024-01-01' }\n");
  const loaded = await writeConfig(dir, {
    database: 'test.duckdb',
    sources: [
      { name: 'aws-prod', type: 'aws', options: { endpoint: sim.url, sts_endpoint: sim.url, credential_report: { poll_seconds: 0 } } },
      { name: 'ci', type: 'file', options: { path: 'ci', provider: 'github', tenant: 'acme' } },
    ],
    authority: { grants: ['grants.yaml'] },
    remediation: { max_actions: 5, max_fraction: 1, min_consecutive_runs: 1, actions: [{ rule: 'static-credential-replaceable', provider: 'aws', operation: 'deactivate-access-key' }] },
  });
  const env = { AWS_ACCESS_KEY_ID: estate.baseAccessKeyId, AWS_SECRET_ACCESS_KEY: 'simulated-secret-key-for-tests' };
  const store = await openStore(dir);
  const { run } = await collectStage(store, loaded, { log, env });
  await reconcileStage(store, loaded, run.run_id);
  const findings = await store.all<{ subject_ref: string; evidence: string; source: string }>(
    "SELECT subject_ref, CAST(evidence AS VARCHAR) AS evidence, source FROM findings WHERE run_id = $1 AND rule_id = 'static-credential-replaceable' ORDER BY source", [run.run_id]);
  const plan = await planActions(store, loaded, { log });
  return { store, loaded, plan, findings, acct, env };
}

describe('retiring a static key replaced by federation', () => {
  it('plans and applies deactivate-access-key when the federation is in use and the key idle for the quiet period', async () => {
    const { store, loaded, plan, findings, acct, env } = await scenario(30);
    const secret = findings.find((f) => f.source === 'ci')!;
    const ev = JSON.parse(secret.evidence);
    expect(ev).toMatchObject({ pipeline: 'acme/web', federation_exists: true, retirement_ready: true });
    // The proposed trust names the key's account.
    expect(JSON.stringify(ev.proposed_trust)).toContain(`arn:aws:iam::${ACCT}:oidc-provider/`);
    expect(findings.map((f) => f.source)).toEqual(['aws-prod', 'ci']);
    expect(plan.actions.map((a) => [a.operation, a.target.ref.replace(/#access-key:.*/, '#key')])).toEqual([['deactivate-access-key', `arn:aws:iam::${ACCT}:user/svc-ci#key`]]);
    const res = await applyPlan(store, loaded, plan, { enforce: true, log, env });
    expect(res).toMatchObject({ executed: 1, verified: 1, failed: 0 });
    expect(acct.users.get('svc-ci')!.keys[0]!.status).toBe('Inactive');
  });

  it('near miss: a key still used beside the federation is reported on the secret only, and nothing is planned', async () => {
    const { plan, findings } = await scenario(2);
    expect(findings.map((f) => f.source)).toEqual(['ci']);
    expect(JSON.parse(findings[0]!.evidence)).toMatchObject({ federation_exists: true, retirement_ready: false });
    expect(plan.actions).toEqual([]);
  });
});
