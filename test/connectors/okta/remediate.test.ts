import { describe, expect, it } from 'vitest';
import { ENV, ORG, startSim } from './harness.js';
import { connector } from '../../../src/connectors/okta/index.js';
import { OktaOptions } from '../../../src/connectors/okta/options.js';
import type { ConnectorContext, Target } from '../../../src/connectors/types.js';
import { DEFAULT_RETRY, newCounters } from '../../../src/connectors/http/fetch.js';
import { silentLogger } from '../../../src/log.js';
import type { OktaSim } from '../../../src/sim/okta/server.js';

const r = connector.remediation!;
const O = `okta:${ORG}`;

function ctxFor(sim: OktaSim): ConnectorContext<OktaOptions> {
  return {
    runId: 'r1', source: { name: 'okta', type: 'okta', tenants: [] }, options: OktaOptions.parse({ org_url: sim.url, tenant_name: ORG, token_env: 'OKTA_TOKEN' }),
    log: silentLogger, now: new Date(), env: ENV, signal: new AbortController().signal,
    http: () => ({ counters: newCounters(), cache: null, retry: { ...DEFAULT_RETRY, retries: 1, baseDelayMs: 5 }, concurrency: 4 }),
  };
}

const target = (t: Partial<Target> & Pick<Target, 'subject' | 'ref' | 'kind'>): Target => ({
  provider: 'okta', tenant: ORG, source: 'okta', identity_ref: null, resource_ref: null, permission: null, attributes: null, ...t,
});

describe('okta remediation, verified by reading back', () => {
  it('declares its actions: token revocation irreversible, deactivations reversible', () => {
    expect(r.actions.map((a) => [a.operation, a.kind, a.subject, a.kinds, a.reversible])).toEqual([
      ['revoke-api-token', 'revoke', 'credential', ['api_token'], false],
      ['deactivate-service-app', 'disable', 'identity', ['app'], true],
      ['deactivate-client-secret', 'disable', 'credential', ['client_secret'], true],
    ]);
  });

  it('revokes an API token, verifies GET → 404, and refuses to roll back', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = target({ subject: 'credential', ref: `${O}/api-tokens/00Tabc2`, kind: 'api_token' });
    const before = await r.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { api_token_id: '00Tabc2', name: 'dave-scripts', user_id: '00u2dave' } });
    await r.execute(ctx, 'revoke-api-token', t, before);
    expect(sim.log).toContain('DELETE /api/v1/api-tokens/00Tabc2');
    expect(await r.verify(ctx, 'revoke-api-token', t)).toMatchObject({ ok: true, evidence: { exists: false, status: 404 } });
    expect(sim.estate.apiTokens.map((k) => k.id)).toEqual(['00Tabc1', '00Tabc3']);
    await expect(r.rollback!(ctx, 'revoke-api-token', t, before)).rejects.toThrow(/cannot be re-activated/);
  });

  it('deactivates a service app, verifies INACTIVE, and re-activates it on rollback', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = target({ subject: 'identity', ref: `${O}/apps/0oa1crm`, kind: 'app' });
    const before = await r.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { status: 'ACTIVE', label: 'CRM Sync (vendor)' } });
    await r.execute(ctx, 'deactivate-service-app', t, before);
    expect(await r.verify(ctx, 'deactivate-service-app', t)).toMatchObject({ ok: true, evidence: { exists: true, active: false, status: 'INACTIVE' } });
    await r.rollback!(ctx, 'deactivate-service-app', t, before);
    expect(sim.estate.apps[0]!.status).toBe('ACTIVE');
    // An app that was already inactive is not activated by a rollback.
    const old = target({ subject: 'identity', ref: `${O}/apps/0oa3old`, kind: 'app' });
    const oldBefore = await r.read(ctx, old);
    expect(await r.rollback!(ctx, 'deactivate-service-app', old, oldBefore)).toMatchObject({ restored: false });
    expect(sim.estate.apps[2]!.status).toBe('INACTIVE');
  });

  it('deactivates a client secret without ever returning its value, and re-activates it on rollback', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = target({ subject: 'credential', ref: `${O}/apps/0oa1crm/secrets/ocs1old`, kind: 'client_secret' });
    const before = await r.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { status: 'ACTIVE', secret_hash: 'hash-ocs1old' } });
    const result = await r.execute(ctx, 'deactivate-client-secret', t, before);
    const v = await r.verify(ctx, 'deactivate-client-secret', t);
    expect(v).toMatchObject({ ok: true, evidence: { active: false, status: 'INACTIVE' } });
    const value = sim.estate.apps[0]!.secrets[0]!.value;
    expect(JSON.stringify([before, result, v])).not.toContain(value);
    await r.rollback!(ctx, 'deactivate-client-secret', t, before);
    expect(sim.estate.apps[0]!.secrets[0]!.status).toBe('ACTIVE');
  });

  it('surfaces Okta\'s refusal to deactivate the only secret of a client, and verify stays false', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = target({ subject: 'credential', ref: `${O}/apps/0oa3old/secrets/ocs4rep`, kind: 'client_secret' });
    await expect(r.execute(ctx, 'deactivate-client-secret', t, await r.read(ctx, t))).rejects.toThrow(/400|only secret/);
    expect((await r.verify(ctx, 'deactivate-client-secret', t)).ok).toBe(false);
  });

  it('refuses an operation on a ref of another kind or another org', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const app = target({ subject: 'identity', ref: `${O}/apps/0oa1crm`, kind: 'app' });
    await expect(r.execute(ctx, 'revoke-api-token', app, await r.read(ctx, app))).rejects.toThrow(/does not apply/);
    const other = target({ subject: 'credential', ref: 'okta:other.okta.com/api-tokens/00Tabc1', kind: 'api_token' });
    await expect(r.read(ctx, other)).rejects.toThrow(/belongs to org other\.okta\.com/);
    expect(sim.log.some((l) => l.startsWith('DELETE') || l.includes('lifecycle'))).toBe(false);
  });
});
