// Rule cases for integrations (issue #16): third-party apps judged against the integration register. Integration
// identities carry attributes.integration (IntegrationFacts), their scopes attributes.scope (ScopeFacts).
import { daysAgo, daysAhead, type Seed } from './harness.js';
import type { RuleCase } from './cases.js';

const facts = (f: Record<string, unknown> = {}) => ({ integration: { app_id: 'sf-123', kind: 'service_principal', publisher: 'Salesforce', verified_publisher: true, third_party: true, consented_by: null, ...f } });
const app = (f: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ ref: 'app1', kind: 'app', name: 'Salesforce', human: false, created_at: daysAgo(400), last_used_at: daysAgo(1), attributes: facts(f), ...extra });
const scope = (extra: Record<string, unknown> = {}, sf: Record<string, unknown> = {}) => ({ ref: 's1', identity_ref: 'app1', identity_name: 'Salesforce', resource_ref: 'tenant:t1', permission: 'Mail.Read', level: 'read',
  attributes: { scope: { tenant_wide: false, consent: 'admin', consented_by: null, ...sf } }, ...extra });
const entry = (extra: Record<string, unknown> = {}) => ({ id: 'R1', provider: 'prov', app_id: 'sf-123', approved_scopes: ['Mail.Read', 'User.*'], owner: 'alice', ticket: 'SEC-1', expires_at: daysAhead(100), ...extra });
const secret = (extra: Record<string, unknown> = {}) => ({ ref: 'cs1', kind: 'client_secret', name: 'prod secret', identity_ref: 'app1', created_at: daysAgo(30), last_used_at: daysAgo(1), expires_at: daysAhead(60), ...extra });
const alice = { id: 'alice', name: 'Alice', status: 'active', logins: { prov: ['alice'] } };
const bob = { id: 'bob', name: 'Bob', status: 'departed', departed_at: '2026-03-01', email: 'bob@example.com', logins: { prov: ['bob'] } };
const base = (s: Seed): Seed => ({ owners: [{ provider: 'prov', identity: 'app1', owner: 'alice' }], people: [alice, bob], ...s });

export const INTEGRATION_CASES: RuleCase[] = [
  // unapproved-integration
  { rule: 'unapproved-integration', name: 'third party with no register entry', seed: base({ identities: [app()], entitlements: [scope()] }), fires: ['app1'], severity: 'medium', reason: /no integration register entry approves it/ },
  { rule: 'unapproved-integration', name: 'approved by an entry in force', seed: base({ identities: [app()], entitlements: [scope()], integrations: [entry()] }), fires: [] },
  { rule: 'unapproved-integration', name: 'an app id glob approves', seed: base({ identities: [app()], entitlements: [scope()], integrations: [entry({ app_id: 'sf-*' })] }), fires: [] },
  { rule: 'unapproved-integration', name: 'an expired entry approves nothing', seed: base({ identities: [app()], entitlements: [scope()], integrations: [entry({ expires_at: daysAgo(10) })] }),
    fires: ['app1'], reason: /approved only by register entry R1, which expired on 2026-05-22 and approves nothing/ },
  { rule: 'unapproved-integration', name: 'an expired and a valid entry', seed: base({ identities: [app()], entitlements: [scope()], integrations: [entry({ id: 'old', expires_at: daysAgo(10) }), entry({ id: 'new' })] }), fires: [] },
  { rule: 'unapproved-integration', name: 'near miss: entry for another tenant', seed: base({ identities: [app()], entitlements: [scope()], integrations: [entry({ tenant: 't2' })] }), fires: ['app1'] },
  { rule: 'unapproved-integration', name: 'near miss: entry for another provider', seed: base({ identities: [app()], entitlements: [scope()], integrations: [entry({ provider: 'other' })] }), fires: ['app1'] },
  { rule: 'unapproved-integration', name: 'near miss: entry for another app id', seed: base({ identities: [app()], entitlements: [scope()], integrations: [entry({ app_id: 'sf-1234' })] }), fires: ['app1'] },
  { rule: 'unapproved-integration', name: 'first party not in the register is judged by grants', seed: base({ identities: [app({ third_party: false })], entitlements: [scope()] }), fires: [] },
  { rule: 'unapproved-integration', name: 'first party listed only by an expired entry', seed: base({ identities: [app({ third_party: false })], entitlements: [scope()], integrations: [entry({ expires_at: daysAgo(1) })] }), fires: ['app1'], reason: /First-party .* approves nothing/ },
  { rule: 'unapproved-integration', name: 'disabled integration', seed: base({ identities: [app({}, { disabled: true })], entitlements: [scope()] }), fires: [] },
  { rule: 'unapproved-integration', name: 'tenant-wide admin scope makes it critical', seed: base({ identities: [app()], entitlements: [scope({ permission: 'Directory.ReadWrite.All', level: 'admin' }, { tenant_wide: true })] }), fires: ['app1'], severity: 'critical' },

  // integration-scope-unapproved
  { rule: 'integration-scope-unapproved', name: 'scope outside the approved globs', seed: base({ identities: [app()], entitlements: [scope(), scope({ ref: 's2', permission: 'Mail.Send', level: 'write' })], integrations: [entry()] }),
    fires: ['s2'], severity: 'high', reason: /holds scope Mail.Send \(write\), which its register entry R1 does not approve/ },
  { rule: 'integration-scope-unapproved', name: 'scopes matched by a glob', seed: base({ identities: [app()], entitlements: [scope({ ref: 's2', permission: 'User.Read.All' })], integrations: [entry()] }), fires: [] },
  { rule: 'integration-scope-unapproved', name: 'scope matched but above max_level', seed: base({ identities: [app()], entitlements: [scope({ ref: 's2', permission: 'User.ReadWrite.All', level: 'write' })], integrations: [entry({ max_level: 'read' })] }),
    fires: ['s2'], reason: /above the read its register entry R1 approve/ },
  { rule: 'integration-scope-unapproved', name: 'only the expired entry approved the scope', seed: base({ identities: [app()], entitlements: [scope({ ref: 's2', permission: 'Files.Read.All' })],
    integrations: [entry({ id: 'old', approved_scopes: ['Files.*'], expires_at: daysAgo(3) }), entry({ id: 'new' })] }), fires: ['s2'], reason: /entry new does not approve/ },
  { rule: 'integration-scope-unapproved', name: 'unapproved app is reported once, not scope by scope', seed: base({ identities: [app()], entitlements: [scope({ ref: 's2', permission: 'Mail.Send', level: 'write' })] }), fires: [] },
  { rule: 'integration-scope-unapproved', name: 'first party listed in the register is judged too', seed: base({ identities: [app({ third_party: false })], entitlements: [scope({ ref: 's2', permission: 'Mail.Send', level: 'write' })], integrations: [entry()] }), fires: ['s2'] },
  // The register, not grants, judges the scopes of these integrations: ungranted-access and over-privileged stay quiet.
  { rule: 'ungranted-access', name: 'a third party\'s scope is judged by the register', seed: base({ identities: [app()], entitlements: [scope()] }), fires: [] },
  { rule: 'ungranted-access', name: 'near miss: an unregistered first party\'s scope is judged by grants', seed: base({ identities: [app({ third_party: false })], entitlements: [scope()] }), fires: ['s1'] },
  { rule: 'ungranted-access', name: 'near miss: a third party\'s entitlement that is not a scope', seed: base({ identities: [app()], entitlements: [scope({ attributes: null })] }), fires: ['s1'] },
  { rule: 'over-privileged', name: 'a third party\'s admin scope is judged by the register', seed: base({ identities: [app()], entitlements: [scope({ permission: 'Directory.ReadWrite.All', level: 'admin' })], integrations: [entry()] }), fires: [] },

  // third-party-tenant-wide-access
  { rule: 'third-party-tenant-wide-access', name: 'tenant-wide read scope', seed: base({ identities: [app()], entitlements: [scope({}, { tenant_wide: true })] }), fires: ['s1'], severity: 'medium', reason: /holds tenant-wide scope Mail.Read \(read, admin consent\)\./ },
  { rule: 'third-party-tenant-wide-access', name: 'admin scope on one resource', seed: base({ identities: [app()], entitlements: [scope({ permission: 'Sites.FullControl', level: 'admin' })] }), fires: ['s1'], severity: 'critical' },
  { rule: 'third-party-tenant-wide-access', name: 'approved still reported, naming the entry', seed: base({ identities: [app()], entitlements: [scope({}, { tenant_wide: true })], integrations: [entry()] }), fires: ['s1'], reason: /approved by register entry R1/ },
  { rule: 'third-party-tenant-wide-access', name: 'near miss: write on one user\'s data', seed: base({ identities: [app()], entitlements: [scope({ permission: 'Mail.Send', level: 'write' })] }), fires: [] },
  { rule: 'third-party-tenant-wide-access', name: 'near miss: first party tenant-wide', seed: base({ identities: [app({ third_party: false })], entitlements: [scope({}, { tenant_wide: true })] }), fires: [] },

  // stale-integration
  { rule: 'stale-integration', name: 'unused for 120 days', seed: base({ identities: [app({}, { last_used_at: daysAgo(120) })], entitlements: [scope()] }), fires: ['app1'], severity: 'low', reason: /last used 120 days ago/ },
  { rule: 'stale-integration', name: 'near miss: its secret was used last week', seed: base({ identities: [app({}, { last_used_at: daysAgo(120) })], entitlements: [scope()], credentials: [secret({ last_used_at: daysAgo(7) })] }), fires: [] },
  { rule: 'stale-integration', name: 'near miss: a scope was used last week', seed: base({ identities: [app({}, { last_used_at: null })], entitlements: [scope({ last_used_at: daysAgo(7) })] }), fires: [] },
  { rule: 'stale-integration', name: 'never used, older than grace', seed: base({ identities: [app({}, { last_used_at: null, created_at: daysAgo(30) })] }), fires: ['app1'], reason: /never been used/ },
  { rule: 'stale-integration', name: 'near miss: last use not reported', seed: base({ identities: [app({}, { last_used_at: null, last_used_known: false })] }), fires: [] },
  { rule: 'stale-identity', name: 'an integration is reported as stale-integration instead', seed: base({ identities: [app({}, { last_used_at: daysAgo(120) })] }), fires: [] },

  // integration-consenter-departed
  { rule: 'integration-consenter-departed', name: 'consented by a departed person', seed: base({ identities: [app({ consented_by: 'bob' })], entitlements: [scope()] }), fires: ['app1'], reason: /consented to by Bob \(bob\), who departed on 2026-03-01/ },
  { rule: 'integration-consenter-departed', name: 'a scope consented by a departed person (by email)', seed: base({ identities: [app()], entitlements: [scope({}, { consent: 'user', consented_by: 'Bob@Example.com' })] }), fires: ['app1'] },
  { rule: 'integration-consenter-departed', name: 'near miss: consented by an active person', seed: base({ identities: [app({ consented_by: 'alice' })], entitlements: [scope()] }), fires: [] },
  { rule: 'integration-consenter-departed', name: 'near miss: the same login on another provider', seed: base({ people: [alice, { ...bob, id: 'p-bob' }], identities: [app({ consented_by: 'bob' }, { provider: 'other' })], entitlements: [scope({ provider: 'other' })] }), fires: [] },
  { rule: 'integration-consenter-departed', name: 'near miss: no access left', seed: base({ identities: [app({ consented_by: 'bob' })] }), fires: [] },

  // unverified-publisher-write
  { rule: 'unverified-publisher-write', name: 'unverified publisher with a write scope', seed: base({ identities: [app({ verified_publisher: false, publisher: 'Sales F0rce' })], entitlements: [scope({ permission: 'Mail.Send', level: 'write' })] }),
    fires: ['app1'], severity: 'high', reason: /unverified publisher Sales F0rce holds write access: Mail.Send/ },
  { rule: 'unverified-publisher-write', name: 'near miss: read only', seed: base({ identities: [app({ verified_publisher: false })], entitlements: [scope()] }), fires: [] },
  { rule: 'unverified-publisher-write', name: 'near miss: verification unknown', seed: base({ identities: [app({ verified_publisher: null })], entitlements: [scope({ permission: 'Mail.Send', level: 'write' })] }), fires: [] },
  { rule: 'unverified-publisher-write', name: 'near miss: verified publisher', seed: base({ identities: [app()], entitlements: [scope({ permission: 'Mail.Send', level: 'write' })] }), fires: [] },
  { rule: 'unverified-publisher-write', name: 'near miss: first party', seed: base({ identities: [app({ verified_publisher: false, third_party: false })], entitlements: [scope({ permission: 'Mail.Send', level: 'write' })] }), fires: [] },

  // integration-credential-age
  { rule: 'integration-credential-age', name: 'secret never rotated for 200 days', seed: base({ identities: [app()], entitlements: [scope()], credentials: [secret({ created_at: daysAgo(200) })] }),
    fires: ['cs1'], severity: 'medium', reason: /client secret prod secret of integration Salesforce \(app sf-123, publisher Salesforce\) was created and never rotated 200 days ago/ },
  { rule: 'integration-credential-age', name: 'API token without expiry', seed: base({ identities: [app()], credentials: [secret({ kind: 'api_token', name: 'tok', expires_at: null })] }), fires: ['cs1'], reason: /never expires\.$/ },
  { rule: 'integration-credential-age', name: 'old and without expiry', seed: base({ identities: [app()], credentials: [secret({ created_at: daysAgo(200), expires_at: null })] }), fires: ['cs1'], reason: /limit and never expires/ },
  { rule: 'integration-credential-age', name: 'near miss: young secret with an expiry', seed: base({ identities: [app()], credentials: [secret()] }), fires: [] },
  { rule: 'integration-credential-age', name: 'near miss: provider without expiry support', seed: base({ identities: [app()], credentials: [secret({ expires_at: null, expiry_supported: false })] }), fires: [] },
  { rule: 'integration-credential-age', name: 'near miss: revoked', seed: base({ identities: [app()], credentials: [secret({ created_at: daysAgo(200), status: 'revoked' })] }), fires: [] },
  { rule: 'integration-credential-age', name: 'near miss: a credential of an ordinary identity', seed: base({ identities: [app({}, { attributes: null })], credentials: [secret({ created_at: daysAgo(200) })] }), fires: [] },
  { rule: 'unrotated-credential', name: 'an integration\'s secret is reported as integration-credential-age instead', seed: base({ identities: [app()], credentials: [secret({ created_at: daysAgo(200) })] }), fires: [] },
  { rule: 'non-expiring-credential', name: 'an integration\'s token is reported as integration-credential-age instead', seed: base({ identities: [app()], credentials: [secret({ expires_at: null })] }), fires: [] },
];
