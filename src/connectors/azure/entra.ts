// Entra grants of the directory tenant (issues 16 and 17): application permissions (app role assignments), delegated
// consents (oauth2PermissionGrants, one entitlement per scope), directory roles held by service principals, and
// federated identity credentials of app registrations and user-assigned managed identities (mint edges). Each listing
// that fails marks the directory partial and names what is missing; nothing is inferred from an absent listing.
import type { TenantSink } from '../types.js';
import type { EntitlementInput, IdentityInput, IntegrationFacts, MintFacts, ScopeFacts } from '../../model/index.js';
import { errorText, statusOf, type AzureClients, type Ctx } from './clients.js';
import { DEFAULT_ACCESS, directoryRoleLevel, permissionLevel } from './entra-levels.js';
import { GITHUB_ACTIONS_ISSUER, githubSubjectGap } from '../ci-cloud.js';

export interface GraphAppRole { id: string; value?: string | null; displayName?: string | null; isEnabled?: boolean }
export interface GraphVerifiedPublisher { displayName?: string | null; verifiedPublisherId?: string | null; addedDateTime?: string | null }
/** The service principal fields this module reads (the snapshot's listing selects them). */
export interface EntraSp {
  id: string; appId: string; displayName: string; servicePrincipalType?: string; appOwnerOrganizationId?: string | null;
  appRoles?: GraphAppRole[]; signInAudience?: string | null; verifiedPublisher?: GraphVerifiedPublisher | null; alternativeNames?: string[];
}
interface GraphAppRoleAssignment { id: string; appRoleId: string; principalId: string; resourceId: string; createdDateTime?: string | null; resourceDisplayName?: string | null }
interface GraphGrant { id: string; clientId: string; consentType?: string | null; principalId?: string | null; resourceId: string; scope?: string | null }
interface GraphDirectoryRole { id: string; roleTemplateId?: string | null; displayName?: string | null }
interface GraphMember { '@odata.type'?: string; id: string }
interface GraphFic { id: string; name: string; issuer: string; subject?: string | null; audiences?: string[]; description?: string | null; claimsMatchingExpression?: { value?: string | null; languageVersion?: number | null } | null }
interface ArmFic { id?: string; name?: string; properties?: { issuer?: string; subject?: string; audiences?: string[] } }

type GraphClient = Awaited<ReturnType<AzureClients['graph']>>;

/** Microsoft's own tenants: a service principal of an app they own is a Microsoft first-party service. */
export const MICROSOFT_TENANTS = new Set(['f8cdef31-a31e-4b4a-93e4-5f571e91255a', '72f988bf-86f1-41af-91ab-2d7cd011db47']);
export const isMicrosoftApp = (sp: { appOwnerOrganizationId?: string | null }) => !!sp.appOwnerOrganizationId && MICROSOFT_TENANTS.has(sp.appOwnerOrganizationId.toLowerCase());
/** An app made outside the organisation: owned by another tenant (Microsoft's first-party apps are provider-managed). */
export const isThirdParty = (tenant: string, sp: { appOwnerOrganizationId?: string | null }) =>
  !!sp.appOwnerOrganizationId && sp.appOwnerOrganizationId.toLowerCase() !== tenant.toLowerCase();

const MULTI_TENANT = new Set(['azureadmultipleorgs', 'azureadandpersonalmicrosoftaccount', 'personalmicrosoftaccount']);

async function pages<T>(graph: GraphClient, path: string, beta = false): Promise<T[]> {
  const out: T[] = [];
  let req = graph.api(path);
  if (beta) req = req.version('beta');
  let res = await req.get() as { value?: T[]; '@odata.nextLink'?: string };
  for (;;) {
    out.push(...(res.value ?? []));
    const next = res['@odata.nextLink'];
    if (!next) return out;
    res = await graph.api(next).get() as typeof res;
  }
}

/** What the directory tenant learnt about grants, before identities are written (integration facts depend on it). */
export interface EntraGrants {
  appRoleAssignments: Map<string, GraphAppRoleAssignment[]>;
  grants: GraphGrant[] | null;
  directoryRoles: { role: GraphDirectoryRole; members: GraphMember[] }[];
  appFics: Map<string, GraphFic[]>;
  miFics: Map<string, ArmFic[]>;
  /** principal (user) object id → UPN, for per-user consents. */
  users: Map<string, string>;
}

/**
 * Reads the grants of the service principals being recorded (`recorded`, by object id) and the federated credentials
 * of every app registration and user-assigned managed identity. Failures are partial, each named.
 */
export async function loadEntraGrants(ctx: Ctx, clients: AzureClients, sink: TenantSink, recorded: EntraSp[], apps: { id: string; appId: string; displayName: string }[],
  resolveUsers: (ids: string[]) => Promise<Map<string, { login: string | null; name: string }>>): Promise<EntraGrants> {
  const graph = await clients.graph();
  const out: EntraGrants = { appRoleAssignments: new Map(), grants: null, directoryRoles: [], appFics: new Map(), miFics: new Map(), users: new Map() };
  const tenant = ctx.options.tenant_id;

  const tasks: Promise<void>[] = [];
  tasks.push((async () => {
    try { out.grants = await pages<GraphGrant>(graph, '/oauth2PermissionGrants'); } catch (e) {
      sink.partial(`delegated permission grants (oauth2PermissionGrants) unavailable (${errorText(e)}); delegated consents are not recorded`);
    }
  })());
  for (const sp of recorded) {
    tasks.push((async () => {
      try { out.appRoleAssignments.set(sp.id, await pages<GraphAppRoleAssignment>(graph, `/servicePrincipals/${sp.id}/appRoleAssignments`)); } catch (e) {
        sink.partial(`application permissions of service principal ${sp.displayName} (${sp.id}) unavailable (${errorText(e)})`);
      }
    })());
  }
  tasks.push((async () => {
    try {
      const roles = await pages<GraphDirectoryRole>(graph, '/directoryRoles');
      for (const role of roles) {
        try { out.directoryRoles.push({ role, members: await pages<GraphMember>(graph, `/directoryRoles/${role.id}/members`) }); } catch (e) {
          sink.partial(`members of directory role ${role.displayName ?? role.id} unavailable (${errorText(e)})`);
        }
      }
    } catch (e) {
      sink.partial(`directory roles unavailable (${errorText(e)}); directory roles held by service principals are not recorded`);
    }
  })());
  for (const app of apps) {
    tasks.push((async () => {
      try {
        const fics = await pages<GraphFic>(graph, `/applications/${app.id}/federatedIdentityCredentials`);
        // v1.0 has no claimsMatchingExpression: a credential without a subject is a flexible one, read from beta.
        for (const f of fics) {
          if (f.subject) continue;
          try {
            const b = await graph.api(`/applications/${app.id}/federatedIdentityCredentials/${f.id}`).version('beta').get() as GraphFic;
            f.claimsMatchingExpression = b.claimsMatchingExpression ?? null;
          } catch (e) {
            ctx.log.info(`directory ${tenant}: flexible federated credential ${f.name} of ${app.displayName}: expression unavailable (${errorText(e)}); judged as matching any subject`);
          }
        }
        out.appFics.set(app.id, fics);
      } catch (e) {
        sink.partial(`federated identity credentials of app ${app.displayName} (${app.appId}) unavailable (${errorText(e)})`);
      }
    })());
  }
  for (const sp of recorded) {
    const rid = sp.servicePrincipalType === 'ManagedIdentity' ? (sp.alternativeNames ?? []).find((n) => /\/userAssignedIdentities\//i.test(n)) : undefined;
    if (!rid) continue; // system-assigned identities cannot carry federated credentials
    tasks.push((async () => {
      try {
        const items: ArmFic[] = [];
        let page = await clients.armJson<{ value?: ArmFic[]; nextLink?: string | null }>(`${rid}/federatedIdentityCredentials?api-version=2023-01-31`);
        for (;;) {
          items.push(...(page.value ?? []));
          if (!page.nextLink) break;
          const next = new URL(page.nextLink);
          page = await clients.armJson(`${next.pathname}${next.search}`);
        }
        out.miFics.set(sp.id, items);
      } catch (e) {
        if (/: 404 /.test(` ${errorText(e)} `) || statusOf(e) === 404) return; // the identity's resource is gone
        sink.partial(`federated identity credentials of managed identity ${sp.displayName} unavailable (${errorText(e)})`);
      }
    })());
  }
  await Promise.all(tasks);

  const principals = [...new Set((out.grants ?? []).filter((g) => g.consentType === 'Principal' && g.principalId).map((g) => g.principalId!))];
  if (principals.length) {
    try {
      for (const [id, info] of await resolveUsers(principals)) if (info.login) out.users.set(id, info.login);
    } catch (e) {
      sink.partial(`users who consented could not be named (${errorText(e)}); per-user consents carry no consenting user`);
    }
  }
  return out;
}

/** Space-separated scopes of a grant (Graph often pads the string with spaces). */
export const scopesOf = (scope: string | null | undefined) => [...new Set((scope ?? '').split(/\s+/).filter(Boolean))];

/** The integration facts of a service principal, or null when it is not an integration (a managed identity, an own app without permissions). */
export function integrationFacts(tenant: string, sp: EntraSp, grants: EntraGrants): IntegrationFacts | null {
  if (sp.servicePrincipalType === 'ManagedIdentity' || isMicrosoftApp(sp)) return null;
  const third = isThirdParty(tenant, sp);
  const delegated = (grants.grants ?? []).filter((g) => g.clientId === sp.id);
  const holds = delegated.length > 0 || (grants.appRoleAssignments.get(sp.id)?.length ?? 0) > 0;
  if (!third && !holds) return null;
  const consenters = [...new Set(delegated.filter((g) => g.consentType === 'Principal').map((g) => grants.users.get(g.principalId ?? '') ?? null))];
  const admin = delegated.some((g) => g.consentType === 'AllPrincipals');
  const vp = sp.verifiedPublisher;
  return {
    app_id: sp.appId, kind: 'service_principal',
    publisher: vp?.displayName ?? null,
    verified_publisher: vp === undefined ? null : !!vp?.verifiedPublisherId,
    third_party: third,
    multi_tenant: sp.signInAudience ? MULTI_TENANT.has(sp.signInAudience.toLowerCase()) : null,
    // One person consented for themselves (no admin consent): that person answers for the integration.
    consented_by: !admin && consenters.length === 1 ? consenters[0]! : null,
  };
}

/** Emits the scope, directory-role and mint entitlements, and the workload identities of federated subjects. */
export function emitEntraGrants(ctx: Ctx, sink: TenantSink, grants: EntraGrants, sps: Map<string, EntraSp>, recordedRefs: Map<string, string>,
  apps: { id: string; appId: string; displayName: string }[], refs: { sp(t: string, id: string): string; app(t: string, appId: string): string }): void {
  const tenant = ctx.options.tenant_id;
  const resourceName = (id: string) => sps.get(id)?.displayName ?? null;

  // Application permissions: tenant-wide by nature.
  for (const [principalId, list] of grants.appRoleAssignments) {
    const identityRef = recordedRefs.get(principalId);
    if (!identityRef) continue;
    for (const a of list) {
      const resource = sps.get(a.resourceId);
      const role = (resource?.appRoles ?? []).find((r) => r.id.toLowerCase() === a.appRoleId.toLowerCase());
      const def = a.appRoleId === DEFAULT_ACCESS;
      // An app role the resource no longer lists keeps its id as the permission and is judged write, never dropped.
      const permission = def ? 'default-access' : role?.value ?? a.appRoleId;
      const m = def ? { level: 'read' as const, privileged: false, reason: 'access to the app without a specific role' } : role?.value ? permissionLevel(role.value) : { level: 'write' as const, privileged: false, reason: 'app role not listed by the resource: judged write' };
      const scope: ScopeFacts = { tenant_wide: true, consent: 'application', consented_by: null };
      sink.entitlement({
        ref: `${refs.sp(tenant, principalId)}/appRoleAssignments/${a.id}`, identity_ref: identityRef, identity_name: sps.get(principalId)?.displayName ?? null,
        resource_ref: refs.sp(tenant, a.resourceId), permission, level: m.level, privileged: m.privileged, via: 'direct',
        attributes: { entra_kind: 'app_role_assignment', assignment_id: a.id, app_role_id: a.appRoleId, principal_id: principalId, resource_id: a.resourceId,
          resource_name: resourceName(a.resourceId) ?? a.resourceDisplayName ?? null, resource_app_id: resource?.appId ?? null, created: a.createdDateTime ?? null,
          level_reason: m.reason, role_resolved: def || !!role?.value, scope },
      });
    }
  }

  // Delegated consents: one entitlement per scope; admin consent reaches every user, a user's consent only theirs.
  for (const g of grants.grants ?? []) {
    const identityRef = recordedRefs.get(g.clientId);
    if (!identityRef) continue;
    const admin = g.consentType === 'AllPrincipals';
    const upn = admin ? null : grants.users.get(g.principalId ?? '') ?? null;
    for (const s of scopesOf(g.scope)) {
      const m = permissionLevel(s);
      const scope: ScopeFacts = { tenant_wide: admin, consent: admin ? 'admin' : 'user', consented_by: upn };
      sink.entitlement({
        ref: `azure:${tenant}/oauth2PermissionGrants/${g.id}/${s}`, identity_ref: identityRef, identity_name: sps.get(g.clientId)?.displayName ?? null,
        resource_ref: refs.sp(tenant, g.resourceId), permission: s, level: m.level, privileged: m.privileged, via: 'direct',
        attributes: { entra_kind: 'delegated_grant', grant_id: g.id, consent_type: g.consentType ?? null, principal_id: g.principalId ?? null, client_id: g.clientId,
          resource_id: g.resourceId, resource_name: resourceName(g.resourceId), resource_app_id: sps.get(g.resourceId)?.appId ?? null, grant_scopes: g.scope ?? '', level_reason: m.reason, scope },
      });
    }
  }

  // Directory roles held by service principals (users' roles are a different question).
  for (const { role, members } of grants.directoryRoles) {
    const template = role.roleTemplateId ?? role.id;
    const m = directoryRoleLevel(template, role.displayName ?? template);
    for (const member of members) {
      if (!String(member['@odata.type'] ?? '').endsWith('.servicePrincipal')) continue;
      const identityRef = recordedRefs.get(member.id);
      if (!identityRef) continue;
      sink.entitlement({
        ref: `azure:${tenant}/directoryRoles/${template}/members/${member.id}`, identity_ref: identityRef, identity_name: sps.get(member.id)?.displayName ?? null,
        resource_ref: `azure:${tenant}/directory`, permission: template, level: m.level, privileged: m.privileged, via: 'direct',
        attributes: { entra_kind: 'directory_role', role_name: role.displayName ?? null, role_id: role.id, role_template_id: template, principal_id: member.id, level_reason: m.reason },
      });
    }
  }

  // Federated identity credentials: the external subject may obtain tokens as the app (mint edges).
  const workloads = new Set<string>();
  const mint = (ref: string, issuer: string, fic: { subject: string | null; expression: string | null; audiences: string[]; name: string; description?: string | null },
    targetRef: string, targetName: string, attrs: Record<string, unknown>) => {
    const flexible = !fic.subject;
    const subject = fic.subject ?? fic.expression;
    const facts = ficMintFacts(issuer, fic, targetRef);
    const workloadRef = `oidc:${issuer}#${subject ?? '*'}`;
    const name = `${subject ?? '*'} @ ${hostOf(issuer)}`;
    if (!workloads.has(workloadRef)) {
      workloads.add(workloadRef);
      const w: IdentityInput = { ref: workloadRef, kind: 'workload', name, login: null, human: false, last_used_known: false,
        attributes: { federated: true, issuer, subject, flexible } };
      sink.identity(w);
    }
    const ent: EntitlementInput = {
      ref, identity_ref: workloadRef, identity_name: name, resource_ref: targetRef, permission: 'federatedIdentityCredential',
      // Minting tokens as another identity is privileged whatever that identity holds; what it holds is judged on its own entitlements.
      level: 'write', privileged: true, via: 'direct',
      attributes: { entra_kind: 'federated_credential', target_name: targetName, ...attrs, mint: facts },
    };
    sink.entitlement(ent);
  };
  const spByAppId = new Map([...sps.values()].map((s) => [s.appId, s]));
  for (const app of apps) {
    const sp = spByAppId.get(app.appId);
    const targetRef = sp && recordedRefs.get(sp.id) ? recordedRefs.get(sp.id)! : refs.app(tenant, app.appId);
    for (const f of grants.appFics.get(app.id) ?? []) {
      mint(`${refs.app(tenant, app.appId)}/federatedIdentityCredentials/${f.id}`, f.issuer,
        { subject: f.subject ?? null, expression: f.subject ? null : f.claimsMatchingExpression?.value ?? null, audiences: f.audiences ?? [], name: f.name, description: f.description },
        targetRef, app.displayName, { fic_id: f.id, object: 'application', object_id: app.id, app_id: app.appId });
    }
  }
  for (const [spId, fics] of grants.miFics) {
    const sp = sps.get(spId)!;
    for (const f of fics) {
      const p = f.properties ?? {};
      if (!p.issuer || !f.id) continue;
      mint(f.id, p.issuer, { subject: p.subject ?? null, expression: null, audiences: p.audiences ?? [], name: f.name ?? '' },
        recordedRefs.get(spId)!, sp.displayName, { fic_id: f.id, object: 'managedIdentity', object_id: spId, app_id: sp.appId });
    }
  }
}

/** A federated credential's mint facts: who may obtain tokens as the app or managed identity, and how broadly. */
export function ficMintFacts(issuer: string, fic: { subject: string | null; expression: string | null; audiences: string[]; name: string; description?: string | null },
  targetRef: string): MintFacts {
  const flexible = !fic.subject;
  // Entra matches a subject exactly; only a flexible credential (claims matching expression) admits many subjects —
  // or a GitHub Actions subject from a customised template without a repository claim, which every repository presents.
  const gap = fic.subject && hostOf(issuer) === GITHUB_ACTIONS_ISSUER ? githubSubjectGap(fic.subject) : null;
  return {
    mechanism: 'federated_credential', issuer, subject: fic.subject ?? fic.expression, audience: fic.audiences.join(' ') || null,
    breadth: flexible ? 'wildcard_subject' : gap ? (gap.ownerless ? 'issuer_wide' : 'wildcard_subject') : 'pinned',
    missing: [...(flexible ? ['sub'] : []), ...(gap ? [gap.missing] : []), ...(fic.audiences.length ? [] : ['aud'])],
    target_provider: 'azure', target_ref: targetRef,
    conditions: { name: fic.name, audiences: fic.audiences, subject: fic.subject, claims_matching_expression: fic.expression, description: fic.description ?? null },
  };
}

const hostOf = (u: string) => { try { return new URL(u).host; } catch { return u; } };
