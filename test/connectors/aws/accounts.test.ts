// Organisation mode: accounts listed through Organizations, a role assumed in each; one account failing (denied,
// throttled past the budget) never touches another's results. Also Secrets Manager metadata and readers.
import { describe, expect, it } from 'vitest';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { addSecret, generateEstate } from '../../../src/sim/aws/estate.js';
import { SIM_ENV, awsSource, startSim } from './helpers.js';

const A = '111111111111', B = '222222222222', C = '333333333333';

function orgEstate() {
  const estate = generateEstate({ seed: 3, accounts: [A, B, C], users: 6, roles: 4, groups: 2, secrets: 0 });
  return estate;
}

async function run(sim: Awaited<ReturnType<typeof startSim>>, extra: Record<string, unknown> = {}, opts: Record<string, unknown> = {}) {
  const dir = tempDir();
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [awsSource(sim, { organization: { role_name: sim.estate.orgRoleName }, ...opts }, extra)], authority: { required: false } });
  const r = await collectRun(store, loaded, { env: SIM_ENV });
  return { store, ...r, byTenant: Object.fromEntries(r.outcomes.map((o) => [o.tenant, o])) };
}

describe('aws connector: many accounts', () => {
  it('lists accounts, assumes the role in each, and a denied account fails alone', async () => {
    const estate = orgEstate();
    estate.accounts.get(C)!.denied = 'assume';
    const sim = await startSim(estate);
    const { store, runId, byTenant } = await run(sim);
    expect(byTenant[A]).toMatchObject({ status: 'complete', error: null });
    expect(byTenant[B]).toMatchObject({ status: 'complete', error: null });
    expect(byTenant[C]).toMatchObject({ status: 'failed', rows: 0 });
    expect(byTenant[C]!.error).toMatch(/cannot assume NhiReconAudit in account 333333333333: sts:AssumeRole: AccessDenied/);
    // Each account's rows carry its own tenant and ARNs; B's users are B's.
    const b = await store.all<{ ref: string }>("SELECT ref FROM identities WHERE run_id = $1 AND tenant = $2 AND kind = 'user' AND name <> 'root'", [runId, B]);
    expect(b.map((x) => x.ref).sort()).toEqual([...estate.accounts.get(B)!.users.values()].map((u) => `arn:aws:iam::${B}:user/${u.name}`).sort());
    expect(sim.calls.get('organizations:ListAccounts')).toBe(1);
  });

  it('an account throttled past the retry budget fails with the reason; the others stay complete', async () => {
    const sim = await startSim(orgEstate());
    sim.faults.add({ match: `account=${B}`, kind: 'throttle', times: Infinity });
    const { byTenant } = await run(sim, { retries: 1 });
    expect(byTenant[A]!.status).toBe('complete');
    expect(byTenant[C]!.status).toBe('complete');
    expect(byTenant[B]).toMatchObject({ status: 'failed', rows: 0 });
    expect(byTenant[B]!.error).toMatch(/Throttling.*retry budget exhausted/);
    expect(byTenant[B]!.api_calls).toBeGreaterThanOrEqual(2);
  });

  it('a throttled credential report leaves the account partial, never "no keys"', async () => {
    const sim = await startSim(orgEstate());
    sim.faults.add({ match: new RegExp(`GenerateCredentialReport account=${A}`), kind: 'throttle', times: Infinity });
    const { store, runId, byTenant } = await run(sim, { retries: 1 });
    expect(byTenant[A]!.status).toBe('partial');
    expect(byTenant[A]!.error).toMatch(/credential report unavailable/);
    expect(byTenant[B]!.status).toBe('complete');
    const users = await store.one<{ known: number }>("SELECT count(*) FILTER (WHERE last_used_known)::INT AS known FROM identities WHERE run_id = $1 AND tenant = $2 AND kind = 'user'", [runId, A]);
    expect(users!.known).toBe(0);
  });
});

describe('aws connector: Secrets Manager', () => {
  it('maps secret metadata and resource-policy readers, without ever reading a value', async () => {
    const estate = generateEstate({ seed: 5, users: 2, roles: 1, groups: 1, secrets: 0 });
    const acct = estate.accounts.get(A)!;
    const created = new Date('2023-01-10T00:00:00Z');
    const db = addSecret(acct, 'eu-west-1', {
      name: 'prod/db-password', created, lastRotated: new Date('2023-02-01T00:00:00Z'), lastAccessed: new Date('2025-05-20T00:00:00Z'),
      rotationEnabled: true, rotationLambda: 'arn:aws:lambda:eu-west-1:111111111111:function:rotate', rotationDays: 30, tags: { owner: 'dana', team: 'data' },
      policy: { Version: '2012-10-17', Statement: [
        { Sid: 'app', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111111111111:role/role-0', '222222222222'] }, Action: 'secretsmanager:GetSecretValue', Resource: '*' },
        { Sid: 'ops', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:user/ops' }, Action: 'secretsmanager:Describe*', Resource: '*' },
        { Sid: 'no-b', Effect: 'Deny', Principal: { AWS: '222222222222' }, Action: 'secretsmanager:*', Resource: '*' },
      ] },
    });
    addSecret(acct, 'eu-west-1', { name: 'legacy/token', created, tags: {} });
    addSecret(acct, 'us-east-1', { name: 'other-region', created, tags: {} });
    const sim = await startSim(estate);
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [awsSource(sim, { secrets_manager: { regions: ['eu-west-1'], endpoint: sim.url } })], authority: { required: false } });
    const { runId, outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
    expect(outcomes[0]!.status).toBe('complete');
    const secrets = await store.all<Record<string, any>>("SELECT * FROM credentials WHERE run_id = $1 AND kind = 'stored_secret' ORDER BY name", [runId]);
    expect(secrets.map((s) => s.name)).toEqual(['legacy/token', 'prod/db-password']);
    const s = secrets[1]!;
    expect(s).toMatchObject({ ref: db.arn, owner: 'dana', identity_ref: null, expires_at: null, expiry_supported: false, status: 'active', last_used_known: true });
    expect(s.created_at.toISOString()).toBe('2023-01-10T00:00:00.000Z');
    expect(s.last_rotated_at.toISOString()).toBe('2023-02-01T00:00:00.000Z');
    expect(s.last_used_at.toISOString()).toBe('2025-05-20T00:00:00.000Z');
    expect(JSON.parse(s.attributes)).toMatchObject({ region: 'eu-west-1', rotation_enabled: true, rotation_days: 30, owner_source: 'tag', tags: { owner: 'dana', team: 'data' } });
    expect(secrets[0]).toMatchObject({ last_rotated_at: null, last_used_at: null, owner: null });
    const readers = await store.all<Record<string, unknown>>('SELECT identity_ref, resource_ref, permission, level, privileged, via FROM entitlements WHERE run_id = $1 AND resource_ref = $2', [runId, db.arn]);
    // role-0 reads it; account B is denied explicitly; Describe* exposes no value.
    expect(readers).toEqual([{ identity_ref: 'arn:aws:iam::111111111111:role/role-0', resource_ref: db.arn, permission: 'secretsmanager:GetSecretValue', level: 'read', privileged: true, via: 'policy' }]);
    expect(sim.calls.get('secretsmanager:GetSecretValue')).toBeUndefined();
    expect(sim.calls.get('secretsmanager:ListSecrets')).toBe(1);
    expect(sim.calls.get('secretsmanager:GetResourcePolicy')).toBe(2);
  });

  it('a region that fails leaves the account partial with the reason', async () => {
    const estate = generateEstate({ seed: 5, users: 2, roles: 1, groups: 1, secrets: 2, regions: ['us-east-1'] });
    const sim = await startSim(estate);
    sim.faults.add({ match: 'secretsmanager:ListSecrets', kind: 'status', status: 403, times: Infinity });
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [awsSource(sim, { secrets_manager: { regions: ['us-east-1'], endpoint: sim.url } })], authority: { required: false } });
    const { outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/Secrets Manager in us-east-1 not collected: secretsmanager:ListSecrets: AccessDeniedException/);
  });
});
