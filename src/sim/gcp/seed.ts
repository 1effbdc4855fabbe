// A small, fully specified estate: an organisation, folder 200 ("prod") holding acme-web and acme-data and a sub-folder
// 201 holding acme-ops. Each case is there on purpose (see the comments); tests and the demo both use it.
import { NEVER, PREDEFINED_ROLES, policy, saEmail, type Estate } from './estate.js';

const days = (now: Date, n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();

export const DEMO_DOMAIN = 'acme.example';

export function seedEstate(now = new Date()): Estate {
  const d = (n: number) => days(now, n);
  const web = (id: string) => `serviceAccount:${saEmail('acme-web', id)}`;
  const data = (id: string) => `serviceAccount:${saEmail('acme-data', id)}`;
  const ops = (id: string) => `serviceAccount:${saEmail('acme-ops', id)}`;
  return {
    roles: { ...PREDEFINED_ROLES },
    organization: { name: 'organizations/100', displayName: DEMO_DOMAIN, policy: policy([{ role: 'roles/owner', members: [`user:root@${DEMO_DOMAIN}`] }]), denyPolicies: [], customRoles: {} },
    folders: [
      {
        name: 'folders/200', parent: 'organizations/100', displayName: 'prod',
        policy: policy([{ role: 'roles/owner', members: [`group:platform-admins@${DEMO_DOMAIN}`] }]),
        // Nobody under prod may delete a project: subtracts from every owner below, recorded on the entitlement.
        denyPolicies: [{ id: 'no-project-delete', createTime: d(-300), rules: [{
          deniedPrincipals: ['principalSet://goog/public:all'], deniedPermissions: ['cloudresourcemanager.googleapis.com/projects.delete'],
        }] }],
      },
      { name: 'folders/201', parent: 'folders/200', displayName: 'ops', policy: policy([]), denyPolicies: [] },
    ],
    projects: [
      {
        projectId: 'acme-web', number: '1001', parent: 'folders/200', createTime: d(-900), denyPolicies: [], customRoles: {}, secretManagerEnabled: true,
        policy: policy([
          { role: 'roles/editor', members: [web('deployer')] }, // basic role on a service account: over-privileged
          { role: 'roles/viewer', members: [`user:alice@${DEMO_DOMAIN}`] },
          { role: 'roles/storage.objectViewer', members: ['allUsers'] }, // public
          { role: 'roles/run.developer', members: [`user:bob@${DEMO_DOMAIN}`],
            condition: { title: 'temp-bob', expression: `request.time < timestamp("${d(30)}")` } }, // just-in-time
          { role: 'roles/owner', members: [`user:carol@${DEMO_DOMAIN}`],
            condition: { title: 'expired-carol', expression: `request.time < timestamp("${d(-10)}")` } }, // expired: no access
          { role: 'roles/logging.logWriter', members: [web('ci-old')] },
        ]),
        serviceAccounts: [
          { accountId: 'deployer', uniqueId: '110000000000000000001', displayName: 'Deployer', keys: [
            { id: 'a1b2c3d4e5f60001', keyType: 'USER_MANAGED', validAfterTime: d(-400), validBeforeTime: NEVER }, // never expires
            { id: 'ffff000000000001', keyType: 'SYSTEM_MANAGED', validAfterTime: d(-3), validBeforeTime: d(11) },
          ] },
          { accountId: 'ci-old', uniqueId: '110000000000000000002', displayName: 'Old CI', keys: [
            { id: 'a1b2c3d4e5f60002', keyType: 'USER_MANAGED', validAfterTime: d(-500), validBeforeTime: d(3000) }, // stale
          ] },
          { accountId: 'fresh', uniqueId: '110000000000000000003', keys: [
            { id: 'a1b2c3d4e5f60003', keyType: 'USER_MANAGED', validAfterTime: d(-20), validBeforeTime: d(70) }, // never used, known
          ] },
        ],
        activity: {
          observationStart: d(-180),
          serviceAccounts: { [saEmail('acme-web', 'deployer')]: d(-2), [saEmail('acme-web', 'ci-old')]: d(-170) },
          keys: {
            [`projects/acme-web/serviceAccounts/${saEmail('acme-web', 'deployer')}/keys/a1b2c3d4e5f60001`]: d(-2),
            [`projects/acme-web/serviceAccounts/${saEmail('acme-web', 'ci-old')}/keys/a1b2c3d4e5f60002`]: d(-170),
          },
        },
        secrets: [
          { id: 'db-password', createTime: d(-800), labels: { owner: 'dave', env: 'prod' }, etagSeq: 1, // unrotated, no expiry
            versions: [{ id: '1', state: 'ENABLED', createTime: d(-800), etagSeq: 1 }],
            policy: policy([{ role: 'roles/secretmanager.secretAccessor', members: [web('deployer'), `user:erin@${DEMO_DOMAIN}`] }]) },
          { id: 'api-token', createTime: d(-60), labels: { owner: 'alice' }, etagSeq: 1, expireTime: d(300),
            rotation: { rotationPeriod: '2592000s', nextRotationTime: d(2) }, topics: [{ name: 'projects/acme-web/topics/rotate' }],
            replication: { userManaged: { replicas: [{ location: 'europe-west1' }, { location: 'europe-west4' }] } },
            versions: [
              { id: '1', state: 'DESTROYED', createTime: d(-60), destroyTime: d(-25), etagSeq: 2 },
              { id: '2', state: 'ENABLED', createTime: d(-28), etagSeq: 1 },
            ],
            policy: policy([{ role: 'roles/secretmanager.viewer', members: [`group:sre@${DEMO_DOMAIN}`] }]) },
        ],
      },
      {
        projectId: 'acme-data', number: '1002', parent: 'folders/200', createTime: d(-700), secretManagerEnabled: false, activity: null,
        customRoles: { secretReader: ['secretmanager.versions.access', 'secretmanager.secrets.get'] },
        denyPolicies: [{ id: 'no-secret-reads-for-analysts', createTime: d(-100), rules: [{
          deniedPrincipals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${saEmail('acme-data', 'analyst-bot')}`],
          deniedPermissions: ['secretmanager.googleapis.com/versions.access'],
        }] }],
        policy: policy([
          { role: 'projects/acme-data/roles/secretReader', members: [data('analyst-bot')] }, // deny leaves secrets.get only
          { role: 'roles/secretmanager.secretAccessor', members: [data('analyst-bot')] }, // wholly denied: no access
          { role: 'roles/iam.serviceAccountTokenCreator', members: ['principalSet://iam.googleapis.com/projects/1002/locations/global/workloadIdentityPools/github/attribute.repository/acme/web'] },
          { role: 'roles/compute.viewer', members: [`group:data-team@${DEMO_DOMAIN}`, `domain:${DEMO_DOMAIN}`] },
          { role: 'roles/cloudsql.client', members: [data('etl')] },
        ]),
        // GitHub Actions federation: the tokenCreator binding above names one repository through attribute.repository.
        workloadIdentityPools: [{ id: 'github', displayName: 'GitHub Actions', providers: [{
          id: 'github-actions', oidc: { issuerUri: 'https://token.actions.githubusercontent.com' },
          attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository', 'attribute.repository_owner': 'assertion.repository_owner' },
          attributeCondition: "assertion.repository_owner == 'acme'",
        }] }],
        serviceAccounts: [
          { accountId: 'etl', uniqueId: '120000000000000000001', keys: [
            // Google found this key in a public repository; the org policy leaves exposed keys enabled.
            { id: 'b1b2c3d4e5f60001', keyType: 'USER_MANAGED', validAfterTime: d(-40), validBeforeTime: d(50),
              extendedStatus: [{ key: 'SERVICE_ACCOUNT_KEY_EXTENDED_STATUS_KEY_EXPOSED', value: 'https://github.com/acme/web/blob/main/key.json' }] },
          ] },
          { accountId: 'analyst-bot', uniqueId: '120000000000000000002', keys: [] },
        ],
        secrets: [],
      },
      {
        projectId: 'acme-ops', number: '1003', parent: 'folders/201', createTime: d(-600), denyPolicies: [], customRoles: {}, secretManagerEnabled: true,
        activity: { observationStart: d(-180), serviceAccounts: {}, keys: {} },
        policy: policy([
          { role: 'roles/logging.logWriter', members: [ops('backup')] },
          { role: 'roles/viewer', members: [`deleted:user:frank@${DEMO_DOMAIN}?uid=123456789`] },
        ]),
        serviceAccounts: [
          { accountId: 'backup', uniqueId: '130000000000000000001', disabled: true, keys: [
            { id: 'c1b2c3d4e5f60001', keyType: 'USER_MANAGED', validAfterTime: d(-300), validBeforeTime: NEVER, disabled: true,
              disableReason: 'SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED' },
          ] },
        ],
        secrets: [
          { id: 'legacy-key', createTime: d(-400), etagSeq: 1,
            versions: [
              { id: '1', state: 'DESTROYED', createTime: d(-400), destroyTime: d(-200), etagSeq: 3 },
              { id: '2', state: 'DISABLED', createTime: d(-200), etagSeq: 2 },
            ],
            policy: policy([]) },
        ],
      },
    ],
  };
}
