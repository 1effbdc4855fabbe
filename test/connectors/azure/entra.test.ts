// Issues 16 and 17 (Entra): application permissions, delegated consents, directory roles, federated credentials and the
// integration facts of service principals, collected through the real Graph client from the simulator.
import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../../src/sim/http.js';
import { IntegrationFacts, MintFacts, ScopeFacts } from '../../../src/model/index.js';
import { setupSql } from '../../../src/reconcile/setup.js';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { GITHUB_ISSUER, MS, T, id, startSim, testEstate } from './fixture.js';

const sp = (x: string) => `azure:${T}/sp/${x}`;

async function run(simOpts: Parameters<typeof startSim>[1] = {}, optionsPatch: Record<string, unknown> = {}) {
  const dir = tempDir();
  const { sim, source, env } = await startSim(dir, simOpts);
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [{ ...source, options: { ...(source.options as object), ...optionsPatch } }], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env });
  type Row = Record<string, any>; // rows are checked field by field below
  const rows = async (table: string): Promise<Row[]> => (await store.all<Row>(`SELECT * FROM ${table} WHERE run_id = $1 AND tenant = $2 ORDER BY ref`, [runId, T]))
    .map((r) => ({ ...r, attributes: r.attributes ? JSON.parse(r.attributes as string) : null }));
  const directory = outcomes.find((o) => o.tenant === T)!;
  return { sim, store, runId, outcomes, directory, rows };
}

/** The directory's Entra rows as comparable lines: what the seeded estate holds, and nothing else. */
const entraLines = (ents: Record<string, any>[]) => ents.filter((e) => e.attributes?.entra_kind).map((e) => `${e.attributes.entra_kind} ${e.identity_ref} ${e.permission} ${e.level}`).sort();

describe('azure connector: Entra grants (issue 16)', () => {
  it('app role assignments: permission = the resource app role value, tenant-wide application consent, resource = the resource service principal', async () => {
    const { directory, rows } = await run();
    expect(directory).toMatchObject({ status: 'complete', error: null });
    const ents = await rows('entitlements');
    const crm = ents.find((e) => e.ref === `${sp(id.spCrm)}/appRoleAssignments/${id.araCrmMail}`)!;
    expect(crm).toMatchObject({ identity_ref: sp(id.spCrm), identity_name: 'Acme CRM', resource_ref: sp(id.msGraph), permission: 'Mail.ReadWrite', level: 'write' });
    expect(ScopeFacts.parse(crm.attributes.scope)).toEqual({ tenant_wide: true, consent: 'application', consented_by: null });
    expect(crm.attributes).toMatchObject({ app_role_id: MS.role.mailReadWrite, resource_name: 'Microsoft Graph', resource_app_id: MS.graphAppId, role_resolved: true });
    // Exchange's full_access_as_app reaches every mailbox: admin, privileged.
    expect(ents.find((e) => e.permission === 'full_access_as_app')).toMatchObject({ identity_ref: sp(id.spLegacy), resource_ref: sp(id.spExo), level: 'admin', privileged: true });
  });

  it('delegated consents: one entitlement per scope; admin consent is tenant-wide, a user consent names the consenting user', async () => {
    const { rows } = await run();
    const ents = await rows('entitlements');
    const grant = (gid: string) => ents.filter((e) => e.attributes?.grant_id === gid);
    expect(grant(id.grantCrm).map((e) => e.permission).sort()).toEqual(['Mail.Read', 'User.Read', 'offline_access']);
    for (const e of grant(id.grantCrm)) {
      expect(ScopeFacts.parse(e.attributes.scope)).toEqual({ tenant_wide: true, consent: 'admin', consented_by: null });
      expect(e.attributes).toMatchObject({ consent_type: 'AllPrincipals', grant_scopes: 'User.Read Mail.Read offline_access', resource_name: 'Microsoft Graph' });
    }
    // The stored scope string is padded with spaces, as Graph stores it: split on whitespace, never an empty scope.
    expect(grant(id.grantNotesBob).map((e) => e.permission).sort()).toEqual(['Files.ReadWrite.All', 'offline_access']);
    for (const e of grant(id.grantNotesBob)) {
      expect(ScopeFacts.parse(e.attributes.scope)).toEqual({ tenant_wide: false, consent: 'user', consented_by: 'bob@contoso.example' });
      expect(e.attributes.principal_id).toBe(id.bob);
    }
    expect(grant(id.grantNotesBob).find((e) => e.permission === 'Files.ReadWrite.All')).toMatchObject({ level: 'write', identity_ref: sp(id.spNotes) });
  });

  it('directory roles held by service principals (users are not recorded here), with level by role template', async () => {
    const { rows } = await run();
    const roles = (await rows('entitlements')).filter((e) => e.attributes?.entra_kind === 'directory_role');
    expect(roles.map((e) => `${e.identity_ref} ${e.attributes.role_name} ${e.level} ${e.privileged} ${e.resource_ref}`).sort()).toEqual([
      `${sp(id.spLegacy)} Application Administrator admin true azure:${T}/directory`,
      `${sp(id.mi)} Directory Readers read false azure:${T}/directory`,
    ].sort());
  });

  it('integration facts: third party by owner tenant, publisher and its verification, multi-tenant, the single consenting user', async () => {
    const { rows } = await run();
    const idents = await rows('identities');
    const facts = (x: string) => idents.find((i) => i.ref === sp(x))!.attributes.integration;
    expect(IntegrationFacts.parse(facts(id.spCrm))).toEqual({ app_id: id.appCrmId, kind: 'service_principal', publisher: 'Acme Corp', verified_publisher: true, third_party: true, multi_tenant: true, consented_by: null });
    expect(IntegrationFacts.parse(facts(id.spNotes))).toEqual({ app_id: id.appNotesId, kind: 'service_principal', publisher: null, verified_publisher: false, third_party: true, multi_tenant: true, consented_by: 'bob@contoso.example' });
    // A vendor's app with no grant is still an integration; an own app holding Graph permissions is one too, not third party.
    expect(facts(id.spSurvey)).toMatchObject({ third_party: true, verified_publisher: false });
    expect(facts(id.spDeploy)).toMatchObject({ third_party: false, multi_tenant: false, app_id: id.appDeployId });
    // A managed identity is not an integration; Microsoft's own service principals are not recorded by default.
    expect(facts(id.mi)).toBeUndefined();
    expect(idents.some((i) => i.ref === sp(id.msGraph) || i.ref === sp(id.spExo))).toBe(false);
    // Sign-in activity where the tenant exposes it.
    const crm = idents.find((i) => i.ref === sp(id.spCrm))!;
    expect(crm).toMatchObject({ last_used_known: true, provider_managed: false, owner: null });
    expect(Date.now() - (crm.last_used_at as Date).getTime()).toBeGreaterThan(3 * 86_400_000 - 60_000);
    // Not named by the report: unknown, never "never used".
    expect(idents.find((i) => i.ref === sp(id.spNotes))).toMatchObject({ last_used_known: false, last_used_at: null });
  });

  it('Microsoft first-party service principals stay provider-managed when asked for, and their grants are read', async () => {
    const estate = testEstate();
    estate.appRoleAssignments!.push({ id: 'ms-exo-self', principalId: id.spExo, resourceId: id.msGraph, appRoleId: MS.role.userReadAll, createdDateTime: '2024-01-01T00:00:00Z' });
    const { rows } = await run({ estate }, { third_party_service_principals: true });
    const idents = await rows('identities');
    const exo = idents.find((i) => i.ref === sp(id.spExo))!;
    expect(exo).toMatchObject({ provider_managed: true });
    expect(exo.attributes.integration).toBeUndefined();
    expect((await rows('entitlements')).find((e) => e.identity_ref === sp(id.spExo))).toMatchObject({ permission: 'User.Read.All' });
  });

  it('an app role the resource no longer lists keeps its id as the permission and is judged write, never dropped', async () => {
    const estate = testEstate();
    const gone = '11111111-2222-4333-8444-555555555555';
    estate.appRoleAssignments!.push({ id: 'orphan-role', principalId: id.spCrm, resourceId: id.msGraph, appRoleId: gone, createdDateTime: '2024-01-01T00:00:00Z' });
    const { rows } = await run({ estate });
    expect((await rows('entitlements')).find((e) => e.attributes?.assignment_id === 'orphan-role')).toMatchObject({ permission: gone, level: 'write', attributes: { role_resolved: false } });
  });
});

describe('azure connector: the model views see exactly the Entra records', () => {
  it('cur_integration_scopes holds the scope entitlements only (no RBAC assignment), cur_mint_edges the federated credentials only', async () => {
    const { store, runId } = await run();
    for (const sql of setupSql(runId, runId, new Date(), { stale_days: 90, grace_days: 30, max_credential_age_days: 365, max_credential_lifetime_days: 365 }, {})) await store.run(sql);
    const scopes = await store.all<{ ref: string; consent: string | null }>('SELECT ref, consent FROM cur_integration_scopes ORDER BY ref');
    expect(scopes.filter((x) => !x.consent).map((x) => x.ref)).toEqual([]);
    expect(scopes).toHaveLength(9);
    const mints = await store.all<{ breadth: string; mechanism: string; target_provider: string; missing: string[] }>('SELECT breadth, mechanism, target_provider, missing FROM cur_mint_edges ORDER BY breadth');
    expect(mints).toEqual([
      { breadth: 'pinned', mechanism: 'federated_credential', target_provider: 'azure', missing: [] }, { breadth: 'pinned', mechanism: 'federated_credential', target_provider: 'azure', missing: [] },
      { breadth: 'wildcard_subject', mechanism: 'federated_credential', target_provider: 'azure', missing: ['sub'] }]);
    const integrations = await store.all<{ name: string; third_party: boolean }>('SELECT name, third_party FROM cur_integrations WHERE tenant = $1 ORDER BY name', [T]);
    expect(integrations).toEqual([{ name: 'Acme CRM', third_party: true }, { name: 'Idle Survey', third_party: true }, { name: 'Sketchy Notes', third_party: true },
      { name: 'deploy-bot', third_party: false }, { name: 'legacy-sync', third_party: false }]);
  });
});

describe('azure connector: Entra federated identity credentials (issue 17)', () => {
  it('each credential is a mint edge from a workload identity for the external subject to the app; flexible ones are wildcard subjects', async () => {
    const { rows } = await run();
    const ents = (await rows('entitlements')).filter((e) => e.attributes?.mint);
    const deploy = ents.find((e) => e.attributes.fic_id === id.ficDeploy)!;
    expect(deploy).toMatchObject({ identity_ref: `oidc:${GITHUB_ISSUER}#repo:contoso/web:environment:production`, resource_ref: sp(id.spDeploy), privileged: true });
    expect(MintFacts.parse(deploy.attributes.mint)).toMatchObject({ mechanism: 'federated_credential', issuer: GITHUB_ISSUER, subject: 'repo:contoso/web:environment:production',
      audience: 'api://AzureADTokenExchange', breadth: 'pinned', missing: [], target_provider: 'azure', target_ref: sp(id.spDeploy) });
    const legacy = ents.find((e) => e.attributes.fic_id === id.ficLegacy)!;
    expect(MintFacts.parse(legacy.attributes.mint)).toMatchObject({ breadth: 'wildcard_subject', subject: "claims['sub'] matches 'repo:contoso/*'", missing: ['sub'], target_ref: sp(id.spLegacy) });
    const mi = ents.find((e) => e.attributes.object === 'managedIdentity')!;
    expect(MintFacts.parse(mi.attributes.mint)).toMatchObject({ breadth: 'pinned', subject: 'system:serviceaccount:web:web-sa', target_ref: sp(id.mi) });
    const w = (await rows('identities')).find((i) => i.ref === deploy.identity_ref)!;
    expect(w).toMatchObject({ kind: 'workload', human: false, last_used_known: false, attributes: { federated: true, issuer: GITHUB_ISSUER } });
  });

  it('a flexible credential whose expression cannot be read (beta unavailable) is still judged a wildcard subject', async () => {
    const faults = new FaultPlan().add({ match: /GET \/beta\/applications\/.*\/federatedIdentityCredentials\//, kind: 'status', status: 404, times: Infinity });
    const { directory, rows } = await run({ faults });
    expect(directory.status).toBe('complete');
    const legacy = (await rows('entitlements')).find((e) => e.attributes?.fic_id === id.ficLegacy)!;
    expect(legacy.identity_ref).toBe(`oidc:${GITHUB_ISSUER}#*`);
    expect(MintFacts.parse(legacy.attributes.mint)).toMatchObject({ breadth: 'wildcard_subject', subject: null, missing: ['sub'] });
  });
});

describe('azure connector: Entra faults end complete or explicitly partial', () => {
  it('429 with Retry-After and 5xx on every Entra listing are retried; every page is followed (one item per page); the same rows result', async () => {
    const clean = await run({ pageSize: 1 });
    const faults = new FaultPlan()
      .add({ match: '/oauth2PermissionGrants', kind: 'throttle', retryAfter: 0, times: 2 })
      .add({ match: '/appRoleAssignments', kind: 'throttle', retryAfter: 0, times: 2 })
      .add({ match: '/directoryRoles', kind: 'status', status: 503, times: 2 })
      .add({ match: '/federatedIdentityCredentials', kind: 'status', status: 500, times: 2 });
    const faulty = await run({ pageSize: 1, faults });
    expect(faults.injected).toBe(8);
    expect(faulty.directory, faulty.directory.error ?? '').toMatchObject({ status: 'complete', error: null });
    expect(faulty.directory.api_calls).toBe(clean.directory.api_calls + 8);
    // Pages were followed: grants and role members span several pages of one item.
    expect(clean.sim.requests.filter((r) => /GET \/v1\.0\/oauth2PermissionGrants\?.*skiptoken/i.test(r)).length).toBeGreaterThan(0);
    const lines = entraLines(await faulty.rows('entitlements'));
    expect(lines).toEqual(entraLines(await clean.rows('entitlements')));
    expect(lines).toHaveLength(14);
  });

  it('a malformed body from the managed identity credential listing (ARM) leaves the directory partial, naming the call, not quoting the body', async () => {
    const faults = new FaultPlan().add({ match: /GET \/subscriptions\/.*\/federatedIdentityCredentials/, kind: 'malformed', times: Infinity });
    const { directory } = await run({ faults });
    expect(faults.injected).toBeGreaterThan(0);
    expect(directory.status).toBe('partial');
    expect(directory.error).toMatch(/federated identity credentials of managed identity .* unavailable \(GET \/subscriptions\/.*\/federatedIdentityCredentials: 200 answered with a body that is not JSON \(\d+ bytes\)\)/);
    expect(directory.error).not.toMatch(/not valid|Unexpected/);
  });

  it('a 403 on one service principal\'s app role assignments leaves the directory partial, naming it, with everything else collected', async () => {
    const faults = new FaultPlan().add({ match: `/servicePrincipals/${id.spCrm}/appRoleAssignments`, kind: 'status', status: 403, times: Infinity });
    const { directory, rows } = await run({ faults });
    expect(directory.status).toBe('partial');
    expect(directory.error ?? JSON.stringify(directory)).toMatch(/Acme CRM/);
    const ents = await rows('entitlements');
    expect(ents.some((e) => e.identity_ref === sp(id.spCrm) && e.attributes?.entra_kind === 'app_role_assignment')).toBe(false);
    expect(ents.some((e) => e.identity_ref === sp(id.spDeploy) && e.permission === 'Directory.ReadWrite.All')).toBe(true);
    expect(ents.filter((e) => e.attributes?.grant_id === id.grantCrm)).toHaveLength(3);
  });

  it('a 403 on the delegated grants listing leaves the directory partial; no integration claims a consenting user it could not see', async () => {
    const faults = new FaultPlan().add({ match: 'GET /v1.0/oauth2PermissionGrants', kind: 'status', status: 403, times: Infinity });
    const { directory, rows } = await run({ faults });
    expect(directory.status).toBe('partial');
    expect(directory.error ?? JSON.stringify(directory)).toMatch(/oauth2PermissionGrants/);
    expect((await rows('entitlements')).some((e) => e.attributes?.entra_kind === 'delegated_grant')).toBe(false);
    expect((await rows('identities')).find((i) => i.ref === sp(id.spNotes))!.attributes.integration).toMatchObject({ consented_by: null, third_party: true });
  });

  it('a page cut mid-body is retried, never read as a short listing', async () => {
    const faults = new FaultPlan().add({ match: 'GET /v1.0/oauth2PermissionGrants', kind: 'truncate', times: 1 });
    const { directory, rows } = await run({ faults });
    expect(directory.status).toBe('complete');
    expect((await rows('entitlements')).filter((e) => e.attributes?.entra_kind === 'delegated_grant')).toHaveLength(5);
  });
});
