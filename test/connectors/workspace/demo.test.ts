// The Workspace demo estate: collected completely through domain-wide delegation, reconciled into each finding kind it
// lists, and holding the facts the integration rules judge (a risky third-party app with full mail, a harmless
// read-only one, a departed person's working token, a tenant-wide delegation to a GCP service account).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { startDemo } from '../../../src/sim/workspace/demo.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { CLIENTS, CUSTOMER_ID } from '../../../src/sim/workspace/seed.js';

describe('workspace demo estate', () => {
  it('is collected completely, produces each expected finding kind, and holds the integration facts', async () => {
    const demo = await startDemo();
    onCleanup(() => demo.close());
    const dir = tempDir();
    for (const k of ['grants', 'owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: demo.authority[k] }));
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: demo.sources, authority: { required: false, owners: 'owners.yaml', people: 'people.yaml' } });
    const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: demo.env });
    expect(outcomes).toMatchObject([{ tenant: CUSTOMER_ID, status: 'complete', error: null }]);
    const { summary } = await reconcileStage(store, loaded, run.run_id);
    for (const kind of demo.expect) expect(summary.byRule[kind] ?? 0, kind).toBeGreaterThan(0);
    const f = await store.all<{ rule_id: string; subject_ref: string }>('SELECT rule_id, subject_ref FROM findings');
    expect(f.filter((x) => x.rule_id === 'departed-person-access').map((x) => x.subject_ref)).toEqual([`workspace:${CUSTOMER_ID}/users/dave@acme.example/tokens/${CLIENTS.sketchy}`]);

    const one = async (sql: string) => (await store.all(`${sql} AND run_id = $1`, [run.run_id])).length;
    const app = (id: string) => `workspace:${CUSTOMER_ID}/clients/${id}`;
    // The risky third-party app: full mail through user consent, admin level, privileged.
    expect(await one(`SELECT 1 FROM identities WHERE ref = '${app(CLIENTS.mailmerge)}' AND (attributes->>'$.integration.third_party') = 'true'`)).toBe(1);
    expect(await one(`SELECT 1 FROM entitlements WHERE identity_ref = '${app(CLIENTS.mailmerge)}' AND permission = 'https://mail.google.com/' AND level = 'admin' AND privileged`)).toBe(2);
    // The harmless one: read scopes only.
    expect(await store.all(`SELECT DISTINCT level FROM entitlements WHERE identity_ref = '${app(CLIENTS.notes)}' AND run_id = $1`, [run.run_id])).toEqual([{ level: 'read' }]);
    // A tenant-wide delegation to the GCP etl service account, linked by its unique id.
    expect(await one(`SELECT 1 FROM entitlements WHERE identity_ref = '${app(CLIENTS.etl)}' AND (attributes->>'$.scope.tenant_wide') = 'true'`)).toBe(2);
    expect(await one(`SELECT 1 FROM identities WHERE ref = '${app(CLIENTS.etl)}' AND (attributes->>'$.service_account.ref') = 'projects/acme-data/serviceAccounts/etl@acme-data.iam.gserviceaccount.com'`)).toBe(1);
    // The connector's own client and the intranet app are first-party by configuration.
    expect(await one("SELECT 1 FROM identities WHERE (attributes->>'$.integration.third_party') = 'false'")).toBe(2);
    // Register entries in the shared format (provider and app_id required), naming apps that exist.
    for (const e of demo.integrations ?? []) {
      expect(e).toMatchObject({ provider: 'workspace', app_id: expect.any(String) });
      expect(await one(`SELECT 1 FROM identities WHERE (attributes->>'$.integration.app_id') = '${e.app_id as string}'`)).toBe(1);
    }
    expect(Object.values(demo.env).every((v) => !JSON.stringify(demo.sources).includes(v))).toBe(true);
  });
});
