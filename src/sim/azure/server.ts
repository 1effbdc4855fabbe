// A local HTTPS simulator of the Azure APIs the connector uses: ARM (subscriptions, Microsoft.Authorization role
// definitions/assignments/deny assignments and PIM schedules + schedule requests, Microsoft.KeyVault vaults),
// Microsoft Graph (v1.0 directory objects and password removal, beta sign-in activity reports) and the Key Vault data
// plane (one origin per vault, as each vault is its own host). Wire details follow the published REST specs: ARM
// `value`/`nextLink` with `$skipToken`, Graph `@odata.nextLink` with `$skiptoken`, Key Vault `nextLink` and the 401
// bearer challenge, epoch-second attributes, ARM/Graph/Key Vault error bodies, 429 with Retry-After.
// Secret values are never served: a value read answers 403 and is counted, so tests can prove none happened.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { type FaultPlan, type SimServer, json, serve } from '../http.js';
import { selfSignedCertificate } from './tls.js';
import type { AzureEstate, SimAppRoleAssignment, SimDirectoryRole, SimFederatedCredential, SimOAuth2PermissionGrant, SimRoleAssignment, SimSchedule, SimVault, SimVaultItem } from './estate.js';

export interface AzureSimOptions {
  estate: AzureEstate;
  /** The bearer token every request must carry. */
  token?: string;
  /** Items per page on every paged listing (ARM, Graph, Key Vault). */
  pageSize?: number;
  latencyMs?: number;
  faults?: FaultPlan;
  /** Beta sign-in reports: served, refused (no premium licence: 403), or absent (404). */
  signInReports?: 'ok' | 'forbidden' | 'missing';
  /** Subscriptions the caller has no rights on: everything under them answers 403 AuthorizationFailed. */
  forbiddenSubscriptions?: string[];
  /** Listings whose path contains this string answer with a nextLink pointing back at the same page. */
  loopNextLink?: string;
}

export interface AzureSim {
  /** Origin of ARM and Graph (one server; the paths do not overlap). */
  url: string;
  armEndpoint: string;
  graphEndpoint: string;
  /** PEM of the self-signed certificate every simulator origin serves (pass as `ca_file`). */
  ca: string;
  token: string;
  tenantId: string;
  estate: AzureEstate;
  /** "HOST METHOD /path?query" of every request, HOST being arm, graph or the vault name. */
  requests: string[];
  /** Attempts to read a secret value (must stay 0). */
  secretValueReads: number;
  vaultUri(name: string): string;
  close(): Promise<void>;
}

const AUTHZ = '/providers/microsoft.authorization/';

export async function startAzureSim(opts: AzureSimOptions): Promise<AzureSim> {
  const estate = opts.estate;
  const token = opts.token ?? 'sim-azure-token';
  const pageSize = opts.pageSize ?? 100;
  const tls = selfSignedCertificate();
  const forbidden = new Set((opts.forbiddenSubscriptions ?? []).map((s) => s.toLowerCase()));
  const requests: string[] = [];
  const vaultServers = new Map<string, SimServer>();
  let origin = '';
  const sim: AzureSim = {
    url: '', armEndpoint: '', graphEndpoint: '', ca: tls.cert, token, tenantId: estate.tenantId, estate, requests, secretValueReads: 0,
    vaultUri: (name) => { const s = vaultServers.get(name.toLowerCase()); if (!s) throw new Error(`no vault ${name}`); return `${s.url}/`; },
    close: async () => { await Promise.all([main.close(), ...[...vaultServers.values()].map((s) => s.close())]); },
  };

  /** One page of `items` and the link to the next, in ARM, Graph or Key Vault style. */
  function page<T>(req: IncomingMessage, items: T[], style: 'arm' | 'graph' | 'kv', base: string): Record<string, unknown> {
    const url = new URL(req.url ?? '/', base);
    const tokenParam = style === 'arm' ? '$skipToken' : style === 'graph' ? '$skiptoken' : '$skiptoken';
    const start = Number(url.searchParams.get(tokenParam) ?? '0') || 0;
    const top = Number(url.searchParams.get(style === 'graph' ? '$top' : style === 'kv' ? 'maxresults' : '$top')) || pageSize;
    const size = Math.min(top, pageSize);
    const slice = items.slice(start, start + size);
    let next: string | null = null;
    const looping = !!opts.loopNextLink && url.pathname.toLowerCase().includes(opts.loopNextLink.toLowerCase()) && start > 0;
    if (looping) {
      next = url.toString(); // a continuation token that never advances: the page links to itself
    } else if (start + size < items.length) {
      const n = new URL(url);
      n.searchParams.set(tokenParam, String(start + size));
      next = n.toString();
    }
    if (style === 'graph') return { '@odata.context': `${base}/v1.0/$metadata`, value: slice, ...(next ? { '@odata.nextLink': next } : {}) };
    return { value: slice, nextLink: next };
  }

  const armError = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    json(res, status, { error: { code, message } }, { 'x-ms-request-id': randomUUID(), ...headers });
  const graphError = (res: ServerResponse, status: number, code: string, message: string) =>
    json(res, status, { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } });

  // ---------- ARM ----------
  const subOf = (scope: string) => /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1]?.toLowerCase() ?? null;
  const mgAbove = (scope: string, sub: string): boolean => {
    if (scope === '/' || scope === '') return true;
    const mg = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/i.exec(scope)?.[1];
    return !!mg && estate.subscriptions.some((s) => s.subscriptionId.toLowerCase() === sub && s.managementGroup?.toLowerCase() === mg.toLowerCase());
  };
  /** Items at, above or below `scope` (what ARM returns for a scope listing without atScope()). */
  const related = (itemScope: string, scope: string, atScopeOnly: boolean): boolean => {
    const i = itemScope.toLowerCase().replace(/\/$/, ''), s = scope.toLowerCase().replace(/\/$/, '');
    if (i === s) return true;
    if (s.startsWith(i + '/') || i === '') return true; // above (a parent scope)
    const sub = subOf(s);
    if (sub && !subOf(i) && mgAbove(itemScope, sub)) return true; // a management group over the subscription
    return !atScopeOnly && i.startsWith(s + '/'); // below
  };
  const defId = (scope: string, guidName: string) => {
    const sub = subOf(scope);
    return sub ? `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guidName}` : `/providers/Microsoft.Authorization/roleDefinitions/${guidName}`;
  };
  const assignmentJson = (a: SimRoleAssignment) => ({
    properties: { roleDefinitionId: defId(a.scope, a.roleDefinition), principalId: a.principalId, principalType: a.principalType, scope: a.scope,
      condition: a.condition ?? null, conditionVersion: a.condition ? '2.0' : null, createdOn: a.createdOn, updatedOn: a.createdOn,
      createdBy: a.createdBy ?? null, updatedBy: a.createdBy ?? null, delegatedManagedIdentityResourceId: null, description: a.description ?? null },
    id: `${a.scope === '/' ? '' : a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`,
    type: 'Microsoft.Authorization/roleAssignments',
    name: a.name,
  });
  const scheduleJson = (s: SimSchedule, kind: 'active' | 'eligible') => {
    const collection = kind === 'active' ? 'roleAssignmentSchedules' : 'roleEligibilitySchedules';
    const props: Record<string, unknown> = {
      scope: s.scope, roleDefinitionId: defId(s.scope, s.roleDefinition), principalId: s.principalId, principalType: s.principalType,
      memberType: s.memberType ?? 'Direct', status: s.status ?? 'Provisioned', startDateTime: s.startDateTime, endDateTime: s.endDateTime,
      condition: null, conditionVersion: null, createdOn: s.startDateTime, updatedOn: s.startDateTime,
    };
    if (kind === 'active') {
      props.roleAssignmentScheduleRequestId = `${s.scope}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/${s.name}`;
      props.assignmentType = s.assignmentType ?? 'Assigned';
      props.linkedRoleEligibilityScheduleId = s.linkedEligibility ? `${s.scope}/providers/Microsoft.Authorization/roleEligibilitySchedules/${s.linkedEligibility}` : null;
    } else {
      props.roleEligibilityScheduleRequestId = `${s.scope}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/${s.name}`;
    }
    return { properties: props, name: s.name, id: `${s.scope}/providers/Microsoft.Authorization/${collection}/${s.name}`, type: `Microsoft.Authorization/${collection}` };
  };
  const vaultJson = (v: SimVault) => ({
    id: `/subscriptions/${v.subscription}/resourceGroups/${v.resourceGroup}/providers/Microsoft.KeyVault/vaults/${v.name}`,
    name: v.name, type: 'Microsoft.KeyVault/vaults', location: v.location, tags: v.tags ?? {},
    properties: {
      sku: { family: 'A', name: 'standard' }, tenantId: estate.tenantId,
      accessPolicies: v.accessPolicies.map((p) => ({ tenantId: estate.tenantId, objectId: p.objectId, permissions: { keys: p.permissions.keys ?? [], secrets: p.permissions.secrets ?? [], certificates: p.permissions.certificates ?? [] } })),
      enabledForDeployment: false, enabledForDiskEncryption: false, enabledForTemplateDeployment: false, enableSoftDelete: true, softDeleteRetentionInDays: 90,
      enableRbacAuthorization: v.enableRbacAuthorization, vaultUri: sim.vaultUri(v.name), provisioningState: 'Succeeded', publicNetworkAccess: 'Enabled',
    },
  });

  function arm(req: IncomingMessage, res: ServerResponse, body: string, url: URL): void {
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    const lower = path.toLowerCase();
    const sub = subOf(path);
    if (sub && forbidden.has(sub)) {
      return armError(res, 403, 'AuthorizationFailed', `The client '00000000-0000-0000-0000-00000000c11e' with object id '00000000-0000-0000-0000-00000000c11e' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '/subscriptions/${sub}' or the scope is invalid. If access was recently granted, please refresh your credentials.`);
    }
    if (sub && !estate.subscriptions.some((s) => s.subscriptionId.toLowerCase() === sub)) {
      return armError(res, 404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`);
    }
    if (method === 'GET' && lower === '/subscriptions') {
      const items = estate.subscriptions.map((s) => ({ id: `/subscriptions/${s.subscriptionId}`, authorizationSource: 'RoleBased', subscriptionId: s.subscriptionId, tenantId: estate.tenantId, displayName: s.displayName, state: 'Enabled', subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' } }));
      return json(res, 200, page(req, items, 'arm', origin));
    }
    // Key Vault management plane.
    let m = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.keyvault\/vaults$/i.exec(path);
    if (m && method === 'GET') return json(res, 200, page(req, estate.vaults.filter((v) => v.subscription.toLowerCase() === sub).map(vaultJson), 'arm', origin));
    m = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.keyvault\/vaults\/([^/]+)$/i.exec(path);
    if (m && method === 'GET') {
      const v = estate.vaults.find((x) => x.subscription.toLowerCase() === sub && x.resourceGroup.toLowerCase() === m![2]!.toLowerCase() && x.name.toLowerCase() === m![3]!.toLowerCase());
      return v ? json(res, 200, vaultJson(v)) : armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.KeyVault/vaults/${m[3]}' under resource group '${m[2]}' was not found.`);
    }
    // Federated identity credentials of a user-assigned managed identity (Microsoft.ManagedIdentity 2023-01-31).
    m = /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+)\/federatedidentitycredentials$/i.exec(path);
    if (m && method === 'GET') {
      const items = (estate.managedIdentityFics ?? []).filter((f) => f.identityResourceId.toLowerCase() === m![1]!.toLowerCase()).map((f) => ({
        id: `${f.identityResourceId}/federatedIdentityCredentials/${f.name}`, name: f.name, type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
        properties: { issuer: f.issuer, subject: f.subject, audiences: f.audiences },
      }));
      return json(res, 200, page(req, items, 'arm', origin));
    }
    const at = lower.lastIndexOf(AUTHZ);
    if (at < 0) return armError(res, 404, 'NoRegisteredProviderFound', `No registered resource provider found for location and API version '${url.searchParams.get('api-version')}'.`);
    const scope = path.slice(0, at) || '/';
    const [collection, name] = path.slice(at + AUTHZ.length).split('/');
    const filter = url.searchParams.get('$filter') ?? '';
    const atScopeOnly = /atScope\(\)/i.test(filter);
    const coll = (collection ?? '').toLowerCase();

    if (coll === 'roledefinitions') {
      if (name) {
        const d = estate.roleDefinitions.find((r) => r.name === name.toLowerCase());
        return d ? json(res, 200, roleDefJson(d, scope)) : armError(res, 404, 'RoleDefinitionDoesNotExist', 'The specified role definition with ID \'' + name + '\' does not exist.');
      }
      const defs = estate.roleDefinitions.filter((d) => d.type === 'BuiltInRole' || (d.assignableScopes ?? []).some((s) => related(s, scope, false)));
      return json(res, 200, page(req, defs.map((d) => roleDefJson(d, scope)), 'arm', origin));
    }
    if (coll === 'roleassignments') {
      if (!name) {
        if (method !== 'GET') return armError(res, 405, 'MethodNotAllowed', 'The requested method is not allowed.');
        const items = estate.roleAssignments.filter((a) => related(a.scope, scope, atScopeOnly));
        return json(res, 200, page(req, items.map(assignmentJson), 'arm', origin));
      }
      const idx = estate.roleAssignments.findIndex((a) => a.name === name.toLowerCase() && a.scope.toLowerCase() === scope.toLowerCase());
      if (method === 'GET') return idx < 0 ? armError(res, 404, 'RoleAssignmentNotFound', `The role assignment '${name}' is not found.`) : json(res, 200, assignmentJson(estate.roleAssignments[idx]!));
      if (method === 'DELETE') {
        if (idx < 0) { res.statusCode = 204; return void res.end(); }
        const [gone] = estate.roleAssignments.splice(idx, 1);
        return json(res, 200, assignmentJson(gone!));
      }
      if (method === 'PUT') {
        const p = (JSON.parse(body || '{}') as { properties?: { roleDefinitionId?: string; principalId?: string; principalType?: SimRoleAssignment['principalType']; description?: string } }).properties ?? {};
        if (!p.roleDefinitionId || !p.principalId) return armError(res, 400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized: roleDefinitionId and principalId are required.');
        if (idx >= 0) return armError(res, 409, 'RoleAssignmentExists', 'The role assignment already exists.');
        const a: SimRoleAssignment = { name: name.toLowerCase(), scope, roleDefinition: p.roleDefinitionId.split('/').pop()!.toLowerCase(), principalId: p.principalId, principalType: p.principalType ?? 'ServicePrincipal', createdOn: new Date().toISOString(), description: p.description };
        estate.roleAssignments.push(a);
        return json(res, 201, assignmentJson(a));
      }
    }
    if (coll === 'denyassignments' && method === 'GET' && !name) {
      const items = estate.denyAssignments.filter((d) => related(d.scope, scope, atScopeOnly)).map((d) => ({
        id: `${d.scope}/providers/Microsoft.Authorization/denyAssignments/${d.name}`, name: d.name, type: 'Microsoft.Authorization/denyAssignments',
        properties: { denyAssignmentName: d.denyAssignmentName, description: '', permissions: d.permissions.map((p) => ({ actions: p.actions, notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] })),
          scope: d.scope, doNotApplyToChildScopes: false, principals: d.principals, excludePrincipals: d.excludePrincipals ?? [], isSystemProtected: d.isSystemProtected ?? true },
      }));
      return json(res, 200, page(req, items, 'arm', origin));
    }
    if ((coll === 'roleassignmentschedules' || coll === 'roleeligibilityschedules') && method === 'GET' && !name) {
      const kind = coll === 'roleassignmentschedules' ? 'active' : 'eligible';
      const list = kind === 'active' ? estate.assignmentSchedules : estate.eligibilitySchedules;
      return json(res, 200, page(req, list.filter((s) => related(s.scope, scope, atScopeOnly)).map((s) => scheduleJson(s, kind)), 'arm', origin));
    }
    if ((coll === 'roleassignmentschedulerequests' || coll === 'roleeligibilityschedulerequests') && method === 'PUT' && name) {
      const kind = coll === 'roleassignmentschedulerequests' ? 'active' : 'eligible';
      const p = (JSON.parse(body || '{}') as { properties?: { principalId?: string; roleDefinitionId?: string; requestType?: string; justification?: string } }).properties ?? {};
      if (!p.principalId || !p.roleDefinitionId || !p.requestType) return armError(res, 400, 'InvalidRoleAssignmentRequest', 'principalId, roleDefinitionId and requestType are required.');
      const role = p.roleDefinitionId.split('/').pop()!.toLowerCase();
      if (p.requestType !== 'AdminRemove') return armError(res, 400, 'InvalidRequestType', `The simulator supports only AdminRemove, not ${p.requestType}.`);
      const list = kind === 'active' ? estate.assignmentSchedules : estate.eligibilitySchedules;
      const match = (s: { scope: string; roleDefinition: string; principalId: string }) => s.scope.toLowerCase() === scope.toLowerCase() && s.roleDefinition === role && s.principalId === p.principalId;
      const i = list.findIndex(match);
      if (i < 0) return armError(res, 400, kind === 'active' ? 'RoleAssignmentDoesNotExist' : 'RoleEligibilityScheduleDoesNotExist', kind === 'active' ? 'The Role assignment does not exist.' : 'The role eligibility schedule does not exist.');
      list.splice(i, 1);
      if (kind === 'active') {
        // Removing the active schedule removes the role assignment it provisioned.
        const ai = estate.roleAssignments.findIndex(match);
        if (ai >= 0) estate.roleAssignments.splice(ai, 1);
      }
      const collName = kind === 'active' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests';
      return json(res, 201, {
        properties: { scope, roleDefinitionId: p.roleDefinitionId, principalId: p.principalId, principalType: 'ServicePrincipal', requestType: 'AdminRemove', status: 'Revoked',
          justification: p.justification ?? null, createdOn: new Date().toISOString(), requestorId: '00000000-0000-0000-0000-00000000c11e' },
        name, id: `${scope}/providers/Microsoft.Authorization/${collName}/${name}`, type: `Microsoft.Authorization/${collName}`,
      });
    }
    return armError(res, 404, 'NotFound', `No route for ${method} ${path} in the simulator.`);
  }

  function roleDefJson(d: AzureEstate['roleDefinitions'][number], scope: string) {
    return {
      id: defId(scope, d.name), name: d.name, type: 'Microsoft.Authorization/roleDefinitions',
      properties: { roleName: d.roleName, type: d.type, description: d.description ?? '', assignableScopes: d.assignableScopes ?? ['/'],
        permissions: d.permissions.map((p) => ({ actions: p.actions, notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] })),
        createdOn: '2015-02-02T21:55:09.8806423Z', updatedOn: '2024-01-01T00:00:00.0000000Z', createdBy: null, updatedBy: null },
    };
  }

  // ---------- Graph ----------
  const userRef = (id: string) => {
    const u = estate.users.find((x) => x.id === id);
    return u ? { '@odata.type': '#microsoft.graph.user', id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName } : null;
  };
  const appJson = (a: AzureEstate['applications'][number], expandOwners: boolean) => ({
    id: a.id, appId: a.appId, displayName: a.displayName, createdDateTime: a.createdDateTime, signInAudience: 'AzureADMyOrg', tags: a.tags ?? [],
    passwordCredentials: a.passwordCredentials.map((c) => ({ customKeyIdentifier: null, displayName: c.displayName, endDateTime: c.endDateTime, hint: c.hint, keyId: c.keyId, secretText: null, startDateTime: c.startDateTime })),
    keyCredentials: a.keyCredentials.map((c) => ({ customKeyIdentifier: c.customKeyIdentifier ?? null, displayName: c.displayName, endDateTime: c.endDateTime, key: null, keyId: c.keyId, startDateTime: c.startDateTime, type: c.type, usage: c.usage })),
    ...(expandOwners ? { owners: (a.owners ?? []).map(userRef).filter(Boolean) } : {}),
  });
  const spJson = (s: AzureEstate['servicePrincipals'][number], expandOwners: boolean) => ({
    id: s.id, appId: s.appId, displayName: s.displayName, servicePrincipalType: s.servicePrincipalType, accountEnabled: s.accountEnabled,
    appOwnerOrganizationId: s.appOwnerOrganizationId ?? (s.servicePrincipalType === 'ManagedIdentity' ? null : estate.tenantId), alternativeNames: s.alternativeNames ?? [], tags: s.tags ?? [],
    appDisplayName: s.displayName, signInAudience: s.signInAudience ?? (s.servicePrincipalType === 'ManagedIdentity' ? null : 'AzureADMyOrg'),
    verifiedPublisher: s.verifiedPublisher ?? { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    appRoles: (s.appRoles ?? []).map((r) => ({ allowedMemberTypes: r.allowedMemberTypes, description: r.displayName, displayName: r.displayName, id: r.id, isEnabled: true, origin: 'Application', value: r.value })),
    oauth2PermissionScopes: (s.oauth2PermissionScopes ?? []).map((x) => ({ adminConsentDescription: x.value, adminConsentDisplayName: x.value, id: x.id, isEnabled: true, type: x.type, userConsentDescription: null, userConsentDisplayName: null, value: x.value })),
    passwordCredentials: s.passwordCredentials.map((c) => ({ customKeyIdentifier: null, displayName: c.displayName, endDateTime: c.endDateTime, hint: c.hint, keyId: c.keyId, secretText: null, startDateTime: c.startDateTime })),
    keyCredentials: s.keyCredentials.map((c) => ({ customKeyIdentifier: c.customKeyIdentifier ?? null, displayName: c.displayName, endDateTime: c.endDateTime, key: null, keyId: c.keyId, startDateTime: c.startDateTime, type: c.type, usage: c.usage })),
    ...(expandOwners ? { owners: (s.owners ?? []).map(userRef).filter(Boolean) } : {}),
  });

  // Entra grants (issue 16/17): application permissions (appRoleAssignments), delegated consents
  // (oauth2PermissionGrants), directory roles and their members, federated identity credentials, disabling a service
  // principal. Shapes follow Microsoft Graph v1.0 (and beta for a flexible credential's claimsMatchingExpression).
  const notFound = (res: ServerResponse, what: string) => graphError(res, 404, 'Request_ResourceNotFound', `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`);
  const spById = (id: string) => estate.servicePrincipals.find((x) => x.id === id);
  const araJson = (a: SimAppRoleAssignment) => ({ id: a.id, deletedDateTime: null, appRoleId: a.appRoleId, createdDateTime: a.createdDateTime,
    principalDisplayName: spById(a.principalId)?.displayName ?? null, principalId: a.principalId, principalType: 'ServicePrincipal',
    resourceDisplayName: spById(a.resourceId)?.displayName ?? null, resourceId: a.resourceId });
  const grantJson = (g: SimOAuth2PermissionGrant) => ({ id: g.id, clientId: g.clientId, consentType: g.consentType, principalId: g.principalId, resourceId: g.resourceId, scope: g.scope });
  const ficJson = (f: SimFederatedCredential, beta: boolean) => ({ id: f.id, audiences: f.audiences, description: f.description ?? null, issuer: f.issuer, name: f.name, subject: f.subject,
    ...(beta ? { claimsMatchingExpression: f.claimsMatchingExpression ?? null } : {}) });
  const bodyOf = <T>(body: string): T => JSON.parse(body || '{}') as T;
  const noContent = (res: ServerResponse) => { res.statusCode = 204; res.end(); };
  const list = <T>(k: 'appRoleAssignments' | 'oauth2PermissionGrants' | 'directoryRoles' | 'federatedCredentials'): T[] => ((estate[k] ??= []) as unknown as T[]);

  function entra(req: IncomingMessage, res: ServerResponse, body: string, url: URL): boolean {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let m = /^\/v1\.0\/servicePrincipals\/([^/]+)\/appRoleAssignments(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const sp = spById(m[1]!);
      if (!sp) { notFound(res, m[1]!); return true; }
      const all = list<SimAppRoleAssignment>('appRoleAssignments');
      if (!m[2] && method === 'GET') { json(res, 200, page(req, all.filter((a) => a.principalId === sp.id).map(araJson), 'graph', origin)); return true; }
      if (!m[2] && method === 'POST') {
        const b = bodyOf<{ principalId?: string; resourceId?: string; appRoleId?: string }>(body);
        const resource = b.resourceId ? spById(b.resourceId) : undefined;
        if (b.principalId !== sp.id || !resource || !b.appRoleId) { graphError(res, 400, 'Request_BadRequest', 'principalId (this service principal), resourceId and appRoleId are required.'); return true; }
        if (!(resource.appRoles ?? []).some((r) => r.id === b.appRoleId)) { graphError(res, 400, 'Request_BadRequest', 'Permission being assigned was not found on application'); return true; }
        const a: SimAppRoleAssignment = { id: Buffer.from(randomUUID()).toString('base64url').slice(0, 43), principalId: sp.id, resourceId: resource.id, appRoleId: b.appRoleId, createdDateTime: new Date().toISOString() };
        all.push(a);
        json(res, 201, araJson(a));
        return true;
      }
      const i = all.findIndex((a) => a.id === m![2] && a.principalId === sp.id);
      if (i < 0) { notFound(res, m[2]!); return true; }
      if (method === 'GET') { json(res, 200, araJson(all[i]!)); return true; }
      if (method === 'DELETE') { all.splice(i, 1); noContent(res); return true; }
    }
    m = /^\/v1\.0\/oauth2PermissionGrants(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const all = list<SimOAuth2PermissionGrant>('oauth2PermissionGrants');
      if (!m[1] && method === 'GET') { json(res, 200, page(req, all.map(grantJson), 'graph', origin)); return true; }
      if (!m[1] && method === 'POST') {
        const b = bodyOf<Partial<SimOAuth2PermissionGrant>>(body);
        if (!b.clientId || !b.resourceId || !b.consentType || (b.consentType === 'Principal' && !b.principalId)) { graphError(res, 400, 'Request_BadRequest', 'clientId, consentType, resourceId (and principalId for Principal) are required.'); return true; }
        if (all.some((g) => g.clientId === b.clientId && g.resourceId === b.resourceId && g.consentType === b.consentType && (g.principalId ?? null) === (b.principalId ?? null))) {
          graphError(res, 409, 'Request_MultipleObjectsWithSameKeyValue', 'Permission entry already exists.'); return true;
        }
        const g: SimOAuth2PermissionGrant = { id: Buffer.from(randomUUID()).toString('base64url').slice(0, 43), clientId: b.clientId, consentType: b.consentType, principalId: b.principalId ?? null, resourceId: b.resourceId, scope: b.scope ?? '' };
        all.push(g);
        json(res, 201, grantJson(g));
        return true;
      }
      const i = all.findIndex((g) => g.id === m![1]);
      if (i < 0) { notFound(res, m[1]!); return true; }
      if (method === 'GET') { json(res, 200, grantJson(all[i]!)); return true; }
      if (method === 'PATCH') { const b = bodyOf<{ scope?: string }>(body); if (typeof b.scope === 'string') all[i]!.scope = b.scope; noContent(res); return true; }
      if (method === 'DELETE') { all.splice(i, 1); noContent(res); return true; }
    }
    if (method === 'GET' && path === '/v1.0/directoryRoles') {
      json(res, 200, { '@odata.context': `${origin}/v1.0/$metadata#directoryRoles`, value: list<SimDirectoryRole>('directoryRoles').map((r) => ({ id: r.id, deletedDateTime: null, description: r.description ?? null, displayName: r.displayName, roleTemplateId: r.roleTemplateId })) });
      return true;
    }
    m = /^\/v1\.0\/directoryRoles\/([^/]+)\/members$/.exec(path);
    if (m && method === 'GET') {
      const r = list<SimDirectoryRole>('directoryRoles').find((x) => x.id === m![1]);
      if (!r) { notFound(res, m[1]!); return true; }
      const members = r.members.map((id) => {
        const u = userRef(id);
        if (u) return u;
        const s = spById(id);
        return s ? { '@odata.type': '#microsoft.graph.servicePrincipal', id: s.id, appId: s.appId, displayName: s.displayName, servicePrincipalType: s.servicePrincipalType } : null;
      }).filter(Boolean);
      json(res, 200, page(req, members, 'graph', origin));
      return true;
    }
    m = /^\/(v1\.0|beta)\/applications\/([^/]+)\/federatedIdentityCredentials(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const beta = m[1] === 'beta';
      const app = estate.applications.find((a) => a.id === m![2]);
      if (!app) { notFound(res, m[2]!); return true; }
      const all = list<SimFederatedCredential>('federatedCredentials');
      if (!m[3] && method === 'GET') { json(res, 200, page(req, all.filter((f) => f.applicationId === app.id).map((f) => ficJson(f, beta)), 'graph', origin)); return true; }
      if (!m[3] && method === 'POST') {
        const b = bodyOf<{ name?: string; issuer?: string; subject?: string | null; audiences?: string[]; description?: string | null; claimsMatchingExpression?: SimFederatedCredential['claimsMatchingExpression'] }>(body);
        if (!b.name || !b.issuer || !b.audiences?.length || (!b.subject === !b.claimsMatchingExpression)) { graphError(res, 400, 'Request_BadRequest', 'name, issuer, audiences and exactly one of subject or claimsMatchingExpression are required.'); return true; }
        if (all.some((f) => f.applicationId === app.id && f.name === b.name)) { graphError(res, 409, 'Request_MultipleObjectsWithSameKeyValue', `FederatedIdentityCredential with name ${b.name} already exists.`); return true; }
        const f: SimFederatedCredential = { id: randomUUID(), applicationId: app.id, name: b.name, issuer: b.issuer, subject: b.subject ?? null, audiences: b.audiences, description: b.description ?? null, claimsMatchingExpression: b.claimsMatchingExpression ?? null };
        all.push(f);
        json(res, 201, ficJson(f, beta));
        return true;
      }
      const i = all.findIndex((f) => f.applicationId === app.id && (f.id === m![3] || f.name === m![3]));
      if (i < 0) { notFound(res, m[3]!); return true; }
      if (method === 'GET') { json(res, 200, ficJson(all[i]!, beta)); return true; }
      if (method === 'DELETE') { all.splice(i, 1); noContent(res); return true; }
    }
    m = /^\/v1\.0\/servicePrincipals\/([^/]+)$/.exec(path);
    if (m && method === 'PATCH') {
      const sp = spById(m[1]!);
      if (!sp) { notFound(res, m[1]!); return true; }
      const b = bodyOf<{ accountEnabled?: boolean }>(body);
      if (typeof b.accountEnabled === 'boolean') sp.accountEnabled = b.accountEnabled;
      noContent(res);
      return true;
    }
    return false;
  }

  function graph(req: IncomingMessage, res: ServerResponse, body: string, url: URL): void {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const expand = /owners/i.test(url.searchParams.get('$expand') ?? '');
    if (method === 'GET' && path === '/v1.0/servicePrincipals') return json(res, 200, page(req, estate.servicePrincipals.map((s) => spJson(s, expand)), 'graph', origin));
    if (method === 'GET' && path === '/v1.0/applications') return json(res, 200, page(req, estate.applications.map((a) => appJson(a, expand)), 'graph', origin));
    if (method === 'GET' && path === '/v1.0/users') return json(res, 200, page(req, estate.users.map((u) => ({ id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, accountEnabled: u.accountEnabled, createdDateTime: u.createdDateTime, userType: u.userType ?? 'Member' })), 'graph', origin));
    let m = /^\/v1\.0\/(applications|servicePrincipals)\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const o = m[1] === 'applications' ? estate.applications.find((a) => a.id === m![2]) : estate.servicePrincipals.find((s) => s.id === m![2]);
      if (!o) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${m[2]}' does not exist or one of its queried reference-property objects are not present.`);
      return json(res, 200, m[1] === 'applications' ? appJson(o as AzureEstate['applications'][number], expand) : spJson(o as AzureEstate['servicePrincipals'][number], expand));
    }
    m = /^\/v1\.0\/(applications|servicePrincipals)\/([^/]+)\/removePassword$/.exec(path);
    if (m && method === 'POST') {
      const o = m[1] === 'applications' ? estate.applications.find((a) => a.id === m![2]) : estate.servicePrincipals.find((s) => s.id === m![2]);
      if (!o) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${m[2]}' does not exist or one of its queried reference-property objects are not present.`);
      const keyId = (JSON.parse(body || '{}') as { keyId?: string }).keyId;
      const i = o.passwordCredentials.findIndex((c) => c.keyId === keyId);
      if (i < 0) return graphError(res, 400, 'Request_BadRequest', `No password credential found with keyId ${keyId}.`);
      o.passwordCredentials.splice(i, 1);
      res.statusCode = 204;
      return void res.end();
    }
    if (entra(req, res, body, url)) return;
    if (method === 'POST' && path === '/v1.0/directoryObjects/getByIds') {
      const ids = (JSON.parse(body || '{}') as { ids?: string[] }).ids ?? [];
      if (ids.length > 1000) return graphError(res, 400, 'Request_BadRequest', 'Too many ids: at most 1000 are allowed.');
      const out: Record<string, unknown>[] = [];
      for (const id of ids) {
        const u = userRef(id);
        if (u) { out.push(u); continue; }
        const g = estate.groups.find((x) => x.id === id);
        if (g) { out.push({ '@odata.type': '#microsoft.graph.group', id: g.id, displayName: g.displayName }); continue; }
        const s = estate.servicePrincipals.find((x) => x.id === id);
        if (s) out.push({ '@odata.type': '#microsoft.graph.servicePrincipal', id: s.id, appId: s.appId, displayName: s.displayName, servicePrincipalType: s.servicePrincipalType });
      }
      return json(res, 200, { '@odata.context': `${origin}/v1.0/$metadata#directoryObjects`, value: out });
    }
    if (method === 'GET' && (path === '/beta/reports/servicePrincipalSignInActivities' || path === '/beta/reports/appCredentialSignInActivities')) {
      if (opts.signInReports === 'forbidden') return graphError(res, 403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license");
      if (opts.signInReports === 'missing') return graphError(res, 404, 'BadRequest', `Resource not found for the segment '${path.split('/').pop()}'.`);
      if (path.endsWith('servicePrincipalSignInActivities')) {
        const items = Object.entries(estate.signIns.servicePrincipals).map(([appId, at]) => ({
          id: Buffer.from(appId).toString('base64url'), appId,
          lastSignInActivity: { lastSignInDateTime: at, lastSignInRequestId: at ? randomUUID() : null },
          delegatedClientSignInActivity: { lastSignInDateTime: null, lastSignInRequestId: null },
          applicationAuthenticationClientSignInActivity: { lastSignInDateTime: at, lastSignInRequestId: null },
        }));
        return json(res, 200, page(req, items, 'graph', origin));
      }
      const items: Record<string, unknown>[] = [];
      for (const [keyId, at] of Object.entries(estate.signIns.credentials)) {
        const onApp = estate.applications.find((a) => [...a.passwordCredentials, ...a.keyCredentials].some((c) => c.keyId === keyId));
        const onSp = estate.servicePrincipals.find((s) => [...s.passwordCredentials, ...s.keyCredentials].some((c) => c.keyId === keyId));
        const owner = onApp ?? onSp;
        if (!owner) continue;
        const cred = [...owner.passwordCredentials, ...owner.keyCredentials].find((c) => c.keyId === keyId)!;
        items.push({ id: Buffer.from(keyId).toString('base64url'), keyId, keyType: 'type' in cred ? 'certificate' : 'clientSecret', keyUsage: 'type' in cred ? 'verify' : 'sign',
          appId: owner.appId, appObjectId: onApp?.id ?? null, servicePrincipalObjectId: onSp?.id ?? estate.servicePrincipals.find((s) => s.appId === owner.appId)?.id ?? null,
          resourceId: null, credentialOrigin: onApp ? 'application' : 'servicePrincipal', expirationDateTime: cred.endDateTime, createdDateTime: cred.startDateTime,
          signInActivity: { lastSignInDateTime: at, lastSignInRequestId: at ? randomUUID() : null } });
      }
      return json(res, 200, page(req, items, 'graph', origin));
    }
    return graphError(res, 400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop()}'.`);
  }

  // ---------- Key Vault data plane ----------
  const epoch = (s: string | null | undefined) => (s ? Math.floor(Date.parse(s) / 1000) : undefined);
  const kvError = (res: ServerResponse, status: number, code: string, message: string) => json(res, status, { error: { code, message } });

  function keyVault(vault: SimVault, server: () => SimServer): (req: IncomingMessage, res: ServerResponse, body: string) => void {
    return (req, res, body) => {
      const base = server().url;
      const url = new URL(req.url ?? '/', base);
      requests.push(`${vault.name} ${req.method} ${url.pathname}${url.search}`);
      if (req.headers.authorization !== `Bearer ${token}`) {
        // The Key Vault bearer challenge: the SDK's first request carries no token and learns the authority from this.
        res.setHeader('www-authenticate', `Bearer authorization="https://login.microsoftonline.com/${estate.tenantId}", resource="${base}"`);
        return kvError(res, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
      }
      if (!url.searchParams.get('api-version')) return kvError(res, 400, 'BadParameter', 'api-version is required.');
      const parts = url.pathname.split('/').filter(Boolean);
      const collection = parts[0] as 'secrets' | 'keys' | 'certificates' | undefined;
      if (!collection || !['secrets', 'keys', 'certificates'].includes(collection)) return kvError(res, 404, 'NotFound', 'Not found.');
      const items = vault[collection];
      const idKey = collection === 'keys' ? 'kid' : 'id';
      const attrs = (v: SimVaultItem['versions'][number]) => ({ enabled: v.enabled, nbf: epoch(v.nbf), exp: epoch(v.exp), created: epoch(v.created), updated: epoch(v.updated), recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 });
      const itemJson = (it: SimVaultItem, v: SimVaultItem['versions'][number], withVersion: boolean) => ({
        [idKey]: `${base}/${collection}/${it.name}${withVersion ? `/${v.version}` : ''}`, attributes: attrs(v), tags: it.tags ?? {},
        ...(collection === 'secrets' && it.contentType ? { contentType: it.contentType } : {}),
        ...(it.managed ? { managed: true } : {}),
        ...(collection === 'certificates' ? { x5t: Buffer.from(it.name).toString('base64url') } : {}),
      });
      const method = req.method ?? 'GET';
      if (method === 'GET' && parts.length === 1) {
        return json(res, 200, page(req, items.map((it) => itemJson(it, it.versions[it.versions.length - 1]!, false)), 'kv', base));
      }
      const it = items.find((x) => x.name.toLowerCase() === (parts[1] ?? '').toLowerCase());
      const notFound = () => kvError(res, 404, `${collection === 'secrets' ? 'Secret' : collection === 'keys' ? 'Key' : 'Certificate'}NotFound`, `A ${collection.slice(0, -1)} with (name/id) ${parts[1]}${parts[2] ? `/${parts[2]}` : ''} was not found in this key vault.`);
      if (!it) return notFound();
      if (method === 'GET' && parts[2] === 'versions') return json(res, 200, page(req, it.versions.map((v) => itemJson(it, v, true)), 'kv', base));
      if (collection === 'keys' && method === 'GET' && parts[2] === 'rotationpolicy') {
        // Key Vault answers a key without a policy with its default: notify 30 days before expiry, never rotate.
        const p = it.rotationPolicy ?? { lifetimeActions: [{ trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'Notify' } }] };
        return json(res, 200, { id: `${base}/keys/${it.name}/rotationpolicy`, lifetimeActions: p.lifetimeActions,
          attributes: { ...(p.expiryTime ? { expiryTime: p.expiryTime } : {}), created: epoch(it.versions[0]!.created), updated: epoch(it.versions[0]!.updated) } });
      }
      if (collection === 'keys' && method === 'POST' && parts[2] === 'rotate') {
        const now = new Date().toISOString();
        const v = { version: `r${it.versions.length + 1}${Date.now().toString(16)}`, enabled: true, created: now, updated: now };
        it.versions.push(v as SimVaultItem['versions'][number]);
        return json(res, 200, { ...itemJson(it, it.versions[it.versions.length - 1]!, true), key: { kid: `${base}/keys/${it.name}/${v.version}`, kty: 'RSA', key_ops: ['verify'], n: 'sim', e: 'AQAB' } });
      }
      if (method === 'GET' && collection === 'secrets') {
        sim.secretValueReads++;
        return kvError(res, 403, 'Forbidden', 'The nhi-recon simulator never serves secret values.');
      }
      if (method === 'PATCH' && parts.length === 3) {
        const v = it.versions.find((x) => x.version === parts[2]);
        if (!v) return notFound();
        const patch = JSON.parse(body || '{}') as { attributes?: { enabled?: boolean } };
        if (typeof patch.attributes?.enabled === 'boolean') v.enabled = patch.attributes.enabled;
        v.updated = new Date().toISOString();
        const out: Record<string, unknown> = itemJson(it, v, true);
        if (collection === 'keys') out.key = { kid: out.kid, kty: 'RSA', key_ops: ['verify'], n: 'sim', e: 'AQAB' };
        return json(res, 200, out);
      }
      if (method === 'GET' && parts.length === 2 && collection !== 'secrets') {
        const v = it.versions[it.versions.length - 1]!;
        const out: Record<string, unknown> = itemJson(it, v, true);
        if (collection === 'keys') out.key = { kid: out.kid, kty: 'RSA', key_ops: ['verify'], n: 'sim', e: 'AQAB' };
        return json(res, 200, out);
      }
      return kvError(res, 405, 'MethodNotAllowed', `${method} is not supported here.`);
    };
  }

  const faultResponse = (res: ServerResponse, f: { kind: string; status?: number; retryAfter?: number }) => {
    if (f.kind === 'throttle') {
      return json(res, 429, { error: { code: 'TooManyRequests', message: 'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00.' } },
        { 'retry-after': String(f.retryAfter ?? 1), 'x-ms-ratelimit-remaining-subscription-reads': '0' });
    }
    const status = f.status ?? 500;
    const code = status === 403 ? 'AuthorizationFailed' : status >= 500 ? 'InternalServerError' : 'BadRequest';
    return json(res, status, { error: { code, message: `Injected fault: ${status}.` } });
  };

  const main = await serve((req, res, body) => {
    const url = new URL(req.url ?? '/', origin);
    const isGraph = url.pathname.startsWith('/v1.0/') || url.pathname.startsWith('/beta/');
    requests.push(`${isGraph ? 'graph' : 'arm'} ${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${token}`) {
      return isGraph
        ? graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.')
        : armError(res, 401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or the token is invalid.");
    }
    if (isGraph) return graph(req, res, body, url);
    if (!url.searchParams.get('api-version')) return armError(res, 400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    return arm(req, res, body, url);
  }, { tls: { key: tls.key, cert: tls.cert }, latencyMs: opts.latencyMs, faults: opts.faults, faultResponse });
  origin = main.url;

  for (const v of estate.vaults) {
    let srv: SimServer | undefined;
    srv = await serve(keyVault(v, () => srv!), { tls: { key: tls.key, cert: tls.cert }, latencyMs: opts.latencyMs, faults: opts.faults, faultResponse });
    vaultServers.set(v.name.toLowerCase(), srv);
  }
  sim.url = origin;
  sim.armEndpoint = origin;
  sim.graphEndpoint = origin;
  return sim;
}
