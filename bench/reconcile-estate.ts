// The reconcile benchmark's estate, built directly in SQL (fast): entitlements over identities three apiece, 30% of
// them with an exact grant (10% of those expired), 2,000 glob grants over identity families, one key per identity.
import type { Store } from '../src/store/store.js';
import { createRun, setRunStage } from '../src/store/runs.js';
import { stageInsertSql } from '../src/store/history.js';

export async function seedReconcileEstate(store: Store, entitlements: number): Promise<{ runId: string; exactGrants: number }> {
  const run = await createRun(store);
  const id = `'${run.run_id}'`;
  const identities = Math.ceil(entitlements / 3);
  const exactGrants = Math.round(entitlements * 0.3);
  await store.transaction(async () => {
    for (const sql of stageInsertSql('identities', id, `SELECT ${id}, 'syn', 'synthetic', 'tenant-' || (i % 8), 'sa-' || i, 'service_account', 'fam-' || (i % 2000) || '-svc-' || i, false,
             CASE WHEN i % 5 = 0 THEN NULL ELSE 'person-' || (i % 500) END,
             TIMESTAMP '2022-01-01' + to_days((i % 1500)::INT), TIMESTAMP '2026-01-01' + to_days((i % 150)::INT), true, false
      FROM range(${identities}) t(i)`, ['run_id', 'source', 'provider', 'tenant', 'ref', 'kind', 'name', 'human', 'owner', 'created_at', 'last_used_at', 'last_used_known', 'disabled'])) await store.run(sql);
    for (const sql of stageInsertSql('entitlements', id, `SELECT ${id}, 'syn', 'synthetic', 'tenant-' || ((i // 3) % 8), 'e-' || i, 'sa-' || (i // 3), 'fam-' || ((i // 3) % 2000) || '-svc-' || (i // 3),
             'res-' || (i % 997), CASE i % 6 WHEN 5 THEN 'admin' WHEN 3 THEN 'write' WHEN 4 THEN 'write' ELSE 'read' END,
             CASE i % 6 WHEN 5 THEN 'admin' WHEN 3 THEN 'write' WHEN 4 THEN 'write' ELSE 'read' END, i % 6 = 5, 'direct'
      FROM range(${entitlements}) t(i)`, ['run_id', 'source', 'provider', 'tenant', 'ref', 'identity_ref', 'identity_name', 'resource_ref', 'permission', 'level', 'privileged', 'via'])) await store.run(sql);
    for (const sql of stageInsertSql('credentials', id, `SELECT ${id}, 'syn', 'synthetic', 'tenant-' || (i % 8), 'k-' || i, 'sa_key', 'key-' || i, 'sa-' || i, TIMESTAMP '2024-01-01' + to_days((i % 700)::INT),
             TIMESTAMP '2026-01-01' + to_days((i % 150)::INT), true, CASE WHEN i % 2 = 0 THEN NULL ELSE TIMESTAMP '2027-01-01' END, true, 'active'
      FROM range(${identities}) t(i)`, ['run_id', 'source', 'provider', 'tenant', 'ref', 'kind', 'name', 'identity_ref', 'created_at', 'last_used_at', 'last_used_known', 'expires_at', 'expiry_supported', 'status'])) await store.run(sql);
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
  return { runId: run.run_id, exactGrants };
}
