// A local Google Workspace simulator speaking the Admin SDK Directory API routes the connector calls (users.list,
// tokens.list/get/delete, as in the published discovery document: test/sim/workspace/contract.test.ts checks it) and
// Google's OAuth token endpoint for domain-wide delegation: a signed JWT assertion (RS256, checked against the service
// account's public key) for a `sub` that is an admin, and scopes the delegation grant allows. Errors use the Directory
// API's v1 error shape ({error: {code, message, errors: [{domain, reason, message}]}}); users page by pageToken.
import { createVerify, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultPlan, json, serve, type Fault, type SimServer } from '../http.js';
import { findUser, privilegesOf, type Estate, type SimToken, type SimUser } from './estate.js';

const AUTH = 'https://www.googleapis.com/auth/';

/** The routes served, as the discovery document names them (method id, HTTP method, path, response schema, scopes). */
export const ROUTES = [
  { id: 'directory.users.list', method: 'GET', path: 'admin/directory/v1/users', response: 'Users',
    scopes: [`${AUTH}admin.directory.user`, `${AUTH}admin.directory.user.readonly`, `${AUTH}cloud-platform`], privilege: 'users' },
  { id: 'directory.tokens.list', method: 'GET', path: 'admin/directory/v1/users/{userKey}/tokens', response: 'Tokens',
    scopes: [`${AUTH}admin.directory.user.security`], privilege: 'security' },
  { id: 'directory.tokens.get', method: 'GET', path: 'admin/directory/v1/users/{userKey}/tokens/{clientId}', response: 'Token',
    scopes: [`${AUTH}admin.directory.user.security`], privilege: 'security' },
  { id: 'directory.tokens.delete', method: 'DELETE', path: 'admin/directory/v1/users/{userKey}/tokens/{clientId}', response: null,
    scopes: [`${AUTH}admin.directory.user.security`], privilege: 'security' },
] as const;
export type RouteId = (typeof ROUTES)[number]['id'];

export interface WorkspaceSimOptions {
  latencyMs?: number;
  faults?: FaultPlan;
  /** A bearer token accepted as the given admin with every scope (the demo's access token). */
  token?: string;
  tokenSubject?: string;
  /** Default users.list page size (small values make paging visible in tests). */
  pageSize?: number;
  /** users.list never ends: every page carries a fresh nextPageToken. */
  endlessPaging?: boolean;
  /** Users whose tokens.list answers 403 (outside the admin's organisational units). */
  tokensForbiddenFor?: string[];
}

export interface WorkspaceSim extends SimServer {
  estate: Estate;
  faults: FaultPlan;
  /** Every request served, as "METHOD /path" (query dropped). */
  log: string[];
  /** Every API request with the route it matched and its query parameter names. */
  calls: { route: RouteId; query: string[] }[];
  /** Access tokens issued by the token endpoint, with the subject and scopes they carry. */
  issued: Map<string, { subject: string; scopes: string[] }>;
}

function gerr(res: ServerResponse, code: number, reason: string, message: string, headers: Record<string, string> = {}): void {
  json(res, code, { error: { code, message, errors: [{ message, domain: code === 401 ? 'global' : 'global', reason, ...(code === 401 ? { location: 'Authorization', locationType: 'header' } : {}) }] } }, headers);
}

function faultResponse(res: ServerResponse, f: Fault): void {
  if (f.kind === 'throttle') {
    const headers: Record<string, string> = f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {};
    // The Directory API also throttles with 403 userRateLimitExceeded (its older quota errors).
    if (f.status === 403) return gerr(res, 403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', headers);
    return gerr(res, 429, 'rateLimitExceeded', 'Quota exceeded for quota metric \'Queries\' and limit \'Queries per minute per user\' of service \'admin.googleapis.com\'.', headers);
  }
  const code = f.status ?? 500;
  if (code === 403) return gerr(res, 403, 'forbidden', 'Not Authorized to access this resource/api');
  gerr(res, code, code === 503 ? 'backendError' : 'internalError', code === 503 ? 'The service is currently unavailable.' : 'Internal error encountered.');
}

const etag = (s: string) => `"${Buffer.from(s).toString('base64url').slice(0, 27)}"`;

export function userJson(estate: Estate, u: SimUser): Record<string, unknown> {
  return {
    kind: 'admin#directory#user', id: u.id, etag: etag(`u${u.id}`), primaryEmail: u.primaryEmail,
    name: { givenName: u.givenName, familyName: u.familyName, fullName: `${u.givenName} ${u.familyName}` },
    isAdmin: !!u.isAdmin, isDelegatedAdmin: false, lastLoginTime: u.lastLoginTime ?? '1970-01-01T00:00:00.000Z', creationTime: u.creationTime,
    agreedToTerms: true, suspended: !!u.suspended, ...(u.suspended ? { suspensionReason: 'ADMIN' } : {}), archived: !!u.archived,
    changePasswordAtNextLogin: false, ipWhitelisted: false,
    emails: [{ address: u.primaryEmail, primary: true }, ...(u.aliases ?? []).map((a) => ({ address: a }))],
    ...(u.aliases?.length ? { aliases: u.aliases } : {}),
    customerId: estate.customerId, orgUnitPath: u.orgUnitPath ?? '/', isMailboxSetup: true, isEnrolledIn2Sv: false, isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
  };
}

export function tokenJson(u: SimUser, t: SimToken): Record<string, unknown> {
  return { kind: 'admin#directory#token', etag: etag(`t${u.id}${t.clientId}`), clientId: t.clientId, displayText: t.displayText,
    anonymous: !!t.anonymous, nativeApp: !!t.nativeApp, scopes: [...t.scopes], userKey: u.id };
}

const pageTokenOf = (offset: number) => Buffer.from(`users:${offset}`).toString('base64url');

export async function startWorkspaceSim(estate: Estate, opts: WorkspaceSimOptions = {}): Promise<WorkspaceSim> {
  const faults = opts.faults ?? new FaultPlan();
  const sim = { estate, faults, log: [] as string[], calls: [] as WorkspaceSim['calls'], issued: new Map() } as WorkspaceSim;
  if (opts.token) {
    const admin = opts.tokenSubject ?? estate.users.find((u) => u.isAdmin)?.primaryEmail ?? '';
    sim.issued.set(opts.token, { subject: admin, scopes: ROUTES.flatMap((r) => [...r.scopes]) });
  }
  const forbidden = new Set((opts.tokensForbiddenFor ?? []).map((e) => e.toLowerCase()));

  const handler = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const q = url.searchParams;
    sim.log.push(`${method} ${path}`);
    if (path === '/token' && method === 'POST') return tokenEndpoint(sim, res, body);

    let route: (typeof ROUTES)[number] | undefined;
    let m: RegExpExecArray | null = null;
    if (path === '/admin/directory/v1/users' && method === 'GET') route = ROUTES[0];
    else if ((m = /^\/admin\/directory\/v1\/users\/([^/]+)\/tokens$/.exec(path)) && method === 'GET') route = ROUTES[1];
    else if ((m = /^\/admin\/directory\/v1\/users\/([^/]+)\/tokens\/([^/]+)$/.exec(path))) route = method === 'GET' ? ROUTES[2] : method === 'DELETE' ? ROUTES[3] : undefined;
    if (!route) return gerr(res, 404, 'notFound', `Not Found: ${method} ${path}`);
    sim.calls.push({ route: route.id, query: [...new Set(q.keys())] });

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = bearer ? sim.issued.get(bearer) : undefined;
    if (!grant) return gerr(res, 401, 'authError', bearer ? 'Invalid Credentials' : 'Login Required.');
    if (!grant.scopes.some((s) => (route.scopes as readonly string[]).includes(s))) {
      return gerr(res, 403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
    }
    if (!privilegesOf(estate, grant.subject)[route.privilege]) return gerr(res, 403, 'forbidden', 'Not Authorized to access this resource/api');

    if (route.id === 'directory.users.list') {
      const customer = q.get('customer');
      const domain = q.get('domain');
      if (!customer && !domain) return gerr(res, 400, 'badRequest', 'Bad Request');
      if (customer && customer !== 'my_customer' && customer !== estate.customerId) return gerr(res, 403, 'forbidden', 'Not Authorized to access this resource/api');
      if (domain && domain !== estate.domain) return gerr(res, 403, 'forbidden', 'Not Authorized to access this resource/api');
      const size = Math.min(Math.max(Number(q.get('maxResults')) || opts.pageSize || 100, 1), 500, opts.pageSize ?? 500);
      let offset = 0;
      const tok = q.get('pageToken');
      if (tok) {
        const mm = /^users:(\d+)$/.exec(Buffer.from(tok, 'base64url').toString('utf8'));
        if (!mm) return gerr(res, 400, 'invalid', 'Invalid Input');
        offset = Number(mm[1]);
      }
      const users = estate.users.slice(offset, offset + size).map((u) => userJson(estate, u));
      const more = offset + size < estate.users.length || opts.endlessPaging;
      return json(res, 200, { kind: 'admin#directory#users', etag: etag(`list${offset}`), users, ...(more ? { nextPageToken: pageTokenOf(offset + size) } : {}) });
    }

    const user = findUser(estate, decodeURIComponent(m![1]!));
    if (!user) return gerr(res, 404, 'notFound', 'Resource Not Found: userKey');
    if (forbidden.has(user.primaryEmail.toLowerCase())) return gerr(res, 403, 'forbidden', 'Not Authorized to access this resource/api');
    if (route.id === 'directory.tokens.list') {
      const items = user.tokens.map((t) => tokenJson(user, t));
      return json(res, 200, { kind: 'admin#directory#tokenList', etag: etag(`tl${user.id}`), ...(items.length ? { items } : {}) });
    }
    const clientId = decodeURIComponent(m![2]!);
    const i = user.tokens.findIndex((t) => t.clientId === clientId);
    if (i < 0) return gerr(res, 404, 'notFound', 'Resource Not Found: clientId');
    if (route.id === 'directory.tokens.get') return json(res, 200, tokenJson(user, user.tokens[i]!));
    user.tokens.splice(i, 1);
    res.statusCode = 204;
    res.end();
  };
  const server = await serve(handler, { latencyMs: opts.latencyMs, faults, faultResponse });
  return Object.assign(sim, server);
}

// ---------- OAuth token endpoint (domain-wide delegation) ----------

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  json(res, status, { error, error_description: description });
}

function tokenEndpoint(sim: WorkspaceSim, res: ServerResponse, body: string): void {
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return oauthError(res, 400, 'unsupported_grant_type', 'Invalid grant_type.');
  const parts = (form.get('assertion') ?? '').split('.');
  if (parts.length !== 3) return oauthError(res, 400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.');
  let header: { alg?: string };
  let claims: { iss?: string; sub?: string; scope?: string; exp?: number; iat?: number; aud?: string };
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as typeof header;
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as typeof claims;
  } catch { return oauthError(res, 400, 'invalid_grant', 'Invalid JWT Signature.'); }
  const sa = sim.estate.serviceAccounts.find((s) => s.email === claims.iss);
  if (header.alg !== 'RS256' || !sa) return oauthError(res, 400, 'invalid_grant', 'Invalid JWT Signature.');
  const ok = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(sa.publicKeyPem, Buffer.from(parts[2]!, 'base64url'));
  if (!ok) return oauthError(res, 400, 'invalid_grant', 'Invalid JWT Signature.');
  const now = Math.floor(Date.now() / 1000);
  if (!claims.exp || claims.exp < now || !claims.iat || claims.iat > now + 300) return oauthError(res, 400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.');
  const subject = claims.sub ? findUser(sim.estate, claims.sub) : undefined;
  if (!subject || subject.suspended) return oauthError(res, 400, 'invalid_grant', 'Invalid email or User ID');
  const scopes = (claims.scope ?? '').split(/\s+/).filter(Boolean);
  const grant = sim.estate.delegations.find((d) => d.clientId === sa.clientId);
  if (!scopes.length || !grant || scopes.some((s) => !grant.scopes.includes(s))) {
    return oauthError(res, 401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
  }
  const accessToken = `ya29.sim-${randomBytes(16).toString('hex')}`;
  sim.issued.set(accessToken, { subject: subject.primaryEmail, scopes });
  json(res, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
}
