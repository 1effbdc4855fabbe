// One benchmark in its own process, so its peak RSS is its own. Prints one JSON line: the measurements.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Store } from '../src/store/store.js';
import { mergeFindings } from '../src/store/finding-spans.js';
import { createRun, setRunStage } from '../src/store/runs.js';
import { collect } from '../src/pipeline/collect.js';
import { registerConnector } from '../src/connectors/registry.js';
import { silentLogger } from '../src/log.js';
import { Config } from '../src/config/schema.js';
import { reconcile } from '../src/reconcile/engine.js';
import { DEFAULT_SPEC, type EstateSpec } from '../src/sim/estate.js';
import { syntheticConnector } from './synthetic.js';
import { writeReports } from '../src/reports/index.js';
import { REPORT_FORMATS, type ReportFormat } from '../src/reports/types.js';
import { RULES } from '../src/reconcile/rules/index.js';
import { seedReconcileEstate } from './reconcile-estate.js';

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
  // As collectStage commits a run: the collection and its fold into intervals in one transaction.
  const out = await store.transaction(async () => {
    const o = await collect(store, loaded, { runId: run.run_id, log: silentLogger });
    await setRunStage(store, run.run_id, 'collect', 'complete');
    return o;
  });
  const secs = (performance.now() - t0) / 1000;
  const rows = out.reduce((a, o) => a + o.rows, 0);
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { rows, seconds: secs, rowsPerSecond: rows / secs, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Builds an estate directly in SQL (fast), in another process, then times the reconciler alone: the peak RSS printed
 * is the reconcile's own (seeding 10M entitlements in the same process set it before).
 */
async function reconcileBench(entitlements: number, memoryLimit: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-'));
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'reconcile-seed', String(entitlements), dir], { encoding: 'utf8' });
  if (seeded.status !== 0) throw new Error(`seeding ${entitlements} entitlements failed: ${seeded.stderr.slice(-2000)}`);
  const { runId, exactGrants } = JSON.parse(seeded.stdout.trim().split('\n').pop()!) as { runId: string; exactGrants: number };
  const store = await Store.open(join(dir, 'r.duckdb'), { memoryLimit });
  const t0 = performance.now();
  const summary = await reconcile(store, { runId, now: new Date('2026-06-01T00:00:00Z'),
    policy: { stale_days: 90, grace_days: 14, max_credential_age_days: 90, max_credential_lifetime_days: 365, providers: {}, disabled_rules: [] } });
  const secs = (performance.now() - t0) / 1000;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { entitlements, grants: exactGrants + 2000, findings: summary.findings, seconds: secs, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

/** Seeds the reconcile estate into dir/r.duckdb and prints {runId, exactGrants}. */
async function seedReconcileRun(entitlements: number, dir: string): Promise<void> {
  const store = await Store.open(join(dir, 'r.duckdb'), { memoryLimit: '4GB' });
  const seeded = await seedReconcileEstate(store, entitlements);
  await store.run('CHECKPOINT');
  store.close();
  process.stdout.write(JSON.stringify(seeded) + '\n');
}

/**
 * Writes one report format for a reconciled run of `findings` findings (written straight into the findings table, a
 * mix of rules, severities, statuses and owners), in its own process so the peak RSS is the report's own.
 */
async function reportBench(findings: number, format: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-'));
  // The findings are written by another process: writing 1M of them peaks at about 1 GB RSS itself, which would
  // otherwise be this process's peak, not the reports'.
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'report-seed', String(findings), dir], { encoding: 'utf8' });
  if (seeded.status !== 0) throw new Error(`seeding ${findings} findings failed: ${seeded.stderr.slice(-2000)}`);
  const store = await Store.open(join(dir, 'f.duckdb'), { memoryLimit: '1GB' });
  const runId = seeded.stdout.trim().split('\n').pop()!;
  const formats = (format === 'all' ? [...REPORT_FORMATS] : [format]) as ReportFormat[];
  const t0 = performance.now();
  const { files } = await writeReports(store, { runId, formats, outDir: join(dir, 'out'), now: new Date('2026-06-01T00:00:00Z') });
  const secs = (performance.now() - t0) / 1000;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { findings, rows: files.reduce((a, f) => a + f.rows, 0), seconds: secs, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

/** Writes a reconciled run of `findings` findings into dir/f.duckdb and prints its run id. */
async function seedReportRun(findings: number, dir: string): Promise<void> {
  const store = await Store.open(join(dir, 'f.duckdb'), { memoryLimit: '1GB' });
  const run = await createRun(store, { now: new Date('2026-06-01T00:00:00Z') });
  const id = `'${run.run_id}'`;
  const rules = `[${RULES.map((r) => `'${r.id}'`).join(', ')}]`;
  await store.transaction(async () => {
    await store.run(`INSERT INTO source_runs (run_id, source, provider, tenant, status) SELECT ${id}, 'syn', 'synthetic', 'tenant-' || i, 'complete' FROM range(8) t(i)`);
    await store.run(`INSERT INTO findings_stage (run_id, finding_id, rule_id, severity, status, provider, tenant, source, subject_type, subject_ref, identity_ref,
        resource_ref, permission, level, owner, owner_status, reason, evidence, first_seen, last_seen, resolved_at, carried, suppressed_by)
      SELECT ${id}, substr(sha256(i::VARCHAR), 1, 32), ${rules}[1 + i % ${RULES.length}], ['critical', 'high', 'medium', 'low'][1 + i % 4],
        ['new', 'open', 'open', 'regressed', 'resolved'][1 + i % 5], 'synthetic', 'tenant-' || (i % 8), 'syn', 'entitlement', 'e-' || i, 'sa-' || (i // 3),
        'res-' || (i % 997), 'write', 'write', CASE WHEN i % 5 = 0 THEN NULL ELSE 'person-' || (i % 500) END, CASE WHEN i % 5 = 0 THEN 'none' ELSE 'active' END,
        'fam-' || (i % 2000) || '-svc-' || (i // 3) || ' holds write on res-' || (i % 997) || ' and no grant approves it.',
        json_object('via', 'direct', 'valid_grants', ['G' || i], 'days', i % 400),
        TIMESTAMP '2026-01-01' + to_days((i % 150)::INT), TIMESTAMP '2026-06-01', CASE WHEN i % 5 = 4 THEN TIMESTAMP '2026-06-01' END, false, NULL
      FROM range(${findings}) t(i)`);
    await setRunStage(store, run.run_id, 'collect', 'complete');
    // Stored as the reconciler stores them (intervals), so the reports read the findings view they read in real runs.
    await mergeFindings(store, run.run_id, new Date('2026-06-01T00:00:00Z'));
    await store.run(`UPDATE runs SET reconciled_at = TIMESTAMP '2026-06-01', state = 'reconciled' WHERE run_id = ${id}`);
  });
  store.close();
  process.stdout.write(`${run.run_id}\n`);
}

if (kind === 'report-seed') {
  await seedReportRun(Number(arg1), arg2!);
  process.exit(0);
}
if (kind === 'reconcile-seed') {
  await seedReconcileRun(Number(arg1), arg2!);
  process.exit(0);
}

const result = kind === 'report' ? await reportBench(Number(arg1), arg2 ?? 'all')
  : kind === 'ingest' ? await ingest(Number(arg1), arg2 ?? '1GB')
  : kind === 'reconcile' ? await reconcileBench(Number(arg1), arg2 ?? '1GB')
  : (() => { throw new Error(`unknown benchmark ${kind}`); })();
// CPU seconds of the whole process (DuckDB's threads included): on a shared machine the wall time follows the load,
// this much less.
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6, loadAverage: loadavg()[0] }) + '\n');
