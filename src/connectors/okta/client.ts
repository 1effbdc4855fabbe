// The Okta SDK (@okta/okta-sdk-nodejs) wired to the shared HTTP layer: its request executor is createFetch (one
// retry loop with backoff and the per-attempt timeout, call counters), its own 429 retry and in-memory GET cache are
// off, and every listing goes through `listAll`, which refuses to turn a broken listing into a short one.
// The SDK accepts an http:// org URL (the simulator) as well as https://; it is imported only when a source needs it.
import type { ConnectorContext, HttpContext } from '../types.js';
import { createFetch, redactUrl } from '../http/fetch.js';
import { callerKey } from '../http/cache.js';
import { UserError } from '../../errors.js';
import type { OktaOptions } from './options.js';

/** The SDK client, typed only as far as this connector uses it. */
export interface OktaClient {
  apiTokenApi: {
    listApiTokens(): Promise<AsyncIterable<unknown>>;
    getApiToken(p: { apiTokenId: string }): Promise<unknown>;
    revokeApiToken(p: { apiTokenId: string }): Promise<void>;
  };
  applicationApi: {
    listApplications(p: { limit?: number }): Promise<AsyncIterable<unknown>>;
    getApplication(p: { appId: string }): Promise<unknown>;
    activateApplication(p: { appId: string }): Promise<void>;
    deactivateApplication(p: { appId: string }): Promise<void>;
    listScopeConsentGrants(p: { appId: string }): Promise<AsyncIterable<unknown>>;
  };
  applicationSSOPublicKeysApi: {
    listOAuth2ClientSecrets(p: { appId: string }): Promise<AsyncIterable<unknown>>;
    getOAuth2ClientSecret(p: { appId: string; secretId: string }): Promise<unknown>;
    activateOAuth2ClientSecret(p: { appId: string; secretId: string }): Promise<unknown>;
    deactivateOAuth2ClientSecret(p: { appId: string; secretId: string }): Promise<unknown>;
  };
  roleAssignmentApi: { listRolesForClient(p: { clientId: string }): Promise<AsyncIterable<unknown>> };
  userApi: { getUser(p: { userId: string }): Promise<unknown> };
  /** The SDK's HTTP helper (auth headers, error mapping), for the few calls its models garble. */
  http: { http(uri: string, request?: Record<string, unknown>): Promise<Response> };
  baseUrl: string;
}

/** A listing that cannot be trusted to be whole (a loop, a page cap, an empty page that links onwards). */
export class IncompleteListingError extends Error {
  constructor(message: string) { super(message); this.name = 'IncompleteListingError'; }
}

/**
 * Okta answers 429 with X-Rate-Limit-Reset (epoch seconds of the window's end) and a Date header, not Retry-After.
 * The wait is computed against the server's own clock (reset − Date, plus a second for sub-second rounding, as
 * Okta's SDKs do) and handed to the shared layer as Retry-After, which then waits, or gives up past maxRateWaitMs.
 * The whole body is read before the response is handed on, so a cut connection is retried, never a short page.
 */
export function oktaBaseFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await base(input, init);
    const buf = await res.arrayBuffer();
    const headers = new Headers(res.headers);
    if (res.status === 429 && !headers.has('retry-after')) {
      const reset = Number(headers.get('x-rate-limit-reset'));
      if (Number.isFinite(reset) && reset > 0) {
        const serverNow = Date.parse(headers.get('date') ?? '') || Date.now();
        headers.set('retry-after', String(Math.max(0, Math.ceil((reset * 1000 - serverNow) / 1000) + 1)));
      }
    }
    if (res.status === 200 && /json/i.test(headers.get('content-type') ?? '') && buf.byteLength) {
      try { JSON.parse(Buffer.from(buf).toString('utf8')); } catch {
        throw new Error(`malformed JSON body from ${redactUrl(String(input instanceof Request ? input.url : input))}`);
      }
    }
    const noBody = res.status === 204 || res.status === 304 || buf.byteLength === 0;
    return new Response(noBody ? null : buf, { status: res.status, statusText: res.statusText, headers });
  }) as typeof fetch;
}

export function readSecret(ctx: ConnectorContext<OktaOptions>): { kind: 'ssws'; token: string } | { kind: 'oauth'; key: string } {
  const o = ctx.options;
  const name = o.token_env ?? o.oauth!.private_key_env;
  const v = ctx.env[name];
  if (!v) throw new UserError(`okta source ${ctx.source.name}: environment variable ${name} (options.${o.token_env ? 'token_env' : 'oauth.private_key_env'}) is not set`);
  return o.token_env ? { kind: 'ssws', token: v } : { kind: 'oauth', key: v.includes('\\n') ? v.replace(/\\n/g, '\n') : v };
}

export interface ClientHandle { client: OktaClient; pages: Map<string, number> }

/** One SDK client over one tenant's HTTP context. */
export async function createClient(ctx: ConnectorContext<OktaOptions>, http: HttpContext, signal: AbortSignal = ctx.signal): Promise<ClientHandle> {
  const o = ctx.options;
  const secret = readSecret(ctx);
  const orgUrl = o.org_url.replace(/\/+$/, '');
  const caller = callerKey(orgUrl, secret.kind, secret.kind === 'ssws' ? secret.token : o.oauth!.client_id);
  // Okta's list APIs send no ETags and the secrets listing carries secret values: nothing is ever cached.
  const f = createFetch({ counters: http.counters, retry: http.retry, concurrency: http.concurrency, cache: null, caller, signal, baseFetch: oktaBaseFetch() });
  const pages = new Map<string, number>();
  const seen = new Set<string>();
  const requestExecutor = {
    // The SDK's request: {url, method, headers, body, …}. Paged GETs (`after=`) are guarded against loops and caps.
    async fetch(req: { url: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Response> {
      const method = String(req.method ?? 'GET').toUpperCase();
      if (method === 'GET' && /[?&]after=/.test(req.url)) {
        if (seen.has(req.url)) throw new IncompleteListingError(`GET ${redactUrl(req.url)}: pagination loop (a next link already followed)`);
        seen.add(req.url);
        const path = new URL(req.url).pathname;
        const n = (pages.get(path) ?? 1) + 1;
        pages.set(path, n);
        if (n > o.max_pages) throw new IncompleteListingError(`GET ${path}: more than ${o.max_pages} pages (options.max_pages); stopped`);
      }
      return f(req.url, { method, headers: req.headers, body: req.body });
    },
    on() { return this; },
  };
  const mod = await import('@okta/okta-sdk-nodejs') as unknown as { Client?: unknown; default?: { Client: unknown } };
  const Client = mod.Client ?? mod.default!.Client;
  const config: Record<string, unknown> = {
    orgUrl, requestExecutor, cacheMiddleware: null, userAgent: 'nhi-recon',
    ...(secret.kind === 'ssws'
      ? { authorizationMode: 'SSWS', token: secret.token }
      : { authorizationMode: 'PrivateKey', clientId: o.oauth!.client_id, scopes: o.oauth!.scopes, privateKey: secret.key, keyId: o.oauth!.key_id ?? '' }),
  };
  return { client: new (Client as unknown as new (c: Record<string, unknown>) => OktaClient)(config), pages };
}

/**
 * Every item of an SDK collection. The SDK's own iterator follows Link rel="next"; an empty page that still links
 * onwards comes out as a null item, which would end its `each()` early: here it is an incomplete listing.
 */
export async function listAll<T>(what: string, collection: Promise<AsyncIterable<unknown>> | AsyncIterable<unknown>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of await collection) {
    if (item === null || item === undefined) throw new IncompleteListingError(`${what}: an empty page links to a next page`);
    out.push(item as T);
  }
  return out;
}

/**
 * Every item of a listing whose SDK model drops fields Okta sends (the JWKS keys, custom role assignments' resource
 * set): read as JSON through the SDK's own HTTP helper (its auth, its error mapping), following Link rel="next" with
 * the same guards as `listAll`.
 */
export async function rawList<T>(client: OktaClient, path: string): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let url: string | undefined = `${client.baseUrl}${path}`;
  while (url) {
    seen.add(url);
    const res = await client.http.http(url, { method: 'get', headers: { Accept: 'application/json' } });
    const body = await res.json() as unknown;
    if (!Array.isArray(body)) throw new IncompleteListingError(`GET ${path}: a page is not a list`);
    out.push(...(body as T[]));
    const next: string | undefined = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    if (next && body.length === 0) throw new IncompleteListingError(`GET ${path}: an empty page links to a next page`);
    if (next && seen.has(next)) throw new IncompleteListingError(`GET ${path}: pagination loop (a next link already followed)`);
    url = next;
  }
  return out;
}

// ---------- errors ----------

/** HTTP status of an SDK error (OktaApiError, HttpError, ApiException), if any. */
export function statusOf(e: unknown): number | undefined {
  const x = e as { status?: unknown; code?: unknown };
  if (typeof x?.status === 'number') return x.status;
  if (typeof x?.code === 'number' && x.code >= 100 && x.code < 600) return x.code;
  return undefined;
}

/** A message naming the call, the status and Okta's errorCode/errorSummary (never a request body or header). */
export function describeError(call: string, e: unknown): string {
  const x = e as { status?: number; errorCode?: string; errorSummary?: string; errorId?: string; message?: string };
  const status = statusOf(e);
  if (status && x.errorCode) return `${call} → ${status} ${x.errorCode}: ${x.errorSummary ?? ''}${x.errorId ? ` (errorId ${x.errorId})` : ''}`.trim();
  const msg = String(x?.message ?? e).split('\n')[0]!.slice(0, 300);
  return `${call} → ${status && !msg.includes(String(status)) ? `${status} ` : ''}${msg}`;
}
