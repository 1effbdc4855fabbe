// The Admin SDK Directory client of one tenant, on the shared HTTP layer: googleapis' directory_v1 with its gaxios
// transporter's fetch set to createFetch (retries, backoff, timeouts, counters, concurrency) and its own retries off,
// so there is exactly one backoff. Authentication: a service-account key with domain-wide delegation acting as a
// Workspace admin (`subject`), Application Default Credentials with that subject, or a ready access token.
import { admin, auth as gauth, type admin_directory_v1 } from '@googleapis/admin';
import type { ConnectorContext, HttpContext } from '../types.js';
import { createFetch, SourceUnavailableError } from '../http/fetch.js';
import { callerKey } from '../http/cache.js';
import { UserError } from '../../errors.js';
import { READ_SCOPES, type WorkspaceOptions } from './options.js';

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

type Ctx = ConnectorContext<WorkspaceOptions>;
type AuthClient = InstanceType<typeof gauth.OAuth2>;

export interface WorkspaceClients {
  directory: admin_directory_v1.Admin;
}

/** Reads the whole body inside the retry loop, so a truncated body is retried like any transport failure. */
const bufferedFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const buf = await res.arrayBuffer();
  const nullBody = res.status === 204 || res.status === 304;
  return new Response(nullBody ? null : buf, { status: res.status, statusText: res.statusText, headers: res.headers });
};

function callerOf(ctx: Ctx): string {
  const o = ctx.options;
  if (o.access_token_env) return callerKey('token', (ctx.env[o.access_token_env] ?? '').slice(-12));
  return callerKey('dwd', o.key_file_env ? ctx.env[o.key_file_env] : ctx.env.GOOGLE_APPLICATION_CREDENTIALS ?? 'default', o.subject);
}

async function authClient(ctx: Ctx, fetchImpl: typeof fetch): Promise<AuthClient> {
  const o = ctx.options;
  const name = ctx.source.name;
  const transporterOptions = { fetchImplementation: fetchImpl };
  if (o.access_token_env) {
    const token = ctx.env[o.access_token_env];
    if (!token) throw new UserError(`workspace source ${name}: environment variable ${o.access_token_env} (options.access_token_env) is not set`);
    const client = new gauth.OAuth2({ transporterOptions });
    client.setCredentials({ access_token: token, expiry_date: Date.now() + 50 * 60_000 });
    return client;
  }
  if (!o.subject) throw new UserError(`workspace source ${name}: options.subject (a Workspace admin email) is required: domain-wide delegation acts as that admin`);
  const keyFilename = o.key_file_env ? ctx.env[o.key_file_env] : undefined;
  if (o.key_file_env && !keyFilename) throw new UserError(`workspace source ${name}: environment variable ${o.key_file_env} (options.key_file_env) is not set`);
  const ga = new gauth.GoogleAuth({ scopes: [...READ_SCOPES], keyFilename, clientOptions: { subject: o.subject, transporterOptions } });
  try {
    return (await ga.getClient()) as unknown as AuthClient;
  } catch (e) {
    throw new UserError(`workspace source ${name}: no service-account credentials found (a key file named by options.key_file_env, or application default credentials): ${(e as Error).message}`);
  }
}

/** The clients for one tenant's work; every call goes through this tenant's fetch (and counters). */
export async function createClients(ctx: Ctx, http: HttpContext): Promise<WorkspaceClients> {
  const shared = createFetch({
    counters: http.counters, retry: http.retry, concurrency: http.concurrency, cache: http.cache, signal: ctx.signal,
    baseFetch: bufferedFetch, caller: `${ctx.source.name}:${callerOf(ctx)}`,
  });
  const tokenUrl = ctx.options.token_url;
  // The token library posts to Google's fixed token URL; a configured token_url (the simulator) replaces exactly it.
  const f: typeof fetch = tokenUrl
    ? (input, init) => (String(input instanceof Request ? input.url : input) === GOOGLE_TOKEN_URL ? shared(tokenUrl, init) : shared(input, init))
    : shared;
  const client = await authClient(ctx, f);
  const endpoint = ctx.options.api_endpoint ? new URL(ctx.options.api_endpoint) : null;
  const directory = admin({ version: 'directory_v1', auth: client, retry: false, ...(endpoint ? { rootUrl: endpoint.origin + '/' } : {}) } as admin_directory_v1.Options);
  return { directory };
}

// ---------- errors ----------

export interface ApiError { status: number | null; reason: string | null; message: string; unavailable: boolean }

/** HTTP status, the Directory API's error reason (forbidden, notFound, rateLimitExceeded …) and a short message. */
export function apiError(e: unknown): ApiError {
  const chain: unknown[] = [];
  for (let cur: unknown = e, i = 0; i < 6 && cur && typeof cur === 'object'; i++) { chain.push(cur); cur = (cur as { cause?: unknown }).cause; }
  const unavailable = chain.some((c) => c instanceof SourceUnavailableError);
  let status: number | null = null;
  let body: unknown;
  for (const c of chain) {
    const o = c as { status?: unknown; response?: { status?: number; data?: unknown } };
    if (status === null && typeof o.response?.status === 'number') status = o.response.status;
    if (status === null && typeof o.status === 'number') status = o.status;
    if (body === undefined && o.response?.data !== undefined) body = o.response.data;
  }
  if (typeof body === 'string') { try { body = JSON.parse(body); } catch { body = undefined; } }
  const err = (body as { error?: { message?: string; errors?: { reason?: string }[] } | string; error_description?: string } | undefined);
  const reason = typeof err?.error === 'object' ? err.error.errors?.find((x) => x.reason)?.reason ?? null : typeof err?.error === 'string' ? err.error : null;
  const unavailableErr = chain.find((c) => c instanceof SourceUnavailableError) as Error | undefined;
  const bodyMessage = typeof err?.error === 'object' ? err.error.message : err?.error_description;
  const message = (unavailableErr?.message ?? bodyMessage ?? (e as Error)?.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 300);
  return { status, reason, message, unavailable };
}

export function describe(e: unknown): string {
  const a = apiError(e);
  return a.status ? `HTTP ${a.status}${a.reason ? ` (${a.reason})` : ''}: ${a.message}` : a.message;
}

export const isNotFound = (e: unknown) => apiError(e).status === 404;

export class PagingError extends Error {
  constructor(message: string) { super(message); this.name = 'PagingError'; }
}
