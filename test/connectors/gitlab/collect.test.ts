import { describe, expect, it } from 'vitest';
import { collectRun } from '../../helpers/index.js';
import { generateEstate, OWNER_TOKEN, READ_TOKEN } from '../../../src/sim/gitlab/estate.js';
import { refs, setup, truth } from './helpers.js';

describe('gitlab connector: collection', () => {
  it('collects exactly the seeded estate through @gitbeaker/rest, with every page, and a re-scan is answered by 304s', async () => {
    const estate = generateEstate({ projects: 30, seed: 3 });
    const t = await setup({ estate });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes).toMatchObject([{ source: 'gl', provider: 'gitlab', tenant: 'acme', status: 'complete', error: null }]);
    const want = truth(estate);
    expect(await refs(t.store, 'credentials', runId)).toEqual([...want.credentials].sort());
    expect(await refs(t.store, 'entitlements', runId)).toEqual([...want.entitlements].sort());
    expect(await refs(t.store, 'identities', runId)).toEqual([...want.identities].sort());
    expect(outcomes[0]!.api_calls).toBe(t.sim.stats.requests);
    // More than 20 projects: GitLab's default page is 20, so the listing had to be complete across pages (per_page 100 asked).
    expect(t.sim.stats.byRoute['GET /api/v4/groups/{id}/projects']).toBe(1);

    t.sim.resetStats();
    const second = await collectRun(t.store, t.loaded, { env: t.env });
    expect(second.outcomes[0]).toMatchObject({ status: 'complete' });
    // Every GET revalidates; only the variable listings (secret-bearing bodies) are never cached.
    const variableCalls = (t.sim.stats.byRoute['GET /api/v4/projects/{id}/variables'] ?? 0) + (t.sim.stats.byRoute['GET /api/v4/groups/{id}/variables'] ?? 0);
    expect(variableCalls).toBe(estate.projects.length + estate.groups.length);
    expect(t.sim.stats.notModified).toBe(t.sim.stats.requests - variableCalls);
    expect(await refs(t.store, 'credentials', second.runId)).toEqual([...want.credentials].sort());
  });

  it('maps roles, tokens, bots, keys and variables onto canonical columns', async () => {
    const estate = generateEstate({ projects: 6, seed: 11 });
    const p0 = estate.projects[0]!;
    p0.deployKeys = [{ id: 77, title: 'ci', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== x', created_at: '2024-01-02T03:04:05Z', expires_at: null, can_push: true }];
    p0.variables = [{ key: 'AWS_ACCESS_KEY_ID', value: 'AKIAEXAMPLE', variable_type: 'env_var', protected: true, masked: true, hidden: false, raw: false, environment_scope: 'production', description: null }];
    const t = await setup({ estate });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]!.status).toBe('complete');
    const one = (table: string, r: string) => t.store.one(`SELECT * FROM ${table} WHERE run_id = $1 AND ref = $2`, [runId, r]);
    expect(await one('entitlements', 'gitlab:acme/-/member/owner')).toMatchObject({ level: 'owner', permission: 'owner', privileged: true, resource_ref: 'gitlab:acme', via: 'direct' });
    expect(await one('entitlements', 'gitlab:acme/-/member/reader')).toMatchObject({ level: 'read', permission: 'reporter', privileged: false });
    const key = await one('credentials', 'gitlab:acme/proj-000/-/deploy_key/77');
    expect(key).toMatchObject({ kind: 'deploy_key', expiry_supported: true, expires_at: null, last_used_known: false, status: 'active' });
    expect((key!.created_at as Date).toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(await one('entitlements', 'gitlab:acme/proj-000/-/deploy_key/77/access')).toMatchObject({ level: 'write', permission: 'can_push' });
    const v = await one('credentials', 'gitlab:acme/proj-000/-/project_variable/AWS_ACCESS_KEY_ID/production');
    expect(v).toMatchObject({ kind: 'stored_secret', name: 'AWS_ACCESS_KEY_ID', expiry_supported: false, last_used_known: false });
    expect(JSON.parse(v!.attributes as string)).toEqual({ scope: 'project', resource: 'acme/proj-000', variable_type: 'env_var', protected: true, masked: true,
      hidden: false, raw: false, environment_scope: 'production', ci: { pipeline: 'acme/proj-000' } });
    // A project access token: its holder is the bot user GitLab made for it, rated by the lower of role and scopes.
    const tok = p0.accessTokens[0]!;
    const bot = estate.users.find((u) => u.id === tok.user_id)!.username;
    const cred = await one('credentials', `gitlab:acme/proj-000/-/project_access_token/${tok.id}`);
    expect(cred).toMatchObject({ kind: 'access_token', identity_ref: `gitlab:acme/-/user/${bot}`, status: tok.revoked ? 'revoked' : 'active' });
    expect((cred!.expires_at as Date).toISOString().slice(0, 10)).toBe(tok.expires_at);
    expect(await one('identities', `gitlab:acme/-/user/${bot}`)).toMatchObject({ kind: 'bot', human: false });
    const ent = await one('entitlements', `gitlab:acme/proj-000/-/project_access_token/${tok.id}/scopes`);
    expect(ent).toMatchObject({ level: tok.scopes.includes('api') ? (tok.access_level === 40 ? 'admin' : 'write') : 'read' });
    // PATs of members, owned by the person; the outsider's and the administrator's own tokens are not this tenant's.
    const pats = await t.store.all<{ created_by: string }>("SELECT created_by FROM credentials WHERE run_id = $1 AND kind = 'pat' ORDER BY created_by", [runId]);
    expect(pats.map((p) => p.created_by)).not.toContain('outsider');
    expect(pats.map((p) => p.created_by)).not.toContain('root');
    expect(pats.length).toBeGreaterThan(0);
  });

  it('a non-administrator token on self-managed marks PATs partial (never "none"), and a Reporter misses the Maintainer listings explicitly', async () => {
    const owner = await setup({ token: OWNER_TOKEN });
    const a = await collectRun(owner.store, owner.loaded, { env: owner.env });
    expect(a.outcomes[0]!.status).toBe('partial');
    expect(a.outcomes[0]!.error).toContain('needs an administrator token on self-managed GitLab');
    expect(await owner.store.one("SELECT count(*)::INT AS n FROM credentials WHERE run_id = $1 AND kind = 'pat'", [a.runId])).toEqual({ n: 0 });

    const reader = await setup({ token: READ_TOKEN, options: { personal_access_tokens: 'skip' } });
    const b = await collectRun(reader.store, reader.loaded, { env: reader.env });
    expect(b.outcomes[0]!.status).toBe('partial');
    expect(b.outcomes[0]!.error).toMatch(/access tokens of group acme: GET \S+\/api\/v4\/groups\/acme\/access_tokens\S* → 403/);
    expect(b.outcomes[0]!.error).toContain('Owner on a group');
  });

  it('on gitlab.com lists enterprise users\' PATs through the group (Owner), and says so when the endpoint is not there', async () => {
    const estate = generateEstate({ projects: 3, seed: 5, dotcom: true });
    const t = await setup({ estate, token: OWNER_TOKEN, options: { personal_access_tokens: 'enterprise' } });
    const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]).toMatchObject({ status: 'complete' });
    expect(await refs(t.store, 'credentials', runId)).toEqual([...truth(estate).credentials].sort());
    const rows = await t.store.all<{ attributes: string }>("SELECT attributes FROM credentials WHERE run_id = $1 AND kind = 'pat'", [runId]);
    expect(rows.every((r) => JSON.parse(r.attributes).listed_by === 'enterprise')).toBe(true);

    const selfManaged = await setup({ token: OWNER_TOKEN, options: { personal_access_tokens: 'enterprise' } });
    const b = await collectRun(selfManaged.store, selfManaged.loaded, { env: selfManaged.env });
    expect(b.outcomes[0]!.status).toBe('partial');
    expect(b.outcomes[0]!.error).toMatch(/personal access tokens: .*manage\/personal_access_tokens\S* → 404/);
  });

  it('fails the tenant when the group cannot be read, and fails validation without a token', async () => {
    const t = await setup({ source: { tenants: ['nope'] } });
    const { outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
    expect(outcomes[0]).toMatchObject({ tenant: 'nope', status: 'failed', rows: 0 });
    expect(outcomes[0]!.error).toContain('404 Group Not Found');
    const again = await collectRun(t.store, t.loaded, { env: {} });
    expect(again.outcomes[0]).toMatchObject({ status: 'failed' });
    expect(again.outcomes[0]!.error).toContain('environment variable GL_TOKEN is not set');
  });
});
