// Every route the simulator serves answers in the shape of GitHub's published OpenAPI description (Enterprise Cloud
// flavour, extracted by scripts/extract-github-schemas.ts into test/fixtures/github/openapi-routes.json).
import { readFileSync } from 'node:fs';
import { generateKeyPairSync, createSign } from 'node:crypto';
import { contractAjv, openApiToJsonSchema, refsInto } from '../../helpers/openapi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/sim/github/routes.js';
import { generateEstate } from '../../../src/sim/github/estate.js';
import { startGitHubSim, type GitHubSim } from '../../../src/sim/github/server.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/github/openapi-routes.json', import.meta.url), 'utf8')) as {
  source: string; routes: Record<string, { status: number; schema: unknown }>; components: { schemas: Record<string, unknown> };
};
// OpenAPI 3.0 → JSON Schema (nullable as a null alternative), refs pointing into the "gh" schema.
const ajv = contractAjv();
ajv.addSchema({ $id: 'gh', components: refsInto(openApiToJsonSchema(fixture.components), 'gh') }, 'gh');

const TOKEN = 'ghp_simulatedOrgOwnerToken000000000000';
let sim: GitHubSim;
let jwt = '';
let installationToken = '';

function signJwt(privateKeyPem: string, appId: number): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iat: now - 30, exp: now + 500, iss: appId })}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(privateKeyPem).toString('base64url')}`;
}

beforeAll(async () => {
  const estate = generateEstate({ repos: 5, seed: 2 });
  const org = estate.orgs[0]!;
  org.repos[0]!.environments = [{ id: 1, name: 'production', created_at: '2024-01-01T00:00:00Z', secrets: [{ name: 'E', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }] }];
  org.repos[0]!.secrets = [{ name: 'R', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }];
  org.repos[0]!.deployKeys = [{ id: 11, title: 'k', key: 'ssh-ed25519 AAAA', read_only: true, created_at: '2024-01-01T00:00:00Z', added_by: 'acme-dev1', last_used: null }];
  org.repos[0]!.collaborators = { 'acme-dev3': 'write' };
  org.teams[0]!.repos[org.repos[0]!.name] = 'write';
  org.installations[0]!.suspended_at = '2025-01-01T00:00:00Z';
  org.installations[0]!.suspended_by = 'acme-dev1';
  org.alerts = [{ number: 1, secret_type: 'github_personal_access_token', secret_type_display_name: 'GitHub Personal Access Token', secret: 'ghp_x',
    repo: org.repos[1]!.name, created_at: '2025-01-01T00:00:00Z', state: 'open', validity: 'active' }];
  org.oidcSubTemplate = ['repository_owner', 'context'];
  org.workflowPermissions = { default_workflow_permissions: 'write', can_approve_pull_request_reviews: true };
  org.repos[0]!.oidcSub = { use_default: false, include_claim_keys: ['repo', 'context'] };
  org.repos[1]!.workflowPermissions = { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false };
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  estate.app = { id: 77, slug: 'nhi-recon', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installations: [{ id: 5, org: 'acme' }] };
  sim = await startGitHubSim({ estate });
  jwt = signJwt(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), 77);
});
afterAll(async () => { await sim?.close(); });

type Auth = 'token' | 'jwt' | 'installation';
interface Call { route: string; path: string; method?: string; body?: unknown; auth?: Auth; accept?: string }

async function call(c: Call): Promise<{ status: number; body: unknown }> {
  const auth = c.auth === 'jwt' ? jwt : c.auth === 'installation' ? installationToken : TOKEN;
  const res = await fetch(`${sim.apiUrl}${c.path}`, { method: c.method ?? c.route.split(' ')[0], headers: { authorization: `Bearer ${auth}`,
    accept: c.accept ?? 'application/vnd.github+json', ...(c.body ? { 'content-type': 'application/json' } : {}) }, body: c.body ? JSON.stringify(c.body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// Concrete requests, in an order where reads come before the mutations that remove what they read.
const CALLS: Call[] = [
  { route: 'POST /app/installations/{installation_id}/access_tokens', path: '/app/installations/5/access_tokens', auth: 'jwt' },
  { route: 'GET /app', path: '/app', auth: 'jwt' },
  { route: 'GET /app/installations', path: '/app/installations', auth: 'jwt' },
  { route: 'GET /app/installations/{installation_id}', path: '/app/installations/5', auth: 'jwt' },
  { route: 'GET /apps/{app_slug}', path: '/apps/nhi-recon' },
  { route: 'GET /orgs/{org}', path: '/orgs/acme' },
  { route: 'GET /orgs/{org}/members', path: '/orgs/acme/members?per_page=3&page=2' },
  { route: 'GET /orgs/{org}/organization-roles', path: '/orgs/acme/organization-roles' },
  { route: 'GET /orgs/{org}/organization-roles/{role_id}/users', path: '/orgs/acme/organization-roles/8132/users' },
  { route: 'GET /orgs/{org}/organization-roles/{role_id}/teams', path: '/orgs/acme/organization-roles/8132/teams' },
  { route: 'GET /orgs/{org}/invitations', path: '/orgs/acme/invitations' },
  { route: 'GET /orgs/{org}/outside_collaborators', path: '/orgs/acme/outside_collaborators' },
  { route: 'GET /orgs/{org}/repos', path: '/orgs/acme/repos?type=all' },
  { route: 'GET /orgs/{org}/teams', path: '/orgs/acme/teams' },
  { route: 'GET /orgs/{org}/teams/{team_slug}/members', path: '/orgs/acme/teams/team-1/members' },
  { route: 'GET /orgs/{org}/teams/{team_slug}/repos', path: '/orgs/acme/teams/team-1/repos' },
  { route: 'GET /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', path: '/orgs/acme/teams/team-1/repos/acme/repo-0001', accept: 'application/vnd.github.v3.repository+json' },
  { route: 'GET /repos/{owner}/{repo}/collaborators', path: '/repos/acme/repo-0001/collaborators?affiliation=direct' },
  { route: 'GET /repos/{owner}/{repo}/collaborators/{username}', path: '/repos/acme/repo-0001/collaborators/acme-dev3' },
  { route: 'GET /repos/{owner}/{repo}/keys', path: '/repos/acme/repo-0001/keys' },
  { route: 'GET /repos/{owner}/{repo}/keys/{key_id}', path: '/repos/acme/repo-0001/keys/11' },
  { route: 'GET /repos/{owner}/{repo}/actions/secrets', path: '/repos/acme/repo-0001/actions/secrets' },
  { route: 'GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', path: '/repos/acme/repo-0001/actions/secrets/R' },
  { route: 'GET /repos/{owner}/{repo}/environments', path: '/repos/acme/repo-0001/environments' },
  { route: 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', path: '/repos/acme/repo-0001/environments/production/secrets' },
  { route: 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', path: '/repos/acme/repo-0001/environments/production/secrets/E' },
  { route: 'GET /orgs/{org}/actions/secrets', path: '/orgs/acme/actions/secrets' },
  { route: 'GET /orgs/{org}/actions/secrets/{secret_name}', path: '/orgs/acme/actions/secrets/DEPLOY_TOKEN' },
  { route: 'GET /orgs/{org}/actions/secrets/{secret_name}/repositories', path: '/orgs/acme/actions/secrets/DEPLOY_TOKEN/repositories' },
  { route: 'GET /orgs/{org}/installations', path: '/orgs/acme/installations' },
  { route: 'GET /orgs/{org}/personal-access-tokens', path: '/orgs/acme/personal-access-tokens', auth: 'installation' },
  { route: 'GET /orgs/{org}/personal-access-tokens/{pat_id}/repositories', path: '/orgs/acme/personal-access-tokens/{pat}/repositories', auth: 'installation' },
  { route: 'GET /orgs/{org}/credential-authorizations', path: '/orgs/acme/credential-authorizations' },
  { route: 'GET /orgs/{org}/secret-scanning/alerts', path: '/orgs/acme/secret-scanning/alerts?state=open' },
  { route: 'GET /orgs/{org}/actions/permissions/workflow', path: '/orgs/acme/actions/permissions/workflow' },
  { route: 'GET /repos/{owner}/{repo}/actions/permissions/workflow', path: '/repos/acme/repo-0002/actions/permissions/workflow' },
  { route: 'GET /orgs/{org}/actions/oidc/customization/sub', path: '/orgs/acme/actions/oidc/customization/sub' },
  { route: 'GET /repos/{owner}/{repo}/actions/oidc/customization/sub', path: '/repos/acme/repo-0001/actions/oidc/customization/sub' },
  { route: 'POST /repos/{owner}/{repo}/keys', path: '/repos/acme/repo-0001/keys', body: { title: 'x', key: 'ssh-ed25519 AAAB', read_only: true } },
  { route: 'PUT /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', path: '/orgs/acme/teams/team-1/repos/acme/repo-0002', body: { permission: 'pull' } },
  { route: 'DELETE /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', path: '/orgs/acme/teams/team-1/repos/acme/repo-0002' },
  { route: 'PUT /repos/{owner}/{repo}/collaborators/{username}', path: '/repos/acme/repo-0002/collaborators/acme-dev4', body: { permission: 'push' } },
  { route: 'DELETE /repos/{owner}/{repo}/collaborators/{username}', path: '/repos/acme/repo-0002/collaborators/acme-dev4' },
  { route: 'DELETE /repos/{owner}/{repo}/keys/{key_id}', path: '/repos/acme/repo-0001/keys/11' },
  { route: 'DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}', path: '/repos/acme/repo-0001/actions/secrets/R' },
  { route: 'DELETE /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', path: '/repos/acme/repo-0001/environments/production/secrets/E' },
  { route: 'DELETE /orgs/{org}/actions/secrets/{secret_name}', path: '/orgs/acme/actions/secrets/NPM_TOKEN' },
  { route: 'POST /orgs/{org}/personal-access-tokens/{pat_id}', path: '/orgs/acme/personal-access-tokens/{pat}', body: { action: 'revoke' }, auth: 'installation' },
  { route: 'DELETE /orgs/{org}/credential-authorizations/{credential_id}', path: '/orgs/acme/credential-authorizations/{cred}' },
  { route: 'DELETE /orgs/{org}/outside_collaborators/{username}', path: '/orgs/acme/outside_collaborators/contractor1' },
  { route: 'PUT /app/installations/{installation_id}/suspended', path: '/app/installations/5/suspended', auth: 'jwt' },
  { route: 'DELETE /app/installations/{installation_id}/suspended', path: '/app/installations/5/suspended', auth: 'jwt' },
];

describe(`github simulator contract (${fixture.source})`, () => {
  it('has a concrete request for every served route', () => {
    expect(CALLS.map((c) => c.route).sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('answers every route with its documented status and a body valid against the schema', async () => {
    const org = sim.estate.orgs[0]!;
    const failures: string[] = [];
    for (const c of CALLS) {
      const path = c.path.replace('{pat}', String(org.pats[1]!.id)).replace('{cred}', String(org.credentialAuthorizations![0]!.credential_id));
      const spec = fixture.routes[c.route]!;
      const { status, body } = await call({ ...c, path });
      if (c.route.startsWith('POST /app/installations')) installationToken = (body as { token: string }).token;
      if (status !== spec.status) { failures.push(`${c.route}: status ${status}, expected ${spec.status}: ${JSON.stringify(body)}`); continue; }
      if (spec.schema === null) { if (body !== null) failures.push(`${c.route}: expected no body`); continue; }
      const validate = ajv.compile(refsInto(openApiToJsonSchema(spec.schema), 'gh'));
      if (!validate(body)) failures.push(`${c.route}: ${ajv.errorsText(validate.errors?.slice(0, 3))}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers errors in the basic-error shape, with rate-limit headers, and pages with a Link header', async () => {
    const validate = ajv.getSchema('gh#/components/schemas/basic-error')!;
    const res = await fetch(`${sim.apiUrl}/repos/acme/nope/keys`, { headers: { authorization: `token ${TOKEN}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    expect(validate(await res.json())).toBe(true);
    const unauth = await fetch(`${sim.apiUrl}/orgs/acme`, { headers: { authorization: 'token wrong' } });
    expect(unauth.status).toBe(401);
    expect(validate(await unauth.json())).toBe(true);
    const page = await fetch(`${sim.apiUrl}/orgs/acme/members?per_page=2`, { headers: { authorization: `token ${TOKEN}` } });
    expect(page.headers.get('link')).toMatch(/<http:\/\/127\.0\.0\.1:\d+\/orgs\/acme\/members\?per_page=2&page=2>; rel="next", <[^>]+page=\d+>; rel="last"/);
    const etag = page.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    const again = await fetch(`${sim.apiUrl}/orgs/acme/members?per_page=2`, { headers: { authorization: `token ${TOKEN}`, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('x-ratelimit-remaining')).toBe(page.headers.get('x-ratelimit-remaining'));
  });

  it('Actions settings: a repository is never more permissive than its organisation; an organisation without a template answers 404', async () => {
    const get = async (path: string) => { const r = await fetch(`${sim.apiUrl}${path}`, { headers: { authorization: `token ${TOKEN}` } }); return { status: r.status, body: await r.json() as Record<string, unknown> }; };
    expect((await get('/repos/acme/repo-0002/actions/permissions/workflow')).body).toEqual({ default_workflow_permissions: 'read', can_approve_pull_request_reviews: false });
    expect((await get('/repos/acme/repo-0003/actions/permissions/workflow')).body).toEqual({ default_workflow_permissions: 'write', can_approve_pull_request_reviews: true });
    expect((await get('/repos/acme/repo-0003/actions/oidc/customization/sub')).body).toEqual({ use_default: true });
    const org = sim.estate.orgs[0]!;
    const [template, perms] = [org.oidcSubTemplate, org.workflowPermissions];
    org.oidcSubTemplate = null;
    org.workflowPermissions = { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false };
    try {
      const none = await get('/orgs/acme/actions/oidc/customization/sub');
      expect(none.status).toBe(404);
      expect(ajv.getSchema('gh#/components/schemas/basic-error')!(none.body)).toBe(true);
      // The repository asked for write, but its organisation's read default disables that choice.
      org.repos[2]!.workflowPermissions = { default_workflow_permissions: 'write', can_approve_pull_request_reviews: true };
      expect((await get('/repos/acme/repo-0003/actions/permissions/workflow')).body).toEqual({ default_workflow_permissions: 'read', can_approve_pull_request_reviews: false });
    } finally {
      org.oidcSubTemplate = template;
      org.workflowPermissions = perms;
      delete org.repos[2]!.workflowPermissions;
    }
  });
});
