// The Okta part of `nhi-recon demo`: the seeded acme.okta.com org behind the simulator, a source pointing the real
// connector (the Okta SDK) at it, and authoritative records written so that each expected finding has one cause:
// a third-party service app holding okta.users.manage, an old client secret, an API token of a departed admin that
// works from any network.
import { randomBytes } from 'node:crypto';
import type { DemoParts } from '../demo-types.js';
import { seedEstate } from './estate.js';
import { startOktaSim } from './server.js';

const TOKEN_ENV = 'NHI_DEMO_OKTA_TOKEN';
const ORG = 'acme.okta.com';

export async function startDemo(): Promise<DemoParts> {
  const now = new Date();
  const day = (n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();
  const token = `demo-${randomBytes(12).toString('hex')}`;
  const estate = seedEstate(now, ORG);
  // Secret values the simulator lists (as Okta does) are random per run: nothing in the demo can depend on them.
  for (const a of estate.apps) for (const s of a.secrets) s.value = randomBytes(24).toString('base64url');
  // In the demo the old reporting app was never switched off: still active, and nobody owns it.
  estate.apps.find((a) => a.id === '0oa3old')!.status = 'ACTIVE';
  const sim = await startOktaSim(estate, { token, latencyMs: 5, pageSize: 50 });
  const app = (id: string) => `okta:${ORG}/apps/${id}`;
  const org = `okta:${ORG}`;
  const grant = (g: Record<string, unknown>) => ({
    provider: 'okta', tenant: ORG, owner: 'carol', approver: 'security-lead', granted_at: day(-365), expires_at: day(180), justification: 'demo', ...g,
  });
  return {
    sources: [{ name: 'okta-demo', type: 'okta', retries: 3, timeout_seconds: 10,
      options: { org_url: sim.url, tenant_name: ORG, token_env: TOKEN_ENV, own_apps: ['ops-*'] } }],
    env: { [TOKEN_ENV]: token },
    authority: {
      grants: [
        grant({ id: 'OKTA-1', identity: app('0oa2ops'), resource: org, permission: 'okta.apps.read', max_level: 'read', ticket: 'SEC-301' }),
        grant({ id: 'OKTA-2', identity: app('0oa2ops'), resource: org, permission: 'okta.logs.read', max_level: 'read', ticket: 'SEC-302' }),
        // The CRM vendor was approved to read groups; nothing approves okta.users.manage (admin on users: over-privileged).
        grant({ id: 'OKTA-3', identity: app('0oa1crm'), resource: org, permission: 'okta.groups.read', max_level: 'read', ticket: 'SEC-303' }),
        // ORG_ADMIN on ops-automation has no grant: an admin role on a non-human identity nobody approved.
      ],
      owners: [
        { provider: 'okta', tenant: ORG, identity: app('0oa2ops'), owner: 'carol' },
        { provider: 'okta', tenant: ORG, identity: app('0oa1crm'), owner: 'alice' },
        // old-reporting has no owner record: orphaned.
      ],
      people: [
        { id: 'alice', name: 'Alice Adams', email: 'alice@acme.example', status: 'active', team: 'platform', logins: { okta: ['alice@acme.example'] } },
        { id: 'carol', name: 'Carol Chen', email: 'carol@acme.example', status: 'active', team: 'it', logins: { okta: ['carol@acme.example'] } },
        // Dave left, but his Okta account was never offboarded: his API token (network ANYWHERE) still works.
        { id: 'dave', name: 'Dave Dodd', email: 'dave@acme.example', status: 'departed', departed_at: day(-45).slice(0, 10), team: 'it', logins: { okta: ['dave@acme.example'] } },
      ],
    },
    // Integration register entries (authority kind `integrations`): the CRM vendor approved for read scopes only.
    integrations: [
      { provider: 'okta', tenant: ORG, app_id: '0oa1crm', name: 'CRM Sync', approved_scopes: ['okta.groups.read', 'okta.users.read'], max_level: 'read',
        owner: 'alice', ticket: 'SEC-303', approver: 'security-lead', expires_at: day(180).slice(0, 10), justification: 'CRM contact sync' },
      { provider: 'okta', tenant: ORG, app_id: '0oa2ops', name: 'ops-automation', approved_scopes: ['okta.apps.read', 'okta.logs.read'], max_level: 'read',
        owner: 'carol', ticket: 'SEC-301', approver: 'security-lead', justification: 'in-house automation' },
    ],
    expect: [
      'departed-person-access', // dave (departed) owns an active API token usable from anywhere
      'over-privileged', // okta.users.manage of the third-party CRM app, ORG_ADMIN on ops-automation: admin, no grant names them
      'ungranted-access', // old-reporting's scope and roles: approved by nobody
      'unrotated-credential', // CRM secret ocs1old, 800 days old; legacy-sync token 700 days old
      'orphaned-identity', // old-reporting, still active, has no owner
    ],
    close: () => sim.close(),
  };
}
