// Issue 14 (scoring against independent stand-ins): GitHub errors name the call and status, a GHES base URL without
// /api/v3 gets a hint, and environments missing on a plan are "not applicable", not a partial tenant.
import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../../src/sim/http.js';
import { generateEstate } from '../../../src/sim/github/estate.js';
import { describeError, enterpriseHint } from '../../../src/connectors/github/collect.js';
import { collectStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { setup } from './helpers.js';

describe('github errors and plan-gated endpoints', () => {
  it('an error names method, URL (no query) and status', () => {
    const e = Object.assign(new Error('Not Found'), { status: 404, request: { method: 'GET', url: 'https://ghe.example.com/orgs/acme?per_page=100&page=2' } });
    expect(describeError(e)).toBe('GET https://ghe.example.com/orgs/acme → 404 Not Found');
    expect(enterpriseHint('https://ghe.example.com', 404)).toMatch(/ends in \/api\/v3: https:\/\/ghe\.example\.com\/api\/v3/);
    expect(enterpriseHint('https://ghe.example.com/api/v3', 404)).toBe('');
    expect(enterpriseHint('https://api.github.com', 404)).toBe('');
    expect(enterpriseHint('https://ghe.example.com', 500)).toBe('');
  });

  it('the organisation answering 404 fails the tenant with the call, the status and the Enterprise hint', async () => {
    const faults = new FaultPlan().add({ match: /^GET \/orgs\/acme(\?|$)/, kind: 'status', status: 404, times: Infinity });
    const t = await setup({ estate: generateEstate({ repos: 2, seed: 3 }), sim: { faults }, options: { skip: ['fine_grained_pats'] } });
    const { outcomes } = await collectStage(t.store, t.loaded, { log: silentLogger, env: t.env });
    expect(outcomes[0]!.status).toBe('failed');
    expect(outcomes[0]!.error).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/orgs\/acme → 404/);
    expect(outcomes[0]!.error).toMatch(/\/api\/v3/);
  });

  it('environments answering 404 (a plan without them) leave the tenant complete; a 500 there still marks it partial', async () => {
    const faults = new FaultPlan().add({ match: '/environments', kind: 'status', status: 404, times: Infinity });
    const t = await setup({ estate: generateEstate({ repos: 3, seed: 5 }), sim: { faults }, options: { skip: ['fine_grained_pats'] } });
    const first = await collectStage(t.store, t.loaded, { log: silentLogger, env: t.env, fullCollection: true });
    expect(faults.injected).toBeGreaterThan(0);
    expect(first.outcomes[0]!.status).toBe('complete');
    faults.clear();
    faults.add({ match: '/environments', kind: 'status', status: 500, times: Infinity });
    const second = await collectStage(t.store, t.loaded, { log: silentLogger, env: t.env, fullCollection: true });
    expect(second.outcomes[0]!.status).toBe('partial');
    expect(second.outcomes[0]!.error).toMatch(/environments of acme\/.*500/);
  });
});
