// The real iam-vulnerable export (test/fixtures/aws, BSD-3-Clause, see LICENSE.cloudsplaining): offline and online
// collection agree, and the mapped levels carry the published ground truth (privesc*/fn* escalate, fp* do not).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { loadAuthorizationDetails, newEstate } from '../../../src/sim/aws/estate.js';
import { credentialReport } from '../../../src/sim/aws/server.js';
import { SIM_ENV, awsSource, startSim } from './helpers.js';
import type { Store } from '../../../src/store/store.js';
import { analyzeAuthorizationDetails } from '../../../src/connectors/aws/privilege/index.js';

const FIXTURE = join(import.meta.dirname, '../../fixtures/aws/account-authorization-details.iam-vulnerable.json');
const ACCOUNT = '200611803367';

let ownDetails: unknown;

/** The fixture as one account; its hand-made teaching set carries another account's ARNs, so `onlyOwn` drops it. */
function fixtureEstate(onlyOwn = false) {
  const estate = newEstate([ACCOUNT]);
  const acct = estate.accounts.get(ACCOUNT)!;
  const d = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const own = (x: { Arn: string }) => !onlyOwn || !/^arn:aws:iam::\d{12}:/.test(x.Arn) || x.Arn.includes(`::${ACCOUNT}:`);
  for (const k of ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies']) d[k] = d[k].filter(own);
  loadAuthorizationDetails(acct, estate, d);
  if (onlyOwn) ownDetails = d;
  const u = acct.users.get('privesc4-CreateAccessKey-user')!;
  u.keys.push({ id: 'AKIAFIXTURE000000001', status: 'Active', created: new Date('2023-03-10T08:00:00Z'), lastUsed: { date: new Date('2023-04-01T09:30:00Z'), region: 'eu-west-1', service: 'iam' } });
  u.login = { created: new Date('2023-03-10T08:00:00Z'), lastUsedUnknown: true };
  return { estate, acct };
}

/** Highest entitlement level per user and role, as a rank (0 = none). */
async function topLevels(store: Store, runId: string): Promise<Map<string, number>> {
  const best = await store.all<{ ref: string; top: number }>(`
    SELECT i.ref, coalesce(max(CASE e.level WHEN 'owner' THEN 4 WHEN 'admin' THEN 3 WHEN 'write' THEN 2 WHEN 'read' THEN 1 ELSE 0 END), 0)::INT AS top
    FROM identities i LEFT JOIN entitlements e ON e.run_id = i.run_id AND e.identity_ref = i.ref
    WHERE i.run_id = $1 AND i.kind IN ('user', 'role') AND i.name <> 'root' GROUP BY ALL`, [runId]);
  return new Map(best.map((b) => [b.ref, b.top]));
}

const RANK: Record<string, number> = { none: 0, read: 1, write: 2, admin: 3, owner: 4 };

describe('aws connector on the iam-vulnerable fixture', () => {
  it('offline: reads the export and the report CSV, and levels follow the published ground truth', async () => {
    const dir = tempDir();
    const { acct } = fixtureEstate();
    writeFileSync(join(dir, 'report.csv'), credentialReport(acct));
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [{ name: 'audit', type: 'aws', options: { offline: { authorization_details_file: FIXTURE, credential_report_file: join(dir, 'report.csv') } } }], authority: { required: false } });
    const { runId, outcomes } = await collectRun(store, loaded, { env: {} });
    expect(outcomes).toMatchObject([{ tenant: ACCOUNT, status: 'complete', api_calls: 0 }]);
    const kinds = await store.all<{ kind: string; n: number }>('SELECT kind, count(*)::INT AS n FROM identities WHERE run_id = $1 GROUP BY kind ORDER BY kind', [runId]);
    // Plus the subjects role trusts admit from outside the account (issue 17): another account's root, the
    // Identity Center SAML provider, and a (service-linked) role of the management account.
    expect(kinds).toEqual([{ kind: 'group', n: 5 }, { kind: 'role', n: 78 }, { kind: 'user', n: 45 }, { kind: 'workload', n: 3 }]);
    expect((await store.all<{ ref: string }>("SELECT ref FROM identities WHERE run_id = $1 AND kind = 'workload' ORDER BY ref", [runId])).map((r) => r.ref)).toEqual([
      'arn:aws:iam::072528804237:role/aws-service-role/stacksets.cloudformation.amazonaws.com/AWSServiceRoleForCloudFormationStackSetsOrgAdmin', 'aws-account:072528804237',
      'saml:arn:aws:iam::200611803367:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE']);
    // Each principal's highest entitlement is exactly its effective level from the privilege analysis…
    const top = await topLevels(store, runId);
    const analysis = analyzeAuthorizationDetails(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    expect(top.size).toBe(44 + 78);
    for (const [ref, level] of top) expect(level, ref).toBe(RANK[analysis.get(ref)!.level]);
    // …so the ground truth carries over: no fp* principal is admin-level, and the escalating ones are.
    const name = (ref: string) => ref.split('/').pop()!;
    expect([...top].filter(([r, l]) => /^fp/.test(name(r)) && l >= 3)).toEqual([]);
    expect([...top].filter(([r]) => /^fp/.test(name(r)))).toHaveLength(10);
    const escalating = [...top].filter(([r]) => /^(privesc|fn)/.test(name(r)));
    expect(escalating.filter(([, l]) => l >= 3).length).toBeGreaterThanOrEqual(escalating.length - 2);
    // The mapped key, password and evidence of one principal.
    const key = await store.one<Record<string, unknown>>("SELECT * FROM credentials WHERE run_id = $1 AND kind = 'access_key'", [runId]);
    expect(key).toMatchObject({ ref: `arn:aws:iam::${ACCOUNT}:user/privesc4-CreateAccessKey-user#access-key:2023-03-10T08:00:00Z`, status: 'active', expiry_supported: false });
    expect((key!.last_used_at as Date).toISOString()).toBe('2023-04-01T09:30:00.000Z');
    const pw = await store.one<Record<string, unknown>>("SELECT * FROM credentials WHERE run_id = $1 AND kind = 'password' AND ref LIKE '%privesc4%'", [runId]);
    // no_information is unknown, never "never used".
    expect(pw).toMatchObject({ last_used_at: null, last_used_known: false });
    // The principal's own result (its summary row) carries the paths and the evidence; a policy row carries the paths through it.
    const ev = await store.one<{ attributes: string }>("SELECT attributes FROM entitlements WHERE run_id = $1 AND identity_name = 'privesc4-CreateAccessKey-user' AND permission = 'effective-permissions'", [runId]);
    const attrs = JSON.parse(ev!.attributes);
    expect(attrs.paths.map((p: { family: string }) => p.family).join(' ')).toMatch(/CreateAccessKey/);
    expect(attrs.evidence.join(' ')).toMatch(/CreateAccessKey/);
    const policyRow = await store.one<{ attributes: string }>("SELECT attributes FROM entitlements WHERE run_id = $1 AND identity_name = 'privesc4-CreateAccessKey-user' AND level = 'admin' AND permission <> 'effective-permissions' LIMIT 1", [runId]);
    expect(JSON.parse(policyRow!.attributes).paths.length).toBeGreaterThan(0);
  });

  it('online: the same export served by the simulator through the SDK gives the same rows as offline', async () => {
    const { estate, acct } = fixtureEstate(true);
    const sim = await startSim(estate);
    const dir = tempDir();
    const store = await openStore(dir);
    writeFileSync(join(dir, 'report.csv'), credentialReport(acct));
    writeFileSync(join(dir, 'details.json'), JSON.stringify(ownDetails));
    const loaded = await writeConfig(dir, {
      sources: [awsSource(sim), { name: 'audit', type: 'aws', options: { offline: { authorization_details_file: join(dir, 'details.json'), credential_report_file: join(dir, 'report.csv') } } }],
      authority: { required: false },
    });
    const { runId, outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
    expect(outcomes.map((o) => o.status)).toEqual(['complete', 'complete']);
    const diff = await store.all(`
      (SELECT ref, identity_ref, permission, level, privileged, via FROM entitlements WHERE run_id = $1 AND source = 'aws' AND identity_ref LIKE 'arn:aws:iam::200611803367:%'
       EXCEPT SELECT ref, identity_ref, permission, level, privileged, via FROM entitlements WHERE run_id = $1 AND source = 'audit' AND identity_ref LIKE 'arn:aws:iam::200611803367:%')
      UNION ALL
      (SELECT ref, identity_ref, permission, level, privileged, via FROM entitlements WHERE run_id = $1 AND source = 'audit' AND identity_ref LIKE 'arn:aws:iam::200611803367:%'
       EXCEPT SELECT ref, identity_ref, permission, level, privileged, via FROM entitlements WHERE run_id = $1 AND source = 'aws')`, [runId]);
    expect(diff).toEqual([]);
    const idDiff = await store.all(`
      (SELECT ref, kind, human, owner, created_at, last_used_at FROM identities WHERE run_id = $1 AND source = 'aws' AND ref LIKE 'arn:aws:iam::200611803367:%'
       EXCEPT SELECT ref, kind, human, owner, created_at, last_used_at FROM identities WHERE run_id = $1 AND source = 'audit' AND ref LIKE 'arn:aws:iam::200611803367:%')`, [runId]);
    expect(idDiff).toEqual([]);
    // Policy documents travelled URL-encoded and were decoded.
    expect(sim.calls.get('iam:GetAccountAuthorizationDetails')).toBe(1);
  });
});
