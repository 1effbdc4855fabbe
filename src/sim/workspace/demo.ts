// The Google Workspace part of `nhi-recon demo`: the seeded customer behind the simulator, a source that reads it as
// the admin through domain-wide delegation (a generated service-account key in a private temp folder, named by an env
// var), the delegation export, and authoritative records and integration-register entries so each finding has a cause.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoParts } from '../demo-types.js';
import { delegationExport } from './estate.js';
import { ADMIN, CLIENTS, CONNECTOR_SA, CUSTOMER_ID, DEMO_DOMAIN, generateKey, keyFileJson, seedEstate } from './seed.js';
import { startWorkspaceSim } from './server.js';

const KEY_ENV = 'NHI_DEMO_WORKSPACE_KEY_FILE';
const AUTH = 'https://www.googleapis.com/auth/';

export async function startDemo(): Promise<DemoParts> {
  const now = new Date();
  const day = (n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();
  const key = generateKey();
  const estate = seedEstate(now, key.publicKeyPem);
  const sim = await startWorkspaceSim(estate, { latencyMs: 5 });
  const dir = mkdtempSync(join(tmpdir(), 'nhi-recon-demo-workspace-'));
  const keyFile = join(dir, 'nhi-recon-sa.json');
  writeFileSync(keyFile, keyFileJson(key, `${sim.url}/token`), { mode: 0o600 });
  const dwdFile = join(dir, 'domain-wide-delegation.yaml');
  writeFileSync(dwdFile, delegationExport(estate));
  const client = (id: string) => `workspace:${CUSTOMER_ID}/clients/${id}`;
  const register = (e: Record<string, unknown>) => ({ provider: 'workspace', tenant: CUSTOMER_ID, approver: 'security-lead', ...e });
  return {
    sources: [{ name: 'workspace-demo', type: 'workspace', retries: 3, timeout_seconds: 10,
      options: { key_file_env: KEY_ENV, subject: ADMIN, api_endpoint: sim.url, token_url: `${sim.url}/token`,
        domain_wide_delegation_file: dwdFile, first_party_client_ids: ['3333-*', CONNECTOR_SA.clientId] } }],
    env: { [KEY_ENV]: keyFile },
    authority: {
      grants: [
        // nhi-recon's own delegation: both scopes approved, by name (admin level needs a grant that names it).
        ...['admin.directory.user.readonly', 'admin.directory.user.security'].map((scope, i) => ({
          id: `WS-${i + 1}`, provider: 'workspace', tenant: CUSTOMER_ID, identity: client(CONNECTOR_SA.clientId), resource: `workspace:${CUSTOMER_ID}`,
          permission: `${AUTH}${scope}`, max_level: i ? 'admin' : 'read', owner: 'alice', approver: 'security-lead', ticket: 'SEC-303',
          granted_at: day(-200), expires_at: day(165), justification: 'access reviews' })),
      ],
      owners: [
        { provider: 'workspace', tenant: CUSTOMER_ID, identity: client(CLIENTS.notes), owner: 'alice' },
        { provider: 'workspace', tenant: CUSTOMER_ID, identity: client(CLIENTS.intranet), owner: 'alice' },
        { provider: 'workspace', tenant: CUSTOMER_ID, identity: client(CONNECTOR_SA.clientId), owner: 'alice' },
        { provider: 'workspace', tenant: CUSTOMER_ID, identity: client(CLIENTS.etl), owner: 'dave' }, // departed
        // MailMerge Pro, SketchySync and Thunderbird have no owner: nobody approved them.
      ],
      people: [
        { id: 'alice', name: 'Alice Adams', email: `alice@${DEMO_DOMAIN}`, status: 'active', team: 'platform', logins: { workspace: [`alice@${DEMO_DOMAIN}`] } },
        // Not 'bob': the demo's SaaS directory has a departed Bob, and people merge by id.
        { id: 'bob.brown', name: 'Bob Brown', email: `bob@${DEMO_DOMAIN}`, status: 'active', team: 'web', logins: { workspace: [`bob@${DEMO_DOMAIN}`] } },
        { id: 'carol', name: 'Carol Cole', email: `carol@${DEMO_DOMAIN}`, status: 'active', team: 'sales', logins: { workspace: [`carol@${DEMO_DOMAIN}`] } },
        { id: 'erin', name: 'Erin Evans', email: `erin@${DEMO_DOMAIN}`, status: 'active', team: 'data', logins: { workspace: [`erin@${DEMO_DOMAIN}`] } },
        // Dave left 45 days ago but his account was never suspended: SketchySync still reads his mail.
        { id: 'dave', name: 'Dave Dodd', email: `dave@${DEMO_DOMAIN}`, status: 'departed', departed_at: day(-45).slice(0, 10), team: 'data', logins: { workspace: [`dave@${DEMO_DOMAIN}`] } },
        { id: 'frank', name: 'Frank Fox', email: `frank@${DEMO_DOMAIN}`, status: 'departed', departed_at: day(-120).slice(0, 10), team: 'ops', logins: { workspace: [`frank@${DEMO_DOMAIN}`] } },
      ],
    },
    integrations: [
      // The harmless read-only app, approved as it is.
      register({ app_id: CLIENTS.notes, name: 'Acme Notes', approved_scopes: ['openid', '*/userinfo.email', '*/calendar.readonly'], max_level: 'read',
        owner: 'alice', ticket: 'SEC-301', expires_at: day(365).slice(0, 10), justification: 'meeting notes' }),
      register({ app_id: CLIENTS.intranet, name: 'Acme Intranet', approved_scopes: ['openid', '*/userinfo.profile', '*/admin.directory.user.readonly'], max_level: 'read',
        owner: 'alice', ticket: 'SEC-302', justification: 'staff directory' }),
      register({ app_id: CONNECTOR_SA.clientId, name: 'nhi-recon', approved_scopes: [`${AUTH}admin.directory.user.readonly`, `${AUTH}admin.directory.user.security`],
        max_level: 'admin', owner: 'alice', ticket: 'SEC-303', justification: 'access reviews' }),
      // etl was approved to read mail tenant-wide for a migration; its Drive scope never was.
      register({ app_id: CLIENTS.etl, name: 'etl', approved_scopes: ['*/gmail.readonly'], max_level: 'read', owner: 'dave', ticket: 'SEC-304',
        expires_at: day(-10).slice(0, 10), justification: 'mail migration (ended)' }),
      // MailMerge Pro (full mail, third party), SketchySync (consented by departed dave) and Thunderbird are not in the register.
    ],
    expect: [
      'departed-person-access', // dave's SketchySync token is active after he left
      'orphaned-identity', // MailMerge Pro, SketchySync and Thunderbird have no owner; etl's owner dave departed
      'over-privileged', // full mail (admin level) reached by an app nobody granted
      'ungranted-access', // no grant names MailMerge Pro's or SketchySync's scopes
    ],
    close: async () => { await sim.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
