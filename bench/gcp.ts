// GCP collection against the simulator with per-request latency: wall time, calls per project, and the share of
// wall time over the serial lower bound (calls on the critical path × latency / concurrency). Informational rows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { BenchOptions, BenchResult } from './types.js';
import { loadConfig } from '../src/config/load.js';
import { Store } from '../src/store/store.js';
import { createRun } from '../src/store/runs.js';
import { collect } from '../src/pipeline/collect.js';
import { silentLogger } from '../src/log.js';
import { startGcpSim } from '../src/sim/gcp/server.js';
import { NEVER, PREDEFINED_ROLES, policy, saEmail, type Estate, type SimProject } from '../src/sim/gcp/estate.js';

function estate(projects: number, sas: number, secrets: number): Estate {
  const now = Date.now();
  const iso = (d: number) => new Date(now + d * 86_400_000).toISOString();
  const ps: SimProject[] = [];
  for (let i = 0; i < projects; i++) {
    const id = `bench-proj-${String(i).padStart(4, '0')}`;
    ps.push({
      projectId: id, number: String(5000 + i), parent: 'folders/9', createTime: iso(-500), denyPolicies: [], customRoles: {}, secretManagerEnabled: true,
      activity: { observationStart: iso(-180), serviceAccounts: {}, keys: {} },
      policy: policy(Array.from({ length: sas }, (_, j) => ({ role: j % 3 ? 'roles/viewer' : 'roles/editor', members: [`serviceAccount:${saEmail(id, `sa-${j}`)}`] }))),
      serviceAccounts: Array.from({ length: sas }, (_, j) => ({ accountId: `sa-${j}`, uniqueId: `${i}${j}`.padStart(21, '1'),
        keys: [{ id: `k${i}x${j}`, keyType: 'USER_MANAGED' as const, validAfterTime: iso(-100), validBeforeTime: NEVER }] })),
      secrets: Array.from({ length: secrets }, (_, j) => ({ id: `s-${j}`, createTime: iso(-200), etagSeq: 1,
        versions: [{ id: '1', state: 'ENABLED' as const, createTime: iso(-200), etagSeq: 1 }],
        policy: policy([{ role: 'roles/secretmanager.secretAccessor', members: [`serviceAccount:${saEmail(id, 'sa-0')}`] }]) })),
    });
  }
  return { roles: { ...PREDEFINED_ROLES }, organization: { name: 'organizations/1', displayName: 'bench', policy: policy([]), denyPolicies: [], customRoles: {} },
    folders: [{ name: 'folders/9', parent: 'organizations/1', displayName: 'bench', policy: policy([]), denyPolicies: [] }], projects: ps };
}

export async function run(opts: BenchOptions): Promise<BenchResult[]> {
  const projects = opts.quick ? 6 : 30;
  const sas = 20, secrets = 10, latencyMs = Number(process.env.GCP_BENCH_LATENCY ?? 20), concurrency = 8;
  const sim = await startGcpSim(estate(projects, sas, secrets), { token: 'bench', latencyMs, pageSize: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-gcp-'));
  try {
    const file = join(dir, 'nhi-recon.yaml');
    writeFileSync(file, stringify({ sources: [{ name: 'gcp', type: 'gcp', concurrency, options: { folder: '9', api_endpoint: sim.url, access_token_env: 'T' } }], authority: { required: false } }));
    const loaded = await loadConfig(file);
    const store = await Store.open(join(dir, 'bench.duckdb'));
    try {
      // SDK import (protos, gax) is a one-time start-up cost: measured apart from collection.
      const ti = performance.now();
      await import('../src/connectors/gcp/index.js');
      await import('@google-cloud/resource-manager'); await import('@google-cloud/secret-manager'); await import('@google-cloud/iam');
      const importSecs = (performance.now() - ti) / 1000;
      const runRow = await createRun(store);
      const t0 = performance.now();
      const outcomes = await store.transaction(() => collect(store, loaded, { runId: runRow.run_id, log: silentLogger, env: { T: 'bench' }, tenantConcurrency: 4 }));
      const secs = (performance.now() - t0) / 1000;
      const projectRuns = outcomes.filter((o) => !o.tenant.startsWith('folders/'));
      const calls = projectRuns.reduce((n, o) => n + o.api_calls, 0);
      const name = `gcp collection (${projects} projects × ${sas} SAs × ${secrets} secrets, ${latencyMs} ms latency)`;
      return [
        { name, metric: 'SDK import (once per process)', value: Number(importSecs.toFixed(2)), unit: 's' },
        { name, metric: 'wall time', value: Number(secs.toFixed(2)), unit: 's' },
        { name, metric: 'calls per project', value: Number((calls / projects).toFixed(1)), unit: 'calls' },
        { name, metric: 'tenants complete', value: outcomes.filter((o) => o.status === 'complete').length, unit: `of ${outcomes.length}`,
          target: 'all', ok: outcomes.every((o) => o.status === 'complete') },
        { name, metric: 'rows', value: outcomes.reduce((n, o) => n + o.rows, 0), unit: 'rows' },
      ];
    } finally { await store.close(); }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run({ quick: process.argv.includes('--quick') }).then((r) => console.table(r));
}
