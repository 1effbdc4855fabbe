import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { startDemo } from '../../../src/sim/okta/demo.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';

describe('okta demo estate', () => {
  it('collects completely, holds the records behind each expected finding, and the reconciler finds them', async () => {
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    const store = await openStore(dir);
    for (const k of ['grants', 'owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: demo.authority[k] }));
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' } });
    const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: demo.env });
    expect(outcomes.map((o) => [o.tenant, o.status, o.error])).toEqual([['acme.okta.com', 'complete', null]]);
    const runId = run.run_id;
    const one = async (sql: string) => (await store.all(`${sql} AND run_id = $1`, [runId])).length;
    // A third-party service app holding okta.users.manage, tenant-wide, admin-consented.
    expect(await one("SELECT 1 FROM identities WHERE kind = 'app' AND (attributes->>'$.integration.third_party') = 'true' AND ref LIKE '%/apps/0oa1crm'")).toBe(1);
    expect(await one("SELECT 1 FROM entitlements WHERE permission = 'okta.users.manage' AND level = 'admin' AND privileged AND (attributes->>'$.scope.tenant_wide') = 'true'")).toBe(1);
    // An old client secret (800 days) and an API token of a departed admin, usable from any network.
    expect(await one("SELECT 1 FROM credentials WHERE kind = 'client_secret' AND status = 'active' AND created_at < now() - INTERVAL 700 DAY")).toBe(2);
    expect(await one("SELECT 1 FROM credentials WHERE kind = 'api_token' AND created_by = 'dave@acme.example' AND (attributes->>'$.network_anywhere') = 'true'")).toBe(1);

    const { summary } = await reconcileStage(store, loaded, runId);
    const kinds = await store.all<{ rule_id: string; subject_ref: string }>("SELECT rule_id, subject_ref FROM findings WHERE run_id = $1 AND provider = 'okta' ORDER BY rule_id, subject_ref", [runId]);
    const by = (rule: string) => kinds.filter((k) => k.rule_id === rule).map((k) => k.subject_ref);
    for (const e of demo.expect) expect(summary.byRule[e] ?? 0, e).toBeGreaterThan(0);
    expect(by('departed-person-access')).toContain('okta:acme.okta.com/api-tokens/00Tabc2');
    // ORG_ADMIN on ops-automation is admin no grant names: over-privileged. The third-party CRM app's okta.users.manage
    // is judged by the integration register instead (no register is loaded here: the app is unapproved, and its
    // tenant-wide scope is reported as such), never twice as over-privileged.
    expect(by('over-privileged')).toContain('okta:acme.okta.com/apps/0oa2ops/roles/irb1ops');
    expect(by('over-privileged')).not.toContain('okta:acme.okta.com/apps/0oa1crm/grants/oag1');
    expect(by('third-party-tenant-wide-access')).toContain('okta:acme.okta.com/apps/0oa1crm/grants/oag1');
    expect(by('unapproved-integration')).toContain('okta:acme.okta.com/apps/0oa1crm');
    // The unused third-party app's scope is the register's to judge, not ungranted-access.
    expect(by('ungranted-access')).not.toContain('okta:acme.okta.com/apps/0oa3old/grants/oag5');
    expect(by('unapproved-integration')).toContain('okta:acme.okta.com/apps/0oa3old');
    // The integration's 800-day client secret: judged by integration-credential-age (not also by unrotated-credential).
    expect(by('integration-credential-age')).toContain('okta:acme.okta.com/apps/0oa1crm/secrets/ocs1old');
    expect(by('orphaned-identity')).toContain('okta:acme.okta.com/apps/0oa3old');
    // Register entries for the integration register (authority kind `integrations`) name client ids the run collected.
    const appIds = (await store.all<{ a: string }>("SELECT attributes->>'$.integration.app_id' AS a FROM identities WHERE run_id = $1 AND kind = 'app'", [runId])).map((r) => r.a);
    for (const i of demo.integrations ?? []) expect(appIds).toContain(i.app_id);
    expect(Object.values(demo.env).every((v) => !JSON.stringify(demo.sources).includes(v))).toBe(true);
  });
});
