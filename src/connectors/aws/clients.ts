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

/** Adds the counting and retrying middleware to a client. */
export function instrument<C extends AnyClient>(client: C, http: HttpContext, signal?: AbortSignal): C {
  const policy: RetryPolicy = http.retry;
  (client.middlewareStack as any).addRelativeTo(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      for (let attempt = 1; ; attempt++) {
        http.counters.calls++;
        try {
          return await next(args);
        } catch (e) {
          const verdict = classifyAwsError(e);
          if (verdict === 'fail' || signal?.aborted) throw e;
          // A throttled request was refused, so repeating it is safe; a reset or bad body after a create may not be.
          if (verdict === 'retry' && NOT_IDEMPOTENT.has(context.commandName ?? '')) throw new SourceUnavailableError(`${context.commandName}: ${(e as Error).name}: ${safeMessage(e)} (not retried: it may have succeeded)`);
          const err = e as SdkError;
          const what = `${context.commandName ?? 'call'}: ${err.name ?? 'error'} (${safeMessage(e)})`;
          const headers = err.$response?.headers ? new Headers(err.$response.headers) : undefined;
          const delay = retryDelay(attempt, policy, headers);
          if (verdict === 'throttle' && delay > policy.maxRateWaitMs) {
            throw new RateBudgetExhaustedError(`${what}: AWS asks to wait ${Math.round(delay / 1000)} s, more than the ${Math.round(policy.maxRateWaitMs / 1000)} s allowed`);
          }
          if (attempt > policy.retries) {
            if (verdict === 'throttle') throw new RateBudgetExhaustedError(`${what}: still throttled after ${attempt} attempts (retry budget exhausted)`);
            throw new SourceUnavailableError(`${what}: failed after ${attempt} attempts`, err.$metadata?.httpStatusCode);
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

export function stsClient(ctx: Ctx, http: HttpContext, credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider): STSClient {
  const o = ctx.options;
  return instrument(new STSClient({ ...common(o, http), endpoint: o.sts_endpoint ?? o.endpoint, credentials: credentials ?? baseCredentials(ctx) }), http, ctx.signal);
}

export function organizationsClient(ctx: Ctx, http: HttpContext): OrganizationsClient {
  const o = ctx.options;
  return instrument(new OrganizationsClient({ ...common(o, http), endpoint: o.organizations_endpoint ?? o.endpoint, credentials: baseCredentials(ctx) }), http, ctx.signal);
}

const callerAccounts = new WeakMap<object, Promise<string>>();

/** The account the base credentials belong to (asked once per context). */
export function callerAccount(ctx: Ctx, http: HttpContext): Promise<string> {
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
        const err = e as SdkError;
        throw new Error(`cannot assume ${org.role_name} in account ${account}: ${err.name ?? 'error'}: ${err.message ?? ''}`.trim());
      } finally { pending = undefined; }
    })();
    return pending;
  };
}
