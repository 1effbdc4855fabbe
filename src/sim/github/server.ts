// A GitHub REST simulator on 127.0.0.1: the routes in routes.ts served from a SimEstate with GitHub's behaviours —
// token and App (JWT → installation token) auth, Link-header pagination, weak ETags with 304 that cost no rate
// limit, x-ratelimit-* headers, 403 primary/secondary rate-limit answers with retry-after, 404 for missing
// resources in GitHub's error shape, and the mutations remediation uses. GHES is emulated by an /api/v3 prefix.
import { createHash, createPublicKey, randomBytes, verify as verifySig } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultPlan, serve, type Fault, type SimServer } from '../http.js';
import type { RepoPermission, SimEstate, SimInstallation, SimOrg, SimRepo, SimUser, SimWorkflowPermissions } from './estate.js';
import * as S from './shapes.js';

export interface GitHubSimOptions {
  estate: SimEstate;
  latencyMs?: number;
  faults?: FaultPlan;
  /** Serve under /api/v3 like GitHub Enterprise Server. */
  ghes?: boolean;
  /** Primary rate limit per token per window. */
  rateLimit?: { limit: number; windowSeconds?: number };
  /** List routes whose Link header never ends (a pagination loop): past the last page the last page repeats. */
  endlessPagination?: RegExp;
  /** Answer 403 (GitHub's "Resource not accessible") on requests matching this, as for a token missing one scope. */
  forbid?: RegExp;
}

export interface SimStats { requests: number; notModified: number; mutations: number; byRoute: Record<string, number> }

export interface GitHubSim extends SimServer {
  /** The API base URL to give Octokit (with /api/v3 for GHES). */
  apiUrl: string;
  estate: SimEstate;
  stats: SimStats;
  faults: FaultPlan;
  resetStats(): void;
}

interface Ctx {
  req: IncomingMessage; res: ServerResponse; url: URL; api: string; params: Record<string, string>; body: unknown;
  auth: { kind: 'token' | 'installation' | 'jwt'; key: string; org?: string };
}
type RouteHandler = (c: Ctx) => void;

const DOCS = 'https://docs.github.com/rest';

export async function startGitHubSim(opts: GitHubSimOptions): Promise<GitHubSim> {
  const estate = opts.estate;
  const faults = opts.faults ?? new FaultPlan();
  const prefix = opts.ghes ? '/api/v3' : '';
  const stats: SimStats = { requests: 0, notModified: 0, mutations: 0, byRoute: {} };
  const limit = opts.rateLimit?.limit ?? 5000;
  const windowMs = (opts.rateLimit?.windowSeconds ?? 3600) * 1000;
  const buckets = new Map<string, { remaining: number; reset: number }>();
  const installationTokens = new Map<string, { installation: number; org: string; expires: number }>();

  const bucket = (key: string) => {
    let b = buckets.get(key);
    const now = Date.now();
    if (!b || b.reset * 1000 <= now) { b = { remaining: limit, reset: Math.ceil((now + windowMs) / 1000) }; buckets.set(key, b); }
    return b;
  };
  const rateHeaders = (res: ServerResponse, key: string) => {
    const b = bucket(key);
    res.setHeader('x-ratelimit-limit', String(limit));
    res.setHeader('x-ratelimit-remaining', String(b.remaining));
    res.setHeader('x-ratelimit-used', String(limit - b.remaining));
    res.setHeader('x-ratelimit-reset', String(b.reset));
    res.setHeader('x-ratelimit-resource', 'core');
  };
  const error = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(JSON.stringify({ message, documentation_url: DOCS, status: String(status) }));
  };
  const send = (c: Ctx, status: number, value: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(value);
    for (const [k, v] of Object.entries(headers)) c.res.setHeader(k, v);
    c.res.setHeader('vary', 'Accept, Authorization, Cookie, X-GitHub-OTP');
    if (c.req.method === 'GET' && status === 200) {
      // GitHub's ETags are weak and differ per caller (Vary: Authorization); a 304 does not count against the limit.
      const etag = `W/"${createHash('sha256').update(c.auth.key).update(text).digest('hex').slice(0, 40)}"`;
      c.res.setHeader('etag', etag);
      if (c.req.headers['if-none-match'] === etag) {
        stats.notModified++;
        rateHeaders(c.res, c.auth.key);
        c.res.statusCode = 304;
        c.res.end();
        return;
      }
    }
    const b = bucket(c.auth.key);
    b.remaining = Math.max(0, b.remaining - 1);
    rateHeaders(c.res, c.auth.key);
    c.res.statusCode = status;
    if (status === 204) { c.res.end(); return; }
    c.res.setHeader('content-type', 'application/json; charset=utf-8');
    c.res.end(text);
  };
  /** An error answer to an authenticated request: it costs rate budget, as on GitHub. */
  const fail = (c: Ctx, status: number, message: string) => {
    const b = bucket(c.auth.key);
    b.remaining = Math.max(0, b.remaining - 1);
    rateHeaders(c.res, c.auth.key);
    error(c.res, status, message);
  };
  const noContent = (c: Ctx) => { stats.mutations += c.req.method === 'GET' ? 0 : 1; send(c, 204, null); };

  /** Page-numbered pagination with GitHub's Link header (per_page default 30, max 100). */
  const page = <T>(c: Ctx, items: T[], wrap?: (slice: T[]) => unknown) => {
    const perPage = Math.min(100, Math.max(1, Number(c.url.searchParams.get('per_page') ?? 30) || 30));
    const n = Math.max(1, Number(c.url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const endless = opts.endlessPagination?.test(c.url.pathname) ?? false;
    const at = endless ? Math.min(n, last) : n;
    const slice = items.slice((at - 1) * perPage, at * perPage);
    const link = (p: number) => { const u = new URL(c.url.toString()); u.searchParams.set('page', String(p)); return `${c.api}${u.pathname.slice(prefix.length)}${u.search}`; };
    const rels: string[] = [];
    if (n < last || endless) rels.push(`<${link(n + 1)}>; rel="next"`);
    if (!endless && n < last) rels.push(`<${link(last)}>; rel="last"`);
    if (n > 1) rels.push(`<${link(n - 1)}>; rel="prev"`, `<${link(1)}>; rel="first"`);
    send(c, 200, wrap ? wrap(slice) : slice, rels.length ? { link: rels.join(', ') } : {});
  };

  const orgOf = (c: Ctx, name = c.params.org ?? c.params.owner): SimOrg | undefined => {
    const org = estate.orgs.find((o) => o.login.toLowerCase() === name?.toLowerCase());
    if (org && c.auth.kind === 'installation' && c.auth.org !== org.login) return undefined;
    return org;
  };
  const user = (login: string): SimUser => estate.users[login] ?? { login, id: hashId(login), type: 'User' };
  const repoOf = (c: Ctx): [SimOrg, SimRepo] | undefined => {
    const org = orgOf(c, c.params.owner);
    const repo = org?.repos.find((r) => r.name === c.params.repo);
    return org && repo ? [org, repo] : undefined;
  };

  const routes: [string, RegExp, string[], RouteHandler, string][] = [];
  const route = (method: string, path: string, h: RouteHandler) => {
    const names: string[] = [];
    const re = new RegExp('^' + path.replace(/\{(\w+)\}/g, (_, n: string) => { names.push(n); return '([^/]+)'; }) + '$');
    routes.push([method, re, names, h, path]);
  };
  const notFound = (c: Ctx) => fail(c, 404, 'Not Found');
  const withOrg = (h: (c: Ctx, org: SimOrg) => void): RouteHandler => (c) => { const org = orgOf(c); return org ? h(c, org) : notFound(c); };
  const withRepo = (h: (c: Ctx, org: SimOrg, repo: SimRepo) => void): RouteHandler => (c) => { const x = repoOf(c); return x ? h(c, x[0], x[1]) : notFound(c); };

  // --- organisation -------------------------------------------------------------------------------------------
  route('GET', '/orgs/{org}', withOrg((c, org) => send(c, 200, S.organization(c.api, org))));
  route('GET', '/orgs/{org}/members', withOrg((c, org) => {
    const role = c.url.searchParams.get('role') ?? 'all';
    page(c, org.members.filter((m) => role === 'all' || m.role === role).map((m) => S.simpleUser(c.api, user(m.login))));
  }));
  route('GET', '/orgs/{org}/organization-roles', withOrg((c, org) => send(c, 200, { total_count: org.roles.length, roles: org.roles.map((r) => S.orgRole(c.api, org, r)) })));
  route('GET', '/orgs/{org}/organization-roles/{role_id}/users', withOrg((c, org) => {
    const role = org.roles.find((r) => String(r.id) === c.params.role_id);
    if (!role) return notFound(c);
    page(c, role.users.map((l) => ({ ...S.simpleUser(c.api, user(l)), assignment: 'direct' })));
  }));
  route('GET', '/orgs/{org}/organization-roles/{role_id}/teams', withOrg((c, org) => {
    const role = org.roles.find((r) => String(r.id) === c.params.role_id);
    if (!role) return notFound(c);
    page(c, role.teams.map((slug) => org.teams.find((t) => t.slug === slug)).filter((t) => !!t).map((t) => S.teamRoleAssignment(c.api, org, t)));
  }));
  route('GET', '/orgs/{org}/invitations', withOrg((c, org) => page(c, org.invitations.map((i) => S.invitation(c.api, org, i, user(i.inviter))))));
  route('GET', '/orgs/{org}/outside_collaborators', withOrg((c, org) => page(c, org.outside.map((l) => S.simpleUser(c.api, user(l))))));
  route('DELETE', '/orgs/{org}/outside_collaborators/{username}', withOrg((c, org) => {
    if (org.members.some((m) => m.login === c.params.username)) return fail(c, 422, 'You cannot specify an organization member to remove as an outside collaborator.');
    org.outside = org.outside.filter((l) => l !== c.params.username);
    for (const r of org.repos) { delete r.collaborators[c.params.username!]; delete r.invited[c.params.username!]; }
    noContent(c);
  }));
  route('GET', '/orgs/{org}/repos', withOrg((c, org) => page(c, org.repos.map((r) => S.repository(c.api, org, r)))));

  // --- teams ---------------------------------------------------------------------------------------------------
  route('GET', '/orgs/{org}/teams', withOrg((c, org) => page(c, org.teams.map((t) => S.team(c.api, org, t)))));
  route('GET', '/orgs/{org}/teams/{team_slug}/members', withOrg((c, org) => {
    const t = org.teams.find((x) => x.slug === c.params.team_slug);
    if (!t) return notFound(c);
    const role = c.url.searchParams.get('role') ?? 'all';
    page(c, t.members.filter((m) => role === 'all' || m.role === role).map((m) => S.simpleUser(c.api, user(m.login))));
  }));
  route('GET', '/orgs/{org}/teams/{team_slug}/repos', withOrg((c, org) => {
    const t = org.teams.find((x) => x.slug === c.params.team_slug);
    if (!t) return notFound(c);
    const repos = Object.entries(t.repos).map(([name, p]) => [org.repos.find((r) => r.name === name), p] as const).filter(([r]) => !!r);
    page(c, repos.map(([r, p]) => S.repository(c.api, org, r!, p)));
  }));
  route('GET', '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', withOrg((c, org) => {
    const t = org.teams.find((x) => x.slug === c.params.team_slug);
    const repo = org.repos.find((r) => r.name === c.params.repo);
    const p = t?.repos[c.params.repo!];
    if (!t || !repo || !p) return notFound(c);
    if (String(c.req.headers.accept ?? '').includes('application/vnd.github.v3.repository+json')) return send(c, 200, S.repository(c.api, org, repo, p));
    send(c, 204, null);
  }));
  route('PUT', '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', withOrg((c, org) => {
    const t = org.teams.find((x) => x.slug === c.params.team_slug);
    const repo = org.repos.find((r) => r.name === c.params.repo);
    if (!t || !repo) return notFound(c);
    const perm = (c.body as { permission?: string } | null)?.permission ?? 'push';
    t.repos[repo.name] = fromApiPermission(perm);
    noContent(c);
  }));
  route('DELETE', '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', withOrg((c, org) => {
    const t = org.teams.find((x) => x.slug === c.params.team_slug);
    if (!t) return notFound(c);
    delete t.repos[c.params.repo!];
    noContent(c);
  }));

  // --- repository collaborators and deploy keys ---------------------------------------------------------------
  route('GET', '/repos/{owner}/{repo}/collaborators', withRepo((c, org, repo) => {
    const aff = c.url.searchParams.get('affiliation') ?? 'all';
    const direct = Object.entries(repo.collaborators).filter(([l]) => aff !== 'outside' || org.outside.includes(l));
    const entries = new Map<string, RepoPermission>(direct);
    if (aff === 'all') for (const [l, p] of effectiveAccess(org, repo)) entries.set(l, p);
    page(c, [...entries].map(([l, p]) => S.collaborator(c.api, user(l), p)));
  }));
  route('GET', '/repos/{owner}/{repo}/collaborators/{username}', withRepo((c, org, repo) => {
    // GitHub answers 204 for any access: direct, through a team, as an owner, or through the base permission.
    if (effectiveAccess(org, repo).has(c.params.username!)) return send(c, 204, null);
    notFound(c);
  }));
  route('PUT', '/repos/{owner}/{repo}/collaborators/{username}', withRepo((c, org, repo) => {
    const perm = fromApiPermission((c.body as { permission?: string } | null)?.permission ?? 'push');
    stats.mutations++;
    if (org.members.some((m) => m.login === c.params.username)) { repo.collaborators[c.params.username!] = perm; return send(c, 204, null); }
    // Outside users are invited; access starts when they accept.
    repo.invited[c.params.username!] = perm;
    send(c, 201, { id: hashId(`${repo.name}/${c.params.username}`), permissions: perm, invitee: S.simpleUser(c.api, user(c.params.username!)) });
  }));
  route('DELETE', '/repos/{owner}/{repo}/collaborators/{username}', withRepo((c, _org, repo) => {
    delete repo.collaborators[c.params.username!];
    noContent(c);
  }));
  route('GET', '/repos/{owner}/{repo}/keys', withRepo((c, org, repo) => page(c, repo.deployKeys.map((k) => S.deployKey(c.api, org, repo, k)))));
  route('GET', '/repos/{owner}/{repo}/keys/{key_id}', withRepo((c, org, repo) => {
    const k = repo.deployKeys.find((x) => String(x.id) === c.params.key_id);
    return k ? send(c, 200, S.deployKey(c.api, org, repo, k)) : notFound(c);
  }));
  route('POST', '/repos/{owner}/{repo}/keys', withRepo((c, org, repo) => {
    const b = (c.body ?? {}) as { title?: string; key?: string; read_only?: boolean };
    if (!b.key) return fail(c, 422, 'Validation Failed');
    if (repo.deployKeys.some((k) => k.key === b.key)) return fail(c, 422, 'Validation Failed: key is already in use');
    const k = { id: hashId(`${repo.name}/${b.key}/${Date.now()}`), title: b.title ?? '', key: b.key, read_only: b.read_only ?? false,
      created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), added_by: 'nhi-recon', last_used: null };
    repo.deployKeys.push(k);
    stats.mutations++;
    send(c, 201, S.deployKey(c.api, org, repo, k));
  }));
  route('DELETE', '/repos/{owner}/{repo}/keys/{key_id}', withRepo((c, _org, repo) => {
    repo.deployKeys = repo.deployKeys.filter((k) => String(k.id) !== c.params.key_id);
    noContent(c);
  }));

  // --- Actions secrets (names and dates only: GitHub never returns values) ----------------------------------
  const secretsPage = (c: Ctx, list: { name: string; created_at: string; updated_at: string }[], shape = S.secret) =>
    page(c, list, (slice) => ({ total_count: list.length, secrets: slice.map((s) => shape(s as never)) }));
  route('GET', '/repos/{owner}/{repo}/actions/secrets', withRepo((c, _o, repo) => secretsPage(c, repo.secrets)));
  route('GET', '/repos/{owner}/{repo}/actions/secrets/{secret_name}', withRepo((c, _o, repo) => {
    const s = repo.secrets.find((x) => x.name === c.params.secret_name);
    return s ? send(c, 200, S.secret(s)) : notFound(c);
  }));
  route('DELETE', '/repos/{owner}/{repo}/actions/secrets/{secret_name}', withRepo((c, _o, repo) => {
    repo.secrets = repo.secrets.filter((x) => x.name !== c.params.secret_name);
    noContent(c);
  }));
  route('GET', '/repos/{owner}/{repo}/environments', withRepo((c, org, repo) =>
    page(c, repo.environments, (slice) => ({ total_count: repo.environments.length, environments: slice.map((e) => S.environment(c.api, org, repo, e)) }))));
  const envOf = (c: Ctx, repo: SimRepo) => repo.environments.find((e) => e.name === c.params.environment_name);
  route('GET', '/repos/{owner}/{repo}/environments/{environment_name}/secrets', withRepo((c, _o, repo) => {
    const e = envOf(c, repo);
    return e ? secretsPage(c, e.secrets) : notFound(c);
  }));
  route('GET', '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', withRepo((c, _o, repo) => {
    const s = envOf(c, repo)?.secrets.find((x) => x.name === c.params.secret_name);
    return s ? send(c, 200, S.secret(s)) : notFound(c);
  }));
  route('DELETE', '/repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', withRepo((c, _o, repo) => {
    const e = envOf(c, repo);
    if (!e) return notFound(c);
    e.secrets = e.secrets.filter((x) => x.name !== c.params.secret_name);
    noContent(c);
  }));
  route('GET', '/orgs/{org}/actions/secrets', withOrg((c, org) =>
    page(c, org.secrets, (slice) => ({ total_count: org.secrets.length, secrets: slice.map((s) => S.orgSecret(c.api, org, s)) }))));
  route('GET', '/orgs/{org}/actions/secrets/{secret_name}', withOrg((c, org) => {
    const s = org.secrets.find((x) => x.name === c.params.secret_name);
    return s ? send(c, 200, S.orgSecret(c.api, org, s)) : notFound(c);
  }));
  route('DELETE', '/orgs/{org}/actions/secrets/{secret_name}', withOrg((c, org) => {
    if (!org.secrets.some((x) => x.name === c.params.secret_name)) return notFound(c);
    org.secrets = org.secrets.filter((x) => x.name !== c.params.secret_name);
    noContent(c);
  }));
  route('GET', '/orgs/{org}/actions/secrets/{secret_name}/repositories', withOrg((c, org) => {
    const s = org.secrets.find((x) => x.name === c.params.secret_name);
    if (!s) return notFound(c);
    if (s.visibility !== 'selected') return fail(c, 409, 'The visibility of this secret is not set to selected');
    const repos = s.selected.map((n) => org.repos.find((r) => r.name === n)).filter((r) => !!r);
    page(c, repos, (slice) => ({ total_count: repos.length, repositories: slice.map((r) => S.repository(c.api, org, r!)) }));
  }));

  // --- apps, fine-grained PATs, SAML credential authorizations, secret scanning -------------------------------
  route('GET', '/orgs/{org}/installations', withOrg((c, org) =>
    page(c, org.installations, (slice) => ({ total_count: org.installations.length,
      installations: slice.map((i) => S.installation(c.api, org, i, i.suspended_by ? user(i.suspended_by) : null)) }))));
  const needsApp = (h: (c: Ctx, org: SimOrg) => void) => withOrg((c, org) =>
    c.auth.kind === 'installation' ? h(c, org) : fail(c, 403, 'Resource not accessible by personal access token'));
  route('GET', '/orgs/{org}/personal-access-tokens', needsApp((c, org) => {
    const owners = c.url.searchParams.getAll('owner[]');
    page(c, org.pats.filter((p) => !owners.length || owners.includes(p.owner)).map((p) => S.patGrant(c.api, org, p, user(p.owner))));
  }));
  route('POST', '/orgs/{org}/personal-access-tokens/{pat_id}', needsApp((c, org) => {
    const p = org.pats.find((x) => String(x.id) === c.params.pat_id);
    if (!p) return notFound(c);
    if ((c.body as { action?: string } | null)?.action !== 'revoke') return fail(c, 422, 'Validation Failed');
    org.pats = org.pats.filter((x) => x !== p);
    noContent(c);
  }));
  route('GET', '/orgs/{org}/personal-access-tokens/{pat_id}/repositories', needsApp((c, org) => {
    const p = org.pats.find((x) => String(x.id) === c.params.pat_id);
    if (!p) return notFound(c);
    const repos = p.repository_selection === 'all' ? org.repos : p.repos.map((n) => org.repos.find((r) => r.name === n)).filter((r) => !!r);
    page(c, repos.map((r) => S.repository(c.api, org, r!)));
  }));
  route('GET', '/orgs/{org}/credential-authorizations', withOrg((c, org) => {
    if (!org.credentialAuthorizations) return notFound(c);
    const login = c.url.searchParams.get('login');
    page(c, org.credentialAuthorizations.filter((x) => !login || x.login === login).map(S.credentialAuthorization));
  }));
  route('DELETE', '/orgs/{org}/credential-authorizations/{credential_id}', withOrg((c, org) => {
    const list = org.credentialAuthorizations;
    if (!list?.some((x) => String(x.credential_id) === c.params.credential_id)) return notFound(c);
    org.credentialAuthorizations = list.filter((x) => String(x.credential_id) !== c.params.credential_id);
    noContent(c);
  }));
  route('GET', '/orgs/{org}/secret-scanning/alerts', withOrg((c, org) => {
    if (!org.alerts) return fail(c, 404, 'Secret scanning is disabled on this organization.');
    const state = c.url.searchParams.get('state');
    const hide = c.url.searchParams.get('hide_secret') === 'true';
    const types = c.url.searchParams.get('secret_type')?.split(',').map((t) => t.trim()).filter(Boolean);
    const list = org.alerts.filter((a) => (!state || a.state === state) && (!types?.length || types.includes(a.secret_type)));
    page(c, list.map((a) => S.alert(c.api, org, org.repos.find((r) => r.name === a.repo)!, a, hide)));
  }));

  // --- Actions: the GITHUB_TOKEN's default permissions and the OIDC subject template ------------------------------
  route('GET', '/orgs/{org}/actions/permissions/workflow', withOrg((c, org) => send(c, 200, orgWorkflowPermissions(org))));
  route('GET', '/repos/{owner}/{repo}/actions/permissions/workflow', withRepo((c, org, repo) => send(c, 200, effectiveWorkflowPermissions(org, repo))));
  route('GET', '/orgs/{org}/actions/oidc/customization/sub', withOrg((c, org) =>
    org.oidcSubTemplate ? send(c, 200, { include_claim_keys: org.oidcSubTemplate }) : notFound(c)));
  route('GET', '/repos/{owner}/{repo}/actions/oidc/customization/sub', withRepo((c, _org, repo) => send(c, 200, repo.oidcSub ?? { use_default: true })));

  // --- the App itself (JWT) -------------------------------------------------------------------------------------
  route('GET', '/app', (c) => {
    const app = estate.app!;
    send(c, 200, { id: app.id, slug: app.slug, node_id: `MDM6QXBw${app.id}`, client_id: `Iv1.${app.id}`, owner: S.simpleUser(c.api, user('nhi-recon-owner')),
      name: app.slug, description: null, external_url: 'https://example.invalid', html_url: `${c.api}/apps/${app.slug}`,
      created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', permissions: appPermissions, events: [] });
  });
  route('GET', '/app/installations', (c) => {
    const app = estate.app!;
    page(c, app.installations.map((i) => {
      const org = estate.orgs.find((o) => o.login === i.org)!;
      const inst = S.installation(c.api, org, { id: i.id, app_id: app.id, app_slug: app.slug, repository_selection: 'all', permissions: appPermissions,
        events: [], created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', suspended_at: null, suspended_by: null }, null);
      // This route's description types the account as simple-user AND enterprise (allOf): carry both sets of fields.
      inst.account = { ...(inst.account as object), name: org.login, slug: org.login, created_at: org.created_at, updated_at: org.created_at };
      return inst;
    }));
  });
  // The App's own installations as org records (suspension lives there); only the App that owns one may see it.
  const unlisted = new Map<number, SimInstallation>();
  const ownInstallation = (id: string | undefined): { org: SimOrg; inst: SimInstallation } | null => {
    const app = estate.app!;
    const own = app.installations.find((i) => String(i.id) === id);
    if (!own) return null;
    const org = estate.orgs.find((o) => o.login === own.org)!;
    let inst = org.installations.find((i) => i.id === own.id && i.app_id === app.id);
    if (!inst) {
      // Not listed in the organisation's estate: kept aside, so reading it never changes what a collection sees.
      inst = unlisted.get(own.id) ?? { id: own.id, app_id: app.id, app_slug: app.slug, repository_selection: 'all', permissions: appPermissions, events: [],
        created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', suspended_at: null, suspended_by: null };
      unlisted.set(own.id, inst);
    }
    return { org, inst };
  };
  route('GET', '/app/installations/{installation_id}', (c) => {
    const own = ownInstallation(c.params.installation_id);
    if (!own) return notFound(c);
    const inst = S.installation(c.api, own.org, own.inst, own.inst.suspended_by ? user(own.inst.suspended_by) : null);
    inst.account = { ...(inst.account as object), name: own.org.login, slug: own.org.login, created_at: own.org.created_at, updated_at: own.org.created_at };
    send(c, 200, inst);
  });
  route('PUT', '/app/installations/{installation_id}/suspended', (c) => {
    const own = ownInstallation(c.params.installation_id);
    if (!own) return notFound(c);
    own.inst.suspended_at ??= new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    noContent(c);
  });
  route('DELETE', '/app/installations/{installation_id}/suspended', (c) => {
    const own = ownInstallation(c.params.installation_id);
    if (!own) return notFound(c);
    own.inst.suspended_at = null;
    own.inst.suspended_by = null;
    noContent(c);
  });
  route('GET', '/apps/{app_slug}', (c) => {
    const slug = c.params.app_slug;
    const own = estate.app && estate.app.slug === slug ? { id: estate.app.id, owner: 'nhi-recon-owner', owner_type: 'User' as const, name: slug, description: null } : undefined;
    const a = own ?? estate.apps?.[slug ?? ''];
    if (!a || !slug) return notFound(c);
    const ownerOrg = estate.orgs.find((o) => o.login === a.owner);
    const owner = a.owner_type === 'Organization'
      ? (ownerOrg ? S.orgAsUser(c.api, ownerOrg) : { ...S.simpleUser(c.api, user(a.owner)), type: 'Organization' })
      : S.simpleUser(c.api, user(a.owner));
    send(c, 200, { id: a.id, slug, node_id: `MDM6QXBw${a.id}`, client_id: `Iv1.${a.id}`, owner, name: a.name, description: a.description ?? null,
      external_url: 'https://example.invalid', html_url: `${c.api.replace(/\/api\/v3$/, '')}/apps/${slug}`, created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-01T00:00:00Z', permissions: {}, events: [] });
  });
  route('POST', '/app/installations/{installation_id}/access_tokens', (c) => {
    const inst = estate.app!.installations.find((i) => String(i.id) === c.params.installation_id);
    if (!inst) return notFound(c);
    // A suspended installation gets no token (GitHub: 403).
    if (ownInstallation(c.params.installation_id)?.inst.suspended_at) return fail(c, 403, 'This installation has been suspended');
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const expires = Date.now() + 3600_000;
    installationTokens.set(token, { installation: inst.id, org: inst.org, expires });
    send(c, 201, { token, expires_at: new Date(expires).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: appPermissions, repository_selection: 'all' });
  });

  const authenticate = (req: IncomingMessage, path: string): Ctx['auth'] | string => {
    const h = String(req.headers.authorization ?? '');
    const m = /^(?:token|bearer)\s+(.+)$/i.exec(h);
    if (!m) return 'Requires authentication';
    const cred = m[1]!.trim();
    if (path === '/app' || path.startsWith('/app/')) {
      const app = estate.app;
      if (!app || !verifyJwt(cred, app)) return 'A JSON web token could not be decoded';
      return { kind: 'jwt', key: `app:${app.id}` };
    }
    if (estate.tokens.includes(cred)) return { kind: 'token', key: `token:${createHash('sha256').update(cred).digest('hex').slice(0, 12)}` };
    const inst = installationTokens.get(cred);
    if (inst && inst.expires > Date.now()) return { kind: 'installation', key: `installation:${inst.installation}`, org: inst.org };
    return 'Bad credentials';
  };

  const handler = async (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    stats.requests++;
    const host = req.headers.host ?? '127.0.0.1';
    const url = new URL(req.url ?? '/', `http://${host}`);
    const api = `http://${host}${prefix}`;
    if (prefix && !url.pathname.startsWith(prefix)) return error(res, 404, 'Not Found');
    const path = url.pathname.slice(prefix.length) || '/';
    const auth = authenticate(req, path);
    if (typeof auth === 'string') return error(res, 401, auth);
    const b = bucket(auth.key);
    if (b.remaining <= 0) {
      rateHeaders(res, auth.key);
      return error(res, 403, `API rate limit exceeded for ${auth.kind}. Check out the documentation for more information.`);
    }
    if (opts.forbid?.test(`${req.method} ${path}`)) { rateHeaders(res, auth.key); return error(res, 403, 'Resource not accessible by integration'); }
    let body: unknown = null;
    if (rawBody) { try { body = JSON.parse(rawBody); } catch { return error(res, 400, 'Problems parsing JSON'); } }
    for (const [method, re, names, h, template] of routes) {
      if (method !== req.method) continue;
      const m = re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]!); });
      stats.byRoute[`${method} ${template}`] = (stats.byRoute[`${method} ${template}`] ?? 0) + 1;
      return h({ req, res, url, api, params, body, auth });
    }
    error(res, 404, 'Not Found');
  };

  const server = await serve(handler, { latencyMs: opts.latencyMs, faults, faultResponse: githubFault });
  return {
    ...server,
    apiUrl: `${server.url}${prefix}`,
    estate,
    stats,
    faults,
    resetStats() { stats.requests = 0; stats.notModified = 0; stats.mutations = 0; stats.byRoute = {}; },
  };
}

/** Injected faults in GitHub's own shapes: a secondary rate limit is a 403 with retry-after. */
function githubFault(res: ServerResponse, f: Fault): void {
  res.setHeader('content-type', 'application/json; charset=utf-8');
  if (f.kind === 'throttle') {
    res.statusCode = f.status ?? 403;
    res.setHeader('retry-after', String(f.retryAfter ?? 1));
    res.end(JSON.stringify({ message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: String(res.statusCode) }));
    return;
  }
  res.statusCode = f.status ?? 500;
  const msg = res.statusCode === 403 ? 'Resource not accessible by integration' : res.statusCode === 502 ? 'Server Error' : 'Internal Server Error';
  res.end(JSON.stringify({ message: msg, documentation_url: DOCS, status: String(res.statusCode) }));
}

const appPermissions = { members: 'read', administration: 'read', organization_administration: 'read', organization_personal_access_tokens: 'write',
  organization_secrets: 'read', secrets: 'read', secret_scanning_alerts: 'read', metadata: 'read' };

export function orgWorkflowPermissions(org: SimOrg): SimWorkflowPermissions {
  return org.workflowPermissions ?? { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false };
}

/** A repository's effective setting: its own, never more permissive than its organisation's (GitHub disables the rest). */
export function effectiveWorkflowPermissions(org: SimOrg, repo: SimRepo): SimWorkflowPermissions {
  const o = orgWorkflowPermissions(org);
  const r = repo.workflowPermissions ?? o;
  return {
    default_workflow_permissions: o.default_workflow_permissions === 'read' ? 'read' : r.default_workflow_permissions,
    can_approve_pull_request_reviews: o.can_approve_pull_request_reviews && r.can_approve_pull_request_reviews,
  };
}

const RANK: Record<RepoPermission, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** Every login with access to a repo and its highest permission: direct, teams, owners, base permission. */
export function effectiveAccess(org: SimOrg, repo: SimRepo): Map<string, RepoPermission> {
  const out = new Map<string, RepoPermission>();
  const add = (l: string, p: RepoPermission) => { const cur = out.get(l); if (!cur || RANK[p] > RANK[cur]) out.set(l, p); };
  for (const [l, p] of Object.entries(repo.collaborators)) add(l, p);
  for (const t of org.teams) { const p = t.repos[repo.name]; if (p) for (const m of t.members) add(m.login, p); }
  for (const m of org.members) {
    if (m.role === 'admin') add(m.login, 'admin');
    else if (org.default_repository_permission !== 'none') add(m.login, org.default_repository_permission);
  }
  return out;
}

function fromApiPermission(p: string): RepoPermission {
  return ({ pull: 'read', push: 'write', triage: 'triage', maintain: 'maintain', admin: 'admin', read: 'read', write: 'write' } as Record<string, RepoPermission>)[p] ?? 'write';
}

function hashId(s: string): number { return createHash('sha256').update(s).digest().readUInt32BE(0) % 1_000_000_000; }

/** RS256 JWT check as GitHub does it for an App: signature by the App's key, iss = app id, not expired. */
function verifyJwt(jwt: string, app: { id: number; publicKeyPem: string }): boolean {
  const parts = jwt.split('.');
  if (parts.length !== 3) return false;
  try {
    const ok = verifySig('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(app.publicKeyPem), Buffer.from(parts[2]!, 'base64url'));
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: string | number; exp?: number };
    return ok && String(claims.iss) === String(app.id) && (claims.exp ?? 0) * 1000 > Date.now() - 60_000;
  } catch { return false; }
}
