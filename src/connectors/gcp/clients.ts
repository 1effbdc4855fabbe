// The GCP clients of one tenant, all on the shared HTTP layer: one gaxios transporter whose fetch is createFetch
// (retries, backoff, timeouts, counters), shared by the googleapis IAM v1 client and by the gax clients (Resource
// Manager, IAM v2, Secret Manager) in REST-fallback mode. Client-side retries of both SDKs are switched off so there
// is exactly one backoff. Also: error classification and a paging loop that refuses a listing that never ends.
import { AsyncLocalStorage } from 'node:async_hooks';
import { iam, auth as gauth, type iam_v1 } from '@googleapis/iam';
import { FoldersClient, OrganizationsClient, ProjectsClient } from '@google-cloud/resource-manager';
import { PoliciesClient } from '@google-cloud/iam';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { ConnectorContext, HttpContext } from '../types.js';
import { createFetch, SourceUnavailableError } from '../http/fetch.js';
import { callerKey } from '../http/cache.js';
import { UserError } from '../../errors.js';
import type { GcpOptions } from './options.js';

const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

type AuthClient = InstanceType<typeof gauth.OAuth2>;

export interface GcpClients {
  auth: AuthClient;
  iam: iam_v1.Iam;
  projects: ProjectsClient;
  folders: FoldersClient;
  organizations: OrganizationsClient;
  deny: PoliciesClient;
  secrets: SecretManagerServiceClient;
  /** Base URL of REST APIs called through the auth client (Policy Analyzer). */
  restBase(service: 'policyanalyzer'): string;
  /** Runs fn with this tenant's fetch: every API call must happen inside. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Reads the whole body inside the retry loop, so a connection reset or a truncated body is retried like any other
 * transport failure instead of surfacing later as a parse error in the SDK.
 */
const bufferedFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const buf = await res.arrayBuffer();
  const nullBody = res.status === 204 || res.status === 304;
  return new Response(nullBody ? null : buf, { status: res.status, statusText: res.statusText, headers: res.headers });
};

/** Who is calling, from the configured credential source (known before any token is fetched): keys the ETag cache. */
function callerOf(ctx: ConnectorContext<GcpOptions>): string {
  const o = ctx.options;
  if (o.access_token_env) return callerKey('token', (ctx.env[o.access_token_env] ?? '').slice(-12));
  return callerKey('adc', o.key_file_env ? ctx.env[o.key_file_env] : ctx.env.GOOGLE_APPLICATION_CREDENTIALS ?? 'default');
}

async function authClient(ctx: ConnectorContext<GcpOptions>, fetchImpl: typeof fetch): Promise<{ client: AuthClient }> {
  const o = ctx.options;
  const transporterOptions = { fetchImplementation: fetchImpl };
  if (o.access_token_env) {
    const token = ctx.env[o.access_token_env];
    if (!token) throw new UserError(`gcp source ${ctx.source.name}: environment variable ${o.access_token_env} (options.access_token_env) is not set`);
    const client = new gauth.OAuth2({ transporterOptions });
    // An access token from `gcloud auth print-access-token` or a workload's token exchange: used as given.
    client.setCredentials({ access_token: token, expiry_date: Date.now() + 50 * 60_000 });
    return { client };
  }
  const keyFilename = o.key_file_env ? ctx.env[o.key_file_env] : undefined;
  if (o.key_file_env && !keyFilename) throw new UserError(`gcp source ${ctx.source.name}: environment variable ${o.key_file_env} (options.key_file_env) is not set`);
  const ga = new gauth.GoogleAuth({ scopes: SCOPES, keyFilename, clientOptions: { transporterOptions } });
  try {
    return { client: (await ga.getClient()) as unknown as AuthClient };
  } catch (e) {
    throw new UserError(`gcp source ${ctx.source.name}: no Google credentials found (application default credentials, or a key file named by options.key_file_env): ${(e as Error).message}`);
  }
}

/**
 * The fetch of the tenant being worked on. The SDK clients are built once per source and run (gax clients compile
 * their protos on construction, which costs far more CPU than a tenant's calls), while every tenant keeps its own
 * counters, retry policy and concurrency: the shared transporter dispatches to the fetch of the calling context.
 */
const tenantFetch = new AsyncLocalStorage<typeof fetch>();
const dispatchFetch: typeof fetch = (input, init) => {
  const f = tenantFetch.getStore();
  if (!f) return Promise.reject(new Error('gcp: an API call outside of a tenant context (internal error)'));
  return f(input, init);
};

type Shared = Omit<GcpClients, 'run' | 'close'>;
const sharedBySource = new WeakMap<object, Promise<Shared>>();

async function buildShared(ctx: ConnectorContext<GcpOptions>): Promise<Shared> {
  const { client } = await authClient(ctx, dispatchFetch);
  const endpoint = ctx.options.api_endpoint ? new URL(ctx.options.api_endpoint) : null;
  const gaxOpts = (host: string) => ({
    fallback: true as const,
    authClient: client,
    ...(endpoint
      ? { apiEndpoint: endpoint.hostname, port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)), protocol: endpoint.protocol.replace(':', '') }
      : { apiEndpoint: host }),
  });
  const iamClient = iam({ version: 'v1', auth: client, retry: false, ...(endpoint ? { rootUrl: endpoint.origin + '/' } : {}) } as iam_v1.Options);
  // Each gax client is built when first needed.
  const lazy = <T>(make: () => T) => { let v: T | undefined; return () => (v ??= make()); };
  const projects = lazy(() => new ProjectsClient(gaxOpts('cloudresourcemanager.googleapis.com') as ConstructorParameters<typeof ProjectsClient>[0]));
  const folders = lazy(() => new FoldersClient(gaxOpts('cloudresourcemanager.googleapis.com') as ConstructorParameters<typeof FoldersClient>[0]));
  const organizations = lazy(() => new OrganizationsClient(gaxOpts('cloudresourcemanager.googleapis.com') as ConstructorParameters<typeof OrganizationsClient>[0]));
  const deny = lazy(() => new PoliciesClient(gaxOpts('iam.googleapis.com') as ConstructorParameters<typeof PoliciesClient>[0]));
  const secrets = lazy(() => new SecretManagerServiceClient(gaxOpts('secretmanager.googleapis.com') as ConstructorParameters<typeof SecretManagerServiceClient>[0]));
  return {
    auth: client,
    iam: iamClient,
    get projects() { return projects(); },
    get folders() { return folders(); },
    get organizations() { return organizations(); },
    get deny() { return deny(); },
    get secrets() { return secrets(); },
    restBase: (service) => (endpoint ? endpoint.origin : `https://${service}.googleapis.com`),
  };
}

/** The clients for one tenant's work: `run` executes API calls with this tenant's fetch (and counters). */
export async function createClients(ctx: ConnectorContext<GcpOptions>, http: HttpContext): Promise<GcpClients> {
  const fetchForTenant = createFetch({
    counters: http.counters, retry: http.retry, concurrency: http.concurrency, cache: http.cache, signal: ctx.signal,
    baseFetch: bufferedFetch, caller: `${ctx.source.name}:${callerOf(ctx)}`,
  });
  let shared = sharedBySource.get(ctx);
  if (!shared) {
    // Building the auth client may fetch a token: that first call is charged to the tenant that triggered it.
    shared = tenantFetch.run(fetchForTenant, () => buildShared(ctx));
    sharedBySource.set(ctx, shared);
    shared.catch(() => sharedBySource.delete(ctx));
  }
  const s = await shared;
  return Object.assign(Object.create(s) as Shared, {
    run: <T>(fn: () => Promise<T>) => tenantFetch.run(fetchForTenant, fn),
    // Shared clients live as long as the source's context; REST-fallback clients hold no connection to close.
    close: async () => undefined,
  }) as GcpClients;
}

/** gax call options: no client-side retry (the shared fetch already retried), no automatic paging (we guard pages). */
export const NO_RETRY = { retry: null, autoPaginate: false } as const;

// ---------- errors ----------

export interface ApiError { status: number | null; reason: string | null; grpcStatus: string | null; message: string; unavailable: boolean }

function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur && typeof cur === 'object'; i++) {
    out.push(cur);
    const o = cur as { cause?: unknown; error?: unknown };
    cur = o.cause ?? (o.error instanceof Error ? o.error : undefined);
  }
  return out;
}

/** HTTP status, Google error reason (SERVICE_DISABLED …) and a short message, from whichever SDK threw. */
export function apiError(e: unknown): ApiError {
  const chain = causes(e);
  const unavailable = chain.some((c) => c instanceof SourceUnavailableError);
  let status: number | null = null;
  let body: unknown;
  for (const c of chain) {
    const o = c as { status?: unknown; code?: unknown; response?: { status?: number; data?: unknown } };
    if (status === null && typeof o.response?.status === 'number') status = o.response.status;
    if (status === null && typeof o.status === 'number') status = o.status;
    if (status === null && typeof o.code === 'number' && o.code >= 100 && o.code < 600) status = o.code;
    if (body === undefined && o.response?.data !== undefined) body = o.response.data;
  }
  if (typeof body === 'string') { try { body = JSON.parse(body); } catch { body = undefined; } }
  if (body === undefined) {
    // gax's REST fallback streams the body, so gaxios puts the raw JSON error in the message instead.
    const msg = (e as Error)?.message ?? '';
    if (msg.startsWith('{')) { try { body = JSON.parse(msg); } catch { /* not JSON */ } }
  }
  const err = (body as { error?: { message?: string; status?: string; details?: { reason?: string }[] } } | undefined)?.error;
  const reason = err?.details?.find((d) => d.reason)?.reason ?? null;
  const first = chain.find((c) => c instanceof SourceUnavailableError) as Error | undefined;
  const message = first?.message ?? err?.message ?? (e as Error)?.message ?? String(e);
  if (status === null && typeof (err as { code?: unknown } | undefined)?.code === 'number') status = (err as { code: number }).code;
  return { status, reason, grpcStatus: err?.status ?? null, message: oneLine(message), unavailable };
}

export function describe(e: unknown): string {
  const a = apiError(e);
  return a.status ? `HTTP ${a.status}${a.grpcStatus ? ` ${a.grpcStatus}` : ''}${a.reason ? ` (${a.reason})` : ''}: ${a.message}` : a.message;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').slice(0, 300);

export const isNotFound = (e: unknown) => apiError(e).status === 404;
export const isServiceDisabled = (e: unknown) => { const a = apiError(e); return a.status === 403 && a.reason === 'SERVICE_DISABLED'; };

// ---------- paging ----------

export class PagingError extends Error {
  constructor(message: string) { super(message); this.name = 'PagingError'; }
}

/** Collects every page; a repeated token or more than maxPages pages is a broken listing, never a complete one. */
export async function allPages<T>(what: string, maxPages: number, fetchPage: (token: string | undefined) => Promise<{ items: T[]; next: string | null | undefined }>): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let n = 1; ; n++) {
    const { items, next } = await fetchPage(token);
    out.push(...items);
    if (!next) return out;
    if (seen.has(next)) throw new PagingError(`${what}: the API returned page token it had already returned; listing stopped after ${n} pages`);
    if (n >= maxPages) throw new PagingError(`${what}: listing did not end after ${maxPages} pages (options.max_pages); stopped`);
    seen.add(next);
    token = next;
  }
}

export { SourceUnavailableError };
