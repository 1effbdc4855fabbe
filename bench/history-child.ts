// History growth: N nightly collections of one estate (unchanged, or with a share of records changed each night)
// into one database file; prints the file size after the first run and after the last, and the merge time per run.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { createRun, setRunStage } from '../src/store/runs.js';
import { stageInsertSql } from '../src/store/history.js';
import { reconcile } from '../src/reconcile/engine.js';
const POLICY = { stale_days: 90, grace_days: 14, max_credential_age_days: 90, max_credential_lifetime_days: 365, providers: {}, disabled_rules: [] };

const [, , recordsArg, runsArg, churnArg, withReconcile] = process.argv;
const records = Number(recordsArg ?? 1_000_000), runs = Number(runsArg ?? 30), churn = Number(churnArg ?? 0);
const ids = Math.round(records / 5); // 1 identity, 1 credential and 3 entitlements per identity, as the ingest estate

async function night(store: Store, k: number): Promise<number> {
  const run = await createRun(store, { now: new Date(Date.UTC(2026, 5, 1 + k)) });
  const id = `'${run.run_id}'`;
  // Churn: in night k a different slice of every collection changes (a use date moves), churn × records in all.
  const changed = (i: string) => churn > 0 ? `(hash(${i}, ${k}) % 10000) < ${Math.round(churn * 10000)}` : 'false';
  const t0 = performance.now();
  await store.transaction(async () => {
    for (const sql of stageInsertSql('identities', id, `SELECT ${id}, 'syn', 'synthetic', 'tenant-' || (i % 8), 'sa-' || i, 'service_account', 'fam-' || (i % 2000) || '-svc-' || i, false,
             CASE WHEN i % 5 = 0 THEN NULL ELSE 'person-' || (i % 500) END, TIMESTAMP '2022-01-01' + to_days((i % 1500)::INT),
             CASE WHEN ${changed('i')} THEN TIMESTAMP '2026-06-01' + to_days(${k}) ELSE TIMESTAMP '2026-01-01' + to_days((i % 150)::INT) END, true, false,
             '{"project":"p-' || (i % 40) || '"}'
      FROM range(${ids}) t(i)`, ['run_id', 'source', 'provider', 'tenant', 'ref', 'kind', 'name', 'human', 'owner', 'created_at', 'last_used_at', 'last_used_known', 'disabled', 'attributes'])) await store.run(sql);
    for (const sql of stageInsertSql('credentials', id, `SELECT ${id}, 'syn', 'synthetic', 'tenant-' || (i % 8), 'k-' || i, 'sa_key', 'key-' || i, 'sa-' || i, TIMESTAMP '2024-01-01' + to_days((i % 700)::INT),
             CASE WHEN ${changed('i + 7')} THEN TIMESTAMP '2026-06-01' + to_days(${k}) ELSE TIMESTAMP '2026-01-01' + to_days((i % 150)::INT) END, true,
             CASE WHEN i % 2 = 0 THEN NULL ELSE TIMESTAMP '2027-01-01' END, true, 'active', md5('k' || i)
      FROM range(${ids}) t(i)`, ['run_id', 'source', 'provider', 'tenant', 'ref', 'kind', 'name', 'identity_ref', 'created_at', 'last_used_at', 'last_used_known', 'expires_at', 'expiry_supported', 'status', 'fingerprint'])) await store.run(sql);
    for (const sql of stageInsertSql('entitlements', id, `SELECT ${id}, 'syn', 'synthetic', 'tenant-' || ((i // 3) % 8), 'e-' || i, 'sa-' || (i // 3), 'fam-' || ((i // 3) % 2000) || '-svc-' || (i // 3),
             'res-' || (i % 997), CASE i % 6 WHEN 5 THEN 'admin' WHEN 3 THEN 'write' WHEN 4 THEN 'write' ELSE 'read' END,
             CASE i % 6 WHEN 5 THEN 'admin' WHEN 3 THEN 'write' WHEN 4 THEN 'write' ELSE 'read' END, i % 6 = 5, 'direct',
             CASE WHEN ${changed('i + 13')} THEN TIMESTAMP '2026-06-01' + to_days(${k}) END
      FROM range(${ids * 3}) t(i)`, ['run_id', 'source', 'provider', 'tenant', 'ref', 'identity_ref', 'identity_name', 'resource_ref', 'permission', 'level', 'privileged', 'via', 'last_used_at'])) await store.run(sql);
    await store.run(`INSERT INTO source_runs (run_id, source, provider, tenant, status) SELECT ${id}, 'syn', 'synthetic', 'tenant-' || i, 'complete' FROM range(8) t(i)`);
    await setRunStage(store, run.run_id, 'collect', 'complete');
  });
  // A nightly run reconciles too: its findings are stored with it (as intervals, like the records).
  if (withReconcile === 'reconcile') await reconcile(store, { runId: run.run_id, now: new Date(Date.UTC(2026, 5, 1 + k)), policy: POLICY });
  await store.run('CHECKPOINT');
  return (performance.now() - t0) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'nhi-bench-hist-'));
const file = join(dir, 'h.duckdb');
const store = await Store.open(file, { memoryLimit: '1GB' });
const times: number[] = [];
// The file never shrinks; the blocks in use are the data. Both are reported: a checkpoint writes a changed table's
// new blocks before it frees the old ones, so the file keeps room for one rewrite once a table has been rewritten.
const used = async () => Number(await store.value(`SELECT used_blocks * block_size FROM pragma_database_size()`));
// Open findings of the newest run: in an unchanged estate some still appear as time passes (a key crosses the stale limit).
const openFindings = async () => withReconcile === 'reconcile'
  ? Number(await store.value(`SELECT count(*) FROM findings WHERE status <> 'resolved' AND run_id = (SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1)`)) : 0;
times.push(await night(store, 0));
const first = statSync(file).size, firstUsed = await used(), findingsFirst = await openFindings();
let second = first;
for (let k = 1; k < runs; k++) {
  times.push(await night(store, k));
  if (k === 1) second = statSync(file).size;
}
const last = statSync(file).size, lastUsed = await used(), findingsLast = await openFindings();
const rowsPerRun = Number(await store.value(`SELECT count(*) FROM entitlements WHERE run_id = (SELECT run_id FROM runs ORDER BY seq DESC LIMIT 1)`));
store.close();
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else process.stderr.write(file + "\n");
process.stdout.write(JSON.stringify({ records, runs, churn, reconcile: withReconcile === 'reconcile', firstMB: first / 2 ** 20, secondMB: second / 2 ** 20, lastMB: last / 2 ** 20, growthPct: ((last - first) / first) * 100,
  growthAfterSecondPct: ((last - second) / second) * 100, firstUsedMB: firstUsed / 2 ** 20, lastUsedMB: lastUsed / 2 ** 20,
  usedGrowthPct: ((lastUsed - firstUsed) / firstUsed) * 100, findingsFirst, findingsLast,
  firstRunSeconds: times[0], laterRunSeconds: times.slice(1).reduce((a, b) => a + b, 0) / Math.max(1, times.length - 1), entitlementsLastRun: rowsPerRun,
  maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
