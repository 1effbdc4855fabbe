import { describe, expect, it } from 'vitest';
import { collectK8s, kubeconfig, rows, startSim } from './harness.js';
import { connector } from '../../../src/connectors/kubernetes/index.js';
import { KubernetesOptions } from '../../../src/connectors/kubernetes/options.js';
import { NotReversibleError, type ConnectorContext, type Target } from '../../../src/connectors/types.js';
import { DEFAULT_RETRY, newCounters } from '../../../src/connectors/http/fetch.js';
import { silentLogger } from '../../../src/log.js';
import type { K8sSim } from '../../../src/sim/kubernetes/server.js';

const r = connector.remediation!;

function ctxFor(file: string): ConnectorContext<KubernetesOptions> {
  return {
    runId: 'r1', source: { name: 'k8s', type: 'kubernetes', tenants: [] }, options: KubernetesOptions.parse({ kubeconfig: file }),
    log: silentLogger, now: new Date(), env: {}, signal: new AbortController().signal,
    http: () => ({ counters: newCounters(), cache: null, retry: { ...DEFAULT_RETRY, retries: 1, baseDelayMs: 5 }, concurrency: 4 }),
  };
}

/** A target as the core hands it over: built from the collected row. */
async function targetOf(file: string, table: 'credentials' | 'entitlements', where: string): Promise<Target> {
  const { store, runId } = await collectK8s(file);
  const row = (await rows(store, table, runId, where))[0]!;
  return {
    provider: 'kubernetes', tenant: row.tenant as string, source: 'k8s', subject: table === 'credentials' ? 'credential' : 'entitlement', ref: row.ref as string,
    kind: table === 'credentials' ? row.kind as string : null, identity_ref: row.identity_ref as string, resource_ref: (row.resource_ref as string) ?? null,
    permission: (row.permission as string) ?? null, attributes: JSON.parse(row.attributes as string),
  };
}

const binding = (sim: K8sSim, ns: string | null, name: string) =>
  (ns ? sim.estate.roleBindings.find((b) => b.metadata.namespace === ns && b.metadata.name === name) : sim.estate.clusterRoleBindings.find((b) => b.metadata.name === name));

async function setup() {
  const sim = await startSim();
  const file = kubeconfig({ prod: sim });
  return { sim, file, ctx: ctxFor(file) };
}

describe('kubernetes remediation, verified by reading back', () => {
  it('deletes a legacy token Secret with preconditions, reading only its metadata; verified gone; not reversible', async () => {
    const { sim, file, ctx } = await setup();
    const t = await targetOf(file, 'credentials', "ref LIKE '%deployer-token'");
    const before = await r.read(ctx, t);
    expect(before).toMatchObject({ exists: true, active: true, state: { namespace: 'ci', name: 'deployer-token', service_account: 'deployer' } });
    await r.execute(ctx, 'delete-legacy-token-secret', t, before);
    expect(sim.estate.secrets.some((s) => s.metadata.name === 'deployer-token')).toBe(false);
    expect(await r.verify(ctx, 'delete-legacy-token-secret', t)).toMatchObject({ ok: true, evidence: { exists: false } });
    await expect(r.rollback!(ctx, 'delete-legacy-token-secret', t, before)).rejects.toBeInstanceOf(NotReversibleError);
    // Every single-Secret read asked for metadata only, and no answer carried a value.
    const reads = sim.log.map((l, i) => [l, sim.accepts[i]] as const).filter(([l]) => l.startsWith('GET /api/v1/namespaces/ci/secrets/'));
    expect(reads.length).toBe(2);
    for (const [, accept] of reads) expect(accept).toBe('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');
    expect(sim.secretDataResponses).toBe(0);
    expect(sim.bodies.join('')).not.toContain('"data"');
  });

  it('refuses to delete a token Secret replaced since it was read (uid precondition): nothing is deleted', async () => {
    const { sim, file, ctx } = await setup();
    const t = await targetOf(file, 'credentials', "ref LIKE '%deployer-token'");
    const before = await r.read(ctx, t);
    sim.estate.secrets.find((s) => s.metadata.name === 'deployer-token')!.metadata.uid = 'recreated-uid';
    await expect(r.execute(ctx, 'delete-legacy-token-secret', t, before)).rejects.toThrow(/Secret ci\/deployer-token changed since it was read \(409 Conflict\); nothing was changed/);
    expect(sim.estate.secrets.some((s) => s.metadata.name === 'deployer-token')).toBe(true);
    expect((await r.verify(ctx, 'delete-legacy-token-secret', t)).ok).toBe(false);
  });

  it('removes one subject of a binding with the resourceVersion read, keeps the others, and re-adds it on rollback', async () => {
    const { sim, file, ctx } = await setup();
    const t = await targetOf(file, 'entitlements', "ref = 'k8s:prod/rolebinding/default/config-writer|k8s:prod/default/binder'");
    const original = structuredClone(binding(sim, 'default', 'config-writer')!.subjects);
    const before = await r.read(ctx, t);
    expect(before).toMatchObject({ exists: true, state: { binding_kind: 'RoleBinding', namespace: 'default', name: 'config-writer', subjects: original } });
    expect(await r.execute(ctx, 'remove-binding-subject', t, before)).toMatchObject({ deleted_binding: false, remaining: 1 });
    expect(binding(sim, 'default', 'config-writer')!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'config-writer', namespace: 'default' }]);
    expect(sim.log.filter((l) => l.startsWith('PUT '))).toEqual(['PUT /apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/config-writer']);
    expect(await r.verify(ctx, 'remove-binding-subject', t)).toMatchObject({ ok: true, evidence: { exists: false } });
    expect(await r.rollback!(ctx, 'remove-binding-subject', t, before)).toMatchObject({ verified: true });
    expect(binding(sim, 'default', 'config-writer')!.subjects).toEqual([original![0], original![1]]);
  });

  it('deletes a binding whose last subject is removed, and recreates it from the journaled before-state on rollback', async () => {
    const { sim, file, ctx } = await setup();
    const t = await targetOf(file, 'entitlements', "ref = 'k8s:prod/clusterrolebinding/ci-deployer-admin|k8s:prod/ci/deployer'");
    const old = structuredClone(binding(sim, null, 'ci-deployer-admin')!);
    const before = await r.read(ctx, t);
    // The before-state goes through the journal as JSON: rollback must work from that alone.
    const journaled = JSON.parse(JSON.stringify(before));
    expect(await r.execute(ctx, 'remove-binding-subject', t, before)).toMatchObject({ deleted_binding: true });
    expect(binding(sim, null, 'ci-deployer-admin')).toBeUndefined();
    expect(sim.log.some((l) => l === 'DELETE /apis/rbac.authorization.k8s.io/v1/clusterrolebindings/ci-deployer-admin')).toBe(true);
    expect(await r.verify(ctx, 'remove-binding-subject', t)).toMatchObject({ ok: true });
    expect(await r.rollback!(ctx, 'remove-binding-subject', t, journaled)).toMatchObject({ recreated: 'ClusterRoleBinding ci-deployer-admin', verified: true });
    const back = binding(sim, null, 'ci-deployer-admin')!;
    expect({ roleRef: back.roleRef, subjects: back.subjects }).toEqual({ roleRef: old.roleRef, subjects: old.subjects });
    expect((await r.read(ctx, t)).exists).toBe(true);
  });

  it('fails safely when the binding changed since it was read: 409, nothing overwritten', async () => {
    const { sim, file, ctx } = await setup();
    const t = await targetOf(file, 'entitlements', "ref = 'k8s:prod/rolebinding/default/config-writer|k8s:prod/default/binder'");
    const before = await r.read(ctx, t);
    // Someone adds a subject between our read and our write.
    const b = binding(sim, 'default', 'config-writer')!;
    b.subjects!.push({ kind: 'User', name: 'newcomer@acme.example', apiGroup: 'rbac.authorization.k8s.io' });
    b.metadata.resourceVersion = String(++sim.estate.revision);
    await expect(r.execute(ctx, 'remove-binding-subject', t, before)).rejects.toThrow(/RoleBinding default\/config-writer changed since it was read \(409 Conflict\); nothing was changed/);
    expect(b.subjects!.map((s) => s.name)).toEqual(['config-writer', 'system:serviceaccount:default:binder', 'newcomer@acme.example']);
    expect((await r.verify(ctx, 'remove-binding-subject', t)).ok).toBe(false);
  });

  it('refuses a workload-identity edge (not a binding) and an unknown operation', async () => {
    const { file, ctx } = await setup();
    const t = await targetOf(file, 'entitlements', "ref LIKE '%workload-identity|eks%'");
    await expect(r.read(ctx, t)).rejects.toThrow(/not a binding subject/);
    const tok = await targetOf(file, 'credentials', "ref LIKE '%deployer-token'");
    await expect(r.execute(ctx, 'rotate-everything', tok, await r.read(ctx, tok))).rejects.toThrow(/unknown kubernetes operation/);
  });
});
