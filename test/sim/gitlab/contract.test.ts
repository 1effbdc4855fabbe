// The GitLab simulator answers every route it declares (src/sim/gitlab/routes.ts) with the route's success status,
// in GitLab's error shape ({"message": "404 …"}, insufficient_scope), with its pagination headers (x-page, x-next-page,
// x-total, Link) and weak ETags with 304. Not yet done: checking the bodies against the response schemas vendored from
// GitLab's published OpenAPI description (doc/api/openapi/openapi_v2.yaml) — see docs/connectors/gitlab.md.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/sim/gitlab/routes.js';
import { ADMIN_TOKEN, generateEstate, READ_TOKEN } from '../../../src/sim/gitlab/estate.js';
import { startGitLabSim, type GitLabSim } from '../../../src/sim/gitlab/server.js';

let sim: GitLabSim;
beforeAll(async () => {
  const e = generateEstate({ projects: 3, seed: 2, dotcom: true });
  const p = e.projects[0]!;
  p.deployTokens.push({ id: 901, name: 'd', username: 'gitlab+deploy-token-901', expires_at: null, revoked: false, expired: false, scopes: ['read_repository'] });
  e.groups[0]!.deployTokens[0]!.id = 902;
  e.users.find((u) => u.id === 1)!.enterprise_group_id = null;
  sim = await startGitLabSim({ estate: e });
});
afterAll(async () => { await sim?.close(); });

interface Call { route: string; path: string; body?: unknown }
const tokenOf = () => {
  const p = sim.estate.projects[0]!;
  return { pt: p.accessTokens[0]!.id, gt: sim.estate.groups[0]!.accessTokens[0]!.id, key: p.deployKeys[0]!.id, pat: sim.estate.pats[0]!.id };
};

describe('gitlab simulator contract', () => {
  it('answers every declared route with its success status and a JSON body (none for 204)', async () => {
    const t = tokenOf();
    const calls: Call[] = [
      { route: 'GET /api/v4/user', path: '/api/v4/user' },
      { route: 'GET /api/v4/groups/{id}', path: '/api/v4/groups/acme' },
      { route: 'GET /api/v4/groups/{id}/descendant_groups', path: '/api/v4/groups/acme/descendant_groups' },
      { route: 'GET /api/v4/groups/{id}/projects', path: '/api/v4/groups/acme/projects?include_subgroups=true' },
      { route: 'GET /api/v4/groups/{id}/members', path: '/api/v4/groups/acme/members' },
      { route: 'GET /api/v4/groups/{id}/members/all', path: '/api/v4/groups/acme%2Fplatform/members/all' },
      { route: 'GET /api/v4/projects/{id}/members', path: '/api/v4/projects/acme%2Fproj-000/members' },
      { route: 'GET /api/v4/groups/{id}/access_tokens', path: '/api/v4/groups/acme/access_tokens' },
      { route: 'GET /api/v4/groups/{id}/access_tokens/{token_id}', path: `/api/v4/groups/acme/access_tokens/${t.gt}` },
      { route: 'GET /api/v4/projects/{id}/access_tokens', path: '/api/v4/projects/acme%2Fproj-000/access_tokens' },
      { route: 'GET /api/v4/projects/{id}/access_tokens/{token_id}', path: `/api/v4/projects/acme%2Fproj-000/access_tokens/${t.pt}` },
      { route: 'GET /api/v4/personal_access_tokens', path: '/api/v4/personal_access_tokens' },
      { route: 'GET /api/v4/personal_access_tokens/{id}', path: `/api/v4/personal_access_tokens/${t.pat}` },
      { route: 'GET /api/v4/groups/{id}/manage/personal_access_tokens', path: '/api/v4/groups/acme/manage/personal_access_tokens' },
      { route: 'GET /api/v4/groups/{id}/deploy_tokens', path: '/api/v4/groups/acme/deploy_tokens' },
      { route: 'GET /api/v4/groups/{id}/deploy_tokens/{token_id}', path: '/api/v4/groups/acme/deploy_tokens/902' },
      { route: 'GET /api/v4/projects/{id}/deploy_tokens', path: '/api/v4/projects/acme%2Fproj-000/deploy_tokens' },
      { route: 'GET /api/v4/projects/{id}/deploy_tokens/{token_id}', path: '/api/v4/projects/acme%2Fproj-000/deploy_tokens/901' },
      { route: 'GET /api/v4/projects/{id}/deploy_keys', path: '/api/v4/projects/acme%2Fproj-000/deploy_keys' },
      { route: 'GET /api/v4/projects/{id}/deploy_keys/{key_id}', path: `/api/v4/projects/acme%2Fproj-000/deploy_keys/${t.key}` },
      { route: 'GET /api/v4/projects/{id}/variables', path: '/api/v4/projects/acme%2Fproj-000/variables' },
      { route: 'GET /api/v4/groups/{id}/variables', path: '/api/v4/groups/acme/variables' },
      { route: 'POST /api/v4/projects/{id}/deploy_keys', path: '/api/v4/projects/acme%2Fproj-000/deploy_keys', body: { title: 'x', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBB x', can_push: false } },
      { route: 'DELETE /api/v4/projects/{id}/deploy_keys/{key_id}', path: `/api/v4/projects/acme%2Fproj-000/deploy_keys/${t.key}` },
      { route: 'DELETE /api/v4/projects/{id}/deploy_tokens/{token_id}', path: '/api/v4/projects/acme%2Fproj-000/deploy_tokens/901' },
      { route: 'DELETE /api/v4/groups/{id}/deploy_tokens/{token_id}', path: '/api/v4/groups/acme/deploy_tokens/902' },
      { route: 'DELETE /api/v4/projects/{id}/access_tokens/{token_id}', path: `/api/v4/projects/acme%2Fproj-000/access_tokens/${t.pt}` },
      { route: 'DELETE /api/v4/groups/{id}/access_tokens/{token_id}', path: `/api/v4/groups/acme/access_tokens/${t.gt}` },
      { route: 'DELETE /api/v4/personal_access_tokens/{id}', path: `/api/v4/personal_access_tokens/${t.pat}` },
    ];
    expect(calls.map((c) => c.route).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    // The seeded group/project tokens may already be revoked: make them live so DELETE has something to revoke.
    for (const x of [sim.estate.projects[0]!.accessTokens[0]!, sim.estate.groups[0]!.accessTokens[0]!]) { x.revoked = false; x.active = true; }
    // gitlab.com: the group Owner lists enterprise users' PATs; the administrator token is used for everything here.
    const failures: string[] = [];
    for (const c of calls) {
      const spec = ROUTES.find((r) => `${r.method} ${r.path}` === c.route)!;
      const res = await fetch(`${sim.url}${c.path}`, { method: spec.method, headers: { 'private-token': ADMIN_TOKEN, ...(c.body ? { 'content-type': 'application/json' } : {}) },
        body: c.body ? JSON.stringify(c.body) : undefined });
      const text = await res.text();
      if (res.status !== spec.status) { failures.push(`${c.route}: ${res.status} ${text.slice(0, 120)}`); continue; }
      if (spec.status === 204) { if (text) failures.push(`${c.route}: body on 204`); continue; }
      const body = JSON.parse(text) as unknown;
      // A collection route answers a list; a route ending in an id (and /user) one object.
      const collection = spec.method === 'GET' && !/\}$/.test(spec.path) && spec.path !== '/api/v4/user';
      if (collection !== Array.isArray(body)) failures.push(`${c.route}: ${collection ? 'not a list' : 'a list'}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers errors in GitLab\'s shapes, and pages with x-* headers, Link and weak ETags', async () => {
    const nf = await fetch(`${sim.url}/api/v4/groups/nope`, { headers: { 'private-token': ADMIN_TOKEN } });
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ message: '404 Group Not Found' });
    const unauth = await fetch(`${sim.url}/api/v4/user`, { headers: { 'private-token': 'wrong' } });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toEqual({ message: '401 Unauthorized' });
    const scope = await fetch(`${sim.url}/api/v4/personal_access_tokens/1`, { method: 'DELETE', headers: { 'private-token': READ_TOKEN } });
    expect(scope.status).toBe(403);
    expect(await scope.json()).toMatchObject({ error: 'insufficient_scope', scope: 'api' });
    const page = await fetch(`${sim.url}/api/v4/groups/acme/projects?include_subgroups=true&per_page=1`, { headers: { 'private-token': ADMIN_TOKEN } });
    expect(page.headers.get('x-next-page')).toBe('2');
    expect(page.headers.get('x-total')).toBe('3');
    expect(page.headers.get('link')).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/api\/v4\/groups\/acme\/projects\?include_subgroups=true&per_page=1&page=2>; rel="next"/);
    expect(page.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
    const etag = page.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    const again = await fetch(`${sim.url}/api/v4/groups/acme/projects?include_subgroups=true&per_page=1`, { headers: { 'private-token': ADMIN_TOKEN, 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});
