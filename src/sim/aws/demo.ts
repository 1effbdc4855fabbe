// The AWS part of `nhi-recon demo`: one simulated account (acme-prod) whose IAM and Secrets Manager estate is built
// so that each expected finding kind has exactly one obvious cause, with dates relative to now.
import type { DemoParts } from '../demo-types.js';
import { ADMIN_DOC, QUARANTINE_DOC, READONLY_DOC, addSecret, newEstate, policy, type SimKey, type SimUser } from './estate.js';
import { startAwsSim } from './server.js';

export const DEMO_ACCOUNT = '123456789012';
const DAY = 86_400_000;

export function demoEstate(now = Date.now()) {
  const ago = (d: number) => new Date(Math.floor((now - d * DAY) / 1000) * 1000);
  const estate = newEstate([DEMO_ACCOUNT]);
  const acct = estate.accounts.get(DEMO_ACCOUNT)!;
  acct.name = 'acme-prod';
  acct.root = { created: ago(2000), passwordLastUsed: ago(10), mfa: true, keys: [] };
  const A = (n: string) => `arn:aws:iam::aws:policy/${n}`;
  const L = (n: string) => `arn:aws:iam::${DEMO_ACCOUNT}:policy/${n}`;
  for (const [arn, doc] of [[A('AdministratorAccess'), ADMIN_DOC], [A('ReadOnlyAccess'), READONLY_DOC], [A('AWSCompromisedKeyQuarantineV2'), QUARANTINE_DOC]] as const) estate.awsPolicies.set(arn, policy(arn, doc));
  // PassRole to Lambda with create and invoke rights: the classic escalation to whatever the passed role can do.
  acct.policies.set(L('deploy-lambda'), policy(L('deploy-lambda'), { Version: '2012-10-17', Statement: [{ Sid: 'Deploy', Effect: 'Allow', Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:UpdateFunctionCode'], Resource: '*' }] }, ago(500)));
  acct.policies.set(L('app-read'), policy(L('app-read'), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::acme-app', 'arn:aws:s3:::acme-app/*'] }] }, ago(800)));
  acct.groups.set('admins', { name: 'admins', id: 'AGPADEMOADMINS000001', path: '/', created: ago(1500), attached: [A('AdministratorAccess')], inline: [] });
  acct.groups.set('developers', { name: 'developers', id: 'AGPADEMODEVS00000001', path: '/', created: ago(1500), attached: [A('ReadOnlyAccess')], inline: [] });
  let n = 0;
  const key = (created: number, lastUsed: number | null, status: SimKey['status'] = 'Active'): SimKey => ({
    id: `AKIADEMO${String(++n).padStart(12, '0')}`, status, created: ago(created), lastUsed: lastUsed === null ? undefined : { date: ago(lastUsed), region: 'us-east-1', service: 's3' },
  });
  const user = (u: Partial<SimUser> & { name: string }): void => {
    acct.users.set(u.name, { id: `AIDADEMO${String(++n).padStart(12, '0')}`, path: '/', created: ago(900), tags: {}, groups: [], attached: [], inline: [], mfa: false, keys: [], certs: [], ...u });
  };
  user({ name: 'alice', groups: ['admins'], login: { created: ago(900), lastUsed: ago(1) }, mfa: true });
  // carol has left the company; her console password and key still work.
  user({ name: 'carol', groups: ['developers'], login: { created: ago(700), lastUsed: ago(70) }, keys: [key(300, 65)] });
  user({ name: 'svc-deploy', tags: { owner: 'alice' }, attached: [L('deploy-lambda')], keys: [key(400, 2)] });
  user({ name: 'svc-legacy', tags: { owner: 'alice' }, attached: [L('app-read')], keys: [key(300, 200)] });
  user({ name: 'svc-leaked', tags: { owner: 'alice' }, attached: [L('app-read'), A('AWSCompromisedKeyQuarantineV2')], keys: [key(30, 1)] });
  const trustLambda = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  acct.roles.set('app-runtime', { name: 'app-runtime', id: 'AROADEMOAPPRUNTIME01', path: '/', created: ago(600), tags: { owner: 'alice' }, trust: trustLambda, attached: [L('app-read')], inline: [], lastUsed: { date: ago(1), region: 'us-east-1' } });
  acct.roles.set('old-batch', { name: 'old-batch', id: 'AROADEMOOLDBATCH0001', path: '/', created: ago(900), tags: {}, trust: trustLambda, attached: [L('app-read')], inline: [], lastUsed: { date: ago(300), region: 'us-east-1' } });
  // An administrator role Lambda may assume: what makes svc-deploy's PassRole an escalation path.
  acct.roles.set('lambda-admin', { name: 'lambda-admin', id: 'AROADEMOLAMBDAADMIN1', path: '/', created: ago(500), tags: { owner: 'alice' }, trust: trustLambda, attached: [A('AdministratorAccess')], inline: [], lastUsed: { date: ago(5), region: 'us-east-1' } });
  acct.roles.set('analytics-reader', { name: 'analytics-reader', id: 'AROADEMOANALYTICS001', path: '/', created: ago(200), tags: { owner: 'alice' }, trust: trustLambda, attached: [], inline: [], lastUsed: { date: ago(3), region: 'us-east-1' } });
  // Any workflow of any acme repository (a wildcard subject) may become administrator: the trust is too broad.
  const ghOidc = `arn:aws:iam::${DEMO_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  acct.roles.set('gha-admin', { name: 'gha-admin', id: 'AROADEMOGHAADMIN0001', path: '/', created: ago(120), tags: { owner: 'alice' }, attached: [A('AdministratorAccess')], inline: [],
    trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: ghOidc }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' } } }] },
    lastUsed: { date: ago(2), region: 'us-east-1' } });
  // Believed pinned to acme/infra's main branch, but infra's OIDC subject template has no repository claim: every acme
  // repository's main branch presents this subject, so every one of them may become infra-deploy.
  acct.roles.set('infra-deploy', { name: 'infra-deploy', id: 'AROADEMOINFRADEPLOY1', path: '/', created: ago(90), tags: { owner: 'alice' }, attached: [L('app-read')], inline: [],
    trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: ghOidc }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repository_owner:acme:ref:refs/heads/main' } } }] },
    lastUsed: { date: ago(1), region: 'us-east-1' } });
  // The key GitHub Actions of acme/web still deploys with (its secret AWS_ACCESS_KEY_ID): the ci-pipeline tag ties them.
  user({ name: 'svc-ci', tags: { owner: 'alice', 'ci-pipeline': 'acme/web' }, attached: [L('app-read')], keys: [key(60, 1)] });
  const reader = (roles: string[]) => ({ Version: '2012-10-17', Statement: [{ Sid: 'Readers', Effect: 'Allow', Principal: { AWS: roles.map((r) => `arn:aws:iam::${DEMO_ACCOUNT}:role/${r}`) }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
  addSecret(acct, 'us-east-1', {
    name: 'prod/db-password', created: ago(400), lastRotated: ago(20), lastAccessed: ago(1), rotationEnabled: true, rotationDays: 30,
    rotationLambda: `arn:aws:lambda:us-east-1:${DEMO_ACCOUNT}:function:rotate-db`, tags: { owner: 'carol' }, policy: reader(['app-runtime', 'analytics-reader']),
  });
  addSecret(acct, 'us-east-1', { name: 'prod/api-token', created: ago(500), lastAccessed: ago(3), tags: { owner: 'alice' }, policy: reader(['app-runtime']) });
  return estate;
}

export async function startDemo(opts: { latencyMs?: number } = {}): Promise<DemoParts> {
  const now = Date.now();
  const estate = demoEstate(now);
  const sim = await startAwsSim(estate, { latencyMs: opts.latencyMs });
  const day = (d: number) => new Date(now + d * DAY).toISOString().slice(0, 10);
  const g = (id: string, identity: string, extra: Record<string, unknown> = {}) => ({
    id, provider: 'aws', tenant: DEMO_ACCOUNT, identity, resource: '*', permission: '*', max_level: 'write', owner: 'alice', approver: 'security-team',
    ticket: `CLOUD-${id.replace(/\D/g, '')}`, granted_at: day(-400), expires_at: day(180), justification: 'demo', ...extra,
  });
  return {
    sources: [{
      name: 'aws', type: 'aws', tenants: [DEMO_ACCOUNT],
      options: {
        endpoint: sim.url, sts_endpoint: sim.url, region: 'us-east-1', access_key_id_env: 'NHI_DEMO_AWS_ACCESS_KEY_ID', secret_access_key_env: 'NHI_DEMO_AWS_SECRET_ACCESS_KEY',
        credential_report: { max_wait_seconds: 30, poll_seconds: 0.2 }, secrets_manager: { regions: ['us-east-1'], endpoint: sim.url },
        rotation_sink: { type: 'secretsmanager', endpoint: sim.url },
      },
    }],
    env: { NHI_DEMO_AWS_ACCESS_KEY_ID: estate.baseAccessKeyId, NHI_DEMO_AWS_SECRET_ACCESS_KEY: 'demo-simulator-secret-not-real' },
    authority: {
      grants: [
        g('1', 'alice', { max_level: 'admin', expires_at: null, justification: 'cloud administrator (no expiry: standing privilege)' }),
        g('3', 'carol', { max_level: 'read', justification: 'developer read-only access' }),
        g('4', 'svc-deploy', { justification: 'deploys the app (write, not admin)' }),
        g('5', 'svc-legacy', { justification: 'legacy reporting job' }),
        g('6', 'svc-leaked', { justification: 'uploader' }),
        g('7', 'app-runtime', { max_level: 'read', justification: 'the app reads its bucket and its secrets' }),
        g('8', 'old-batch', { justification: 'nightly batch' }),
        g('9', 'lambda-admin', { max_level: 'admin', expires_at: day(30), justification: 'maintenance functions, time-boxed' }),
        g('10', 'svc-ci', { justification: 'acme/web deploys (to move to OIDC)' }),
        g('11', 'infra-deploy', { max_level: 'read', justification: 'infra deployment role' }),
        g('12', 'repository_owner:acme:*', { max_level: 'read', justification: 'acme/infra deploys from main (believed pinned)' }),
      ],
      owners: [],
      people: [
        { id: 'alice', name: 'Alice Admin', email: 'alice@acme.example', status: 'active', team: 'platform', logins: { aws: ['alice'] } },
        { id: 'carol', name: 'Carol Former', email: 'carol@acme.example', status: 'departed', departed_at: day(-60), team: 'web', logins: { aws: ['carol'] } },
      ],
    },
    expect: [
      'departed-person-access', // carol's user, console password and access key still active
      'stale-credential', // svc-legacy's key, unused for 200 days
      'stale-identity', // svc-legacy and the old-batch role, unused for 200-300 days
      'unrotated-credential', // svc-deploy's 400-day-old key; prod/api-token never rotated in 500 days
      'over-privileged', // svc-deploy can escalate (PassRole + Lambda) but is granted write
      'standing-privilege', // alice's AdministratorAccess, granted without expiry
      'leaked-credential', // AWS attached AWSCompromisedKeyQuarantineV2 to svc-leaked
      'orphaned-identity', // old-batch has no owner; prod/db-password's owner tag names carol, who left
      'ungranted-access', // analytics-reader reads prod/db-password and no grant names it
      'federation-trust-too-broad', // gha-admin (AdministratorAccess) trusts every workflow of every acme repository (sub repo:acme/*);
      // infra-deploy trusts repository_owner:acme:ref:refs/heads/main, a subject without a repository claim
    ],
    close: () => sim.close(),
  };
}
