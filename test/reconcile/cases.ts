// Rule cases as data: for every rule, at least one case that fires and a near case that does not.
import { daysAgo, daysAhead, type Seed } from './harness.js';
import { INTEGRATION_CASES } from './integration-cases.js';
import { REVIEW_CASES } from './cases-review.js';
import { WIF_CASES } from './wif-cases.js';

export interface RuleCase {
  rule: string;
  name: string;
  seed: Seed;
  /** Subject refs the rule must report (exactly these); empty = must not fire. */
  fires: string[];
  severity?: string;
  reason?: RegExp;
}

const svc = (extra: Record<string, unknown> = {}) => ({ ref: 'svc', kind: 'service_account', name: 'deployer', human: false, created_at: daysAgo(400), last_used_at: daysAgo(1), ...extra });
const ent = (extra: Record<string, unknown> = {}) => ({ ref: 'e1', identity_ref: 'svc', identity_name: 'deployer', resource_ref: 'repo/web', permission: 'write', level: 'write', ...extra });
const owned = [{ provider: 'prov', identity: 'svc', owner: 'alice' }];
const alice = { id: 'alice', name: 'Alice', status: 'active', logins: { prov: ['alice'] } };
const bob = { id: 'bob', name: 'Bob', status: 'departed', departed_at: '2026-03-01', logins: { prov: ['bob'] } };
const grant = (extra: Record<string, unknown> = {}) => ({ id: 'G1', provider: 'prov', identity: 'svc', resource: 'repo/web', permission: 'write', max_level: 'write', expires_at: daysAhead(30), ...extra });
const base = (s: Seed): Seed => ({ owners: owned, people: [alice, bob], ...s });
const awsKey = (extra: Record<string, unknown> = {}) => ({ ref: 'arn:key/AKIAEXAMPLE000000001', source: 'aws', provider: 'aws', tenant: '111122223333', kind: 'access_key', name: 'AKIAEXAMPLE000000001',
  identity_ref: 'arn:user/svc', created_at: daysAgo(30), last_used_at: daysAgo(1), fingerprint: 'AKIAEXAMPLE000000001', ...extra });
const exposure = (extra: Record<string, unknown> = {}) => ({ ref: 'github:acme/web/secret_scanning_alert/3', source: 'gh', provider: 'github', tenant: 'acme', kind: 'exposed_secret',
  name: 'AWS Access Key ID in acme/web (alert #3)', created_at: daysAgo(2), last_used_known: false, expiry_supported: false, fingerprint: 'AKIAEXAMPLE000000001',
  leak_signal: 'open secret-scanning alert #3 (AWS Access Key ID) in acme/web, since 2026-05-30', attributes: { exposed_in: 'github:acme/web', alert_number: 3 }, ...extra });
const key = (extra: Record<string, unknown> = {}) => ({ ref: 'k1', kind: 'access_key', name: 'AKIA-1', identity_ref: 'svc', created_at: daysAgo(30), last_used_at: daysAgo(1), expires_at: daysAhead(60), ...extra });

// Mint edges (issue 17): "the identity may obtain credentials as the target", with the trust's breadth judged by the connector.
const mintFacts = (extra: Record<string, unknown> = {}) => ({ mechanism: 'oidc', issuer: 'issuer.example', subject: 'repo:acme/web:*', audience: null, breadth: 'wildcard_subject',
  missing: [], target_provider: 'prov', target_ref: 'role/deploy', conditions: null, ...extra });
const mintEnt = (mint: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ ref: 'm1', identity_ref: 'oidc:issuer.example#repo:acme/web:*', identity_name: 'repo:acme/web:*',
  resource_ref: 'role/deploy', permission: 'assume', level: 'admin', privileged: true, via: 'direct', attributes: { mint: mintFacts(mint) }, ...extra });
const fedSubject = (extra: Record<string, unknown> = {}) => ({ ref: 'oidc:issuer.example#repo:acme/web:*', kind: 'workload', name: 'repo:acme/web:*', human: false, owner: 'alice', last_used_known: false, ...extra });
const mintGrant = (identity: string) => grant({ identity, resource: 'role/deploy', permission: 'assume', max_level: 'admin' });
// A CI secret holding a cloud key, the key (tagged with the pipeline), and a federated trust pinning the same pipeline.
const ACCT = { source: 'cloud', provider: 'aws', tenant: '111122223333' };
const ciSecret = (extra: Record<string, unknown> = {}) => ({ ref: 'ci:acme/web/secret/AWS_ACCESS_KEY_ID', source: 'ci', provider: 'github', tenant: 'acme', kind: 'stored_secret', name: 'AWS_ACCESS_KEY_ID',
  created_at: daysAgo(300), last_used_known: false, expiry_supported: false, owner: 'alice',
  attributes: { scope: 'repository', ci: { pipeline: 'acme/web', cloud: 'aws', proposed_trust: { Statement: [{ Principal: { Federated: 'arn:aws:iam::{target_tenant}:oidc-provider/issuer.example' } }] } } }, ...extra });
const cloudKey = (extra: Record<string, unknown> = {}) => ({ ...ACCT, ref: 'arn:user/ci#key', kind: 'access_key', name: 'AKIACI00000000000001', identity_ref: 'arn:user/ci', created_at: daysAgo(300),
  last_used_at: daysAgo(30), fingerprint: 'AKIACI00000000000001', expiry_supported: false, attributes: { ci: { pipeline: 'acme/web' } }, ...extra });
const cloudRole = (lastUsed: number) => ({ ...ACCT, ref: 'arn:role/deploy', kind: 'role', name: 'deploy', human: false, owner: 'alice', last_used_at: daysAgo(lastUsed) });
const fedEdge = (extra: Record<string, unknown> = {}) => ({ ...ACCT, ref: 'arn:role/deploy|trust', identity_ref: 'oidc:gh#repo:acme/web:ref:refs/heads/main', identity_name: 'repo:acme/web:ref:refs/heads/main',
  resource_ref: 'arn:role/deploy', permission: 'assume', level: 'write', attributes: { ci: { pipeline: 'acme/web' }, mint: mintFacts({ breadth: 'pinned', target_provider: 'aws', target_ref: 'arn:role/deploy' }) }, ...extra });

// A pipeline's automatic job token (model MintFacts mechanism job_token), owned by the platform (provider_managed).
const pipeline = (extra: Record<string, unknown> = {}) => ({ ref: 'ci:acme/web/workflows', kind: 'workload', name: 'acme/web workflows', human: false,
  last_used_known: false, provider_managed: true, ...extra });
const jobToken = (level: string, conditions: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ ref: 'ci:acme/web/workflows/token',
  identity_ref: 'ci:acme/web/workflows', identity_name: 'acme/web workflows', resource_ref: 'ci:acme/web', permission: `default:${level}`, level,
  privileged: false, via: 'direct', attributes: { mint: mintFacts({ mechanism: 'job_token', issuer: null, subject: 'acme/web', breadth: 'pinned',
    target_provider: 'prov', target_ref: 'ci:acme/web', conditions: { set_at: 'organization', ...conditions } }) }, ...extra });
const JOB_TOKEN_CASES: RuleCase[] = [
  { rule: 'default-workflow-token-write', name: 'write by default', seed: base({ identities: [pipeline()], entitlements: [jobToken('write')] }),
    fires: ['ci:acme/web/workflows/token'], severity: 'medium', reason: /Every run of acme\/web receives a token with write access to ci:acme\/web unless its definition asks for less\./ },
  { rule: 'default-workflow-token-write', name: 'write by default, and it may approve changes: high', seed: base({ identities: [pipeline()], entitlements: [jobToken('write', {}, { privileged: true })] }),
    fires: ['ci:acme/web/workflows/token'], severity: 'high', reason: /and may approve changes for merge/ },
  { rule: 'default-workflow-token-write', name: 'near miss: a read default (a repository overriding its organisation to read)', seed: base({ identities: [pipeline()], entitlements: [jobToken('read', { set_at: 'repository' })] }), fires: [] },
  { rule: 'default-workflow-token-write', name: 'near miss: another mint edge at write is not a job token', seed: base({ identities: [fedSubject()], entitlements: [mintEnt({ breadth: 'pinned' }, { level: 'write', privileged: false })] }), fires: [] },
  // The platform grants the token: the grant rules leave it to this rule rather than report it twice.
  { rule: 'ungranted-access', name: 'near miss: a job token is not ungranted access', seed: base({ identities: [pipeline()], entitlements: [jobToken('write')] }), fires: [] },
];

export const CASES: RuleCase[] = [
  // ungranted-access
  { rule: 'ungranted-access', name: 'no grant at all', seed: base({ identities: [svc()], entitlements: [ent()] }), fires: ['e1'], severity: 'high' },
  { rule: 'ungranted-access', name: 'admin ungranted is critical', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin', permission: 'admin' })] }), fires: ['e1'], severity: 'critical' },
  { rule: 'ungranted-access', name: 'exact grant by ref', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant()] }), fires: [] },
  { rule: 'ungranted-access', name: 'exact grant by identity name', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ identity: 'deployer' })] }), fires: [] },
  { rule: 'ungranted-access', name: 'glob grant on identity and resource', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ identity: 'dep*', resource: 'repo/*' })] }), fires: [] },
  { rule: 'ungranted-access', name: 'glob grant that does not match', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ identity: 'svc', resource: 'repo/api*' })] }), fires: ['e1'] },
  { rule: 'ungranted-access', name: 'grant for another tenant', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ tenant: 't2' })] }), fires: ['e1'] },
  { rule: 'ungranted-access', name: 'grant for another provider', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ provider: 'other' })] }), fires: ['e1'] },
  { rule: 'ungranted-access', name: 'quotes and SQL in names are data', seed: base({ identities: [svc({ ref: "svc'; DROP TABLE findings; --", name: "o'brien" })], entitlements: [ent({ identity_ref: "svc'; DROP TABLE findings; --", identity_name: "o'brien" })] }), fires: ['e1'] },

  // expired-grant
  { rule: 'expired-grant', name: 'only grant expired', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ expires_at: daysAgo(10) })] }), fires: ['e1'], reason: /expired on 2026-05-22/ },
  { rule: 'expired-grant', name: 'one expired and one valid grant', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ id: 'old', expires_at: daysAgo(10) }), grant({ id: 'new' })] }), fires: [] },
  { rule: 'expired-grant', name: 'expiry later today is still valid', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ expires_at: '2026-06-01T23:00:00Z' })] }), fires: [] },
  { rule: 'expired-grant', name: 'expiry exactly now has expired', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ expires_at: '2026-06-01T00:00:00Z' })] }), fires: ['e1'] },
  { rule: 'expired-grant', name: 'offset expiry already past in UTC', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ expires_at: '2026-06-01T01:00:00+02:00' })] }), fires: ['e1'] },
  { rule: 'expired-grant', name: 'offset expiry still ahead in UTC', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ expires_at: '2026-05-31T23:30:00-01:00' })] }), fires: [] },
  { rule: 'expired-grant', name: 'no expiry date is never expired', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ expires_at: null })] }), fires: [] },

  // over-privileged
  { rule: 'over-privileged', name: 'level above grant', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin', permission: 'write' })], grants: [grant()] }), fires: ['e1'], reason: /above the write/ },
  { rule: 'over-privileged', name: 'permission the grant does not allow', seed: base({ identities: [svc()], entitlements: [ent({ permission: 'maintain' })], grants: [grant({ max_level: null })] }), fires: ['e1'], reason: /do not allow/ },
  { rule: 'over-privileged', name: 'admin on non-human with only a glob grant', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin', permission: 'admin' })], grants: [grant({ identity: 'svc*', permission: '*', max_level: 'admin' })] }), fires: ['e1'], reason: /no grant names it/ },
  { rule: 'over-privileged', name: 'admin on non-human named by a grant', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin', permission: 'admin' })], grants: [grant({ permission: 'admin', max_level: 'admin' })] }), fires: [] },
  { rule: 'over-privileged', name: 'admin on a human via glob grant', seed: base({ identities: [svc({ human: true, kind: 'user' })], entitlements: [ent({ level: 'admin', permission: 'admin' })], grants: [grant({ identity: 'svc*', permission: '*', max_level: 'admin' })] }), fires: [] },
  { rule: 'over-privileged', name: 'within the grant', seed: base({ identities: [svc()], entitlements: [ent({ level: 'read', permission: 'write' })], grants: [grant()] }), fires: [] },

  // standing-privilege
  { rule: 'standing-privilege', name: 'admin grant without expiry', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin', permission: 'admin' })], grants: [grant({ permission: 'admin', max_level: 'admin', expires_at: null })] }), fires: ['e1'] },
  { rule: 'standing-privilege', name: 'admin grant with expiry', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin', permission: 'admin' })], grants: [grant({ permission: 'admin', max_level: 'admin' })] }), fires: [] },
  { rule: 'standing-privilege', name: 'just-in-time at the provider', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin', permission: 'admin', expires_at: daysAhead(1) })], grants: [grant({ permission: 'admin', max_level: 'admin', expires_at: null })] }), fires: [] },
  { rule: 'standing-privilege', name: 'write without expiry is not admin', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ expires_at: null })] }), fires: [] },

  // used-after-expiry
  { rule: 'used-after-expiry', name: 'entitlement used after expiry', seed: base({ identities: [svc()], entitlements: [ent({ last_used_at: daysAgo(2) })], grants: [grant({ expires_at: daysAgo(10) })] }), fires: ['e1'] },
  { rule: 'used-after-expiry', name: 'credential used after its identity\'s grants expired', seed: base({ identities: [svc()], entitlements: [ent()], credentials: [key({ last_used_at: daysAgo(3) })], grants: [grant({ expires_at: daysAgo(10) })] }), fires: ['k1'] },
  { rule: 'used-after-expiry', name: 'credential whose identity still holds a valid grant elsewhere', seed: base({ identities: [svc()],
    entitlements: [ent(), ent({ ref: 'e2', resource_ref: 'repo/api' })], credentials: [key({ last_used_at: daysAgo(3) })],
    grants: [grant({ expires_at: daysAgo(10) }), grant({ id: 'G2', resource: 'repo/api', expires_at: daysAhead(10) })] }), fires: [] },
  { rule: 'used-after-expiry', name: 'credential: the latest of its identity\'s expired grants is named', seed: base({ identities: [svc()],
    entitlements: [ent(), ent({ ref: 'e2', resource_ref: 'repo/api' })], credentials: [key({ last_used_at: daysAgo(3) })],
    grants: [grant({ expires_at: daysAgo(20) }), grant({ id: 'G2', resource: 'repo/api', expires_at: daysAgo(5) })] }), fires: ['k1'], reason: /grant of its identity \(G2\) expired/ },
  { rule: 'used-after-expiry', name: 'credential used between its identity\'s two grant expiries', seed: base({ identities: [svc()],
    entitlements: [ent(), ent({ ref: 'e2', resource_ref: 'repo/api' })], credentials: [key({ last_used_at: daysAgo(7) })],
    grants: [grant({ expires_at: daysAgo(20) }), grant({ id: 'G2', resource: 'repo/api', expires_at: daysAgo(5) })] }), fires: [] },
  { rule: 'used-after-expiry', name: 'last used before expiry', seed: base({ identities: [svc()], entitlements: [ent({ last_used_at: daysAgo(20) })], credentials: [key({ last_used_at: daysAgo(20) })], grants: [grant({ expires_at: daysAgo(10) })] }), fires: [] },

  // unfulfilled-grant
  { rule: 'unfulfilled-grant', name: 'exact grant with no access', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant(), grant({ id: 'G2', resource: 'repo/api' })] }), fires: ['G2'], severity: 'info' },
  { rule: 'unfulfilled-grant', name: 'tenant collected partially proves nothing', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant({ id: 'G2', resource: 'repo/api', tenant: 't1' })], sourceRuns: [{ tenant: 't1', status: 'partial' }] }), fires: [] },
  { rule: 'unfulfilled-grant', name: 'expired grants are not unfulfilled', seed: base({ identities: [svc()], entitlements: [ent()], grants: [grant(), grant({ id: 'G2', resource: 'repo/api', expires_at: daysAgo(1) })] }), fires: [] },

  // orphaned-identity
  { rule: 'orphaned-identity', name: 'no owner', seed: { people: [alice], identities: [svc()] }, fires: ['svc'], reason: /has no owner/ },
  { rule: 'orphaned-identity', name: 'owner departed', seed: { people: [bob], owners: [{ provider: 'prov', identity: 'svc', owner: 'bob' }], identities: [svc()] }, fires: ['svc'], reason: /departed on 2026-03-01/ },
  { rule: 'orphaned-identity', name: 'owner unknown to the directory', seed: { people: [alice], owners: [{ provider: 'prov', identity: 'svc', owner: 'carol' }], identities: [svc()] }, fires: ['svc'], reason: /not in the people directory/ },
  { rule: 'orphaned-identity', name: 'disputed owners', seed: { people: [alice, bob], owners: [{ provider: 'prov', identity: 'svc', owner: 'alice' }, { provider: 'prov', identity: 'deployer', owner: 'bob' }], identities: [svc()] }, fires: ['svc'], reason: /disputed/ },
  { rule: 'orphaned-identity', name: 'provider-recorded owner who is active (by login)', seed: { people: [alice], identities: [svc({ owner: 'alice' })] }, fires: [] },
  { rule: 'orphaned-identity', name: 'active owner record', seed: base({ identities: [svc()] }), fires: [] },
  { rule: 'orphaned-identity', name: 'humans are not orphaned identities', seed: { people: [], identities: [svc({ human: true, kind: 'user' })] }, fires: [] },
  { rule: 'orphaned-identity', name: 'stored secret whose owner tag names a departed person', seed: { people: [bob], credentials: [{ ref: 's1', kind: 'stored_secret', name: 'db-pass', owner: 'bob', expiry_supported: false }] }, fires: ['s1'] },
  { rule: 'orphaned-identity', name: 'stored secret owned by an active person', seed: { people: [alice], credentials: [{ ref: 's1', kind: 'stored_secret', name: 'db-pass', owner: 'alice', expiry_supported: false }] }, fires: [] },

  // departed-person-access
  { rule: 'departed-person-access', name: 'departed person\'s account holds access', seed: base({ identities: [{ ref: 'u-bob', kind: 'user', name: 'bob', login: 'bob', human: true }], entitlements: [ent({ ref: 'e2', identity_ref: 'u-bob', identity_name: 'bob' })], grants: [grant({ identity: 'bob' })] }), fires: ['u-bob'] },
  { rule: 'departed-person-access', name: 'credential created by a departed person', seed: base({ identities: [svc()], credentials: [key({ created_by: 'bob' })] }), fires: ['k1'], reason: /created by Bob/ },
  // Two rows for one subject (created by one departed person, owned by another): one finding, the first reason's.
  { rule: 'departed-person-access', name: 'created by one departed person, owned by another: one finding', seed: base({ identities: [svc()], credentials: [key({ created_by: 'bob', owner: 'carol' })],
    people: [alice, bob, { id: 'carol', name: 'Carol', status: 'departed', departed_at: '2026-02-01', logins: { prov: ['carol'] } }] }), fires: ['k1'], reason: /was created by Bob/ },
  { rule: 'departed-person-access', name: 'their credential was already deactivated', seed: base({ identities: [svc()], credentials: [key({ created_by: 'bob', status: 'inactive' })] }), fires: [] },
  { rule: 'departed-person-access', name: 'same login on another provider', seed: base({ identities: [{ ref: 'u-bob', kind: 'user', name: 'bob', login: 'bob', human: true, provider: 'other' }], entitlements: [ent({ ref: 'e2', identity_ref: 'u-bob', provider: 'other' })] }), fires: [] },
  { rule: 'departed-person-access', name: 'an active person', seed: base({ identities: [{ ref: 'u-alice', kind: 'user', name: 'alice', login: 'alice', human: true }], entitlements: [ent({ ref: 'e2', identity_ref: 'u-alice' })] }), fires: [] },

  // stale-identity
  { rule: 'stale-identity', name: 'unused for 120 days', seed: base({ identities: [svc({ last_used_at: daysAgo(120) })] }), fires: ['svc'], severity: 'low' },
  { rule: 'stale-identity', name: 'never used, older than grace', seed: base({ identities: [svc({ last_used_at: null, created_at: daysAgo(30) })] }), fires: ['svc'], reason: /never been used/ },
  { rule: 'stale-identity', name: 'never used, within grace', seed: base({ identities: [svc({ last_used_at: null, created_at: daysAgo(5) })] }), fires: [] },
  { rule: 'stale-identity', name: 'last use unknown is not never used', seed: base({ identities: [svc({ last_used_at: null, last_used_known: false })] }), fires: [] },
  { rule: 'stale-identity', name: 'used 89 days ago', seed: base({ identities: [svc({ last_used_at: daysAgo(89) })] }), fires: [] },
  { rule: 'stale-identity', name: 'disabled identities are not judged', seed: base({ identities: [svc({ last_used_at: daysAgo(200), disabled: true })] }), fires: [] },
  { rule: 'stale-identity', name: 'per-provider threshold', seed: base({ identities: [svc({ last_used_at: daysAgo(50), provider: 'strict' })] }), fires: ['svc'] },

  // stale-credential
  { rule: 'stale-credential', name: 'key unused for 100 days', seed: base({ identities: [svc()], credentials: [key({ last_used_at: daysAgo(100), created_at: daysAgo(50) })] }), fires: ['k1'] },
  { rule: 'stale-credential', name: 'admin identity\'s stale key is high', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin' })], credentials: [key({ last_used_at: daysAgo(100) })] }), fires: ['k1'], severity: 'high' },
  { rule: 'stale-credential', name: 'inactive key', seed: base({ identities: [svc()], credentials: [key({ last_used_at: daysAgo(100), status: 'inactive' })] }), fires: [] },
  { rule: 'stale-credential', name: 'unknown last use', seed: base({ identities: [svc()], credentials: [key({ last_used_at: null, last_used_known: false })] }), fires: [] },

  // unrotated-credential
  { rule: 'unrotated-credential', name: 'created 200 days ago, never rotated', seed: base({ identities: [svc()], credentials: [key({ created_at: daysAgo(200) })] }), fires: ['k1'], reason: /never rotated 200 days ago/ },
  { rule: 'unrotated-credential', name: 'old but rotated recently', seed: base({ identities: [svc()], credentials: [key({ created_at: daysAgo(200), last_rotated_at: daysAgo(10) })] }), fires: [] },
  { rule: 'unrotated-credential', name: 'rotated long ago', seed: base({ identities: [svc()], credentials: [key({ created_at: daysAgo(900), last_rotated_at: daysAgo(700) })] }), fires: ['k1'] },

  // non-expiring-credential
  { rule: 'non-expiring-credential', name: 'no expiry', seed: base({ identities: [svc()], credentials: [key({ expires_at: null })] }), fires: ['k1'], reason: /never expires/ },
  { rule: 'non-expiring-credential', name: 'three-year lifetime', seed: base({ identities: [svc()], credentials: [key({ created_at: daysAgo(10), expires_at: daysAhead(3 * 365) })] }), fires: ['k1'], reason: /lifetime of 1105 days/ },
  { rule: 'non-expiring-credential', name: 'expiry within a year', seed: base({ identities: [svc()], credentials: [key()] }), fires: [] },
  { rule: 'non-expiring-credential', name: 'store without expiry support', seed: base({ identities: [svc()], credentials: [key({ expires_at: null, expiry_supported: false })] }), fires: [] },

  // provider-managed identities (issue 14): the provider creates, owns and scopes them; no owner, grant or use is expected
  { rule: 'orphaned-identity', name: 'provider-managed identity without an owner', seed: { identities: [svc({ provider_managed: true })] }, fires: [] },
  { rule: 'orphaned-identity', name: 'near miss: the same identity, customer-managed', seed: { identities: [svc({ provider_managed: false })] }, fires: ['svc'] },
  { rule: 'ungranted-access', name: 'provider-managed identity\'s access needs no grant', seed: base({ identities: [svc({ provider_managed: true })], entitlements: [ent()] }), fires: [] },
  { rule: 'over-privileged', name: 'provider-managed identity\'s admin access is the provider\'s scope', seed: base({ identities: [svc({ provider_managed: true })], entitlements: [ent({ level: 'admin', permission: 'admin' })] }), fires: [] },
  { rule: 'stale-identity', name: 'unused provider-managed identity', seed: base({ identities: [svc({ provider_managed: true, last_used_at: daysAgo(200) })] }), fires: [] },
  { rule: 'stale-identity', name: 'near miss: unused customer-managed identity', seed: base({ identities: [svc({ last_used_at: daysAgo(200) })] }), fires: ['svc'] },
  { rule: 'leaked-credential', name: 'a provider-managed identity\'s leaked credential is still reported', seed: base({ identities: [svc({ provider_managed: true })], credentials: [key({ leak_signal: 'secret scanning alert #9 (open)' })] }), fires: ['k1'] },
  // standby credentials (the root password): unused is their recommended state
  { rule: 'stale-credential', name: 'standby password never used', seed: base({ identities: [svc({ kind: 'user', human: true })], credentials: [key({ kind: 'password', name: 'root password', last_used_at: null, created_at: daysAgo(900), standby: true })] }), fires: [] },
  { rule: 'stale-credential', name: 'near miss: ordinary password never used', seed: base({ identities: [svc({ kind: 'user', human: true })], credentials: [key({ kind: 'password', name: 'console password', last_used_at: null, created_at: daysAgo(900) })] }), fires: ['k1'] },

  // leaked-credential
  { rule: 'leaked-credential', name: 'open alert on an active key', seed: base({ identities: [svc()], credentials: [key({ leak_signal: 'secret scanning alert #4 (open)' })] }), fires: ['k1'], severity: 'critical' },
  { rule: 'leaked-credential', name: 'leaked but already revoked', seed: base({ identities: [svc()], credentials: [key({ leak_signal: 'alert #4', status: 'revoked' })] }), fires: [] },
  // An exposure record (a secret-scanning alert) names a key by its identifier: matched across providers on the
  // canonical fingerprint, the finding is about the key; unmatched, it is about the exposure itself.
  { rule: 'leaked-credential', name: 'exposed key id matched to a credential of another provider', seed: base({ identities: [svc()], credentials: [awsKey(), exposure()] }),
    fires: ['arn:key/AKIAEXAMPLE000000001'], severity: 'critical', reason: /alert #3 .* in acme\/web/ },
  { rule: 'leaked-credential', name: 'exposure matching no credential is a finding on where it was exposed', seed: base({ credentials: [exposure({ fingerprint: null })] }),
    fires: ['github:acme/web/secret_scanning_alert/3'], severity: 'critical', reason: /matches no collected credential/ },
  { rule: 'leaked-credential', name: 'near miss: a different key id leaves the key alone and reports the exposure', seed: base({ identities: [svc()], credentials: [awsKey(), exposure({ fingerprint: 'AKIAEXAMPLE000000002' })] }),
    fires: ['github:acme/web/secret_scanning_alert/3'] },
  { rule: 'leaked-credential', name: 'closed exposure reports nothing', seed: base({ identities: [svc()], credentials: [awsKey(), exposure({ status: 'inactive' })] }), fires: [] },
  { rule: 'leaked-credential', name: 'exposed key already deactivated reports nothing', seed: base({ identities: [svc()], credentials: [awsKey({ status: 'inactive' }), exposure()] }), fires: [] },
  // An exposure record is evidence, not a credential with a lifecycle.
  { rule: 'stale-credential', name: 'an exposure record is never stale', seed: base({ credentials: [exposure({ created_at: daysAgo(400) })] }), fires: [] },
  { rule: 'unrotated-credential', name: 'an exposure record is never unrotated', seed: base({ credentials: [exposure({ created_at: daysAgo(400) })] }), fires: [] },
  { rule: 'non-expiring-credential', name: 'an exposure record is never non-expiring', seed: base({ credentials: [exposure({ expiry_supported: true })] }), fires: [] },
  { rule: 'orphaned-identity', name: 'an exposure record is never orphaned', seed: { people: [alice], credentials: [exposure({ kind: 'exposed_secret' })] }, fires: [] },

  // federation-trust-too-broad
  { rule: 'federation-trust-too-broad', name: 'wildcard subject on an admin role', seed: base({ identities: [fedSubject()], entitlements: [mintEnt()] }), fires: ['m1'], severity: 'high', reason: /every subject matching repo:acme\/web:\*/ },
  { rule: 'federation-trust-too-broad', name: 'near miss: the subject pinned to one branch', seed: base({ identities: [fedSubject()], entitlements: [mintEnt({ breadth: 'pinned', subject: 'repo:acme/web:ref:refs/heads/main' })] }), fires: [] },
  { rule: 'federation-trust-too-broad', name: 'anyone holding a token of the issuer becomes admin: critical', seed: base({ identities: [fedSubject()], entitlements: [mintEnt({ breadth: 'issuer_wide', subject: null, missing: ['sub'] })] }), fires: ['m1'], severity: 'critical', reason: /anyone holding a token of issuer\.example without sub/ },
  { rule: 'federation-trust-too-broad', name: 'issuer-wide on a read role is not critical', seed: base({ identities: [fedSubject()], entitlements: [mintEnt({ breadth: 'issuer_wide', missing: ['sub'] }, { level: 'read', privileged: false })] }), fires: ['m1'], severity: 'medium' },
  { rule: 'federation-trust-too-broad', name: 'anyone at all', seed: base({ identities: [fedSubject({ ref: '*', kind: 'public', name: 'anyone' })], entitlements: [mintEnt({ breadth: 'anyone', mechanism: 'assume_role' }, { identity_ref: '*', identity_name: 'anyone', level: 'write', privileged: false })] }), fires: ['m1'], severity: 'critical', reason: /admits anyone at all/ },
  { rule: 'federation-trust-too-broad', name: 'another account without an external id', seed: base({ entitlements: [mintEnt({ mechanism: 'assume_role', breadth: 'any_account', subject: 'acct-2', missing: ['sts:ExternalId'] }, { identity_ref: 'account:acct-2', identity_name: 'acct-2', level: 'write', privileged: false })] }), fires: ['m1'], severity: 'high', reason: /without sts:ExternalId/ },
  { rule: 'federation-trust-too-broad', name: 'near miss: another account with an external id', seed: base({ entitlements: [mintEnt({ mechanism: 'assume_role', breadth: 'any_account', subject: 'acct-2', missing: [] }, { identity_ref: 'account:acct-2', identity_name: 'acct-2', level: 'write', privileged: false })] }), fires: [] },
  { rule: 'federation-trust-too-broad', name: 'one role of another account without an external id', seed: base({ entitlements: [mintEnt({ mechanism: 'assume_role', breadth: 'pinned', subject: 'acct-2:role/vendor', missing: ['sts:ExternalId'] }, { identity_ref: 'acct-2:role/vendor', level: 'write', privileged: false })] }), fires: ['m1'] },
  { rule: 'federation-trust-too-broad', name: 'near miss: the same role with an external id', seed: base({ entitlements: [mintEnt({ mechanism: 'assume_role', breadth: 'pinned', subject: 'acct-2:role/vendor', missing: [] }, { identity_ref: 'acct-2:role/vendor', level: 'write', privileged: false })] }), fires: [] },
  { rule: 'federation-trust-too-broad', name: 'near miss: an ordinary entitlement is no mint edge', seed: base({ identities: [svc()], entitlements: [ent({ level: 'admin', permission: 'admin' })] }), fires: [] },
  // The usual rules judge mint edges too: a grant naming the repository (a glob over the subject) approves the trust.
  { rule: 'ungranted-access', name: 'trusted subject no grant names', seed: base({ identities: [fedSubject()], entitlements: [mintEnt({ breadth: 'pinned' })] }), fires: ['m1'], severity: 'critical' },
  { rule: 'ungranted-access', name: 'trusted subject named by a grant on its repository', seed: base({ identities: [fedSubject()], entitlements: [mintEnt({ breadth: 'pinned' })], grants: [mintGrant('repo:acme/web:*')] }), fires: [] },
  { rule: 'ungranted-access', name: 'near miss: a grant naming another repository', seed: base({ identities: [fedSubject()], entitlements: [mintEnt({ breadth: 'pinned' })], grants: [mintGrant('repo:acme/api:*')] }), fires: ['m1'] },

  // static-credential-replaceable
  { rule: 'static-credential-replaceable', name: 'a CI secret named for a cloud key', seed: base({ credentials: [ciSecret()] }), fires: ['ci:acme/web/secret/AWS_ACCESS_KEY_ID'], severity: 'medium', reason: /pipeline acme\/web holds a long-lived aws credential; the pipeline could obtain short-lived credentials by OIDC/ },
  { rule: 'static-credential-replaceable', name: 'near miss: a CI secret whose name says nothing of a cloud', seed: base({ credentials: [ciSecret({ name: 'DEPLOY_TOKEN', attributes: { ci: { pipeline: 'acme/web', cloud: null, proposed_trust: null } } })] }), fires: [] },
  { rule: 'static-credential-replaceable', name: 'near miss: a cloud-named secret outside CI', seed: base({ credentials: [ciSecret({ attributes: { scope: 'vault' } })] }), fires: [] },
  { rule: 'static-credential-replaceable', name: 'near miss: a deleted CI secret', seed: base({ credentials: [ciSecret({ status: 'revoked' })] }), fires: [] },
  { rule: 'static-credential-replaceable', name: 'tied to the key by its pipeline tag, no federation yet: only the secret', seed: base({ identities: [cloudRole(1)], credentials: [ciSecret(), cloudKey()] }),
    fires: ['ci:acme/web/secret/AWS_ACCESS_KEY_ID'], reason: /\(AKIACI00000000000001\)/ },
  { rule: 'static-credential-replaceable', name: 'federation in use and the key idle: the key is ready to retire', seed: base({ identities: [cloudRole(1)], credentials: [ciSecret(), cloudKey()], entitlements: [fedEdge()] }),
    fires: ['arn:user/ci#key', 'ci:acme/web/secret/AWS_ACCESS_KEY_ID'], reason: /federated trust|already exists/ },
  { rule: 'static-credential-replaceable', name: 'near miss: the key is still used beside the federation', seed: base({ identities: [cloudRole(1)], credentials: [ciSecret(), cloudKey({ last_used_at: daysAgo(2) })], entitlements: [fedEdge()] }),
    fires: ['ci:acme/web/secret/AWS_ACCESS_KEY_ID'] },
  { rule: 'static-credential-replaceable', name: 'near miss: the federated role is not in use either', seed: base({ identities: [cloudRole(40)], credentials: [ciSecret(), cloudKey()], entitlements: [fedEdge()] }),
    fires: ['ci:acme/web/secret/AWS_ACCESS_KEY_ID'] },
  { rule: 'static-credential-replaceable', name: 'near miss: a federation for another pipeline', seed: base({ identities: [cloudRole(1)], credentials: [ciSecret(), cloudKey()], entitlements: [fedEdge({ attributes: { ci: { pipeline: 'acme/api' }, mint: mintFacts({ breadth: 'pinned', target_provider: 'aws', target_ref: 'arn:role/deploy' }) } })] }),
    fires: ['ci:acme/web/secret/AWS_ACCESS_KEY_ID'] },

  // default-workflow-token-write: every run of a pipeline receives a token with write on its repository by default.
  ...JOB_TOKEN_CASES,

  // expired-exception
  { rule: 'expired-exception', name: 'exception past its expiry', seed: base({ identities: [svc()], exceptions: [{ match: 'svc', reason: 'migration', expires_at: daysAgo(1) }] }), fires: ['x1'] },
  { rule: 'expired-exception', name: 'exception still in force', seed: base({ identities: [svc()], exceptions: [{ match: 'svc', reason: 'migration', expires_at: daysAhead(1) }] }), fires: [] },
  // integrations (issue #16)
  ...INTEGRATION_CASES,
  ...REVIEW_CASES,
  ...WIF_CASES,
];
