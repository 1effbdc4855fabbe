// A GitLab REST (v4) simulator on 127.0.0.1: the routes in routes.ts served from a GitLabEstate with GitLab's
// behaviours — PRIVATE-TOKEN auth with token scopes (read_api cannot write), role checks (Maintainer/Owner) and
// administrator-only instance listings, ids or URL-encoded full paths, offset pagination (x-page, x-next-page,
// x-total, Link) or keyset pagination (Link only), weak ETags with 304, RateLimit-* headers and 429 with
// Retry-After, GitLab's error bodies ({"message": "404 Group Not Found"}), and the mutations remediation uses.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultPlan, serve, type Fault, type SimServer } from '../http.js';
import { dateOnly, groupPath, iso, projectPath, type GitLabEstate, type SimAccessToken, type SimGroup, type SimMember, type SimProject, type SimUser } from './estate.js';

export interface GitLabSimOptions {
  estate: GitLabEstate;
  latencyMs?: number;
  faults?: FaultPlan;
  /** Requests per caller per window (RateLimit-* headers; past it, 429 with Retry-After). */
  rateLimit?: { limit: number; windowSeconds?: number };
  /** 'keyset': list pages carry only a Link rel="next" with a cursor (no x-next-page, no x-total). */
  pagination?: 'offset' | 'keyset';
  /** Offset pages whose Link header is left out (x-next-page only), on paths matching this. */
  dropLink?: RegExp;
  /** Answer 403 Forbidden on requests whose path matches this (a group the token cannot read). */
  forbid?: RegExp;
}

export interface SimStats { requests: number; notModified: number; mutations: number; byRoute: Record<string, number> }

export interface GitLabSim extends SimServer {
  estate: GitLabEstate;
  stats: SimStats;
  faults: FaultPlan;
  resetStats(): void;
}

interface Ctx {
  req: IncomingMessage; res: ServerResponse; url: URL; base: string; params: Record<string, string>; body: Record<string, unknown>;
  caller: SimUser; scopes: string[]; token: string;
}
type RouteHandler = (c: Ctx) => void;

const LEVEL_OWNER = 50;
const LEVEL_MAINTAINER = 40;

export async function startGitLabSim(opts: GitLabSimOptions): Promise<GitLabSim> {
  const estate = opts.estate;
  const faults = opts.faults ?? new FaultPlan();
  const stats: SimStats = { requests: 0, notModified: 0, mutations: 0, byRoute: {} };
  const limit = opts.rateLimit?.limit ?? 2000;
  const windowMs = (opts.rateLimit?.windowSeconds ?? 60) * 1000;
  const buckets = new Map<string, { remaining: number; reset: number }>();
  const bucket = (key: string) => {
    let b = buckets.get(key);
    const now = Date.now();
    if (!b || b.reset * 1000 <= now) { b = { remaining: limit, reset: Math.ceil((now + windowMs) / 1000) }; buckets.set(key, b); }
    return b;
  };
  const rateHeaders = (res: ServerResponse, key: string) => {
    const b = bucket(key);
    res.setHeader('ratelimit-limit', String(limit));
    res.setHeader('ratelimit-observed', String(limit - b.remaining));
    res.setHeader('ratelimit-remaining', String(b.remaining));
    res.setHeader('ratelimit-reset', String(b.reset));
    res.setHeader('ratelimit-resettime', new Date(b.reset * 1000).toUTCString());
  };
  const error = (res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(JSON.stringify(body));
  };
  const fail = (c: Ctx, status: number, message: string) => { rateHeaders(c.res, c.token); error(c.res, status, { message }); };
  const send = (c: Ctx, status: number, value: unknown, headers: Record<string, string> = {}) => {
    const text = value === null ? '' : JSON.stringify(value);
    for (const [k, v] of Object.entries(headers)) c.res.setHeader(k, v);
    rateHeaders(c.res, c.token);
    if (c.req.method === 'GET' && status === 200) {
      // Rack::ETag: a weak ETag over the body; Vary makes it per caller.
      const etag = `W/"${createHash('md5').update(c.token).update(text).digest('hex')}"`;
      c.res.setHeader('etag', etag);
      c.res.setHeader('vary', 'Origin');
      c.res.setHeader('cache-control', 'max-age=0, private, must-revalidate');
      if (c.req.headers['if-none-match'] === etag) { stats.notModified++; c.res.statusCode = 304; c.res.end(); return; }
    }
    c.res.statusCode = status;
    if (status === 204) { c.res.end(); return; }
    c.res.setHeader('content-type', 'application/json');
    c.res.end(text);
  };

  /** GitLab pagination: offset (page/per_page, x-* headers and Link) or keyset (Link with a cursor only). */
  const page = <T extends { id?: number }>(c: Ctx, items: T[], render: (x: T) => unknown) => {
    const perPage = Math.min(100, Math.max(1, Number(c.url.searchParams.get('per_page') ?? 20) || 20));
    const link = (q: Record<string, string>) => {
      const u = new URL(c.url.toString());
      for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
      return `${c.base}${u.pathname}${u.search}`;
    };
    if (opts.pagination === 'keyset' || c.url.searchParams.get('pagination') === 'keyset') {
      const after = Number(c.url.searchParams.get('id_after') ?? 0);
      const sorted = [...items].sort((a, b) => (a.id ?? 0) - (b.id ?? 0)).filter((x) => (x.id ?? 0) > after);
      const slice = sorted.slice(0, perPage);
      const headers: Record<string, string> = {};
      if (sorted.length > perPage) headers.link = `<${link({ pagination: 'keyset', id_after: String(slice[slice.length - 1]!.id), per_page: String(perPage) })}>; rel="next"`;
      return send(c, 200, slice.map(render), headers);
    }
    const n = Math.max(1, Number(c.url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((n - 1) * perPage, n * perPage);
    const rels = [`<${link({ page: '1', per_page: String(perPage) })}>; rel="first"`, `<${link({ page: String(last), per_page: String(perPage) })}>; rel="last"`];
    if (n < last) rels.unshift(`<${link({ page: String(n + 1), per_page: String(perPage) })}>; rel="next"`);
    if (n > 1) rels.unshift(`<${link({ page: String(n - 1), per_page: String(perPage) })}>; rel="prev"`);
    const headers: Record<string, string> = {
      'x-page': String(n), 'x-per-page': String(perPage), 'x-next-page': n < last ? String(n + 1) : '', 'x-prev-page': n > 1 ? String(n - 1) : '',
      'x-total': String(items.length), 'x-total-pages': String(last),
    };
    if (!opts.dropLink?.test(c.url.pathname)) headers.link = rels.join(', ');
    send(c, 200, slice.map(render), headers);
  };

  // --- lookups and access --------------------------------------------------------------------------------------
  const user = (id: number) => estate.users.find((u) => u.id === id);
  const ancestors = (g: SimGroup): SimGroup[] => {
    const out = [g];
    for (let p = g.parent_id; p !== null;) { const x = estate.groups.find((y) => y.id === p)!; out.push(x); p = x.parent_id; }
    return out;
  };
  const groupLevel = (u: SimUser, g: SimGroup) => u.is_admin ? LEVEL_OWNER : Math.max(0, ...ancestors(g).flatMap((x) => x.members.filter((m) => m.user_id === u.id).map((m) => m.access_level)));
  const projectLevel = (u: SimUser, p: SimProject) => Math.max(groupLevel(u, estate.groups.find((g) => g.id === p.namespace_id)!), ...p.members.filter((m) => m.user_id === u.id).map((m) => m.access_level));
  const byIdOrPath = <T extends { id: number }>(list: T[], key: string, path: (x: T) => string) => /^\d+$/.test(key) ? list.find((x) => x.id === Number(key)) : list.find((x) => path(x).toLowerCase() === key.toLowerCase());
  /** The group, when the caller may see it at `min` level; 404 when invisible, 403 when visible but not enough. */
  const withGroup = (min: number, h: (c: Ctx, g: SimGroup) => void): RouteHandler => (c) => {
    const g = byIdOrPath(estate.groups, c.params.id!, (x) => groupPath(estate, x));
    const lvl = g ? groupLevel(c.caller, g) : 0;
    if (!g || lvl === 0) return fail(c, 404, '404 Group Not Found');
    if (lvl < min) return fail(c, 403, '403 Forbidden');
    h(c, g);
  };
  const withProject = (min: number, h: (c: Ctx, p: SimProject) => void): RouteHandler => (c) => {
    const p = byIdOrPath(estate.projects, c.params.id!, (x) => projectPath(estate, x));
    const lvl = p ? projectLevel(c.caller, p) : 0;
    if (!p || lvl === 0) return fail(c, 404, '404 Project Not Found');
    if (lvl < min) return fail(c, 403, '403 Forbidden');
    h(c, p);
  };
  const descendants = (g: SimGroup): SimGroup[] => estate.groups.filter((x) => x.id !== g.id && ancestors(x).some((a) => a.id === g.id));

  // --- shapes (GitLab's API entities) ---------------------------------------------------------------------------
  const userBasic = (c: Ctx, u: SimUser) => ({ id: u.id, username: u.username, name: u.name, state: u.state, locked: false,
    avatar_url: null, web_url: `${c.base}/${u.username}` });
  const memberShape = (c: Ctx, m: SimMember) => {
    const u = user(m.user_id)!;
    return { ...userBasic(c, u), access_level: m.access_level, created_at: m.created_at, expires_at: m.expires_at, membership_state: 'active' };
  };
  const groupShape = (c: Ctx, g: SimGroup) => ({ id: g.id, web_url: `${c.base}/groups/${groupPath(estate, g)}`, name: g.name, path: g.path, description: '',
    visibility: 'private', full_name: ancestors(g).reverse().map((x) => x.name).join(' / '), full_path: groupPath(estate, g), parent_id: g.parent_id,
    created_at: g.created_at });
  const projectShape = (c: Ctx, p: SimProject) => {
    const ns = estate.groups.find((g) => g.id === p.namespace_id)!;
    const full = projectPath(estate, p);
    return { id: p.id, description: null, name: p.name, name_with_namespace: `${groupShape(c, ns).full_name} / ${p.name}`, path: p.path, path_with_namespace: full,
      created_at: p.created_at, default_branch: 'main', tag_list: [], topics: [], ssh_url_to_repo: `git@127.0.0.1:${full}.git`, http_url_to_repo: `${c.base}/${full}.git`,
      web_url: `${c.base}/${full}`, visibility: 'private', archived: false,
      namespace: { id: ns.id, name: ns.name, path: ns.path, kind: 'group', full_path: groupPath(estate, ns), parent_id: ns.parent_id, avatar_url: null, web_url: `${c.base}/groups/${groupPath(estate, ns)}` } };
  };
  const resourceToken = (t: SimAccessToken, type: 'project' | 'group', resourceId: number) => ({ id: t.id, name: t.name, revoked: t.revoked, created_at: t.created_at,
    description: t.description, scopes: t.scopes, user_id: t.user_id, last_used_at: t.last_used_at, active: t.active && !t.revoked && !expired(t.expires_at), expires_at: t.expires_at,
    access_level: t.access_level, resource_type: type, resource_id: resourceId });
  const patShape = (t: GitLabEstate['pats'][number]) => ({ id: t.id, name: t.name, revoked: t.revoked, created_at: t.created_at, description: t.description, scopes: t.scopes,
    user_id: t.user_id, last_used_at: t.last_used_at, active: t.active && !t.revoked && !expired(t.expires_at), expires_at: t.expires_at });
  const deployTokenShape = (t: GitLabEstate['groups'][number]['deployTokens'][number]) => ({ id: t.id, name: t.name, username: t.username, expires_at: t.expires_at,
    scopes: t.scopes, revoked: t.revoked, expired: t.expired || expired(t.expires_at) });
  const deployKeyShape = (k: SimProject['deployKeys'][number]) => ({ id: k.id, title: k.title, created_at: k.created_at, expires_at: k.expires_at, key: k.key,
    fingerprint_sha256: `SHA256:${createHash('sha256').update(Buffer.from(k.key.split(/\s+/)[1] ?? '', 'base64')).digest('base64').replace(/=+$/, '')}`,
    usage_type: 'auth_and_signing', can_push: k.can_push });
  // The variable API returns the value itself: the simulator does too, so the connector's stripping is tested for real.
  const variableShape = (v: SimProject['variables'][number]) => ({ variable_type: v.variable_type, key: v.key, value: v.hidden ? null : v.value, hidden: v.hidden,
    protected: v.protected, masked: v.masked, raw: v.raw, environment_scope: v.environment_scope, description: v.description });

  // --- routes ---------------------------------------------------------------------------------------------------
  const routes: [string, RegExp, string[], RouteHandler, string][] = [];
  const route = (method: string, path: string, h: RouteHandler) => {
    const names: string[] = [];
    const re = new RegExp('^' + path.replace(/\{(\w+)\}/g, (_, n: string) => { names.push(n); return '([^/]+)'; }) + '$');
    routes.push([method, re, names, h, path]);
  };
  const mutated = () => { stats.mutations++; };

  route('GET', '/api/v4/user', (c) => send(c, 200, { ...userBasic(c, c.caller), created_at: '2020-01-01T00:00:00.000Z', bio: '', location: '', public_email: null,
    skype: '', linkedin: '', twitter: '', discord: '', website_url: '', organization: '', job_title: '', pronouns: null, bot: !!c.caller.bot, work_information: null,
    local_time: null, last_sign_in_at: null, confirmed_at: '2020-01-01T00:00:00.000Z', last_activity_on: null, email: `${c.caller.username}@example.com`,
    theme_id: 1, color_scheme_id: 1, projects_limit: 100000, current_sign_in_at: null, identities: [], can_create_group: true, can_create_project: true,
    two_factor_enabled: false, external: false, private_profile: false, commit_email: null, is_admin: !!c.caller.is_admin }));
  route('GET', '/api/v4/groups/{id}', withGroup(1, (c, g) => send(c, 200, groupShape(c, g))));
  route('GET', '/api/v4/groups/{id}/descendant_groups', withGroup(1, (c, g) => page(c, descendants(g).filter((x) => groupLevel(c.caller, x) > 0), (x) => groupShape(c, x))));
  route('GET', '/api/v4/groups/{id}/projects', withGroup(1, (c, g) => {
    const scope = c.url.searchParams.get('include_subgroups') === 'true' ? [g, ...descendants(g)] : [g];
    page(c, estate.projects.filter((p) => scope.some((x) => x.id === p.namespace_id)), (p) => projectShape(c, p));
  }));
  route('GET', '/api/v4/groups/{id}/members', withGroup(1, (c, g) => page(c, g.members.map((m) => ({ ...m, id: m.user_id })), (m) => memberShape(c, m))));
  route('GET', '/api/v4/groups/{id}/members/all', withGroup(1, (c, g) => {
    // Direct and inherited members, each once with the highest access level (as GitLab answers).
    const best = new Map<number, SimMember>();
    for (const x of ancestors(g)) for (const m of x.members) { const b = best.get(m.user_id); if (!b || m.access_level > b.access_level) best.set(m.user_id, m); }
    page(c, [...best.values()].map((m) => ({ ...m, id: m.user_id })), (m) => memberShape(c, m));
  }));
  route('GET', '/api/v4/projects/{id}/members', withProject(1, (c, p) => page(c, p.members.map((m) => ({ ...m, id: m.user_id })), (m) => memberShape(c, m))));

  for (const kind of ['groups', 'projects'] as const) {
    const within = kind === 'groups' ? withGroup : withProject;
    const tokenMin = kind === 'groups' ? LEVEL_OWNER : LEVEL_MAINTAINER;
    // GitLab: a group's deploy tokens and CI/CD variables need Owner (admin_group / admin_cicd_variables on a group),
    // a project's Maintainer.
    const adminMin = kind === 'groups' ? LEVEL_OWNER : LEVEL_MAINTAINER;
    const type = kind === 'groups' ? 'group' : 'project';
    route('GET', `/api/v4/${kind}/{id}/access_tokens`, within(tokenMin, (c, x) => {
      // GitLab lists active tokens unless asked for a state; revoked and expired ones stay listable with state=inactive.
      const state = c.url.searchParams.get('state');
      const list = x.accessTokens.filter((t) => !state || (state === 'active') === (t.active && !t.revoked && !expired(t.expires_at)));
      page(c, list, (t) => resourceToken(t, type, x.id));
    }));
    route('GET', `/api/v4/${kind}/{id}/access_tokens/{token_id}`, within(tokenMin, (c, x) => {
      const t = x.accessTokens.find((y) => String(y.id) === c.params.token_id);
      return t ? send(c, 200, resourceToken(t, type, x.id)) : fail(c, 404, '404 Not found');
    }));
    route('DELETE', `/api/v4/${kind}/{id}/access_tokens/{token_id}`, within(tokenMin, (c, x) => {
      const t = x.accessTokens.find((y) => String(y.id) === c.params.token_id && !y.revoked);
      if (!t) return fail(c, 404, '404 Not found');
      // Revoking a resource access token revokes it and removes (then deletes) its bot user's membership.
      t.revoked = true; t.active = false;
      x.members = x.members.filter((m) => m.user_id !== t.user_id);
      mutated(); send(c, 204, null);
    }));
    route('GET', `/api/v4/${kind}/{id}/deploy_tokens`, within(adminMin, (c, x) => {
      const active = c.url.searchParams.get('active');
      page(c, x.deployTokens.filter((t) => active !== 'true' || (!t.revoked && !t.expired)), deployTokenShape);
    }));
    route('GET', `/api/v4/${kind}/{id}/deploy_tokens/{token_id}`, within(adminMin, (c, x) => {
      const t = x.deployTokens.find((y) => String(y.id) === c.params.token_id);
      return t ? send(c, 200, deployTokenShape(t)) : fail(c, 404, '404 Deploy Token Not Found');
    }));
    route('DELETE', `/api/v4/${kind}/{id}/deploy_tokens/{token_id}`, within(adminMin, (c, x) => {
      const t = x.deployTokens.find((y) => String(y.id) === c.params.token_id);
      if (!t) return fail(c, 404, '404 Deploy Token Not Found');
      x.deployTokens = x.deployTokens.filter((y) => y !== t);
      mutated(); send(c, 204, null);
    }));
    route('GET', `/api/v4/${kind}/{id}/variables`, within(adminMin, (c, x) => page(c, x.variables.map((v, i) => ({ ...v, id: i + 1 })), variableShape)));
  }

  route('GET', '/api/v4/projects/{id}/deploy_keys', withProject(LEVEL_MAINTAINER, (c, p) => page(c, p.deployKeys, deployKeyShape)));
  route('GET', '/api/v4/projects/{id}/deploy_keys/{key_id}', withProject(LEVEL_MAINTAINER, (c, p) => {
    const k = p.deployKeys.find((y) => String(y.id) === c.params.key_id);
    return k ? send(c, 200, deployKeyShape(k)) : fail(c, 404, '404 Not found');
  }));
  route('POST', '/api/v4/projects/{id}/deploy_keys', withProject(LEVEL_MAINTAINER, (c, p) => {
    const b = c.body as { title?: string; key?: string; can_push?: boolean; expires_at?: string | null };
    if (!b.title || !b.key) return error(c.res, 400, { error: !b.title ? 'title is missing' : 'key is missing' });
    if (p.deployKeys.some((k) => k.key.split(/\s+/)[1] === b.key!.split(/\s+/)[1])) return error(c.res, 400, { message: { 'deploy_key.fingerprint_sha256': ['has already been taken'] } });
    const k = { id: ++estate.nextId, title: b.title, key: b.key, created_at: iso(Date.now()), expires_at: b.expires_at ?? null, can_push: !!b.can_push };
    p.deployKeys.push(k);
    mutated(); send(c, 201, deployKeyShape(k));
  }));
  route('DELETE', '/api/v4/projects/{id}/deploy_keys/{key_id}', withProject(LEVEL_MAINTAINER, (c, p) => {
    const k = p.deployKeys.find((y) => String(y.id) === c.params.key_id);
    if (!k) return fail(c, 404, '404 Deploy key Not Found');
    p.deployKeys = p.deployKeys.filter((y) => y !== k);
    mutated(); send(c, 204, null);
  }));

  // Instance-wide PATs: an administrator sees everyone's (optionally one user's); anyone else only their own.
  const visiblePats = (c: Ctx) => estate.pats.filter((t) => c.caller.is_admin || t.user_id === c.caller.id);
  route('GET', '/api/v4/personal_access_tokens', (c) => {
    const uid = c.url.searchParams.get('user_id');
    const state = c.url.searchParams.get('state');
    const revoked = c.url.searchParams.get('revoked');
    page(c, visiblePats(c).filter((t) => (!uid || String(t.user_id) === uid) && (!state || (state === 'active') === (t.active && !t.revoked))
      && (revoked === null || String(t.revoked) === revoked)), patShape);
  });
  route('GET', '/api/v4/personal_access_tokens/{id}', (c) => {
    const t = visiblePats(c).find((x) => String(x.id) === c.params.id);
    return t ? send(c, 200, patShape(t)) : fail(c, 404, '404 Not Found');
  });
  route('DELETE', '/api/v4/personal_access_tokens/{id}', (c) => {
    const t = visiblePats(c).find((x) => String(x.id) === c.params.id);
    if (!t) return fail(c, 404, '404 Not Found');
    if (t.revoked) return fail(c, 400, '400 Bad request - Token already revoked');
    t.revoked = true; t.active = false;
    mutated(); send(c, 204, null);
  });
  // gitlab.com: a top-level group's Owners list the PATs of the group's enterprise users. Not on self-managed (404).
  route('GET', '/api/v4/groups/{id}/manage/personal_access_tokens', withGroup(LEVEL_OWNER, (c, g) => {
    if (!estate.dotcom || g.parent_id !== null) return fail(c, 404, '404 Not Found');
    const enterprise = new Set(estate.users.filter((u) => u.enterprise_group_id === g.id).map((u) => u.id));
    page(c, estate.pats.filter((t) => enterprise.has(t.user_id)), patShape);
  }));

  const faultResponse = (res: ServerResponse, f: Fault) => {
    if (f.kind === 'throttle') {
      // GitLab's throttle answer: Retry-After and RateLimit-*; a fault without retryAfter sends RateLimit-Reset alone.
      const reset = Math.ceil(Date.now() / 1000) + (f.retryAfter ?? 1);
      return error(res, 429, { message: 'Retry later' }, { ...(f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {}), 'ratelimit-limit': String(limit),
        'ratelimit-remaining': '0', 'ratelimit-reset': String(reset), 'ratelimit-observed': String(limit) });
    }
    error(res, f.status ?? 500, { message: `${f.status ?? 500} Internal Server Error` });
  };

  const server = await serve(async (req, res, rawBody) => {
    stats.requests++;
    const addr = req.socket.localAddress ?? '127.0.0.1';
    const base = `http://${addr}:${req.socket.localPort}`;
    const url = new URL(req.url ?? '/', base);
    const token = String(req.headers['private-token'] ?? '') || String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const t = estate.tokens.find((x) => x.value === token);
    const caller = t ? user(t.user_id) : undefined;
    if (!t || !caller || caller.state !== 'active') return error(res, 401, { message: '401 Unauthorized' });
    const method = req.method ?? 'GET';
    if (method !== 'GET' && !t.scopes.includes('api')) {
      return error(res, 403, { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api' });
    }
    if (method === 'GET' && !t.scopes.some((s) => s === 'api' || s === 'read_api')) {
      return error(res, 403, { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api read_api' });
    }
    // Path parameters arrive URL-encoded (acme%2Fplatform): match on the raw path, decode each parameter.
    const rawPath = (req.url ?? '/').split('?')[0]!;
    for (const [m, re, names, h, path] of routes) {
      if (m !== method) continue;
      const hit = re.exec(rawPath);
      if (!hit) continue;
      stats.byRoute[`${m} ${path}`] = (stats.byRoute[`${m} ${path}`] ?? 0) + 1;
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(hit[i + 1]!)]));
      let body: Record<string, unknown> = {};
      if (rawBody) { try { body = JSON.parse(rawBody) as Record<string, unknown>; } catch { return error(res, 400, { error: 'invalid JSON body' }); } }
      const c: Ctx = { req, res, url, base, params, body, caller, scopes: t.scopes, token };
      if (opts.forbid?.test(decodeURIComponent(rawPath))) return fail(c, 403, '403 Forbidden');
      if (limit && bucket(token).remaining <= 0) {
        const b = bucket(token);
        rateHeaders(res, token);
        return error(res, 429, { message: 'Retry later' }, { 'retry-after': String(Math.max(1, b.reset - Math.floor(Date.now() / 1000))) });
      }
      bucket(token).remaining--;
      return h(c);
    }
    error(res, 404, { error: '404 Not Found' });
  }, { latencyMs: opts.latencyMs, faults, faultResponse });

  return {
    ...server, estate, stats, faults,
    resetStats() { stats.requests = 0; stats.notModified = 0; stats.mutations = 0; stats.byRoute = {}; },
  };
}

function expired(expiresAt: string | null): boolean {
  return !!expiresAt && expiresAt < dateOnly(Date.now());
}
