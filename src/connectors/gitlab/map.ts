// GitLab payloads → canonical records. All provider knowledge of roles, scopes, levels and refs lives here.
// Refs use GitLab's own separator: `gitlab:<full path>` is a group or project, `gitlab:<full path>/-/<kind>/<id>` is
// something inside it (`gitlab:acme/web/-/project_access_token/12`); people and bots are per tenant:
// `gitlab:<top-level group>/-/user/<username>`.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseDate, type CredentialInput, type EntitlementInput, type IdentityInput, type Level } from '../../model/index.js';

export function d(v: string | null | undefined): Date | null {
  const x = parseDate(v);
  return x instanceof Date ? x : null;
}

export const ref = {
  resource: (fullPath: string) => `gitlab:${fullPath}`,
  user: (tenant: string, username: string) => `gitlab:${tenant}/-/user/${username}`,
  member: (fullPath: string, username: string) => `gitlab:${fullPath}/-/member/${username}`,
  accessToken: (kind: 'group' | 'project', fullPath: string, id: number) => `gitlab:${fullPath}/-/${kind}_access_token/${id}`,
  pat: (tenant: string, id: number) => `gitlab:${tenant}/-/personal_access_token/${id}`,
  deployToken: (kind: 'group' | 'project', fullPath: string, id: number) => `gitlab:${fullPath}/-/${kind}_deploy_token/${id}`,
  deployKey: (fullPath: string, id: number) => `gitlab:${fullPath}/-/deploy_key/${id}`,
  variable: (kind: 'group' | 'project', fullPath: string, key: string, scope: string) =>
    `gitlab:${fullPath}/-/${kind}_variable/${key}${scope === '*' ? '' : `/${encodeURIComponent(scope)}`}`,
};

export type ParsedRef =
  | { type: 'group_access_token' | 'project_access_token' | 'group_deploy_token' | 'project_deploy_token' | 'deploy_key'; path: string; id: number }
  | { type: 'personal_access_token'; path: string; id: number };

/** Parses a ref remediation may act on; null for any other. */
export function parseRef(r: string): ParsedRef | null {
  const m = /^gitlab:(.+?)\/-\/(group_access_token|project_access_token|group_deploy_token|project_deploy_token|deploy_key|personal_access_token)\/(\d+)$/.exec(r);
  if (!m) return null;
  return { type: m[2] as ParsedRef['type'], path: m[1]!, id: Number(m[3]) } as ParsedRef;
}

// --- payloads (parsed with zod; unknown fields are dropped, so a variable's `value` cannot pass even if present) ----
const Str = z.string();
const NullStr = z.string().nullable().optional().transform((v) => v ?? null);
export const Member = z.object({ id: z.number(), username: Str, name: Str.optional(), state: Str.optional(), access_level: z.number(),
  expires_at: NullStr, created_at: NullStr });
export type Member = z.infer<typeof Member>;
export const Group = z.object({ id: z.number(), full_path: Str, parent_id: z.number().nullable().optional() });
export type Group = z.infer<typeof Group>;
export const Project = z.object({ id: z.number(), path_with_namespace: Str, archived: z.boolean().optional() });
export type Project = z.infer<typeof Project>;
export const AccessToken = z.object({ id: z.number(), name: Str, description: NullStr, scopes: z.array(Str), user_id: z.number(), created_at: NullStr,
  last_used_at: NullStr, expires_at: NullStr, active: z.boolean(), revoked: z.boolean(), access_level: z.number().optional() });
export type AccessToken = z.infer<typeof AccessToken>;
export const DeployToken = z.object({ id: z.number(), name: Str, username: Str, expires_at: NullStr, scopes: z.array(Str), revoked: z.boolean().optional(), expired: z.boolean().optional() });
export type DeployToken = z.infer<typeof DeployToken>;
export const DeployKey = z.object({ id: z.number(), title: Str, key: Str, created_at: NullStr, expires_at: NullStr, can_push: z.boolean().optional(),
  fingerprint_sha256: NullStr });
export type DeployKey = z.infer<typeof DeployKey>;
/** CI/CD variable metadata. `value` is not a field here: it never enters a record. */
export const Variable = z.object({ key: Str, variable_type: Str.optional(), protected: z.boolean().optional(), masked: z.boolean().optional(),
  hidden: z.boolean().optional(), raw: z.boolean().optional(), environment_scope: Str.optional(), description: NullStr });
export type Variable = z.infer<typeof Variable>;

// --- levels ------------------------------------------------------------------------------------------------------
export const ROLE: Record<number, string> = { 0: 'no_access', 5: 'minimal_access', 10: 'guest', 15: 'planner', 20: 'reporter', 30: 'developer', 40: 'maintainer', 50: 'owner' };

/** Guest/Planner/Reporter → read, Developer → write, Maintainer → admin, Owner → owner; Minimal access → none. */
export function roleLevel(accessLevel: number): Level {
  if (accessLevel >= 50) return 'owner';
  if (accessLevel >= 40) return 'admin';
  if (accessLevel >= 30) return 'write';
  if (accessLevel >= 10) return 'read';
  return 'none';
}

/** The most a token's scopes allow: `api`/`sudo`/`admin_mode` are full API access, write_* scopes write, read_* read. */
export function scopeLevel(scopes: string[]): Level {
  if (scopes.some((s) => s === 'api' || s === 'sudo' || s === 'admin_mode')) return 'owner';
  if (scopes.some((s) => /^write_|^create_runner$|^manage_runner$|^k8s_proxy$|^ai_features$/.test(s))) return 'write';
  if (scopes.length) return 'read';
  return 'none';
}

const RANK: Level[] = ['none', 'read', 'write', 'admin', 'owner'];
const minLevel = (a: Level, b: Level): Level => RANK[Math.min(RANK.indexOf(a), RANK.indexOf(b))]!;

/** GitLab's bot users (one per project/group access token): project_<id>_bot_<hash>, group_<id>_bot_<hash>. */
export const BOT_USERNAME = /^(project|group)_\d+_bot(_[0-9a-f]+)?$/;

// --- records -----------------------------------------------------------------------------------------------------
export function userIdentity(tenant: string, u: { username: string; name?: string; state?: string; id: number }): IdentityInput {
  const bot = BOT_USERNAME.test(u.username);
  return { ref: ref.user(tenant, u.username), kind: bot ? 'bot' : 'user', name: u.username, login: u.username, human: !bot, last_used_known: false,
    disabled: u.state !== undefined && u.state !== 'active', attributes: { user_id: u.id, display_name: u.name ?? null, state: u.state ?? null, ...(bot ? { access_token_bot: true } : {}) } };
}

export function memberEntitlement(tenant: string, fullPath: string, kind: 'group' | 'project', m: Member, via: 'direct' | 'inherited'): EntitlementInput {
  const level = roleLevel(m.access_level);
  return { ref: ref.member(fullPath, m.username), identity_ref: ref.user(tenant, m.username), identity_name: m.username, resource_ref: ref.resource(fullPath),
    permission: ROLE[m.access_level] ?? `access_level_${m.access_level}`, level, privileged: level === 'admin' || level === 'owner', via,
    expires_at: d(m.expires_at), attributes: { access_level: m.access_level, resource_kind: kind } };
}

function tokenStatus(t: { revoked?: boolean; active?: boolean; expires_at: string | null; expired?: boolean }, now: Date): 'active' | 'revoked' | 'expired' | 'inactive' {
  if (t.revoked) return 'revoked';
  const exp = d(t.expires_at);
  if (t.expired || (exp && exp.getTime() <= now.getTime())) return 'expired';
  return t.active === false ? 'inactive' : 'active';
}

export function accessTokenRecords(tenant: string, kind: 'group' | 'project', fullPath: string, t: AccessToken, bot: string | null, now: Date): { credential: CredentialInput; entitlement: EntitlementInput } {
  const r = ref.accessToken(kind, fullPath, t.id);
  const holder = ref.user(tenant, bot ?? `${kind}_bot_user_${t.user_id}`);
  const status = tokenStatus(t, now);
  const level = minLevel(roleLevel(t.access_level ?? 0), scopeLevel(t.scopes));
  return {
    // The token's principal is its bot user (GitLab creates one per token); the bot's membership is its role.
    credential: { ref: r, kind: 'access_token', name: t.name, identity_ref: holder, created_at: d(t.created_at), last_used_at: d(t.last_used_at), expires_at: d(t.expires_at),
      status, attributes: { scopes: t.scopes, access_level: t.access_level ?? null, role: ROLE[t.access_level ?? -1] ?? null, resource_kind: kind, resource: fullPath,
        token_id: t.id, bot_user_id: t.user_id, description: t.description } },
    entitlement: { ref: `${r}/scopes`, identity_ref: holder, identity_name: bot ?? t.name, resource_ref: ref.resource(fullPath), permission: `scopes:${[...t.scopes].sort().join(',')}`,
      level, privileged: level === 'admin' || level === 'owner', via: 'direct', expires_at: d(t.expires_at), last_used_at: d(t.last_used_at),
      attributes: { token_ref: r, access_level: t.access_level ?? null, active: status === 'active' } },
  };
}

export function patCredential(tenant: string, t: AccessToken, username: string, now: Date, listedBy: 'instance' | 'enterprise'): CredentialInput {
  return { ref: ref.pat(tenant, t.id), kind: 'pat', name: t.name, identity_ref: ref.user(tenant, username), created_by: username, owner: username,
    created_at: d(t.created_at), last_used_at: d(t.last_used_at), expires_at: d(t.expires_at), status: tokenStatus(t, now),
    attributes: { scopes: t.scopes, user_id: t.user_id, token_id: t.id, listed_by: listedBy, description: t.description } };
}

export function deployTokenRecords(kind: 'group' | 'project', fullPath: string, t: DeployToken, now: Date): { identity: IdentityInput; credential: CredentialInput; entitlement: EntitlementInput } {
  const r = ref.deployToken(kind, fullPath, t.id);
  const status = tokenStatus({ ...t, active: true }, now);
  const level: Level = t.scopes.some((s) => s.startsWith('write_')) ? 'write' : 'read';
  return {
    // A deploy token is its own principal (username gitlab+deploy-token-N); GitLab gives no creation or use time.
    identity: { ref: r, kind: 'service_account', name: `${fullPath}: ${t.name}`, login: t.username, human: false, last_used_known: false, disabled: status !== 'active',
      attributes: { deploy_token: true, resource: fullPath, resource_kind: kind } },
    credential: { ref: r, kind: 'deploy_token', name: t.name, identity_ref: r, expires_at: d(t.expires_at), last_used_known: false, status,
      attributes: { scopes: t.scopes, username: t.username, resource: fullPath, resource_kind: kind, token_id: t.id } },
    entitlement: { ref: `${r}/access`, identity_ref: r, identity_name: t.name, resource_ref: ref.resource(fullPath), permission: `scopes:${[...t.scopes].sort().join(',')}`,
      level, privileged: false, via: 'direct', expires_at: d(t.expires_at) },
  };
}

/** OpenSSH SHA256 fingerprint of a public key line: metadata, never a secret. */
export function sshFingerprint(key: string): string | null {
  const blob = key.trim().split(/\s+/)[1];
  if (!blob) return null;
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

export function deployKeyRecords(fullPath: string, k: DeployKey, now: Date): { identity: IdentityInput; credential: CredentialInput; entitlement: EntitlementInput } {
  const r = ref.deployKey(fullPath, k.id);
  const exp = d(k.expires_at);
  const active = !exp || exp.getTime() > now.getTime();
  const level: Level = k.can_push ? 'write' : 'read';
  return {
    identity: { ref: r, kind: 'service_account', name: `${fullPath}: ${k.title}`, human: false, created_at: d(k.created_at), last_used_known: false, disabled: !active,
      attributes: { deploy_key: true, resource: fullPath } },
    // GitLab keeps no last-use time for deploy keys, and who added one is not in the project API: unknown, not never.
    credential: { ref: r, kind: 'deploy_key', name: k.title, identity_ref: r, created_at: d(k.created_at), last_used_known: false, expires_at: exp,
      status: active ? 'active' : 'expired', fingerprint: k.fingerprint_sha256 ?? sshFingerprint(k.key),
      attributes: { can_push: !!k.can_push, resource: fullPath, key_id: k.id } },
    entitlement: { ref: `${r}/access`, identity_ref: r, identity_name: k.title, resource_ref: ref.resource(fullPath), permission: k.can_push ? 'can_push' : 'read_only',
      level, privileged: false, via: 'direct', expires_at: exp },
  };
}

export function variableRecords(kind: 'group' | 'project', fullPath: string, v: Variable): { credential: CredentialInput; entitlement: EntitlementInput } {
  const scope = v.environment_scope ?? '*';
  const r = ref.variable(kind, fullPath, v.key, scope);
  return {
    // Metadata only: GitLab records no dates, holder or use for a variable. `ci.pipeline` names whose pipelines read it.
    credential: { ref: r, kind: 'stored_secret', name: v.key, last_used_known: false, expiry_supported: false,
      attributes: { scope: kind, resource: fullPath, variable_type: v.variable_type ?? 'env_var', protected: v.protected ?? false, masked: v.masked ?? false,
        hidden: v.hidden ?? false, raw: v.raw ?? false, environment_scope: scope, ci: { pipeline: fullPath } } },
    entitlement: { ref: `${r}/exposure`, identity_ref: r, identity_name: v.key, resource_ref: ref.resource(fullPath), permission: 'ci_variable', level: 'read', privileged: false,
      via: 'direct', attributes: { environment_scope: scope, protected: v.protected ?? false } },
  };
}
