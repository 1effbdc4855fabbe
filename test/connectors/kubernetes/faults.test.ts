// Faults end complete (retried, restarted) or explicitly partial, never with wrong data: throttling with Retry-After,
// server errors, continue tokens that expire (410 Gone), a 403 on one resource, a bad token.
import { describe, expect, it } from 'vitest';
import { attrs, collectK8s, kubeconfig, rows, startSim } from './harness.js';
import { FaultPlan } from '../../../src/sim/http.js';

async function truth() {
  const sim = await startSim();
  const { store, runId } = await collectK8s(kubeconfig({ prod: sim }));
  const dump = async (t: string) => (await rows(store, t, runId)).map((r) => `${r.ref} ${r.level ?? r.status ?? r.kind}`);
  return { identities: await dump('identities'), credentials: await dump('credentials'), entitlements: await dump('entitlements') };
}

async function collectWith(faults: FaultPlan, extra: Record<string, unknown> = {}) {
  const sim = await startSim(undefined, { faults });
  const r = await collectK8s(kubeconfig({ prod: sim }), extra);
  const dump = async (t: string) => (await rows(r.store, t, r.runId)).map((x) => `${x.ref} ${x.level ?? x.status ?? x.kind}`);
  return { sim, ...r, identities: await dump('identities'), credentials: await dump('credentials'), entitlements: await dump('entitlements') };
}

describe('kubernetes faults', () => {
  it('waits out a 429 with Retry-After and a 5xx, then ends complete and equal to the truth', async () => {
    const want = await truth();
    const faults = new FaultPlan()
      .add({ match: 'GET /api/v1/serviceaccounts', kind: 'throttle', retryAfter: 1, times: 1 })
      .add({ match: 'GET /apis/rbac.authorization.k8s.io/v1/clusterroles', kind: 'status', status: 503, times: 2 });
    const got = await collectWith(faults);
    expect(got.outcomes.map((o) => [o.status, o.error])).toEqual([['complete', null]]);
    expect(faults.injected).toBe(3);
    expect(got.sim.log.filter((l) => l.startsWith('GET /api/v1/serviceaccounts?limit=3'))).toHaveLength(2);
    expect({ identities: got.identities, credentials: got.credentials, entitlements: got.entitlements }).toEqual(want);
    const sr = await got.store.all<{ api_calls: number }>('SELECT api_calls FROM source_runs WHERE run_id = $1', [got.runId]);
    expect(sr[0]!.api_calls).toBe(16 + 3);
  });

  it('restarts a list whose continue token expired (410 Gone) from its first page: one snapshot, no duplicates', async () => {
    const want = await truth();
    const faults = new FaultPlan().add({ match: /GET \/apis\/rbac\.authorization\.k8s\.io\/v1\/rolebindings\?continue=/, kind: 'status', status: 410, times: 1, after: 1 });
    const got = await collectWith(faults);
    expect(got.outcomes.map((o) => [o.status, o.error])).toEqual([['complete', null]]);
    // First page, second page, the expired third, then the whole list again.
    expect(got.sim.log.filter((l) => l.startsWith('GET /apis/rbac.authorization.k8s.io/v1/rolebindings?limit=3'))).toHaveLength(2);
    expect(got.entitlements).toEqual(want.entitlements);
  });

  it('ends partial, naming the list, when the continue token keeps expiring', async () => {
    const faults = new FaultPlan().add({ match: /\/v1\/rolebindings\?continue=/, kind: 'status', status: 410, times: Infinity });
    const got = await collectWith(faults);
    expect(got.outcomes[0]).toMatchObject({ status: 'partial' });
    expect(got.outcomes[0]!.error).toMatch(/role bindings: role bindings: the continue token expired \(410 Gone\) 3 time\(s\)/);
    // What was read is right; what could not be is absent, and the tenant says so.
    expect(got.entitlements.some((e) => e.includes('/rolebinding/'))).toBe(false);
    expect(got.entitlements.some((e) => e.includes('clusterrolebinding/ci-deployer-admin'))).toBe(true);
  });

  it('ends partial on a 403 for Secrets alone, with every other record collected', async () => {
    const want = await truth();
    const faults = new FaultPlan().add({ match: 'GET /api/v1/secrets', kind: 'status', status: 403, times: Infinity });
    const got = await collectWith(faults);
    expect(got.outcomes[0]).toMatchObject({ status: 'partial' });
    expect(got.outcomes[0]!.error).toMatch(/legacy token secrets: HTTP 403: forbidden/);
    expect(got.credentials).toEqual([]);
    expect(got.entitlements).toEqual(want.entitlements);
    expect(got.sim.log.filter((l) => l.startsWith('GET /api/v1/secrets'))).toHaveLength(1); // a 403 is an answer, not retried
  });

  it('judges bindings by role name when roles cannot be listed, towards more access, and ends partial', async () => {
    const faults = new FaultPlan().add({ match: 'GET /apis/rbac.authorization.k8s.io/v1/roles', kind: 'status', status: 500, times: Infinity });
    const got = await collectWith(faults);
    expect(got.outcomes[0]).toMatchObject({ status: 'partial' });
    expect(got.outcomes[0]!.error).toMatch(/roles: HTTP 500/);
    const e = await rows(got.store, 'entitlements', got.runId, "permission LIKE 'role/%'");
    expect(e.map((r) => [r.permission, r.level, attrs(r).role_resolved])).toEqual([
      ['role/config-writer', 'write', false], ['role/config-writer', 'write', false], ['role/secret-creator', 'admin', false],
      ['role/secret-reader', 'admin', false], ['role/no-such-role', 'write', false], ['role/pod-reader', 'read', false],
    ]);
    // A binding to a missing Role cannot be told from one to an unreadable Role: it is kept, estimated, not dropped.
    expect(await rows(got.store, 'entitlements', got.runId, "permission = 'role/no-such-role'")).toHaveLength(1);
  });

  it('fails the cluster on a rejected token, and collects the other contexts', async () => {
    const prod = await startSim();
    const staging = await startSim();
    const { outcomes } = await collectK8s(kubeconfig({ prod, staging }, { staging: 'wrong-token-0000000000' }), {}, { all_contexts: true });
    expect(outcomes.map((o) => [o.tenant, o.status])).toEqual([['prod', 'complete'], ['staging', 'failed']]);
    expect(outcomes[1]!.error).toMatch(/HTTP 401/);
    expect(outcomes[1]!.error).not.toContain('wrong-token');
  });
});
