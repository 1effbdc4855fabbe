import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startDemo } from '../../../src/sim/kubernetes/demo.js';
import { onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { DEMO_PROVIDERS } from '../../../src/commands/demo.js';

describe('kubernetes demo estate', () => {
  it('is collected completely and yields each expected finding: cluster-admin with a legacy token, unapproved', async () => {
    expect(DEMO_PROVIDERS).toContain('kubernetes');
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    for (const k of ['grants', 'owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: demo.authority[k] }));
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' } });
    const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: demo.env });
    expect(outcomes.map((o) => [o.tenant, o.status, o.error])).toEqual([['acme-prod', 'complete', null]]);
    await reconcileStage(store, loaded, run.run_id);
    const f = await store.all<{ rule_id: string; subject_ref: string; severity: string }>(
      "SELECT rule_id, subject_ref, severity FROM findings WHERE run_id = $1 AND provider = 'kubernetes' ORDER BY rule_id, subject_ref", [run.run_id]);
    const has = (rule: string, ref: string) => f.some((x) => x.rule_id === rule && x.subject_ref === ref);
    expect(has('over-privileged', 'k8s:acme-prod/clusterrolebinding/ci-deployer-admin|k8s:acme-prod/ci/deployer')).toBe(true);
    expect(has('non-expiring-credential', 'k8s:acme-prod/ci/secret/deployer-token')).toBe(true);
    expect(has('unrotated-credential', 'k8s:acme-prod/ci/secret/deployer-token')).toBe(true);
    expect(has('ungranted-access', 'k8s:acme-prod/rolebinding/ci/runner-exec|k8s:acme-prod/ci/runner')).toBe(true);
    expect(has('orphaned-identity', 'k8s:acme-prod/ci/runner')).toBe(true);
    // Approved access raises nothing: the payments API's Secret reads and its IRSA link, the worker's pod reads.
    for (const ref of ['k8s:acme-prod/rolebinding/payments/api-secrets|k8s:acme-prod/payments/api', 'k8s:acme-prod/payments/api|workload-identity|eks.amazonaws.com/role-arn',
      'k8s:acme-prod/rolebinding/payments/worker-pods|k8s:acme-prod/payments/worker']) {
      expect(f.filter((x) => x.subject_ref === ref && ['ungranted-access', 'over-privileged'].includes(x.rule_id))).toEqual([]);
    }
    // The API server's own accounts are provider-managed: no finding names them.
    expect(f.some((x) => /system:masters|kube-system|system:unauthenticated/.test(x.subject_ref))).toBe(false);
    for (const rule of demo.expect) expect(f.some((x) => x.rule_id === rule), rule).toBe(true);
  });
});
