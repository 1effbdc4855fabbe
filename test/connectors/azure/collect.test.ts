import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../../src/sim/http.js';
import { ROLE } from '../../../src/sim/azure/estate.js';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { AKS_ISSUER, DAY, GITHUB_ISSUER, MI_RESOURCE, MS, S1, S2, T, id, startSim } from './fixture.js';

const sp = (x: string) => `azure:${T}/sp/${x}`;
const user = (x: string) => `azure:${T}/user/${x}`;
const sub1 = `/subscriptions/${S1}`, sub2 = `/subscriptions/${S2}`;
const ra = (scope: string, name: string) => `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
const kvProd = `${sub1}/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-prod`;

async function run(simOpts: Parameters<typeof startSim>[1] = {}, sourcePatch: Record<string, unknown> = {}, optionsPatch: Record<string, unknown> = {}) {
  const dir = tempDir();
  const { sim, source, env } = await startSim(dir, simOpts);
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [{ ...source, ...sourcePatch, options: { ...(source.options as object), ...optionsPatch } }], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env });
  type Row = Record<string, any>; // rows are checked field by field below
  const rows = async (table: string): Promise<Row[]> => (await store.all<Row>(`SELECT * FROM ${table} WHERE run_id = $1 ORDER BY ref`, [runId]))
    .map((r) => ({ ...r, attributes: r.attributes ? JSON.parse(r.attributes as string) : null }));
  return { sim, store, runId, outcomes, rows };
}

describe('azure connector: collection through the real SDKs', () => {
  it('collects both subscriptions and the directory exactly as seeded, reading no secret value', async () => {
    const { sim, outcomes, rows } = await run();
    const byTenant = Object.fromEntries(outcomes.map((o) => [o.tenant, o]));
    expect(Object.keys(byTenant).sort()).toEqual([S1, S2, T].sort());
    for (const o of outcomes) expect(o, o.error ?? '').toMatchObject({ status: 'complete', error: null });
    // Every request the simulator saw went through the shared transport and was counted.
    expect(outcomes.reduce((n, o) => n + o.api_calls, 0)).toBe(sim.requests.length);

    const ents = await rows('entitlements');
    const got = ents.map((e) => `${e.tenant} ${e.ref} ${e.identity_ref} ${e.permission} ${e.level} ${e.privileged} ${e.via}`).sort();
    const want = [
      `${S1} ${ra(sub1, id.raOwner)} ${sp(id.spDeploy)} ${ROLE.owner} owner true direct`,
      `${S1} ${ra(`${sub1}/resourceGroups/rg-app`, id.raContrib)} ${sp(id.spLegacy)} ${ROLE.contributor} write true direct`,
      `${S1} ${ra(`${sub1}/resourceGroups/rg-app/providers/Microsoft.Web/sites/web`, id.raReader)} ${sp(id.mi)} ${ROLE.reader} read false direct`,
      `${S1} ${ra(sub1, id.raUaa)} ${user(id.alice)} ${ROLE.userAccessAdministrator} admin true direct`,
      `${S1} ${ra(sub1, id.raGroup)} azure:${T}/group/${id.ops} ${ROLE.reader} read false direct`,
      `${S1} ${ra('/providers/Microsoft.Management/managementGroups/mg-root', id.raMg)} ${user(id.carol)} ${ROLE.reader} read false inherited`,
      `${S1} ${sub1}/providers/Microsoft.Authorization/roleEligibilitySchedules/${id.eligBob} ${user(id.bob)} ${ROLE.owner} owner true direct`,
      `${S1} ${kvProd}/accessPolicies/${id.spLegacy} ${sp(id.spLegacy)} accessPolicy/secrets:get,list read true policy`,
      `${S1} ${kvProd}/accessPolicies/${id.alice} ${user(id.alice)} accessPolicy/keys:get,list;certificates:get read false policy`,
      `${S2} ${ra(sub2, id.raS2)} ${sp(id.spDeploy)} ${ROLE.contributor} write true direct`,
      `${S2} ${ra(sub2, id.raCustom)} ${sp(id.mi)} ${id.customRole} admin true direct`,
      // The directory's Entra grants (issue 16): application permissions, delegated consents per scope, directory roles.
      `${T} ${sp(id.spCrm)}/appRoleAssignments/${id.araCrmMail} ${sp(id.spCrm)} Mail.ReadWrite write false direct`,
      `${T} ${sp(id.spDeploy)}/appRoleAssignments/${id.araDeployDir} ${sp(id.spDeploy)} Directory.ReadWrite.All admin true direct`,
      `${T} ${sp(id.mi)}/appRoleAssignments/${id.araMiUsers} ${sp(id.mi)} User.Read.All read false direct`,
      `${T} ${sp(id.spLegacy)}/appRoleAssignments/${id.araLegacyExo} ${sp(id.spLegacy)} full_access_as_app admin true direct`,
      `${T} azure:${T}/oauth2PermissionGrants/${id.grantCrm}/User.Read ${sp(id.spCrm)} User.Read read false direct`,
      `${T} azure:${T}/oauth2PermissionGrants/${id.grantCrm}/Mail.Read ${sp(id.spCrm)} Mail.Read read false direct`,
      `${T} azure:${T}/oauth2PermissionGrants/${id.grantCrm}/offline_access ${sp(id.spCrm)} offline_access read false direct`,
      `${T} azure:${T}/oauth2PermissionGrants/${id.grantNotesBob}/Files.ReadWrite.All ${sp(id.spNotes)} Files.ReadWrite.All write false direct`,
      `${T} azure:${T}/oauth2PermissionGrants/${id.grantNotesBob}/offline_access ${sp(id.spNotes)} offline_access read false direct`,
      `${T} azure:${T}/directoryRoles/${MS.directoryRole.applicationAdministrator}/members/${id.spLegacy} ${sp(id.spLegacy)} ${MS.directoryRole.applicationAdministrator} admin true direct`,
      `${T} azure:${T}/directoryRoles/${MS.directoryRole.directoryReaders}/members/${id.mi} ${sp(id.mi)} ${MS.directoryRole.directoryReaders} read false direct`,
      // Federated identity credentials (issue 17): the external subject may obtain tokens as the app.
      `${T} azure:${T}/app/${id.appDeployId}/federatedIdentityCredentials/${id.ficDeploy} oidc:${GITHUB_ISSUER}#repo:contoso/web:environment:production federatedIdentityCredential write true direct`,
      `${T} azure:${T}/app/${id.appLegacyId}/federatedIdentityCredentials/${id.ficLegacy} oidc:${GITHUB_ISSUER}#claims['sub'] matches 'repo:contoso/*' federatedIdentityCredential write true direct`,
      `${T} ${MI_RESOURCE}/federatedIdentityCredentials/aks-web oidc:${AKS_ISSUER}#system:serviceaccount:web:web-sa federatedIdentityCredential write true direct`,
    ].sort();
    expect(got).toEqual(want);
    const names = Object.fromEntries(ents.map((e) => [e.ref as string, e.identity_name]));
    expect(names[ra(sub1, id.raUaa)]).toBe('alice@contoso.example');
    expect(names[ra(sub1, id.raOwner)]).toBe('deploy-bot');
    expect(ents.find((e) => e.ref === ra(sub1, id.raOwner))!.attributes).toMatchObject({ role_name: 'Owner', arm_scope: sub1, principal_type: 'ServicePrincipal', created_by: id.alice });
    // The deny assignment excludes deploy-bot, and applies to everyone else at the subscription.
    expect(ents.find((e) => e.ref === ra(sub1, id.raOwner))!.attributes.deny_assignments).toEqual([]);
    expect(ents.find((e) => e.ref === ra(sub1, id.raUaa))!.attributes.deny_assignments).toHaveLength(1);

    const idents = await rows('identities');
    // The directory holds the inventory; each subscription records the principals holding access there, so rules can
    // join an entitlement to its identity within the tenant.
    expect(idents.map((i) => `${i.tenant} ${i.ref} ${i.kind} ${i.human} ${i.owner ?? '-'}`).sort()).toEqual([
      `${T} ${sp(id.spDeploy)} service_account false alice@contoso.example`,
      `${T} ${sp(id.spLegacy)} service_account false bob@contoso.example`,
      `${T} ${sp(id.mi)} workload false -`,
      `${T} azure:${T}/app/${id.appLonelyId} app false -`,
      // Vendors' apps are recorded by default (their risk is what they were granted); Microsoft's are not.
      `${T} ${sp(id.spCrm)} service_account false -`,
      `${T} ${sp(id.spNotes)} service_account false -`,
      `${T} ${sp(id.spSurvey)} service_account false -`,
      // The external subjects of federated credentials, as workload identities.
      `${T} oidc:${GITHUB_ISSUER}#repo:contoso/web:environment:production workload false -`,
      `${T} oidc:${GITHUB_ISSUER}#claims['sub'] matches 'repo:contoso/*' workload false -`,
      `${T} oidc:${AKS_ISSUER}#system:serviceaccount:web:web-sa workload false -`,
      `${S1} ${sp(id.spDeploy)} service_account false alice@contoso.example`,
      `${S1} ${sp(id.spLegacy)} service_account false bob@contoso.example`,
      `${S1} ${sp(id.mi)} workload false -`,
      `${S1} ${user(id.alice)} user true -`,
      `${S1} ${user(id.bob)} user true -`,
      `${S1} ${user(id.carol)} user true -`,
      `${S1} azure:${T}/group/${id.ops} group null -`,
      `${S2} ${sp(id.spDeploy)} service_account false alice@contoso.example`,
      `${S2} ${sp(id.mi)} workload false -`,
    ].sort());
    const deploy = idents.find((i) => i.ref === sp(id.spDeploy) && i.tenant === S1)!;
    expect(deploy).toMatchObject({ owner_source: 'provider', last_used_known: true, disabled: false });
    expect(Date.now() - (deploy.last_used_at as Date).getTime()).toBeGreaterThan(2 * DAY - 60_000);
    expect(idents.find((i) => i.ref === sp(id.spLegacy))).toMatchObject({ owner_source: 'tag', last_used_known: false, last_used_at: null });
    expect(idents.find((i) => i.ref === user(id.carol))).toMatchObject({ login: 'carol@contoso.example', name: 'Carol', last_used_known: false });
    expect(idents.find((i) => i.ref === sp(id.mi))!.attributes.managed_identity_resource_id).toContain('userAssignedIdentities/web-identity');

    const creds = await rows('credentials');
    expect(creds.map((c) => `${c.tenant} ${c.kind} ${c.name} ${c.status}`).sort()).toEqual([
      `${T} client_secret ci active`, `${T} client_secret old expired`, `${T} certificate CN=legacy active`, `${T} client_secret client secret Zz9… active`,
      `${S1} stored_secret kv-prod/db-password active`, `${S1} stored_secret kv-prod/api-key active`, `${S1} stored_secret kv-prod/signing-key active`,
      `${S1} certificate kv-prod/tls-cert active`, `${S2} stored_secret kv-dev/dev-token inactive`,
    ].sort());
    const ci = creds.find((c) => c.name === 'ci')!;
    expect(ci).toMatchObject({ ref: `azure:${T}/app/${id.appDeployId}/password/${id.pwDeploy}`, identity_ref: sp(id.spDeploy), fingerprint: id.pwDeploy, last_used_known: true, expiry_supported: true });
    expect(ci.attributes).toMatchObject({ hint: 'Xy7', object: 'application', object_id: id.appDeploy, key_id: id.pwDeploy });
    // The 3-year secret: its lifetime is what non-expiring-credential reads.
    expect(((ci.expires_at as Date).getTime() - (ci.created_at as Date).getTime()) / DAY).toBeGreaterThan(3 * 365);
    expect(creds.find((c) => c.name === 'old')).toMatchObject({ last_used_known: true });
    expect(creds.find((c) => c.name === 'client secret Zz9…')).toMatchObject({ expires_at: null, last_used_known: false, identity_ref: `azure:${T}/app/${id.appLonelyId}` });
    const db = creds.find((c) => c.name === 'kv-prod/db-password')!;
    expect(db).toMatchObject({ ref: `${kvProd}/secrets/db-password`, owner: 'bob@contoso.example', expires_at: null, expiry_supported: true, last_used_known: false, identity_ref: null });
    expect(Math.round((Date.now() - (db.created_at as Date).getTime()) / DAY)).toBe(700);
    expect(db.attributes).toMatchObject({ item_type: 'secret', vault: 'kv-prod', owner_source: 'tag' });
    expect(creds.find((c) => c.name === 'kv-prod/api-key')!.attributes.not_before).toBeTruthy();
    // No credential row or attribute carries a secret value, and the simulator was never asked for one.
    expect(sim.secretValueReads).toBe(0);
    expect(sim.requests.filter((r) => / GET \/secrets\/[^/?]+\/[^/?]+\?/.test(r) && !/\/versions/.test(r))).toEqual([]);
  });

  it('PIM: an activated assignment is just-in-time, a permanent one standing, an expired eligibility is no access', async () => {
    const { rows } = await run();
    const ents = await rows('entitlements');
    const uaa = ents.find((e) => e.ref === ra(sub1, id.raUaa))!;
    expect((uaa.expires_at as Date).getTime()).toBeGreaterThan(Date.now() + 3.9 * 3_600_000);
    expect(uaa.attributes.pim).toMatchObject({ assignment_type: 'Activated', just_in_time: true });
    expect(uaa.attributes.pim.linked_eligibility_schedule_id).toMatch(/roleEligibilitySchedules\//);
    const owner = ents.find((e) => e.ref === ra(sub1, id.raOwner))!;
    expect(owner).toMatchObject({ expires_at: null });
    expect(owner.attributes.pim).toMatchObject({ assignment_type: 'Assigned', just_in_time: false, end: null });
    const bob = ents.find((e) => e.identity_ref === user(id.bob))!;
    expect(bob.attributes).toMatchObject({ eligible: true });
    expect(Math.round(((bob.expires_at as Date).getTime() - Date.now()) / DAY)).toBe(30);
    expect(ents.some((e) => e.identity_ref === user(id.carol) && e.tenant === S2)).toBe(false);
  });

  for (const mode of ['forbidden', 'missing'] as const) {
    it(`sign-in reports ${mode === 'forbidden' ? 'refused (403)' : 'absent (404)'}: last use is unknown, never "never used"`, async () => {
      const { outcomes, rows } = await run({ signInReports: mode });
      expect(outcomes.every((o) => o.status === 'complete')).toBe(true);
      const idents = await rows('identities');
      expect(idents.length).toBe(19);
      for (const i of idents) expect(i).toMatchObject({ last_used_known: false, last_used_at: null });
      const creds = (await rows('credentials')).filter((c) => c.tenant === T);
      for (const c of creds) expect(c).toMatchObject({ last_used_known: false, last_used_at: null });
    });
  }

  it('throttling: 429 with Retry-After is retried, counted, and the run completes with the same rows', async () => {
    const faults = new FaultPlan()
      .add({ match: 'roleAssignments?', kind: 'throttle', retryAfter: 0, times: 3 })
      .add({ match: '/v1.0/servicePrincipals', kind: 'throttle', retryAfter: 0, times: 2 })
      .add({ match: 'GET /secrets', kind: 'throttle', retryAfter: 0, times: 2 });
    const { sim, outcomes, rows } = await run({ faults });
    expect(faults.injected).toBe(7);
    for (const o of outcomes) expect(o.status, o.error ?? '').toBe('complete');
    expect(outcomes.reduce((n, o) => n + o.api_calls, 0)).toBe(sim.requests.length + 7);
    expect((await rows('entitlements')).length).toBe(25);
    expect((await rows('identities')).length).toBe(19);
    expect((await rows('credentials')).length).toBe(9);
  });

  it('a 403 on one subscription fails that subscription only, with the ARM error in the reason', async () => {
    const { outcomes, rows } = await run({ forbiddenSubscriptions: [S2] });
    const s2 = outcomes.find((o) => o.tenant === S2)!;
    expect(s2).toMatchObject({ status: 'failed', rows: 0 });
    expect(s2.error).toMatch(/AuthorizationFailed|does not have authorization/);
    expect(outcomes.find((o) => o.tenant === S1)!.status).toBe('complete');
    expect((await rows('entitlements')).filter((e) => e.tenant === S1).length).toBe(9);
  });

  it('discovers the subscriptions when none are configured, and can leave the directory out', async () => {
    const a = await run({}, { tenants: [] });
    expect(a.outcomes.map((o) => o.tenant).sort()).toEqual([S1, S2, T].sort());
    const b = await run({}, { tenants: [S1] }, { directory: false, key_vaults: false });
    expect(b.outcomes.map((o) => o.tenant)).toEqual([S1]);
    expect(b.outcomes[0]!.status).toBe('complete');
    expect(b.sim.requests.some((r) => r.includes('Microsoft.KeyVault') || r.startsWith('kv-'))).toBe(false);
  });
});
