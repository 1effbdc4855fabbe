// Collection of one tenant. A tenant is a project (service accounts, keys, the project's allow policy, secrets) or,
// when projects are discovered under a folder or organisation, a folder or the organisation itself (its allow
// policy), so every binding is collected exactly once, on the node where it is bound. Deny policies attached to the
// node and to every ancestor subtract permissions before levels are computed.
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { protos } from '@google-cloud/secret-manager';
import type { ConnectorContext, TenantSink } from '../types.js';
import type { EntitlementInput, IdentityInput } from '../../model/index.js';
import { UserError } from '../../errors.js';
import { allPages, apiError, createClients, describe, isNotFound, isServiceDisabled, NO_RETRY, type GcpClients } from './clients.js';
import {
  applyDeny, conditionExpiry, durationOf, isBasicRole, keyCredential, mapRole, memberIdentity, nodeRef, projectRef, saRef,
  secretCredential, tsOf, type DenyRuleInput, type VersionInput,
} from './map.js';
import { AllowPolicy, Activity, DenyPolicy, Role, ServiceAccount, ServiceAccountKey, WorkloadIdentityPool, WorkloadIdentityPoolProvider } from './schema.js';
import type { GcpOptions } from './options.js';
import { impersonationChains, isMintRole, memberBreadth, type MintLink } from './mint.js';
import { judgeWifMember, parseWifMember, type WifJudgement, type WifPool } from './wif.js';
import { LEVEL_RANK, LEVELS, type Level } from '../../model/index.js';

type Ctx = ConnectorContext<GcpOptions>;

export const isNodeTenant = (t: string) => /^(folders|organizations)\/\d+$/.test(t);

/** Role definitions are the same for every tenant of a run: fetched once per source and run. */
const roleCaches = new WeakMap<object, Map<string, Promise<string[]>>>();
/** Workload identity pools (with their providers) of a project and location, also fetched once per source and run. */
const poolCaches = new WeakMap<object, Map<string, Promise<Map<string, WifPool>>>>();

export async function discoverTenants(ctx: Ctx): Promise<string[]> {
  if (ctx.source.tenants.length) return ctx.source.tenants;
  const root = ctx.options.folder ?? ctx.options.organization;
  if (!root) throw new UserError(`gcp source ${ctx.source.name}: list project ids under \`tenants\`, or set options.folder or options.organization to discover them`);
  const c = await createClients(ctx, ctx.http('discovery'));
  return c.run(async () => {
    const nodes = [root];
    const projects: string[] = [];
    const size = ctx.options.page_size;
    for (let i = 0; i < nodes.length; i++) {
      const parent = nodes[i]!;
      // A discovery that cannot see everything must fail: a missing project would look like a removed one.
      const folders = await allPages(`folders under ${parent}`, ctx.options.max_pages, async (pageToken) => {
        const [items, next] = await c.folders.listFolders({ parent, pageSize: size, pageToken }, NO_RETRY);
        return { items, next: next?.pageToken };
      });
      for (const f of folders) if (f.name && isActive(f.state)) nodes.push(f.name);
      const ps = await allPages(`projects under ${parent}`, ctx.options.max_pages, async (pageToken) => {
        const [items, next] = await c.projects.listProjects({ parent, pageSize: size, pageToken }, NO_RETRY);
        return { items, next: next?.pageToken };
      });
      for (const p of ps) if (p.projectId && isActive(p.state)) projects.push(p.projectId);
    }
    return [...nodes, ...projects.sort()];
  });
}

const isActive = (state: unknown) => state === undefined || state === null || state === 'ACTIVE' || state === 1;

export async function collectTenant(ctx: Ctx, tenant: string, sink: TenantSink): Promise<void> {
  const c = await createClients(ctx, sink.http);
  await c.run(async () => {
    const t = new TenantCollector(ctx, c, sink);
    if (isNodeTenant(tenant)) await t.node(tenant);
    else await t.project(tenant);
  });
}

interface PolicyAt { resourceRef: string; policyResource: string; bindings: AllowPolicy['bindings']; etag: string | null; secret?: boolean;
  /** The policy is on this service account: its bindings say who may act as it. */
  serviceAccount?: string;
  /** The policy is on this project: an impersonation role here reaches every one of its service accounts. */
  project?: string }

class TenantCollector {
  private readonly identities = new Map<string, IdentityInput>();
  private readonly limit: ReturnType<typeof pLimit>;
  private roleCache: Map<string, Promise<string[]>>;
  private expiredBindings = 0;
  private fullyDenied = 0;
  /** Service accounts of the project being collected, impersonation links, and each identity's own highest level. */
  private projectAccounts: string[] = [];
  private readonly mintLinks: (MintLink & { breadth: string })[] = [];
  private readonly ownLevel = new Map<string, number>();

  constructor(private readonly ctx: Ctx, private readonly c: GcpClients, private readonly sink: TenantSink) {
    this.limit = pLimit(Math.max(1, sink.http.concurrency));
    let rc = roleCaches.get(ctx);
    if (!rc) { rc = new Map(); roleCaches.set(ctx, rc); }
    this.roleCache = rc;
  }

  private get o() { return this.ctx.options; }

  // ---------- a folder or the organisation ----------
  async node(node: string): Promise<void> {
    const policy = node.startsWith('folders/')
      ? (await this.c.folders.getIamPolicy({ resource: node, options: { requestedPolicyVersion: 3 } }, NO_RETRY))[0]
      : (await this.c.organizations.getIamPolicy({ resource: node, options: { requestedPolicyVersion: 3 } }, NO_RETRY))[0];
    const parent = node.startsWith('folders/') ? await this.parentOf(node) : null;
    const ancestors = parent ? await this.ancestors(parent) : [];
    const deny = await this.denyRules([node, ...ancestors]);
    const at: PolicyAt = { resourceRef: nodeRef(node), policyResource: node, bindings: AllowPolicy.parse(policy).bindings, etag: etagString(policy.etag) };
    await this.emitPolicies([at], deny);
    this.flushIdentities();
  }

  // ---------- a project ----------
  async project(projectId: string): Promise<void> {
    const [project] = await this.c.projects.getProject({ name: `projects/${projectId}` }, NO_RETRY);
    const ancestors = await this.ancestors(project.parent ?? '');
    const deny = await this.denyRules([`projects/${projectId}`, ...ancestors]);
    const [policy] = await this.c.projects.getIamPolicy({ resource: `projects/${projectId}`, options: { requestedPolicyVersion: 3 } }, NO_RETRY);
    const policies: PolicyAt[] = [{ resourceRef: projectRef(projectId), policyResource: `projects/${projectId}`, bindings: AllowPolicy.parse(policy).bindings, etag: etagString(policy.etag), project: projectId }];

    const activity = this.o.activity ? await this.activity(projectId) : null;
    policies.push(...await this.serviceAccounts(projectId, activity));
    if (this.o.secrets) policies.push(...await this.secrets(projectId));
    await this.emitPolicies(policies, deny);
    this.emitChains();
    this.flushIdentities();
    if (this.expiredBindings) this.ctx.log.debug(`${projectId}: ${this.expiredBindings} expired conditional binding member(s) skipped (no access)`);
  }

  /** Folders and organisation above a node, nearest first. A folder we may not read leaves deny rules unknown. */
  private async ancestors(start: string): Promise<string[]> {
    const out: string[] = [];
    let cur = start;
    for (let i = 0; i < 32 && cur; i++) {
      out.push(cur);
      if (!cur.startsWith('folders/')) break;
      const next = await this.parentOf(cur);
      if (next === null) break;
      cur = next;
    }
    return out;
  }

  private async parentOf(folder: string): Promise<string | null> {
    try {
      const [f] = await this.c.folders.getFolder({ name: folder }, NO_RETRY);
      return f.parent ?? null;
    } catch (e) {
      this.sink.partial(`cannot read ${folder} to find deny policies attached above it: ${describe(e)}`);
      return null;
    }
  }

  private async denyRules(nodes: string[]): Promise<DenyRuleInput[]> {
    const rules: DenyRuleInput[] = [];
    for (const node of nodes) {
      const parent = `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/${node}`)}/denypolicies`;
      try {
        const list = await allPages(`deny policies on ${node}`, this.o.max_pages, async (pageToken) => {
          const [items, next] = await this.c.deny.listPolicies({ parent, pageSize: this.o.page_size, pageToken }, NO_RETRY);
          return { items, next: next?.pageToken };
        });
        // The list carries metadata only; rules come with each policy.
        const full = await Promise.all(list.map((p) => this.limit(async () => (await this.c.deny.getPolicy({ name: p.name! }, NO_RETRY))[0])));
        for (const raw of full) {
          const p = DenyPolicy.parse(raw);
          for (const r of p.rules) {
            const d = r.denyRule;
            if (!d) continue;
            rules.push({
              policy: p.name, deniedPrincipals: d.deniedPrincipals, exceptionPrincipals: d.exceptionPrincipals,
              deniedPermissions: d.deniedPermissions, exceptionPermissions: d.exceptionPermissions, conditional: !!d.denialCondition?.expression,
            });
          }
        }
      } catch (e) {
        // Without the deny rules we may report more access than exists, never less: partial, so nothing is acted on.
        this.sink.partial(`deny policies on ${node}: ${describe(e)}`);
      }
    }
    return rules;
  }

  private async activity(projectId: string): Promise<Activities | null> {
    const out: Activities = { serviceAccounts: new Map(), keys: new Map(), observationStart: null };
    for (const type of ['serviceAccountLastAuthentication', 'serviceAccountKeyLastAuthentication'] as const) {
      const url = `${this.c.restBase('policyanalyzer')}/v1/projects/${projectId}/locations/global/activityTypes/${type}/activities:query`;
      try {
        const acts = await allPages(`${type} activity of ${projectId}`, this.o.max_pages, async (pageToken) => {
          const r = await this.c.auth.request<{ activities?: unknown[]; nextPageToken?: string }>({ url, params: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) } });
          return { items: r.data.activities ?? [], next: r.data.nextPageToken };
        });
        for (const raw of acts) {
          const a = Activity.parse(raw);
          const when = a.activity?.lastAuthenticatedTime ? new Date(a.activity.lastAuthenticatedTime) : null;
          const start = a.observationPeriod?.startTime ? new Date(a.observationPeriod.startTime) : null;
          if (start && (!out.observationStart || start < out.observationStart)) out.observationStart = start;
          if (!when) continue;
          const full = a.fullResourceName ?? '';
          if (type === 'serviceAccountLastAuthentication') out.serviceAccounts.set(full.split('/serviceAccounts/').pop() ?? full, when);
          else out.keys.set(full.split('/keys/').pop() ?? full, when);
        }
      } catch (e) {
        // No activity data means "unknown", never "unused": keep going with last_used_known=false.
        const why = isServiceDisabled(e) ? 'Policy Analyzer API is disabled' : describe(e);
        this.ctx.log.warn(`${projectId}: last-authentication activity unavailable (${why}); last use is unknown`);
        return null;
      }
    }
    return out;
  }

  private async serviceAccounts(projectId: string, activity: Activities | null): Promise<PolicyAt[]> {
    const policies: PolicyAt[] = [];
    let accounts: ServiceAccount[];
    try {
      accounts = (await allPages(`service accounts of ${projectId}`, this.o.max_pages, async (pageToken) => {
        const r = await this.c.iam.projects.serviceAccounts.list({ name: `projects/${projectId}`, pageSize: this.o.page_size, pageToken });
        return { items: r.data.accounts ?? [], next: r.data.nextPageToken };
      })).map((a) => ServiceAccount.parse(a));
    } catch (e) {
      this.sink.partial(`service accounts of ${projectId}: ${describe(e)}`);
      return policies;
    }
    this.projectAccounts = accounts.map((sa) => saRef(sa.email));
    await Promise.all(accounts.map((sa) => this.limit(async () => {
      const ref = saRef(sa.email);
      // Who may impersonate it, act as it or mint its keys: the policy on the account itself.
      try {
        const r = await this.c.iam.projects.serviceAccounts.getIamPolicy({ resource: sa.name, 'options.requestedPolicyVersion': 3 });
        policies.push({ resourceRef: ref, policyResource: sa.name, bindings: AllowPolicy.parse(r.data).bindings, etag: etagString(r.data.etag), serviceAccount: ref });
      } catch (e) {
        if (!isNotFound(e)) this.sink.partial(`IAM policy of ${sa.email}: ${describe(e)}`);
      }
      let keys: ServiceAccountKey[] = [];
      let keysOk = true;
      try {
        const r = await this.c.iam.projects.serviceAccounts.keys.list({ name: sa.name, keyTypes: ['USER_MANAGED', 'SYSTEM_MANAGED'] });
        keys = (r.data.keys ?? []).map((k) => ServiceAccountKey.parse(k));
      } catch (e) {
        if (!isNotFound(e)) { keysOk = false; this.sink.partial(`keys of ${sa.email}: ${describe(e)}`); }
      }
      const userKeys = keys.filter((k) => k.keyType !== 'SYSTEM_MANAGED');
      const used = activity?.serviceAccounts.get(sa.email) ?? activity?.serviceAccounts.get(sa.uniqueId ?? '') ?? null;
      this.identities.set(ref, {
        ref, kind: 'service_account', name: sa.email, login: sa.email, human: false, disabled: !!sa.disabled,
        // Policy Analyzer does not say when an account was created, so absence is unknown, not "never used".
        last_used_at: used, last_used_known: used !== null,
        attributes: {
          project: projectId, unique_id: sa.uniqueId ?? null, display_name: sa.displayName ?? null, description: sa.description ?? null,
          user_managed_keys: userKeys.length, google_managed_keys: keys.length - userKeys.length, keys_listed: keysOk,
        },
      });
      for (const k of userKeys) {
        const id = k.name.split('/').pop()!;
        const at = activity?.keys.get(id) ?? null;
        const created = k.validAfterTime ? new Date(k.validAfterTime) : null;
        // A key created inside the observation window and absent from it was never used; an older one is unknown.
        const known = at !== null || (activity !== null && activity.observationStart !== null && created !== null && created >= activity.observationStart);
        this.sink.credential(keyCredential(k, ref, this.ctx.now, { at, known }));
      }
    })));
    return policies;
  }

  private async secrets(projectId: string): Promise<PolicyAt[]> {
    let secrets: protos.google.cloud.secretmanager.v1.ISecret[];
    try {
      secrets = await allPages(`secrets of ${projectId}`, this.o.max_pages, async (pageToken) => {
        const [items, next] = await this.c.secrets.listSecrets({ parent: `projects/${projectId}`, pageSize: this.o.page_size, pageToken }, NO_RETRY);
        return { items, next: next?.pageToken };
      });
    } catch (e) {
      // An API that is switched off holds no reachable secret: not a gap in collection.
      if (isServiceDisabled(e)) { this.ctx.log.info(`${projectId}: Secret Manager API disabled; no secrets`); return []; }
      this.sink.partial(`secrets of ${projectId}: ${describe(e)}`);
      return [];
    }
    const policies: PolicyAt[] = [];
    await Promise.all(secrets.map((s) => this.limit(async () => {
      const name = s.name!;
      let versions: VersionInput[] = [];
      let complete = true;
      try {
        const raw = await allPages(`versions of ${name}`, this.o.max_pages, async (pageToken) => {
          const [items, next] = await this.c.secrets.listSecretVersions({ parent: name, pageSize: this.o.page_size, pageToken }, NO_RETRY);
          return { items, next: next?.pageToken };
        });
        versions = raw.map((v) => ({ name: v.name!, state: String(v.state ?? 'STATE_UNSPECIFIED'), createTime: tsOf(v.createTime), destroyTime: tsOf(v.destroyTime), etag: v.etag ?? null }));
      } catch (e) {
        complete = false;
        this.sink.partial(`versions of ${name}: ${describe(e)}`);
      }
      const cred = secretCredential({
        name, createTime: tsOf(s.createTime), expireTime: tsOf(s.expireTime), labels: { ...(s.labels ?? {}) },
        replication: s.replication ? (s.replication.automatic ? { automatic: true } : { user_managed: (s.replication.userManaged?.replicas ?? []).map((r) => r.location) }) : null,
        rotation: s.rotation ? { nextRotationTime: tsOf(s.rotation.nextRotationTime), rotationPeriod: durationOf(s.rotation.rotationPeriod) } : null,
        topics: (s.topics ?? []).map((t) => t.name ?? '').filter(Boolean), etag: s.etag ?? null,
      }, versions, complete, this.ctx.now);
      // Unknown versions must not read as "nothing enabled": keep it active so it is judged, never dismissed.
      if (!complete && cred.status === 'inactive') cred.status = 'active';
      this.sink.credential(cred);
      try {
        const [p] = await this.c.secrets.getIamPolicy({ resource: name, options: { requestedPolicyVersion: 3 } }, NO_RETRY);
        policies.push({ resourceRef: name, policyResource: name, bindings: AllowPolicy.parse(p).bindings, etag: etagString(p.etag), secret: true });
      } catch (e) {
        this.sink.partial(`IAM policy of ${name}: ${describe(e)}`);
      }
    })));
    return policies;
  }

  private async roleDefinition(role: string): Promise<string[] | null> {
    // In-flight requests are shared too, so concurrent tenants ask for a role once.
    let pending = this.roleCache.get(role);
    if (!pending) {
      pending = (async () => {
        const r = role.startsWith('projects/') ? await this.c.iam.projects.roles.get({ name: role })
          : role.startsWith('organizations/') ? await this.c.iam.organizations.roles.get({ name: role })
            : await this.c.iam.roles.get({ name: role });
        return Role.parse(r.data).includedPermissions;
      })();
      this.roleCache.set(role, pending);
      pending.catch(() => this.roleCache.delete(role));
    }
    try {
      return await pending;
    } catch (e) {
      this.sink.partial(`role ${role}: definition unreadable (${describe(e)}); level estimated from its name`);
      return null;
    }
  }

  private async emitPolicies(policies: PolicyAt[], deny: DenyRuleInput[]): Promise<void> {
    const roles = new Set(policies.flatMap((p) => p.bindings.map((b) => b.role)));
    const defs = new Map<string, string[] | null>();
    await Promise.all([...roles].map((r) => this.limit(async () => { defs.set(r, await this.roleDefinition(r)); })));
    const pools = await this.workloadIdentityPools(policies, defs);
    for (const p of policies) {
      for (const b of p.bindings) {
        const cond = b.condition ?? null;
        const { expiresAt, timeBound } = conditionExpiry(cond?.expression);
        if (expiresAt && expiresAt <= this.ctx.now) { this.expiredBindings += b.members.length; continue; }
        const perms = defs.get(b.role) ?? null;
        for (const member of b.members) {
          const ident = memberIdentity(member);
          const denied = perms ? applyDeny(member, perms, deny) : null;
          if (perms && perms.length && denied && denied.remaining.length === 0) { this.fullyDenied++; continue; }
          const mapped = mapRole(b.role, denied ? denied.remaining : null);
          const { memberType, ...identity } = ident;
          if (!this.identities.has(identity.ref)) this.identities.set(identity.ref, identity);
          const condKey = cond ? `|${cond.title || createHash('sha256').update(cond.expression).digest('hex').slice(0, 12)}` : '';
          const ent: EntitlementInput = {
            ref: `${p.resourceRef}|${b.role}|${member}${condKey}`,
            identity_ref: identity.ref, identity_name: identity.name, resource_ref: p.resourceRef, permission: b.role,
            level: mapped.level,
            // Public access is always worth a look, whatever the role.
            privileged: mapped.privileged || memberType === 'public',
            via: 'direct', path: p.policyResource, expires_at: expiresAt,
            attributes: {
              member, member_type: memberType, policy_resource: p.policyResource, basic_role: isBasicRole(b.role),
              role_resolved: perms !== null, public: memberType === 'public',
              ...(cond ? { condition: { title: cond.title ?? null, expression: cond.expression }, time_bound: timeBound } : {}),
              ...(denied?.denied.length ? { denied_permissions: denied.denied, deny_policies: denied.policies } : {}),
              ...(denied?.conditional.length ? { conditionally_denied_permissions: denied.conditional } : {}),
              ...(p.secret ? { secret: true } : {}),
            },
          };
          const targets = !isMintRole(b.role, perms) ? [] : p.serviceAccount ? [p.serviceAccount] : p.project ? this.projectAccounts : [];
          const wif = targets.length ? parseWifMember(member) : null;
          const judged = wif ? pools.get(member) : undefined;
          if (judged && typeof judged !== 'string' && judged.nobody) {
            // A pool or provider that exchanges no token mints nothing now: no mint edge. The binding stays an
            // entitlement, marked, so it is still seen (and removed) like any other; re-enabled, it is an edge again.
            ent.attributes!.workload_identity = { pool: wif!.poolName, admits_nobody: true, reason: judged.nobody, providers: providerSummary(judged) };
          } else if (targets.length) {
            const edge = judged && typeof judged !== 'string' ? judged.edge : null;
            const breadth = edge?.breadth ?? memberBreadth(memberType, member);
            const assumptions = typeof judged === 'string' ? [`providers of ${wif!.poolName} unreadable (${judged}): judged from the member alone`] : judged?.assumptions ?? [];
            ent.attributes!.mint = {
              mechanism: b.role === 'roles/iam.workloadIdentityUser' && /^principal/.test(memberType) ? 'workload_identity' : 'impersonation',
              issuer: edge?.issuer ?? null, subject: edge ? edge.subject : member, audience: edge?.audience ?? null, breadth, missing: edge?.missing ?? [], target_provider: 'gcp',
              // On a project the role reaches every account there: the target is the project.
              target_ref: p.serviceAccount ?? p.resourceRef,
              conditions: wif ? {
                ...(cond ? { expression: cond.expression } : {}), member, pool: wif.poolName,
                ...(judged && typeof judged !== 'string' ? { provider: edge?.provider ?? null, providers: providerSummary(judged) } : {}), assumptions,
              } : cond ? { expression: cond.expression } : null,
            };
            for (const to of targets) if (to !== identity.ref) this.mintLinks.push({ from: identity.ref, to, breadth });
          } else {
            this.ownLevel.set(identity.ref, Math.max(this.ownLevel.get(identity.ref) ?? 0, LEVEL_RANK[mapped.level]));
          }
          this.sink.entitlement(ent);
        }
      }
    }
  }

  /**
   * Workload identity members of mint bindings, judged with their pool's providers: per member, the judgement, or the reason
   * its project's pools could not be read (then the tenant is partial and the edge is judged from the member alone).
   */
  private async workloadIdentityPools(policies: PolicyAt[], defs: Map<string, string[] | null>): Promise<Map<string, WifJudgement | string>> {
    const members = new Map<string, ReturnType<typeof parseWifMember> & object>();
    for (const p of policies) {
      if (!p.serviceAccount && !p.project) continue;
      for (const b of p.bindings) {
        if (!isMintRole(b.role, defs.get(b.role) ?? null)) continue;
        for (const m of b.members) { const w = parseWifMember(m); if (w) members.set(m, w); }
      }
    }
    const out = new Map<string, WifJudgement | string>();
    const byProject = new Map<string, Map<string, WifPool> | string>();
    for (const [member, w] of members) {
      const key = w.poolName.replace(/\/workloadIdentityPools\/[^/]+$/, '');
      if (!byProject.has(key)) {
        try {
          byProject.set(key, await this.poolsOf(key));
        } catch (e) {
          const why = describe(e);
          byProject.set(key, why);
          // Without the providers a pool's breadth is a guess: partial, so nothing is resolved or acted on from it.
          this.sink.partial(`workload identity pools of ${key}: ${why}`);
        }
      }
      const pools = byProject.get(key)!;
      out.set(member, typeof pools === 'string' ? pools : judgeWifMember(w, pools.get(w.pool) ?? null));
    }
    return out;
  }

  /** Pools of projects/N/locations/L, deleted ones included (a deleted pool is judged, not mistaken for an unknown one). */
  private poolsOf(parent: string): Promise<Map<string, WifPool>> {
    let cache = poolCaches.get(this.ctx);
    if (!cache) { cache = new Map(); poolCaches.set(this.ctx, cache); }
    let pending = cache.get(parent);
    if (!pending) {
      pending = (async () => {
        const raw = await allPages(`workload identity pools of ${parent}`, this.o.max_pages, async (pageToken) => {
          const r = await this.c.iam.projects.locations.workloadIdentityPools.list({ parent, pageSize: this.o.page_size, pageToken, showDeleted: true });
          return { items: r.data.workloadIdentityPools ?? [], next: r.data.nextPageToken };
        });
        const out = new Map<string, WifPool>();
        await Promise.all(raw.map((x) => this.limit(async () => {
          const pool = WorkloadIdentityPool.parse(x);
          const providers = await allPages(`providers of ${pool.name}`, this.o.max_pages, async (pageToken) => {
            // providers.list pages hold at most 100.
            const r = await this.c.iam.projects.locations.workloadIdentityPools.providers.list({ parent: pool.name, pageSize: Math.min(this.o.page_size, 100), pageToken, showDeleted: true });
            return { items: r.data.workloadIdentityPoolProviders ?? [], next: r.data.nextPageToken };
          });
          out.set(pool.name.split('/').pop()!, { ...pool, providers: providers.map((pr) => WorkloadIdentityPoolProvider.parse(pr)) });
        })));
        return out;
      })();
      cache.set(parent, pending);
      pending.catch(() => cache!.delete(parent));
    }
    return pending;
  }

  /**
   * Chains of impersonation (depth 2..4) from any member to an account with admin-or-above access of its own: each is
   * a derived entitlement (via inherited, the chain as its path) so the usual rules judge what the origin can become.
   */
  private emitChains(): void {
    const levelOf = (ref: string): Level | null => { const r = this.ownLevel.get(ref); return r === undefined ? null : LEVELS[r]!; };
    for (const c of impersonationChains(this.mintLinks, levelOf)) {
      const origin = this.identities.get(c.origin);
      const first = this.mintLinks.find((l) => l.from === c.origin && l.to === c.path[1]);
      this.sink.entitlement({
        ref: `${c.origin}|impersonation-chain|${c.target}`, identity_ref: c.origin, identity_name: origin?.name ?? c.origin, resource_ref: c.target,
        permission: 'impersonation-chain', level: levelOf(c.target) ?? 'admin', privileged: true, via: 'inherited', path: c.path.join(' -> '),
        attributes: {
          chain: { depth: c.depth, path: c.path },
          mint: { mechanism: 'impersonation', issuer: null, subject: c.origin, audience: null, breadth: first?.breadth ?? 'pinned', missing: [], target_provider: 'gcp', target_ref: c.target, conditions: null },
        },
      });
    }
    this.mintLinks.length = 0;
    this.ownLevel.clear();
  }

  private flushIdentities(): void {
    for (const i of this.identities.values()) this.sink.identity(i);
    this.identities.clear();
  }
}

/** Each provider of the pool as judged for the member: enough to see why the edge is as broad as it is. */
function providerSummary(j: WifJudgement): Record<string, unknown>[] {
  return j.providers.map((p) => ({ name: p.provider, issuer: p.issuer, active: p.active, breadth: p.admitsNobody ? null : p.breadth, missing: p.missing }));
}

interface Activities { serviceAccounts: Map<string, Date>; keys: Map<string, Date>; observationStart: Date | null }

/** gax gives an etag as bytes; REST as base64 text. Kept as base64 text. */
export function etagString(v: unknown): string | null {
  if (!v) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return null;
}

export { apiError };
