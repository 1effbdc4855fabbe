// Issue 14 (AWS): an IAM `endpoint` never routes STS or Organizations; STS is not needed when the account is configured;
// errors name the service and call that failed; every call, STS included, lands in the tenant's counters.
import { describe, expect, it } from 'vitest';
import { collectRun, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { generateEstate } from '../../../src/sim/aws/estate.js';
import { AwsOptions } from '../../../src/connectors/aws/options.js';
import { organizationsClient, stsClient } from '../../../src/connectors/aws/clients.js';
import { buildContext } from '../../../src/pipeline/collect.js';
import { createLogger } from '../../../src/log.js';
import type { Fault } from '../../../src/sim/http.js';
import { SIM_ENV, awsSource, startSim } from './helpers.js';

const A = '111111111111', B = '222222222222';

function ctxFor(options: Record<string, unknown>) {
  const source = { name: 'aws', type: 'aws', tenants: [], enabled: true, retries: 0, timeout_seconds: 1, concurrency: 1, cache: false } as never;
  return buildContext(source, AwsOptions.parse(options), { runId: 'r', log: createLogger({ write: () => undefined }), now: new Date(), env: {}, signal: new AbortController().signal, cache: null });
}

async function run(sim: Awaited<ReturnType<typeof startSim>>, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const dir = tempDir();
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [awsSource(sim, options, extra)], authority: { required: false } });
  const r = await collectRun(store, loaded, { env: SIM_ENV });
  return { store, ...r, byTenant: Object.fromEntries(r.outcomes.map((o) => [o.tenant, o])) };
}

describe('aws connector: endpoints, STS, error attribution and call counting', () => {
  it('an IAM endpoint does not route STS or Organizations; their own endpoints do', async () => {
    const iamOnly = ctxFor({ endpoint: 'http://127.0.0.1:9/iam' });
    const http = iamOnly.http('*');
    expect(stsClient(iamOnly, http).config.endpoint).toBeUndefined();
    expect(organizationsClient(iamOnly, http).config.endpoint).toBeUndefined();
    const own = ctxFor({ endpoint: 'http://127.0.0.1:9/iam', sts_endpoint: 'http://127.0.0.1:8/sts', organizations_endpoint: 'http://127.0.0.1:7/org' });
    expect(await stsClient(own, http).config.endpoint!()).toMatchObject({ hostname: '127.0.0.1', port: 8 });
    expect(await organizationsClient(own, http).config.endpoint!()).toMatchObject({ hostname: '127.0.0.1', port: 7 });
  });

  it('makes no STS call when the account id is configured (and only an IAM endpoint is given)', async () => {
    const sim = await startSim(generateEstate({ seed: 5, users: 4, roles: 2, groups: 1, secrets: 0 }));
    const { byTenant } = await run(sim, { sts_endpoint: undefined }, { tenants: [A] });
    expect(byTenant[A]).toMatchObject({ status: 'complete', error: null });
    expect([...sim.calls.keys()].filter((k) => k.startsWith('sts:'))).toEqual([]);
    expect(byTenant[A]!.api_calls).toBe(sim.totalCalls());
  });

  it('without STS, credentials of another account than the configured one fail the tenant (never mislabelled)', async () => {
    const sim = await startSim(generateEstate({ seed: 5, accounts: [A, B], users: 4, roles: 2, groups: 1, secrets: 0 }));
    const { byTenant } = await run(sim, { sts_endpoint: undefined }, { tenants: [B] });
    expect(byTenant[B]).toMatchObject({ status: 'failed', rows: 0 });
    expect(byTenant[B]!.error).toMatch(new RegExp(`belong to account ${A}, not ${B}`));
  });

  it('counts every call, STS included: one account discovered through sts:GetCallerIdentity', async () => {
    const sim = await startSim(generateEstate({ seed: 5, users: 4, roles: 2, groups: 1, secrets: 0 }));
    const { outcomes } = await run(sim);
    expect(sim.calls.get('sts:GetCallerIdentity')).toBe(1);
    expect(outcomes.reduce((n, o) => n + o.api_calls, 0)).toBe(sim.totalCalls());
  });

  it('counts every call in an organisation: ListAccounts, GetCallerIdentity and each AssumeRole', async () => {
    const estate = generateEstate({ seed: 5, accounts: [A, B], users: 4, roles: 2, groups: 1, secrets: 0 });
    const sim = await startSim(estate);
    const { outcomes } = await run(sim, { organization: { role_name: estate.orgRoleName } });
    expect(outcomes.every((o) => o.status === 'complete')).toBe(true);
    expect(sim.calls.get('sts:AssumeRole')).toBeGreaterThanOrEqual(1);
    expect(outcomes.reduce((n, o) => n + o.api_calls, 0)).toBe(sim.totalCalls());
  });

  it.each<[string, Fault, RegExp]>([
    ['IAM sweep denied', { match: 'iam:GetAccountAuthorizationDetails', kind: 'status', status: 403, times: Infinity }, /iam:GetAccountAuthorizationDetails: AccessDenied/],
    ['STS GetCallerIdentity denied', { match: 'sts:GetCallerIdentity', kind: 'status', status: 403, times: Infinity }, /sts:GetCallerIdentity: AccessDenied/],
    ['STS GetCallerIdentity failing', { match: 'sts:GetCallerIdentity', kind: 'status', status: 500, times: Infinity }, /sts:GetCallerIdentity: ServiceFailure/],
  ])('names the service and call that failed: %s', async (_n, fault, reason) => {
    const sim = await startSim(generateEstate({ seed: 5, users: 4, roles: 2, groups: 1, secrets: 0 }));
    sim.faults.add(fault);
    const { outcomes } = await run(sim, {}, { retries: 1 });
    expect(outcomes[0]!.status).toBe('failed');
    expect(outcomes[0]!.error).toMatch(reason);
  });

  it('names the service and call that failed: AssumeRole into a member account, Organizations, the credential report', async () => {
    const estate = generateEstate({ seed: 5, accounts: [A, B], users: 4, roles: 2, groups: 1, secrets: 0 });
    estate.accounts.get(B)!.denied = 'assume';
    const sim = await startSim(estate);
    sim.faults.add({ match: `iam:GenerateCredentialReport account=${A}`, kind: 'status', status: 403, times: Infinity });
    const { byTenant } = await run(sim, { organization: { role_name: estate.orgRoleName } });
    expect(byTenant[B]!.error).toMatch(/sts:AssumeRole: AccessDenied/);
    expect(byTenant[A]).toMatchObject({ status: 'partial' });
    expect(byTenant[A]!.error).toMatch(/iam:GenerateCredentialReport: AccessDenied/);
    const sim2 = await startSim(generateEstate({ seed: 5, accounts: [A, B], users: 2, roles: 1, groups: 1, secrets: 0 }));
    sim2.faults.add({ match: 'organizations:ListAccounts', kind: 'status', status: 403, times: Infinity });
    const r2 = await run(sim2, { organization: { role_name: estate.orgRoleName } });
    expect(r2.outcomes[0]!.error).toMatch(/organizations:ListAccounts: AccessDenied/);
  });
});
