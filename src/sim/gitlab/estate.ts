// The simulated GitLab estate: plain data the simulator serves and mutates (groups with subgroups and projects,
// members, project/group access tokens with their bot users, personal access tokens, deploy tokens and keys, CI/CD
// variables with values), and a seeded generator of any size.
import { rng } from '../http.js';

export interface SimUser {
  id: number; username: string; name: string; state: 'active' | 'blocked';
  /** Bot users are created by GitLab for each project/group access token (project_<id>_bot_<hash>). */
  bot?: boolean;
  is_admin?: boolean;
  /** gitlab.com: the top-level group whose enterprise user this is (its owners may list the user's PATs). */
  enterprise_group_id?: number | null;
}
export interface SimMember { user_id: number; access_level: 10 | 15 | 20 | 30 | 40 | 50 | 5; created_at: string; expires_at: string | null }
export interface SimAccessToken {
  id: number; name: string; description: string | null; user_id: number; scopes: string[]; created_at: string; last_used_at: string | null;
  expires_at: string | null; active: boolean; revoked: boolean; access_level: number;
}
export interface SimPat {
  id: number; name: string; description: string | null; user_id: number; scopes: string[]; created_at: string; last_used_at: string | null;
  expires_at: string | null; active: boolean; revoked: boolean;
}
export interface SimDeployToken { id: number; name: string; username: string; expires_at: string | null; revoked: boolean; expired: boolean; scopes: string[] }
export interface SimDeployKey { id: number; title: string; key: string; created_at: string; expires_at: string | null; can_push: boolean }
export interface SimVariable {
  key: string; value: string; variable_type: 'env_var' | 'file'; protected: boolean; masked: boolean; hidden: boolean; raw: boolean;
  environment_scope: string; description: string | null;
}
export interface SimGroup {
  id: number; path: string; name: string; parent_id: number | null; created_at: string;
  members: SimMember[]; accessTokens: SimAccessToken[]; deployTokens: SimDeployToken[]; variables: SimVariable[];
}
export interface SimProject {
  id: number; path: string; name: string; namespace_id: number; created_at: string;
  members: SimMember[]; accessTokens: SimAccessToken[]; deployTokens: SimDeployToken[]; deployKeys: SimDeployKey[]; variables: SimVariable[];
}
/** A token the simulator accepts: its user, its scopes (read_api cannot write) and its value (sent as PRIVATE-TOKEN). */
export interface SimApiToken { value: string; user_id: number; scopes: string[] }
export interface GitLabEstate {
  users: SimUser[];
  groups: SimGroup[];
  projects: SimProject[];
  pats: SimPat[];
  tokens: SimApiToken[];
  /** gitlab.com: no instance-wide PAT listing for anyone; enterprise groups list their users' PATs instead. */
  dotcom: boolean;
  /** Ids handed to new objects (re-added deploy keys). */
  nextId: number;
}

const DAY = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** GitLab renders expiry dates as plain dates (YYYY-MM-DD). */
export const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function groupPath(e: GitLabEstate, g: SimGroup): string {
  const parent = g.parent_id === null ? null : e.groups.find((x) => x.id === g.parent_id);
  return parent ? `${groupPath(e, parent)}/${g.path}` : g.path;
}
export function projectPath(e: GitLabEstate, p: SimProject): string {
  return `${groupPath(e, e.groups.find((g) => g.id === p.namespace_id)!)}/${p.path}`;
}

export const ADMIN_TOKEN = 'glpat-simulatedAdminToken0000000';
export const READ_TOKEN = 'glpat-simulatedReadApiToken00000';
export const OWNER_TOKEN = 'glpat-simulatedOwnerApiToken0000';

export interface EstateSpec { projects: number; seed: number; now?: number; dotcom?: boolean }

/**
 * A top-level group `acme` with subgroups `acme/platform` and `acme/platform/infra`, `projects` projects spread over
 * them, people with every role, one access token (and bot user) per few projects, deploy tokens and keys, CI variables.
 */
export function generateEstate(spec: EstateSpec): GitLabEstate {
  const r = rng(spec.seed);
  const now = spec.now ?? Date.parse('2026-06-01T00:00:00Z');
  const ago = (d: number) => iso(now - d * DAY);
  let id = 100;
  const users: SimUser[] = [
    { id: 1, username: 'root', name: 'Administrator', state: 'active', is_admin: true },
    { id: 2, username: 'owner', name: 'Group Owner', state: 'active' },
    { id: 3, username: 'reader', name: 'Read Only', state: 'active' },
  ];
  const people = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'].map((u, i) => ({ id: 10 + i, username: u, name: u[0]!.toUpperCase() + u.slice(1), state: 'active' as const,
    enterprise_group_id: spec.dotcom ? 1000 : null }));
  users.push(...people);
  const level = (): SimMember['access_level'] => ([10, 20, 30, 40, 50, 15] as const)[Math.floor(r() * 6)]!;
  const member = (uid: number, al: SimMember['access_level']): SimMember => ({ user_id: uid, access_level: al, created_at: ago(400 + Math.floor(r() * 300)), expires_at: r() < 0.2 ? dateOnly(now + 90 * DAY) : null });
  const top: SimGroup = { id: 1000, path: 'acme', name: 'Acme', parent_id: null, created_at: ago(2000), members: [member(2, 50), member(3, 20), ...people.slice(0, 3).map((p) => member(p.id, level()))],
    accessTokens: [], deployTokens: [], variables: [] };
  const platform: SimGroup = { id: 1001, path: 'platform', name: 'Platform', parent_id: 1000, created_at: ago(1500), members: people.slice(3, 5).map((p) => member(p.id, level())), accessTokens: [], deployTokens: [], variables: [] };
  const infra: SimGroup = { id: 1002, path: 'infra', name: 'Infra', parent_id: 1001, created_at: ago(1400), members: [member(people[5]!.id, 40)], accessTokens: [], deployTokens: [], variables: [] };
  const groups = [top, platform, infra];
  const tokenFor = (owner: { id: number; kind: 'project' | 'group' }, n: number): SimAccessToken => {
    const uid = ++id;
    users.push({ id: uid, username: `${owner.kind}_${owner.id}_bot_${(uid * 2654435761 % 0xffffff).toString(16)}`, name: `${owner.kind} token ${n}`, state: 'active', bot: true });
    const created = now - Math.floor(30 + r() * 300) * DAY;
    const revoked = r() < 0.1;
    return { id: ++id, name: `token-${n}`, description: null, user_id: uid, scopes: r() < 0.5 ? ['read_api', 'read_repository'] : ['api'], created_at: iso(created),
      last_used_at: r() < 0.3 ? null : iso(now - Math.floor(r() * 60) * DAY), expires_at: dateOnly(created + 365 * DAY), active: !revoked, revoked, access_level: r() < 0.5 ? 30 : 40 };
  };
  top.accessTokens.push(tokenFor({ id: top.id, kind: 'group' }, 0));
  top.members.push({ user_id: top.accessTokens[0]!.user_id, access_level: 40, created_at: top.accessTokens[0]!.created_at, expires_at: top.accessTokens[0]!.expires_at });
  top.deployTokens.push({ id: ++id, name: 'registry-pull', username: 'gitlab+deploy-token-1', expires_at: null, revoked: false, expired: false, scopes: ['read_registry'] });
  top.variables.push({ key: 'NPM_TOKEN', value: 'npm_groupSecretValue_CANARY', variable_type: 'env_var', protected: true, masked: true, hidden: false, raw: false, environment_scope: '*', description: null });
  const projects: SimProject[] = [];
  for (let i = 0; i < spec.projects; i++) {
    const ns = groups[i % 3]!;
    const p: SimProject = { id: 2000 + i, path: `proj-${String(i).padStart(3, '0')}`, name: `Project ${i}`, namespace_id: ns.id, created_at: ago(1000 - i),
      members: r() < 0.5 ? [member(people[Math.floor(r() * people.length)]!.id, level())] : [], accessTokens: [], deployTokens: [], deployKeys: [], variables: [] };
    if (i % 3 === 0) {
      const t = tokenFor({ id: p.id, kind: 'project' }, i);
      p.accessTokens.push(t);
      p.members.push({ user_id: t.user_id, access_level: t.access_level as SimMember['access_level'], created_at: t.created_at, expires_at: t.expires_at });
    }
    if (i % 4 === 1) p.deployTokens.push({ id: ++id, name: `deploy-${i}`, username: `gitlab+deploy-token-${id}`, expires_at: r() < 0.5 ? null : iso(now + 100 * DAY), revoked: false, expired: false,
      scopes: r() < 0.5 ? ['read_repository'] : ['read_repository', 'write_registry'] });
    if (i % 2 === 0) p.deployKeys.push({ id: ++id, title: `key-${i}`, key: sshKey(i + 1), created_at: ago(200 + i), expires_at: null, can_push: r() < 0.4 });
    if (i % 3 !== 2) p.variables.push({ key: i % 2 ? 'AWS_ACCESS_KEY_ID' : 'DEPLOY_PASSWORD', value: `secretValue-${i}-CANARY`, variable_type: 'env_var', protected: r() < 0.5, masked: true,
      hidden: r() < 0.3, raw: false, environment_scope: i % 5 === 0 ? 'production' : '*', description: null });
    projects.push(p);
  }
  const pats: SimPat[] = people.map((u, i) => ({ id: 500 + i, name: `${u.username}-cli`, description: null, user_id: u.id, scopes: i % 2 ? ['api'] : ['read_api'],
    created_at: ago(100 + i * 10), last_used_at: i % 3 ? ago(i) : null, expires_at: dateOnly(now + (200 - i * 10) * DAY), active: true, revoked: false }));
  // Someone else's PAT on the instance (no membership in acme): never part of this tenant.
  users.push({ id: 90, username: 'outsider', name: 'Outsider', state: 'active' });
  pats.push({ id: 599, name: 'outsider-token', description: null, user_id: 90, scopes: ['api'], created_at: ago(10), last_used_at: null, expires_at: dateOnly(now + 100 * DAY), active: true, revoked: false });
  pats.push({ id: 598, name: 'root-admin', description: null, user_id: 1, scopes: ['api', 'sudo'], created_at: ago(10), last_used_at: ago(0), expires_at: dateOnly(now + 300 * DAY), active: true, revoked: false });
  return {
    users, groups, projects, pats, dotcom: spec.dotcom ?? false, nextId: 100_000,
    tokens: [
      { value: ADMIN_TOKEN, user_id: 1, scopes: ['api'] },
      { value: OWNER_TOKEN, user_id: 2, scopes: ['api'] },
      { value: READ_TOKEN, user_id: 3, scopes: ['read_api'] },
    ],
  };
}

/** A syntactically valid ed25519 public key line (public keys are not secret). */
export function sshKey(n: number): string {
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, n % 256)]);
  return `ssh-ed25519 ${blob.toString('base64')} key-${n}`;
}
