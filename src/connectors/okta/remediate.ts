// Remediation of Okta access: revoke an API token (irreversible: Okta cannot re-activate one), deactivate a service
// app or one of its client secrets (rolled back by activating again). Every action is verified by reading the target
// back; the ETag cache is never used, and a secret's value in a read is dropped at once.
import type { ActionSpec, ConnectorContext, Remediation, Target, TargetState } from '../types.js';
import { NotReversibleError } from '../types.js';
import { createClient, statusOf, type OktaClient } from './client.js';
import { parseRef, type ParsedRef } from './map.js';
import { tenantOf, type OktaOptions } from './options.js';

export const ACTIONS: ActionSpec[] = [
  { operation: 'revoke-api-token', kind: 'revoke', subject: 'credential', kinds: ['api_token'], reversible: false,
    description: 'Revoke an API token (DELETE /api/v1/api-tokens/{apiTokenId}); verified by GET → 404. Okta cannot re-activate a revoked token.' },
  { operation: 'deactivate-service-app', kind: 'disable', subject: 'identity', kinds: ['app'], reversible: true,
    description: 'Deactivate an OAuth service app (POST /api/v1/apps/{appId}/lifecycle/deactivate); verified by status INACTIVE; rollback activates it again. Okta also drops the app\'s group-based assignments on deactivation.' },
  { operation: 'deactivate-client-secret', kind: 'disable', subject: 'credential', kinds: ['client_secret'], reversible: true,
    description: 'Deactivate one client secret of an app (POST /api/v1/apps/{appId}/credentials/secrets/{secretId}/lifecycle/deactivate); verified by status INACTIVE; rollback activates it. Okta refuses for the only secret of a client.' },
];

const OP_REF: Record<string, ParsedRef['type']> = {
  'revoke-api-token': 'api_token',
  'deactivate-service-app': 'app',
  'deactivate-client-secret': 'secret',
};

const gone = (evidence: Record<string, unknown>): TargetState => ({ exists: false, active: false, last_used_at: null, state: evidence });

function target(ctx: ConnectorContext<OktaOptions>, t: Target, operation?: string): ParsedRef {
  const p = parseRef(t.ref);
  if (!p) throw new Error(`not an Okta ref this connector can act on: ${t.ref}`);
  if (operation && OP_REF[operation] !== p.type) throw new Error(`operation ${operation} does not apply to ${t.ref} (${p.type})`);
  const org = tenantOf(ctx.options);
  if (p.tenant.toLowerCase() !== org.toLowerCase()) throw new Error(`${t.ref} belongs to org ${p.tenant}, but this source collects ${org}`);
  return p;
}

async function clientFor(ctx: ConnectorContext<OktaOptions>, tenant: string): Promise<OktaClient> {
  return (await createClient(ctx, { ...ctx.http(tenant), cache: null })).client;
}

async function get404<T>(fn: () => Promise<T>): Promise<T | null> {
  try { return await fn(); } catch (e) { if (statusOf(e) === 404) return null; throw e; }
}

async function read(ctx: ConnectorContext<OktaOptions>, t: Target): Promise<TargetState> {
  const p = target(ctx, t);
  const c = await clientFor(ctx, p.tenant);
  switch (p.type) {
    case 'api_token': {
      const k = await get404(() => c.apiTokenApi.getApiToken({ apiTokenId: p.id })) as { name?: string; userId?: string; expiresAt?: Date } | null;
      if (!k) return gone({ checked: 'GET /api/v1/api-tokens/{id}', api_token_id: p.id, status: 404 });
      return { exists: true, active: true, last_used_at: null, state: { api_token_id: p.id, name: k.name ?? null, user_id: k.userId ?? null } };
    }
    case 'app': {
      const a = await get404(() => c.applicationApi.getApplication({ appId: p.appId })) as { status?: string; label?: string } | null;
      if (!a) return gone({ checked: 'GET /api/v1/apps/{id}', app_id: p.appId, status: 404 });
      return { exists: true, active: a.status === 'ACTIVE', last_used_at: null, state: { app_id: p.appId, label: a.label ?? null, status: a.status ?? null } };
    }
    case 'secret': {
      const s = await get404(() => c.applicationSSOPublicKeysApi.getOAuth2ClientSecret({ appId: p.appId, secretId: p.id })) as { status?: string; secret_hash?: string; client_secret?: string } | null;
      if (!s) return gone({ checked: 'GET /api/v1/apps/{id}/credentials/secrets/{secretId}', app_id: p.appId, secret_id: p.id, status: 404 });
      delete s.client_secret;
      return { exists: true, active: s.status === 'ACTIVE', last_used_at: null, state: { app_id: p.appId, secret_id: p.id, status: s.status ?? null, secret_hash: s.secret_hash ?? null } };
    }
    default:
      throw new Error(`no read for ${t.ref}`);
  }
}

export const remediation: Remediation<OktaOptions> = {
  actions: ACTIONS,
  read,
  async execute(ctx, operation, t) {
    const p = target(ctx, t, operation);
    const c = await clientFor(ctx, p.tenant);
    if (p.type === 'api_token') await c.apiTokenApi.revokeApiToken({ apiTokenId: p.id });
    else if (p.type === 'app') await c.applicationApi.deactivateApplication({ appId: p.appId });
    else if (p.type === 'secret') {
      const s = await c.applicationSSOPublicKeysApi.deactivateOAuth2ClientSecret({ appId: p.appId, secretId: p.id }) as { client_secret?: string } | undefined;
      if (s) delete s.client_secret;
    } else throw new Error(`no operation ${operation} for ${t.ref}`);
    return { operation, ref: t.ref };
  },
  async verify(ctx, operation, t) {
    target(ctx, t, operation);
    const after = await read(ctx, t);
    return { ok: !after.exists || !after.active, evidence: { read_at: new Date().toISOString(), exists: after.exists, active: after.active, ...after.state } };
  },
  async rollback(ctx, operation, t, before) {
    const p = target(ctx, t, operation);
    if (p.type === 'api_token') throw new NotReversibleError(`a revoked Okta API token cannot be re-activated: ${t.ref}`);
    if (!before.exists || !before.active) return { operation, ref: t.ref, restored: false, reason: 'it was not active before' };
    const c = await clientFor(ctx, p.tenant);
    if (p.type === 'app') await c.applicationApi.activateApplication({ appId: p.appId });
    else if (p.type === 'secret') {
      const s = await c.applicationSSOPublicKeysApi.activateOAuth2ClientSecret({ appId: p.appId, secretId: p.id }) as { client_secret?: string } | undefined;
      if (s) delete s.client_secret;
    }
    return { operation, ref: t.ref, restored: true };
  },
};
