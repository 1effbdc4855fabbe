// The GCP part of `nhi-recon demo`: the seeded estate (three projects under folder 200) behind the simulator, a source
// that discovers it from the folder, and authoritative records written so that each expected finding has one cause.
import { randomBytes } from 'node:crypto';
import type { DemoParts } from '../demo-types.js';
import { policy, saEmail } from './estate.js';
import { DEMO_DOMAIN, seedEstate } from './seed.js';
import { startGcpSim } from './server.js';

const TOKEN_ENV = 'NHI_DEMO_GCP_TOKEN';
const wifPool = (pool: string, select = '*') => `principalSet://iam.googleapis.com/projects/1001/locations/global/workloadIdentityPools/${pool}/${select}`;
const GH_CI = wifPool('gh-ci', 'attribute.repository/acme/web');

export async function startDemo(): Promise<DemoParts> {
  const now = new Date();
  const day = (n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();
  const token = `demo-${randomBytes(12).toString('hex')}`;
  const estate = seedEstate(now);
  // An impersonation chain of depth 2: the ops group may mint tokens of ops-runner, which may mint tokens of ops-admin,
  // an owner of acme-ops. Nothing names the group's reach to the owner account: ungranted, and reported as a chain.
  const ops = estate.projects.find((p) => p.projectId === 'acme-ops')!;
  const opsSa = (id: string) => `serviceAccount:${saEmail('acme-ops', id)}`;
  ops.policy.bindings.push({ role: 'roles/owner', members: [opsSa('ops-admin')] });
  ops.serviceAccounts.push(
    { accountId: 'ops-admin', uniqueId: '130000000000000000009', keys: [], policy: policy([{ role: 'roles/iam.serviceAccountTokenCreator', members: [opsSa('ops-runner')] }]) },
    { accountId: 'ops-runner', uniqueId: '130000000000000000008', keys: [], policy: policy([{ role: 'roles/iam.serviceAccountTokenCreator', members: [`group:ops@${DEMO_DOMAIN}`] }]) },
  );
  // Workload identity federation from GitHub Actions: gh-admin (an owner of acme-web) trusts every identity of a pool
  // whose GitHub provider has no attribute condition, so any workflow of any GitHub repository can become it;
  // gh-deploy trusts one repository of a pool whose provider also pins repository and branch (no finding).
  const web = estate.projects.find((p) => p.projectId === 'acme-web')!;
  const webSa = (id: string) => `serviceAccount:${saEmail('acme-web', id)}`;
  const ghProvider = (attributeCondition?: string) => ({ id: 'github', oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
    attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' }, ...(attributeCondition ? { attributeCondition } : {}) });
  web.workloadIdentityPools = [
    { id: 'gh-legacy', displayName: 'GitHub (2021)', providers: [ghProvider()] },
    { id: 'gh-ci', displayName: 'GitHub CI', providers: [ghProvider("assertion.repository == 'acme/web' && assertion.ref == 'refs/heads/main'")] },
  ];
  web.policy.bindings.push({ role: 'roles/owner', members: [webSa('gh-admin')] }, { role: 'roles/run.developer', members: [webSa('gh-deploy')] });
  web.serviceAccounts.push(
    { accountId: 'gh-admin', uniqueId: '110000000000000000010', keys: [], policy: policy([{ role: 'roles/iam.workloadIdentityUser', members: [wifPool('gh-legacy')] }]) },
    { accountId: 'gh-deploy', uniqueId: '110000000000000000011', keys: [], policy: policy([{ role: 'roles/iam.workloadIdentityUser', members: [GH_CI] }]) },
  );
  const sim = await startGcpSim(estate, { token, latencyMs: 5 });
  const sa = (p: string, id: string) => `projects/${p}/serviceAccounts/${saEmail(p, id)}`;
  const project = (p: string) => `//cloudresourcemanager.googleapis.com/projects/${p}`;
  const grant = (g: Record<string, unknown>) => ({
    provider: 'gcp', permission: '*', owner: 'alice', approver: 'security-lead', granted_at: day(-365), expires_at: day(180), justification: 'demo', ...g,
  });
  return {
    sources: [{ name: 'gcp-demo', type: 'gcp', retries: 3, timeout_seconds: 10,
      options: { folder: '200', api_endpoint: sim.url, access_token_env: TOKEN_ENV } }],
    env: { [TOKEN_ENV]: token },
    authority: {
      grants: [
        grant({ id: 'GCP-1', tenant: 'acme-web', identity: 'user:alice@acme.example', resource: project('acme-web'), permission: 'roles/viewer', max_level: 'read', ticket: 'SEC-101' }),
        // The deployer was approved to read, not to edit: roles/editor is over-privileged.
        grant({ id: 'GCP-2', tenant: 'acme-web', identity: sa('acme-web', 'deployer'), resource: project('acme-web'), max_level: 'read', ticket: 'SEC-102' }),
        grant({ id: 'GCP-3', tenant: 'acme-web', identity: sa('acme-web', 'deployer'), resource: 'projects/1001/secrets/*', permission: 'roles/secretmanager.secretAccessor', max_level: 'read', ticket: 'SEC-103' }),
        // Bob's approval lapsed yesterday, but his conditional binding runs for another month.
        grant({ id: 'GCP-4', tenant: 'acme-web', identity: 'user:bob@acme.example', resource: project('acme-web'), permission: 'roles/run.developer', max_level: 'write', granted_at: day(-30), expires_at: day(-1), ticket: 'SEC-104' }),
        grant({ id: 'GCP-5', tenant: 'acme-web', identity: sa('acme-web', 'ci-old'), resource: project('acme-web'), permission: 'roles/logging.logWriter', max_level: 'write', ticket: 'SEC-105' }),
        grant({ id: 'GCP-6', tenant: 'acme-web', identity: 'group:sre@acme.example', resource: 'projects/1001/secrets/*', permission: 'roles/secretmanager.viewer', max_level: 'read', ticket: 'SEC-106' }),
        grant({ id: 'GCP-7', tenant: 'acme-data', identity: '*', resource: project('acme-data'), permission: 'roles/compute.viewer', max_level: 'read', ticket: 'SEC-107' }),
        grant({ id: 'GCP-8', tenant: 'acme-data', identity: sa('acme-data', 'etl'), resource: project('acme-data'), permission: 'roles/cloudsql.client', max_level: 'read', ticket: 'SEC-108' }),
        grant({ id: 'GCP-9', tenant: 'acme-data', identity: sa('acme-data', 'analyst-bot'), resource: project('acme-data'), permission: 'projects/acme-data/roles/secretReader', max_level: 'read', ticket: 'SEC-109' }),
        grant({ id: 'GCP-10', tenant: 'acme-data', identity: 'principalSet://iam.googleapis.com/projects/1002/*', resource: project('acme-data'), permission: 'roles/iam.serviceAccountTokenCreator', max_level: 'admin', ticket: 'SEC-110' }),
        grant({ id: 'GCP-11', tenant: 'acme-ops', identity: sa('acme-ops', 'backup'), resource: project('acme-ops'), permission: 'roles/logging.logWriter', max_level: 'write', ticket: 'SEC-111' }),
        // Standing owner access on the folder: approved, but with no end date.
        grant({ id: 'GCP-12', tenant: 'folders/200', identity: 'group:platform-admins@acme.example', resource: '//cloudresourcemanager.googleapis.com/folders/200', permission: 'roles/owner', max_level: 'owner', expires_at: null, ticket: 'SEC-112' }),
        // The federation trusts are approved as trusts; how broadly gh-legacy admits is the finding.
        grant({ id: 'GCP-13', tenant: 'acme-web', identity: wifPool('gh-legacy'), resource: sa('acme-web', 'gh-admin'), permission: 'roles/iam.workloadIdentityUser', max_level: 'admin', ticket: 'SEC-113' }),
        grant({ id: 'GCP-14', tenant: 'acme-web', identity: GH_CI, resource: sa('acme-web', 'gh-deploy'), permission: 'roles/iam.workloadIdentityUser', max_level: 'admin', ticket: 'SEC-114' }),
        grant({ id: 'GCP-15', tenant: 'acme-web', identity: sa('acme-web', 'gh-deploy'), resource: project('acme-web'), permission: 'roles/run.developer', max_level: 'write', ticket: 'SEC-115' }),
        // Nothing approves allUsers on acme-web, erin reading db-password, or frank's leftover viewer role: ungranted.
      ],
      owners: [
        { provider: 'gcp', tenant: 'acme-web', identity: sa('acme-web', 'deployer'), owner: 'alice' },
        { provider: 'gcp', tenant: 'acme-web', identity: sa('acme-web', 'fresh'), owner: 'bob' },
        { provider: 'gcp', tenant: 'acme-web', identity: sa('acme-web', 'gh-admin'), owner: 'alice' },
        { provider: 'gcp', tenant: 'acme-web', identity: sa('acme-web', 'gh-deploy'), owner: 'bob' },
        { provider: 'gcp', tenant: 'acme-web', identity: wifPool('gh-legacy'), owner: 'alice' },
        { provider: 'gcp', tenant: 'acme-web', identity: GH_CI, owner: 'bob' },
        { provider: 'gcp', tenant: 'acme-data', identity: sa('acme-data', 'etl'), owner: 'dave' }, // departed: orphaned
        { provider: 'gcp', tenant: 'acme-data', identity: sa('acme-data', 'analyst-bot'), owner: 'erin' },
        { provider: 'gcp', tenant: 'acme-ops', identity: sa('acme-ops', 'backup'), owner: 'alice' },
        // ci-old has no owner record at all: orphaned.
      ],
      people: [
        { id: 'alice', name: 'Alice Adams', email: `alice@${DEMO_DOMAIN}`, status: 'active', team: 'platform', logins: { gcp: [`alice@${DEMO_DOMAIN}`] } },
        { id: 'bob', name: 'Bob Brown', email: `bob@${DEMO_DOMAIN}`, status: 'active', team: 'web', logins: { gcp: [`bob@${DEMO_DOMAIN}`] } },
        { id: 'erin', name: 'Erin Evans', email: `erin@${DEMO_DOMAIN}`, status: 'active', team: 'data', logins: { gcp: [`erin@${DEMO_DOMAIN}`] } },
        { id: 'dave', name: 'Dave Dodd', email: `dave@${DEMO_DOMAIN}`, status: 'departed', departed_at: day(-45).slice(0, 10), team: 'data', logins: { gcp: [`dave@${DEMO_DOMAIN}`] } },
        { id: 'frank', name: 'Frank Fox', email: `frank@${DEMO_DOMAIN}`, status: 'departed', departed_at: day(-120).slice(0, 10), team: 'ops', logins: { gcp: [`frank@${DEMO_DOMAIN}`] } },
      ],
    },
    expect: [
      'over-privileged', // roles/editor on the deployer service account, approved for read
      'non-expiring-credential', // deployer's key valid until 9999-12-31; db-password has no expire time
      'leaked-credential', // etl's key flagged SERVICE_ACCOUNT_KEY_EXTENDED_STATUS_KEY_EXPOSED and still enabled
      'ungranted-access', // allUsers on acme-web; erin reading db-password; the ops group's depth-2 chain to ops-admin (owner)
      'expired-grant', // bob's grant lapsed; his conditional binding has a month left
      'unrotated-credential', // db-password: one version, 800 days old; deployer's key 400 days old
      'stale-credential', // ci-old's key last authenticated 170 days ago
      'orphaned-identity', // ci-old has no owner; etl's owner dave has departed
      'departed-person-access', // frank (departed) still holds roles/viewer on acme-ops
      'standing-privilege', // platform-admins own folder 200 under a grant with no expiry
      'federation-trust-too-broad', // gh-admin (owner of acme-web) trusts a GitHub pool without attribute condition: any workflow on GitHub
    ],
    close: () => sim.close(),
  };
}
