// Collection of one context (a cluster): six cluster-wide lists, then the mapping. A list that cannot be read (403 on
// one resource, retries spent, a continue token that keeps expiring) marks the tenant partial and the rest is still
// collected; only when nothing at all could be read does the tenant fail.
import type { ConnectorContext, TenantSink } from '../types.js';
import type { IdentityInput } from '../../model/index.js';
import { clientsFor, describe, listAll, statusOf, type K8sClients } from './client.js';
import {
  levelFromName, mintEdges, rbacLevel, refs, saIdentity, subjectIdentity, tokenCredential,
  type PolicyRule, type RbacLevel, type SaObject, type SecretMeta, type Subject,
} from './map.js';
import type { KubernetesOptions } from './options.js';

type Ctx = ConnectorContext<KubernetesOptions>;

export const TOKEN_TYPE = 'kubernetes.io/service-account-token';
/** Bindings and roles the API server creates itself (its default policy) carry this label. */
const DEFAULT_POLICY_LABEL = 'kubernetes.io/bootstrapping';

interface Meta { name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: Date; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RoleObj { metadata: Meta; rules?: PolicyRule[] }
interface BindingObj { metadata: Meta; roleRef: { kind: string; name: string; apiGroup?: string }; subjects?: Subject[] }
interface SaObj extends SaObject { metadata: Meta }

type Listed<T> = { ok: true; items: T[] } | { ok: false; error: unknown };

export async function collectTenant(ctx: Ctx, tenant: string, sink: TenantSink): Promise<void> {
  const c = await clientsFor(ctx, tenant, sink.http);
  const o = ctx.options;
  const lim = { maxPages: o.max_pages, maxRestarts: o.max_list_restarts };
  const limit = o.page_size;
  const list = async <T>(what: string, page: (cont: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>): Promise<Listed<T>> => {
    try {
      const r = await listAll(what, lim, page);
      if (r.restarts) ctx.log.info(`${tenant}: ${what} restarted ${r.restarts} time(s) after its continue token expired`);
      return { ok: true, items: r.items };
    } catch (e) { return { ok: false, error: e }; }
  };
  const [sas, roles, clusterRoles, roleBindings, clusterRoleBindings, secrets] = await Promise.all([
    list<SaObj>('service accounts', (cont) => c.core.listServiceAccountForAllNamespaces({ limit, _continue: cont }) as Promise<{ items: SaObj[] }>),
    list<RoleObj>('roles', (cont) => c.rbac.listRoleForAllNamespaces({ limit, _continue: cont }) as Promise<{ items: RoleObj[] }>),
    list<RoleObj>('cluster roles', (cont) => c.rbac.listClusterRole({ limit, _continue: cont }) as Promise<{ items: RoleObj[] }>),
    list<BindingObj>('role bindings', (cont) => c.rbac.listRoleBindingForAllNamespaces({ limit, _continue: cont }) as Promise<{ items: BindingObj[] }>),
    list<BindingObj>('cluster role bindings', (cont) => c.rbac.listClusterRoleBinding({ limit, _continue: cont }) as Promise<{ items: BindingObj[] }>),
    o.legacy_tokens
      // The transport makes this metadata-only; the field selector keeps other Secrets' names out of the answer too.
      ? list<{ metadata: Meta }>('legacy token secrets', (cont) => c.core.listSecretForAllNamespaces({ limit, _continue: cont, fieldSelector: `type=${TOKEN_TYPE}` }) as Promise<{ items: { metadata: Meta }[] }>)
      : Promise.resolve({ ok: true, items: [] } as Listed<{ metadata: Meta }>),
  ]);
  const all = { 'service accounts': sas, roles, 'cluster roles': clusterRoles, 'role bindings': roleBindings, 'cluster role bindings': clusterRoleBindings, 'legacy token secrets': secrets };
  const failed = Object.entries(all).filter(([, l]) => !l.ok) as [string, { ok: false; error: unknown }][];
  if (failed.length === Object.keys(all).length || failed.some(([, l]) => statusOf(l.error) === 401)) {
    const first = failed.find(([, l]) => statusOf(l.error) === 401) ?? failed[0]!;
    throw new Error(`${tenant} (${c.server}): ${first[0]}: ${describe(first[1].error)}`);
  }
  for (const [what, l] of failed) sink.partial(`${what}: ${describe(l.error)}`);
  new TenantMapper(ctx, tenant, sink, c).map(
    sas.ok ? sas.items : null, roles.ok ? roles.items : null, clusterRoles.ok ? clusterRoles.items : null,
    roleBindings.ok ? roleBindings.items : [], clusterRoleBindings.ok ? clusterRoleBindings.items : [], secrets.ok ? secrets.items : [],
  );
}

class TenantMapper {
  private readonly identities = new Map<string, IdentityInput>();
  /** Subjects named by at least one binding that is not the API server's default policy. */
  private readonly customSubjects = new Set<string>();
  private readonly systemSubjects = new Set<string>();

  constructor(private readonly ctx: Ctx, private readonly cluster: string, private readonly sink: TenantSink, private readonly c: K8sClients) {}

  map(sas: SaObj[] | null, roles: RoleObj[] | null, clusterRoles: RoleObj[] | null, rbs: BindingObj[], crbs: BindingObj[], secrets: { metadata: Meta }[]): void {
    const cl = this.cluster;
    const saUid = new Map<string, string | undefined>();
    for (const sa of sas ?? []) {
      const ns = sa.metadata.namespace!, name = sa.metadata.name!;
      const ident = saIdentity(cl, ns, name, sa);
      this.identities.set(ident.ref, ident);
      saUid.set(ident.ref, sa.metadata.uid);
      const { edges, invalid } = mintEdges(ns, name, sa.metadata.annotations, this.ctx.options.azure_tenant_id);
      for (const bad of invalid) this.ctx.log.warn(`${cl}: service account ${ns}/${name} has an unreadable workload-identity annotation (${bad}); no link recorded`);
      for (const e of edges) {
        this.sink.entitlement({
          ref: `${ident.ref}|workload-identity|${e.key}`, identity_ref: ident.ref, identity_name: `${ns}/${name}`, resource_ref: e.facts.target_ref,
          permission: e.key,
          // Its pods obtain the target's credentials: whatever the target may do, this account may do. Judged as
          // admin-level and privileged like impersonation; the target's own entitlements say what that is.
          level: 'admin', privileged: true, via: 'direct', path: `serviceaccount/${ns}/${name}`,
          attributes: { mint: e.facts, annotation: e.key, target: e.value, namespace: ns, service_account: name },
        });
      }
    }
    const roleMap = new Map<string, RoleObj>();
    for (const r of roles ?? []) roleMap.set(`Role/${r.metadata.namespace}/${r.metadata.name}`, r);
    for (const r of clusterRoles ?? []) roleMap.set(`ClusterRole/${r.metadata.name}`, r);
    let dangling = 0;
    const bindings: { b: BindingObj; kind: 'RoleBinding' | 'ClusterRoleBinding' }[] = [
      ...rbs.map((b) => ({ b, kind: 'RoleBinding' as const })), ...crbs.map((b) => ({ b, kind: 'ClusterRoleBinding' as const })),
    ];
    for (const { b, kind } of bindings) {
      const ns = kind === 'RoleBinding' ? b.metadata.namespace : undefined;
      const roleKey = b.roleRef.kind === 'Role' ? `Role/${ns}/${b.roleRef.name}` : `ClusterRole/${b.roleRef.name}`;
      const role = roleMap.get(roleKey);
      const known = b.roleRef.kind === 'Role' ? roles !== null : clusterRoles !== null;
      let mapped: RbacLevel;
      if (role) mapped = rbacLevel(role.rules ?? []);
      else if (known) { dangling++; continue; } // a binding to a role that does not exist grants nothing (yet)
      else mapped = levelFromName(b.roleRef.kind, b.roleRef.name);
      if (mapped.level === 'none') continue;
      const isDefault = b.metadata.labels?.[DEFAULT_POLICY_LABEL] === 'rbac-defaults';
      const bindingRef = refs.binding(cl, kind, ns, b.metadata.name!);
      const scope = ns ? refs.namespace(cl, ns) : refs.cluster(cl);
      const permission = b.roleRef.kind === 'ClusterRole' ? `clusterrole/${b.roleRef.name}` : `role/${b.roleRef.name}`;
      for (const s of b.subjects ?? []) {
        const si = subjectIdentity(cl, s, ns);
        if (!si) { this.ctx.log.debug(`${cl}: ${bindingRef}: subject of kind ${s.kind} skipped`); continue; }
        if (!this.identities.has(si.ref)) this.identities.set(si.ref, si.identity);
        if (isDefault) { if (si.system) this.systemSubjects.add(si.ref); } else this.customSubjects.add(si.ref);
        const pub = si.identity.kind === 'public';
        this.sink.entitlement({
          ref: `${bindingRef}|${si.ref}`, identity_ref: si.ref, identity_name: si.identity.name, resource_ref: scope, permission,
          level: mapped.level, privileged: mapped.privileged, via: 'role', path: bindingRef.slice(`k8s:${cl}/`.length),
          attributes: {
            binding_kind: kind, binding: b.metadata.name, binding_namespace: ns ?? null, binding_uid: b.metadata.uid ?? null,
            role_kind: b.roleRef.kind, role: b.roleRef.name, role_resolved: !!role, rules: role?.rules ?? null,
            privileged_reasons: mapped.reasons, subject: { kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) },
            default_policy: isDefault, public: pub,
          },
        });
      }
    }
    if (dangling) this.ctx.log.debug(`${cl}: ${dangling} binding(s) name a role that does not exist and grant nothing`);

    const legacyCount = new Map<string, number>();
    for (const s of secrets) {
      const m = s.metadata as SecretMeta;
      if (!m.namespace || !m.name) continue;
      const cred = tokenCredential(cl, m, sas ? (saUid.get(refs.serviceAccount(cl, m.namespace, m.annotations?.['kubernetes.io/service-account.name'] ?? '')) ?? null) : undefined);
      if (cred.identity_ref) {
        legacyCount.set(cred.identity_ref, (legacyCount.get(cred.identity_ref) ?? 0) + 1);
        if (!this.identities.has(cred.identity_ref)) {
          this.identities.set(cred.identity_ref, saIdentity(cl, m.namespace, m.annotations!['kubernetes.io/service-account.name']!, null));
        }
      }
      this.sink.credential(cred);
    }
    for (const [ref, ident] of this.identities) {
      // The API server's own accounts (system: users and groups, kube-system controllers) that only its default policy
      // binds are provider-managed; one that a custom binding also names is judged like any other.
      const managed = this.systemSubjects.has(ref) && !this.customSubjects.has(ref);
      const attrs = { ...(ident.attributes ?? {}), ...(ident.kind === 'service_account' ? { legacy_token_count: legacyCount.get(ref) ?? 0 } : {}) };
      this.sink.identity({ ...ident, provider_managed: managed, attributes: attrs });
    }
  }
}
