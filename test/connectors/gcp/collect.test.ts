import { describe, expect, it } from 'vitest';
import { collectGcp, rows, startSim } from './harness.js';
import { seedEstate } from '../../../src/sim/gcp/seed.js';

const WEB = (id: string) => `projects/acme-web/serviceAccounts/${id}@acme-web.iam.gserviceaccount.com`;
const DATA = (id: string) => `projects/acme-data/serviceAccounts/${id}@acme-data.iam.gserviceaccount.com`;
const OPS = (id: string) => `projects/acme-ops/serviceAccounts/${id}@acme-ops.iam.gserviceaccount.com`;
const P = (p: string) => `//cloudresourcemanager.googleapis.com/projects/${p}`;
const attrs = (r: Record<string, unknown>) => JSON.parse(r.attributes as string) as Record<string, any>;
const iso = (v: unknown) => (v as Date | null)?.toISOString() ?? null;

describe('gcp connector: collection through the real clients', () => {
  it('collects three projects under a folder, equal to the seeded truth', async () => {
    const sim = await startSim();
    const { store, runId, outcomes } = await collectGcp(sim);
    expect(outcomes.map((o) => [o.tenant, o.status, o.error])).toEqual([
      ['acme-data', 'complete', null], ['acme-ops', 'complete', null], ['acme-web', 'complete', null],
      ['folders/200', 'complete', null], ['folders/201', 'complete', null],
    ]);
    const ids = (await rows(store, 'identities', runId)).map((r) => `${r.tenant} ${r.kind} ${r.ref}`);
    expect(ids).toEqual([
      'acme-data group domain:acme.example',
      'acme-data group group:data-team@acme.example',
      'acme-data workload principalSet://iam.googleapis.com/projects/1002/locations/global/workloadIdentityPools/github/attribute.repository/acme/web',
      `acme-data service_account ${DATA('analyst-bot')}`,
      `acme-data service_account ${DATA('etl')}`,
      `acme-ops service_account ${OPS('backup')}`,
      'acme-ops user user:frank@acme.example',
      'acme-web public allUsers',
      'acme-web group group:sre@acme.example',
      `acme-web service_account ${WEB('ci-old')}`,
      `acme-web service_account ${WEB('deployer')}`,
      `acme-web service_account ${WEB('fresh')}`,
      'acme-web user user:alice@acme.example',
      'acme-web user user:bob@acme.example',
      'acme-web user user:erin@acme.example',
      'folders/200 group group:platform-admins@acme.example',
    ]);
    const creds = (await rows(store, 'credentials', runId)).map((r) => `${r.tenant} ${r.kind} ${r.ref} ${r.status}`);
    expect(creds).toEqual([
      `acme-data sa_key ${DATA('etl')}/keys/b1b2c3d4e5f60001 active`,
      'acme-ops stored_secret projects/1003/secrets/legacy-key inactive',
      `acme-ops sa_key ${OPS('backup')}/keys/c1b2c3d4e5f60001 inactive`,
      'acme-web stored_secret projects/1001/secrets/api-token active',
      'acme-web stored_secret projects/1001/secrets/db-password active',
      `acme-web sa_key ${WEB('ci-old')}/keys/a1b2c3d4e5f60002 active`,
      `acme-web sa_key ${WEB('deployer')}/keys/a1b2c3d4e5f60001 active`,
      `acme-web sa_key ${WEB('fresh')}/keys/a1b2c3d4e5f60003 active`,
    ]);
    const ents = (await rows(store, 'entitlements', runId)).map((r) => `${r.tenant} ${r.ref} ${r.level} ${r.privileged}`);
    expect(ents).toEqual([
      `acme-data ${P('acme-data')}|projects/acme-data/roles/secretReader|serviceAccount:analyst-bot@acme-data.iam.gserviceaccount.com read false`,
      `acme-data ${P('acme-data')}|roles/cloudsql.client|serviceAccount:etl@acme-data.iam.gserviceaccount.com read false`,
      `acme-data ${P('acme-data')}|roles/compute.viewer|domain:acme.example read false`,
      `acme-data ${P('acme-data')}|roles/compute.viewer|group:data-team@acme.example read false`,
      `acme-data ${P('acme-data')}|roles/iam.serviceAccountTokenCreator|principalSet://iam.googleapis.com/projects/1002/locations/global/workloadIdentityPools/github/attribute.repository/acme/web admin true`,
      `acme-ops ${P('acme-ops')}|roles/logging.logWriter|serviceAccount:backup@acme-ops.iam.gserviceaccount.com write false`,
      `acme-ops ${P('acme-ops')}|roles/viewer|deleted:user:frank@acme.example?uid=123456789 read false`,
      `acme-web ${P('acme-web')}|roles/editor|serviceAccount:deployer@acme-web.iam.gserviceaccount.com write true`,
      `acme-web ${P('acme-web')}|roles/logging.logWriter|serviceAccount:ci-old@acme-web.iam.gserviceaccount.com write false`,
      `acme-web ${P('acme-web')}|roles/run.developer|user:bob@acme.example|temp-bob write false`,
      `acme-web ${P('acme-web')}|roles/storage.objectViewer|allUsers read true`,
      `acme-web ${P('acme-web')}|roles/viewer|user:alice@acme.example read false`,
      'acme-web projects/1001/secrets/api-token|roles/secretmanager.viewer|group:sre@acme.example read false',
      'acme-web projects/1001/secrets/db-password|roles/secretmanager.secretAccessor|serviceAccount:deployer@acme-web.iam.gserviceaccount.com read true',
      'acme-web projects/1001/secrets/db-password|roles/secretmanager.secretAccessor|user:erin@acme.example read true',
      'folders/200 //cloudresourcemanager.googleapis.com/folders/200|roles/owner|group:platform-admins@acme.example owner true',
    ]);
    // Metadata only: no secret payload was ever requested.
    expect(sim.payloadAccesses).toBe(0);
    expect(sim.log.some((l) => l.includes(':access'))).toBe(false);
  });

  it('maps a conditional binding to an expiry, drops an expired one, and marks public members', async () => {
    const now = new Date();
    const sim = await startSim(seedEstate(now));
    const { store, runId } = await collectGcp(sim);
    const bob = (await rows(store, 'entitlements', runId, "identity_ref = 'user:bob@acme.example'"))[0]!;
    const cond = sim.estate.projects[0]!.policy.bindings.find((b) => b.condition?.title === 'temp-bob')!.condition!;
    expect(iso(bob.expires_at)).toBe(/timestamp\("([^"]+)"\)/.exec(cond.expression)![1]);
    expect(attrs(bob)).toMatchObject({ condition: { title: 'temp-bob', expression: cond.expression }, time_bound: true });
    // carol's owner binding expired ten days ago: no access, so no entitlement and no identity.
    expect(await rows(store, 'entitlements', runId, "identity_ref = 'user:carol@acme.example'")).toEqual([]);
    expect(await rows(store, 'identities', runId, "ref = 'user:carol@acme.example'")).toEqual([]);
    const pub = (await rows(store, 'entitlements', runId, "identity_ref = 'allUsers'"))[0]!;
    expect(pub).toMatchObject({ level: 'read', privileged: true, permission: 'roles/storage.objectViewer', expires_at: null });
    expect(attrs(pub)).toMatchObject({ public: true, member_type: 'public' });
    const ident = (await rows(store, 'identities', runId, "ref = 'allUsers'"))[0]!;
    expect(ident).toMatchObject({ kind: 'public', human: null });
  });

  it('subtracts deny-policy permissions, from the project and from an ancestor folder', async () => {
    const sim = await startSim();
    const { store, runId } = await collectGcp(sim);
    const analyst = await rows(store, 'entitlements', runId, `identity_ref = '${DATA('analyst-bot')}'`);
    // secretReader minus the denied versions.access leaves secrets.get: read, no longer privileged.
    expect(analyst.map((r) => [r.permission, r.level, r.privileged])).toEqual([['projects/acme-data/roles/secretReader', 'read', false]]);
    expect(attrs(analyst[0]!)).toMatchObject({
      denied_permissions: ['secretmanager.versions.access'],
      deny_policies: ['policies/cloudresourcemanager.googleapis.com%2Fprojects%2Facme-data/denypolicies/no-secret-reads-for-analysts'],
    });
    // The same deny takes everything secretAccessor gives: that binding grants nothing and is not reported as access.
    expect(analyst.some((r) => r.permission === 'roles/secretmanager.secretAccessor')).toBe(false);
    const admins = (await rows(store, 'entitlements', runId, "identity_ref = 'group:platform-admins@acme.example'"))[0]!;
    expect(admins).toMatchObject({ level: 'owner', privileged: true });
    expect(attrs(admins).denied_permissions).toEqual(['resourcemanager.projects.delete']);
    // An editor elsewhere keeps its permissions: the project-level deny names only the analyst.
    const editor = (await rows(store, 'entitlements', runId, "permission = 'roles/editor'"))[0]!;
    expect(attrs(editor).denied_permissions).toBeUndefined();
  });

  it('maps user-managed keys: 9999 as never, exposure as a leak signal, disabled as inactive, activity as last use', async () => {
    const now = new Date();
    const estate = seedEstate(now);
    const sim = await startSim(estate);
    const { store, runId } = await collectGcp(sim);
    const key = async (ref: string) => (await rows(store, 'credentials', runId, `ref = '${ref}'`))[0]!;
    const deployer = await key(`${WEB('deployer')}/keys/a1b2c3d4e5f60001`);
    const seeded = estate.projects[0]!.serviceAccounts[0]!.keys[0]!;
    expect(deployer).toMatchObject({ kind: 'sa_key', name: 'a1b2c3d4e5f60001', identity_ref: WEB('deployer'), expires_at: null, expiry_supported: true,
      status: 'active', leak_signal: null, last_used_known: true, fingerprint: 'a1b2c3d4e5f60001' });
    expect(iso(deployer.created_at)).toBe(seeded.validAfterTime);
    expect(iso(deployer.last_used_at)).toBe(estate.projects[0]!.activity!.keys[`${WEB('deployer')}/keys/a1b2c3d4e5f60001`]);
    const etl = await key(`${DATA('etl')}/keys/b1b2c3d4e5f60001`);
    expect(etl).toMatchObject({ status: 'active', leak_signal: 'gcp:SERVICE_ACCOUNT_KEY_EXTENDED_STATUS_KEY_EXPOSED https://github.com/acme/web/blob/main/key.json',
      last_used_at: null, last_used_known: false });
    expect(iso(etl.expires_at)).toBe(estate.projects[1]!.serviceAccounts[0]!.keys[0]!.validBeforeTime);
    const backup = await key(`${OPS('backup')}/keys/c1b2c3d4e5f60001`);
    expect(backup).toMatchObject({ status: 'inactive', expires_at: null });
    expect(attrs(backup)).toMatchObject({ disabled: true, disable_reason: 'SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED' });
    // Created inside the observation window and absent from it: known never used. The account itself: unknown.
    const fresh = await key(`${WEB('fresh')}/keys/a1b2c3d4e5f60003`);
    expect(fresh).toMatchObject({ last_used_at: null, last_used_known: true });
    const sas = await rows(store, 'identities', runId, "kind = 'service_account'");
    expect(sas.map((r) => [r.ref, r.disabled, r.last_used_known, r.human])).toEqual([
      [DATA('analyst-bot'), false, false, false], [DATA('etl'), false, false, false], [OPS('backup'), true, false, false],
      [WEB('ci-old'), false, true, false], [WEB('deployer'), false, true, false], [WEB('fresh'), false, false, false],
    ]);
    // Google-managed keys are context on the account, never credentials of their own.
    expect(attrs(sas.find((r) => r.ref === WEB('deployer'))!)).toMatchObject({ user_managed_keys: 1, google_managed_keys: 1, unique_id: '110000000000000000001' });
    expect((await rows(store, 'credentials', runId, "ref LIKE '%ffff000000000001'")).length).toBe(0);
  });

  it('maps Secret Manager secrets as stored_secret credentials, their readers as privileged entitlements', async () => {
    const now = new Date();
    const estate = seedEstate(now);
    const sim = await startSim(estate);
    const { store, runId } = await collectGcp(sim);
    const secret = async (ref: string) => (await rows(store, 'credentials', runId, `ref = '${ref}'`))[0]!;
    const s = estate.projects[0]!.secrets;
    const db = await secret('projects/1001/secrets/db-password');
    expect(db).toMatchObject({ kind: 'stored_secret', name: 'db-password', owner: 'dave', expires_at: null, expiry_supported: true,
      status: 'active', last_used_at: null, last_used_known: false, identity_ref: null });
    expect(iso(db.created_at)).toBe(s[0]!.createTime);
    expect(iso(db.last_rotated_at)).toBe(s[0]!.versions[0]!.createTime);
    expect(attrs(db)).toMatchObject({ labels: { owner: 'dave', env: 'prod' }, owner_label: 'owner', replication: { automatic: true },
      rotation: null, rotation_configured: false, version_count: 1, enabled_versions: 1 });
    const api = await secret('projects/1001/secrets/api-token');
    expect(iso(api.expires_at)).toBe(s[1]!.expireTime);
    expect(iso(api.last_rotated_at)).toBe(s[1]!.versions[1]!.createTime);
    expect(attrs(api)).toMatchObject({
      owner_label: 'owner', rotation: { next_rotation_time: s[1]!.rotation!.nextRotationTime, rotation_period: '2592000s' }, rotation_configured: true,
      replication: { user_managed: ['europe-west1', 'europe-west4'] }, topics: ['projects/acme-web/topics/rotate'],
      versions: [
        { name: 'projects/1001/secrets/api-token/versions/2', state: 'ENABLED', create_time: s[1]!.versions[1]!.createTime, destroy_time: null },
        { name: 'projects/1001/secrets/api-token/versions/1', state: 'DESTROYED', create_time: s[1]!.versions[0]!.createTime, destroy_time: s[1]!.versions[0]!.destroyTime },
      ],
    });
    const legacy = await secret('projects/1003/secrets/legacy-key');
    expect(legacy).toMatchObject({ status: 'inactive', owner: null });
    const readers = await rows(store, 'entitlements', runId, "resource_ref = 'projects/1001/secrets/db-password'");
    expect(readers.map((r) => [r.identity_ref, r.level, r.privileged, r.permission])).toEqual([
      [WEB('deployer'), 'read', true, 'roles/secretmanager.secretAccessor'],
      ['user:erin@acme.example', 'read', true, 'roles/secretmanager.secretAccessor'],
    ]);
    // A metadata viewer of a secret cannot read it: not privileged.
    const viewer = (await rows(store, 'entitlements', runId, "resource_ref = 'projects/1001/secrets/api-token'"))[0]!;
    expect(viewer).toMatchObject({ privileged: false, level: 'read' });
  });

  it('collects a listed project without discovery, still applying deny policies of its ancestors', async () => {
    const sim = await startSim();
    const { outcomes } = await collectGcp(sim, { tenants: ['acme-web'] }, { folder: undefined });
    expect(outcomes.map((o) => [o.tenant, o.status])).toEqual([['acme-web', 'complete']]);
    expect(sim.log).toContain('GET /v3/folders/200');
    expect(sim.log.some((l) => l.startsWith('GET /v2/policies/') && l.includes('folders') && l.endsWith('/denypolicies'))).toBe(true);
    expect(sim.log.some((l) => l.startsWith('GET /v3/folders?') || l === 'GET /v3/folders')).toBe(false);
  });
});
