// Collection of one Okta org: API tokens (and the users who own them), then every OAuth service app with its scope
// grants, client secrets, JWKS keys and admin roles, the apps in parallel (the shared fetch bounds requests in
// flight). Each listing that fails marks the tenant partial with the call that failed; a spent rate budget stops the
// tenant cleanly. Nothing that failed is ever reported as absent.
import type { ConnectorContext, TenantSink } from '../types.js';
import { RateBudgetExhaustedError } from '../http/fetch.js';
import { createClient, describeError, listAll, rawList, statusOf, type OktaClient } from './client.js';
import type { OktaOptions } from './options.js';
import * as M from './map.js';

type UserResult = { user: M.User } | { deleted: true } | { failed: true };

export async function collectTenant(ctx: ConnectorContext<OktaOptions>, tenant: string, sink: TenantSink): Promise<void> {
  const o = ctx.options;
  const abort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  const { client } = await createClient(ctx, sink.http, signal);
  const own = o.own_apps.map(M.globToRegExp);

  let stopped = false;
  const notRun: string[] = [];
  /** Runs one call; its failure marks the tenant partial, a spent budget stops everything still to come. */
  const scope = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    if (stopped) { notRun.push(name); return undefined; }
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RateBudgetExhaustedError || (signal.aborted && abort.signal.reason instanceof RateBudgetExhaustedError)) {
        if (!stopped) { stopped = true; abort.abort(e); sink.partial(`${tenant}: rate budget exhausted during ${name}; collection stopped: ${(e as Error).message}`); }
        else notRun.push(name);
        return undefined;
      }
      if (stopped) { notRun.push(name); return undefined; }
      sink.partial(`${tenant}: ${describeError(name, e)}`);
      return undefined;
    }
  };

  // Users are read once each (token owners, grant creators): deleted ones are known gone, unreadable ones partial.
  const users = new Map<string, Promise<UserResult>>();
  const userOf = (id: string): Promise<UserResult> => {
    let p = users.get(id);
    if (!p) {
      p = (async (): Promise<UserResult> => {
        if (stopped) return { failed: true };
        try { return { user: await client.userApi.getUser({ userId: id }) as M.User }; } catch (e) {
          if (statusOf(e) === 404) return { deleted: true };
          await scope(`GET /api/v1/users/${id}`, () => Promise.reject(e));
          return { failed: true };
        }
      })();
      users.set(id, p);
    }
    return p;
  };
  const loginOf = async (id: string | undefined): Promise<string | null> => {
    if (!id) return null;
    const u = await userOf(id);
    return 'user' in u ? u.user.profile?.login ?? null : null;
  };

  // ---------- API tokens ----------
  const tokensDone = o.api_tokens ? scope('GET /api/v1/api-tokens', async () => {
    const tokens = await listAll<M.ApiToken>('GET /api/v1/api-tokens', client.apiTokenApi.listApiTokens());
    await Promise.all(tokens.map(async (k) => sink.credential(M.apiTokenCredential(tenant, k, await loginOf(k.userId)))));
  }) : Promise.resolve();

  // ---------- service apps ----------
  const appsDone = o.service_apps ? scope('GET /api/v1/apps', async () => {
    const apps = await listAll<M.App>('GET /api/v1/apps', client.applicationApi.listApplications({ limit: o.page_size }));
    await Promise.all(apps.filter(M.isServiceApp).map((a) => collectApp(client, tenant, a, sink, scope, loginOf, own)));
  }) : Promise.resolve();

  await Promise.all([tokensDone, appsDone]);
  for (const [id, p] of users) {
    const u = await p;
    if ('user' in u) sink.identity(M.userIdentity(tenant, u.user));
    else if ('deleted' in u) sink.identity(M.deletedUserIdentity(tenant, id));
  }
  if (notRun.length) ctx.log.debug(`${tenant}: not collected after the rate budget ran out: ${notRun.join(', ')}`);
}

type Scope = <T>(name: string, fn: () => Promise<T>) => Promise<T | undefined>;

async function collectApp(client: OktaClient, tenant: string, a: M.App, sink: TenantSink, scope: Scope,
  loginOf: (id: string | undefined) => Promise<string | null>, own: RegExp[]): Promise<void> {
  const appId = a.id;
  const clientId = M.clientIdOf(a);
  const [grants] = await Promise.all([
    scope(`GET /api/v1/apps/${appId}/grants`, async () => {
      const list = await listAll<M.Grant>(`GET /api/v1/apps/${appId}/grants`, client.applicationApi.listScopeConsentGrants({ appId }));
      const active = list.filter((g) => (g.status ?? 'ACTIVE') === 'ACTIVE');
      const withLogin = await Promise.all(active.map(async (g) => ({ g, login: g.createdBy?.type === 'User' || !g.createdBy?.type ? await loginOf(g.createdBy?.id) : null })));
      for (const { g, login } of withLogin) sink.entitlement(M.scopeEntitlement(tenant, a, g, login));
      return withLogin;
    }),
    scope(`GET /api/v1/apps/${appId}/credentials/secrets`, async () => {
      const list = await listAll<M.Secret & { client_secret?: string }>(`GET /api/v1/apps/${appId}/credentials/secrets`,
        client.applicationSSOPublicKeysApi.listOAuth2ClientSecrets({ appId }));
      // Okta lists each secret with its value: dropped here, before anything else sees the object.
      for (const s of list) { delete s.client_secret; sink.credential(M.clientSecretCredential(tenant, a, s)); }
    }),
    scope(`GET /api/v1/apps/${appId}/credentials/jwks`, async () => {
      // The SDK models this listing as a single object: the answer (a JSON array) is read through its HTTP helper.
      for (const k of await rawList<M.Jwk>(client, `/api/v1/apps/${encodeURIComponent(appId)}/credentials/jwks`)) sink.credential(M.jwkCredential(tenant, a, k));
    }),
    scope(`GET /oauth2/v1/clients/${clientId}/roles`, async () => {
      // The SDK's model drops a custom role assignment's resource set: read through its HTTP helper.
      const roles = await rawList<M.Role>(client, `/oauth2/v1/clients/${encodeURIComponent(clientId)}/roles`);
      for (const r of roles) if ((r.status ?? 'ACTIVE') === 'ACTIVE') sink.entitlement(M.roleEntitlement(tenant, a, r));
    }),
  ]);
  // The person who consented, when all of the app's grants were given by one person.
  const logins = new Set((grants ?? []).map((x) => x.login));
  const consentedBy = logins.size === 1 ? [...logins][0]! : null;
  sink.identity(M.serviceAppIdentity(tenant, a, own, consentedBy));
}
