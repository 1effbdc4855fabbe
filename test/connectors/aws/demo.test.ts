// The AWS demo estate: collected completely by the real connector, and reconciled into every finding kind it lists.
import { describe, expect, it } from 'vitest';
import { onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDemo } from '../../../src/sim/aws/demo.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';

describe('aws demo estate', () => {
  it('is collected completely and produces each expected finding kind', async () => {
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    for (const k of ['grants', 'owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: demo.authority[k] }));
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' } });
    const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: demo.env });
    expect(outcomes).toMatchObject([{ tenant: '123456789012', status: 'complete', error: null }]);
    const { summary } = await reconcileStage(store, loaded, run.run_id);
    for (const kind of demo.expect) expect(summary.byRule[kind] ?? 0, kind).toBeGreaterThan(0);
    const f = await store.all<{ rule_id: string; reason: string }>('SELECT rule_id, reason FROM findings ORDER BY rule_id, reason');
    const reasons = (rule: string) => f.filter((x) => x.rule_id === rule).map((x) => x.reason).join('\n');
    expect(reasons('leaked-credential')).toMatch(/svc-leaked/);
    expect(reasons('over-privileged')).toMatch(/svc-deploy/);
    expect(reasons('ungranted-access')).toMatch(/analytics-reader/);
    expect(reasons('orphaned-identity')).toMatch(/prod\/db-password/);
    expect(reasons('orphaned-identity')).toMatch(/old-batch/);
    // Issue 17: the wildcard GitHub OIDC trust on an administrator role.
    expect(reasons('federation-trust-too-broad')).toMatch(/repo:acme\/\*.*gha-admin \(admin access\)/);
    // A subject "pinned" to a template without a repository claim admits every repository of the owner.
    expect(reasons('federation-trust-too-broad')).toMatch(/infra-deploy \(read access\) through a oidc trust that admits every subject matching repository_owner:acme:ref:refs\/heads\/main without repository\./);
    expect(reasons('ungranted-access')).not.toMatch(/infra-deploy|repository_owner:acme/);
  });
});
