import { describe, expect, it } from 'vitest';
import { collectRun, onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { startDemo } from '../../../src/sim/github/demo.js';

describe('github demo estate', () => {
  it('is collected completely by the real connector, and its records carry the facts each expected finding needs', async () => {
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { required: false } });
    const { runId, outcomes } = await collectRun(store, loaded, { env: demo.env });
    expect(outcomes).toMatchObject([{ tenant: 'acme', status: 'complete', error: null }]);
    const q = (sql: string) => store.all(sql.replaceAll('$RUN', `'${runId}'`));
    // leaked-credential: the authorized PAT carries the open alert.
    expect(await q("SELECT name FROM credentials WHERE run_id = $RUN AND kind <> 'exposed_secret' AND leak_signal LIKE 'open secret-scanning alert #1 %'")).toEqual([{ name: 'bob laptop' }]);
    // The alert is also an exposure record of its own (evidence of the leak, matched or not).
    expect(await q("SELECT kind, name FROM credentials WHERE run_id = $RUN AND kind = 'exposed_secret'")).toEqual([{ kind: 'exposed_secret', name: 'GitHub Personal Access Token in acme/web (alert #1)' }]);
    // departed-person-access: carol's active credentials.
    expect(await q("SELECT kind FROM credentials WHERE run_id = $RUN AND created_by = 'carol' AND status = 'active' ORDER BY kind")).toEqual([{ kind: 'deploy_key' }, { kind: 'fine_grained_pat' }]);
    // orphaned-identity: non-human identities with no provider owner (the provider-managed workflows of each
    // repository are the platform's, never orphaned); of them only ci-bot has an owner record.
    expect(await q('SELECT name FROM identities WHERE run_id = $RUN AND human = false AND owner IS NULL AND NOT coalesce(provider_managed, false) ORDER BY name')).toEqual([{ name: 'ci-bot' }, { name: 'ci-insights' }, { name: 'infra: legacy-infra' }, { name: 'label-sync' }, { name: 'release-bot' }]);
    expect(demo.authority.owners).toEqual([{ provider: 'github', tenant: 'acme', identity: 'github:acme/user/ci-bot', owner: 'alice' }]);
    // non-expiring-credential: no expiry where expiry is supported.
    expect(await q('SELECT name FROM credentials WHERE run_id = $RUN AND expires_at IS NULL AND expiry_supported ORDER BY name')).toEqual([{ name: 'bob laptop' }, { name: 'bob-scripts' }]);
    // over-privileged: bob's admin on web.
    expect(await q("SELECT level FROM entitlements WHERE run_id = $RUN AND ref = 'github:acme/web/collaborator/bob'")).toEqual([{ level: 'admin' }]);
    // used-after-expiry: the api key's access was used 5 days ago.
    const used = await q("SELECT last_used_at FROM entitlements WHERE run_id = $RUN AND ref = 'github:acme/api/deploy_key/7002/access'") as { last_used_at: Date }[];
    expect(Date.now() - used[0]!.last_used_at.getTime()).toBeLessThan(6 * 86_400_000);
    // default-workflow-token-write: write by default on every repository but docs-site, which overrides it to read.
    expect(await q("SELECT resource_ref, level FROM entitlements WHERE run_id = $RUN AND ref LIKE '%/workflows/token' ORDER BY resource_ref")).toEqual([
      { resource_ref: 'github:acme/api', level: 'write' }, { resource_ref: 'github:acme/docs-site', level: 'read' },
      { resource_ref: 'github:acme/infra', level: 'write' }, { resource_ref: 'github:acme/web', level: 'write' }]);
    // infra's subject template has no repository claim.
    expect(await q("SELECT attributes->>'$.oidc_subject.includes_repository' AS r FROM identities WHERE run_id = $RUN AND ref = 'github:acme/infra/workflows'")).toEqual([{ r: 'false' }]);
    expect(demo.expect).toHaveLength(16);
    expect(demo.integrations).toHaveLength(2);
    expect(demo.authority.people).toHaveLength(4);
  });
});
