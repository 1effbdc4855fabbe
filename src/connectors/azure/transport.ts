// How the Azure SDK clients talk HTTP: every client gets `httpClient` = the project's shared fetch (createFetch:
// retries with retryDelay, Retry-After, per-attempt timeout, call counters) and `retryOptions.maxRetries = 0`, so
// there is exactly one retry loop and every attempt is counted into the tenant's counters.
import { request as httpsRequest } from 'node:https';
// Types only: the runtime of these packages is whatever the SDK clients brought; nothing here depends on hoisting.
import type { HttpClient, HttpHeaders, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createFetch } from '../http/fetch.js';
import type { HttpContext } from '../types.js';

/**
 * A fetch over node:https that trusts one extra CA (the simulator's certificate) on top of nothing else: Node's global
 * fetch cannot take a per-call CA. The whole body is read before resolving, so a connection cut mid-body is a network
 * error that createFetch retries, never a short page.
 */
export function httpsFetchWithCa(ca: string): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => { headers[k] = v; });
    const body = init?.body == null ? undefined
      : typeof init.body === 'string' ? Buffer.from(init.body, 'utf8')
        : Buffer.from(new Uint8Array(await new Response(init.body).arrayBuffer()));
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(url, { method: init?.method ?? 'GET', headers, ca, signal: init?.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('connection closed before the response body ended')));
        res.on('end', () => {
          if (!res.complete) return reject(new Error('connection closed before the response body ended'));
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) v.forEach((x) => h.append(k, x)); else if (v !== undefined) h.set(k, v);
          }
          const status = res.statusCode ?? 0;
          const noBody = status === 204 || status === 304 || (init?.method ?? 'GET').toUpperCase() === 'HEAD';
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers: h }));
        });
      });
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  }) as typeof fetch;
}

/** Paged listings must never ask for the same page twice: a server whose nextLink points back would loop forever. */
export class PageLoopError extends Error {
  constructor(url: string) { super(`pagination loop: the service returned a next page link already followed (${url.replace(/\?.*/, '?…')})`); this.name = 'PageLoopError'; }
}

const PAGE_TOKEN = /[?&](?:\$|%24)?skip_?token=/i;

/** The fetch one tenant's clients share, with a guard against nextLink loops. */
export interface AzureTransport {
  fetch: typeof fetch;
  httpClient: HttpClient;
}

export function createTransport(http: HttpContext, opts: { ca?: string; signal?: AbortSignal; caller: string }): AzureTransport {
  const f = createFetch({
    counters: http.counters,
    retry: http.retry,
    concurrency: http.concurrency,
    // Azure's list APIs (ARM, Graph, Key Vault) send no ETags, so there is nothing to revalidate.
    cache: null,
    caller: opts.caller,
    signal: opts.signal,
    baseFetch: opts.ca ? httpsFetchWithCa(opts.ca) : undefined,
  });
  const seenPages = new Set<string>();
  const guarded = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if ((init?.method ?? 'GET').toUpperCase() === 'GET' && PAGE_TOKEN.test(url)) {
      if (seenPages.has(url)) throw new PageLoopError(url);
      seenPages.add(url);
    }
    return f(input, init);
  }) as typeof fetch;
  return { fetch: guarded, httpClient: sdkHttpClient(guarded) };
}

/** core-rest-pipeline's HttpClient over a fetch: the SDK clients' pipelines end here. */
export function sdkHttpClient(f: typeof fetch): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const headers: Record<string, string> = {};
      for (const [k, v] of request.headers) headers[k] = v;
      const body = request.body;
      if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body)) {
        throw new Error('unsupported request body type for the Azure transport');
      }
      const res = await f(request.url, {
        method: request.method,
        headers,
        body: body == null ? undefined : (body as string | ArrayBuffer),
        signal: request.abortSignal as AbortSignal | undefined,
      });
      const text = await res.text();
      const h: Record<string, string> = {};
      res.headers.forEach((v, k) => { h[k] = v; });
      return { request, status: res.status, headers: new Headerbag(h), bodyAsText: text };
    },
  };
}

/** A bearer token handed in from outside (an env var): the simulator's token, or one from `az account get-access-token`. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string, private readonly expiresOn = Date.now() + 3_600_000) {}
  async getToken(): Promise<AccessToken> { return { token: this.token, expiresOnTimestamp: this.expiresOn }; }
}

/** Options every SDK client gets: our transport and no retry loop of its own. */
export function sdkOptions(t: AzureTransport) {
  return { httpClient: t.httpClient, retryOptions: { maxRetries: 0 }, userAgentOptions: { userAgentPrefix: 'nhi-recon' } };
}

/** core-rest-pipeline's HttpHeaders contract (case-insensitive names). */
class Headerbag implements HttpHeaders {
  private readonly map = new Map<string, { name: string; value: string }>();
  constructor(init: Record<string, string> = {}) { for (const [k, v] of Object.entries(init)) this.set(k, v); }
  get(name: string): string | undefined { return this.map.get(name.toLowerCase())?.value; }
  has(name: string): boolean { return this.map.has(name.toLowerCase()); }
  set(name: string, value: string | number | boolean): void { this.map.set(name.toLowerCase(), { name, value: String(value) }); }
  delete(name: string): void { this.map.delete(name.toLowerCase()); }
  toJSON(options: { preserveCase?: boolean } = {}): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, e] of this.map) out[options.preserveCase ? e.name : k] = e.value;
    return out;
  }
  *[Symbol.iterator](): Iterator<[string, string]> { for (const [k, e] of this.map) yield [k, e.value]; }
}
