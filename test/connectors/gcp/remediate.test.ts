import { describe, expect, it } from 'vitest';
import { collectGcp, ENV, rows, startSim } from './harness.js';
import { connector } from '../../../src/connectors/gcp/index.js';
import { GcpOptions } from '../../../src/connectors/gcp/options.js';
import type { ConnectorContext, Target } from '../../../src/connectors/types.js';
import { DEFAULT_RETRY, newCounters } from '../../../src/connectors/http/fetch.js';
import { silentLogger } from '../../../src/log.js';
import { etagOf, saEmail } from '../../../src/sim/gcp/estate.js';
import type { GcpSim } from '../../../src/sim/gcp/server.js';

const r = connector.remediation!;
const DEPLOYER = `projects/acme-web/serviceAccounts/${saEmail('acme-web', 'deployer')}`;
const KEY = `${DEPLOYER}/keys/a1b2c3d4e5f60001`;

function ctxFor(sim: GcpSim): ConnectorContext<GcpOptions> {
  return {
    runId: 'r1', source: { name: 'gcp', type: 'gcp', tenants: [] }, options: GcpOptions.parse({ api_endpoint: sim.url, access_token_env: 'GCP_TOKEN' }),
    log: silentLogger, now: new Date(), env: ENV, signal: new AbortController().signal,
    http: () => ({ counters: newCounters(), cache: null, retry: { ...DEFAULT_RETRY, retries: 1, baseDelayMs: 5 }, concurrency: 4 }),
  };
}

const target = (t: Partial<Target> & Pick<Target, 'subject' | 'ref' | 'kind'>): Target => ({
  provider: 'gcp', tenant: 'acme-web', source: 'gcp', identity_ref: null, resource_ref: null, permission: null, attributes: null, ...t,
});

/** The entitlement as the core would hand it over: built from the collected row. */
async function entitlementTarget(sim: GcpSim, where: string): Promise<Target> {
  const { store, runId } = await collectGcp(sim);
  const row = (await rows(store, 'entitlements', runId, where))[0]!;
  return target({ subject: 'entitlement', tenant: row.tenant as string, ref: row.ref as string, kind: null, identity_ref: row.identity_ref as string,
    resource_ref: row.resource_ref as string, permission: row.permission as string, attributes: JSON.parse(row.attributes as string) });
}

const webPolicy = (sim: GcpSim) => sim.estate.projects.find((p) => p.projectId === 'acme-web')!.policy;

describe('gcp remediation, verified by reading back', () => {
  it('disables a key, verifies it, and rolls it back', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = target({ subject: 'credential', ref: KEY, kind: 'sa_key', identity_ref: DEPLOYER });
    const before = await r.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { disabled: false } });
    await r.execute(ctx, 'disable-sa-key', t, before);
    const v = await r.verify(ctx, 'disable-sa-key', t);
    expect(v.ok).toBe(true);
    expect(v.evidence).toMatchObject({ disabled: true, disable_reason: 'SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED' });
    await r.rollback!(ctx, 'disable-sa-key', t, before);
    expect((await r.read(ctx, t)).active).toBe(true);
  });

  it('deletes a key only once it is disabled, and verifies it is gone', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = target({ subject: 'credential', ref: KEY, kind: 'sa_key' });
    await expect(r.execute(ctx, 'delete-sa-key', t, await r.read(ctx, t))).rejects.toThrow(/still enabled: disable it first/);
    expect(sim.log.some((l) => l.startsWith('DELETE'))).toBe(false);
    await r.execute(ctx, 'disable-sa-key', t, await r.read(ctx, t));
    await r.execute(ctx, 'delete-sa-key', t, await r.read(ctx, t));
    expect(await r.verify(ctx, 'delete-sa-key', t)).toMatchObject({ ok: true, evidence: { exists: false } });
    expect(sim.estate.projects[0]!.serviceAccounts[0]!.keys.map((k) => k.id)).toEqual(['ffff000000000001']);
    await expect(r.rollback!(ctx, 'delete-sa-key', t, { exists: true, active: false, last_used_at: null, state: {} })).rejects.toThrow(/cannot be undone/);
  });

  it('disables a service account and re-enables it on rollback', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = target({ subject: 'identity', ref: DEPLOYER, kind: 'service_account' });
    const before = await r.read(ctx, t);
    await r.execute(ctx, 'disable-service-account', t, before);
    expect(await r.verify(ctx, 'disable-service-account', t)).toMatchObject({ ok: true, evidence: { disabled: true } });
    expect(sim.estate.projects[0]!.serviceAccounts[0]!.disabled).toBe(true);
    await r.rollback!(ctx, 'disable-service-account', t, before);
    expect(sim.estate.projects[0]!.serviceAccounts[0]!.disabled).toBe(false);
  });

  it('removes a member from a project binding with read-modify-write, leaving the rest intact', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = await entitlementTarget(sim, "permission = 'roles/editor'");
    const othersBefore = webPolicy(sim).bindings.filter((b) => b.role !== 'roles/editor');
    const before = await r.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { policy_resource: 'projects/acme-web', etag: etagOf(1) } });
    await r.execute(ctx, 'remove-binding-member', t, before);
    expect(await r.verify(ctx, 'remove-binding-member', t)).toMatchObject({ ok: true, evidence: { active: false } });
    expect(webPolicy(sim).bindings.find((b) => b.role === 'roles/editor')).toBeUndefined();
    expect(webPolicy(sim).bindings).toEqual(othersBefore);
    await r.rollback!(ctx, 'remove-binding-member', t, before);
    expect(webPolicy(sim).bindings.find((b) => b.role === 'roles/editor')?.members).toEqual([`serviceAccount:${saEmail('acme-web', 'deployer')}`]);
  });

  it('fails safely on a concurrent policy change: the etag no longer matches and nothing is overwritten', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const t = await entitlementTarget(sim, "permission = 'roles/editor'");
    const before = await r.read(ctx, t);
    // Someone else grants access between our read and our write.
    webPolicy(sim).bindings.push({ role: 'roles/viewer', members: ['user:newcomer@acme.example'] });
    webPolicy(sim).etagSeq++;
    await expect(r.execute(ctx, 'remove-binding-member', t, before)).rejects.toThrow(/changed since it was read \(etag mismatch\); nothing was changed/);
    expect(sim.log.filter((l) => l.endsWith(':setIamPolicy'))).toHaveLength(1);
    expect(webPolicy(sim).bindings.some((b) => b.members.includes('user:newcomer@acme.example'))).toBe(true);
    expect((await r.verify(ctx, 'remove-binding-member', t)).ok).toBe(false);
  });

  it('removes only the conditional binding named, and a reader from a secret policy', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    webPolicy(sim).bindings.push({ role: 'roles/run.developer', members: ['user:bob@acme.example'] }); // unconditional twin
    const t = await entitlementTarget(sim, "ref LIKE '%temp-bob'");
    await r.execute(ctx, 'remove-binding-member', t, await r.read(ctx, t));
    expect((await r.verify(ctx, 'remove-binding-member', t)).ok).toBe(true);
    expect(webPolicy(sim).bindings.filter((b) => b.role === 'roles/run.developer')).toEqual([{ role: 'roles/run.developer', members: ['user:bob@acme.example'] }]);

    const s = await entitlementTarget(sim, "resource_ref = 'projects/1001/secrets/db-password' AND identity_ref = 'user:erin@acme.example'");
    await r.execute(ctx, 'remove-binding-member', s, await r.read(ctx, s));
    expect((await r.verify(ctx, 'remove-binding-member', s)).ok).toBe(true);
    expect(sim.estate.projects[0]!.secrets[0]!.policy.bindings[0]!.members).toEqual([`serviceAccount:${saEmail('acme-web', 'deployer')}`]);
  });

  it('disables secret versions (etag-checked) and rolls back; triggers rotation only where configured', async () => {
    const sim = await startSim();
    const ctx = ctxFor(sim);
    const db = target({ subject: 'credential', ref: 'projects/1001/secrets/db-password', kind: 'stored_secret' });
    const before = await r.read(ctx, db);
    expect(before).toMatchObject({ exists: true, active: true });
    await r.execute(ctx, 'disable-secret-versions', db, before);
    expect(await r.verify(ctx, 'disable-secret-versions', db)).toMatchObject({ ok: true });
    expect(sim.estate.projects[0]!.secrets[0]!.versions[0]!.state).toBe('DISABLED');
    await r.rollback!(ctx, 'disable-secret-versions', db, before);
    expect(sim.estate.projects[0]!.secrets[0]!.versions[0]!.state).toBe('ENABLED');
    // A version changed since the read: its etag no longer matches and the disable is refused.
    const stale = await r.read(ctx, db);
    sim.estate.projects[0]!.secrets[0]!.versions[0]!.etagSeq++;
    await expect(r.execute(ctx, 'disable-secret-versions', db, stale)).rejects.toThrow(/changed since it was read/);
    expect(sim.estate.projects[0]!.secrets[0]!.versions[0]!.state).toBe('ENABLED');

    await expect(r.execute(ctx, 'rotate-secret-now', db, await r.read(ctx, db))).rejects.toThrow(/no rotation configured/);
    const api = target({ subject: 'credential', ref: 'projects/1001/secrets/api-token', kind: 'stored_secret' });
    await r.execute(ctx, 'rotate-secret-now', api, await r.read(ctx, api));
    expect((await r.verify(ctx, 'rotate-secret-now', api)).ok).toBe(true);
    expect(sim.payloadAccesses).toBe(0);
  });
});
