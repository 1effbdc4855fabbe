// GCP → canonical model. Pure functions: members to identities, roles to levels, conditions to expiries, deny rules
// to subtracted permissions, keys and secrets to credentials. Provider knowledge stops here; rules read the result.
import type { CredentialInput, IdentityInput, Level } from '../../model/index.js';

// ---------- identities ----------

/** A service account's resource name, derived from its email so member strings and listings agree on one ref. */
export function saRef(email: string): string {
  const m = /^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(email);
  // Google-managed and default accounts (…@developer.gserviceaccount.com, service-N@gcp-sa-…) name no project in
  // their domain: the API accepts '-' for the project there.
  return `projects/${m ? m[1] : '-'}/serviceAccounts/${email}`;
}

export const projectRef = (projectId: string) => `//cloudresourcemanager.googleapis.com/projects/${projectId}`;
export const nodeRef = (node: string) => `//cloudresourcemanager.googleapis.com/${node}`;

export type MemberType = 'user' | 'serviceAccount' | 'group' | 'domain' | 'public' | 'principal' | 'principalSet' | 'convenience';

export interface MemberIdentity extends IdentityInput { memberType: MemberType }

/**
 * Google-managed service agents (created and granted by Google when an API is enabled; their roles are the service's
 * own): service-PROJECT_NUMBER@SERVICE.iam.gserviceaccount.com (also service-org-/service-folder-), and the Google APIs
 * agent PROJECT_NUMBER@cloudservices.gserviceaccount.com. Default service accounts (…-compute@developer…,
 * …@appspot…, …@cloudbuild…) are customer-managed and judged like any other.
 */
export function isServiceAgent(email: string): boolean {
  return /^service-(?:org-|folder-)?\d+@[a-z0-9-]+\.iam\.gserviceaccount\.com$/i.test(email) || /^\d+@cloudservices\.gserviceaccount\.com$/i.test(email);
}

/** The identity a binding member names; every member kind maps, none is dropped. */
export function memberIdentity(member: string): MemberIdentity {
  let m = member;
  let deleted = false;
  if (m.startsWith('deleted:')) { deleted = true; m = m.slice('deleted:'.length).replace(/\?uid=\d+$/, ''); }
  const attrs = (extra: Record<string, unknown> = {}) => ({ member, ...(deleted ? { deleted: true } : {}), ...extra });
  if (m === 'allUsers' || m === 'allAuthenticatedUsers') {
    return { memberType: 'public', ref: m, kind: 'public', name: m, human: null, attributes: attrs({ public: true }) };
  }
  const colon = m.indexOf(':');
  const type = colon > 0 ? m.slice(0, colon) : '';
  const value = colon > 0 ? m.slice(colon + 1) : m;
  switch (type) {
    case 'user':
      return { memberType: 'user', ref: `user:${value}`, kind: 'user', name: value, login: value, human: true, attributes: attrs() };
    case 'serviceAccount':
      return { memberType: 'serviceAccount', ref: saRef(value), kind: 'service_account', name: value, login: value, human: false,
        provider_managed: isServiceAgent(value), attributes: attrs(isServiceAgent(value) ? { service_agent: true } : {}) };
    case 'group':
      return { memberType: 'group', ref: `group:${value}`, kind: 'group', name: value, human: null, attributes: attrs() };
    case 'domain':
      return { memberType: 'domain', ref: `domain:${value}`, kind: 'group', name: value, human: null, attributes: attrs({ domain: true }) };
    case 'principal':
      // Workload identity federation: one external subject.
      return { memberType: 'principal', ref: m, kind: 'workload', name: value.split('/').slice(-1)[0] ?? value, human: false, attributes: attrs() };
    case 'principalSet':
      return { memberType: 'principalSet', ref: m, kind: 'workload', name: value.split('/').slice(-2).join('/'), human: false, attributes: attrs({ set: true }) };
    case 'projectOwner': case 'projectEditor': case 'projectViewer':
      // Convenience values (legacy bucket ACLs): everyone holding that basic role on the project.
      return { memberType: 'convenience', ref: m, kind: 'group', name: m, human: null, attributes: attrs() };
    default:
      return { memberType: 'principal', ref: m, kind: 'workload', name: m, human: null, attributes: attrs({ unrecognised: true }) };
  }
}

// ---------- roles and levels ----------

const ADMIN_PERMS = [
  /\.setIamPolicy$/, /^iam\.serviceAccountKeys\.create$/, /^iam\.serviceAccounts\.(getAccessToken|signBlob|signJwt|implicitDelegation|actAs|getOpenIdToken)$/,
  /^iam\.roles\.(create|update)$/, /^iam\.denypolicies\.(create|update|delete)$/, /^orgpolicy\.policy\.set$/,
  /^iam\.workloadIdentityPool(s|Providers)\.(create|update)$/,
];
/** Exposes a secret or decrypts data: privileged even though the verb reads. */
const SECRET_PERMS = [/^secretmanager\.versions\.access$/, /^cloudkms\.cryptoKeyVersions\.useToDecrypt$/, /^iam\.serviceAccountKeys\.get$/];
const READ_VERBS = new Set(['get', 'list', 'getIamPolicy', 'search', 'query', 'access', 'read', 'getMetadata', 'connect', 'view', 'useReadOnly']);

const BASIC: Record<string, Level> = { 'roles/owner': 'owner', 'roles/editor': 'write', 'roles/viewer': 'read', 'roles/browser': 'read' };

export interface RoleMapping { level: Level; privileged: boolean }

/** Level and privilege of a role from its effective permissions (null when the definition could not be read). */
export function mapRole(role: string, perms: string[] | null): RoleMapping {
  if (role in BASIC) {
    const level = BASIC[role]!;
    // Owner and editor can create service-account keys and act as any service account in the project.
    const privileged = level === 'owner' || level === 'write' || (perms ?? []).some((p) => SECRET_PERMS.some((r) => r.test(p)) || ADMIN_PERMS.some((r) => r.test(p)));
    return { level, privileged };
  }
  if (perms === null) {
    // Unknown definition: read the name the way people do, and err towards more access, never less.
    const level: Level = /admin|owner/i.test(role) ? 'admin' : /viewer|reader|browser/i.test(role) ? 'read' : 'write';
    return { level, privileged: level === 'admin' || /secretAccessor|tokenCreator|keyAdmin/i.test(role) };
  }
  if (perms.length === 0) return { level: 'none', privileged: false };
  const admin = perms.some((p) => ADMIN_PERMS.some((r) => r.test(p)));
  const secret = perms.some((p) => SECRET_PERMS.some((r) => r.test(p)));
  const write = perms.some((p) => !READ_VERBS.has(p.split('.').pop() ?? ''));
  const level: Level = admin ? 'admin' : write ? 'write' : 'read';
  return { level, privileged: admin || secret };
}

export const isBasicRole = (role: string) => role in BASIC;

// ---------- conditions ----------

export interface ConditionInfo { expiresAt: Date | null; timeBound: boolean }

/** `request.time < timestamp("…")` bounds a binding in time; anything ORed with it does not. */
export function conditionExpiry(expression: string | undefined | null): ConditionInfo {
  if (!expression) return { expiresAt: null, timeBound: false };
  const re = /request\.time\s*<=?\s*timestamp\(\s*["']([^"']+)["']\s*\)/g;
  let min: Date | null = null;
  for (let m = re.exec(expression); m; m = re.exec(expression)) {
    const d = new Date(m[1]!);
    if (!Number.isNaN(d.getTime()) && (!min || d < min)) min = d;
  }
  if (!min) return { expiresAt: null, timeBound: false };
  if (expression.includes('||')) return { expiresAt: null, timeBound: false };
  return { expiresAt: min, timeBound: true };
}

// ---------- deny policies ----------

export interface DenyRuleInput {
  policy: string;
  deniedPrincipals: string[];
  exceptionPrincipals: string[];
  deniedPermissions: string[];
  exceptionPermissions: string[];
  conditional: boolean;
}

/** Whether a v2 principal identifier names this v1 binding member. Group membership cannot be expanded here. */
export function principalMatches(principal: string, member: string): boolean {
  const bare = member.replace(/^deleted:/, '').replace(/\?uid=\d+$/, '');
  if (principal === 'principalSet://goog/public:all') return true;
  let m: RegExpExecArray | null;
  if ((m = /^principal:\/\/goog\/subject\/(.+)$/.exec(principal))) return bare === `user:${m[1]}`;
  if ((m = /^principal:\/\/iam\.googleapis\.com\/projects\/-\/serviceAccounts\/(.+)$/.exec(principal))) return bare === `serviceAccount:${m[1]}`;
  if ((m = /^principalSet:\/\/goog\/group\/(.+)$/.exec(principal))) return bare === `group:${m[1]}`;
  return bare === principal || bare === `principal:${principal.replace(/^principal:/, '')}`;
}

const SERVICE_ALIASES: Record<string, string> = { cloudresourcemanager: 'resourcemanager' };

/** `secretmanager.googleapis.com/versions.access` (v2) → `secretmanager.versions.access` (v1), as a glob. */
export function v1PermissionPattern(v2: string): RegExp {
  const m = /^([a-z0-9-]+)\.googleapis\.com\/(.+)$/.exec(v2);
  const v1 = m ? `${SERVICE_ALIASES[m[1]!] ?? m[1]}.${m[2]}` : v2;
  return new RegExp(`^${v1.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export interface DenyOutcome { denied: string[]; remaining: string[]; policies: string[]; conditional: string[] }

/** Permissions of a role that deny rules take away from this member. Conditional denials are recorded, not applied. */
export function applyDeny(member: string, perms: string[], rules: DenyRuleInput[]): DenyOutcome {
  const denied = new Set<string>();
  const policies = new Set<string>();
  const conditional = new Set<string>();
  for (const r of rules) {
    if (!r.deniedPrincipals.some((p) => principalMatches(p, member))) continue;
    if (r.exceptionPrincipals.some((p) => principalMatches(p, member))) continue;
    const deny = r.deniedPermissions.map(v1PermissionPattern);
    const except = r.exceptionPermissions.map(v1PermissionPattern);
    for (const p of perms) {
      if (!deny.some((re) => re.test(p)) || except.some((re) => re.test(p))) continue;
      if (r.conditional) { conditional.add(p); continue; }
      denied.add(p);
      policies.add(r.policy);
    }
  }
  return { denied: [...denied].sort(), remaining: perms.filter((p) => !denied.has(p)), policies: [...policies].sort(), conditional: [...conditional].sort() };
}

// ---------- keys ----------

export interface KeyInput {
  name: string; validAfterTime?: string | null; validBeforeTime?: string | null; keyType?: string | null; keyOrigin?: string | null;
  keyAlgorithm?: string | null; disabled?: boolean | null; disableReason?: string | null; extendedStatus?: { key?: string | null; value?: string | null }[] | null;
}

/** 9999-12-31 is how GCP writes "never expires". */
export function keyExpiry(validBefore: string | null | undefined): Date | null {
  if (!validBefore) return null;
  const d = new Date(validBefore);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() >= 9999) return null;
  return d;
}

export function keyLeakSignal(k: KeyInput): string | null {
  for (const s of k.extendedStatus ?? []) {
    if (s.key && /EXPOSED|COMPROMISE/.test(s.key)) return `gcp:${s.key}${s.value ? ` ${s.value}` : ''}`;
  }
  if (k.disableReason && /EXPOSED|COMPROMISE/.test(k.disableReason)) return `gcp:${k.disableReason}`;
  return null;
}

export function keyCredential(k: KeyInput, identityRef: string, now: Date, lastUsed: { at: Date | null; known: boolean }): CredentialInput {
  const expires = keyExpiry(k.validBeforeTime);
  const id = k.name.split('/').pop() ?? k.name;
  const status = k.disabled ? 'inactive' : expires && expires <= now ? 'expired' : 'active';
  return {
    ref: k.name, kind: 'sa_key', name: id, identity_ref: identityRef,
    created_at: k.validAfterTime ? new Date(k.validAfterTime) : null, expires_at: expires, expiry_supported: true,
    last_used_at: lastUsed.at, last_used_known: lastUsed.known, status, leak_signal: keyLeakSignal(k), fingerprint: id,
    attributes: {
      key_type: k.keyType ?? null, key_origin: k.keyOrigin ?? null, key_algorithm: k.keyAlgorithm ?? null,
      valid_before: k.validBeforeTime ?? null, disabled: !!k.disabled, disable_reason: k.disableReason ?? null,
      extended_status: (k.extendedStatus ?? []).map((s) => ({ key: s.key ?? null, value: s.value ?? null })),
    },
  };
}

// ---------- secrets ----------

export interface VersionInput { name: string; state: string; createTime: Date | null; destroyTime: Date | null; etag?: string | null }
export interface SecretInput {
  name: string; createTime: Date | null; expireTime: Date | null; labels: Record<string, string>;
  replication: Record<string, unknown> | null; rotation: { nextRotationTime: Date | null; rotationPeriod: string | null } | null;
  topics: string[]; etag?: string | null;
}

/** Label keys that name an owner (labels cannot hold '@', so they carry a person id or a team). */
const OWNER_LABELS = ['owner', 'owner-id', 'owned-by', 'contact', 'team'];

/** A secret as a stored_secret: rotated when a version was added, never read (Secret Manager records no access time). */
export function secretCredential(s: SecretInput, versions: VersionInput[], versionsComplete: boolean, now: Date): CredentialInput {
  const live = versions.filter((v) => v.state === 'ENABLED');
  const newest = versions.reduce<Date | null>((acc, v) => (v.createTime && (!acc || v.createTime > acc) ? v.createTime : acc), null);
  const ownerKey = OWNER_LABELS.find((k) => s.labels[k]);
  const expired = s.expireTime !== null && s.expireTime <= now;
  return {
    ref: s.name, kind: 'stored_secret', name: s.name.split('/').pop() ?? s.name,
    owner: ownerKey ? s.labels[ownerKey]! : null,
    created_at: s.createTime, expires_at: s.expireTime, expiry_supported: true,
    // A new version is how a Secret Manager secret is rotated; with one version this equals creation.
    last_rotated_at: newest,
    last_used_at: null, last_used_known: false,
    status: expired ? 'expired' : live.length ? 'active' : 'inactive',
    attributes: {
      labels: s.labels, owner_label: ownerKey ?? null, replication: s.replication,
      rotation: s.rotation ? { next_rotation_time: s.rotation.nextRotationTime?.toISOString() ?? null, rotation_period: s.rotation.rotationPeriod } : null,
      rotation_configured: !!s.rotation?.rotationPeriod || !!s.rotation?.nextRotationTime,
      topics: s.topics, etag: s.etag ?? null,
      version_count: versions.length, enabled_versions: live.length, versions_complete: versionsComplete,
      versions: versions.slice(0, 50).map((v) => ({
        name: v.name, state: v.state, create_time: v.createTime?.toISOString() ?? null, destroy_time: v.destroyTime?.toISOString() ?? null,
      })),
    },
  };
}

/** gax returns proto Timestamps as {seconds, nanos}; REST as RFC 3339 strings. */
export function tsOf(v: unknown): Date | null {
  if (!v) return null;
  if (typeof v === 'string') { const d = new Date(v); return Number.isNaN(d.getTime()) ? null : d; }
  if (typeof v === 'object' && v !== null && 'seconds' in v) {
    const o = v as { seconds?: string | number | null; nanos?: number | null };
    if (o.seconds === null || o.seconds === undefined) return null;
    return new Date(Number(o.seconds) * 1000 + Math.floor((o.nanos ?? 0) / 1e6));
  }
  return null;
}

/** gax Durations ({seconds}) as the REST form "7776000s". */
export function durationOf(v: unknown): string | null {
  if (!v) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && 'seconds' in v) {
    const s = (v as { seconds?: string | number | null }).seconds;
    return s === null || s === undefined ? null : `${Number(s)}s`;
  }
  return null;
}
