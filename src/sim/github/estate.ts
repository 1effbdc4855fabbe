// The simulated GitHub estate: plain data the simulator serves and mutates, and a seeded generator of any size.
import { createHash } from 'node:crypto';
import { rng } from '../http.js';

export type RepoPermission = 'read' | 'triage' | 'write' | 'maintain' | 'admin';

export interface SimUser { login: string; id: number; type: 'User' | 'Bot' }
export interface SimSecret { name: string; created_at: string; updated_at: string }
export interface SimOrgSecret extends SimSecret { visibility: 'all' | 'private' | 'selected'; selected: string[] }
export interface SimDeployKey {
  id: number; title: string; key: string; read_only: boolean; created_at: string;
  added_by: string | null; last_used: string | null; enabled?: boolean;
}
/** The GITHUB_TOKEN's default permissions (GET …/actions/permissions/workflow). */
export interface SimWorkflowPermissions { default_workflow_permissions: 'read' | 'write'; can_approve_pull_request_reviews: boolean }
/** A repository's OIDC subject template: its own keys, GitHub's default (use_default), or the organisation's (neither). */
export interface SimOidcSubRepo { use_default: boolean; include_claim_keys?: string[] }
export interface SimEnvironment { id: number; name: string; created_at: string; secrets: SimSecret[] }
export interface SimRepo {
  id: number; name: string; private: boolean; archived: boolean; created_at: string; pushed_at: string;
  /** Direct collaborators (members and outside collaborators) with their role. */
  collaborators: Record<string, RepoPermission>;
  /** Outside users invited through PUT collaborators who have not accepted yet. */
  invited: Record<string, RepoPermission>;
  deployKeys: SimDeployKey[];
  secrets: SimSecret[];
  environments: SimEnvironment[];
  /** The repository's own setting; absent: as the organisation's. It can only be stricter than the organisation's. */
  workflowPermissions?: SimWorkflowPermissions;
  /** Absent: GitHub's default template ({use_default: true}); {use_default: false} alone opts in to the organisation's. */
  oidcSub?: SimOidcSubRepo;
}
export interface SimTeam { id: number; slug: string; name: string; members: { login: string; role: 'member' | 'maintainer' }[]; repos: Record<string, RepoPermission> }
export interface SimOrgRole { id: number; name: string; description: string | null; base_role: RepoPermission | null; permissions: string[]; users: string[]; teams: string[]; source: 'Organization' | 'Predefined' }
export interface SimInvitation { id: number; login: string | null; email: string | null; role: 'admin' | 'direct_member' | 'billing_manager'; created_at: string; inviter: string }
export interface SimInstallation {
  id: number; app_id: number; app_slug: string; repository_selection: 'all' | 'selected'; permissions: Record<string, string>;
  events: string[]; created_at: string; updated_at: string; suspended_at: string | null; suspended_by: string | null;
}
export interface SimFinePat {
  id: number; owner: string; token_id: number; token_name: string; repository_selection: 'none' | 'all' | 'subset'; repos: string[];
  permissions: { organization?: Record<string, string>; repository?: Record<string, string>; other?: Record<string, string> };
  access_granted_at: string; token_expired: boolean; token_expires_at: string | null; token_last_used_at: string | null;
}
export interface SimCredentialAuthorization {
  credential_id: number; login: string; credential_type: 'personal access token' | 'SSH key';
  token_last_eight?: string; fingerprint?: string; scopes: string[]; credential_authorized_at: string;
  credential_accessed_at: string | null; authorized_credential_id: number | null; authorized_credential_title: string | null;
  authorized_credential_note: string | null; authorized_credential_expires_at: string | null;
}
export interface SimAlert {
  number: number; secret_type: string; secret_type_display_name: string; secret: string; repo: string;
  created_at: string; state: 'open' | 'resolved'; validity: 'active' | 'inactive' | 'unknown';
}
export interface SimOrg {
  login: string; id: number; created_at: string;
  default_repository_permission: 'read' | 'write' | 'admin' | 'none';
  members: { login: string; role: 'admin' | 'member' }[];
  outside: string[];
  invitations: SimInvitation[];
  teams: SimTeam[];
  repos: SimRepo[];
  secrets: SimOrgSecret[];
  installations: SimInstallation[];
  roles: SimOrgRole[];
  pats: SimFinePat[];
  /** null: the organisation has no SAML SSO (GitHub answers 404). */
  credentialAuthorizations: SimCredentialAuthorization[] | null;
  /** null: secret scanning is not enabled (GitHub answers 404). */
  alerts: SimAlert[] | null;
  /** Absent: GitHub's default for new organisations (read, no pull-request approval). */
  workflowPermissions?: SimWorkflowPermissions;
  /** The organisation's OIDC subject template; absent or null: not customised (GitHub answers 404). */
  oidcSubTemplate?: string[] | null;
}
export interface SimApp { id: number; slug: string; publicKeyPem: string; installations: { id: number; org: string }[] }
export interface SimEstate {
  users: Record<string, SimUser>;
  orgs: SimOrg[];
  /** Personal access tokens the simulator accepts (a classic org-owner token, typically). */
  tokens: string[];
  app?: SimApp;
  /**
   * Public Apps by slug, as GET /apps/{app_slug} shows them (owner decides first- or third-party). An installed App
   * missing here is private: GitHub answers 404 to anyone but its owner.
   */
  apps?: Record<string, SimAppInfo>;
}
export interface SimAppInfo { id: number; owner: string; owner_type: 'Organization' | 'User'; name: string; description?: string | null }

export interface GenerateOptions {
  seed?: number;
  org?: string;
  repos: number;
  members?: number;
  outside?: number;
  teams?: number;
  now?: Date;
}

const day = 86_400_000;
export const iso = (d: Date | number) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An ssh-ed25519 public key line from seeded bytes (only its shape matters: never a usable key). */
export function fakeEd25519(r: () => number): string {
  const type = Buffer.from('ssh-ed25519');
  const key = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) key[i] = Math.floor(r() * 256);
  const blob = Buffer.concat([u32(type.length), type, u32(32), key]);
  return `ssh-ed25519 ${blob.toString('base64')}`;
}
function u32(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; }

/** A seeded organisation of any size, for benchmarks and the "collected equals seeded" test. */
export function generateEstate(o: GenerateOptions): SimEstate {
  const r = rng(o.seed ?? 1);
  const now = (o.now ?? new Date('2025-06-01T00:00:00Z')).getTime();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const ago = (maxDays: number) => iso(now - Math.floor(r() * maxDays * day) - 3600_000);
  const org = o.org ?? 'acme';
  let nextId = 1000;
  const id = () => ++nextId;
  const users: Record<string, SimUser> = {};
  const addUser = (login: string, type: SimUser['type'] = 'User') => { users[login] = { login, id: id(), type }; return login; };
  const nMembers = o.members ?? Math.max(5, Math.ceil(o.repos / 4));
  const members = Array.from({ length: nMembers }, (_, i) => ({ login: addUser(`${org}-dev${i + 1}`), role: (i < 2 ? 'admin' : 'member') as 'admin' | 'member' }));
  const outside = Array.from({ length: o.outside ?? Math.max(2, Math.ceil(o.repos / 20)) }, (_, i) => addUser(`contractor${i + 1}`));
  const perms: RepoPermission[] = ['read', 'triage', 'write', 'maintain', 'admin'];
  const repos: SimRepo[] = Array.from({ length: o.repos }, (_, i) => {
    const collaborators: Record<string, RepoPermission> = {};
    const nc = Math.floor(r() * 3);
    for (let k = 0; k < nc; k++) collaborators[pick(members).login] = pick(perms);
    if (r() < 0.15) collaborators[pick(outside)] = pick(['read', 'write'] as const);
    const deployKeys: SimDeployKey[] = Array.from({ length: Math.floor(r() * 2.2) }, () => ({
      id: id(), title: `deploy-${i}-${nextId}`, key: fakeEd25519(r), read_only: r() < 0.6, created_at: ago(900),
      added_by: r() < 0.8 ? pick(members).login : null, last_used: r() < 0.7 ? ago(200) : null,
    }));
    const secrets = Array.from({ length: Math.floor(r() * 3) }, (_, k) => ({ name: `SECRET_${k}`, created_at: ago(700), updated_at: ago(300) }));
    const environments = r() < 0.4 ? Array.from({ length: 1 + Math.floor(r() * 2) }, (_, k) => ({
      id: id(), name: ['production', 'staging'][k]!, created_at: ago(600),
      secrets: Array.from({ length: Math.floor(r() * 3) }, (_, s) => ({ name: `ENV_SECRET_${s}`, created_at: ago(500), updated_at: ago(100) })),
    })) : [];
    return { id: id(), name: `repo-${String(i + 1).padStart(4, '0')}`, private: r() < 0.7, archived: r() < 0.05, created_at: ago(1500), pushed_at: ago(60),
      collaborators, invited: {}, deployKeys, secrets, environments };
  });
  const teams: SimTeam[] = Array.from({ length: o.teams ?? Math.max(2, Math.ceil(o.repos / 50)) }, (_, t) => {
    const tm = new Map<string, 'member' | 'maintainer'>();
    for (let k = 0; k < 4; k++) tm.set(pick(members).login, k === 0 ? 'maintainer' : 'member');
    const tr: Record<string, RepoPermission> = {};
    for (let k = 0; k < Math.min(repos.length, 10); k++) tr[pick(repos).name] = pick(perms);
    return { id: id(), slug: `team-${t + 1}`, name: `Team ${t + 1}`, members: [...tm].map(([login, role]) => ({ login, role })), repos: tr };
  });
  const botLogin = addUser('ci-bot', 'User');
  members.push({ login: botLogin, role: 'member' });
  const secrets: SimOrgSecret[] = [
    { name: 'NPM_TOKEN', created_at: ago(800), updated_at: ago(400), visibility: 'private', selected: [] },
    { name: 'DEPLOY_TOKEN', created_at: ago(800), updated_at: ago(400), visibility: 'selected', selected: repos.slice(0, Math.min(3, repos.length)).map((x) => x.name) },
  ];
  const installations: SimInstallation[] = [
    { id: id(), app_id: 101, app_slug: 'ci-app', repository_selection: 'all', permissions: { contents: 'write', metadata: 'read', secrets: 'read' }, events: ['push'],
      created_at: ago(900), updated_at: ago(100), suspended_at: null, suspended_by: null },
  ];
  const roles: SimOrgRole[] = [
    { id: 8132, name: 'security_manager', description: 'Security manager', base_role: null, permissions: ['read_organization_custom_org_role'], users: [members[2]!.login], teams: [], source: 'Predefined' },
  ];
  const pats: SimFinePat[] = members.slice(0, 3).map((m, k) => ({
    id: id(), owner: m.login, token_id: id(), token_name: `pat-${k}`, repository_selection: k === 0 ? 'all' : 'subset',
    repos: k === 0 ? [] : repos.slice(0, 2).map((x) => x.name),
    permissions: { repository: { contents: k === 2 ? 'write' : 'read', metadata: 'read' } },
    access_granted_at: ago(300), token_expired: false, token_expires_at: k === 1 ? null : iso(now + 30 * day), token_last_used_at: ago(20),
  }));
  const credentialAuthorizations: SimCredentialAuthorization[] = members.slice(0, 2).map((m, k) => ({
    credential_id: id(), login: m.login, credential_type: 'personal access token', token_last_eight: hex8(`${org}-${k}`), scopes: ['repo'],
    credential_authorized_at: ago(400), credential_accessed_at: ago(10), authorized_credential_id: id(), authorized_credential_title: `laptop ${k}`,
    authorized_credential_note: null, authorized_credential_expires_at: null,
  }));
  const orgRec: SimOrg = {
    login: org, id: id(), created_at: ago(2000), default_repository_permission: 'read', members, outside, invitations: [
      { id: id(), login: addUser('newhire'), email: null, role: 'direct_member', created_at: ago(5), inviter: members[0]!.login },
    ], teams, repos, secrets, installations, roles, pats, credentialAuthorizations, alerts: [],
  };
  // ci-app is the organisation's own App (first-party).
  return { users, orgs: [orgRec], tokens: ['ghp_simulatedOrgOwnerToken000000000000'], apps: { 'ci-app': { id: 101, owner: org, owner_type: 'Organization', name: 'CI App' } } };
}

function hex8(s: string): string { return createHash('sha256').update(s).digest('hex').slice(0, 8); }
