// The GitHub part of `nhi-recon demo`: a small organisation on the simulator (App auth, so fine-grained PATs are
// collected too) and authority records built so that collection + reconciliation show every finding kind below.
import { generateKeyPairSync } from 'node:crypto';
import type { DemoParts } from '../demo-types.js';
import { iso, type SimEstate, type SimOrg, type SimRepo } from './estate.js';
import { startGitHubSim } from './server.js';

const DAY = 86_400_000;

export function demoEstate(now = Date.now()): SimEstate {
  const ago = (d: number) => iso(now - d * DAY);
  const ahead = (d: number) => iso(now + d * DAY);
  let id = 5000;
  const users: SimEstate['users'] = {};
  for (const [login, type] of [['alice', 'User'], ['bob', 'User'], ['carol', 'User'], ['dave', 'User'], ['ci-bot', 'User'], ['ext-vendor', 'User']] as const) {
    users[login] = { login, id: ++id, type };
  }
  const key = (n: number) => `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, n)]).toString('base64')}`;
  const secret = (name: string, created: number, updated: number) => ({ name, created_at: ago(created), updated_at: ago(updated) });
  const repo = (name: string, priv = true): SimRepo => ({ id: ++id, name, private: priv, archived: false, created_at: ago(900), pushed_at: ago(2),
    collaborators: {} as Record<string, 'read' | 'write' | 'admin' | 'triage' | 'maintain'>, invited: {}, deployKeys: [] as SimOrg['repos'][number]['deployKeys'],
    secrets: [] as SimOrg['repos'][number]['secrets'], environments: [] as SimOrg['repos'][number]['environments'] });
  const web = repo('web'), api = repo('api'), infra = repo('infra'), docs = repo('docs-site', false);
  web.collaborators = { bob: 'admin', 'ext-vendor': 'write' };
  api.collaborators = { dave: 'write' };
  // carol (departed) added a deploy key that is still in use.
  web.deployKeys = [{ id: 7001, title: 'web-release', key: key(1), read_only: false, created_at: ago(400), added_by: 'carol', last_used: ago(3) }];
  // api's deploy key was approved until 30 days ago and has been used since.
  api.deployKeys = [{ id: 7002, title: 'api-deploy', key: key(2), read_only: false, created_at: ago(300), added_by: 'dave', last_used: ago(5) }];
  // Nobody recorded who added infra's key: no owner.
  infra.deployKeys = [{ id: 7003, title: 'legacy-infra', key: key(3), read_only: true, created_at: ago(1200), added_by: null, last_used: ago(20) }];
  // Unused for 200 days: stale.
  docs.deployKeys = [{ id: 7004, title: 'docs-publish', key: key(4), read_only: false, created_at: ago(500), added_by: 'alice', last_used: ago(200) }];
  api.secrets = [secret('DEPLOY_TOKEN', 400, 30)];
  // A long-lived AWS key (the AWS demo's svc-ci) copied into CI, where GitHub's OIDC token could be trusted instead.
  web.secrets = [secret('AWS_ACCESS_KEY_ID', 60, 60), secret('AWS_SECRET_ACCESS_KEY', 60, 60)];
  web.environments = [{ id: ++id, name: 'production', created_at: ago(500), secrets: [secret('PROD_DB_URL', 500, 45)] }];
  // The organisation gives every workflow's GITHUB_TOKEN write by default; docs-site overrides it to read (the near miss).
  docs.workflowPermissions = { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false };
  // infra's OIDC subject template has no repository claim: its tokens say repository_owner:acme:ref:refs/heads/main,
  // which every acme repository's main branch presents too (the AWS demo's infra-deploy role trusts exactly that).
  infra.oidcSub = { use_default: false, include_claim_keys: ['repository_owner', 'context'] };
  const leakedLast8 = 'f00dcafe';
  const org: SimOrg = {
    login: 'acme', id: ++id, created_at: ago(2000), default_repository_permission: 'read',
    members: [{ login: 'alice', role: 'admin' }, { login: 'bob', role: 'member' }, { login: 'carol', role: 'member' }, { login: 'dave', role: 'member' }, { login: 'ci-bot', role: 'member' }],
    outside: ['ext-vendor'],
    invitations: [],
    teams: [{ id: ++id, slug: 'platform', name: 'Platform', members: [{ login: 'alice', role: 'maintainer' }, { login: 'dave', role: 'member' }], repos: { infra: 'write' } }],
    repos: [web, api, infra, docs],
    secrets: [{ ...secret('NPM_TOKEN', 700, 100), visibility: 'private', selected: [] }],
    installations: [{ id: 8101, app_id: 301, app_slug: 'release-bot', repository_selection: 'all', permissions: { contents: 'write', metadata: 'read', pull_requests: 'write' },
      events: ['push'], created_at: ago(600), updated_at: ago(30), suspended_at: null, suspended_by: null },
      // Third-party Apps (their owners are not acme): ci-insights is approved for reading code only, yet holds
      // pull_requests: write on every repository; label-sync's register entry has expired.
      { id: 8102, app_id: 302, app_slug: 'ci-insights', repository_selection: 'all', permissions: { contents: 'read', metadata: 'read', pull_requests: 'write' },
        events: ['pull_request'], created_at: ago(200), updated_at: ago(10), suspended_at: null, suspended_by: null },
      { id: 8103, app_id: 303, app_slug: 'label-sync', repository_selection: 'selected', permissions: { issues: 'write', metadata: 'read' },
        events: ['issues'], created_at: ago(400), updated_at: ago(100), suspended_at: null, suspended_by: null }],
    roles: [{ id: 8132, name: 'security_manager', description: 'Security manager', base_role: null, permissions: ['read_organization_custom_org_role'], users: [], teams: [], source: 'Predefined' }],
    pats: [
      { id: 9101, owner: 'carol', token_id: 9901, token_name: 'carol-automation', repository_selection: 'subset', repos: ['web'], permissions: { repository: { contents: 'write', metadata: 'read' } },
        access_granted_at: ago(200), token_expired: false, token_expires_at: ahead(100), token_last_used_at: ago(4) },
      { id: 9102, owner: 'bob', token_id: 9902, token_name: 'bob-scripts', repository_selection: 'subset', repos: ['api'], permissions: { repository: { contents: 'read', metadata: 'read' } },
        access_granted_at: ago(100), token_expired: false, token_expires_at: null, token_last_used_at: ago(1) },
    ],
    credentialAuthorizations: [
      { credential_id: 6101, login: 'bob', credential_type: 'personal access token', token_last_eight: leakedLast8, scopes: ['repo'], credential_authorized_at: ago(150),
        credential_accessed_at: ago(2), authorized_credential_id: 6201, authorized_credential_title: 'bob laptop', authorized_credential_note: null, authorized_credential_expires_at: null },
    ],
    workflowPermissions: { default_workflow_permissions: 'write', can_approve_pull_request_reviews: false },
    alerts: [{ number: 1, secret_type: 'github_personal_access_token', secret_type_display_name: 'GitHub Personal Access Token',
      secret: `ghp_demoLeakedTokenNotReal0000${leakedLast8}`, repo: 'web', created_at: ago(6), state: 'open', validity: 'active' }],
  };
  const apps: SimEstate['apps'] = {
    'release-bot': { id: 301, owner: 'acme', owner_type: 'Organization', name: 'Release Bot' },
    'ci-insights': { id: 302, owner: 'insights-vendor', owner_type: 'Organization', name: 'CI Insights' },
    'label-sync': { id: 303, owner: 'label-dev', owner_type: 'User', name: 'Label Sync' },
  };
  return { users, orgs: [org], tokens: [], apps };
}

export async function startDemo(opts: { latencyMs?: number } = {}): Promise<DemoParts> {
  const now = Date.now();
  const estate = demoEstate(now);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  estate.app = { id: 4242, slug: 'nhi-recon', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installations: [{ id: 9000, org: 'acme' }] };
  const sim = await startGitHubSim({ estate, latencyMs: opts.latencyMs });
  const day = (d: number) => new Date(now + d * DAY).toISOString().slice(0, 10);
  const g = (id: string, identity: string, resource: string, extra: Record<string, unknown> = {}) => ({
    id, provider: 'github', tenant: 'acme', identity, resource, permission: '*', max_level: 'write', owner: 'alice', approver: 'security-team',
    ticket: `SEC-${id.replace(/\D/g, '') || '1'}`, granted_at: day(-365), expires_at: null, justification: 'demo', ...extra });
  return {
    sources: [{ name: 'github', type: 'github', tenants: ['acme'], concurrency: 8,
      options: { base_url: sim.apiUrl, app: { app_id: 4242, private_key_env: 'NHI_DEMO_GITHUB_APP_KEY' }, machine_users: ['*-bot'], match_leaked_tokens: true } }],
    env: { NHI_DEMO_GITHUB_APP_KEY: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() },
    authority: {
      grants: [
        g('gh-1', '*', 'github:acme', { permission: 'member', max_level: 'read', justification: 'organisation membership' }),
        g('gh-2', 'github:acme/user/alice', 'github:acme', { permission: 'owner', max_level: 'owner', justification: 'organisation owner (no expiry: standing privilege)' }),
        g('gh-3', 'bob', 'github:acme/web', { max_level: 'write', justification: 'bob maintains web (write, not admin)' }),
        g('gh-4', 'dave', 'github:acme/api', { expires_at: day(-10), justification: 'temporary write on api, expired' }),
        g('gh-5', 'github:acme/api/deploy_key/*', 'github:acme/api', { expires_at: day(-30), justification: 'release key, approved until last month' }),
        g('gh-6', 'github:acme/web/deploy_key/*', 'github:acme/web'),
        g('gh-7', 'github:acme/infra/deploy_key/*', 'github:acme/infra', { max_level: 'read' }),
        g('gh-8', 'github:acme/docs-site/deploy_key/*', 'github:acme/docs-site'),
        g('gh-9', 'github:acme/*secret/*', 'github:acme/*', { permission: 'actions_secret', max_level: 'read', justification: 'CI secrets' }),
        g('gh-10', 'github:acme/team/platform', 'github:acme/infra'),
        g('gh-11', '*', 'github:acme/infra', { justification: 'platform team members' }),
        g('gh-12', 'github:acme/app_installation/*', 'github:acme', { justification: 'release bot' }),
        g('gh-13', 'github:acme/fine_grained_pat/*', 'github:acme/*', { justification: 'automation tokens' }),
        g('gh-14', 'eve', 'github:acme/docs-site', { expires_at: day(60), justification: 'approved, never provisioned' }),
      ],
      owners: [
        { provider: 'github', tenant: 'acme', identity: 'github:acme/user/ci-bot', owner: 'alice' },
      ],
      people: [
        { id: 'alice', name: 'Alice Admin', email: 'alice@acme.example', status: 'active', team: 'platform', logins: { github: ['alice'] } },
        { id: 'bob', name: 'Bob Builder', email: 'bob@acme.example', status: 'active', team: 'web', logins: { github: ['bob'] } },
        { id: 'carol', name: 'Carol Former', email: 'carol@acme.example', status: 'departed', departed_at: day(-60), team: 'web', logins: { github: ['carol'] } },
        { id: 'dave', name: 'Dave Dev', email: 'dave@acme.example', status: 'active', team: 'platform', logins: { github: ['dave'] } },
      ],
    },
    // The integration register: ci-insights may read code (not write pull requests); label-sync's approval lapsed.
    integrations: [
      { id: 'gh-app-1', provider: 'github', tenant: 'acme', app_id: 'ci-insights', name: 'CI Insights', approved_scopes: ['contents:read', 'metadata:read'],
        max_level: 'read', owner: 'alice', approver: 'security-team', ticket: 'VRM-3', expires_at: day(180), justification: 'build analytics' },
      { id: 'gh-app-2', provider: 'github', tenant: 'acme', app_id: 'label-sync', name: 'Label Sync', approved_scopes: ['issues:*', 'metadata:read'],
        owner: 'bob', approver: 'security-team', ticket: 'VRM-4', expires_at: day(-15), justification: 'issue labelling (approval lapsed)' },
    ],
    expect: [
      'ungranted-access', // ext-vendor's write on web (no grant)
      'orphaned-identity', // legacy-infra deploy key (no added_by) and the release-bot App (no owner)
      'departed-person-access', // carol: member, her deploy key and fine-grained PAT still active
      'stale-credential', // docs-publish deploy key unused for 200 days
      'non-expiring-credential', // bob's fine-grained PAT and SAML-authorized PAT without expiry
      'leaked-credential', // bob's authorized PAT matches an open secret-scanning alert
      'over-privileged', // bob is admin on web; the grant allows write
      'standing-privilege', // alice's owner role, granted without expiry
      'expired-grant', // dave's write on api, and api's deploy key
      'used-after-expiry', // api-deploy key used 5 days ago, its grant expired 30 days ago
      'unfulfilled-grant', // eve's approved access to docs-site does not exist
      'unapproved-integration', // label-sync: its register entry expired 15 days ago
      'integration-scope-unapproved', // ci-insights holds pull_requests:write, approved for read only
      'third-party-tenant-wide-access', // ci-insights reaches every repository
      'static-credential-replaceable', // web's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: a static cloud key where OIDC would do
      'default-workflow-token-write', // the organisation's workflows get a write GITHUB_TOKEN by default (docs-site overrides to read)
    ],
    close: () => sim.close(),
  };
}
