// Options, credentials and SDK clients of the Azure connector. Every client shares one tenant's transport (our retry
// loop and counters); SDKs are imported lazily so a config without Azure never loads them.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { TokenCredential } from '@azure/core-auth';
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { KeyVaultManagementClient } from '@azure/arm-keyvault';
import type { Client as GraphClient, Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { ConnectorContext, HttpContext } from '../types.js';
import { UserError } from '../../errors.js';
import { callerKey } from '../http/cache.js';
import { StaticTokenCredential, createTransport, sdkOptions, type AzureTransport } from './transport.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const AzureOptions = z.strictObject({
  tenant_id: z.string().regex(GUID, 'the Entra ID tenant id (a GUID)').describe('Entra ID (Azure AD) tenant id; also the tenant under which directory objects are recorded.'),
  arm_endpoint: z.url().default('https://management.azure.com').describe('Azure Resource Manager endpoint (sovereign clouds, or the simulator).'),
  graph_endpoint: z.url().default('https://graph.microsoft.com').describe('Microsoft Graph endpoint.'),
  keyvault_dns_suffix: z.string().default('vault.azure.net').describe('Vault URIs must end with this host suffix; other vault URIs are skipped (no token is sent to them).'),
  authority_host: z.url().optional().describe('Entra ID authority host for client-secret credentials (sovereign clouds).'),
  ca_file: z.string().optional().describe('PEM file of a CA to trust in addition to nothing else (the simulator\'s self-signed certificate). There is no "insecure" switch.'),
  token_env: EnvName.optional().describe('Env var holding a ready bearer token (the simulator, or a short-lived token from `az account get-access-token`).'),
  client_id_env: EnvName.optional().describe('Env var holding a client id (with client_secret_env) for a service principal login.'),
  client_secret_env: EnvName.optional().describe('Env var holding that client secret. Without these, the standard chain (DefaultAzureCredential) is used.'),
  directory: z.boolean().default(true).describe('Collect the directory (service principals, app registrations, managed identities and their credentials) as tenant `tenant_id`.'),
  third_party_service_principals: z.boolean().default(false).describe('Also record Microsoft first-party service principals that hold no credentials (and read their grants). Other tenants\' apps (vendors\' integrations) are always recorded.'),
  entra_grants: z.boolean().default(true).describe('Collect Entra grants: application permissions (app role assignments), delegated consents (oauth2PermissionGrants), directory roles held by service principals, and federated identity credentials of apps and user-assigned managed identities.'),
  sign_in_activity: z.boolean().default(true).describe('Read the beta sign-in activity reports (needs AuditLog.Read.All and Entra ID P1); unavailable means "unknown", never "never used".'),
  key_vaults: z.boolean().default(true).describe('Collect Key Vault secrets, keys and certificates (metadata only) and vault access policies.'),
}).refine((o) => !o.client_id_env === !o.client_secret_env, { message: 'give both client_id_env and client_secret_env, or neither' });
export type AzureOptions = z.infer<typeof AzureOptions>;

export type Ctx = ConnectorContext<AzureOptions>;

/** The credential: a static token from env, a client secret from env, or the standard chain. Never from the config. */
export async function credentialFor(ctx: Ctx): Promise<TokenCredential> {
  const o = ctx.options;
  if (o.token_env) {
    const t = ctx.env[o.token_env];
    if (!t) throw new UserError(`azure source ${ctx.source.name}: environment variable ${o.token_env} (token_env) is not set`);
    return new StaticTokenCredential(t);
  }
  const { ClientSecretCredential, DefaultAzureCredential } = await import('@azure/identity');
  if (o.client_id_env && o.client_secret_env) {
    const id = ctx.env[o.client_id_env], secret = ctx.env[o.client_secret_env];
    if (!id || !secret) throw new UserError(`azure source ${ctx.source.name}: environment variables ${o.client_id_env} and ${o.client_secret_env} must both be set`);
    return new ClientSecretCredential(o.tenant_id, id, secret, o.authority_host ? { authorityHost: o.authority_host } : {});
  }
  return new DefaultAzureCredential({ tenantId: o.tenant_id });
}

const caCache = new Map<string, string>();
function caOf(o: AzureOptions): string | undefined {
  if (!o.ca_file) return undefined;
  let pem = caCache.get(o.ca_file);
  if (!pem) {
    try { pem = readFileSync(o.ca_file, 'utf8'); } catch (e) { throw new UserError(`azure: cannot read ca_file ${o.ca_file}: ${(e as Error).message}`); }
    if (!pem.includes('BEGIN CERTIFICATE')) throw new UserError(`azure: ca_file ${o.ca_file} holds no PEM certificate`);
    caCache.set(o.ca_file, pem);
  }
  return pem;
}

const scopeOf = (endpoint: string) => `${new URL(endpoint).origin}/.default`;
const trim = (u: string) => u.replace(/\/+$/, '');

/** One tenant's clients over one transport. */
export interface AzureClients {
  transport: AzureTransport;
  credential: TokenCredential;
  arm: string;
  authorization(subscription: string): Promise<AuthorizationManagementClient>;
  keyVaultManagement(subscription: string): Promise<KeyVaultManagementClient>;
  graph(): Promise<GraphClient>;
  /** A GET/POST on ARM outside the generated clients (subscription discovery). */
  armJson<T>(path: string): Promise<T>;
  vaultOptions(): Record<string, unknown>;
}

export async function clientsFor(ctx: Ctx, http: HttpContext, credential?: TokenCredential): Promise<AzureClients> {
  const o = ctx.options;
  const cred = credential ?? await credentialFor(ctx);
  const transport = createTransport(http, { ca: caOf(o), signal: ctx.signal, caller: callerKey('azure', o.tenant_id, o.token_env, o.client_id_env) });
  const arm = trim(o.arm_endpoint);
  const graphBase = trim(o.graph_endpoint);
  const common = sdkOptions(transport);
  return {
    transport, credential: cred, arm,
    async authorization(subscription) {
      const { AuthorizationManagementClient } = await import('@azure/arm-authorization');
      return new AuthorizationManagementClient(cred, subscription, { ...common, endpoint: arm, $host: arm, credentialScopes: [scopeOf(arm)] });
    },
    async keyVaultManagement(subscription) {
      const { KeyVaultManagementClient } = await import('@azure/arm-keyvault');
      return new KeyVaultManagementClient(cred, subscription, { ...common, endpoint: arm, $host: arm, credentialScopes: [scopeOf(arm)] });
    },
    async graph() {
      const { Client } = await import('@microsoft/microsoft-graph-client');
      const scope = scopeOf(graphBase);
      // The last (and only) middleware: our token and our fetch, so Graph calls share the tenant's retry and counters.
      const last: Middleware = {
        async execute(context: Context): Promise<void> {
          const t = await cred.getToken(scope, { abortSignal: ctx.signal });
          if (!t) throw new Error('no token for Microsoft Graph');
          const headers = new Headers(context.options?.headers as ConstructorParameters<typeof Headers>[0]);
          headers.set('authorization', `Bearer ${t.token}`);
          const url = typeof context.request === 'string' ? context.request : context.request.url;
          context.response = await transport.fetch(url, { ...(context.options as RequestInit), headers });
        },
      };
      return Client.initWithMiddleware({ baseUrl: graphBase, middleware: last, customHosts: new Set([new URL(graphBase).host]) });
    },
    async armJson<T>(path: string): Promise<T> {
      const t = await cred.getToken(scopeOf(arm), { abortSignal: ctx.signal });
      if (!t) throw new Error('no token for Azure Resource Manager');
      const res = await transport.fetch(`${arm}${path}`, { headers: { authorization: `Bearer ${t.token}`, accept: 'application/json' } });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET ${path.replace(/\?.*/, '')}: ${res.status} ${armErrorText(text)}`);
      // A body that is not JSON names the call, not the body's text (V8's message would quote it).
      try { return JSON.parse(text) as T; } catch { throw new Error(`GET ${path.replace(/\?.*/, '')}: ${res.status} answered with a body that is not JSON (${text.length} bytes)`); }
    },
    vaultOptions: () => ({ ...common, serviceVersion: '7.6' }),
  };
}

/** The code and message of an ARM/Graph error body, for messages a person can act on (no request payloads). */
export function armErrorText(text: string): string {
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    if (e) return `${e.code ?? ''}: ${e.message ?? ''}`.trim();
  } catch { /* not JSON */ }
  return text.slice(0, 200);
}

/** A readable message from an SDK error (RestError, GraphError), without request details. */
export function errorText(e: unknown): string {
  const x = e as { statusCode?: number; code?: string; message?: string; body?: unknown };
  const status = x.statusCode ? `${x.statusCode} ` : '';
  const code = x.code && !String(x.message ?? '').includes(x.code) ? `${x.code}: ` : '';
  return `${status}${code}${String(x.message ?? e).split('\n')[0]}`.slice(0, 400);
}

export function statusOf(e: unknown): number | undefined {
  const x = e as { statusCode?: number; status?: number };
  return x.statusCode ?? x.status;
}
