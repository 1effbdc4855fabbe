// GitHub collection under faults (issue 9): every case ends complete (after retries) with exactly the seeded
// estate, or partial/failed with a reason naming what was missed — never a silent shortfall, never a hang.
import { describe, expect, it } from 'vitest';
import { collectRun } from '../helpers/index.js';
import { FaultPlan } from '../../src/sim/http.js';
import { generateEstate } from '../../src/sim/github/estate.js';
import { refs, setup, truth } from '../connectors/github/helpers.js';

const base = { options: { skip: ['fine_grained_pats'] }, source: { retries: 3, timeout_seconds: 1 } };

async function run(faults: FaultPlan, extra: Parameters<typeof setup>[0] = {}) {
  const estate = extra.estate ?? generateEstate({ repos: 10, seed: 17 });
  const t = await setup({ ...base, ...extra, estate, sim: { faults, ...extra.sim }, options: { ...base.options, ...extra.options }, source: { ...base.source, ...extra.source } });
  const started = Date.now();
  const r = await collectRun(t.store, t.loaded, { env: t.env });
  return { ...t, ...r, outcome: r.outcomes[0]!, estate, seconds: (Date.now() - started) / 1000 };
}

async function expectWhole(r: Awaited<ReturnType<typeof run>>) {
  expect(r.outcome).toMatchObject({ status: 'complete', error: null });
  const want = truth(r.estate, { pats: false });
  expect(await refs(r.store, 'credentials', r.runId)).toEqual([...want.credentials].sort());
  expect(await refs(r.store, 'entitlements', r.runId)).toEqual([...want.entitlements].sort());
}

describe('github collection under faults', () => {
  it('recovers from a burst of 5xx answers', async () => {
    const faults = new FaultPlan().add({ kind: 'status', status: 502, times: 3 }).add({ kind: 'status', status: 500, match: '/keys', times: 2 });
    const r = await run(faults);
    expect(faults.injected).toBe(5);
    await expectWhole(r);
  });

  it('rides out a storm of 429 and secondary-limit 403 answers with retry-after', async () => {
    // At most three in a row for any one request (retries: 3), spread over routes that run concurrently.
    const faults = new FaultPlan()
      .add({ kind: 'throttle', status: 403, retryAfter: 0, match: '/keys', times: 3 })
      .add({ kind: 'throttle', status: 403, retryAfter: 0, match: '/actions/secrets', times: 3 })
      .add({ kind: 'throttle', status: 429, retryAfter: 0, match: '/collaborators', times: 4 });
    const r = await run(faults);
    expect(faults.injected).toBe(10);
    await expectWhole(r);
  });

  it('retries a request that hangs (per-attempt timeout) and a reset connection', async () => {
    const faults = new FaultPlan().add({ kind: 'hang', match: '/actions/secrets', times: 1 }).add({ kind: 'reset', match: '/teams', times: 2 });
    const r = await run(faults);
    expect(faults.injected).toBe(3);
    await expectWhole(r);
  });

  it('marks the tenant partial when one route keeps hanging, and finishes', async () => {
    const faults = new FaultPlan().add({ kind: 'hang', match: 'GET /orgs/acme/invitations', times: Infinity });
    const r = await run(faults, { source: { retries: 1 } });
    expect(r.outcome.status).toBe('partial');
    expect(r.outcome.error).toContain('pending invitations');
    expect(r.outcome.error).toMatch(/failed after 2 attempts/);
    // Everything else was still collected.
    expect(await refs(r.store, 'credentials', r.runId)).toEqual([...truth(r.estate, { pats: false }).credentials].sort());
  });

  it('retries truncated and malformed bodies, and marks partial when a body stays broken', async () => {
    const once = new FaultPlan().add({ kind: 'truncate', match: '/keys', times: 2 }).add({ kind: 'malformed', match: '/orgs/acme/repos', times: 1 });
    await expectWhole(await run(once));
    const always = new FaultPlan().add({ kind: 'malformed', match: 'GET /orgs/acme/outside_collaborators', times: Infinity });
    const r = await run(always, { source: { retries: 1 } });
    expect(r.outcome.status).toBe('partial');
    expect(r.outcome.error).toMatch(/outside collaborators: .*malformed JSON body/);
  });

  it('stops a pagination loop at max_pages and marks the tenant partial', async () => {
    const estate = generateEstate({ repos: 10, seed: 17, members: 12 });
    const r = await run(new FaultPlan(), { estate, sim: { endlessPagination: /\/orgs\/acme\/outside_collaborators$/ }, options: { max_pages: 5 } });
    expect(r.outcome.status).toBe('partial');
    expect(r.outcome.error).toContain('GET /orgs/{org}/outside_collaborators: more than 5 pages (max_pages); stopped');
  });

  it('refuses an empty page in the middle of a listing', async () => {
    const estate = generateEstate({ repos: 4, seed: 17, members: 250 });
    const faults = new FaultPlan().add({ kind: 'empty', match: /members\?.*role=all.*page=2/, times: 1 });
    const r = await run(faults, { estate });
    expect(faults.injected).toBe(1);
    expect(r.outcome.status).toBe('partial');
    expect(r.outcome.error).toContain('members: GET /orgs/{org}/members: page 2 is empty but links to a next page');
  });

  it('marks partial with the scope named when one scope answers 403', async () => {
    const r = await run(new FaultPlan(), { sim: { forbid: /^GET \/orgs\/acme\/actions\/secrets$/ } });
    expect(r.outcome.status).toBe('partial');
    expect(r.outcome.error).toMatch(/organisation Actions secrets: GET http:\/\/127\.0\.0\.1:\d+\/orgs\/acme\/actions\/secrets → 403 Resource not accessible by integration/);
    const rows = await refs(r.store, 'credentials', r.runId);
    expect(rows.filter((x) => /^github:acme\/secret\//.test(x))).toEqual([]);
    expect(rows.length).toBe(truth(r.estate, { pats: false }).credentials.size - r.estate.orgs[0]!.secrets.length);
  });

  it('stops cleanly and marks partial when the rate budget runs out', async () => {
    const r = await run(new FaultPlan(), { sim: { rateLimit: { limit: 15 } } });
    expect(r.outcome.status).toBe('partial');
    expect(r.outcome.error).toMatch(/rate budget exhausted during .*; collection stopped/);
    // Requests stop at once: only those already in flight when the budget ran out reach the provider.
    // Requests in flight when the budget ran out are aborted: counted as sent, possibly never seen by the server.
    expect(r.outcome.api_calls - r.sim.stats.requests).toBeGreaterThanOrEqual(0);
    expect(r.outcome.api_calls - r.sim.stats.requests).toBeLessThanOrEqual(8);
    expect(r.sim.stats.requests).toBeLessThan(15 + 8 + 2);
    expect(r.seconds).toBeLessThan(30);
  });
});
