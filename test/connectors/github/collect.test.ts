import { describe, expect, it } from 'vitest';
import { collectRun } from '../../helpers/index.js';
import { generateEstate } from '../../../src/sim/github/estate.js';
import { refs, setup, truth } from './helpers.js';

describe('github connector: collection', () => {
  it('collects exactly the seeded estate with a token, and a re-scan is answered by 304s', async () => {
    const estate = generateEstate({ repos: 25, seed: 3 });
    const t = await setup({ estate, options: { skip: ['fine_grained_pats'] } });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ source: 'gh', provider: 'github', tenant: 'acme', status: 'complete', error: null });
    const want = truth(estate, { pats: false });
    expect(await refs(t.store, 'credentials', runId)).toEqual([...want.credentials].sort());
    expect(await refs(t.store, 'entitlements', runId)).toEqual([...want.entitlements].sort());
    expect(await refs(t.store, 'identities', runId)).toEqual([...want.identities].sort());
    expect(outcomes[0]!.api_calls).toBe(t.sim.stats.requests);
    expect(outcomes[0]!.cached_calls).toBe(0);
    expect(outcomes[0]!.rate_budget_used).toBe(t.sim.stats.requests);

    // Unchanged estate: every GET revalidates with If-None-Match and comes back 304 (no rate budget spent), except
    // the secret-scanning listing, which is never cached because its bodies carry secret values, and the organisation's
    // OIDC subject template, which GitHub answers 404 (no ETag) when the organisation has not customised it.
    t.sim.resetStats();
    const second = await collectRun(t.store, t.loaded, { env: t.env });
    expect(second.outcomes[0]).toMatchObject({ status: 'complete' });
    expect(second.outcomes[0]!.api_calls).toBe(outcomes[0]!.api_calls);
    expect(second.outcomes[0]!.cached_calls).toBe(second.outcomes[0]!.api_calls - 2);
    expect(t.sim.stats.notModified).toBe(t.sim.stats.requests - 2);
    expect(t.sim.stats.byRoute['GET /orgs/{org}/secret-scanning/alerts']).toBe(1);
    expect(t.sim.stats.byRoute['GET /orgs/{org}/actions/oidc/customization/sub']).toBe(1);
    expect(second.outcomes[0]!.rate_budget_used).toBe(2);
    expect(await refs(t.store, 'credentials', second.runId)).toEqual([...want.credentials].sort());
    expect(await refs(t.store, 'entitlements', second.runId)).toEqual([...want.entitlements].sort());
  });

  it('maps levels, owners, dates and flags onto canonical columns', async () => {
    const estate = generateEstate({ repos: 6, seed: 11 });
    const org = estate.orgs[0]!;
    const repo = org.repos[0]!;
    repo.collaborators = { [org.members[3]!.login]: 'maintain', [org.outside[0]!]: 'triage' };
    repo.deployKeys = [{ id: 77, title: 'ci', key: repo.deployKeys[0]?.key ?? 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== x', read_only: false,
      created_at: '2024-01-02T03:04:05Z', added_by: 'acme-dev3', last_used: '2025-05-01T00:00:00Z' }];
    const t = await setup({ estate, options: { skip: ['fine_grained_pats'], machine_users: ['ci-*'] } });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]!.status).toBe('complete');
    const ent = async (r: string) => t.store.one('SELECT * FROM entitlements WHERE run_id = $1 AND ref = $2', [runId, r]);
    expect(await ent(`github:acme/${repo.name}/collaborator/${org.members[3]!.login}`)).toMatchObject({ level: 'write', permission: 'maintain', via: 'direct', privileged: false });
    expect(await ent(`github:acme/${repo.name}/collaborator/${org.outside[0]}`)).toMatchObject({ level: 'read', permission: 'triage' });
    expect(await ent(`github:acme/member/${org.members[0]!.login}`)).toMatchObject({ level: 'owner', permission: 'owner', privileged: true, resource_ref: 'github:acme' });
    expect(await ent(`github:acme/member/${org.members[4]!.login}`)).toMatchObject({ level: 'read', permission: 'member', privileged: false });
    const key = await t.store.one('SELECT * FROM credentials WHERE run_id = $1 AND ref = $2', [runId, `github:acme/${repo.name}/deploy_key/77`]);
    expect(key).toMatchObject({ kind: 'deploy_key', created_by: 'acme-dev3', owner: 'acme-dev3', expiry_supported: false, status: 'active' });
    expect((key!.created_at as Date).toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect((key!.last_used_at as Date).toISOString()).toBe('2025-05-01T00:00:00.000Z');
    expect(await ent(`github:acme/${repo.name}/deploy_key/77/access`)).toMatchObject({ level: 'write', identity_ref: `github:acme/${repo.name}/deploy_key/77` });
    const secret = await t.store.one("SELECT * FROM credentials WHERE run_id = $1 AND kind = 'stored_secret' LIMIT 1", [runId]);
    expect(secret).toMatchObject({ expiry_supported: false, last_used_known: false, last_used_at: null, expires_at: null });
    const outsider = await t.store.one('SELECT * FROM identities WHERE run_id = $1 AND ref = $2', [runId, `github:acme/user/${org.outside[0]}`]);
    expect(outsider).toMatchObject({ kind: 'user', human: true, login: org.outside[0] });
    expect(JSON.parse(outsider!.attributes as string)).toMatchObject({ outside_collaborator: true });
    expect(await t.store.one('SELECT kind, human FROM identities WHERE run_id = $1 AND ref = $2', [runId, 'github:acme/user/ci-bot'])).toEqual({ kind: 'machine_user', human: false });
    const app = await t.store.one("SELECT * FROM identities WHERE run_id = $1 AND kind = 'app'", [runId]);
    expect(app).toMatchObject({ human: false, owner: null, disabled: false, name: 'ci-app' });
    expect(await t.store.one("SELECT level, privileged FROM entitlements WHERE run_id = $1 AND ref LIKE '%/permission/secrets'", [runId])).toEqual({ level: 'read', privileged: true });
  });

  it('with GitHub App auth discovers the organisation and collects fine-grained PATs', async () => {
    const estate = generateEstate({ repos: 8, seed: 5 });
    const t = await setup({ estate, app: true, source: { tenants: [] } });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes).toMatchObject([{ tenant: 'acme', status: 'complete' }]);
    const want = truth(estate, { pats: true });
    expect(await refs(t.store, 'credentials', runId)).toEqual([...want.credentials].sort());
    expect(await refs(t.store, 'entitlements', runId)).toEqual([...want.entitlements].sort());
    const pat = estate.orgs[0]!.pats[1]!;
    const row = await t.store.one('SELECT * FROM credentials WHERE run_id = $1 AND ref = $2', [runId, `github:acme/fine_grained_pat/${pat.id}`]);
    // Rated by the token's own permissions: the credential's holder is the token, whose entitlements are its own grants.
    expect(row).toMatchObject({ kind: 'fine_grained_pat', created_by: pat.owner, owner: pat.owner, identity_ref: `github:acme/fine_grained_pat/${pat.id}`, expires_at: null, expiry_supported: true });
    const own = await t.store.all<{ identity_ref: string }>('SELECT DISTINCT identity_ref FROM entitlements WHERE run_id = $1 AND identity_ref = $2', [runId, `github:acme/fine_grained_pat/${pat.id}`]);
    expect(own).toHaveLength(1);
  });

  it('with a token, fine-grained PATs are reported as not collected (partial), never as none', async () => {
    const t = await setup();
    const { outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/fine-grained personal access tokens: GET \S+\/orgs\/acme\/personal-access-tokens → 403/);
    expect(outcomes[0]!.error).toContain('needs GitHub App authentication');
  });

  it('treats a missing SAML or secret-scanning feature (404) as absent, and serves GHES under /api/v3', async () => {
    const estate = generateEstate({ repos: 4, seed: 9 });
    estate.orgs[0]!.credentialAuthorizations = null;
    estate.orgs[0]!.alerts = null;
    const t = await setup({ estate, sim: { ghes: true }, options: { skip: ['fine_grained_pats'] } });
    expect(t.sim.apiUrl).toMatch(/\/api\/v3$/);
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]).toMatchObject({ status: 'complete' });
    expect(await refs(t.store, 'credentials', runId)).toEqual([...truth(estate, { pats: false }).credentials].sort());
  });

  it('fails the tenant when the organisation cannot be read, and fails validation without a token', async () => {
    const t = await setup({ source: { tenants: ['nope'] }, options: { skip: ['fine_grained_pats'] } });
    const { outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]).toMatchObject({ tenant: 'nope', status: 'failed', rows: 0 });
    expect(outcomes[0]!.error).toContain('Not Found');
    const again = await collectRun(t.store, t.loaded, { env: {} });
    expect(again.outcomes[0]).toMatchObject({ status: 'failed' });
    expect(again.outcomes[0]!.error).toContain('environment variable GH_TOKEN is not set');
  });
});
