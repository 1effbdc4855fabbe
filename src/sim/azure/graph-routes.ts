// The Microsoft Graph v1.0 routes the Azure simulator serves, as paths over Graph's data model (entity sets, navigation
// properties, bound actions). scripts/extract-graph-schemas.ts resolves each one in Microsoft's published metadata and
// extracts its response schema; test/sim/azure/contract.test.ts checks the simulator against them. Beta routes (the
// sign-in reports, a flexible credential's claimsMatchingExpression) are not in the v1.0 description.
export interface GraphRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `{id}` stands for a key; other segments are entity sets, navigation properties or bound actions. */
  path: string;
  /** The success status whose body the contract test validates (none for 204). */
  status: number;
}

export const GRAPH_ROUTES: GraphRoute[] = [
  { method: 'GET', path: '/servicePrincipals', status: 200 },
  { method: 'GET', path: '/servicePrincipals/{id}', status: 200 },
  { method: 'PATCH', path: '/servicePrincipals/{id}', status: 204 },
  { method: 'POST', path: '/servicePrincipals/{id}/removePassword', status: 204 },
  { method: 'GET', path: '/servicePrincipals/{id}/appRoleAssignments', status: 200 },
  { method: 'POST', path: '/servicePrincipals/{id}/appRoleAssignments', status: 201 },
  { method: 'GET', path: '/servicePrincipals/{id}/appRoleAssignments/{id}', status: 200 },
  { method: 'DELETE', path: '/servicePrincipals/{id}/appRoleAssignments/{id}', status: 204 },
  { method: 'GET', path: '/applications', status: 200 },
  { method: 'GET', path: '/applications/{id}', status: 200 },
  { method: 'POST', path: '/applications/{id}/removePassword', status: 204 },
  { method: 'GET', path: '/applications/{id}/federatedIdentityCredentials', status: 200 },
  { method: 'POST', path: '/applications/{id}/federatedIdentityCredentials', status: 201 },
  { method: 'GET', path: '/applications/{id}/federatedIdentityCredentials/{id}', status: 200 },
  { method: 'DELETE', path: '/applications/{id}/federatedIdentityCredentials/{id}', status: 204 },
  { method: 'GET', path: '/oauth2PermissionGrants', status: 200 },
  { method: 'POST', path: '/oauth2PermissionGrants', status: 201 },
  { method: 'GET', path: '/oauth2PermissionGrants/{id}', status: 200 },
  { method: 'PATCH', path: '/oauth2PermissionGrants/{id}', status: 204 },
  { method: 'DELETE', path: '/oauth2PermissionGrants/{id}', status: 204 },
  { method: 'GET', path: '/directoryRoles', status: 200 },
  { method: 'GET', path: '/directoryRoles/{id}/members', status: 200 },
  { method: 'POST', path: '/directoryObjects/getByIds', status: 200 },
  { method: 'GET', path: '/users', status: 200 },
];
