// Collection of one subscription (RBAC, PIM, deny assignments, Key Vault) and of the directory (service principals,
// app registrations, managed identities, users, their credentials and sign-in activity).
import type { TenantSink } from '../types.js';
import type { EntitlementInput, IdentityInput } from '../../model/index.js';
import { mapRole, type RoleMapping } from './roles.js';
import { clientsFor, errorText, statusOf, type AzureClients, type Ctx } from './clients.js';
import { collectKeyVaults } from './keyvault.js';
import { MICROSOFT_TENANTS, emitEntraGrants, integrationFacts, isMicrosoftApp, loadEntraGrants, type EntraSp } from './entra.js';

/** Canonical refs of directory objects. */
export const refs = {
  sp: (tenant: string, id: string) => `azure:${tenant}/sp/${id}`,
  app: (tenant: string, appId: string) => `azure:${tenant}/app/${appId}`,
  user: (tenant: string, id: string) => `azure:${tenant}/user/${id}`,
  group: (tenant: string, id: string) => `azure:${tenant}/group/${id}`,
  object: (tenant: string, id: string) => `azure:${tenant}/object/${id}`,
  principal(tenant: string, type: string | undefined, id: string): string {
    if (type === 'ServicePrincipal') return refs.sp(tenant, id);
    if (type === 'User') return refs.user(tenant, id);
    if (type === 'Group') return refs.group(tenant, id);
    return refs.object(tenant, id);
  },
};

interface Paged<T> { byPage(settings?: { maxPageSize?: number }): AsyncIterableIterator<T[]> }

/** Every item of a paged SDK listing. Errors (and nextLink loops, caught by the transport) propagate. */
export async function all<T>(it: Paged<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of it.byPage()) out.push(...page);
  return out;
}

const noSlash = (s: string) => s.replace(/^\/+/, '');
const roleGuid = (id: string | undefined) => (id ?? '').split('/').pop()!.toLowerCase();
const date = (d: Date | string | null | undefined): Date | null => (d ? new Date(d) : null);

/** Statuses of a PIM schedule that mean it is in force (the rest are requests, denials, revocations). */
const LIVE = new Set(['provisioned', 'granted', 'adminapproved', 'schedulecreated']);

interface PrincipalInfo { type: string; name: string; login: string | null; displayName?: string | null }

/** Names of principals by object id, through Graph directoryObjects/getByIds (1,000 ids per call). */
export async function resolvePrincipals(clients: AzureClients, ids: string[]): Promise<Map<string, PrincipalInfo>> {
  const out = new Map<string, PrincipalInfo>();
  if (!ids.length) return out;
  const graph = await clients.graph();
  for (let i = 0; i < ids.length; i += 1000) {
    const batch = ids.slice(i, i + 1000);
    const res = await graph.api('/directoryObjects/getByIds').post({ ids: batch, types: ['user', 'group', 'servicePrincipal'] }) as { value?: Record<string, unknown>[] };
    for (const o of res.value ?? []) {
      const t = String(o['@odata.type'] ?? '');
      const type = t.endsWith('.user') ? 'User' : t.endsWith('.group') ? 'Group' : t.endsWith('.servicePrincipal') ? 'ServicePrincipal' : 'Unknown';
      const upn = typeof o.userPrincipalName === 'string' ? o.userPrincipalName : null;
      out.set(String(o.id), { type, name: upn ?? String(o.displayName ?? o.id), login: upn, displayName: typeof o.displayName === 'string' ? o.displayName : null });
    }
  }
  return out;
}

export async function collectSubscription(ctx: Ctx, subscription: string, sink: TenantSink): Promise<void> {
  const tenant = ctx.options.tenant_id;
  const clients = await clientsFor(ctx, sink.http);
  const authz = await clients.authorization(subscription);
  const subScope = `/subscriptions/${subscription}`;

  // The listings that define access must all succeed: without them the tenant fails rather than looks smaller.
  const [definitions, assignments] = await Promise.all([
    all(authz.roleDefinitions.list(noSlash(subScope))),
    all(authz.roleAssignments.listForSubscription()),
  ]);
  // PIM and deny assignments refine the picture; without them access is still known, so the tenant is partial.
  const optional = async <T>(what: string, f: () => Promise<T[]>): Promise<T[] | null> => {
    try { return await f(); } catch (e) {
      sink.partial(`subscription ${subscription}: ${what} unavailable (${errorText(e)}); PIM end times or denies may be missing`);
      return null;
    }
  };
  const [activeSchedules, eligibleSchedules, denies] = await Promise.all([
    optional('PIM active assignment schedules', () => all(authz.roleAssignmentSchedules.listForScope(noSlash(subScope)))),
    optional('PIM eligibility schedules', () => all(authz.roleEligibilitySchedules.listForScope(noSlash(subScope)))),
    optional('deny assignments', () => all(authz.denyAssignments.list())),
  ]);

  // Role definitions keyed by GUID; assignments may reference definitions not listed here (a custom role defined at a
  // management group): fetch those one by one.
  const roles = new Map<string, { name: string; type: string; mapping: RoleMapping; id: string }>();
  const addRole = (d: { id?: string; name?: string; roleName?: string; roleType?: string; permissions?: { actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }[] }) =>
    roles.set((d.name ?? roleGuid(d.id)).toLowerCase(), { name: d.roleName ?? d.name ?? '', type: d.roleType ?? '', mapping: mapRole(d.permissions ?? []), id: d.id ?? '' });
  definitions.forEach(addRole);
  const referenced = new Set([...assignments, ...(eligibleSchedules ?? [])].map((a) => a.roleDefinitionId ?? '').filter((id) => id && !roles.has(roleGuid(id))));
  for (const id of referenced) {
    try { addRole(await authz.roleDefinitions.getById(noSlash(id))); } catch (e) {
      sink.partial(`role definition ${id} could not be read (${errorText(e)}); assignments of it are skipped`);
    }
  }

  // Names of the principals (grants may name an identity by name).
  const principalIds = [...new Set([...assignments.map((a) => a.principalId), ...(eligibleSchedules ?? []).map((s) => s.principalId)].filter((x): x is string => !!x))];
  let names = new Map<string, PrincipalInfo>();
  try { names = await resolvePrincipals(clients, principalIds); } catch (e) {
    sink.partial(`principal names unavailable from Microsoft Graph (${errorText(e)}); grants naming identities by name cannot match`);
  }

  const key = (scope: string | undefined, role: string | undefined, principal: string | undefined) => `${(scope ?? '').toLowerCase()}|${roleGuid(role)}|${principal ?? ''}`;
  const now = ctx.now.getTime();
  const live = (s: { status?: string; startDateTime?: Date; endDateTime?: Date }) =>
    LIVE.has(String(s.status ?? 'Provisioned').toLowerCase()) && (!s.startDateTime || new Date(s.startDateTime).getTime() <= now) && (!s.endDateTime || new Date(s.endDateTime).getTime() > now);
  const activeByKey = new Map<string, NonNullable<typeof activeSchedules>[number]>();
  for (const s of activeSchedules ?? []) if (live(s)) activeByKey.set(key(s.scope, s.roleDefinitionId, s.principalId), s);

  const underSub = (scope: string) => scope.toLowerCase() === subScope.toLowerCase() || scope.toLowerCase().startsWith(subScope.toLowerCase() + '/');
  const deniesFor = (principal: string, scope: string) => (denies ?? []).filter((d) =>
    (d.principals ?? []).some((p) => p.id === principal || p.id === '00000000-0000-0000-0000-000000000000') &&
    !(d.excludePrincipals ?? []).some((p) => p.id === principal) &&
    (scope.toLowerCase() + '/').startsWith((d.scope ?? '').toLowerCase().replace(/\/$/, '') + '/'))
    .map((d) => ({ id: d.id, name: d.denyAssignmentName, system_protected: d.isSystemProtected ?? null }));

  const used = new Set<string>();
  const base = (principalId: string, principalType: string | undefined, scope: string, roleId: string) => {
    used.add(principalId);
    const role = roles.get(roleGuid(roleId))!;
    const info = names.get(principalId);
    const type = principalType ?? info?.type;
    const inherited = !underSub(scope);
    return {
      identity_ref: refs.principal(tenant, type, principalId),
      identity_name: info?.name ?? null,
      resource_ref: scope,
      permission: roleGuid(roleId),
      level: role.mapping.level,
      privileged: role.mapping.privileged,
      via: inherited ? 'inherited' as const : 'direct' as const,
      path: inherited ? scope : null,
      attrs: { role_name: role.name, role_type: role.type, role_definition_id: roleId, role_reasons: role.mapping.reasons, principal_id: principalId, principal_type: type ?? null,
        // Named arm_scope: `attributes.scope` is the model's ScopeFacts (an integration's scope), read by cur_integration_scopes.
        arm_scope: scope },
    };
  };

  for (const a of assignments) {
    if (!a.id || !a.principalId || !a.scope || !a.roleDefinitionId || !roles.has(roleGuid(a.roleDefinitionId))) continue;
    const b = base(a.principalId, a.principalType, a.scope, a.roleDefinitionId);
    const s = activeByKey.get(key(a.scope, a.roleDefinitionId, a.principalId));
    const ent: EntitlementInput = {
      ref: a.id, identity_ref: b.identity_ref, identity_name: b.identity_name, resource_ref: b.resource_ref, permission: b.permission,
      level: b.level, privileged: b.privileged, via: b.via, path: b.path,
      // A PIM schedule with an end is just-in-time access; no schedule, or one without an end, is standing.
      expires_at: s?.endDateTime ? date(s.endDateTime) : null,
      attributes: {
        ...b.attrs, assignment_id: a.id, assignment_name: a.name ?? null, condition: a.condition ?? null, created_on: a.createdOn ?? null, created_by: a.createdBy ?? null,
        eligible: false,
        pim: s ? { schedule_id: s.id, assignment_type: s.assignmentType ?? null, member_type: s.memberType ?? null, start: s.startDateTime ?? null, end: s.endDateTime ?? null,
          linked_eligibility_schedule_id: s.linkedRoleEligibilityScheduleId ?? null, just_in_time: !!s.endDateTime } : null,
        pim_known: activeSchedules !== null,
        deny_assignments: deniesFor(a.principalId, a.scope),
      },
    };
    sink.entitlement(ent);
  }

  // Eligibilities: not access yet, but the principal can activate the role at will, so they carry the role's level
  // and privilege (an ungranted eligibility to Owner is as serious as the assignment) and their own end time.
  let expiredEligibilities = 0;
  for (const s of eligibleSchedules ?? []) {
    if (!s.id || !s.principalId || !s.scope || !s.roleDefinitionId || !roles.has(roleGuid(s.roleDefinitionId))) continue;
    if (!live(s)) { expiredEligibilities++; continue; }
    const b = base(s.principalId, s.principalType, s.scope, s.roleDefinitionId);
    sink.entitlement({
      ref: s.id, identity_ref: b.identity_ref, identity_name: b.identity_name, resource_ref: b.resource_ref, permission: b.permission,
      level: b.level, privileged: b.privileged, via: b.via, path: b.path, expires_at: date(s.endDateTime),
      attributes: { ...b.attrs, eligible: true, pim: { schedule_id: s.id, member_type: s.memberType ?? null, start: s.startDateTime ?? null, end: s.endDateTime ?? null, status: s.status ?? null },
        deny_assignments: deniesFor(s.principalId, s.scope) },
    });
  }
  if (expiredEligibilities) ctx.log.debug(`subscription ${subscription}: ${expiredEligibilities} expired or inactive eligibility schedule(s) skipped`);

  if (ctx.options.key_vaults) await collectKeyVaults(ctx, clients, subscription, sink, names, used);

  // The principals holding access here, as identities of this subscription: rules join an entitlement to its identity
  // within a tenant (human or not, owner, last use), as they do for a GCP project's members.
  let snapshot: DirectorySnapshot | null = null;
  if ([...used].some((p) => names.get(p)?.type === 'ServicePrincipal')) {
    try { snapshot = await directorySnapshot(ctx, clients); } catch (e) {
      sink.partial(`directory unavailable (${errorText(e)}); service principals holding access here are not recorded as identities`);
    }
  }
  for (const pid of used) {
    const info = names.get(pid);
    if (!info) continue; // a deleted principal ("Unknown"): its assignments stand, with no identity behind them
    if (info.type === 'User') {
      sink.identity({ ref: refs.user(tenant, pid), kind: 'user', name: info.displayName ?? info.name, login: info.login, human: true, last_used_known: false,
        attributes: { object_id: pid } });
    } else if (info.type === 'Group') {
      sink.identity({ ref: refs.group(tenant, pid), kind: 'group', name: info.name, human: null, last_used_known: false, attributes: { object_id: pid } });
    } else if (info.type === 'ServicePrincipal' && snapshot) {
      const sp = snapshot.sps.get(pid);
      sink.identity(sp ? spIdentity(tenant, sp, snapshot) : { ref: refs.sp(tenant, pid), kind: 'service_account', name: info.name, human: false, last_used_known: false,
        attributes: { object_id: pid, note: 'not in the directory listing (another tenant\'s app)' } });
    }
  }
}

// ---------------- directory ----------------

interface GraphPasswordCredential { keyId: string; displayName?: string | null; hint?: string | null; startDateTime?: string | null; endDateTime?: string | null }
interface GraphKeyCredential extends GraphPasswordCredential { type?: string; usage?: string; customKeyIdentifier?: string | null }
interface GraphOwner { '@odata.type'?: string; id: string; userPrincipalName?: string | null; displayName?: string | null }
interface GraphApp { id: string; appId: string; displayName: string; createdDateTime?: string | null; tags?: string[]; passwordCredentials?: GraphPasswordCredential[]; keyCredentials?: GraphKeyCredential[]; owners?: GraphOwner[] }
interface GraphSp extends GraphApp, Omit<EntraSp, keyof GraphApp> { servicePrincipalType?: string; accountEnabled?: boolean; appOwnerOrganizationId?: string | null; alternativeNames?: string[] }

type GraphClient = Awaited<ReturnType<AzureClients['graph']>>;

async function graphAll<T>(graph: GraphClient, path: string, build?: (r: ReturnType<GraphClient['api']>) => ReturnType<GraphClient['api']>): Promise<T[]> {
  const out: T[] = [];
  let req = graph.api(path);
  if (build) req = build(req);
  let res = await req.get() as { value?: T[]; '@odata.nextLink'?: string };
  for (;;) {
    out.push(...(res.value ?? []));
    const next = res['@odata.nextLink'];
    if (!next) return out;
    res = await graph.api(next).get() as typeof res;
  }
}

/** Owner of an app or service principal: the Graph owners (a UPN), else an `owner:` tag. */
function ownerOf(...sources: { owners?: GraphOwner[]; tags?: string[] }[]): { owner: string | null; source: 'provider' | 'tag' | null; all: string[] } {
  for (const s of sources) {
    const upns = (s.owners ?? []).map((o) => o.userPrincipalName).filter((x): x is string => !!x).sort();
    if (upns.length) return { owner: upns[0]!, source: 'provider', all: upns };
  }
  for (const s of sources) {
    const tag = (s.tags ?? []).map((t) => /^owner[:=](.+)$/i.exec(t)?.[1]).find(Boolean);
    if (tag) return { owner: tag.trim(), source: 'tag', all: [tag.trim()] };
  }
  return { owner: null, source: null, all: [] };
}

/** The directory as one run sees it: read once, shared by the directory tenant and every subscription of the source. */
export interface DirectorySnapshot {
  sps: Map<string, GraphSp>;
  apps: GraphApp[];
  appsByAppId: Map<string, GraphApp>;
  /** appId → last sign-in; null when the report could not be read (then last use is unknown). */
  spSignIns: Map<string, string | null> | null;
  /** credential keyId → last sign-in. */
  credSignIns: Map<string, string | null> | null;
  /** Problems the directory tenant reports as partial. */
  problems: string[];
}

const snapshots = new Map<string, Promise<DirectorySnapshot>>();

/** One Graph sweep per run and source; its calls count toward the tenant that triggered it. */
export function directorySnapshot(ctx: Ctx, clients: AzureClients): Promise<DirectorySnapshot> {
  const key = `${ctx.runId}|${ctx.source.name}`;
  for (const k of snapshots.keys()) if (!k.startsWith(`${ctx.runId}|`)) snapshots.delete(k); // earlier runs
  let p = snapshots.get(key);
  if (!p) {
    p = loadSnapshot(ctx, clients);
    snapshots.set(key, p);
    p.catch(() => snapshots.delete(key)); // a failure is not remembered: the next tenant tries again
  }
  return p;
}

async function loadSnapshot(ctx: Ctx, clients: AzureClients): Promise<DirectorySnapshot> {
  const graph = await clients.graph();
  const credFields = 'passwordCredentials,keyCredentials,tags';
  const owners = 'owners($select=id,userPrincipalName,displayName)';
  const [sps, apps] = await Promise.all([
    graphAll<GraphSp>(graph, '/servicePrincipals', (r) => r.select(`id,appId,displayName,servicePrincipalType,accountEnabled,appOwnerOrganizationId,alternativeNames,appRoles,signInAudience,verifiedPublisher,${credFields}`).expand(owners).top(999)),
    graphAll<GraphApp>(graph, '/applications', (r) => r.select(`id,appId,displayName,createdDateTime,${credFields}`).expand(owners).top(999)),
  ]);
  const problems: string[] = [];
  let spSignIns: Map<string, string | null> | null = null;
  let credSignIns: Map<string, string | null> | null = null;
  if (ctx.options.sign_in_activity) {
    // A beta report behind a premium licence: unavailable means unknown, never "never used".
    const report = async <T>(path: string): Promise<T[] | null> => {
      try { return await graphAll<T>(graph, path, (r) => r.version('beta')); } catch (e) {
        const st = statusOf(e);
        if (st === 403 || st === 404 || st === 400) ctx.log.info(`directory ${ctx.options.tenant_id}: sign-in report ${path} unavailable (${errorText(e)}); last use recorded as unknown`);
        else problems.push(`sign-in report ${path} failed (${errorText(e)}); last use recorded as unknown`);
        return null;
      }
    };
    const [spr, cr] = await Promise.all([
      report<{ appId: string; lastSignInActivity?: { lastSignInDateTime?: string | null } }>('/reports/servicePrincipalSignInActivities'),
      report<{ keyId: string; signInActivity?: { lastSignInDateTime?: string | null } }>('/reports/appCredentialSignInActivities'),
    ]);
    if (spr) spSignIns = new Map(spr.map((r) => [r.appId, r.lastSignInActivity?.lastSignInDateTime ?? null]));
    if (cr) credSignIns = new Map(cr.map((r) => [r.keyId, r.signInActivity?.lastSignInDateTime ?? null]));
  }
  return { sps: new Map(sps.map((s) => [s.id, s])), apps, appsByAppId: new Map(apps.map((a) => [a.appId, a])), spSignIns, credSignIns, problems };
}

/** Last use from a report: known only when the report was read and names the object. */
const lastUse = (m: Map<string, string | null> | null, k: string) =>
  m && m.has(k) ? { last_used_at: date(m.get(k)), last_used_known: true } : { last_used_at: null, last_used_known: false };

/** A service principal (with its own tenant's app registration folded in) as an identity. */

export function spIdentity(tenant: string, sp: GraphSp, snap: DirectorySnapshot): IdentityInput {
  const managed = sp.servicePrincipalType === 'ManagedIdentity';
  // Microsoft first-party service principals are created and scoped by Microsoft: not owned, granted or aged here.
  const firstParty = !!sp.appOwnerOrganizationId && MICROSOFT_TENANTS.has(sp.appOwnerOrganizationId.toLowerCase());
  const ownApp = snap.appsByAppId.get(sp.appId);
  const owner = ownerOf(sp, ownApp ?? {});
  return {
    ref: refs.sp(tenant, sp.id), kind: managed ? 'workload' : 'service_account', name: sp.displayName, login: null, human: false,
    owner: owner.owner, owner_source: owner.source, created_at: date(ownApp?.createdDateTime), disabled: sp.accountEnabled === false,
    provider_managed: firstParty,
    ...lastUse(snap.spSignIns, sp.appId),
    attributes: { object_id: sp.id, app_id: sp.appId, service_principal_type: sp.servicePrincipalType ?? null, app_object_id: ownApp?.id ?? null,
      app_owner_tenant: sp.appOwnerOrganizationId ?? null, owners: owner.all, tags: sp.tags ?? [],
      managed_identity_resource_id: managed ? (sp.alternativeNames ?? []).find((n) => n.startsWith('/')) ?? null : null },
  };
}

export async function collectDirectory(ctx: Ctx, sink: TenantSink): Promise<void> {
  const tenant = ctx.options.tenant_id;
  const clients = await clientsFor(ctx, sink.http);
  const snap = await directorySnapshot(ctx, clients);
  for (const p of snap.problems) sink.partial(p);
  const now = ctx.now.getTime();

  const emitCreds = (holder: GraphApp, object: 'application' | 'servicePrincipal', identityRef: string) => {
    const prefix = object === 'application' ? refs.app(tenant, holder.appId) : refs.sp(tenant, holder.id);
    const common = (c: GraphPasswordCredential) => {
      const end = date(c.endDateTime);
      return {
        identity_ref: identityRef, created_at: date(c.startDateTime), expires_at: end,
        status: end && end.getTime() <= now ? 'expired' as const : 'active' as const, fingerprint: c.keyId,
        ...lastUse(snap.credSignIns, c.keyId),
      };
    };
    for (const c of holder.passwordCredentials ?? []) {
      sink.credential({
        ref: `${prefix}/password/${c.keyId}`, kind: 'client_secret', name: c.displayName || `client secret ${c.hint ?? ''}…`.trim(), ...common(c),
        attributes: { key_id: c.keyId, hint: c.hint ?? null, display_name: c.displayName ?? null, object, object_id: holder.id, app_id: holder.appId, holder_name: holder.displayName },
      });
    }
    for (const c of holder.keyCredentials ?? []) {
      sink.credential({
        ref: `${prefix}/key/${c.keyId}`, kind: 'certificate', name: c.displayName || `certificate ${c.keyId}`, ...common(c),
        fingerprint: c.customKeyIdentifier ?? c.keyId,
        attributes: { key_id: c.keyId, type: c.type ?? null, usage: c.usage ?? null, thumbprint: c.customKeyIdentifier ?? null, object, object_id: holder.id, app_id: holder.appId, holder_name: holder.displayName },
      });
    }
  };

  const withSp = new Set<string>();
  const recorded: GraphSp[] = [];
  for (const sp of snap.sps.values()) {
    const managed = sp.servicePrincipalType === 'ManagedIdentity';
    const ownApp = snap.appsByAppId.get(sp.appId);
    const holdsCredentials = (sp.passwordCredentials?.length ?? 0) + (sp.keyCredentials?.length ?? 0) > 0;
    // Microsoft's first-party apps are hundreds per tenant and provider-managed: recorded only when they hold
    // credentials or when asked. Every other tenant's app (a vendor's integration) is recorded: its risk is what it
    // was granted. Where any of them holds Azure access, the subscription records it too.
    if (!managed && !ownApp && sp.appOwnerOrganizationId !== tenant && !holdsCredentials && isMicrosoftApp(sp) && !ctx.options.third_party_service_principals) continue;
    recorded.push(sp);
  }
  // Grants first: whether a service principal is an integration depends on what it was granted.
  const grants = ctx.options.entra_grants
    ? await loadEntraGrants(ctx, clients, sink, recorded.filter((sp) => !isMicrosoftApp(sp) || ctx.options.third_party_service_principals), snap.apps,
      (ids) => resolvePrincipals(clients, ids))
    : null;
  const recordedRefs = new Map<string, string>();
  for (const sp of recorded) {
    const ownApp = snap.appsByAppId.get(sp.appId);
    withSp.add(sp.appId);
    const ident = spIdentity(tenant, sp, snap);
    const integration = grants ? integrationFacts(tenant, sp, grants) : null;
    if (integration) ident.attributes = { ...ident.attributes, integration };
    sink.identity(ident);
    recordedRefs.set(sp.id, ident.ref);
    emitCreds(sp, 'servicePrincipal', ident.ref);
    if (ownApp) emitCreds(ownApp, 'application', ident.ref);
  }
  // App registrations without a service principal in this tenant: an identity of their own (their secrets still work
  // wherever the app is consented).
  for (const app of snap.apps) {
    if (withSp.has(app.appId)) continue;
    const ref = refs.app(tenant, app.appId);
    const owner = ownerOf(app);
    sink.identity({
      ref, kind: 'app', name: app.displayName, human: false, owner: owner.owner, owner_source: owner.source, created_at: date(app.createdDateTime),
      ...lastUse(snap.spSignIns, app.appId),
      attributes: { object_id: app.id, app_id: app.appId, owners: owner.all, tags: app.tags ?? [] },
    });
    emitCreds(app, 'application', ref);
  }
  if (grants) emitEntraGrants(ctx, sink, grants, snap.sps, recordedRefs, snap.apps, refs);
}
