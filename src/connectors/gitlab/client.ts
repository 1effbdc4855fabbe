// @gitbeaker/rest wired to the shared HTTP layer: its resource classes build the calls (auth header, paths, query
// formatting, following Link rel="next"), and our request handler sends them through createFetch (retries with
// backoff, Retry-After / RateLimit-Reset, per-attempt timeout, counting, ETag revalidation). The handler also
// strips CI/CD variable values at the first parse, and polices every listing so a broken one fails instead of
// coming back short.
import { createRequesterFn } from '@gitbeaker/requester-utils';
import {
  DeployKeys, DeployTokens, GroupAccessTokens, GroupMembers, Groups, GroupVariables, PersonalAccessTokens, ProjectAccessTokens, ProjectMembers,
  ProjectVariables, Users,
} from '@gitbeaker/rest';
import { createFetch, redactUrl } from '../http/fetch.js';
import { callerKey } from '../http/cache.js';
import type { HttpContext } from '../types.js';
import { UserError } from '../../errors.js';
import type { GitLabOptions } from './options.js';

/** A listing that cannot be trusted to be whole (a loop, a page cap, an empty page mid-listing, fewer items than x-total). */
export class IncompleteListingError extends Error {
  constructor(message: string) { super(message); this.name = 'IncompleteListingError'; }
}

/** A non-2xx answer, after the shared layer's retries: the call and GitLab's message, never the token. */
export class GitLabApiError extends Error {
  constructor(readonly status: number, readonly method: string, readonly url: string, message: string) {
    super(`${method} ${url} → ${message.startsWith(String(status)) ? message : `${status} ${message}`}`);
    this.name = 'GitLabApiError';
  }
}

export function readToken(o: GitLabOptions, env: NodeJS.ProcessEnv): string {
  const t = env[o.token_env];
  if (!t) throw new UserError(`GitLab token: environment variable ${o.token_env} is not set`);
  return t;
}

/** CI/CD variable listings carry the values: these paths bypass the ETag cache and lose `value` at the first parse. */
export const VARIABLE_PATH = /\/variables(\/|$)/;

/** Drops `value` from a variable (or a list of them). Nothing downstream ever sees it. */
export function stripValues(body: unknown): unknown {
  const strip = (v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const { value: _dropped, ...rest } = v as Record<string, unknown>;
    return rest;
  };
  return Array.isArray(body) ? body.map(strip) : strip(body);
}

/**
 * Reads the whole body inside the retry loop (a truncated or malformed JSON body is retried like a reset), and
 * exposes GitLab's RateLimit-* headers under the x-ratelimit-* names the shared layer reads.
 */
function gitlabFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await base(input, init);
    const buf = await res.arrayBuffer();
    if (res.status === 200 && /json/i.test(res.headers.get('content-type') ?? '') && buf.byteLength) {
      try { JSON.parse(Buffer.from(buf).toString('utf8')); } catch {
        throw new Error(`malformed JSON body from ${redactUrl(String(input instanceof Request ? input.url : input))}`);
      }
    }
    const headers = new Headers(res.headers);
    const remaining = headers.get('ratelimit-remaining');
    const reset = headers.get('ratelimit-reset');
    if (remaining !== null && !headers.has('x-ratelimit-remaining')) headers.set('x-ratelimit-remaining', remaining);
    if (reset !== null && !headers.has('x-ratelimit-reset')) headers.set('x-ratelimit-reset', reset);
    const empty = res.status === 204 || res.status === 304 || res.status === 205;
    return new Response(empty ? null : buf, { status: res.status, statusText: res.statusText, headers });
  }) as typeof fetch;
}

/** Watches the pages of one listing as gitbeaker follows them. */
interface ListingGuard { pages: number; seen: Set<string>; total: number | null; maxPages: number; what: string }

const KEEP = ['link', 'content-type', 'x-next-page', 'x-total', 'x-total-pages', 'x-page', 'x-per-page'];

function nextLink(link: string | null): string | null {
  const m = /<([^>]+)>;\s*rel="next"/.exec(link ?? '');
  return m?.[1] ?? null;
}

export interface ClientOptions { options: GitLabOptions; env: NodeJS.ProcessEnv; http: HttpContext; signal?: AbortSignal }

export interface GitLabClient {
  /** The resource classes of @gitbeaker/rest, bound to our transport; `guard` polices one listing. */
  api(guard?: ListingGuard): Api;
  /** Every item of one listing made by `run`, or IncompleteListingError. */
  list<T>(what: string, run: (api: Api) => Promise<unknown>): Promise<T[]>;
  /** GET one path through gitbeaker's requester, following pages (for routes gitbeaker has no method for). */
  listPath<T>(what: string, path: string, params?: Record<string, unknown>): Promise<T[]>;
}

export type Api = ReturnType<typeof makeApi>;

function makeApi(config: Record<string, unknown>) {
  const cache = new Map<string, unknown>();
  const one = <T>(name: string, make: () => T): T => { if (!cache.has(name)) cache.set(name, make()); return cache.get(name) as T; };
  const cfg = config as unknown as ConstructorParameters<typeof Groups>[0];
  return {
    get Users() { return one('Users', () => new Users(cfg)); },
    get Groups() { return one('Groups', () => new Groups(cfg)); },
    get GroupMembers() { return one('GroupMembers', () => new GroupMembers(cfg)); },
    get ProjectMembers() { return one('ProjectMembers', () => new ProjectMembers(cfg)); },
    get GroupAccessTokens() { return one('GroupAccessTokens', () => new GroupAccessTokens(cfg)); },
    get ProjectAccessTokens() { return one('ProjectAccessTokens', () => new ProjectAccessTokens(cfg)); },
    get PersonalAccessTokens() { return one('PersonalAccessTokens', () => new PersonalAccessTokens(cfg)); },
    get DeployTokens() { return one('DeployTokens', () => new DeployTokens(cfg)); },
    get DeployKeys() { return one('DeployKeys', () => new DeployKeys(cfg)); },
    get GroupVariables() { return one('GroupVariables', () => new GroupVariables(cfg)); },
    get ProjectVariables() { return one('ProjectVariables', () => new ProjectVariables(cfg)); },
  };
}

export function createClient(c: ClientOptions): GitLabClient {
  const o = c.options;
  const host = o.base_url.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  const token = readToken(o, c.env);
  const caller = callerKey(host, 'token', token);
  const common = { counters: c.http.counters, retry: c.http.retry, concurrency: c.http.concurrency, caller, signal: c.signal, baseFetch: gitlabFetch(), keepHeaders: KEEP };
  const cached = createFetch({ ...common, cache: c.http.cache });
  // Variables' bodies hold secret values: never cached, so no value can reach http_cache.
  const uncached = createFetch({ ...common, cache: null });

  const handler = (guard?: ListingGuard) => async (endpoint: string, options?: Record<string, unknown>) => {
    const opts = (options ?? {}) as { prefixUrl?: string; searchParams?: string; method?: string; headers?: Record<string, string>; body?: RequestInit['body'] };
    const base = (opts.prefixUrl ?? `${host}/api/v4/`).replace(/\/?$/, '/');
    const url = new URL(endpoint, base);
    url.search = opts.searchParams ?? '';
    const method = (opts.method ?? 'GET').toUpperCase();
    const secretBearing = VARIABLE_PATH.test(url.pathname);
    const f = secretBearing ? uncached : cached;
    const res = await f(url.toString(), { method, headers: opts.headers, body: opts.body });
    const text = res.status === 204 ? '' : await res.text();
    let body: unknown = null;
    if (text && /json/i.test(res.headers.get('content-type') ?? '')) body = JSON.parse(text);
    else if (text) body = text;
    if (secretBearing) body = stripValues(body);
    if (!res.ok) {
      const msg = body && typeof body === 'object' ? (body as { message?: unknown; error?: unknown }).message ?? (body as { error?: unknown }).error : body;
      throw new GitLabApiError(res.status, method, redactUrl(url.toString()), typeof msg === 'string' ? msg : JSON.stringify(msg ?? res.statusText));
    }
    const headers = Object.fromEntries(res.headers.entries());
    if (guard && method === 'GET') police(guard, url, body, headers);
    return { body: body as never, headers, status: res.status };
  };

  const police = (g: ListingGuard, url: URL, body: unknown, headers: Record<string, string>) => {
    g.pages++;
    if (!Array.isArray(body)) throw new IncompleteListingError(`${g.what}: page ${g.pages} is not a list`);
    if (g.total === null && headers['x-total'] && /^\d+$/.test(headers['x-total'])) g.total = Number(headers['x-total']);
    let next = nextLink(headers.link ?? null);
    const xNext = headers['x-next-page'];
    if (!next && xNext && /^\d+$/.test(xNext)) {
      // Offset pages name the next page in x-next-page even when a proxy drops the Link header: follow it.
      const u = new URL(url.toString());
      u.searchParams.set('page', xNext);
      next = u.toString();
      headers.link = `<${next}>; rel="next"`;
    }
    if (!next) return;
    if (body.length === 0) throw new IncompleteListingError(`${g.what}: page ${g.pages} is empty but names a next page`);
    if (g.seen.has(next)) throw new IncompleteListingError(`${g.what}: pagination loop (page ${g.pages} links back to a page already read)`);
    if (g.pages >= g.maxPages) throw new IncompleteListingError(`${g.what}: more than ${g.maxPages} pages (max_pages); stopped`);
    g.seen.add(next);
  };

  const config = (guard?: ListingGuard) => ({ host, token, rateLimits: {}, queryTimeout: null,
    requesterFn: createRequesterFn((_, reqo) => Promise.resolve(reqo), handler(guard)) });

  const client: GitLabClient = {
    api: (guard) => makeApi(config(guard)),
    async list<T>(what: string, run: (api: Api) => Promise<unknown>): Promise<T[]> {
      const guard: ListingGuard = { pages: 0, seen: new Set(), total: null, maxPages: o.max_pages, what };
      const out = await run(client.api(guard));
      if (!Array.isArray(out)) throw new IncompleteListingError(`${what}: not a list`);
      if (guard.total !== null && out.length < guard.total) throw new IncompleteListingError(`${what}: ${out.length} of ${guard.total} items returned`);
      return out as T[];
    },
    async listPath<T>(what: string, path: string, params: Record<string, unknown> = {}): Promise<T[]> {
      const guard: ListingGuard = { pages: 0, seen: new Set(), total: null, maxPages: o.max_pages, what };
      const requester = (client.api(guard).Users as unknown as { requester: { get(e: string, o: { searchParams: Record<string, unknown> }): Promise<{ body: unknown; headers: Record<string, string> }> } }).requester;
      const out: unknown[] = [];
      let res = await requester.get(path, { searchParams: { per_page: 100, ...params } });
      for (;;) {
        out.push(...(res.body as unknown[]));
        const next = nextLink(res.headers.link ?? null);
        if (!next) break;
        const u = new URL(next);
        res = await requester.get(path, { searchParams: Object.fromEntries(u.searchParams) });
      }
      if (guard.total !== null && out.length < guard.total) throw new IncompleteListingError(`${what}: ${out.length} of ${guard.total} items returned`);
      return out as T[];
    },
  };
  return client;
}
