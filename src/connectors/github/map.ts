// GitHub payloads → canonical records. All provider knowledge of levels, privilege and refs lives here.
import { createHash } from 'node:crypto';
import { parseDate, type CredentialInput, type EntitlementInput, type IdentityInput, type Level, type MintFacts } from '../../model/index.js';
import { GITHUB_REPOSITORY_CLAIMS } from '../ci-cloud.js';

/** GitHub timestamps (ISO 8601) to Dates; an unparseable one is kept out rather than guessed. */
export function d(v: string | null | undefined): Date | null {
  const x = parseDate(v);
  return x instanceof Date ? x : null;
}

// --- refs (stable, provider-native; remediation parses them back with parseRef) ----------------------------------
export const ref = {
  org: (org: string) => `github:${org}`,
  repo: (org: string, repo: string) => `github:${org}/${repo}`,
  user: (org: string, login: string) => `github:${org}/user/${login}`,
  team: (org: string, slug: string) => `github:${org}/team/${slug}`,
  invitation: (org: string, id: number) => `github:${org}/invitation/${id}`,
  member: (org: string, login: string) => `github:${org}/member/${login}`,
  orgRole: (org: string, roleId: number, kind: 'user' | 'team', who: string) => `github:${org}/org_role/${roleId}/${kind}/${who}`,
  collaborator: (org: string, repo: string, login: string) => `github:${org}/${repo}/collaborator/${login}`,
  teamRepo: (org: string, repo: string, slug: string) => `github:${org}/${repo}/team/${slug}`,
  teamMemberRepo: (org: string, repo: string, slug: string, login: string) => `github:${org}/${repo}/team/${slug}/member/${login}`,
  deployKey: (org: string, repo: string, id: number) => `github:${org}/${repo}/deploy_key/${id}`,
  orgSecret: (org: string, name: string) => `github:${org}/secret/${name}`,
  repoSecret: (org: string, repo: string, name: string) => `github:${org}/${repo}/secret/${name}`,
  envSecret: (org: string, repo: string, env: string, name: string) => `github:${org}/${repo}/env/${encodeURIComponent(env)}/secret/${name}`,
  installation: (org: string, id: number) => `github:${org}/app_installation/${id}`,
  pat: (org: string, id: number) => `github:${org}/fine_grained_pat/${id}`,
  credAuth: (org: string, id: number) => `github:${org}/credential_authorization/${id}`,
  /** The repository's Actions workflows: who receives its GITHUB_TOKEN and presents its OIDC subject. */
  workflows: (org: string, repo: string) => `github:${org}/${repo}/workflows`,
};

export type ParsedRef =
  | { type: 'org'; org: string }
  | { type: 'repo'; org: string; repo: string }
  | { type: 'user'; org: string; login: string }
  | { type: 'collaborator'; org: string; repo: string; login: string }
  | { type: 'team_repo'; org: string; repo: string; slug: string }
  | { type: 'deploy_key'; org: string; repo: string; id: number }
  | { type: 'org_secret'; org: string; name: string }
  | { type: 'repo_secret'; org: string; repo: string; name: string }
  | { type: 'env_secret'; org: string; repo: string; env: string; name: string }
  | { type: 'fine_grained_pat'; org: string; id: number }
  | { type: 'credential_authorization'; org: string; id: number }
  | { type: 'app_installation'; org: string; id: number };

/** The inverse of `ref` for the refs remediation acts on; null for anything else. */
export function parseRef(r: string): ParsedRef | null {
  const m = /^github:([^/]+)(?:\/(.*))?$/.exec(r);
  if (!m) return null;
  const org = m[1]!;
  const rest = m[2];
  if (!rest) return { type: 'org', org };
  const p = rest.split('/');
  let x: RegExpExecArray | null;
  if (p[0] === 'user' && p.length === 2) return { type: 'user', org, login: p[1]! };
  if (p[0] === 'secret' && p.length === 2) return { type: 'org_secret', org, name: p[1]! };
  if (p[0] === 'fine_grained_pat' && p.length === 2 && /^\d+$/.test(p[1]!)) return { type: 'fine_grained_pat', org, id: Number(p[1]) };
  if (p[0] === 'credential_authorization' && p.length === 2 && /^\d+$/.test(p[1]!)) return { type: 'credential_authorization', org, id: Number(p[1]) };
  if (p[0] === 'app_installation' && p.length === 2 && /^\d+$/.test(p[1]!)) return { type: 'app_installation', org, id: Number(p[1]) };
  const repo = p[0]!;
  if (p.length === 1) return { type: 'repo', org, repo };
  if (p[1] === 'collaborator' && p.length === 3) return { type: 'collaborator', org, repo, login: p[2]! };
  if (p[1] === 'team' && p.length === 3) return { type: 'team_repo', org, repo, slug: p[2]! };
  if (p[1] === 'deploy_key' && (x = /^\d+$/.exec(p[2] ?? '')) && p.length === 3) return { type: 'deploy_key', org, repo, id: Number(x[0]) };
  if (p[1] === 'secret' && p.length === 3) return { type: 'repo_secret', org, repo, name: p[2]! };
  if (p[1] === 'env' && p[3] === 'secret' && p.length === 5) return { type: 'env_secret', org, repo, env: decodeURIComponent(p[2]!), name: p[4]! };
  return null;
}

// --- levels and privilege ------------------------------------------------------------------------------------
/** Repository roles: read/triage → read, write/maintain → write, admin → admin. Custom roles fall back to their flags. */
export function repoLevel(roleName: string | undefined, perms?: Record<string, boolean>): Level {
  switch (roleName) {
    case 'read': case 'pull': case 'triage': return 'read';
    case 'write': case 'push': case 'maintain': return 'write';
    case 'admin': return 'admin';
  }
  if (perms?.admin) return 'admin';
  if (perms?.push || perms?.maintain) return 'write';
  return 'read';
}

/** Permissions that manage access or expose secrets: privileged whatever their level. */
const PRIVILEGED_PERMS = /^(administration|organization_administration|members|secrets|organization_secrets|environments|actions_variables|organization_personal_access_tokens|organization_personal_access_token_requests|organization_user_blocking|organization_custom_roles|organization_custom_org_roles|workflows|organization_self_hosted_runners)$/;

/** Level of a fine-grained permission set ({contents: 'write', ...}): administration write → admin. */
export function permissionSetLevel(perms: Record<string, string>): { level: Level; privileged: boolean } {
  let level: Level = 'read';
  let privileged = false;
  for (const [k, v] of Object.entries(perms)) {
    if (v === 'admin' || ((k === 'administration' || k === 'organization_administration') && v === 'write')) level = 'admin';
    else if (v === 'write' && level === 'read') level = 'write';
    if (PRIVILEGED_PERMS.test(k) && (v === 'write' || v === 'admin' || /secrets|environments/.test(k))) privileged = true;
  }
  if (level === 'admin') privileged = true;
  return { level, privileged };
}

/** Predefined organisation roles with their effect; custom roles use base_role and their permission names. */
export function orgRoleLevel(name: string, baseRole: string | null | undefined, permissions: string[]): { level: Level; privileged: boolean } {
  if (name === 'all_repo_admin') return { level: 'admin', privileged: true };
  const level: Level = baseRole ? repoLevel(baseRole) : /^all_repo_(write|maintain)$/.test(name) ? 'write' : 'read';
  const privileged = level === 'admin' || permissions.some((p) => /^(write|manage)_organization|secrets|_custom_|members|security_manager/.test(p)) || name === 'security_manager';
  return { level, privileged };
}

// --- small helpers -----------------------------------------------------------------------------------------
export function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
}

/** OpenSSH SHA256 fingerprint of a public key line ("ssh-ed25519 AAAA… comment"): metadata, never a secret. */
export function sshFingerprint(key: string): string | null {
  const blob = key.trim().split(/\s+/)[1];
  if (!blob) return null;
  try { return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`; } catch { return null; }
}

export interface UserFacts { login: string; type?: string; role?: 'admin' | 'member'; outside?: boolean }

export function userIdentity(org: string, u: UserFacts, machine: RegExp[]): IdentityInput {
  const isBot = u.type === 'Bot' || machine.some((re) => re.test(u.login));
  return {
    ref: ref.user(org, u.login), kind: u.type === 'Bot' ? 'bot' : isBot ? 'machine_user' : 'user', name: u.login, login: u.login,
    human: !isBot, last_used_known: false,
    attributes: { org_role: u.role ?? null, outside_collaborator: u.outside ?? false, type: u.type ?? 'User' },
  };
}

export function memberEntitlement(org: string, login: string, role: 'admin' | 'member', base: string | null): EntitlementInput {
  const level: Level = role === 'admin' ? 'owner' : base === 'admin' ? 'admin' : base === 'write' ? 'write' : 'read';
  return {
    ref: ref.member(org, login), identity_ref: ref.user(org, login), identity_name: login, resource_ref: ref.org(org),
    permission: role === 'admin' ? 'owner' : 'member', level, privileged: level === 'owner' || level === 'admin', via: 'direct',
    attributes: { default_repository_permission: base },
  };
}

export function collaboratorEntitlement(org: string, repo: string, c: { login: string; role_name?: string; permissions?: Record<string, boolean> }, outside: boolean): EntitlementInput {
  const level = repoLevel(c.role_name, c.permissions);
  return {
    ref: ref.collaborator(org, repo, c.login), identity_ref: ref.user(org, c.login), identity_name: c.login, resource_ref: ref.repo(org, repo),
    permission: c.role_name ?? level, level, privileged: level === 'admin', via: 'direct', attributes: { outside_collaborator: outside },
  };
}

export interface DeployKey { id: number; key: string; title: string; created_at: string; read_only: boolean; added_by?: string | null; last_used?: string | null; enabled?: boolean }

export function deployKeyRecords(org: string, repo: string, k: DeployKey): { identity: IdentityInput; credential: CredentialInput; entitlement: EntitlementInput } {
  const r = ref.deployKey(org, repo, k.id);
  const owner = k.added_by ?? null;
  const active = k.enabled !== false;
  return {
    // A deploy key is its own principal: identity and credential share the ref; its owner is whoever added it.
    identity: { ref: r, kind: 'service_account', name: `${repo}: ${k.title}`, human: false, owner, owner_source: owner ? 'creator' : null,
      created_at: d(k.created_at), last_used_at: d(k.last_used), disabled: !active, attributes: { deploy_key: true, repository: `${org}/${repo}` } },
    credential: { ref: r, kind: 'deploy_key', name: k.title, identity_ref: r, created_by: owner, owner, created_at: d(k.created_at),
      last_used_at: d(k.last_used), expires_at: null, expiry_supported: false, status: active ? 'active' : 'inactive',
      fingerprint: sshFingerprint(k.key), attributes: { read_only: k.read_only, repository: `${org}/${repo}`, key_id: k.id } },
    entitlement: { ref: `${r}/access`, identity_ref: r, identity_name: k.title, resource_ref: ref.repo(org, repo), permission: k.read_only ? 'read' : 'write',
      level: k.read_only ? 'read' : 'write', privileged: false, via: 'direct', last_used_at: d(k.last_used) },
  };
}

export interface Secret { name: string; created_at: string; updated_at: string }

export function secretCredential(r: string, s: Secret, attributes: Record<string, unknown>): CredentialInput {
  // Actions secrets have no expiry, no recorded holder and no usage data: "unknown", never "never used".
  return { ref: r, kind: 'stored_secret', name: s.name, created_at: d(s.created_at), last_rotated_at: d(s.updated_at), last_used_known: false,
    expiry_supported: false, attributes };
}

export function secretExposure(secretRef: string, name: string, org: string, repo: string, scope: string): EntitlementInput {
  return { ref: `${secretRef}/repo/${repo}`, identity_ref: secretRef, identity_name: name, resource_ref: ref.repo(org, repo),
    permission: 'actions_secret', level: 'read', privileged: false, via: 'direct', attributes: { scope } };
}

export interface PatGrant {
  id: number; owner: { login: string }; repository_selection: string; permissions: { organization?: Record<string, string>; repository?: Record<string, string>; other?: Record<string, string> };
  access_granted_at: string; token_id: number; token_name: string; token_expired: boolean; token_expires_at: string | null; token_last_used_at: string | null;
}

export function patCredential(org: string, p: PatGrant): CredentialInput {
  return {
    // The token holds its own entitlements (patEntitlement, identity_ref = the token): a finding on it is rated by
    // what the token can do, not by its owner's org role. The owner stays as created_by/owner (departed-person-access).
    ref: ref.pat(org, p.id), kind: 'fine_grained_pat', name: p.token_name, identity_ref: ref.pat(org, p.id), created_by: p.owner.login,
    owner: p.owner.login, created_at: d(p.access_granted_at), last_used_at: d(p.token_last_used_at), expires_at: d(p.token_expires_at),
    status: p.token_expired ? 'expired' : 'active',
    // The API gives no creation time of the token itself: access_granted_at (when the org granted it) is the earliest known.
    attributes: { token_id: p.token_id, repository_selection: p.repository_selection, permissions: p.permissions, created_at_is: 'access_granted_at', owner_ref: ref.user(org, p.owner.login) },
  };
}

export function patEntitlement(org: string, p: PatGrant, resource: string, scope: 'organization' | 'repository'): EntitlementInput {
  const perms = scope === 'organization' ? { ...p.permissions.organization } : { ...p.permissions.repository };
  const { level, privileged } = permissionSetLevel(perms);
  const r = ref.pat(org, p.id);
  return { ref: `${r}/${scope}/${resource.replace(/^github:/, '')}`, identity_ref: r, identity_name: p.token_name, resource_ref: resource,
    permission: Object.entries(perms).map(([k, v]) => `${k}:${v}`).sort().join(',') || 'metadata:read', level, privileged, via: 'direct',
    expires_at: d(p.token_expires_at), last_used_at: d(p.token_last_used_at), attributes: { owner: p.owner.login } };
}

export interface CredAuth {
  login: string; credential_id: number; credential_type: string; token_last_eight?: string; credential_authorized_at: string; scopes?: string[];
  fingerprint?: string; credential_accessed_at?: string | null; authorized_credential_id?: number | null; authorized_credential_title?: string | null;
  authorized_credential_note?: string | null; authorized_credential_expires_at?: string | null;
}

export function credAuthCredential(org: string, c: CredAuth): CredentialInput {
  const ssh = c.credential_type === 'SSH key';
  return {
    ref: ref.credAuth(org, c.credential_id), kind: ssh ? 'ssh_key' : c.credential_type === 'personal access token' ? 'pat' : 'oauth_authorization',
    name: c.authorized_credential_title ?? c.authorized_credential_note ?? `${c.credential_type} …${c.token_last_eight ?? ''}`,
    identity_ref: ref.user(org, c.login), created_by: c.login, owner: c.login, created_at: d(c.credential_authorized_at),
    last_used_at: d(c.credential_accessed_at), expires_at: d(c.authorized_credential_expires_at), expiry_supported: !ssh,
    fingerprint: c.fingerprint ?? (c.token_last_eight ? `last8:${c.token_last_eight}` : null),
    attributes: { credential_type: c.credential_type, scopes: c.scopes ?? [], authorized_credential_id: c.authorized_credential_id ?? null, saml_sso: true },
  };
}

/** The App behind an installation (GET /apps/{app_slug}); null when GitHub does not show it (a private App). */
export interface AppInfo { owner: string | null; owner_type: string | null; name: string | null }

/** Organisation-level App permissions reach the whole organisation, whatever the repository selection. */
const ORG_LEVEL_PERMS = /^(organization_.+|members)$/;

/**
 * A GitHub App installation as an integration (model IntegrationFacts): app_id is the App's slug (the name in
 * github.com/apps/<slug> that a register entry names); it is third-party when the App's owner is not the organisation.
 * A private App (GitHub answers 404 for it) can only be installed by its owner, so it counts as the organisation's own.
 * Each permission is a scope (ScopeFacts): tenant-wide when the App reaches all repositories or it is an
 * organisation-level permission; consent 'installation'. GitHub does not record who installed an App (only the audit
 * log does), nor whether its publisher is verified, so consented_by and verified_publisher stay null.
 */
export function installationRecords(org: string, i: { id: number; app_id: number; app_slug: string; repository_selection: string; permissions: Record<string, string>;
  created_at: string; updated_at: string; suspended_at: string | null; suspended_by?: { login: string } | null; events?: string[] }, app: AppInfo | null = null): { identity: IdentityInput; entitlements: EntitlementInput[] } {
  const r = ref.installation(org, i.id);
  const thirdParty = !!app?.owner && app.owner.toLowerCase() !== org.toLowerCase();
  const identity: IdentityInput = { ref: r, kind: 'app', name: i.app_slug, human: false, created_at: d(i.created_at), last_used_known: false,
    disabled: !!i.suspended_at, attributes: { app_id: i.app_id, repository_selection: i.repository_selection, permissions: i.permissions,
      suspended_at: i.suspended_at, suspended_by: i.suspended_by?.login ?? null, events: i.events ?? [],
      integration: { app_id: i.app_slug, kind: 'app_installation', publisher: app?.owner ?? null, verified_publisher: null, third_party: thirdParty,
        multi_tenant: null, consented_by: null } } };
  const entitlements: EntitlementInput[] = Object.entries(i.permissions).map(([perm, access]) => {
    const { level, privileged } = permissionSetLevel({ [perm]: access });
    return { ref: `${r}/permission/${perm}`, identity_ref: r, identity_name: i.app_slug, resource_ref: ref.org(org), permission: `${perm}:${access}`,
      level, privileged, via: 'direct', attributes: { repository_selection: i.repository_selection,
        scope: { tenant_wide: i.repository_selection === 'all' || ORG_LEVEL_PERMS.test(perm), consent: 'installation', consented_by: null } } };
  });
  return { identity, entitlements };
}

/** The last eight characters of a GitHub token, which is what GitHub itself shows of an authorized PAT. */
export function tokenLastEight(secretType: string, secret: unknown): string | null {
  if (typeof secret !== 'string' || !/^github_/.test(secretType) || secret.length < 8) return null;
  return secret.slice(-8);
}

/** Secret types whose "secret" is a key *identifier* (not itself secret): it may be kept to match the key across providers. */
export const IDENTIFIER_SECRET_TYPES = /(^|_)access_key_id$/;

/**
 * An open secret-scanning alert as an exposure record (credential kind exposed_secret): evidence of a leak, never a
 * credential with a lifecycle. The secret value is never kept; its identifier is, when the type is an identifier
 * (an access key id) and the value was requested (match_leaked_tokens), so the core can match it to the key.
 */
export function exposureRecord(org: string, a: { number: number; secret_type: string; secret_type_display_name?: string | null; secret?: string | null;
  repository?: { name?: string; full_name?: string } | null; created_at: string; html_url?: string; validity?: string | null }): CredentialInput {
  const repo = a.repository?.name ?? null;
  const where = a.repository?.full_name ?? org;
  const type = a.secret_type_display_name ?? a.secret_type;
  const identifier = a.secret && IDENTIFIER_SECRET_TYPES.test(a.secret_type) && /^[A-Z0-9]{16,128}$/.test(a.secret) ? a.secret : null;
  return {
    ref: `${repo ? ref.repo(org, repo) : ref.org(org)}/secret_scanning_alert/${a.number}`, kind: 'exposed_secret',
    name: `${type} in ${where} (alert #${a.number})`, identity_ref: null, created_at: parseDate(a.created_at) as Date | null,
    last_used_known: false, expiry_supported: false, status: 'active', fingerprint: identifier,
    leak_signal: `open secret-scanning alert #${a.number} (${type}) in ${where}, since ${a.created_at}`,
    attributes: { exposed_in: repo ? ref.repo(org, repo) : ref.org(org), alert_number: a.number, secret_type: a.secret_type, html_url: a.html_url ?? null, validity: a.validity ?? null },
  };
}

// --- Actions: the GITHUB_TOKEN's default permissions and the OIDC subject template ---------------------------------
export interface WorkflowPermissions { default_workflow_permissions: 'read' | 'write'; can_approve_pull_request_reviews: boolean }

/** GitHub's own subject template: repo:OWNER/NAME then the context (environment:NAME, ref:REF or pull_request). */
export const DEFAULT_SUB_TEMPLATE = ['repo', 'context'];

/** The subject template a repository's OIDC tokens use, and where it is set. */
export interface OidcSubjectFacts {
  claim_keys: string[];
  set_at: 'repository' | 'organization' | 'default';
  /** A repository claim is in it: otherwise every repository of the organisation (with this template) has the same subject. */
  includes_repository: boolean;
  use_immutable_subject: boolean | null;
}

const subjectFacts = (keys: string[], setAt: OidcSubjectFacts['set_at'], immutable: boolean | null): OidcSubjectFacts =>
  ({ claim_keys: keys, set_at: setAt, includes_repository: keys.some((k) => GITHUB_REPOSITORY_CLAIMS.includes(k)), use_immutable_subject: immutable });

/**
 * The template in force for a repository: its own keys (use_default false with keys), GitHub's default (use_default
 * true), or else its organisation's (null orgKeys: the organisation has none, so GitHub's default).
 */
export function oidcSubjectOf(repo: { use_default?: boolean; include_claim_keys?: string[]; use_immutable_subject?: boolean } | null, orgKeys: string[] | null): OidcSubjectFacts {
  const immutable = repo?.use_immutable_subject ?? null;
  if (repo && !repo.use_default && repo.include_claim_keys?.length) return subjectFacts(repo.include_claim_keys, 'repository', immutable);
  if (repo?.use_default || !orgKeys?.length) return subjectFacts(DEFAULT_SUB_TEMPLATE, 'default', immutable);
  return subjectFacts(orgKeys, 'organization', immutable);
}

/**
 * A repository's workflows as a workload identity (the GitHub-managed GITHUB_TOKEN is issued to every run) and, when
 * the default permissions are known, the token's default access to the repository as a job_token mint edge: `write`
 * (the permissive default: contents, packages, pull requests, issues … on write) or `read`. Pull-request approval by
 * Actions lets a workflow approve changes for merge: privileged. A workflow may still ask for more in its own
 * `permissions:` block; this is what every workflow that does not gets.
 */
export function workflowRecords(org: string, repo: string, perms: WorkflowPermissions | null, setAt: 'organization' | 'repository', oidc: OidcSubjectFacts | null):
  { identity: IdentityInput; entitlement: EntitlementInput | null } {
  const r = ref.workflows(org, repo);
  const full = `${org}/${repo}`;
  const name = `${full} workflows`;
  const identity: IdentityInput = { ref: r, kind: 'workload', name, human: false, last_used_known: false,
    // GitHub mints the token for each run; nobody can own, grant or remove it, only change the repository's settings.
    provider_managed: true,
    // (Not "workflow_token": attribute keys that name a token are scrubbed as secrets.)
    attributes: { repository: full, workflow_permissions: perms ? { ...perms, set_at: setAt } : null, oidc_subject: oidc } };
  if (!perms) return { identity, entitlement: null };
  const write = perms.default_workflow_permissions === 'write';
  const approve = perms.can_approve_pull_request_reviews;
  const mint: MintFacts = { mechanism: 'job_token', issuer: null, subject: full, audience: null, breadth: 'pinned', missing: [], target_provider: 'github',
    target_ref: ref.repo(org, repo), conditions: { default_workflow_permissions: perms.default_workflow_permissions, can_approve_pull_request_reviews: approve, set_at: setAt } };
  return { identity, entitlement: { ref: `${r}/token`, identity_ref: r, identity_name: name, resource_ref: ref.repo(org, repo),
    permission: `default_workflow_permissions:${perms.default_workflow_permissions}${approve ? ',can_approve_pull_request_reviews' : ''}`,
    level: write ? 'write' : 'read', privileged: approve, via: 'direct', attributes: { set_at: setAt, mint } } };
}
