// A seeded Azure estate ("contoso") with known truth across two subscriptions: the tests compare collection with it,
// and the demo builds on it. Every date is relative to `now`, so the estate means the same thing on any day.
import { BUILT_IN_ROLES, ROLE, emptyEstate, guid, type AzureEstate } from './estate.js';

export const DAY = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();

export const T = guid('tenant-contoso');
export const S1 = guid('sub-prod');
export const S2 = guid('sub-dev');
export const id = {
  alice: guid('user-alice'), bob: guid('user-bob'), carol: guid('user-carol'), ops: guid('group-ops'),
  appDeploy: guid('app-deploy'), appDeployId: guid('appid-deploy'), spDeploy: guid('sp-deploy'),
  appLegacy: guid('app-legacy'), appLegacyId: guid('appid-legacy'), spLegacy: guid('sp-legacy'),
  appLonely: guid('app-lonely'), appLonelyId: guid('appid-lonely'),
  mi: guid('mi-web'), miAppId: guid('appid-mi-web'), msGraph: guid('sp-msgraph'),
  pwDeploy: guid('pw-deploy'), pwLegacy: guid('pw-legacy'), certLegacy: guid('cert-legacy'), pwLonely: guid('pw-lonely'),
  raOwner: guid('ra-owner'), raContrib: guid('ra-contrib'), raReader: guid('ra-reader'), raUaa: guid('ra-uaa'), raGroup: guid('ra-group'),
  raMg: guid('ra-mg'), raS2: guid('ra-s2'), raCustom: guid('ra-custom'),
  eligBob: guid('elig-bob'), eligCarol: guid('elig-carol'), schedUaa: guid('sched-uaa'), schedOwner: guid('sched-owner'),
  customRole: guid('role-deployer'),
};

export function contosoEstate(now = Date.now()): AzureEstate {
  const e = emptyEstate(T);
  e.subscriptions = [{ subscriptionId: S1, displayName: 'prod', managementGroup: 'mg-root' }, { subscriptionId: S2, displayName: 'dev' }];
  e.roleDefinitions = [...BUILT_IN_ROLES, { name: id.customRole, roleName: 'Deployer (custom)', type: 'CustomRole', permissions: [{ actions: ['Microsoft.Authorization/*', '*/read'] }], assignableScopes: [`/subscriptions/${S2}`] }];
  e.users = [
    { id: id.alice, displayName: 'Alice', userPrincipalName: 'alice@contoso.example', accountEnabled: true, createdDateTime: iso(now - 900 * DAY) },
    { id: id.bob, displayName: 'Bob', userPrincipalName: 'bob@contoso.example', accountEnabled: true, createdDateTime: iso(now - 800 * DAY) },
    { id: id.carol, displayName: 'Carol', userPrincipalName: 'carol@contoso.example', accountEnabled: false, createdDateTime: iso(now - 700 * DAY) },
  ];
  e.groups = [{ id: id.ops, displayName: 'ops-team' }];
  e.applications = [
    { id: id.appDeploy, appId: id.appDeployId, displayName: 'deploy-bot', createdDateTime: iso(now - 400 * DAY), owners: [id.alice],
      passwordCredentials: [{ keyId: id.pwDeploy, displayName: 'ci', hint: 'Xy7', startDateTime: iso(now - 10 * DAY), endDateTime: iso(now + 3 * 365 * DAY) }], keyCredentials: [] },
    { id: id.appLegacy, appId: id.appLegacyId, displayName: 'legacy-sync', createdDateTime: iso(now - 1200 * DAY), tags: ['owner:bob@contoso.example'],
      passwordCredentials: [{ keyId: id.pwLegacy, displayName: 'old', hint: 'Ab1', startDateTime: iso(now - 700 * DAY), endDateTime: iso(now - 5 * DAY) }],
      keyCredentials: [{ keyId: id.certLegacy, displayName: 'CN=legacy', type: 'AsymmetricX509Cert', usage: 'Verify', startDateTime: iso(now - 300 * DAY), endDateTime: iso(now + 65 * DAY), customKeyIdentifier: 'A1B2C3D4' }] },
    { id: id.appLonely, appId: id.appLonelyId, displayName: 'lonely-app', createdDateTime: iso(now - 50 * DAY),
      passwordCredentials: [{ keyId: id.pwLonely, displayName: null, hint: 'Zz9', startDateTime: iso(now - 50 * DAY), endDateTime: null }], keyCredentials: [] },
  ];
  e.servicePrincipals = [
    { id: id.spDeploy, appId: id.appDeployId, displayName: 'deploy-bot', servicePrincipalType: 'Application', accountEnabled: true, passwordCredentials: [], keyCredentials: [] },
    { id: id.spLegacy, appId: id.appLegacyId, displayName: 'legacy-sync', servicePrincipalType: 'Application', accountEnabled: true, passwordCredentials: [], keyCredentials: [] },
    { id: id.mi, appId: id.miAppId, displayName: 'web-identity', servicePrincipalType: 'ManagedIdentity', accountEnabled: true,
      alternativeNames: ['isExplicit=True', `/subscriptions/${S1}/resourcegroups/rg-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/web-identity`], passwordCredentials: [], keyCredentials: [] },
    { id: id.msGraph, appId: '00000003-0000-0000-c000-000000000000', displayName: 'Microsoft Graph', servicePrincipalType: 'Application', accountEnabled: true,
      appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a', passwordCredentials: [], keyCredentials: [] },
  ];
  const sub1 = `/subscriptions/${S1}`, sub2 = `/subscriptions/${S2}`;
  e.roleAssignments = [
    { name: id.raOwner, scope: sub1, roleDefinition: ROLE.owner, principalId: id.spDeploy, principalType: 'ServicePrincipal', createdOn: iso(now - 300 * DAY), createdBy: id.alice },
    { name: id.raContrib, scope: `${sub1}/resourceGroups/rg-app`, roleDefinition: ROLE.contributor, principalId: id.spLegacy, principalType: 'ServicePrincipal', createdOn: iso(now - 600 * DAY) },
    { name: id.raReader, scope: `${sub1}/resourceGroups/rg-app/providers/Microsoft.Web/sites/web`, roleDefinition: ROLE.reader, principalId: id.mi, principalType: 'ServicePrincipal', createdOn: iso(now - 100 * DAY) },
    { name: id.raUaa, scope: sub1, roleDefinition: ROLE.userAccessAdministrator, principalId: id.alice, principalType: 'User', createdOn: iso(now - 1 * DAY) },
    { name: id.raGroup, scope: sub1, roleDefinition: ROLE.reader, principalId: id.ops, principalType: 'Group', createdOn: iso(now - 30 * DAY) },
    { name: id.raMg, scope: '/providers/Microsoft.Management/managementGroups/mg-root', roleDefinition: ROLE.reader, principalId: id.carol, principalType: 'User', createdOn: iso(now - 500 * DAY) },
    { name: id.raS2, scope: sub2, roleDefinition: ROLE.contributor, principalId: id.spDeploy, principalType: 'ServicePrincipal', createdOn: iso(now - 200 * DAY) },
    { name: id.raCustom, scope: sub2, roleDefinition: id.customRole, principalId: id.mi, principalType: 'ServicePrincipal', createdOn: iso(now - 20 * DAY) },
  ];
  e.eligibilitySchedules = [
    { name: id.eligBob, scope: sub1, roleDefinition: ROLE.owner, principalId: id.bob, principalType: 'User', startDateTime: iso(now - 10 * DAY), endDateTime: iso(now + 30 * DAY) },
    { name: id.eligCarol, scope: sub2, roleDefinition: ROLE.contributor, principalId: id.carol, principalType: 'User', startDateTime: iso(now - 400 * DAY), endDateTime: iso(now - 1 * DAY) },
  ];
  e.assignmentSchedules = [
    // Alice activated UAA from an eligibility for 4 hours: just-in-time.
    { name: id.schedUaa, scope: sub1, roleDefinition: ROLE.userAccessAdministrator, principalId: id.alice, principalType: 'User', startDateTime: iso(now - 3_600_000), endDateTime: iso(now + 4 * 3_600_000), assignmentType: 'Activated', linkedEligibility: guid('elig-alice-uaa') },
    // The Owner assignment is permanent in PIM too: a schedule without an end.
    { name: id.schedOwner, scope: sub1, roleDefinition: ROLE.owner, principalId: id.spDeploy, principalType: 'ServicePrincipal', startDateTime: iso(now - 300 * DAY), endDateTime: null, assignmentType: 'Assigned' },
  ];
  e.denyAssignments = [{ name: guid('deny-1'), scope: sub1, denyAssignmentName: 'Deny deletes (managed app)', permissions: [{ actions: ['*/delete'] }], principals: [{ id: '00000000-0000-0000-0000-000000000000', type: 'SystemDefined' }], excludePrincipals: [{ id: id.spDeploy, type: 'ServicePrincipal' }] }];
  e.signIns = {
    servicePrincipals: { [id.appDeployId]: iso(now - 2 * DAY) },
    credentials: { [id.pwDeploy]: iso(now - 1 * DAY), [id.pwLegacy]: iso(now - 200 * DAY) },
  };
  e.vaults = [
    { subscription: S1, resourceGroup: 'rg-app', name: 'kv-prod', location: 'westeurope', enableRbacAuthorization: false,
      accessPolicies: [
        { objectId: id.spLegacy, permissions: { secrets: ['Get', 'List'] } },
        { objectId: id.alice, permissions: { keys: ['get', 'list'], certificates: ['get'] } },
      ],
      secrets: [
        { name: 'db-password', tags: { owner: 'bob@contoso.example' }, versions: [{ version: 'v1', enabled: true, created: iso(now - 800 * DAY), updated: iso(now - 800 * DAY) }, { version: 'v2', enabled: true, created: iso(now - 700 * DAY), updated: iso(now - 700 * DAY), exp: null }] },
        { name: 'api-key', contentType: 'text/plain', versions: [{ version: 'a1', enabled: true, created: iso(now - 20 * DAY), updated: iso(now - 20 * DAY), exp: iso(now + 60 * DAY), nbf: iso(now - 20 * DAY) }] },
        { name: 'tls-cert', managed: true, versions: [{ version: 'c1', enabled: true, created: iso(now - 100 * DAY), updated: iso(now - 100 * DAY), exp: iso(now + 200 * DAY) }] },
      ],
      keys: [{ name: 'signing-key', versions: [{ version: 'k1', enabled: true, created: iso(now - 50 * DAY), updated: iso(now - 50 * DAY) }] }],
      certificates: [{ name: 'tls-cert', versions: [{ version: 'c1', enabled: true, created: iso(now - 100 * DAY), updated: iso(now - 100 * DAY), exp: iso(now + 200 * DAY) }] }] },
    { subscription: S2, resourceGroup: 'rg-dev', name: 'kv-dev', location: 'westeurope', enableRbacAuthorization: true, accessPolicies: [],
      secrets: [{ name: 'dev-token', versions: [{ version: 'd1', enabled: false, created: iso(now - 730 * DAY), updated: iso(now - 10 * DAY) }] }], keys: [], certificates: [] },
  ];
  return e;
}

