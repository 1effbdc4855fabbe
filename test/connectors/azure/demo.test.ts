// The Azure demo estate: collected completely by the real connector, and reconciled into every finding kind it lists.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { startDemo } from '../../../src/sim/azure/demo.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';

describe('azure demo estate', () => {
  it('is collected completely and produces each expected finding kind, each for the planted cause', async () => {
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    for (const k of ['grants', 'owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: demo.authority[k] }));
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' } });
    const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: demo.env });
    expect(outcomes).toHaveLength(3);
    for (const o of outcomes) expect(o, o.error ?? '').toMatchObject({ status: 'complete', error: null });
    const { summary } = await reconcileStage(store, loaded, run.run_id);
    for (const kind of demo.expect) expect(summary.byRule[kind] ?? 0, kind).toBeGreaterThan(0);
    const f = await store.all<{ rule_id: string; reason: string; subject_ref: string }>('SELECT rule_id, reason, subject_ref FROM findings WHERE run_id = $1 ORDER BY rule_id, reason', [run.run_id]);
    const reasons = (rule: string) => f.filter((x) => x.rule_id === rule).map((x) => `${x.subject_ref} ${x.reason}`).join('\n');
    expect(reasons('standing-privilege')).toMatch(/deploy-bot holds standing owner access/);
    expect(reasons('standing-privilege')).not.toMatch(/alice/); // her UAA is just-in-time (PIM end time)
    // The app holding Graph permissions is an integration: its long-lived secret is judged by integration-credential-age.
    expect(reasons('integration-credential-age')).toMatch(/client secret ci\b/);
    expect(reasons('non-expiring-credential')).not.toMatch(/client secret ci\b/);
    expect(reasons('non-expiring-credential')).toMatch(/kv-prod\/db-password never expires/);
    expect(reasons('expired-grant')).toMatch(/legacy-sync .* AZ-3 expired/);
    expect(reasons('over-privileged')).toMatch(/web-identity .*\(admin\).*AZ-4/);
    expect(reasons('ungranted-access')).toMatch(/roleEligibilitySchedules\/.* bob@contoso.example holds/);
    expect(reasons('ungranted-access')).toMatch(/accessPolicies\/.* legacy-sync holds accessPolicy\/secrets:get,list/);
    expect(reasons('orphaned-identity')).toMatch(/app lonely-app has no owner/);
    expect(reasons('orphaned-identity')).toMatch(/legacy-sync is owned by bob@contoso.example, who departed/);
    expect(reasons('stale-credential')).toMatch(/client secret batch was last used 200 days ago/);
    expect(reasons('unrotated-credential')).toMatch(/kv-prod\/db-password .* 700 days ago/);
    expect(reasons('departed-person-access')).toMatch(/Bob Brown .*bob@contoso.example.* departed/);
    // Last use that the tenant cannot report is unknown, so nothing is stale for lack of data.
    expect(reasons('stale-credential')).not.toMatch(/kv-prod/);
    expect(Object.values(demo.env).every((v) => !JSON.stringify(demo.sources).includes(v))).toBe(true);
    // The Entra records (issues 16/17) are in the demo estate: integrations, their scopes, mint edges.
    const count = async (sql: string) => Number((await store.all<{ n: bigint }>(sql, [run.run_id]))[0]!.n);
    expect(await count(`SELECT count(*) AS n FROM identities WHERE run_id = $1 AND json_exists(attributes, '$.integration') AND (attributes->>'$.integration.third_party') = 'true'`)).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM entitlements WHERE run_id = $1 AND json_exists(attributes, '$.scope') AND (attributes->>'$.scope.consent') IN ('admin', 'user', 'application')`)).toBe(9);
    expect(await count(`SELECT count(*) AS n FROM entitlements WHERE run_id = $1 AND json_exists(attributes, '$.mint')`)).toBe(3);
    expect(demo.integrations?.map((i) => i.name)).toEqual(['Acme CRM', 'Idle Survey']);
    // The approved pinned federated credential is granted; the flexible one (any repository) is not.
    expect(reasons('ungranted-access')).toMatch(/claims\['sub'\] matches 'repo:contoso\/\*'/);
    expect(reasons('ungranted-access')).not.toMatch(/repo:contoso\/web:environment:production/);
  });
});
