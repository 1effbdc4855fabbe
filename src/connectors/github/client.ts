// One Octokit per organisation, wired to the shared HTTP layer (retries, Retry-After / x-ratelimit-reset, the
// per-attempt timeout, counting, and ETag revalidation with 304 → cached 200), plus a paginator that refuses to
// turn a broken listing into a short one.
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { createAppAuth } from '@octokit/auth-app';
import { createFetch, redactUrl } from '../http/fetch.js';
import type { HttpContext } from '../types.js';
import { callerKey } from '../http/cache.js';
import { UserError } from '../../errors.js';
import type { GitHubOptions } from './options.js';

export type Client = Octokit;

/** A listing that cannot be trusted to be whole (a loop, a page cap, an empty page mid-listing, a body of the wrong shape). */
export class IncompleteListingError extends Error {
  constructor(message: string) { super(message); this.name = 'IncompleteListingError'; }
}

/**
 * Reads the whole body before handing the response on, so a truncated or malformed body fails inside the shared
 * layer's retry loop (like a reset connection) instead of surfacing later as a half-parsed page.
 */
export function bufferedFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await base(input, init);
    const buf = await res.arrayBuffer();
    if (res.status === 200 && /json/i.test(res.headers.get('content-type') ?? '') && buf.byteLength) {
      try { JSON.parse(Buffer.from(buf).toString('utf8')); } catch {
        throw new Error(`malformed JSON body from ${redactUrl(String(input instanceof Request ? input.url : input))}`);
      }
    }
    const empty = res.status === 204 || res.status === 304 || res.status === 205;
    return new Response(empty ? null : buf, { status: res.status, statusText: res.statusText, headers: res.headers });
  }) as typeof fetch;
}

export function readPrivateKey(o: GitHubOptions, env: NodeJS.ProcessEnv): string {
  const app = o.app!;
  if (app.private_key_env) {
    const v = env[app.private_key_env];
    if (!v) throw new UserError(`GitHub App private key: environment variable ${app.private_key_env} is not set`);
    return v.includes('\\n') ? v.replace(/\\n/g, '\n') : v;
  }
  try { return readFileSync(app.private_key_file!, 'utf8'); } catch (e) {
    throw new UserError(`GitHub App private key: cannot read ${app.private_key_file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function readToken(o: GitHubOptions, env: NodeJS.ProcessEnv): string {
  const t = env[o.token_env!];
  if (!t) throw new UserError(`GitHub token: environment variable ${o.token_env} is not set`);
  return t;
}

export interface ClientOptions {
  options: GitHubOptions;
  env: NodeJS.ProcessEnv;
  http: HttpContext;
  signal?: AbortSignal;
  /** The installation to act as (App auth); undefined authenticates as the App itself (JWT). */
  installationId?: number;
}

export function createClient(c: ClientOptions): Client {
  const o = c.options;
  const baseUrl = o.base_url.replace(/\/+$/, '');
  const who = o.app ? callerKey(baseUrl, 'app', String(o.app.app_id), String(c.installationId ?? 'jwt')) : callerKey(baseUrl, 'token', readToken(o, c.env));
  const fetch = createFetch({
    counters: c.http.counters, retry: c.http.retry, concurrency: c.http.concurrency, cache: c.http.cache, caller: who,
    signal: c.signal, baseFetch: bufferedFetch(),
  });
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  if (o.app) {
    return new Octokit({
      baseUrl, userAgent: 'nhi-recon', log, request: { fetch },
      authStrategy: createAppAuth,
      auth: { appId: o.app.app_id, privateKey: readPrivateKey(o, c.env), ...(c.installationId ? { installationId: c.installationId } : {}) },
    });
  }
  return new Octokit({ baseUrl, userAgent: 'nhi-recon', log, request: { fetch }, auth: readToken(o, c.env) });
}

export interface ListOptions {
  /** The array inside an object response ({total_count, secrets: [...]}); absent for a bare array. */
  key?: string;
  maxPages: number;
  params?: Record<string, unknown>;
}

/**
 * Every item of a paginated listing, following Link rel="next". Throws IncompleteListingError rather than return a
 * short list: a next link seen before (a loop), more pages than allowed, an empty page that still links onwards,
 * a body of the wrong shape, or fewer items than the total_count the API announced.
 */
export async function listAll<T>(client: Client, route: string, opts: ListOptions): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let total: number | null = null;
  let res = await client.request(route, { per_page: 100, ...opts.params });
  for (let pageNo = 1; ; pageNo++) {
    const data = res.data as unknown;
    const items = opts.key ? (data as Record<string, unknown> | null)?.[opts.key] : data;
    if (!Array.isArray(items)) throw new IncompleteListingError(`${route}: page ${pageNo} is not a list`);
    if (opts.key && typeof (data as { total_count?: unknown }).total_count === 'number') total = (data as { total_count: number }).total_count;
    out.push(...(items as T[]));
    const next = /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''))?.[1];
    if (!next) break;
    if (items.length === 0) throw new IncompleteListingError(`${route}: page ${pageNo} is empty but links to a next page`);
    if (seen.has(next)) throw new IncompleteListingError(`${route}: pagination loop (page ${pageNo} links back to a page already read)`);
    if (pageNo >= opts.maxPages) throw new IncompleteListingError(`${route}: more than ${opts.maxPages} pages (max_pages); stopped`);
    seen.add(next);
    res = await client.request({ method: 'GET', url: next });
  }
  if (total !== null && out.length < total) throw new IncompleteListingError(`${route}: ${out.length} of ${total} items returned`);
  return out;
}
