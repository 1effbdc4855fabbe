import { describe, expect, it } from 'vitest';
import { startDemo } from '../../../src/sim/gcp/demo.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { collectRun, onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';

describe('gcp demo estate', () => {
  it('collects completely and holds the facts behind each expected finding', async () => {
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { required: false } });
    const { runId, outcomes } = await collectRun(store, loaded, { env: demo.env });
    expect(outcomes.every((o) => o.status === 'complete')).toBe(true);
    expect(outcomes).toHaveLength(5);
    const one = async (sql: string) => (await store.all(`${sql} AND run_id = $1`, [runId])).length;
    // over-privileged: a basic role on a service account.
    expect(await one("SELECT 1 FROM entitlements WHERE permission = 'roles/editor' AND identity_ref LIKE '%serviceAccounts/deployer@%' AND level = 'write' AND privileged")).toBe(1);
    // non-expiring: a key valid until 9999 and a secret without expire time.
    expect(await one("SELECT 1 FROM credentials WHERE expires_at IS NULL AND expiry_supported AND status = 'active'")).toBeGreaterThanOrEqual(2);
    // leaked: exposure signal on an active key.
    expect(await one("SELECT 1 FROM credentials WHERE leak_signal IS NOT NULL AND status = 'active'")).toBe(1);
    // ungranted public access, critical by construction.
    expect(await one("SELECT 1 FROM entitlements WHERE identity_ref = 'allUsers' AND privileged")).toBe(1);
    // Issue 17: the ops group reaches the owner account ops-admin through ops-runner (a depth-2 impersonation chain).
    expect(await one("SELECT 1 FROM entitlements WHERE identity_ref = 'group:ops@acme.example' AND permission = 'impersonation-chain' AND resource_ref LIKE '%ops-admin@%' AND level = 'owner'")).toBe(1);
    // Issue 17: an owner account trusted by a whole GitHub pool without condition (issuer-wide); a pinned pool beside it.
    expect(await one("SELECT 1 FROM entitlements WHERE resource_ref LIKE '%serviceAccounts/gh-admin@%' AND json_extract_string(attributes, '$.mint.breadth') = 'issuer_wide'")).toBe(1);
    expect(await one("SELECT 1 FROM entitlements WHERE resource_ref LIKE '%serviceAccounts/gh-deploy@%' AND json_extract_string(attributes, '$.mint.breadth') = 'pinned'")).toBe(1);
    // expired grant on a conditional binding that still runs.
    expect(await one("SELECT 1 FROM entitlements WHERE identity_ref = 'user:bob@acme.example' AND expires_at > now()")).toBe(1);
    // unrotated: rotated (or created) long ago; stale: last used 170 days ago, known.
    expect(await one("SELECT 1 FROM credentials WHERE coalesce(last_rotated_at, created_at) < now() - INTERVAL 365 DAY AND status = 'active'")).toBeGreaterThanOrEqual(2);
    expect(await one("SELECT 1 FROM credentials WHERE last_used_known AND last_used_at < now() - INTERVAL 120 DAY AND status = 'active'")).toBe(1);
    expect(demo.expect).toEqual(expect.arrayContaining(['over-privileged', 'non-expiring-credential', 'leaked-credential', 'ungranted-access', 'expired-grant', 'unrotated-credential', 'stale-credential']));
    expect(Object.values(demo.env).every((v) => !JSON.stringify(demo.sources).includes(v))).toBe(true);
  });

  it('reconciles into each expected finding kind; the federation finding is the unconditioned pool only, critical', async () => {
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    for (const k of ['grants', 'owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: demo.authority[k as keyof typeof demo.authority] }));
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' } });
    const { run } = await collectStage(store, loaded, { log: silentLogger, env: demo.env });
    const { summary } = await reconcileStage(store, loaded, run.run_id);
    for (const kind of demo.expect) expect(summary.byRule[kind] ?? 0, kind).toBeGreaterThan(0);
    const fed = await store.all<{ reason: string; severity: string }>("SELECT reason, severity FROM findings WHERE rule_id = 'federation-trust-too-broad'");
    expect(fed).toHaveLength(1);
    expect(fed[0]).toMatchObject({ severity: 'critical', reason: expect.stringMatching(/gh-admin@.*anyone holding a token of https:\/\/token\.actions\.githubusercontent\.com/) });
    // The pinned pool's trust is approved and narrow: no finding names it.
    expect(await store.all("SELECT rule_id, reason FROM findings WHERE subject_ref LIKE '%gh-ci%'")).toEqual([]);
  });
});
