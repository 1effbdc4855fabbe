// One benchmark in its own process, so its peak RSS is its own. Prints one JSON line: the measurements.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { createRun, setRunStage } from '../src/store/runs.js';
import { collect } from '../src/pipeline/collect.js';
import { registerConnector } from '../src/connectors/registry.js';
import { silentLogger } from '../src/log.js';
import { Config } from '../src/config/schema.js';
import { reconcile } from '../src/reconcile/engine.js';
import { DEFAULT_SPEC, type EstateSpec } from '../src/sim/estate.js';
import { syntheticConnector } from './synthetic.js';

const [, , kind, arg1, arg2] = process.argv;

async function ingest(identities: number, memoryLimit: string): Promise<Record<string, number>> {
  registerConnector('synthetic', async () => ({ connector: syntheticConnector }));
  const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-'));
  const store = await Store.open(join(dir, 'b.duckdb'), { memoryLimit });
  const spec: EstateSpec = { ...DEFAULT_SPEC, identities, credentialsPerIdentity: 1, entitlementsPerIdentity: 3, tenants: 4 };
  const config = Config.parse({ sources: [{ name: 'syn', type: 'synthetic' }], authority: { required: false } });
  const loaded = { config, file: null, dir, sourceOptions: new Map<string, unknown>([['syn', spec]]) };
  const run = await createRun(store);
  const t0 = performance.now();
  const out = await store.transaction(() => collect(store, loaded, { runId: run.run_id, log: silentLogger }));
  await setRunStage(store, run.run_id, 'collect', 'complete');
  const secs = (performance.now() - t0) / 1000;
  const rows = out.reduce((a, o) => a + o.rows, 0);
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { rows, seconds: secs, rowsPerSecond: rows / secs, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

/** Builds an estate directly in SQL (fast), then times the reconciler alone. */
async function reconcileBench(entitlements: number, memoryLimit: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-'));
  const store = await Store.open(join(dir, 'r.duckdb'), { memoryLimit });
  const run = await createRun(store);
  const id = `'${run.run_id}'`;
  const identities = Math.ceil(entitlements / 3);
  const exactGrants = Math.round(entitlements * 0.3);
  await store.transaction(async () => {
    await store.run(`INSERT INTO identities_stage (run_id, source, provider, tenant, ref, kind, name, human, owner, created_at, last_used_at, last_used_known, disabled)
      SELECT ${id}, 'syn', 'synthetic', 'tenant-' || (i % 8), 'sa-' || i, 'service_account', 'fam-' || (i % 2000) || '-svc-' || i, false,
             CASE WHEN i % 5 = 0 THEN NULL ELSE 'person-' || (i % 500) END,
             TIMESTAMP '2022-01-01' + to_days((i % 1500)::INT), TIMESTAMP '2026-01-01' + to_days((i % 150)::INT), true, false
      FROM range(${identities}) t(i)`);
    await store.run(`INSERT INTO entitlements_stage (run_id, source, provider, tenant, ref, identity_ref, identity_name, resource_ref, permission, level, privileged, via)
      SELECT ${id}, 'syn', 'synthetic', 'tenant-' || ((i // 3) % 8), 'e-' || i, 'sa-' || (i // 3), 'fam-' || ((i // 3) % 2000) || '-svc-' || (i // 3),
             'res-' || (i % 997), CASE i % 6 WHEN 5 THEN 'admin' WHEN 3 THEN 'write' WHEN 4 THEN 'write' ELSE 'read' END,
             CASE i % 6 WHEN 5 THEN 'admin' WHEN 3 THEN 'write' WHEN 4 THEN 'write' ELSE 'read' END, i % 6 = 5, 'direct'
      FROM range(${entitlements}) t(i)`);
    await store.run(`INSERT INTO credentials_stage (run_id, source, provider, tenant, ref, kind, name, identity_ref, created_at, last_used_at, last_used_known, expires_at, expiry_supported, status)
      SELECT ${id}, 'syn', 'synthetic', 'tenant-' || (i % 8), 'k-' || i, 'sa_key', 'key-' || i, 'sa-' || i, TIMESTAMP '2024-01-01' + to_days((i % 700)::INT),
             TIMESTAMP '2026-01-01' + to_days((i % 150)::INT), true, CASE WHEN i % 2 = 0 THEN NULL ELSE TIMESTAMP '2027-01-01' END, true, 'active'
      FROM range(${identities}) t(i)`);
    // 30% of entitlements get an exact grant (10% of those expired), plus 2,000 glob grants over identity families.
    await store.run(`INSERT INTO grants (run_id, grant_id, provider, tenant, identity, resource, permission, max_level, expires_at, is_glob)
      SELECT ${id}, 'G' || j, 'synthetic', 'tenant-' || ((i // 3) % 8), 'sa-' || (i // 3), 'res-' || (i % 997), '*', 'admin',
             CASE WHEN j % 10 = 0 THEN TIMESTAMP '2026-01-01' ELSE TIMESTAMP '2027-01-01' END, false
      FROM (SELECT (j * 10 / 3)::BIGINT AS i, j FROM range(${exactGrants}) t(j)) WHERE i < ${entitlements}`);
    await store.run(`INSERT INTO grants (run_id, grant_id, provider, tenant, identity, resource, permission, max_level, expires_at, is_glob)
      SELECT ${id}, 'GLOB' || g, 'synthetic', '*', 'fam-' || g || '-svc-*', 'res-*', '*', 'write', TIMESTAMP '2027-01-01', true FROM range(2000) t(g)`);
    await store.run(`INSERT INTO source_runs (run_id, source, provider, tenant, status) SELECT ${id}, 'syn', 'synthetic', 'tenant-' || i, 'complete' FROM range(8) t(i)`);
    await setRunStage(store, run.run_id, 'collect', 'complete');
  });
  const t0 = performance.now();
  const summary = await reconcile(store, { runId: run.run_id, now: new Date('2026-06-01T00:00:00Z'),
    policy: { stale_days: 90, grace_days: 14, max_credential_age_days: 90, max_credential_lifetime_days: 365, providers: {}, disabled_rules: [] } });
  const secs = (performance.now() - t0) / 1000;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { entitlements, grants: exactGrants + 2000, findings: summary.findings, seconds: secs, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

const result = kind === 'ingest' ? await ingest(Number(arg1), arg2 ?? '1GB')
  : kind === 'reconcile' ? await reconcileBench(Number(arg1), arg2 ?? '1GB')
  : (() => { throw new Error(`unknown benchmark ${kind}`); })();
process.stdout.write(JSON.stringify(result) + '\n');
