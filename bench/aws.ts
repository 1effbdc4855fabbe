// AWS collection of one account (5,000 users + 5,000 roles; --quick: 1,000 + 1,000) against the simulator with
// per-request latency: our bulk collector (GetAccountAuthorizationDetails + credential report, mapped, analysed and
// written to DuckDB) versus the per-entity pattern common scanners use (ListUsers, then per user ListAccessKeys,
// GetAccessKeyLastUsed per key, ListAttachedUserPolicies, ListUserPolicies, ListGroupsForUser; ListRoles, then per
// role ListAttachedRolePolicies, ListRolePolicies), at the same concurrency. Target: ≥ 100× fewer calls.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import pLimit from 'p-limit';
import {
  IAMClient, GetAccessKeyLastUsedCommand, ListAccessKeysCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand, ListRolePoliciesCommand, ListRolesCommand, ListUserPoliciesCommand, ListUsersCommand,
} from '@aws-sdk/client-iam';
import type { BenchOptions, BenchResult } from './types.js';
import { loadConfig } from '../src/config/load.js';
import { Store } from '../src/store/store.js';
import { createRun } from '../src/store/runs.js';
import { collect } from '../src/pipeline/collect.js';
import { silentLogger } from '../src/log.js';
import { generateEstate } from '../src/sim/aws/estate.js';
import { startAwsSim } from '../src/sim/aws/server.js';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIASIMBASE000000001', AWS_SECRET_ACCESS_KEY: 'bench-not-a-secret' };

/** The per-entity baseline, written the way scanners do it. Returns the number of identities it saw. */
async function perEntity(url: string, concurrency: number): Promise<number> {
  const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: ENV.AWS_ACCESS_KEY_ID, secretAccessKey: ENV.AWS_SECRET_ACCESS_KEY } });
  const limit = pLimit(concurrency);
  const users: string[] = [];
  const roles: string[] = [];
  let Marker: string | undefined;
  do { const r = await iam.send(new ListUsersCommand({ MaxItems: 1000, Marker })); users.push(...(r.Users ?? []).map((u) => u.UserName!)); Marker = r.IsTruncated ? r.Marker : undefined; } while (Marker);
  do { const r = await iam.send(new ListRolesCommand({ MaxItems: 1000, Marker })); roles.push(...(r.Roles ?? []).map((x) => x.RoleName!)); Marker = r.IsTruncated ? r.Marker : undefined; } while (Marker);
  await Promise.all([
    ...users.map((UserName) => limit(async () => {
      const keys = await iam.send(new ListAccessKeysCommand({ UserName }));
      for (const k of keys.AccessKeyMetadata ?? []) await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId! }));
      await iam.send(new ListAttachedUserPoliciesCommand({ UserName }));
      await iam.send(new ListUserPoliciesCommand({ UserName }));
      await iam.send(new ListGroupsForUserCommand({ UserName }));
    })),
    ...roles.map((RoleName) => limit(async () => {
      await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }));
      await iam.send(new ListRolePoliciesCommand({ RoleName }));
    })),
  ]);
  return users.length + roles.length;
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const size = opts.quick ? 1000 : 5000;
  const latencyMs = Number(process.env.AWS_BENCH_LATENCY ?? 5);
  const concurrency = 16;
  const estate = generateEstate({ seed: 1, users: size, roles: size, groups: 20, policies: 50, secrets: 0 });
  const sim = await startAwsSim(estate, { latencyMs });
  const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-aws-'));
  try {
    const file = join(dir, 'nhi-recon.yaml');
    writeFileSync(file, stringify({ sources: [{ name: 'aws', type: 'aws', concurrency, options: { endpoint: sim.url, sts_endpoint: sim.url, credential_report: { max_wait_seconds: 60, poll_seconds: 0.1 } } }], authority: { required: false } }));
    const loaded = await loadConfig(file);
    const store = await Store.open(join(dir, 'bench.duckdb'));
    try {
      // Module loading (SDK, action catalogue) is a one-time start-up cost, kept apart from collection.
      await import('../src/connectors/aws/index.js');
      await (await import('../src/connectors/aws/analysis.js')).loadAnalysis();
      const runRow = await createRun(store);
      const t0 = performance.now();
      const outcomes = await store.transaction(() => collect(store, loaded, { runId: runRow.run_id, log: silentLogger, env: ENV }));
      const ours = (performance.now() - t0) / 1000;
      if (outcomes[0]?.status !== 'complete') throw new Error(`collection ${outcomes[0]?.status}: ${outcomes[0]?.error}`);
      const ourCalls = sim.totalCalls();
      sim.calls.clear();
      const t1 = performance.now();
      const seen = await perEntity(sim.url, concurrency);
      const theirs = (performance.now() - t1) / 1000;
      const theirCalls = sim.totalCalls();
      if (seen !== 2 * size) throw new Error(`per-entity collector saw ${seen} principals, expected ${2 * size}`);
      const ratio = Math.round(theirCalls / ourCalls);
      const name = `aws account (${size.toLocaleString('en')} users + ${size.toLocaleString('en')} roles, ${latencyMs} ms latency, concurrency ${concurrency})`;
      return [
        { name, metric: 'API calls, nhi-recon (bulk)', value: ourCalls, unit: 'calls' },
        { name, metric: 'API calls, per-entity collector', value: theirCalls, unit: 'calls' },
        { name, metric: 'call ratio (per-entity / bulk)', value: ratio, unit: '×', target: '≥ 100×', ok: ratio >= 100 },
        { name, metric: 'API calls per 1,000 identities, nhi-recon', value: Number((ourCalls / (size * 2 / 1000)).toFixed(2)), unit: 'calls' },
        { name, metric: 'API calls per 1,000 identities, per-entity collector', value: Number((theirCalls / (size * 2 / 1000)).toFixed(1)), unit: 'calls' },
        { name, metric: 'wall time, nhi-recon (collect + analyse + write)', value: Number(ours.toFixed(2)), unit: 's' },
        { name, metric: 'wall time, per-entity collector (API only)', value: Number(theirs.toFixed(2)), unit: 's' },
        { name, metric: 'rows written', value: outcomes[0]!.rows, unit: 'rows' },
      ];
    } finally { store.close(); }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
