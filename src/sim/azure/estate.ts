// The simulated Azure estate: what a tenant holds, as plain data the server serves and the tests compare against.
// Shapes follow Microsoft's REST API specifications (azure-rest-api-specs: Microsoft.Authorization 2022-04-01 and
// 2020-10-01 PIM schedules, Microsoft.KeyVault 2024-11-01, Key Vault data plane 7.6; Microsoft Graph v1.0 and beta).

export interface SimPermission { actions: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }

export interface SimRoleDefinition {
  /** The GUID (the definition's `name`). */
  name: string;
  roleName: string;
  type: 'BuiltInRole' | 'CustomRole';
  description?: string;
  permissions: SimPermission[];
  /** Custom roles: where they may be assigned (and where they are listed). Built-ins are everywhere. */
  assignableScopes?: string[];
}

export type PrincipalType = 'User' | 'Group' | 'ServicePrincipal';

export interface SimRoleAssignment {
  name: string;
  scope: string;
  roleDefinition: string; // GUID
  principalId: string;
  principalType: PrincipalType;
  createdOn: string;
  createdBy?: string;
  condition?: string;
  description?: string;
}

export interface SimSchedule {
  name: string;
  scope: string;
  roleDefinition: string;
  principalId: string;
  principalType: PrincipalType;
  startDateTime: string;
  endDateTime: string | null;
  /** Active schedules: Assigned (direct, possibly time-bound) or Activated (from an eligibility). */
  assignmentType?: 'Assigned' | 'Activated';
  /** Name of the eligibility schedule an activation came from. */
  linkedEligibility?: string;
  memberType?: 'Direct' | 'Group' | 'Inherited';
  status?: string;
}

export interface SimDenyAssignment {
  name: string;
  scope: string;
  denyAssignmentName: string;
  permissions: SimPermission[];
  principals: { id: string; type: string }[];
  excludePrincipals?: { id: string; type: string }[];
  isSystemProtected?: boolean;
}

export interface SimPasswordCredential { keyId: string; displayName: string | null; hint: string | null; startDateTime: string; endDateTime: string | null }
export interface SimKeyCredential { keyId: string; displayName: string | null; type: string; usage: string; startDateTime: string; endDateTime: string | null; customKeyIdentifier?: string }

export interface SimApplication {
  id: string;
  appId: string;
  displayName: string;
  createdDateTime: string;
  tags?: string[];
  owners?: string[]; // user object ids
  passwordCredentials: SimPasswordCredential[];
  keyCredentials: SimKeyCredential[];
}

export interface SimServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  servicePrincipalType: 'Application' | 'ManagedIdentity' | 'Legacy' | 'SocialIdp';
  accountEnabled: boolean;
  appOwnerOrganizationId?: string;
  alternativeNames?: string[];
  tags?: string[];
  owners?: string[];
  passwordCredentials: SimPasswordCredential[];
  keyCredentials: SimKeyCredential[];
  /** Application permissions the app behind it exposes (Microsoft Graph's Mail.ReadWrite …), by id. */
  appRoles?: SimAppRole[];
  /** Delegated permissions it exposes. */
  oauth2PermissionScopes?: { id: string; value: string; type: 'User' | 'Admin' }[];
  verifiedPublisher?: { displayName: string | null; verifiedPublisherId: string | null; addedDateTime: string | null };
  /** AzureADMyOrg (single tenant), AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount … */
  signInAudience?: string;
}

export interface SimAppRole { id: string; value: string; displayName: string; allowedMemberTypes: string[] }

/** An app role assigned to a service principal (an application permission). */
export interface SimAppRoleAssignment { id: string; principalId: string; resourceId: string; appRoleId: string; createdDateTime: string }

/** A delegated consent: AllPrincipals (admin consent for everyone) or Principal (one user's consent). */
export interface SimOAuth2PermissionGrant { id: string; clientId: string; consentType: 'AllPrincipals' | 'Principal'; principalId: string | null; resourceId: string; scope: string }

/** An activated directory role and its members' object ids. */
export interface SimDirectoryRole { id: string; roleTemplateId: string; displayName: string; description?: string; members: string[] }

/** A federated identity credential on an app registration (Graph) — `subject` null when it is flexible (beta). */
export interface SimFederatedCredential {
  id: string;
  /** Object id of the application it belongs to. */
  applicationId: string;
  name: string;
  issuer: string;
  subject: string | null;
  audiences: string[];
  description?: string | null;
  claimsMatchingExpression?: { value: string; languageVersion: number } | null;
}

/** A federated identity credential on a user-assigned managed identity (ARM, Microsoft.ManagedIdentity). */
export interface SimManagedIdentityFic { identityResourceId: string; name: string; issuer: string; subject: string; audiences: string[] }

export interface SimUser { id: string; displayName: string; userPrincipalName: string; accountEnabled: boolean; createdDateTime: string; userType?: string }
export interface SimGroup { id: string; displayName: string }

export interface SimVaultVersion { version: string; enabled: boolean; created: string; updated: string; nbf?: string | null; exp?: string | null }
export interface SimRotationPolicy { lifetimeActions: { trigger: { timeAfterCreate?: string; timeBeforeExpiry?: string }; action: { type: 'Rotate' | 'Notify' } }[]; expiryTime?: string }
export interface SimVaultItem { name: string; tags?: Record<string, string>; contentType?: string; managed?: boolean; versions: SimVaultVersion[]; rotationPolicy?: SimRotationPolicy }

export interface SimAccessPolicy { objectId: string; permissions: { secrets?: string[]; keys?: string[]; certificates?: string[]; storage?: string[] } }

export interface SimVault {
  subscription: string;
  resourceGroup: string;
  name: string;
  location: string;
  enableRbacAuthorization: boolean;
  accessPolicies: SimAccessPolicy[];
  tags?: Record<string, string>;
  secrets: SimVaultItem[];
  keys: SimVaultItem[];
  certificates: SimVaultItem[];
}

export interface SimSubscription { subscriptionId: string; displayName: string; managementGroup?: string }

export interface AzureEstate {
  tenantId: string;
  subscriptions: SimSubscription[];
  roleDefinitions: SimRoleDefinition[];
  roleAssignments: SimRoleAssignment[];
  /** Active assignment schedules (PIM). */
  assignmentSchedules: SimSchedule[];
  eligibilitySchedules: SimSchedule[];
  denyAssignments: SimDenyAssignment[];
  users: SimUser[];
  groups: SimGroup[];
  applications: SimApplication[];
  servicePrincipals: SimServicePrincipal[];
  /** Beta sign-in reports: appId → last sign-in, and credential keyId → last sign-in. */
  signIns: { servicePrincipals: Record<string, string | null>; credentials: Record<string, string | null> };
  vaults: SimVault[];
  /** Entra grants (issue 16): application permissions, delegated consents, directory roles, federated credentials. */
  appRoleAssignments?: SimAppRoleAssignment[];
  oauth2PermissionGrants?: SimOAuth2PermissionGrant[];
  directoryRoles?: SimDirectoryRole[];
  federatedCredentials?: SimFederatedCredential[];
  managedIdentityFics?: SimManagedIdentityFic[];
}

export const ROLE = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultAdministrator: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
} as const;

/** Built-in roles with their published permissions (abridged where the tail does not change the mapping). */
export const BUILT_IN_ROLES: SimRoleDefinition[] = [
  { name: ROLE.owner, roleName: 'Owner', type: 'BuiltInRole', description: 'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.', permissions: [{ actions: ['*'] }] },
  { name: ROLE.contributor, roleName: 'Contributor', type: 'BuiltInRole', description: 'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.',
    permissions: [{ actions: ['*'], notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action', 'Microsoft.Blueprint/blueprintAssignments/write', 'Microsoft.Blueprint/blueprintAssignments/delete', 'Microsoft.Compute/galleries/share/action', 'Microsoft.Purview/consents/write', 'Microsoft.Purview/consents/delete', 'Microsoft.Resources/deploymentStacks/manageDenySetting/action', 'Microsoft.Subscription/cancel/action', 'Microsoft.Subscription/enable/action'] }] },
  { name: ROLE.reader, roleName: 'Reader', type: 'BuiltInRole', description: 'View all resources, but does not allow you to make any changes.', permissions: [{ actions: ['*/read'] }] },
  { name: ROLE.userAccessAdministrator, roleName: 'User Access Administrator', type: 'BuiltInRole', description: 'Lets you manage user access to Azure resources.', permissions: [{ actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'] }] },
  { name: ROLE.keyVaultSecretsUser, roleName: 'Key Vault Secrets User', type: 'BuiltInRole', description: 'Read secret contents.', permissions: [{ actions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'] }] },
  { name: ROLE.keyVaultAdministrator, roleName: 'Key Vault Administrator', type: 'BuiltInRole', description: 'Perform all data plane operations on a key vault and all objects in it.',
    permissions: [{ actions: ['Microsoft.Authorization/*/read', 'Microsoft.Insights/alertRules/*', 'Microsoft.Resources/deployments/*', 'Microsoft.Resources/subscriptions/resourceGroups/read', 'Microsoft.Support/*', 'Microsoft.KeyVault/checkNameAvailability/read', 'Microsoft.KeyVault/deletedVaults/read', 'Microsoft.KeyVault/locations/*/read', 'Microsoft.KeyVault/vaults/*/read', 'Microsoft.KeyVault/operations/read'], dataActions: ['Microsoft.KeyVault/vaults/*'] }] },
];

export function emptyEstate(tenantId: string): AzureEstate {
  return { tenantId, subscriptions: [], roleDefinitions: [...BUILT_IN_ROLES], roleAssignments: [], assignmentSchedules: [], eligibilitySchedules: [],
    denyAssignments: [], users: [], groups: [], applications: [], servicePrincipals: [], signIns: { servicePrincipals: {}, credentials: {} }, vaults: [],
    appRoleAssignments: [], oauth2PermissionGrants: [], directoryRoles: [], federatedCredentials: [], managedIdentityFics: [] };
}

/** A deterministic GUID from a seed string, so seeded estates are the same on every machine. */
export function guid(seed: string): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193, h3 = 0x9e3779b9, h4 = 0x85ebca6b;
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193); h2 = Math.imul(h2 ^ c, 0x5bd1e995); h3 = Math.imul(h3 ^ c, 0x27d4eb2d); h4 = Math.imul(h4 ^ c, 0x165667b1);
  }
  const hex = [h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
