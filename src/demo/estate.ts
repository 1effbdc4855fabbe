// The built-in sample estate of a SaaS tool with no connector of its own, imported through the file connector.
// Dated relative to today, it is built so that every finding kind appears at least once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const day = 86_400_000;

export function writeSaasEstate(dir: string, now = new Date()): { grants: Record<string, unknown>[]; owners: Record<string, unknown>[]; people: Record<string, unknown>[]; exceptions: Record<string, unknown>[]; integrations: Record<string, unknown>[] } {
  const ago = (n: number) => new Date(now.getTime() - n * day).toISOString();
  const ahead = (n: number) => new Date(now.getTime() + n * day).toISOString();
  const identities = [
    ['u-alice', 'user', 'alice', 'alice', 'true', '', ago(700), ago(1)],
    ['u-bob', 'user', 'bob', 'bob', 'true', '', ago(900), ago(70)],
    ['svc-ci', 'service_account', 'ci-deployer', '', 'false', '', ago(400), ago(1)],
    ['svc-legacy', 'service_account', 'legacy-sync', '', 'false', '', ago(1200), ago(200)],
    ['bot-report', 'bot', 'bot-report', '', 'false', 'carol', ago(300), ago(2)],
    ['svc-new', 'service_account', 'new-integration', '', 'false', 'alice', ago(20), ago(3)],
  ];
  writeFileSync(join(dir, 'identities.csv'), ['ref,kind,name,login,human,owner,created_at,last_used_at', ...identities.map((r) => r.join(','))].join('\n') + '\n');
  const creds = [
    { ref: 'tok-ci', kind: 'app_key', name: 'ci-deployer token', identity_ref: 'svc-ci', created_at: ago(200), last_used_at: ago(1), expires_at: null, status: 'active' },
    { ref: 'tok-legacy', kind: 'app_key', name: 'legacy-sync token', identity_ref: 'svc-legacy', created_at: ago(400), last_used_at: ago(150), expires_at: ahead(200), status: 'active' },
    { ref: 'tok-leaked', kind: 'pat', name: 'report bot token', identity_ref: 'bot-report', created_at: ago(30), last_used_at: ago(2), expires_at: ahead(60), status: 'active',
      leak_signal: 'found in a public paste by the vendor\'s secret scanning' },
    { ref: 'tok-bob', kind: 'pat', name: 'bob personal token', identity_ref: 'u-bob', created_by: 'bob', created_at: ago(100), last_used_at: ago(65), expires_at: ahead(100), status: 'active' },
    { ref: 'vault/db-password', kind: 'stored_secret', name: 'db-password', owner: 'bob', created_at: ago(50), expiry_supported: false, last_used_known: false, status: 'active' },
    { ref: 'tok-legacy-used', kind: 'app_key', name: 'legacy-sync replica token', identity_ref: 'svc-legacy', created_at: ago(60), last_used_at: ago(5), expires_at: ahead(30), status: 'active' },
  ];
  writeFileSync(join(dir, 'credentials.ndjson'), creds.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const ents = [
    { identity_ref: 'u-alice', identity_name: 'alice', resource_ref: 'workspace', permission: 'member', level: 'write' },
    { identity_ref: 'u-bob', identity_name: 'bob', resource_ref: 'workspace', permission: 'member', level: 'write' },
    { identity_ref: 'svc-ci', identity_name: 'ci-deployer', resource_ref: 'workspace', permission: 'admin', level: 'admin', privileged: true },
    { identity_ref: 'svc-legacy', identity_name: 'legacy-sync', resource_ref: 'billing', permission: 'write', level: 'write', last_used_at: ago(5) },
    { identity_ref: 'bot-report', identity_name: 'bot-report', resource_ref: 'reports', permission: 'admin', level: 'admin', privileged: true },
    { identity_ref: 'svc-new', identity_name: 'new-integration', resource_ref: 'docs', permission: 'read', level: 'read' },
    { identity_ref: 'svc-new', identity_name: 'new-integration', resource_ref: 'wiki', permission: 'read', level: 'read' },
  ];
  writeFileSync(join(dir, 'entitlements.json'), JSON.stringify(ents, null, 2) + '\n');
  // Third-party apps connected to the SaaS tool (integrations): crm-sync is approved by the register and behaves
  // (its old client secret aside); quick-survey is unapproved, from an unverified publisher, consented to by bob
  // (departed) and unused for months.
  const integration = (app_id: string, publisher: string, verified: boolean, consented_by: string) =>
    ({ integration: { app_id, kind: 'oauth_client', publisher, verified_publisher: verified, third_party: true, multi_tenant: true, consented_by } });
  const apps = [
    { ref: 'app-crm', kind: 'app', name: 'CRM Sync', human: false, created_at: ago(500), last_used_at: ago(1), attributes: integration('crm-sync-001', 'CRM Vendor Inc', true, 'alice') },
    { ref: 'app-survey', kind: 'app', name: 'QuickSurvey', human: false, created_at: ago(300), last_used_at: ago(120), attributes: integration('quick-survey-77', 'Survey Tools LLC', false, 'bob') },
  ];
  writeFileSync(join(dir, 'app-identities.ndjson'), apps.map((a) => JSON.stringify(a)).join('\n') + '\n');
  const scope = (identity_ref: string, identity_name: string, permission: string, level: string, tenant_wide: boolean, consent: string, consented_by: string | null) =>
    ({ ref: `${identity_ref}/scope/${permission}`, identity_ref, identity_name, resource_ref: 'workspace', permission, level, privileged: level === 'admin',
      attributes: { scope: { tenant_wide, consent, consented_by } } });
  const appScopes = [
    scope('app-crm', 'CRM Sync', 'contacts.read', 'read', false, 'admin', 'alice'),
    scope('app-crm', 'CRM Sync', 'deals.write', 'write', false, 'admin', 'alice'),
    scope('app-crm', 'CRM Sync', 'workspace.admin', 'admin', true, 'admin', 'alice'),
    scope('app-survey', 'QuickSurvey', 'forms.write', 'write', false, 'user', 'bob'),
  ];
  writeFileSync(join(dir, 'app-entitlements.ndjson'), appScopes.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const appCreds = [
    { ref: 'app-crm/secret/1', kind: 'client_secret', name: 'crm-sync production secret', identity_ref: 'app-crm', created_at: ago(200), last_used_at: ago(1), expires_at: ahead(165), status: 'active' },
    { ref: 'app-crm/secret/2', kind: 'client_secret', name: 'crm-sync rotated secret', identity_ref: 'app-crm', created_at: ago(20), last_used_at: ago(1), expires_at: ahead(160), status: 'active' },
  ];
  writeFileSync(join(dir, 'app-credentials.ndjson'), appCreds.map((c) => JSON.stringify(c)).join('\n') + '\n');
  return {
    people: [
      { id: 'alice', name: 'Alice Example', email: 'alice@example.com', status: 'active', team: 'platform', logins: { saas: ['alice'] } },
      { id: 'bob', name: 'Bob Example', email: 'bob@example.com', status: 'departed', departed_at: ago(60).slice(0, 10), team: 'data', logins: { saas: ['bob'] } },
      { id: 'carol', name: 'Carol Example', email: 'carol@example.com', status: 'active', team: 'finance', logins: { saas: ['carol'] } },
    ],
    owners: [{ provider: 'saas', identity: 'svc-ci', owner: 'alice' }, { provider: 'saas', identity: 'app-crm', owner: 'alice' }],
    grants: [
      { id: 'SAAS-1', provider: 'saas', identity: 'alice', resource: 'workspace', permission: 'member', max_level: 'write', approver: 'carol', ticket: 'IAM-101', granted_at: ago(700).slice(0, 10), expires_at: ahead(300).slice(0, 10), justification: 'engineer' },
      { id: 'SAAS-2', provider: 'saas', identity: 'bob', resource: 'workspace', permission: 'member', max_level: 'write', approver: 'carol', ticket: 'IAM-102', granted_at: ago(900).slice(0, 10), expires_at: ahead(100).slice(0, 10), justification: 'analyst' },
      { id: 'SAAS-3', provider: 'saas', identity: 'svc-ci', resource: 'workspace', permission: 'admin', max_level: 'admin', owner: 'alice', approver: 'carol', ticket: 'IAM-103', granted_at: ago(400).slice(0, 10), justification: 'deploys the workspace config', owner_team: 'data' },
      { id: 'SAAS-4', provider: 'saas', identity: 'svc-legacy', resource: 'billing', permission: 'write', max_level: 'write', owner: 'bob', approver: 'carol', ticket: 'IAM-104', granted_at: ago(1200).slice(0, 10), expires_at: ago(30).slice(0, 10), justification: 'billing sync (to be retired)' },
      { id: 'SAAS-5', provider: 'saas', identity: 'bot-*', resource: '*', permission: '*', max_level: 'write', owner: 'carol', approver: 'alice', ticket: 'IAM-105', expires_at: ahead(90).slice(0, 10), justification: 'reporting bots may write reports' },
      { id: 'SAAS-6', provider: 'saas', identity: 'svc-ci', resource: 'analytics', permission: 'read', max_level: 'read', owner: 'alice', approver: 'carol', ticket: 'IAM-106', expires_at: ahead(60).slice(0, 10), justification: 'read dashboards (never provisioned)' },
      // A draft proposed by `nhi-recon baseline`: known access awaiting its owner's review (unreviewed-grant).
      { id: 'draft-svc-new-wiki', status: 'draft', provider: 'saas', tenant: 'acme-saas', identity: 'svc-new', resource: 'wiki', permission: 'read', max_level: 'read', owner: 'alice',
        granted_at: ago(1).slice(0, 10), expires_at: ahead(89).slice(0, 10), justification: 'observed by baseline', provenance: { signal: 'provider', run_id: 'demo' } },
    ],
    integrations: [
      { id: 'SAAS-APP-1', provider: 'saas', app_id: 'crm-sync-*', name: 'CRM Sync', approved_scopes: ['contacts.*', 'deals.*'], max_level: 'write', owner: 'alice',
        approver: 'carol', ticket: 'VRM-12', approved_at: ago(500).slice(0, 10), expires_at: ahead(200).slice(0, 10), justification: 'CRM sync, vendor review 2025' },
    ],
    exceptions: [
      { id: 'EXC-1', rule: 'ungranted-access', match: 'svc-new|*', reason: 'integration under review', ticket: 'SEC-7', owner: 'alice', expires_at: ago(2).slice(0, 10) },
    ],
  };
}
