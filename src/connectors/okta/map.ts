// Okta → canonical records. Pure functions: refs, levels of scopes and admin roles, and the record builders.
import type { CredentialInput, EntitlementInput, IdentityInput, IntegrationFacts, Level, ScopeFacts } from '../../model/index.js';

export const ref = {
  org: (t: string) => `okta:${t}`,
  user: (t: string, id: string) => `okta:${t}/users/${id}`,
  app: (t: string, appId: string) => `okta:${t}/apps/${appId}`,
  apiToken: (t: string, id: string) => `okta:${t}/api-tokens/${id}`,
  secret: (t: string, appId: string, id: string) => `okta:${t}/apps/${appId}/secrets/${id}`,
  jwk: (t: string, appId: string, id: string) => `okta:${t}/apps/${appId}/jwks/${id}`,
  grant: (t: string, appId: string, id: string) => `okta:${t}/apps/${appId}/grants/${id}`,
  role: (t: string, appId: string, id: string) => `okta:${t}/apps/${appId}/roles/${id}`,
};

export type ParsedRef =
  | { type: 'api_token'; tenant: string; id: string }
  | { type: 'app'; tenant: string; appId: string }
  | { type: 'secret'; tenant: string; appId: string; id: string }
  | { type: 'user'; tenant: string; id: string };

export function parseRef(r: string): ParsedRef | null {
  let m: RegExpExecArray | null;
  if ((m = /^okta:([^/]+)\/api-tokens\/([^/]+)$/.exec(r))) return { type: 'api_token', tenant: m[1]!, id: m[2]! };
  if ((m = /^okta:([^/]+)\/apps\/([^/]+)\/secrets\/([^/]+)$/.exec(r))) return { type: 'secret', tenant: m[1]!, appId: m[2]!, id: m[3]! };
  if ((m = /^okta:([^/]+)\/apps\/([^/]+)$/.exec(r))) return { type: 'app', tenant: m[1]!, appId: m[2]! };
  if ((m = /^okta:([^/]+)\/users\/([^/]+)$/.exec(r))) return { type: 'user', tenant: m[1]!, id: m[2]! };
  return null;
}

const d = (v: unknown): Date | null => {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v !== 'string' || !v) return null;
  const t = new Date(v);
  return Number.isNaN(t.getTime()) ? null : t;
};

// ---------- scopes ----------

/**
 * Okta management resources whose `.manage` scope reaches who-can-do-what in the org: users (reset credentials),
 * groups and app grants (grant access), apps and clients (create credentials), roles, policies, authorization
 * servers and identity providers (decide who gets tokens), API tokens. `.manage` on any of these is admin.
 */
const ADMIN_RESOURCES = new Set(['users', 'groups', 'apps', 'clients', 'appGrants', 'roles', 'policies', 'authorizationServers', 'idps', 'apiTokens',
  'userTypes', 'schemas', 'identitySources', 'oauthIntegrations', 'orgs', 'trustedOrigins', 'networkZones', 'authenticators']);
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access', 'groups', 'device_sso']);

export interface ScopeJudgement { level: Level; privileged: boolean; tenant_wide: boolean }

/**
 * The level of one granted OAuth scope. Okta management scopes are `okta.<resource>.<read|manage>` (and a few
 * `.self` / `okta.myAccount.*` ones that only reach the signed-in user): `.read` → read; `.manage` → write, or admin
 * (privileged) on the resources above. Every `okta.*` scope except the per-user ones reaches the whole org.
 * OpenID Connect scopes are read of the user's own claims. Any other scope (a custom authorization server's) is
 * unknown to us: write, not tenant-wide.
 */
export function scopeLevel(scope: string): ScopeJudgement {
  if (OIDC_SCOPES.has(scope)) return { level: 'read', privileged: false, tenant_wide: false };
  const m = /^okta\.([A-Za-z]+)\.(.+)$/.exec(scope);
  if (!m) return { level: 'write', privileged: false, tenant_wide: false };
  const [, resource, verb] = m as unknown as [string, string, string];
  const self = resource === 'myAccount' || /\.self$/.test(verb);
  if (/^read(\.|$)/.test(verb)) return { level: 'read', privileged: false, tenant_wide: !self };
  if (/^manage(\.|$)/.test(verb)) {
    const admin = ADMIN_RESOURCES.has(resource) && !self;
    return { level: admin ? 'admin' : 'write', privileged: admin, tenant_wide: !self };
  }
  return { level: 'write', privileged: false, tenant_wide: !self };
}

// ---------- admin roles ----------

/**
 * Standard admin roles assigned to a client app. Super admin owns the org; org/app/user/API access admins administer
 * (and can mint credentials or grant access): admin, privileged. Group membership and help desk admins change who
 * can do what or reset credentials: write, privileged. Read-only and report admins read. Custom roles and roles
 * unknown here are taken as admin (towards more access): their permissions are not read.
 */
export function roleLevel(type: string): { level: Level; privileged: boolean } {
  switch (type) {
    case 'SUPER_ADMIN': return { level: 'owner', privileged: true };
    case 'ORG_ADMIN': case 'APP_ADMIN': case 'USER_ADMIN': case 'API_ACCESS_MANAGEMENT_ADMIN':
    case 'ACCESS_CERTIFICATIONS_ADMIN': case 'ACCESS_REQUESTS_ADMIN': case 'WORKFLOWS_ADMIN':
      return { level: 'admin', privileged: true };
    case 'GROUP_MEMBERSHIP_ADMIN': case 'HELP_DESK_ADMIN': return { level: 'write', privileged: true };
    case 'MOBILE_ADMIN': return { level: 'write', privileged: false };
    case 'READ_ONLY_ADMIN': case 'REPORT_ADMIN': return { level: 'read', privileged: false };
    default: return { level: 'admin', privileged: true };
  }
}

// ---------- payloads (as the SDK hands them over) ----------

export interface ApiToken { id: string; name: string; userId?: string; clientName?: string; created?: unknown; lastUpdated?: unknown; expiresAt?: unknown;
  tokenWindow?: string; network?: { connection?: string; include?: string[]; exclude?: string[] } }
export interface App { id: string; label: string; name?: string; status?: string; created?: unknown; lastUpdated?: unknown; signOnMode?: string;
  credentials?: { oauthClient?: { client_id?: string; token_endpoint_auth_method?: string } };
  settings?: { oauthClient?: { application_type?: string; grant_types?: string[] } } }
export interface Grant { id: string; scopeId: string; issuer?: string; status?: string; source?: string; created?: unknown; createdBy?: { id?: string; type?: string } }
export interface Secret { id: string; status?: string; created?: unknown; lastUpdated?: unknown; secret_hash?: string }
export interface Jwk { id?: string; kid?: string | null; status?: string; created?: unknown; lastUpdated?: unknown; kty?: string; alg?: string; use?: string }
export interface Role { id: string; type: string; label?: string; status?: string; created?: unknown; role?: string; 'resource-set'?: string; resourceSet?: string }
export interface User { id: string; status?: string; created?: unknown; lastLogin?: unknown; profile?: { login?: string; email?: string; firstName?: string; lastName?: string } }

export function isServiceApp(a: App): boolean {
  return a.signOnMode === 'OPENID_CONNECT' && a.settings?.oauthClient?.application_type === 'service';
}

export const clientIdOf = (a: App) => a.credentials?.oauthClient?.client_id ?? a.id;

export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

/** Own app when an `own_apps` glob matches its id, client id or label; every other service app is a third party's. */
export function isOwnApp(a: App, ownApps: RegExp[]): boolean {
  return ownApps.some((g) => g.test(a.id) || g.test(clientIdOf(a)) || g.test(a.label));
}

// ---------- records ----------

export function userIdentity(t: string, u: User): IdentityInput {
  const login = u.profile?.login ?? null;
  return {
    ref: ref.user(t, u.id), kind: 'user', name: login ?? u.id, login, human: true, created_at: d(u.created), last_used_at: d(u.lastLogin),
    // Okta reports every login: no lastLogin means never signed in.
    last_used_known: true, disabled: u.status !== undefined && !['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY'].includes(u.status),
    attributes: { user_id: u.id, status: u.status ?? null, email: u.profile?.email ?? null },
  };
}

/** A user the token record names but Okta no longer has (deleted): kept so the token's holder is not silently lost. */
export function deletedUserIdentity(t: string, id: string): IdentityInput {
  return { ref: ref.user(t, id), kind: 'user', name: id, human: true, last_used_known: false, disabled: true, attributes: { user_id: id, deleted: true } };
}

export function apiTokenCredential(t: string, k: ApiToken, ownerLogin: string | null): CredentialInput {
  const anywhere = (k.network?.connection ?? 'ANYWHERE') === 'ANYWHERE';
  return {
    ref: ref.apiToken(t, k.id), kind: 'api_token', name: k.name, identity_ref: k.userId ? ref.user(t, k.userId) : null,
    created_by: ownerLogin, owner: ownerLogin, created_at: d(k.created),
    // Okta does not report when an API token was last used (expiresAt moves with use, but by an undocumented rule).
    last_used_at: null, last_used_known: false, expires_at: d(k.expiresAt), status: 'active',
    attributes: { client_name: k.clientName ?? null, idle_window: k.tokenWindow ?? null, last_updated: d(k.lastUpdated)?.toISOString() ?? null,
      user_id: k.userId ?? null, network: { connection: k.network?.connection ?? null, include: k.network?.include ?? [], exclude: k.network?.exclude ?? [] },
      network_anywhere: anywhere },
  };
}

export function serviceAppIdentity(t: string, a: App, ownApps: RegExp[], consentedBy: string | null): IdentityInput {
  const own = isOwnApp(a, ownApps);
  const integration: IntegrationFacts = {
    app_id: clientIdOf(a), kind: 'service_app', publisher: null, verified_publisher: null, third_party: !own, multi_tenant: null, consented_by: consentedBy,
  };
  return {
    ref: ref.app(t, a.id), kind: 'app', name: a.label, human: false, created_at: d(a.created), last_used_known: false,
    disabled: a.status !== 'ACTIVE',
    attributes: { integration, third_party_basis: own ? 'own_apps option' : 'not listed in own_apps', app_id: a.id, client_id: clientIdOf(a),
      status: a.status ?? null, grant_types: a.settings?.oauthClient?.grant_types ?? [],
      client_auth_method: a.credentials?.oauthClient?.token_endpoint_auth_method ?? null },
  };
}

export function scopeEntitlement(t: string, a: App, g: Grant, consentedBy: string | null): EntitlementInput {
  const j = scopeLevel(g.scopeId);
  const scope: ScopeFacts = { tenant_wide: j.tenant_wide, consent: g.source === 'END_USER' ? 'user' : 'admin', consented_by: consentedBy };
  return {
    ref: ref.grant(t, a.id, g.id), identity_ref: ref.app(t, a.id), identity_name: a.label, resource_ref: ref.org(t), permission: g.scopeId,
    level: j.level, privileged: j.privileged, via: 'direct',
    attributes: { scope, grant_id: g.id, issuer: g.issuer ?? null, created: d(g.created)?.toISOString() ?? null, created_by: g.createdBy?.id ?? null },
  };
}

export function roleEntitlement(t: string, a: App, r: Role): EntitlementInput {
  const custom = r.type === 'CUSTOM';
  const resourceSet = r['resource-set'] ?? r.resourceSet;
  const { level, privileged } = roleLevel(r.type);
  return {
    ref: ref.role(t, a.id, r.id), identity_ref: ref.app(t, a.id), identity_name: a.label,
    resource_ref: custom && resourceSet ? `${ref.org(t)}/resource-sets/${resourceSet}` : ref.org(t),
    permission: custom ? `CUSTOM:${r.role ?? r.label ?? r.id}` : r.type, level, privileged, via: 'direct',
    attributes: { admin_role: true, role_label: r.label ?? null, assignment_id: r.id, status: r.status ?? null, ...(custom ? { custom_role: r.role ?? null, resource_set: resourceSet ?? null } : {}) },
  };
}

export function clientSecretCredential(t: string, a: App, s: Secret): CredentialInput {
  return {
    ref: ref.secret(t, a.id, s.id), kind: 'client_secret', name: `${a.label} secret ${s.id}`, identity_ref: ref.app(t, a.id), created_at: d(s.created),
    last_used_known: false, expires_at: null, expiry_supported: false, status: s.status === 'INACTIVE' ? 'inactive' : 'active',
    // The hash identifies the secret without revealing it; the value Okta also lists is never kept.
    fingerprint: s.secret_hash ?? null,
    attributes: { secret_id: s.id, app_id: a.id, last_updated: d(s.lastUpdated)?.toISOString() ?? null },
  };
}

export function jwkCredential(t: string, a: App, k: Jwk): CredentialInput {
  const id = k.id ?? k.kid ?? 'unknown';
  return {
    ref: ref.jwk(t, a.id, id), kind: 'app_key', name: `${a.label} key ${k.kid ?? id}`, identity_ref: ref.app(t, a.id), created_at: d(k.created),
    last_used_known: false, expires_at: null, expiry_supported: false, status: k.status === 'INACTIVE' ? 'inactive' : 'active', fingerprint: k.kid ?? null,
    attributes: { key_id: id, kid: k.kid ?? null, kty: k.kty ?? null, alg: k.alg ?? null, use: k.use ?? null },
  };
}
