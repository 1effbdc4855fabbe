// Entra remediation (issue 16): revoke one delegated scope (PATCH the grant's scope string, or delete the grant when it
// was the last scope), remove an app role assignment, disable a service principal, remove an app's federated identity
// credential. Reads match the access by what it is (client + resource + consent, principal + resource + role, credential
// name), not only by id, so a rollback that re-creates it under a new id reads back as restored.
import type { ActionSpec, Target, TargetState, Verification } from '../types.js';
import { NotReversibleError } from '../types.js';
import { errorText, statusOf, type AzureClients, type Ctx } from './clients.js';
import { scopesOf } from './entra.js';

export const ENTRA_ACTIONS: ActionSpec[] = [
  { operation: 'revoke-delegated-scope', kind: 'revoke', subject: 'entitlement', reversible: true,
    description: "Remove one scope from a delegated consent (oauth2PermissionGrant): PATCH the grant's scope without it, or delete the grant when it was the last. Rollback puts the scope back (re-creating the grant from the journaled before-state if it was deleted)." },
  { operation: 'remove-app-role-assignment', kind: 'revoke', subject: 'entitlement', reversible: true,
    description: 'Remove an application permission (app role assignment) from a service principal. Rollback re-assigns the same app role on the same resource.' },
  { operation: 'disable-service-principal', kind: 'disable', subject: 'identity', kinds: ['service_account'], reversible: true,
    description: 'Disable a service principal (accountEnabled = false): no token is issued for it in this tenant. Rollback re-enables it.' },
  { operation: 'remove-federated-credential', kind: 'delete', subject: 'entitlement', reversible: true,
    description: "Delete a federated identity credential of an app registration, so the external subject can no longer obtain tokens as the app. Rollback re-creates it from the journaled before-state (same name, issuer, subject, audiences)." },
];
export const ENTRA_OPERATIONS = new Set(ENTRA_ACTIONS.map((a) => a.operation));

const KIND_OF: Record<string, string> = {
  'revoke-delegated-scope': 'delegated_grant', 'remove-app-role-assignment': 'app_role_assignment', 'remove-federated-credential': 'federated_credential',
};

type Graph = Awaited<ReturnType<AzureClients['graph']>>;
const str = (t: Target, k: string): string => {
  const v = t.attributes?.[k];
  if (typeof v !== 'string' || !v) throw new Error(`target ${t.ref} lacks attribute ${k}; collect it again with this version of the connector`);
  return v;
};
const missing = (state: Record<string, unknown> = {}): TargetState => ({ exists: false, active: false, last_used_at: null, state });
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function listAll<T>(graph: Graph, path: string, beta = false): Promise<T[]> {
  const out: T[] = [];
  let req = graph.api(path);
  if (beta) req = req.version('beta');
  let res = await req.get() as { value?: T[]; '@odata.nextLink'?: string };
  for (;;) {
    out.push(...(res.value ?? []));
    if (!res['@odata.nextLink']) return out;
    res = await graph.api(res['@odata.nextLink']).get() as typeof res;
  }
}

/** Whether a target is one of ours (an Entra grant or a service principal identity). */
export function isEntraTarget(t: Target): boolean {
  return typeof t.attributes?.entra_kind === 'string' || (t.subject === 'identity' && typeof t.attributes?.object_id === 'string' && typeof t.attributes?.app_id === 'string');
}

export function checkEntraApplies(op: string, t: Target): void {
  if (op === 'disable-service-principal') {
    if (t.subject !== 'identity' || t.kind !== 'service_account') throw new Error(`${t.ref} is not a service principal (managed identities cannot be disabled this way)`);
    return;
  }
  const want = KIND_OF[op];
  if (want && t.attributes?.entra_kind !== want) throw new Error(`${t.ref} is not a${want === 'app_role_assignment' ? 'n' : ''} ${want.replace(/_/g, ' ')}`);
  if (op === 'remove-federated-credential' && t.attributes?.object !== 'application') throw new Error(`${t.ref} is a managed identity's federated credential: remove it in Azure Resource Manager (not supported here)`);
}

interface Grant { id: string; clientId: string; consentType?: string | null; principalId?: string | null; resourceId: string; scope?: string | null }
interface Assignment { id: string; principalId: string; resourceId: string; appRoleId: string }
interface Fic { id: string; name: string; issuer: string; subject?: string | null; audiences?: string[]; description?: string | null; claimsMatchingExpression?: { value?: string; languageVersion?: number } | null }

async function findGrant(graph: Graph, t: Target): Promise<Grant | undefined> {
  const client = str(t, 'client_id'), resource = str(t, 'resource_id'), consent = str(t, 'consent_type');
  const principal = typeof t.attributes?.principal_id === 'string' ? t.attributes.principal_id : null;
  const list = await listAll<Grant>(graph, `/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq ${q(client)}`)}`);
  // The listing is filtered on the server; the match is checked here too (grant id first, then what the grant is).
  const same = (g: Grant) => g.clientId === client && g.resourceId === resource && g.consentType === consent && (g.principalId ?? null) === principal;
  return list.find((g) => g.id === t.attributes?.grant_id && same(g)) ?? list.find(same);
}

export async function readEntra(ctx: Ctx, clients: AzureClients, t: Target): Promise<TargetState> {
  const graph = await clients.graph();
  if (t.subject === 'identity') {
    let sp: { id: string; accountEnabled?: boolean; displayName?: string };
    try { sp = await graph.api(`/servicePrincipals/${str(t, 'object_id')}`).select('id,accountEnabled,displayName').get(); } catch (e) {
      if (statusOf(e) === 404) return missing();
      throw e;
    }
    return { exists: true, active: sp.accountEnabled !== false, last_used_at: null, state: { object_id: sp.id, account_enabled: sp.accountEnabled !== false } };
  }
  const kind = t.attributes?.entra_kind;
  if (kind === 'delegated_grant') {
    const g = await findGrant(graph, t);
    if (!g) return missing({ grant_exists: false });
    const scopes = scopesOf(g.scope);
    const state = { grant_id: g.id, client_id: g.clientId, consent_type: g.consentType ?? null, principal_id: g.principalId ?? null, resource_id: g.resourceId, scope: g.scope ?? '', scopes };
    return scopes.includes(t.permission ?? '') ? { exists: true, active: true, last_used_at: null, state } : missing({ ...state, grant_exists: true });
  }
  if (kind === 'app_role_assignment') {
    const principal = str(t, 'principal_id'), resource = str(t, 'resource_id'), role = str(t, 'app_role_id');
    let list: Assignment[];
    try { list = await listAll<Assignment>(graph, `/servicePrincipals/${principal}/appRoleAssignments`); } catch (e) {
      if (statusOf(e) === 404) return missing({ principal_exists: false });
      throw e;
    }
    const a = list.find((x) => x.id === t.attributes?.assignment_id && x.resourceId === resource && x.appRoleId === role) ?? list.find((x) => x.resourceId === resource && x.appRoleId === role);
    if (!a) return missing();
    return { exists: true, active: true, last_used_at: null, state: { assignment_id: a.id, principal_id: principal, resource_id: resource, app_role_id: role } };
  }
  if (kind === 'federated_credential') {
    const app = str(t, 'object_id');
    const name = (t.attributes?.mint as { conditions?: { name?: string } } | undefined)?.conditions?.name;
    let list: Fic[];
    // Beta carries a flexible credential's claimsMatchingExpression, which a rollback needs.
    try { list = await listAll<Fic>(graph, `/applications/${app}/federatedIdentityCredentials`, true); } catch (e) {
      if (statusOf(e) === 404) return missing({ application_exists: false });
      throw e;
    }
    const f = list.find((x) => x.id === t.attributes?.fic_id) ?? list.find((x) => !!name && x.name === name);
    if (!f) return missing();
    return { exists: true, active: true, last_used_at: null, state: { fic_id: f.id, application_object_id: app, name: f.name, issuer: f.issuer, subject: f.subject ?? null,
      audiences: f.audiences ?? [], description: f.description ?? null, claims_matching_expression: f.claimsMatchingExpression ?? null } };
  }
  throw new Error(`${t.ref}: not an Entra target`);
}

export async function executeEntra(ctx: Ctx, clients: AzureClients, op: string, t: Target, before: TargetState): Promise<Record<string, unknown>> {
  const graph = await clients.graph();
  const s = before.state;
  switch (op) {
    case 'revoke-delegated-scope': {
      // Only the judged scope goes; the rest of the consent stays. The last scope takes the grant with it.
      const remaining = (s.scopes as string[]).filter((x) => x !== t.permission);
      if (!remaining.length) {
        await graph.api(`/oauth2PermissionGrants/${String(s.grant_id)}`).delete();
        return { grant_id: s.grant_id, removed_scope: t.permission, deleted_grant: true, remaining_scopes: [] };
      }
      await graph.api(`/oauth2PermissionGrants/${String(s.grant_id)}`).patch({ scope: remaining.join(' ') });
      return { grant_id: s.grant_id, removed_scope: t.permission, deleted_grant: false, remaining_scopes: remaining };
    }
    case 'remove-app-role-assignment':
      await graph.api(`/servicePrincipals/${String(s.principal_id)}/appRoleAssignments/${String(s.assignment_id)}`).delete();
      return { removed_assignment: s.assignment_id, app_role_id: s.app_role_id, resource_id: s.resource_id };
    case 'disable-service-principal':
      await graph.api(`/servicePrincipals/${String(s.object_id)}`).patch({ accountEnabled: false });
      return { disabled: s.object_id };
    case 'remove-federated-credential':
      await graph.api(`/applications/${String(s.application_object_id)}/federatedIdentityCredentials/${String(s.fic_id)}`).delete();
      return { removed_federated_credential: s.fic_id, name: s.name };
    default: throw new Error(`unknown Entra operation ${op}`);
  }
}

export async function verifyEntra(ctx: Ctx, clients: AzureClients, op: string, t: Target): Promise<Verification> {
  try {
    const after = await readEntra(ctx, clients, t);
    if (op === 'disable-service-principal') return { ok: after.exists && !after.active, evidence: { exists: after.exists, account_enabled: after.state.account_enabled ?? null } };
    return { ok: !after.exists, evidence: { exists: after.exists, read_back: after.state } };
  } catch (e) {
    return { ok: false, evidence: { error: errorText(e) } };
  }
}

export async function rollbackEntra(ctx: Ctx, clients: AzureClients, op: string, t: Target, before: TargetState): Promise<Record<string, unknown>> {
  const graph = await clients.graph();
  const s = before.state;
  if (!before.exists) throw new NotReversibleError(`no before-state to restore ${t.ref}`);
  switch (op) {
    case 'revoke-delegated-scope': {
      const now = await findGrant(graph, t);
      if (now) {
        // Put the removed scope back without dropping any scope granted since.
        const scopes = [...new Set([...(s.scopes as string[]), ...scopesOf(now.scope)])];
        await graph.api(`/oauth2PermissionGrants/${now.id}`).patch({ scope: scopes.join(' ') });
        return { grant_id: now.id, scope: scopes.join(' ') };
      }
      const g = await graph.api('/oauth2PermissionGrants').post({ clientId: s.client_id, consentType: s.consent_type, principalId: s.principal_id, resourceId: s.resource_id, scope: s.scope }) as Grant;
      return { recreated_grant: g.id, scope: s.scope };
    }
    case 'remove-app-role-assignment': {
      const a = await graph.api(`/servicePrincipals/${String(s.principal_id)}/appRoleAssignments`).post({ principalId: s.principal_id, resourceId: s.resource_id, appRoleId: s.app_role_id }) as Assignment;
      return { recreated_assignment: a.id };
    }
    case 'disable-service-principal':
      await graph.api(`/servicePrincipals/${String(s.object_id)}`).patch({ accountEnabled: true });
      return { enabled: s.object_id };
    case 'remove-federated-credential': {
      const expr = s.claims_matching_expression as Fic['claimsMatchingExpression'];
      const body = { name: s.name, issuer: s.issuer, audiences: s.audiences, description: s.description, ...(expr ? { claimsMatchingExpression: expr } : { subject: s.subject }) };
      // A flexible credential exists only in beta.
      const req = graph.api(`/applications/${String(s.application_object_id)}/federatedIdentityCredentials`);
      const f = await (expr ? req.version('beta') : req).post(body) as Fic;
      return { recreated_federated_credential: f.id, name: f.name };
    }
    default: throw new NotReversibleError(`${op} cannot be undone automatically`);
  }
}
