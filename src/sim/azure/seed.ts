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
  // Entra (issue 16/17): third-party apps consented in the tenant, Exchange Online, grants and federated credentials.
  spCrm: guid('sp-crm'), appCrmId: guid('appid-crm'), spNotes: guid('sp-notes'), appNotesId: guid('appid-notes'),
  spSurvey: guid('sp-survey'), appSurveyId: guid('appid-survey'), spExo: guid('sp-exo'),
  vendorCrm: guid('tenant-acme-vendor'), vendorNotes: guid('tenant-notes-vendor'), vendorSurvey: guid('tenant-survey-vendor'),
  araCrmMail: 'cmFyYS1jcm0tbWFpbA-aaaaaaaaaaaaaaaaaaaaaaaa', araDeployDir: 'cmFyYS1kZXBsb3ktZGly-bbbbbbbbbbbbbbbbbbbbbbbb',
  araMiUsers: 'cmFyYS1taS11c2Vycw-cccccccccccccccccccccccc', araLegacyExo: 'cmFyYS1sZWdhY3ktZXhv-dddddddddddddddddddddddd',
  grantCrm: 'Z3JhbnQtY3JtLWFsbA-eeeeeeeeeeeeeeeeeeeeeeeeeeeeee', grantNotesBob: 'Z3JhbnQtbm90ZXMtYm9i-ffffffffffffffffffffffffffff',
  dirRoleAppAdmin: guid('dirrole-app-admin'), dirRoleReaders: guid('dirrole-readers'),
  ficDeploy: guid('fic-deploy'), ficLegacy: guid('fic-legacy'),
};

/** Published identifiers of Microsoft's first-party apps, permissions and directory role templates. */
export const MS = {
  tenant: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a',
  graphAppId: '00000003-0000-0000-c000-000000000000',
  exoAppId: '00000002-0000-0ff1-ce00-000000000000',
  role: {
    mailReadWrite: 'e2a3a72e-5f79-4c64-b1b1-878b674786c9', directoryReadWriteAll: '19dbc75e-c2e2-444c-a770-ec69d8559fc7',
    userReadAll: 'df021288-bdef-4463-88db-98f22de89214', applicationReadWriteAll: '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
    fullAccessAsApp: 'dc890d15-9560-4a4c-9b7f-a736ec74ec40',
  },
  scope: { userRead: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', mailRead: '570282fd-fa5c-430d-a7fd-fc8dc98a9dca', offlineAccess: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182', filesReadWriteAll: '863451e7-0667-486c-a5d6-d135439485f0' },
  directoryRole: { applicationAdministrator: '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', directoryReaders: '88d8e3e3-8f55-4a1e-953a-9b9898b8876b' },
} as const;
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const AKS_ISSUER = `https://westeurope.oic.prod-aks.azure.com/${guid('tenant-contoso')}/${guid('aks-oidc')}/`;
export const MI_RESOURCE = `/subscriptions/${guid('sub-prod')}/resourcegroups/rg-app/providers/Microsoft.ManagedIdentity/userAssignedIdentities/web-identity`;

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
    { id: id.msGraph, appId: MS.graphAppId, displayName: 'Microsoft Graph', servicePrincipalType: 'Application', accountEnabled: true,
      appOwnerOrganizationId: MS.tenant, passwordCredentials: [], keyCredentials: [], signInAudience: 'AzureADMultipleOrgs',
      verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
      appRoles: [
        { id: MS.role.mailReadWrite, value: 'Mail.ReadWrite', displayName: 'Read and write mail in all mailboxes', allowedMemberTypes: ['Application'] },
        { id: MS.role.directoryReadWriteAll, value: 'Directory.ReadWrite.All', displayName: 'Read and write directory data', allowedMemberTypes: ['Application'] },
        { id: MS.role.userReadAll, value: 'User.Read.All', displayName: "Read all users' full profiles", allowedMemberTypes: ['Application'] },
        { id: MS.role.applicationReadWriteAll, value: 'Application.ReadWrite.All', displayName: 'Read and write all applications', allowedMemberTypes: ['Application'] },
      ],
      oauth2PermissionScopes: [
        { id: MS.scope.userRead, value: 'User.Read', type: 'User' }, { id: MS.scope.mailRead, value: 'Mail.Read', type: 'User' },
        { id: MS.scope.offlineAccess, value: 'offline_access', type: 'User' }, { id: MS.scope.filesReadWriteAll, value: 'Files.ReadWrite.All', type: 'User' },
      ] },
    { id: id.spExo, appId: MS.exoAppId, displayName: 'Office 365 Exchange Online', servicePrincipalType: 'Application', accountEnabled: true,
      appOwnerOrganizationId: MS.tenant, passwordCredentials: [], keyCredentials: [], signInAudience: 'AzureADMultipleOrgs',
      appRoles: [{ id: MS.role.fullAccessAsApp, value: 'full_access_as_app', displayName: 'Use Exchange Web Services with full access to all mailboxes', allowedMemberTypes: ['Application'] }] },
    // A verified vendor's multi-tenant CRM: an application permission to every mailbox and an admin consent.
    { id: id.spCrm, appId: id.appCrmId, displayName: 'Acme CRM', servicePrincipalType: 'Application', accountEnabled: true, appOwnerOrganizationId: id.vendorCrm,
      signInAudience: 'AzureADMultipleOrgs', verifiedPublisher: { displayName: 'Acme Corp', verifiedPublisherId: '5105120', addedDateTime: iso(now - 600 * DAY) },
      passwordCredentials: [], keyCredentials: [] },
    // An unverified publisher's app one user (bob) consented to read and write all his files.
    { id: id.spNotes, appId: id.appNotesId, displayName: 'Sketchy Notes', servicePrincipalType: 'Application', accountEnabled: true, appOwnerOrganizationId: id.vendorNotes,
      signInAudience: 'AzureADandPersonalMicrosoftAccount', verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
      passwordCredentials: [], keyCredentials: [] },
    // A vendor's app with nothing granted (yet): still an integration of the tenant.
    { id: id.spSurvey, appId: id.appSurveyId, displayName: 'Idle Survey', servicePrincipalType: 'Application', accountEnabled: true, appOwnerOrganizationId: id.vendorSurvey,
      signInAudience: 'AzureADMultipleOrgs', passwordCredentials: [], keyCredentials: [] },
  ];
  e.appRoleAssignments = [
    { id: id.araCrmMail, principalId: id.spCrm, resourceId: id.msGraph, appRoleId: MS.role.mailReadWrite, createdDateTime: iso(now - 400 * DAY) },
    { id: id.araDeployDir, principalId: id.spDeploy, resourceId: id.msGraph, appRoleId: MS.role.directoryReadWriteAll, createdDateTime: iso(now - 300 * DAY) },
    { id: id.araMiUsers, principalId: id.mi, resourceId: id.msGraph, appRoleId: MS.role.userReadAll, createdDateTime: iso(now - 90 * DAY) },
    { id: id.araLegacyExo, principalId: id.spLegacy, resourceId: id.spExo, appRoleId: MS.role.fullAccessAsApp, createdDateTime: iso(now - 1000 * DAY) },
  ];
  e.oauth2PermissionGrants = [
    { id: id.grantCrm, clientId: id.spCrm, consentType: 'AllPrincipals', principalId: null, resourceId: id.msGraph, scope: 'User.Read Mail.Read offline_access' },
    { id: id.grantNotesBob, clientId: id.spNotes, consentType: 'Principal', principalId: id.bob, resourceId: id.msGraph, scope: ' Files.ReadWrite.All offline_access ' },
  ];
  e.directoryRoles = [
    { id: id.dirRoleAppAdmin, roleTemplateId: MS.directoryRole.applicationAdministrator, displayName: 'Application Administrator', members: [id.spLegacy] },
    { id: id.dirRoleReaders, roleTemplateId: MS.directoryRole.directoryReaders, displayName: 'Directory Readers', members: [id.mi, id.alice] },
  ];
  e.federatedCredentials = [
    // GitHub Actions of one repository's production environment may sign in as deploy-bot: one pinned subject.
    { id: id.ficDeploy, applicationId: id.appDeploy, name: 'github-web-production', issuer: GITHUB_ISSUER, subject: 'repo:contoso/web:environment:production', audiences: ['api://AzureADTokenExchange'] },
    // A flexible credential: any repository of the organisation may sign in as legacy-sync.
    { id: id.ficLegacy, applicationId: id.appLegacy, name: 'github-any-repo', issuer: GITHUB_ISSUER, subject: null, audiences: ['api://AzureADTokenExchange'],
      claimsMatchingExpression: { value: "claims['sub'] matches 'repo:contoso/*'", languageVersion: 1 } },
  ];
  e.managedIdentityFics = [
    { identityResourceId: MI_RESOURCE, name: 'aks-web', issuer: AKS_ISSUER, subject: 'system:serviceaccount:web:web-sa', audiences: ['api://AzureADTokenExchange'] },
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
    servicePrincipals: { [id.appDeployId]: iso(now - 2 * DAY), [id.appCrmId]: iso(now - 3 * DAY) },
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

