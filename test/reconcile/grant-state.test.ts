// The per-entitlement grant state is built in spillable steps (#19): an aggregate over the matched rows, the grant list
// only where two or more valid grants match, and grant matching concatenated from parts that must never overlap. These
// tests try to make those steps lie: a grant counted twice, a list in insertion order, a name-only glob match lost, a
// connection left with the reconcile's planner settings.
import { describe, expect, it } from 'vitest';
import { openStore } from '../helpers/index.js';
import { NOW, POLICY, daysAhead, seedRun } from './harness.js';
import { prepareRelations, reconcile } from '../../src/reconcile/engine.js';

const svc = { ref: 'svc-1', kind: 'service_account', name: 'deployer-1', human: false, owner: 'ann', created_at: '2026-01-01T00:00:00Z', last_used_at: '2026-05-30T00:00:00Z' };
const people = [{ id: 'ann', name: 'Ann', status: 'active', logins: { prov: ['ann'] } }];

describe('grant state', () => {
  it('lists every valid grant once, sorted, whatever order the grants arrive in', async () => {
    const store = await openStore();
    const runId = await seedRun(store, {
      people, identities: [svc],
      // admin held; both grants allow write only, so over-privileged names them.
      entitlements: [{ ref: 'e1', identity_ref: 'svc-1', identity_name: 'deployer-1', resource_ref: 'repo/web', permission: 'admin', level: 'admin' }],
      grants: [
        { id: 'G-zeta', provider: 'prov', tenant: 't1', identity: 'svc-1', resource: 'repo/web', permission: '*', max_level: 'write', owner: 'ann', expires_at: daysAhead(30) },
        { id: 'G-alpha', provider: 'prov', tenant: 't1', identity: 'deployer-1', resource: 'repo/web', permission: '*', max_level: 'write', owner: 'ann', expires_at: daysAhead(30) },
        // Matches by identity ref and by identity name: one grant, listed once.
        { id: 'G-mid', provider: 'prov', tenant: '*', identity: '*-1', resource: 'repo/*', permission: '*', max_level: 'read', owner: 'ann', expires_at: daysAhead(30) },
      ],
    });
    await reconcile(store, { runId, now: NOW, policy: POLICY });
    const f = await store.one<{ reason: string; evidence: string }>(`SELECT reason, evidence::VARCHAR AS evidence FROM findings WHERE run_id = $1 AND rule_id = 'over-privileged'`, [runId]);
    expect(f?.reason).toContain('grant(s) G-alpha, G-mid, G-zeta allow');
    expect(JSON.parse(f!.evidence).valid_grants).toEqual(['G-alpha', 'G-mid', 'G-zeta']);
  });

  it('counts a glob grant matched by both identity ref and name once, and keeps a name-only match', async () => {
    const store = await openStore();
    const runId = await seedRun(store, {
      people, identities: [{ ...svc, name: 'svc-1-deployer' }, { ...svc, ref: 'sa-2', name: 'deployer-2' }],
      entitlements: [
        { ref: 'e1', identity_ref: 'svc-1', identity_name: 'svc-1-deployer', resource_ref: 'repo/web', permission: 'read', level: 'read' },
        { ref: 'e2', identity_ref: 'sa-2', identity_name: 'deployer-2', resource_ref: 'repo/web', permission: 'read', level: 'read' },
      ],
      grants: [
        // Both keyed by their identity prefix (the resource has none): 'svc-' is the prefix of e1's ref and of its
        // name; 'deployer-' only of e2's name.
        { id: 'G-both', provider: 'prov', tenant: '*', identity: 'svc-*', resource: '*', permission: '*', max_level: 'read', owner: 'ann', expires_at: daysAhead(30) },
        { id: 'G-name', provider: 'prov', tenant: '*', identity: 'deployer-*', resource: '*', permission: '*', max_level: 'read', owner: 'ann', expires_at: daysAhead(30) },
      ],
    });
    await store.transaction(async () => {
      await prepareRelations(store, { runId, policy: POLICY }, NOW);
      expect(await store.all(`SELECT DISTINCT mode FROM glob_grants`)).toEqual([{ mode: 'id' }]);
      const rows = await store.all<{ ref: string; grant_id: string; n: number }>(`SELECT e.ref, g.grant_id, count(*)::INTEGER AS n FROM ent_grants g JOIN cur_entitlements e ON e.rowid = g.eid GROUP BY ALL ORDER BY ALL`);
      expect(rows).toEqual([{ ref: 'e1', grant_id: 'G-both', n: 1 }, { ref: 'e2', grant_id: 'G-name', n: 1 }]);
      const state = await store.all<{ ref: string; n_valid: number; valid_grants: string[] }>(`SELECT ref, n_valid::INTEGER AS n_valid, valid_grants FROM ent_state ORDER BY ref`);
      expect(state).toEqual([{ ref: 'e1', n_valid: 1, valid_grants: ['G-both'] }, { ref: 'e2', n_valid: 1, valid_grants: ['G-name'] }]);
    });
  });

  it('gives the connection back with DuckDB planner settings as they were, also when a rule fails', async () => {
    const store = await openStore();
    const runId = await seedRun(store, { people, identities: [svc] });
    const settings = async () => store.one<{ p: string; d: string }>(`SELECT current_setting('preserve_insertion_order')::VARCHAR AS p, current_setting('disabled_optimizers')::VARCHAR AS d`);
    const before = await settings();
    await reconcile(store, { runId, now: NOW, policy: POLICY });
    expect(await settings()).toEqual(before);
    const broken = { id: 'broken', title: 'b', subject: 'identity', severity: { none: 'low', read: 'low', write: 'low', admin: 'low', owner: 'low' }, description: '', why: '', fix: '', standards: {}, sql: 'SELECT * FROM no_such_table' };
    await expect(reconcile(store, { runId, now: NOW, policy: POLICY, rules: [broken as never] })).rejects.toThrow(/rule broken failed/);
    expect(await settings()).toEqual(before);
  });

  it('leaves no temp view in the connection naming a relation it dropped (every later reader of the catalog binds)', async () => {
    const store = await openStore();
    const runId = await seedRun(store, { people, identities: [svc] });
    await reconcile(store, { runId, now: NOW, policy: POLICY });
    const views = await store.all<{ view_name: string }>(`SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal`);
    const broken: string[] = [];
    for (const v of views) await store.run(`SELECT * FROM temp.main."${v.view_name}" LIMIT 0`).catch((e: Error) => broken.push(`${v.view_name}: ${e.message.split('\n')[0]}`));
    expect(broken).toEqual([]);
  });
});
