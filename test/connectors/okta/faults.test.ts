// Faults end complete (retried) or explicitly partial naming the call: never a short listing taken as whole.
import { describe, expect, it } from 'vitest';
import { collectOkta, rows, startSim } from './harness.js';
import { seedEstate } from '../../../src/sim/okta/estate.js';
import { FaultPlan } from '../../../src/sim/http.js';
import { oktaBaseFetch } from '../../../src/connectors/okta/client.js';
import { DEFAULT_RETRY, retryDelay } from '../../../src/connectors/http/fetch.js';

const O = 'okta:acme.okta.com';
const count = async (store: Awaited<ReturnType<typeof collectOkta>>['store'], table: string, runId: string, where = 'true') => (await rows(store, table, runId, where)).length;

describe('okta connector under faults', () => {
  it('waits out a 429 until X-Rate-Limit-Reset (no Retry-After) and completes', async () => {
    const faults = new FaultPlan().add({ match: 'GET /api/v1/apps?', kind: 'throttle', retryAfter: 1, times: 1 });
    const sim = await startSim(seedEstate(), { faults });
    const { store, runId, outcomes } = await collectOkta(sim);
    expect(outcomes.map((o) => o.status)).toEqual(['complete']);
    expect(faults.injected).toBe(1);
    // The throttled first page (answered by the fault, not the handler) was asked again and served once; the listing went on.
    expect(sim.log.filter((l) => l === 'GET /api/v1/apps?limit=2')).toHaveLength(1);
    expect(sim.log.filter((l) => l.startsWith('GET /api/v1/apps?'))).toHaveLength(3);
    expect(await count(store, 'identities', runId, "kind = 'app'")).toBe(3);
  });

  it('turns X-Rate-Limit-Reset into a wait measured on the server\'s clock', async () => {
    // The server's clock runs 100 s behind ours: the wait is reset − Date (+1 s), not reset − our now (which is past).
    const serverNow = Date.now() - 100_000;
    const base = (async () => new Response(JSON.stringify({ errorCode: 'E0000047' }), { status: 429, headers: {
      'content-type': 'application/json', date: new Date(serverNow).toUTCString(),
      'x-rate-limit-reset': String(Math.floor(serverNow / 1000) + 5), 'x-rate-limit-remaining': '0' } })) as typeof fetch;
    const res = await oktaBaseFetch(base)('http://127.0.0.1/api/v1/apps');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(5);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(7);
    expect(retryDelay(1, DEFAULT_RETRY, res.headers)).toBe(Number(res.headers.get('retry-after')) * 1000);
    // A Retry-After the server sent itself is left alone.
    const own = (async () => new Response('{}', { status: 429, headers: { 'retry-after': '3', 'x-rate-limit-reset': '1' } })) as typeof fetch;
    expect((await oktaBaseFetch(own)('http://127.0.0.1/x')).headers.get('retry-after')).toBe('3');
  });

  it('stops with an explicit partial when the rate window resets later than it may wait', async () => {
    const faults = new FaultPlan().add({ match: 'GET /api/v1/api-tokens', kind: 'throttle', retryAfter: 600, times: Infinity });
    const sim = await startSim(seedEstate(), { faults });
    const { outcomes } = await collectOkta(sim);
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/rate budget exhausted during GET \/api\/v1\/api-tokens/);
  });

  it('retries 5xx and a connection cut mid-body, then completes with the whole org', async () => {
    const faults = new FaultPlan()
      .add({ match: '/credentials/secrets', kind: 'status', status: 502, times: 2 })
      .add({ match: 'GET /api/v1/api-tokens', kind: 'truncate', times: 1 });
    const sim = await startSim(seedEstate(), { faults });
    const { store, runId, outcomes } = await collectOkta(sim);
    expect(outcomes.map((o) => [o.status, o.error])).toEqual([['complete', null]]);
    expect(await count(store, 'credentials', runId, "kind = 'client_secret'")).toBe(4);
    expect(await count(store, 'credentials', runId, "kind = 'api_token'")).toBe(3);
  });

  it('a 5xx that persists on one app ends partial, naming the call; the rest is collected', async () => {
    const faults = new FaultPlan().add({ match: 'GET /api/v1/apps/0oa1crm/credentials/secrets', kind: 'status', status: 500, times: Infinity });
    const sim = await startSim(seedEstate(), { faults });
    const { store, runId, outcomes } = await collectOkta(sim, { retries: 1 });
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/GET \/api\/v1\/apps\/0oa1crm\/credentials\/secrets → 500 E0000009: Internal Server Error/);
    expect(await count(store, 'credentials', runId, `ref LIKE '${O}/apps/0oa1crm/secrets/%'`)).toBe(0);
    expect(await count(store, 'credentials', runId, `ref LIKE '${O}/apps/0oa3old/secrets/%'`)).toBe(1);
    expect(await count(store, 'identities', runId, `ref = '${O}/apps/0oa1crm'`)).toBe(1);
  });

  it('a 403 on one scope (admin roles) ends partial with Okta\'s error code; grants and credentials are whole', async () => {
    const faults = new FaultPlan().add({ match: /GET \/oauth2\/v1\/clients\/[^/]+\/roles/, kind: 'status', status: 403, times: Infinity });
    const sim = await startSim(seedEstate(), { faults });
    const { store, runId, outcomes } = await collectOkta(sim);
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/GET \/oauth2\/v1\/clients\/0oa1crm\/roles → 403 E0000006: You do not have permission/);
    expect(await count(store, 'entitlements', runId, "permission LIKE 'okta.%'")).toBe(5);
    expect(await count(store, 'entitlements', runId, "ref LIKE '%/roles/%'")).toBe(0);
  });

  it('an empty page that still links onwards, or a next link that loops, is a broken listing: partial', async () => {
    const empty = new FaultPlan().add({ match: 'GET /api/v1/apps?after=', kind: 'empty', times: 1 });
    const a = await collectOkta(await startSim(seedEstate(), { faults: empty }));
    expect(a.outcomes[0]!.status).toBe('partial');
    expect(a.outcomes[0]!.error).toMatch(/GET \/api\/v1\/apps: an empty page links to a next page/);

    const loop = await collectOkta(await startSim(seedEstate(), { loopPaging: ['GET /api/v1/apps'] }));
    expect(loop.outcomes[0]!.status).toBe('partial');
    expect(loop.outcomes[0]!.error).toMatch(/pagination loop/);
  });

  it('a wrong token fails the org with Okta\'s 401, never an empty estate', async () => {
    const sim = await startSim();
    const { outcomes } = await collectOkta(sim, {}, { token_env: 'OKTA_TOKEN_WRONG' });
    expect(outcomes[0]!.status).toBe('failed');
    expect(outcomes[0]!.error).toMatch(/OKTA_TOKEN_WRONG/);
  });
});
