// Azure under faults: every injected failure ends in a complete tenant (after retries) or a partial/failed one with
// the reason — never in a tenant that silently looks smaller.
import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../src/sim/http.js';
import { collectRun, openStore, tempDir, writeConfig } from '../helpers/index.js';
import { S1, S2, T, startSim } from '../connectors/azure/fixture.js';

/** Rows per tenant of a clean run of the fixture estate. */
// The directory: 10 identities (6 of them vendors' apps and federated subjects), 4 credentials, 14 Entra grants.
const CLEAN = { [S1]: 20, [S2]: 5, [T]: 28 };

async function run(faults: FaultPlan, simOpts: Record<string, unknown> = {}, sourcePatch: Record<string, unknown> = {}) {
  const dir = tempDir();
  const { sim, source, env } = await startSim(dir, { faults, ...simOpts });
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [{ ...source, retries: 3, timeout_seconds: 5, ...sourcePatch }], authority: { required: false } });
  const { outcomes } = await collectRun(store, loaded, { env });
  return { sim, by: Object.fromEntries(outcomes.map((o) => [o.tenant, o])) };
}

describe('azure reliability', () => {
  it('5xx, connection resets, a hung request and a truncated body are retried to a complete, identical collection', async () => {
    const faults = new FaultPlan()
      .add({ match: 'roleDefinitions?', kind: 'status', status: 503, times: 2 })
      .add({ match: 'roleEligibilitySchedules', kind: 'reset', times: 2 })
      .add({ match: '/v1.0/applications', kind: 'hang', times: 1 })
      .add({ match: 'GET /keys', kind: 'truncate', times: 1 })
      .add({ match: '/v1.0/directoryObjects/getByIds', kind: 'status', status: 502, times: 1 });
    const { by } = await run(faults);
    expect(faults.injected).toBe(7);
    for (const t of [S1, S2, T]) {
      expect(by[t]!.status, by[t]!.error ?? '').toBe('complete');
      expect(by[t]!.rows).toBe(CLEAN[t]);
    }
    const calls = by[S1]!.api_calls + by[S2]!.api_calls + by[T]!.api_calls;
    const { by: clean } = await run(new FaultPlan());
    expect(calls).toBe(clean[S1]!.api_calls + clean[S2]!.api_calls + clean[T]!.api_calls + 7);
  });

  it('a 429 storm honouring Retry-After completes; one asking to wait past the budget fails the tenant with the reason', async () => {
    const storm = new FaultPlan().add({ match: '/providers/Microsoft.Authorization/', kind: 'throttle', retryAfter: 0, times: 6 });
    const a = await run(storm, {}, { retries: 8 });
    expect(storm.injected).toBe(6);
    for (const t of [S1, S2, T]) expect(a.by[t]!.status, a.by[t]!.error ?? '').toBe('complete');

    const long = new FaultPlan().add({ match: `/subscriptions/${S2}/providers/Microsoft.Authorization/roleAssignments`, kind: 'throttle', retryAfter: 3600, times: Infinity });
    const b = await run(long);
    expect(b.by[S2]).toMatchObject({ status: 'failed', rows: 0 });
    expect(b.by[S2]!.error).toMatch(/rate budget exhausted/);
    expect(b.by[S1]!.status).toBe('complete');
  });

  it('Graph throttling that outlasts the retries fails the directory; subscriptions keep their access, marked partial', async () => {
    const faults = new FaultPlan().add({ match: '/v1.0/servicePrincipals', kind: 'throttle', retryAfter: 0, times: Infinity });
    const { by } = await run(faults);
    expect(by[T]).toMatchObject({ status: 'failed', rows: 0 });
    expect(by[T]!.error).toMatch(/429|TooManyRequests|throttled/i);
    for (const s of [S1, S2]) {
      expect(by[s]!.status).toBe('partial');
      expect(by[s]!.error).toMatch(/directory unavailable/);
    }
    // Everything but the service principal identities: S1 has three, S2 two.
    expect(by[S1]!.rows).toBe(CLEAN[S1] - 3);
    expect(by[S2]!.rows).toBe(CLEAN[S2] - 2);
  });

  it('a nextLink loop is detected and fails that listing\'s subscription instead of spinning', async () => {
    const { by, sim } = await run(new FaultPlan(), { loopNextLink: 'roleAssignments' });
    expect(by[S1]).toMatchObject({ status: 'failed', rows: 0 });
    expect(by[S1]!.error).toMatch(/pagination loop/);
    expect(by[S2]!.status).toBe('complete'); // two assignments: one page, no loop
    expect(sim.requests.filter((r) => r.includes(`/subscriptions/${S1}/providers/Microsoft.Authorization/roleAssignments`)).length).toBeLessThan(5);
  });

  it('a malformed body on the role assignment listing fails the subscription with the reason', async () => {
    const faults = new FaultPlan().add({ match: `/subscriptions/${S2}/providers/Microsoft.Authorization/roleAssignments`, kind: 'malformed', times: 1 });
    const { by } = await run(faults);
    expect(by[S2]).toMatchObject({ status: 'failed', rows: 0 });
    expect(by[S2]!.error).toMatch(/JSON|parse|Unexpected/i);
  });

  it('PIM listings or a vault that keep failing leave the subscription partial with the reason, keeping what was read', async () => {
    const faults = new FaultPlan()
      .add({ match: `/subscriptions/${S1}/providers/Microsoft.Authorization/roleAssignmentSchedules`, kind: 'status', status: 500, times: Infinity })
      .add({ match: 'GET /certificates', kind: 'status', status: 403, times: Infinity });
    const { by } = await run(faults);
    expect(by[S1]!.status).toBe('partial');
    expect(by[S1]!.error).toMatch(/PIM active assignment schedules unavailable/);
    expect(by[S1]!.error).toMatch(/vault kv-prod: listing certificates failed/);
    expect(by[S1]!.rows).toBe(CLEAN[S1] - 1); // everything but the certificate
    expect(by[S2]!.status).toBe('partial'); // kv-dev's certificate listing failed too
    expect(by[T]!.status).toBe('complete');
  });
});
