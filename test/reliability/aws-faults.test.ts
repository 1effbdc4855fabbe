// AWS under faults: each one ends complete after retries, or partial/failed with the reason — never as a quietly
// smaller estate. The simulator injects them per service, action and account through the real SDK.
import { describe, expect, it } from 'vitest';
import { collectRun, openStore, tempDir, writeConfig } from '../helpers/index.js';
import { generateEstate } from '../../src/sim/aws/estate.js';
import type { Fault } from '../../src/sim/http.js';
import { SIM_ENV, awsSource, startSim } from '../connectors/aws/helpers.js';

const A = '111111111111', B = '222222222222';
const USERS = 40;

async function collectWith(faults: Fault[], extra: Record<string, unknown> = {}, accounts = [A]) {
  const estate = generateEstate({ seed: 9, accounts, users: USERS, roles: 10, groups: 2, secrets: 0 });
  const sim = await startSim(estate);
  for (const f of faults) sim.faults.add(f);
  const dir = tempDir();
  const store = await openStore(dir);
  const org = accounts.length > 1 ? { organization: { role_name: estate.orgRoleName } } : {};
  const loaded = await writeConfig(dir, { sources: [awsSource(sim, org, { retries: 3, timeout_seconds: 1, ...extra })], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
  const users = await store.one<{ n: number }>("SELECT count(*)::INT AS n FROM identities WHERE run_id = $1 AND kind = 'user' AND tenant = $2", [runId, A]);
  return { sim, outcomes, byTenant: Object.fromEntries(outcomes.map((o) => [o.tenant, o])), users: users!.n };
}

// The sweep is 1 page at this size, so a fault on it hits the one call that lists every principal.
const SWEEP = 'iam:GetAccountAuthorizationDetails';

describe('aws reliability', () => {
  it.each<[string, Fault]>([
    ['a Throttling storm', { match: SWEEP, kind: 'throttle', times: 3 }],
    ['5xx answers', { match: SWEEP, kind: 'status', status: 503, times: 2 }],
    ['connection resets', { match: SWEEP, kind: 'reset', times: 2 }],
    ['truncated XML (connection cut mid-body)', { match: SWEEP, kind: 'truncate', times: 2 }],
    ['malformed XML with a 200', { match: SWEEP, kind: 'malformed', times: 1 }],
    ['a hung request (per-attempt timeout)', { match: SWEEP, kind: 'hang', times: 1 }],
  ])('recovers from %s within the retry budget and is complete', async (_name, fault) => {
    const { outcomes, users } = await collectWith([fault]);
    expect(outcomes[0]).toMatchObject({ status: 'complete', error: null });
    expect(users).toBe(USERS + 1);
  });

  it.each<[string, Fault, RegExp]>([
    ['throttling past the budget', { match: SWEEP, kind: 'throttle', times: Infinity }, /Throttling.*retry budget exhausted/],
    ['persistent 5xx', { match: SWEEP, kind: 'status', status: 500, times: Infinity }, /ServiceFailure.*failed after 4 attempts/],
    ['persistent resets', { match: SWEEP, kind: 'reset', times: Infinity }, /failed after 4 attempts/],
    ['persistent malformed XML', { match: SWEEP, kind: 'malformed', times: Infinity }, /failed after 4 attempts/],
    ['AccessDenied', { match: SWEEP, kind: 'status', status: 403, times: Infinity }, /AccessDenied/],
  ])('fails the tenant with the reason on %s (no rows, never an empty success)', async (_name, fault, reason) => {
    const { outcomes, users } = await collectWith([fault], { retries: 3 });
    expect(outcomes[0]).toMatchObject({ status: 'failed', rows: 0 });
    expect(outcomes[0]!.error).toMatch(reason);
    expect(users).toBe(0);
  });

  it('a failure on a later page of the sweep fails the tenant rather than keeping the first pages', async () => {
    const estate = generateEstate({ seed: 9, users: 700, roles: 400, groups: 2, policies: 2, secrets: 0 });
    const sim = await startSim(estate);
    sim.faults.add({ match: SWEEP, kind: 'status', status: 500, times: Infinity, after: 1 });
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [awsSource(sim, {}, { retries: 1 })], authority: { required: false } });
    const { outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
    expect(sim.calls.get(SWEEP)).toBe(3); // page 1, then page 2 twice
    expect(outcomes[0]).toMatchObject({ status: 'failed', rows: 0 });
    expect(outcomes[0]!.error).toMatch(/GetAccountAuthorizationDetails.*ServiceFailure/);
  });

  it('a 403 on one account of an organisation leaves the other complete', async () => {
    const { byTenant } = await collectWith([{ match: `account=${B}`, kind: 'status', status: 403, times: Infinity }], {}, [A, B]);
    expect(byTenant[A]).toMatchObject({ status: 'complete', error: null });
    expect(byTenant[B]).toMatchObject({ status: 'failed', rows: 0 });
    expect(byTenant[B]!.error).toMatch(/AccessDenied/);
  });

  it('a credential report that never completes leaves the account partial, with identities but unknown use', async () => {
    const estate = generateEstate({ seed: 9, users: 5, roles: 1, groups: 1, secrets: 0 });
    estate.accounts.get(A)!.reportDelayPolls = 1000;
    const sim = await startSim(estate);
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [awsSource(sim, { credential_report: { max_wait_seconds: 0.2, poll_seconds: 0.05 } })], authority: { required: false } });
    const { outcomes } = await collectRun(store, loaded, { env: SIM_ENV });
    expect(outcomes[0]!.status).toBe('partial');
    expect(outcomes[0]!.error).toMatch(/credential report unavailable.*INPROGRESS/);
  });
});
