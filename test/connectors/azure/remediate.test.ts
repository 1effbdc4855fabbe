import { describe, expect, it } from 'vitest';
import { connector } from '../../../src/connectors/azure/index.js';
import type { AzureOptions } from '../../../src/connectors/azure/clients.js';
import type { Target } from '../../../src/connectors/types.js';
import { NotReversibleError } from '../../../src/connectors/types.js';
import { buildContext } from '../../../src/pipeline/collect.js';
import { silentLogger } from '../../../src/log.js';
import { ROLE } from '../../../src/sim/azure/estate.js';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { S1, id, startSim, testEstate } from './fixture.js';
import type { AzureSimOptions } from '../../../src/sim/azure/server.js';

const rem = connector.remediation!;

/** Collects the estate, then returns a way to build remediation targets from the stored rows (as the core does). */
async function setup(simOpts: Partial<AzureSimOptions> = {}) {
  const dir = tempDir();
  const { sim, source, env } = await startSim(dir, simOpts);
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [source], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env });
  expect(outcomes.every((o) => o.status === 'complete')).toBe(true);
  const ctx = buildContext(loaded.config.sources[0]!, loaded.sourceOptions.get('az') as AzureOptions,
    { runId: 'remediation', log: silentLogger, now: new Date(), env, signal: new AbortController().signal, cache: null });
  const target = async (subject: 'entitlement' | 'credential', where: string, params: string[]): Promise<Target> => {
    const table = subject === 'entitlement' ? 'entitlements' : 'credentials';
    const rows = await store.all<Record<string, unknown>>(`SELECT * FROM ${table} WHERE run_id = $1 AND ${where}`, [runId, ...params]);
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    return { provider: 'azure', tenant: r.tenant as string, source: 'az', subject, ref: r.ref as string, kind: (r.kind as string) ?? null,
      identity_ref: (r.identity_ref as string) ?? null, resource_ref: (r.resource_ref as string) ?? null, permission: (r.permission as string) ?? null,
      attributes: JSON.parse(r.attributes as string) };
  };
  return { sim, ctx, target };
}

describe('azure remediation, each verified by reading back', () => {
  it('declares its operations as data', () => {
    expect(rem.actions.map((a) => a.operation).sort()).toEqual(['delete-role-assignment', 'disable-secret-version', 'disable-service-principal', 'remove-app-role-assignment', 'remove-federated-credential', 'remove-password-credential', 'remove-pim-assignment', 'remove-pim-eligibility', 'revoke-delegated-scope', 'rotate-key-now']);
  });

  it('delete-role-assignment: gone on read-back; rollback re-creates it with the same name', async () => {
    const { sim, ctx, target } = await setup();
    const t = await target('entitlement', `ref LIKE '%' || $2`, [id.raContrib]);
    const before = await rem.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true });
    expect(before.state).toMatchObject({ principal_id: id.spLegacy, scope: `/subscriptions/${S1}/resourceGroups/rg-app` });
    expect(await rem.verify(ctx, 'delete-role-assignment', t)).toMatchObject({ ok: false });
    await rem.execute(ctx, 'delete-role-assignment', t, before);
    expect(sim.estate.roleAssignments.some((a) => a.name === id.raContrib)).toBe(false);
    expect(await rem.verify(ctx, 'delete-role-assignment', t)).toMatchObject({ ok: true, evidence: { exists: false } });
    await rem.rollback!(ctx, 'delete-role-assignment', t, before);
    expect(sim.estate.roleAssignments.find((a) => a.name === id.raContrib)).toMatchObject({ roleDefinition: ROLE.contributor, principalId: id.spLegacy });
    expect(await rem.read(ctx, t)).toMatchObject({ exists: true });
  });

  it('refuses to delete a just-in-time PIM assignment directly, and removes it with an AdminRemove schedule request', async () => {
    const { sim, ctx, target } = await setup();
    const t = await target('entitlement', `ref LIKE '%' || $2`, [id.raUaa]);
    const before = await rem.read(ctx, t);
    await expect(rem.execute(ctx, 'delete-role-assignment', t, before)).rejects.toThrow(/remove-pim-assignment/);
    const pimBefore = await (async () => { const s = await rem.verify(ctx, 'remove-pim-assignment', t); expect(s.ok).toBe(false); return s; })();
    expect(pimBefore.evidence).toMatchObject({ schedule_exists: true, assignment_exists: true });
    const out = await rem.execute(ctx, 'remove-pim-assignment', t, before);
    expect(out).toMatchObject({ request_type: 'AdminRemove', status: 'Revoked' });
    expect(sim.requests.some((r) => /PUT .*roleAssignmentScheduleRequests\//.test(r))).toBe(true);
    expect(await rem.verify(ctx, 'remove-pim-assignment', t)).toEqual({ ok: true, evidence: { schedule_exists: false, assignment_exists: false } });
    await expect(rem.rollback!(ctx, 'remove-pim-assignment', t, before)).rejects.toBeInstanceOf(NotReversibleError);
  });

  it('remove-pim-eligibility: the eligibility schedule is gone on read-back', async () => {
    const { sim, ctx, target } = await setup();
    const t = await target('entitlement', `ref LIKE '%' || $2`, [id.eligBob]);
    const before = await rem.read(ctx, t);
    expect(before.exists).toBe(true);
    await expect(rem.execute(ctx, 'remove-pim-assignment', t, before)).rejects.toThrow(/no PIM active assignment/);
    await rem.execute(ctx, 'remove-pim-eligibility', t, before);
    expect(sim.estate.eligibilitySchedules.some((s) => s.name === id.eligBob)).toBe(false);
    expect(await rem.verify(ctx, 'remove-pim-eligibility', t)).toMatchObject({ ok: true });
  });

  it('remove-password-credential: the key id is gone from the application on read-back; not reversible', async () => {
    const { sim, ctx, target } = await setup();
    const t = await target('credential', `name = $2`, ['ci']);
    const before = await rem.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { key_id: id.pwDeploy, hint: 'Xy7' } });
    await rem.execute(ctx, 'remove-password-credential', t, before);
    expect(sim.estate.applications.find((a) => a.id === id.appDeploy)!.passwordCredentials).toEqual([]);
    expect(await rem.verify(ctx, 'remove-password-credential', t)).toMatchObject({ ok: true, evidence: { exists: false } });
    await expect(rem.rollback!(ctx, 'remove-password-credential', t, before)).rejects.toBeInstanceOf(NotReversibleError);
  });

  it('disable-secret-version (opt-in): every enabled version disabled and read back; rollback re-enables them; no value read', async () => {
    const { sim, ctx, target } = await setup();
    const t = await target('credential', `name = $2`, ['kv-prod/db-password']);
    const before = await rem.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { enabled_versions: ['v1', 'v2'] } });
    await rem.execute(ctx, 'disable-secret-version', t, before);
    const secret = sim.estate.vaults[0]!.secrets.find((s) => s.name === 'db-password')!;
    expect(secret.versions.map((v) => v.enabled)).toEqual([false, false]);
    expect(await rem.verify(ctx, 'disable-secret-version', t)).toMatchObject({ ok: true, evidence: { enabled_versions: [] } });
    await rem.rollback!(ctx, 'disable-secret-version', t, before);
    expect(secret.versions.map((v) => v.enabled)).toEqual([true, true]);
    // Keys and certificates take the same path through their own clients.
    const k = await target('credential', `name = $2`, ['kv-prod/signing-key']);
    await rem.execute(ctx, 'disable-secret-version', k, await rem.read(ctx, k));
    expect(await rem.verify(ctx, 'disable-secret-version', k)).toMatchObject({ ok: true });
    expect(sim.secretValueReads).toBe(0);
  });

  it('rotate-key-now (opt-in): Key Vault rotates a key whose policy has a Rotate action, verified by a fresh enabled version; refused otherwise', async () => {
    // The seeded vault plus one key whose rotation policy has a Rotate action.
    const estate = testEstate();
    estate.vaults[0]!.keys.push({ name: 'wrap-key', versions: [{ version: 'w1', enabled: true, created: '2025-01-01T00:00:00Z', updated: '2025-01-01T00:00:00Z' }],
      rotationPolicy: { lifetimeActions: [{ trigger: { timeAfterCreate: 'P90D' }, action: { type: 'Rotate' } }], expiryTime: 'P1Y' } } as never);
    const { sim, ctx, target } = await setup({ estate });
    const t = await target('credential', `name = $2`, ['kv-prod/wrap-key']);
    const before = await rem.read(ctx, t);
    expect(await rem.verify(ctx, 'rotate-key-now', t)).toMatchObject({ ok: false });
    const out = await rem.execute(ctx, 'rotate-key-now', t, before);
    const key = sim.estate.vaults[0]!.keys.find((k) => k.name === 'wrap-key')!;
    expect(key.versions).toHaveLength(2);
    expect(out).toMatchObject({ rotated: true, new_version: key.versions[1]!.version });
    expect(await rem.verify(ctx, 'rotate-key-now', t)).toMatchObject({ ok: true, evidence: { newest_version: key.versions[1]!.version, enabled: true } });
    await expect(rem.rollback!(ctx, 'rotate-key-now', t, before)).rejects.toBeInstanceOf(NotReversibleError);
    // A key without a Rotate action in its policy: rotation is not configured, so nothing is done.
    const plain = await target('credential', `name = $2`, ['kv-prod/signing-key']);
    await expect(rem.execute(ctx, 'rotate-key-now', plain, await rem.read(ctx, plain))).rejects.toThrow(/not configured/);
    expect(sim.estate.vaults[0]!.keys.find((k) => k.name === 'signing-key')!.versions).toHaveLength(1);
    // Secrets have no Key Vault rotation: refused before any call.
    const secret = await target('credential', `name = $2`, ['kv-prod/db-password']);
    await expect(rem.execute(ctx, 'rotate-key-now', secret, await rem.read(ctx, secret))).rejects.toThrow(/only keys/);
    expect(sim.secretValueReads).toBe(0);
  });
});
