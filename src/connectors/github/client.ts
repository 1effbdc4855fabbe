// One Octokit per organisation, wired to the shared HTTP layer (retries, Retry-After / x-ratelimit-reset, the
// per-attempt timeout, counting, and ETag revalidation with 304 → cached 200), plus a paginator that refuses to
// turn a broken listing into a short one.
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { createAppAuth } from '@octokit/auth-app';
import { bufferedBodies, createFetch, redactUrl } from '../http/fetch.js';
import type { HttpContext } from '../types.js';
import { callerKey } from '../http/cache.js';
import { UserError } from '../../errors.js';
import { keepAliveFetch } from './transport.js';
import type { GitHubOptions } from './options.js';

export type Client = Octokit;

/** A listing that cannot be trusted to be whole (a loop, a page cap, an empty page mid-listing, a body of the wrong shape). */
export class IncompleteListingError extends Error {
  constructor(message: string) { super(message); this.name = 'IncompleteListingError'; }
}

/**
 * Reads the whole body before handing the response on, so a truncated or malformed body fails inside the shared
 * layer's retry loop (like a reset connection) instead of surfacing later as a half-parsed page. A JSON body is
 * decoded and parsed here once: its text goes to `bufferedBodies` (the ETag cache stores it as is) and its value to
 * `parsedBodies` (the listing reads it), and the response is handed on with its body consumed.
 */
export function bufferedFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await base(input, init);
    const empty = res.status === 204 || res.status === 304 || res.status === 205;
    const read = bufferedBodies.get(res);
    if (read !== undefined || (!empty && /json/i.test(res.headers.get('content-type') ?? ''))) {
      // A transport that read the body already (keepAliveFetch) left its text in the registry.
      const text = read ?? await res.text();
      if (res.status === 200 && text && /json/i.test(res.headers.get('content-type') ?? '')) {
        try { parsedBodies.set(res, JSON.parse(text)); } catch {
          throw new Error(`malformed JSON body from ${redactUrl(String(input instanceof Request ? input.url : input))}`);
        }
      }
      bufferedBodies.set(res, text);
      return res;
    }
    const buf = await res.arrayBuffer();
    return new Response(empty ? null : buf, { status: res.status, statusText: res.statusText, headers: res.headers });
  }) as typeof fetch;
}

/** The parsed JSON of a 200 answer that bufferedFetch already parsed. */
const parsedBodies = new WeakMap<Response, unknown>();

/** A response whose body is in the registry, rebuilt readable (Octokit reads bodies itself). */
function readable(res: Response): Response {
  const text = bufferedBodies.get(res);
  if (text === undefined) return res;
  const empty = res.status === 204 || res.status === 304 || res.status === 205;
  return new Response(empty ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
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
  const shared = createFetch({
    counters: c.http.counters, retry: c.http.retry, concurrency: c.http.concurrency, cache: c.http.cache, caller: who,
    signal: c.signal, baseFetch: bufferedFetch(keepAliveFetch(c.http.concurrency)), buffered: true,
  });
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => readable(await shared(input, init))) as typeof globalThis.fetch;
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  let client: Client;
  let authorization: () => Promise<string>;
  if (o.app) {
    client = new Octokit({
      baseUrl, userAgent: 'nhi-recon', log, request: { fetch },
      authStrategy: createAppAuth,
      auth: { appId: o.app.app_id, privateKey: readPrivateKey(o, c.env), ...(c.installationId ? { installationId: c.installationId } : {}) },
    });
    // Acting as the App itself (JWT) stays on Octokit; as an installation, the token comes from auth-app's own cache.
    if (!c.installationId) return client;
    const app = client;
    authorization = async () => `token ${((await app.auth({ type: 'installation' })) as { token: string }).token}`;
  } else {
    const token = readToken(o, c.env).replace(/^(token|bearer) +/i, '');
    client = new Octokit({ baseUrl, userAgent: 'nhi-recon', log, request: { fetch }, auth: token });
    // What @octokit/auth-token sends.
    const header = token.split(/\./).length === 3 ? `bearer ${token}` : `token ${token}`;
    authorization = async () => header;
  }
  const defaults = client.request.endpoint.DEFAULTS.headers as Record<string, string>;
  const accept = defaults.accept!;
  const userAgent = defaults['user-agent']!;
  const octokit = client;
  fastPaths.set(client, async (route, params, next) => {
    const url = next ?? expandRoute(baseUrl, route, params);
    // Routes that auth-app answers with the App's JWT stay on Octokit.
    if (o.app && APP_AUTH_PATH.test(new URL(url).pathname.slice(new URL(baseUrl).pathname.replace(/\/$/, '').length))) return viaOctokit(octokit, route, params, next);
    // A token that cannot be minted fails here exactly as in Octokit's auth hook (which would raise the same error).
    const headers = { accept, 'user-agent': userAgent, authorization: await authorization() };
    let res: Response | undefined;
    let thrown: unknown;
    try { res = await shared(url, { method: 'GET', headers }); } catch (e) { thrown = e; }
    if (res?.status === 200) {
      const data = parsedBodies.has(res) ? parsedBodies.get(res) : parseCached(res);
      if (data !== undefined) return { data, link: res.headers.get('link') };
    }
    // Anything else (a failure, an error status, an odd type) is this same outcome handed to Octokit, which raises or
    // returns exactly what it would have; only a further attempt its auth hook makes (a 401 just after a token was
    // minted) goes back on the wire.
    let first = true;
    const replay = (async (input: string | URL | Request, init?: RequestInit) => {
      if (first) { first = false; if (!res) throw thrown; return readable(res); }
      return readable(await shared(input, init));
    }) as typeof globalThis.fetch;
    return viaOctokit(octokit, route, params, next, replay);
  });
  return client;
}

/** The parsed body of a 200 served from the ETag cache (bodiless, its text in the registry); undefined if not JSON. */
function parseCached(res: Response): unknown {
  const text = bufferedBodies.get(res);
  if (text === undefined || !/json/i.test(res.headers.get('content-type') ?? '')) return undefined;
  try { return JSON.parse(text); } catch { return undefined; }
}

const APP_AUTH_PATH = /^\/(app(\/|$)|app-manifests\/|marketplace_listing\/|(orgs|users|enterprises)\/[^/]+\/installation$|repos\/[^/]+\/[^/]+\/installation$)/i;

interface Page { data: unknown; link: string | null }
type FastGet = (route: string, params: Record<string, unknown>, next?: string) => Promise<Page>;

/** The thin GET of each client created here: the same fetch, headers and errors, without Octokit's per-request pipeline. */
const fastPaths = new WeakMap<Client, FastGet>();

async function viaOctokit(client: Client, route: string, params: Record<string, unknown>, next?: string, fetch?: typeof globalThis.fetch): Promise<Page> {
  const request = fetch ? { request: { fetch } } : {};
  const res = next ? await client.request({ method: 'GET', url: next, ...request }) : await client.request(route, { ...params, ...request });
  return { data: res.data, link: res.headers.link ?? null };
}

/**
 * The URL Octokit builds for a GET route: {name} expanded with RFC 6570 simple-string encoding, every other
 * parameter appended in order as name=encodeURIComponent(value). The ETag cache is keyed by this URL.
 */
export function expandRoute(baseUrl: string, route: string, params: Record<string, unknown>): string {
  const path = route.replace(/^GET\s+/, '');
  const used = new Set<string>();
  let url = baseUrl + path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    used.add(name);
    const v = params[name];
    return v === undefined || v === null ? '' : encodeUnreserved(String(v));
  });
  const query: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (used.has(k) || v === undefined) continue;
    query.push(k === 'q' ? `q=${String(v).split('+').map(encodeURIComponent).join('+')}` : `${k}=${encodeURIComponent(v as string)}`);
  }
  if (query.length) url += (url.includes('?') ? '&' : '?') + query.join('&');
  return url;
}

function encodeUnreserved(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface ListOptions {
  /** The array inside an object response ({total_count, secrets: [...]}); absent for a bare array. */
  key?: string;
  maxPages: number;
  params?: Record<string, unknown>;
  /** Called with each page's items as it arrives, so dependent work can start before the last page (the result is unchanged). */
  onPage?: (items: unknown[]) => void;
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
  const params = { per_page: 100, ...opts.params };
  const fast = fastPaths.get(client);
  const get = (next?: string): Promise<Page> => (fast ? fast(route, params, next) : viaOctokit(client, route, params, next));
  let res = await get();
  for (let pageNo = 1; ; pageNo++) {
    const data = res.data;
    const items = opts.key ? (data as Record<string, unknown> | null)?.[opts.key] : data;
    if (!Array.isArray(items)) throw new IncompleteListingError(`${route}: page ${pageNo} is not a list`);
    if (opts.key && typeof (data as { total_count?: unknown }).total_count === 'number') total = (data as { total_count: number }).total_count;
    for (const item of items as T[]) out.push(item);
    opts.onPage?.(items);
    const next = /<([^>]+)>;\s*rel="next"/.exec(String(res.link ?? ''))?.[1];
    if (!next) break;
    if (items.length === 0) throw new IncompleteListingError(`${route}: page ${pageNo} is empty but links to a next page`);
    if (seen.has(next)) throw new IncompleteListingError(`${route}: pagination loop (page ${pageNo} links back to a page already read)`);
    if (pageNo >= opts.maxPages) throw new IncompleteListingError(`${route}: more than ${opts.maxPages} pages (max_pages); stopped`);
    seen.add(next);
    res = await get(next);
  }
  if (total !== null && out.length < total) throw new IncompleteListingError(`${route}: ${out.length} of ${total} items returned`);
  return out;
}
