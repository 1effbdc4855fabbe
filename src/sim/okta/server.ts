// A local Okta simulator speaking the management API routes the real SDK calls (see routes.ts), in the shapes of
// Okta's OpenAPI description (checked by test/sim/okta/contract.test.ts). It accepts `Authorization: SSWS <token>`,
// pages /api/v1/apps with `limit`/`after` and Link rel="next", sends X-Rate-Limit-Limit/Remaining/Reset on every
// answer, throttles with 429 E0000047 and a reset time, and answers errors as {errorCode, errorSummary, errorLink,
// errorId, errorCauses}. Client secrets are listed with their value, as Okta does: the connector must drop it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { FaultPlan, json, serve, type Fault, type SimServer } from '../http.js';
import type { OktaEstate, SimApp, SimJwk, SimRole, SimSecret, SimUser } from './estate.js';

export interface OktaSimOptions {
  latencyMs?: number;
  faults?: FaultPlan;
  /** The SSWS API token the simulator accepts; any other answers 401. */
  token?: string;
  /** Default page size of /api/v1/apps (small values make paging visible in tests). */
  pageSize?: number;
  /** Paths (substring of "METHOD /path") whose listing never ends: every page links to the same next page. */
  loopPaging?: string[];
}

export interface OktaSim extends SimServer {
  estate: OktaEstate;
  faults: FaultPlan;
  /** Every request served, as "METHOD /path?query". */
  log: string[];
}

const RATE_LIMIT = 600;

function errorBody(code: string, summary: string): Record<string, unknown> {
  return { errorCode: code, errorSummary: summary, errorLink: code, errorId: `oae${randomBytes(9).toString('base64url')}`, errorCauses: [] };
}

function rateHeaders(remaining = RATE_LIMIT - 1, resetInSeconds = 60): Record<string, string> {
  return { 'x-rate-limit-limit': String(RATE_LIMIT), 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds) };
}

function oerr(res: ServerResponse, status: number, code: string, summary: string, headers: Record<string, string> = {}): void {
  json(res, status, errorBody(code, summary), { ...rateHeaders(), ...headers });
}

function faultResponse(res: ServerResponse, f: Fault): void {
  if (f.kind === 'throttle') {
    // Okta says when the window resets (epoch seconds), not how long to wait; the Date header lets a client allow for skew.
    return oerr(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.', { ...rateHeaders(0, f.retryAfter ?? 1), date: new Date().toUTCString() });
  }
  const status = f.status ?? 500;
  if (status === 403) return oerr(res, 403, 'E0000006', 'You do not have permission to perform the requested action');
  if (status === 404) return oerr(res, 404, 'E0000007', 'Not found: Resource not found');
  oerr(res, status, 'E0000009', 'Internal Server Error');
}

export function userJson(u: SimUser, base: string): Record<string, unknown> {
  return {
    id: u.id, status: u.status, created: u.created, activated: u.created, statusChanged: u.created, lastLogin: u.lastLogin,
    lastUpdated: u.created, passwordChanged: u.created, type: { id: 'oty1default' },
    profile: { login: u.login, email: u.email, firstName: u.firstName, lastName: u.lastName },
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${base}/api/v1/users/${u.id}` } },
  };
}

export function appJson(a: SimApp, base: string): Record<string, unknown> {
  const links = {
    self: { href: `${base}/api/v1/apps/${a.id}` },
    ...(a.status === 'ACTIVE' ? { deactivate: { href: `${base}/api/v1/apps/${a.id}/lifecycle/deactivate` } } : { activate: { href: `${base}/api/v1/apps/${a.id}/lifecycle/activate` } }),
  };
  const common = { id: a.id, label: a.label, status: a.status, created: a.created, lastUpdated: a.lastUpdated, features: [], signOnMode: a.signOnMode,
    visibility: { autoSubmitToolbar: false, hide: { iOS: true, web: true }, appLinks: {} }, accessibility: { selfService: false } };
  if (a.signOnMode === 'SAML_2_0') {
    return { ...common, name: 'wiki_saml', credentials: { userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' } },
      settings: { app: {}, signOn: { allowMultipleAcsEndpoints: false, assertionSigned: true, honorForceAuthn: true, requestCompressed: false, responseSigned: true } }, _links: links };
  }
  return {
    ...common, name: 'oidc_client',
    credentials: { userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      oauthClient: { autoKeyRotation: true, client_id: a.clientId, token_endpoint_auth_method: a.authMethod } },
    settings: { app: {}, oauthClient: { application_type: a.applicationType, grant_types: a.grantTypes, response_types: a.applicationType === 'service' ? ['token'] : ['code'],
      consent_method: 'REQUIRED', issuer_mode: 'DYNAMIC' } },
    _links: links,
  };
}

function secretJson(s: SimSecret, app: SimApp, base: string): Record<string, unknown> {
  const self = `${base}/api/v1/apps/${app.id}/credentials/secrets/${s.id}`;
  return { id: s.id, status: s.status, client_secret: s.value, secret_hash: s.secretHash, created: s.created, lastUpdated: s.lastUpdated,
    _links: s.status === 'ACTIVE' ? { deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ['POST'] } } }
      : { activate: { href: `${self}/lifecycle/activate`, hints: { allow: ['POST'] } }, delete: { href: self, hints: { allow: ['DELETE'] } } } };
}

function jwkJson(k: SimJwk): Record<string, unknown> {
  return { id: k.id, kid: k.kid, status: k.status, created: k.created, lastUpdated: k.lastUpdated, kty: 'RSA', alg: 'RS256', use: 'sig', e: k.e, n: k.n };
}

function roleJson(r: SimRole, app: SimApp, base: string): Record<string, unknown> {
  const common = { id: r.id, type: r.type, label: r.label, status: r.status, created: r.created, lastUpdated: r.lastUpdated, assignmentType: 'CLIENT' };
  if (r.type === 'CUSTOM') {
    return { ...common, role: r.role, 'resource-set': r.resourceSet,
      _links: { assignee: { href: `${base}/oauth2/v1/clients/${app.clientId}` }, role: { href: `${base}/api/v1/iam/roles/${r.role}` }, 'resource-set': { href: `${base}/api/v1/iam/resource-sets/${r.resourceSet}` } } };
  }
  return { ...common, _links: { assignee: { href: `${base}/oauth2/v1/clients/${app.clientId}` } } };
}

export async function startOktaSim(estate: OktaEstate, opts: OktaSimOptions = {}): Promise<OktaSim> {
  const faults = opts.faults ?? new FaultPlan();
  const token = opts.token ?? 'sim-okta-token';
  const defSize = opts.pageSize ?? 200;
  const sim = { estate, faults, log: [] as string[] } as OktaSim;
  let base = '';

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const q = url.searchParams;
    sim.log.push(`${method} ${path}${url.search}`);
    if (req.headers.authorization !== `SSWS ${token}`) return oerr(res, 401, 'E0000011', 'Invalid token provided');
    const ok = (value: unknown, headers: Record<string, string> = {}) => json(res, 200, value, { ...rateHeaders(), ...headers });
    const empty = (status: number) => { res.statusCode = status; for (const [k, v] of Object.entries(rateHeaders())) res.setHeader(k, v); res.end(); };
    const notFound = (what: string, id: string) => oerr(res, 404, 'E0000007', `Not found: Resource not found: ${id} (${what})`);
    const app = (id: string) => estate.apps.find((a) => a.id === id);
    let m: RegExpExecArray | null;

    if (path === '/api/v1/api-tokens' && method === 'GET') {
      return ok(estate.apiTokens.map((t) => ({ id: t.id, name: t.name, userId: t.userId, clientName: t.clientName, created: t.created, lastUpdated: t.lastUpdated,
        expiresAt: t.expiresAt, tokenWindow: t.tokenWindow, network: t.network, _link: { self: { href: `${base}/api/v1/api-tokens/${t.id}` } } })));
    }
    if ((m = /^\/api\/v1\/api-tokens\/([^/]+)$/.exec(path))) {
      const i = estate.apiTokens.findIndex((t) => t.id === m![1]);
      if (i < 0) return notFound('ApiToken', m[1]!);
      const t = estate.apiTokens[i]!;
      if (method === 'DELETE') { estate.apiTokens.splice(i, 1); return empty(204); }
      if (method === 'GET') {
        return ok({ id: t.id, name: t.name, userId: t.userId, clientName: t.clientName, created: t.created, lastUpdated: t.lastUpdated, expiresAt: t.expiresAt,
          tokenWindow: t.tokenWindow, network: t.network, _link: { self: { href: `${base}/api/v1/api-tokens/${t.id}` } } });
      }
    }
    if (path === '/api/v1/apps' && method === 'GET') {
      const size = Math.max(1, Math.min(Number(q.get('limit')) || defSize, 200));
      const after = q.get('after');
      const start = after ? estate.apps.findIndex((a) => a.id === after) + 1 : 0;
      if (after && start === 0) return oerr(res, 400, 'E0000001', 'Api validation failed: after');
      const slice = estate.apps.slice(start, start + size);
      const loop = (opts.loopPaging ?? []).some((p) => `${method} ${path}`.includes(p));
      const self = `${base}/api/v1/apps?limit=${size}${after ? `&after=${after}` : ''}`;
      const links = [`<${self}>; rel="self"`];
      if (loop) links.push(`<${base}/api/v1/apps?after=${estate.apps[0]!.id}&limit=${size}>; rel="next"`);
      else if (start + size < estate.apps.length) links.push(`<${base}/api/v1/apps?after=${slice[slice.length - 1]!.id}&limit=${size}>; rel="next"`);
      res.setHeader('link', links);
      return ok(slice.map((a) => appJson(a, base)));
    }
    if ((m = /^\/api\/v1\/apps\/([^/]+)(\/.*)?$/.exec(path))) {
      const a = app(m[1]!);
      if (!a) return notFound('App', m[1]!);
      const rest = m[2] ?? '';
      if (rest === '' && method === 'GET') return ok(appJson(a, base));
      if ((m = /^\/lifecycle\/(activate|deactivate)$/.exec(rest)) && method === 'POST') {
        a.status = m[1] === 'activate' ? 'ACTIVE' : 'INACTIVE';
        a.lastUpdated = new Date().toISOString();
        return empty(200);
      }
      if (rest === '/grants' && method === 'GET') {
        return ok(a.grants.filter((g) => g.status === 'ACTIVE').map((g) => ({ id: g.id, clientId: a.clientId, issuer: g.issuer, scopeId: g.scopeId, source: g.source, status: g.status,
          created: g.created, lastUpdated: g.lastUpdated, createdBy: g.createdBy,
          _links: { app: { href: `${base}/api/v1/apps/${a.id}`, title: a.label }, self: { href: `${base}/api/v1/apps/${a.id}/grants/${g.id}` } } })));
      }
      if (rest === '/credentials/secrets' && method === 'GET') return ok(a.secrets.map((s) => secretJson(s, a, base)));
      if ((m = /^\/credentials\/secrets\/([^/]+)(\/lifecycle\/(activate|deactivate))?$/.exec(rest))) {
        const s = a.secrets.find((x) => x.id === m![1]);
        if (!s) return notFound('ClientSecret', m[1]!);
        if (!m[2] && method === 'GET') return ok(secretJson(s, a, base));
        if (m[3] && method === 'POST') {
          const to = m[3] === 'activate' ? 'ACTIVE' : 'INACTIVE';
          // As documented: "You can't deactivate a secret if it's the only secret of the client."
          if (to === 'INACTIVE' && a.secrets.length === 1) return oerr(res, 400, 'E0000001', "Api validation failed: You can't deactivate the only secret of the client");
          s.status = to;
          s.lastUpdated = new Date().toISOString();
          return ok(secretJson(s, a, base));
        }
      }
      if (rest === '/credentials/jwks' && method === 'GET') return ok(a.jwks.map(jwkJson));
    }
    if ((m = /^\/oauth2\/v1\/clients\/([^/]+)\/roles$/.exec(path)) && method === 'GET') {
      const a = estate.apps.find((x) => x.clientId === m![1]);
      if (!a) return notFound('Client', m[1]!);
      return ok(a.roles.map((r) => roleJson(r, a, base)));
    }
    if ((m = /^\/api\/v1\/users\/([^/]+)$/.exec(path)) && method === 'GET') {
      const u = estate.users.find((x) => x.id === m![1] || x.login.toLowerCase() === decodeURIComponent(m![1]!).toLowerCase());
      if (!u) return notFound('User', m[1]!);
      return ok(userJson(u, base));
    }
    return oerr(res, 404, 'E0000022', `The endpoint does not support the provided HTTP method`);
  };

  const server = await serve(handler, { latencyMs: opts.latencyMs, faults, faultResponse });
  base = server.url;
  return Object.assign(sim, server);
}
