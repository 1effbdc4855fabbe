// The Azure part of `nhi-recon demo`: the seeded "contoso" estate (two subscriptions, the directory, two vaults)
// behind the HTTPS simulator, a source pointing the real connector at it, and authoritative records written so that
// each expected finding has one clear cause.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { DemoParts } from '../demo-types.js';
import { ROLE, guid } from './estate.js';
import { DAY, GITHUB_ISSUER, S1, S2, T, contosoEstate, id, iso } from './seed.js';
import { startAzureSim } from './server.js';

const TOKEN_ENV = 'NHI_DEMO_AZURE_TOKEN';

export async function startDemo(): Promise<DemoParts> {
  const now = Date.now();
  const estate = contosoEstate(now);
  // One more secret on legacy-sync: valid for months yet, last used 200 days ago (known, from the sign-in report).
  const stale = guid('pw-legacy-stale');
  estate.applications.find((a) => a.id === id.appLegacy)!.passwordCredentials.push({ keyId: stale, displayName: 'batch', hint: 'Qq4', startDateTime: iso(now - 300 * DAY), endDateTime: iso(now + 60 * DAY) });
  estate.signIns.credentials[stale] = iso(now - 200 * DAY);
  const token = `demo-${randomBytes(12).toString('hex')}`;
  const sim = await startAzureSim({ estate, token, latencyMs: 5, pageSize: 50 });
  // The simulator's self-signed certificate, trusted through ca_file (there is no "insecure" switch to use instead).
  const dir = mkdtempSync(join(tmpdir(), 'nhi-recon-azure-demo-'));
  const ca = join(dir, 'azure-sim-ca.pem');
  writeFileSync(ca, sim.ca, { mode: 0o600 });

  const day = (n: number) => iso(now + n * DAY);
  const sub1 = `/subscriptions/${S1}`, sub2 = `/subscriptions/${S2}`;
  const grant = (g: Record<string, unknown>) => ({
    provider: 'azure', permission: '*', owner: 'alice', approver: 'security-lead', granted_at: day(-365), expires_at: day(180), justification: 'demo', ...g,
  });
  return {
    sources: [{ name: 'azure-demo', type: 'azure', tenants: [S1, S2], retries: 3, timeout_seconds: 10,
      options: { tenant_id: T, arm_endpoint: sim.armEndpoint, graph_endpoint: sim.graphEndpoint, keyvault_dns_suffix: '127.0.0.1', ca_file: ca, token_env: TOKEN_ENV } }],
    env: { [TOKEN_ENV]: token },
    authority: {
      grants: [
        // Approved Owner on prod for the deploy bot, with no end date: standing privilege.
        grant({ id: 'AZ-1', tenant: S1, identity: 'deploy-bot', resource: sub1, permission: ROLE.owner, max_level: 'owner', expires_at: null, ticket: 'SEC-201' }),
        grant({ id: 'AZ-2', tenant: S2, identity: 'deploy-bot', resource: sub2, permission: ROLE.contributor, max_level: 'write', ticket: 'SEC-202' }),
        // legacy-sync's Contributor approval lapsed a month ago; the assignment is still there.
        grant({ id: 'AZ-3', tenant: S1, identity: 'legacy-sync', resource: `${sub1}/resourceGroups/rg-app`, permission: ROLE.contributor, max_level: 'write', granted_at: day(-700), expires_at: day(-30), ticket: 'SEC-203' }),
        // web-identity was approved to read in dev; it holds a custom role that writes role assignments.
        grant({ id: 'AZ-4', tenant: S2, identity: 'web-identity', resource: sub2, max_level: 'read', ticket: 'SEC-204' }),
        grant({ id: 'AZ-5', tenant: S1, identity: 'web-identity', resource: `${sub1}/resourceGroups/rg-app/*`, permission: ROLE.reader, max_level: 'read', ticket: 'SEC-205' }),
        // Alice's User Access Administrator is just-in-time (PIM, four hours) under a time-bound grant.
        grant({ id: 'AZ-6', tenant: S1, identity: 'alice@contoso.example', resource: sub1, permission: ROLE.userAccessAdministrator, max_level: 'admin', expires_at: day(30), ticket: 'SEC-206' }),
        grant({ id: 'AZ-7', tenant: S1, identity: 'ops-team', resource: sub1, permission: ROLE.reader, max_level: 'read', ticket: 'SEC-207' }),
        grant({ id: 'AZ-8', tenant: S1, identity: 'carol@contoso.example', resource: '/providers/Microsoft.Management/managementGroups/*', permission: ROLE.reader, max_level: 'read', ticket: 'SEC-208' }),
        grant({ id: 'AZ-9', tenant: S1, identity: 'alice@contoso.example', resource: `${sub1}/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-prod`, permission: 'accessPolicy/*', max_level: 'read', ticket: 'SEC-209' }),
        // Nothing approves bob's Owner eligibility on prod or legacy-sync reading kv-prod's secrets: ungranted.
        // GitHub Actions of contoso/web's production environment may sign in as deploy-bot (a pinned federated
        // credential). legacy-sync's flexible credential (any repository of the organisation) is approved by nothing.
        grant({ id: 'AZ-10', tenant: T, identity: `oidc:${GITHUB_ISSUER}#repo:contoso/web:environment:production`, resource: `azure:${T}/sp/${id.spDeploy}`,
          permission: 'federatedIdentityCredential', max_level: 'write', ticket: 'SEC-210' }),
      ],
      owners: [
        { provider: 'azure', tenant: '*', identity: 'web-identity', owner: 'alice' },
        // legacy-sync is tagged owner:bob, who has departed; lonely-app has no owner at all: both orphaned.
      ],
      people: [
        { id: 'alice', name: 'Alice Adams', email: 'alice@contoso.example', status: 'active', team: 'platform', logins: { azure: ['alice@contoso.example'] } },
        { id: 'carol', name: 'Carol Chen', email: 'carol@contoso.example', status: 'active', team: 'finance', logins: { azure: ['carol@contoso.example'] } },
        { id: 'bob', name: 'Bob Brown', email: 'bob@contoso.example', status: 'departed', departed_at: day(-60).slice(0, 10), team: 'platform', logins: { azure: ['bob@contoso.example'] } },
      ],
    },
    // The integration register (issue 16): Acme CRM is approved for delegated read scopes only, yet holds Mail.ReadWrite
    // as an application permission on every mailbox; Idle Survey is approved for sign-in only (User.Read) and unused; Sketchy Notes (an
    // unverified publisher's app that bob, now departed, consented to write all his files) is in no register entry.
    integrations: [
      { provider: 'azure', tenant: T, app_id: id.appCrmId, name: 'Acme CRM', approved_scopes: ['User.Read', 'Mail.Read', 'offline_access'], max_level: 'read',
        owner: 'alice', ticket: 'SEC-301', approver: 'security-lead', expires_at: day(180).slice(0, 10), justification: 'CRM contact sync' },
      { provider: 'azure', tenant: T, app_id: id.appSurveyId, name: 'Idle Survey', approved_scopes: ['User.Read'], max_level: 'read', owner: 'carol', ticket: 'SEC-302', approver: 'security-lead',
        justification: 'staff survey' },
    ],
    expect: [
      'standing-privilege', // deploy-bot is Owner of prod under a grant with no expiry, no PIM end time
      'non-expiring-credential', // deploy-bot's client secret runs 3 years; lonely-app's secret and kv-prod/db-password never expire
      'expired-grant', // legacy-sync's Contributor grant lapsed 30 days ago
      'over-privileged', // web-identity holds a custom role that manages access, approved for read
      'ungranted-access', // bob's Owner eligibility; legacy-sync's secrets get/list access policy on kv-prod
      'orphaned-identity', // lonely-app has no owner; legacy-sync's owner tag names bob, who departed
      'stale-credential', // legacy-sync's "batch" secret last signed in 200 days ago
      'unrotated-credential', // kv-prod/db-password's current value is 700 days old
      'departed-person-access', // bob (departed) keeps an Owner eligibility on prod
    ],
    close: async () => { await sim.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
