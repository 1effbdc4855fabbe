// The GCP connector under provider faults: it completes after retries, or ends partial/failed with the reason —
// never a quietly smaller estate.
import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../src/sim/http.js';
import { seedEstate } from '../../src/sim/gcp/seed.js';
import { collectGcp, rows, startSim } from '../connectors/gcp/harness.js';

const SA_LIST = 'GET /v1/projects/acme-web/serviceAccounts?';

async function baseline() {
  const sim = await startSim();
  const { store, runId, outcomes } = await collectGcp(sim);
  const count = async (t: string) => (await rows(store, t, runId)).length;
  return { outcomes, identities: await count('identities'), credentials: await count('credentials'), entitlements: await count('entitlements') };
}

async function withFaults(faults: FaultPlan, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}, sim$ = startSim(seedEstate(), { faults })) {
  const sim = await sim$;
  const res = await collectGcp(sim, extra, options);
  const count = async (t: string) => (await rows(res.store, t, res.runId)).length;
  return { ...res, sim, identities: await count('identities'), credentials: await count('credentials'), entitlements: await count('entitlements'),
    status: Object.fromEntries(res.outcomes.map((o) => [o.tenant, o.status])) };
}

describe('gcp collection under faults', () => {
  it('completes after 429 RESOURCE_EXHAUSTED, 5xx, a reset, a timeout and a truncated body, with retries counted', async () => {
    const base = await baseline();
    const faults = new FaultPlan()
      .add({ match: SA_LIST, kind: 'throttle', retryAfter: 0, times: 2 })
      .add({ match: 'POST /v3/projects/acme-data:getIamPolicy', kind: 'status', status: 503, times: 2 })
      .add({ match: 'GET /v1/projects/acme-web/secrets?', kind: 'reset', times: 1 })
      .add({ match: '/keys?keyTypes', kind: 'hang', times: 1 })
      .add({ match: 'GET /v3/projects/acme-ops?', kind: 'truncate', times: 1 });
    const r = await withFaults(faults, { timeout_seconds: 1 });
    expect(r.outcomes.map((o) => [o.tenant, o.status, o.error])).toEqual(base.outcomes.map((o) => [o.tenant, 'complete', null]));
    expect([r.identities, r.credentials, r.entitlements]).toEqual([base.identities, base.credentials, base.entitlements]);
    expect(faults.injected).toBe(7);
    // Every request the provider saw is a counted call; discovery has no tenant. The simulator logs requests its
    // handler served: all but the 6 answered by the fault itself (throttle ×2, 503 ×2, reset, hang; a truncation
    // runs the handler and is logged).
    const total = r.outcomes.reduce((n, o) => n + o.api_calls, 0);
    const discovery = r.sim.log.filter((l) => l === 'GET /v3/folders' || l === 'GET /v3/projects').length;
    expect(total + discovery).toBe(r.sim.log.length + 6);
    expect(total).toBeGreaterThanOrEqual(base.outcomes.reduce((n, o) => n + o.api_calls, 0) + 7);
  });

  it('ends the tenant partial, naming the listing and the status, when 5xx outlasts the retries', async () => {
    const faults = new FaultPlan().add({ match: SA_LIST, kind: 'status', status: 503, times: Infinity });
    const r = await withFaults(faults, { retries: 2 });
    expect(r.status).toMatchObject({ 'acme-web': 'partial', 'acme-data': 'complete', 'acme-ops': 'complete' });
    expect(r.outcomes.find((o) => o.tenant === 'acme-web')!.error).toMatch(/^service accounts of acme-web: HTTP 503 UNAVAILABLE: Internal error encountered\./);
    expect(faults.injected).toBe(3);
  });

  it('ends the tenant partial when a pageToken never ends, instead of paging forever', async () => {
    const sim$ = startSim(seedEstate(), { endlessPaging: ['GET /v1/projects/acme-web/serviceAccounts'] });
    const r = await withFaults(new FaultPlan(), {}, { max_pages: 5 }, sim$);
    expect(r.status['acme-web']).toBe('partial');
    expect(r.outcomes.find((o) => o.tenant === 'acme-web')!.error).toContain('service accounts of acme-web: listing did not end after 5 pages');
    expect(r.sim.log.filter((l) => l === 'GET /v1/projects/acme-web/serviceAccounts')).toHaveLength(5);
  });

  it('fails the one project that answers 403 and completes the others', async () => {
    const estate = seedEstate();
    estate.projects.find((p) => p.projectId === 'acme-data')!.forbidden = true;
    const r = await withFaults(new FaultPlan(), {}, {}, startSim(estate));
    expect(r.status).toEqual({ 'acme-data': 'failed', 'acme-ops': 'complete', 'acme-web': 'complete', 'folders/200': 'complete', 'folders/201': 'complete' });
    expect(r.outcomes.find((o) => o.tenant === 'acme-data')!.error).toMatch(/403/);
    expect(r.outcomes.find((o) => o.tenant === 'acme-data')!.rows).toBe(0);
  });

  it('fails the tenant on a malformed body and when the rate budget cannot be waited for', async () => {
    const faults = new FaultPlan()
      .add({ match: 'POST /v3/projects/acme-web:getIamPolicy', kind: 'malformed', times: Infinity })
      .add({ match: 'GET /v3/projects/acme-ops?', kind: 'throttle', retryAfter: 3600, times: Infinity });
    const r = await withFaults(faults);
    expect(r.status).toMatchObject({ 'acme-web': 'failed', 'acme-ops': 'failed', 'acme-data': 'complete' });
    expect(r.outcomes.find((o) => o.tenant === 'acme-web')!.error).toMatch(/JSON|Unexpected/);
    expect(r.outcomes.find((o) => o.tenant === 'acme-ops')!.error).toMatch(/rate budget exhausted/);
  });
});
