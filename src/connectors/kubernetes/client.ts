// The kubeconfig, one @kubernetes/client-node client set per context, and the transport under it: every request goes
// through the project's shared fetch (retries honouring Retry-After, timeouts, counters) over the agent the
// kubeconfig describes (its CA, client certificate, proxy). Secret reads are forced to metadata-only at this one
// chokepoint: whatever API method asks, a GET on Secrets sends `Accept: …;as=PartialObjectMetadata[List];…` and a
// response in any other representation is refused unread, so a token value never reaches this process.
import { existsSync } from 'node:fs';
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import {
  ApiException, CoreV1Api, KubeConfig, Observable, RbacAuthorizationV1Api, ResponseContext, ServerConfiguration, createConfiguration,
  type HttpLibrary, type RequestContext,
} from '@kubernetes/client-node';
import { createFetch, redactUrl, SourceUnavailableError } from '../http/fetch.js';
import type { ConnectorContext, HttpContext } from '../types.js';
import { UserError } from '../../errors.js';
import type { KubernetesOptions } from './options.js';

type Ctx = ConnectorContext<KubernetesOptions>;

export const LIST_METADATA = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const ONE_METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/** Where the kubeconfig is: the option, else the first file of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(ctx: Pick<Ctx, 'options' | 'env'>): string {
  if (ctx.options.kubeconfig) return resolve(ctx.options.kubeconfig);
  const env = ctx.env.KUBECONFIG?.split(delimiter).find(Boolean);
  return env ? resolve(env) : join(homedir(), '.kube', 'config');
}

const configs = new WeakMap<object, KubeConfig>();

/** The kubeconfig of a source, loaded once per run. Errors name the file and never echo its content (it holds tokens). */
export function loadKubeConfig(ctx: Ctx): KubeConfig {
  const cached = configs.get(ctx.options);
  if (cached) return cached;
  const file = kubeconfigPath(ctx);
  const where = `kubernetes source ${ctx.source.name}: kubeconfig ${file}`;
  if (!existsSync(file)) throw new UserError(`${where} does not exist; set options.kubeconfig or $KUBECONFIG`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (e) {
    const line = (e as { mark?: { line?: number } }).mark?.line;
    throw new UserError(`${where} is not a valid kubeconfig${line !== undefined ? ` (line ${line + 1})` : ''}`);
  }
  if (!kc.getContexts().length) throw new UserError(`${where} defines no context`);
  configs.set(ctx.options, kc);
  return kc;
}

/** The tenants: the configured contexts, every context (all_contexts), or the current one. Unknown names are user errors. */
export function contextsOf(ctx: Ctx): string[] {
  const kc = loadKubeConfig(ctx);
  const names = kc.getContexts().map((c) => c.name);
  const file = kubeconfigPath(ctx);
  if (ctx.source.tenants.length) {
    const missing = ctx.source.tenants.filter((t) => !names.includes(t));
    if (missing.length) throw new UserError(`kubernetes source ${ctx.source.name}: context(s) ${missing.join(', ')} not in ${file} (it has: ${names.join(', ')})`);
    return ctx.source.tenants;
  }
  if (ctx.options.all_contexts) return names;
  const current = kc.getCurrentContext();
  if (!current || !names.includes(current)) throw new UserError(`kubernetes source ${ctx.source.name}: ${file} has no current-context; list contexts under \`tenants\` or set options.all_contexts`);
  return [current];
}

/** A kubeconfig of its own for one context, so concurrent tenants never share a mutable current-context. */
function forContext(kc: KubeConfig, context: string): KubeConfig {
  const k = new KubeConfig();
  k.loadFromOptions({ clusters: kc.getClusters(), users: kc.getUsers(), contexts: kc.getContexts(), currentContext: context });
  return k;
}

/** A fetch over node:http(s) with the kubeconfig's agent (CA, client certificate, proxy); reads the whole body first. */
function agentFetch(agent: HttpAgent | HttpsAgent | undefined): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => { headers[k] = v; });
    const body = init?.body == null ? undefined
      : typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : Buffer.from(new Uint8Array(await new Response(init.body).arrayBuffer()));
    if (body) headers['content-length'] = String(body.length);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<Response>((resolveRes, reject) => {
      const req = send(url, { method: init?.method ?? 'GET', headers, agent, signal: init?.signal ?? undefined } as RequestOptions, (res) => {
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
          resolveRes(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }));
        });
      });
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  }) as typeof fetch;
}

/** The server answered a Secret read in full (it ignored the metadata-only request): refused before the body is read. */
export class MetadataOnlyRefusedError extends Error {
  constructor(url: string, contentType: string | null) {
    super(`GET ${redactUrl(url)} answered "${contentType ?? 'no content type'}" instead of metadata only; the body was discarded unread`);
    this.name = 'MetadataOnlyRefusedError';
  }
}

/** client-node's HttpLibrary over the shared fetch. */
class Transport implements HttpLibrary {
  constructor(private readonly f: typeof fetch) {}
  send(request: RequestContext): Observable<ResponseContext> {
    return new Observable(this.sendAsync(request));
  }
  private async sendAsync(request: RequestContext): Promise<ResponseContext> {
    const url = request.getUrl();
    const method = String(request.getHttpMethod()).toUpperCase();
    const headers: Record<string, string> = { ...request.getHeaders() };
    const path = new URL(url).pathname;
    const secretRead = method === 'GET' && /\/secrets(\/[^/]+)?$/.test(path);
    if (secretRead) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === 'accept') delete headers[k];
      headers.Accept = path.endsWith('/secrets') ? LIST_METADATA : ONE_METADATA;
    }
    const body = request.getBody();
    const res = await this.f(url, { method, headers, body: body == null ? undefined : (body as string) });
    const contentType = res.headers.get('content-type');
    if (secretRead && res.ok && !/;\s*as=PartialObjectMetadata/i.test(contentType ?? '')) {
      await res.body?.cancel().catch(() => undefined);
      throw new MetadataOnlyRefusedError(url, contentType);
    }
    const text = await res.text();
    const h: Record<string, string> = {};
    res.headers.forEach((v, k) => { h[k] = v; });
    return new ResponseContext(res.status, h, { text: async () => text, binary: async () => Buffer.from(text, 'utf8') });
  }
}

export interface K8sClients {
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
  /** The API server URL of the context (for messages). */
  server: string;
}

/** Clients for one context, every request counted into the tenant's counters. */
export async function clientsFor(ctx: Ctx, context: string, http: HttpContext): Promise<K8sClients> {
  const kc = forContext(loadKubeConfig(ctx), context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UserError(`kubernetes source ${ctx.source.name}: context ${context} names no cluster in ${kubeconfigPath(ctx)}`);
  const opts: RequestOptions = {};
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (e) {
    throw new UserError(`kubernetes source ${ctx.source.name}: context ${context}: ${(e as Error).message.replace(/Bearer\s+\S+/g, 'Bearer …')}`);
  }
  const f = createFetch({ counters: http.counters, retry: http.retry, concurrency: http.concurrency, cache: null, signal: ctx.signal, baseFetch: agentFetch(opts.agent as HttpAgent | undefined) });
  const config = createConfiguration({ baseServer: new ServerConfiguration(cluster.server.replace(/\/+$/, ''), {}), authMethods: { default: kc }, httpApi: new Transport(f) });
  return { core: new CoreV1Api(config), rbac: new RbacAuthorizationV1Api(config), server: cluster.server };
}

/** HTTP status of a failed call, when it had one. */
export function statusOf(e: unknown): number | undefined {
  if (e instanceof ApiException) return e.code;
  if (e instanceof SourceUnavailableError) return e.status;
  return undefined;
}

/** A short, secret-free description of a failure: the status and the API's Status message. */
export function describe(e: unknown): string {
  if (e instanceof ApiException) {
    let message = '';
    const body = (e as ApiException<unknown>).body;
    try { message = (typeof body === 'string' ? (JSON.parse(body) as { message?: string }).message : (body as { message?: string } | undefined)?.message) ?? ''; } catch { /* not a Status */ }
    return `HTTP ${e.code}${message ? `: ${message}` : ''}`;
  }
  return (e as Error).message ?? String(e);
}

export const isNotFound = (e: unknown) => statusOf(e) === 404;

/** A listing whose continue token kept expiring, or that never ended. */
export class ListIncompleteError extends Error {
  constructor(message: string) { super(message); this.name = 'ListIncompleteError'; }
}

interface Page<T> { items: T[]; metadata?: { _continue?: string } }

/**
 * Every item of a chunked list. A 410 Gone on a continue token (the snapshot expired) restarts the list from its
 * first page, dropping what was read, so the result is always one consistent snapshot; after `maxRestarts` it fails.
 */
export async function listAll<T>(what: string, opts: { maxPages: number; maxRestarts: number }, page: (cont: string | undefined) => Promise<Page<T>>): Promise<{ items: T[]; restarts: number }> {
  for (let restarts = 0; ; restarts++) {
    const items: T[] = [];
    const seen = new Set<string>();
    let cont: string | undefined;
    let expired = false;
    for (let n = 0; ; n++) {
      if (n >= opts.maxPages) throw new ListIncompleteError(`${what}: still paging after ${opts.maxPages} pages`);
      let p: Page<T>;
      try {
        p = await page(cont);
      } catch (e) {
        if (cont !== undefined && statusOf(e) === 410) { expired = true; break; }
        throw e;
      }
      items.push(...p.items);
      const next = p.metadata?._continue || undefined;
      if (!next) return { items, restarts };
      if (seen.has(next)) throw new ListIncompleteError(`${what}: the server returned a continue token already followed`);
      seen.add(next);
      cont = next;
    }
    if (expired && restarts >= opts.maxRestarts) {
      throw new ListIncompleteError(`${what}: the continue token expired (410 Gone) ${restarts + 1} time(s); the list could not be read as one snapshot`);
    }
  }
}
