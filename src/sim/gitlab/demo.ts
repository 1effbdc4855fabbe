// The GitLab part of `nhi-recon demo`: a self-managed instance with a top-level group `acme` (a subgroup, two
// projects), collected with an administrator's read_api token, and authority records that make the findings below.
import type { DemoParts } from '../demo-types.js';
import { dateOnly, iso, sshKey, type GitLabEstate, type SimMember } from './estate.js';
import { startGitLabSim } from './server.js';

const DAY = 86_400_000;
const TOKEN = 'glpat-nhiDemoAdminReadToken000000';

export function demoEstate(now = Date.now()): GitLabEstate {
  const ago = (d: number) => iso(now - d * DAY);
  const member = (user_id: number, access_level: SimMember['access_level'], since = 400): SimMember => ({ user_id, access_level, created_at: ago(since), expires_at: null });
  const users: GitLabEstate['users'] = [
    { id: 1, username: 'root', name: 'Administrator', state: 'active', is_admin: true },
    { id: 11, username: 'alice', name: 'Alice Admin', state: 'active' },
    { id: 12, username: 'bob', name: 'Bob Builder', state: 'active' },
    { id: 13, username: 'carol', name: 'Carol Former', state: 'active' },
    { id: 14, username: 'dave', name: 'Dave Dev', state: 'active' },
    // GitLab made this bot user for web's project access token.
    { id: 21, username: 'project_3001_bot_5f2a9c', name: 'release-bot', state: 'active', bot: true },
  ];
  const created = now - 120 * DAY;
  return {
    users, dotcom: false, nextId: 90_000,
    groups: [
      { id: 2001, path: 'acme', name: 'Acme', parent_id: null, created_at: ago(2000), members: [member(11, 50), member(12, 30), member(13, 40)],
        accessTokens: [], deployTokens: [], variables: [] },
      { id: 2002, path: 'platform', name: 'Platform', parent_id: 2001, created_at: ago(1500), members: [member(14, 30)], accessTokens: [], deployTokens: [], variables: [] },
    ],
    projects: [
      { id: 3001, path: 'web', name: 'Web', namespace_id: 2001, created_at: ago(900), members: [member(21, 40, 120)],
        // A project access token made 120 days ago and never used. GitLab caps a token's lifetime at 365 days (since 16.0 a
        // token without an expiry date gets one), so it has an expiry even though nobody chose one.
        accessTokens: [{ id: 4001, name: 'release-bot', description: 'release automation', user_id: 21, scopes: ['api', 'write_repository'], created_at: iso(created),
          last_used_at: null, expires_at: dateOnly(created + 365 * DAY), active: true, revoked: false, access_level: 40 }],
        deployTokens: [],
        deployKeys: [{ id: 5001, title: 'web-deploy', key: sshKey(31), created_at: ago(300), expires_at: null, can_push: true }],
        // Long-lived AWS keys stored as CI/CD variables (metadata only is collected): replaceable by OIDC federation.
        variables: [
          { key: 'AWS_ACCESS_KEY_ID', value: 'AKIANHIDEMO0EXAMPLE1', variable_type: 'env_var', protected: true, masked: false, hidden: false, raw: false, environment_scope: 'production', description: null },
          { key: 'AWS_SECRET_ACCESS_KEY', value: 'nhi-demo-not-a-real-secret-value-000000', variable_type: 'env_var', protected: true, masked: true, hidden: true, raw: false, environment_scope: 'production', description: null },
        ] },
      { id: 3002, path: 'infra', name: 'Infra', namespace_id: 2002, created_at: ago(800), members: [], accessTokens: [],
        // An old deploy token that never expires (GitLab records neither its creation nor its use).
        deployTokens: [{ id: 6001, name: 'legacy-registry-pull', username: 'gitlab+deploy-token-6001', expires_at: null, revoked: false, expired: false, scopes: ['read_repository', 'read_registry'] }],
        deployKeys: [], variables: [] },
    ],
    pats: [
      // carol left 60 days ago; her PAT is still active and was used three days ago.
      { id: 7001, name: 'carol-laptop', description: null, user_id: 13, scopes: ['api'], created_at: ago(250), last_used_at: ago(3), expires_at: dateOnly(now + 100 * DAY), active: true, revoked: false },
      { id: 7002, name: 'bob-ci', description: null, user_id: 12, scopes: ['read_api'], created_at: ago(30), last_used_at: ago(1), expires_at: dateOnly(now + 300 * DAY), active: true, revoked: false },
    ],
    tokens: [{ value: TOKEN, user_id: 1, scopes: ['read_api'] }],
  };
}

export async function startDemo(opts: { latencyMs?: number } = {}): Promise<DemoParts> {
  const now = Date.now();
  const sim = await startGitLabSim({ estate: demoEstate(now), latencyMs: opts.latencyMs });
  const day = (d: number) => new Date(now + d * DAY).toISOString().slice(0, 10);
  const g = (id: string, identity: string, resource: string, extra: Record<string, unknown> = {}) => ({
    id, provider: 'gitlab', tenant: 'acme', identity, resource, permission: '*', max_level: 'write', owner: 'alice', approver: 'security-team',
    ticket: `SEC-${id.replace(/\D/g, '') || '1'}`, granted_at: day(-365), expires_at: null, justification: 'demo', ...extra });
  return {
    sources: [{ name: 'gitlab', type: 'gitlab', tenants: ['acme'], concurrency: 8, options: { base_url: sim.url, token_env: 'NHI_DEMO_GITLAB_TOKEN' } }],
    env: { NHI_DEMO_GITLAB_TOKEN: TOKEN },
    authority: {
      grants: [
        g('gl-1', 'gitlab:acme/-/user/alice', 'gitlab:acme', { max_level: 'owner', justification: 'group owner (no expiry: standing privilege)' }),
        g('gl-2', 'bob', 'gitlab:acme', { justification: 'developer' }),
        g('gl-3', 'dave', 'gitlab:acme/platform', { expires_at: day(-15), justification: 'temporary developer on platform, expired' }),
        g('gl-4', 'gitlab:acme/web/-/*', 'gitlab:acme/web', { max_level: 'admin', justification: 'release automation and CI variables' }),
        g('gl-5', 'gitlab:acme/-/user/project_3001_bot_*', 'gitlab:acme/web', { max_level: 'admin', justification: 'release-bot token' }),
      ],
      owners: [{ provider: 'gitlab', tenant: 'acme', identity: 'gitlab:acme/-/user/project_3001_bot_5f2a9c', owner: 'alice' }],
      people: [
        { id: 'alice', name: 'Alice Admin', email: 'alice@acme.example', status: 'active', team: 'platform', logins: { gitlab: ['alice'] } },
        { id: 'bob', name: 'Bob Builder', email: 'bob@acme.example', status: 'active', team: 'web', logins: { gitlab: ['bob'] } },
        { id: 'carol', name: 'Carol Former', email: 'carol@acme.example', status: 'departed', departed_at: day(-60), team: 'web', logins: { gitlab: ['carol'] } },
        { id: 'dave', name: 'Dave Dev', email: 'dave@acme.example', status: 'active', team: 'platform', logins: { gitlab: ['dave'] } },
      ],
    },
    expect: [
      'departed-person-access', // carol: Maintainer of acme, and her PAT is active and used
      'ungranted-access', // carol's membership and the infra deploy token have no grant
      'non-expiring-credential', // the legacy deploy token has no expiry
      'stale-credential', // the release-bot token: never used in 120 days
      'expired-grant', // dave's developer access on platform, approved until 15 days ago
      'standing-privilege', // alice's owner role, granted without expiry
      'orphaned-identity', // the deploy token and deploy key have no owner
    ],
    close: () => sim.close(),
  };
}
