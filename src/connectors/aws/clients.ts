// SDK clients for one account, all instrumented the same way: a middleware counts every attempt into the tenant's
// counters and retries throttling, 5xx, timeouts and broken transports with the project's shared backoff
// (retryDelay), so the SDK's own retry is switched off (maxAttempts: 1). Member accounts are reached by assuming the
// configured role with the base credentials; each account's clients and counters are its own.
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ConnectorContext, HttpContext } from '../types.js';
import { RateBudgetExhaustedError, SourceUnavailableError, classifyStatus, retryDelay, sleep, type RetryPolicy } from '../http/fetch.js';
import { UserError } from '../../errors.js';
import type { AwsOptions } from './options.js';

type Ctx = ConnectorContext<AwsOptions>;
type AnyClient = IAMClient | STSClient | OrganizationsClient | SecretsManagerClient;

const THROTTLE_CODES = /^(Throttling|ThrottlingException|ThrottledException|RequestThrottled|RequestThrottledException|TooManyRequestsException|RequestLimitExceeded|SlowDown|PriorRequestNotComplete|ProvisionedThroughputExceededException|LimitExceededException)$/;

interface SdkError { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } }

/** What to do with a failed attempt: throttled and transient faults are retried; answers (AccessDenied, NoSuchEntity) are not. */
export function classifyAwsError(e: unknown): 'throttle' | 'retry' | 'fail' {
  const err = e as SdkError;
  const status = err.$metadata?.httpStatusCode;
  // IAM's LimitExceeded (409) is a quota, not a rate limit.
  if (err.name && THROTTLE_CODES.test(err.name) && !(err.name === 'LimitExceededException' && status === 409)) return 'throttle';
  if (status === 429) return 'throttle';
  if (status === undefined) return err.name === 'AbortError' ? 'fail' : 'retry'; // reset, timeout, truncated body
  if (status >= 200 && status < 300) return 'retry'; // a 200 whose body could not be parsed
  return classifyStatus(status) === 'retry' ? 'retry' : 'fail';
}

/**
 * An error's message fit for logs and the journal: a deserialisation error quotes the response body, which for
 * CreateAccessKey holds a secret, so it is replaced by a plain statement.
 */
export function safeMessage(e: unknown): string {
  const err = e as SdkError & { $responseBodyText?: string };
  const msg = err.message ?? String(e);
  if (err.$responseBodyText !== undefined || /Deserialization error|body:/i.test(msg)) return 'the response body could not be parsed';
  return msg;
}

/** Calls that must not be repeated after an ambiguous failure: the first attempt may have succeeded. */
const NOT_IDEMPOTENT = new Set(['CreateAccessKeyCommand']);

const SERVICE_OF: Record<string, string> = { IAMClient: 'iam', STSClient: 'sts', OrganizationsClient: 'organizations', SecretsManagerClient: 'secretsmanager' };

/** "service:Action" of a middleware context, the way IAM policies and AWS's own errors name a call. */
function callOf(context: { clientName?: string; commandName?: string }): string {
  const service = SERVICE_OF[context.clientName ?? ''] ?? (context.clientName ?? 'aws').replace(/Client$/, '').toLowerCase();
  return `${service}:${(context.commandName ?? 'call').replace(/Command$/, '')}`;
}

/** Marks an error with the call that failed, so that every message built from it can name the service. */
function tag<E>(e: E, call: string): E {
  if (e && typeof e === 'object' && !('awsCall' in e)) Object.defineProperty(e, 'awsCall', { value: call, enumerable: false });
  return e;
}

/**
 * An error as "service:Action: Code: message" (e.g. "sts:AssumeRole: AccessDenied: …"), so a failed tenant says
 * which service refused; errors that did not come from an AWS call keep their own message.
 */
export function describeAwsError(e: unknown): string {
  const err = e as SdkError & { awsCall?: string };
  const msg = safeMessage(e);
  if (!err?.awsCall) return err?.name && err.name !== 'Error' && !msg.includes(err.name) ? `${err.name}: ${msg}` : msg;
  return msg.startsWith(err.awsCall) ? msg : `${err.awsCall}: ${err.name ?? 'error'}: ${msg}`;
}

/** Adds the counting and retrying middleware to a client. */
export function instrument<C extends AnyClient>(client: C, http: HttpContext, signal?: AbortSignal): C {
  const policy: RetryPolicy = http.retry;
  (client.middlewareStack as any).addRelativeTo(
    (next: (a: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: unknown) => {
      const call = callOf(context);
      for (let attempt = 1; ; attempt++) {
        http.counters.calls++;
        try {
          return await next(args);
        } catch (e) {
          const verdict = classifyAwsError(e);
          if (verdict === 'fail' || signal?.aborted) throw tag(e, call);
          // A throttled request was refused, so repeating it is safe; a reset or bad body after a create may not be.
          if (verdict === 'retry' && NOT_IDEMPOTENT.has(context.commandName ?? '')) throw tag(new SourceUnavailableError(`${call}: ${(e as Error).name}: ${safeMessage(e)} (not retried: it may have succeeded)`), call);
          const err = e as SdkError;
          const what = `${call}: ${err.name ?? 'error'} (${safeMessage(e)})`;
          const headers = err.$response?.headers ? new Headers(err.$response.headers) : undefined;
          const delay = retryDelay(attempt, policy, headers);
          if (verdict === 'throttle' && delay > policy.maxRateWaitMs) {
            throw tag(new RateBudgetExhaustedError(`${what}: AWS asks to wait ${Math.round(delay / 1000)} s, more than the ${Math.round(policy.maxRateWaitMs / 1000)} s allowed`), call);
          }
          if (attempt > policy.retries) {
            if (verdict === 'throttle') throw tag(new RateBudgetExhaustedError(`${what}: still throttled after ${attempt} attempts (retry budget exhausted)`), call);
            throw tag(new SourceUnavailableError(`${what}: failed after ${attempt} attempts`, err.$metadata?.httpStatusCode), call);
          }
          http.counters.retries++;
          await sleep(delay, signal);
        }
      }
    },
    // Before signing, so that every attempt is signed afresh (the SDK's own retry sits at the same place).
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'nhiReconRetry', override: true },
  );
  return client;
}

function common(o: AwsOptions, http: HttpContext) {
  return {
    region: o.region,
    maxAttempts: 1,
    requestHandler: { requestTimeout: http.retry.timeoutMs, connectionTimeout: Math.min(http.retry.timeoutMs, 10_000), throwOnRequestTimeout: true },
    ...(o.profile ? { profile: o.profile } : {}),
  };
}

/** Base credentials from the configured env var names, else undefined (the SDK's default chain). */
export function baseCredentials(ctx: Ctx): AwsCredentialIdentity | undefined {
  const o = ctx.options;
  const id = ctx.env[o.access_key_id_env];
  const secret = ctx.env[o.secret_access_key_env];
  if (!id || !secret) return undefined;
  return { accessKeyId: id, secretAccessKey: secret, sessionToken: ctx.env[o.session_token_env] || undefined };
}

// `endpoint` is IAM's alone: an IAM stand-in or VPC endpoint does not serve STS or Organizations, and sending their
// signed calls there would be a silent misroute. Each service uses its own override or the SDK's regional default.
export function stsClient(ctx: Ctx, http: HttpContext, credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider): STSClient {
  const o = ctx.options;
  return instrument(new STSClient({ ...common(o, http), endpoint: o.sts_endpoint, credentials: credentials ?? baseCredentials(ctx) }), http, ctx.signal);
}

export function organizationsClient(ctx: Ctx, http: HttpContext): OrganizationsClient {
  const o = ctx.options;
  return instrument(new OrganizationsClient({ ...common(o, http), endpoint: o.organizations_endpoint, credentials: baseCredentials(ctx) }), http, ctx.signal);
}

const setupContexts = new WeakMap<object, HttpContext>();

/**
 * The counters of calls made before any tenant is collected (the credential check, account discovery). They are
 * handed to the first tenant collected (takeSetupCalls), so that every call made lands in source_runs.
 */
export function setupHttp(ctx: Ctx): HttpContext {
  let h = setupContexts.get(ctx);
  if (!h) { h = ctx.http('*'); setupContexts.set(ctx, h); }
  return h;
}

/** Moves the setup calls counted so far into a tenant's counters. */
export function takeSetupCalls(ctx: Ctx, into: HttpContext): void {
  const h = setupContexts.get(ctx);
  if (!h || h === into) return;
  into.counters.calls += h.counters.calls; h.counters.calls = 0;
  into.counters.retries += h.counters.retries; h.counters.retries = 0;
  into.counters.cached += h.counters.cached; h.counters.cached = 0;
  into.counters.rateBudgetUsed += h.counters.rateBudgetUsed; h.counters.rateBudgetUsed = 0;
}

/**
 * The one account configured for a source without an organisation: then the credentials are taken to be that
 * account's and STS is not needed (the collected ARNs are checked against it instead, see checkAccount).
 */
export function configuredAccount(ctx: Ctx): string | undefined {
  return !ctx.options.organization && ctx.source.tenants.length === 1 ? ctx.source.tenants[0] : undefined;
}

const callerAccounts = new WeakMap<object, Promise<string>>();

/** The account the base credentials belong to (asked once per context; the configured one needs no call). */
export function callerAccount(ctx: Ctx, http: HttpContext): Promise<string> {
  const configured = configuredAccount(ctx);
  if (configured) return Promise.resolve(configured);
  let p = callerAccounts.get(ctx);
  if (!p) {
    p = stsClient(ctx, http).send(new GetCallerIdentityCommand({}), { abortSignal: ctx.signal }).then((r) => r.Account ?? '');
    callerAccounts.set(ctx, p);
    p.catch(() => callerAccounts.delete(ctx));
  }
  return p;
}

export interface AccountSession {
  account: string;
  iam: IAMClient;
  secrets(region: string, endpoint?: string): SecretsManagerClient;
}

/** Clients for one account: the base credentials when they belong to it, else the organisation role assumed in it. */
export async function accountSession(ctx: Ctx, account: string, http: HttpContext): Promise<AccountSession> {
  const o = ctx.options;
  const base = await callerAccount(ctx, http);
  let credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined = baseCredentials(ctx);
  if (account !== base) {
    if (!o.organization) throw new UserError(`tenant ${account} is not the account of the configured credentials (${base}); set organization.role_name to assume a role in it`);
    credentials = assumedRole(ctx, account, http);
    // Assume once now so that a denied role fails this tenant up front, with AWS's own message.
    await credentials();
  }
  const sm = new Map<string, SecretsManagerClient>();
  return {
    account,
    iam: instrument(new IAMClient({ ...common(o, http), endpoint: o.endpoint, credentials }), http, ctx.signal),
    secrets(region, endpoint) {
      let c = sm.get(region);
      if (!c) { c = instrument(new SecretsManagerClient({ ...common(o, http), region, endpoint, credentials }), http, ctx.signal); sm.set(region, c); }
      return c;
    },
  };
}

/** A refreshing provider of the organisation role's session credentials in `account`. */
function assumedRole(ctx: Ctx, account: string, http: HttpContext): AwsCredentialIdentityProvider {
  const o = ctx.options;
  const org = o.organization!;
  const sts = stsClient(ctx, http);
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    if (current?.expiration && current.expiration.getTime() - Date.now() > 5 * 60_000) return current;
    pending ??= (async () => {
      try {
        const externalId = org.external_id_env ? ctx.env[org.external_id_env] : undefined;
        if (org.external_id_env && !externalId) throw new UserError(`organization.external_id_env names ${org.external_id_env}, which is not set`);
        const r = await sts.send(new AssumeRoleCommand({
          RoleArn: `arn:${o.partition}:iam::${account}:role/${org.role_name}`, RoleSessionName: org.session_name, ExternalId: externalId, DurationSeconds: 3600,
        }), { abortSignal: ctx.signal });
        const c = r.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole into ${account} returned no credentials`);
        current = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
        return current;
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new Error(`cannot assume ${org.role_name} in account ${account}: ${describeAwsError(e)}`);
      } finally { pending = undefined; }
    })();
    return pending;
  };
}
