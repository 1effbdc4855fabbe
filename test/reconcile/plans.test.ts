// Every rule's query must scale with the estate: a join that has equality keys must run as a hash join. DuckDB falls
// back to a nested loop (entitlements × entitlements) when it cannot use the keys — e.g. a LEFT JOIN whose ON mixes a
// one-sided predicate with them — which took over-privileged from seconds to minutes at 100k entitlements (#19).
import { describe, expect, it } from 'vitest';
import { openStore } from '../helpers/index.js';
import { NOW, POLICY, daysAgo, daysAhead, seedRun } from './harness.js';
import { prepareRelations } from '../../src/reconcile/engine.js';
import { RULES } from '../../src/reconcile/rules/index.js';

interface PlanNode { name: string; children: PlanNode[]; extra_info?: Record<string, unknown> }

/**
 * Loop joins whose condition is a conjunction holding an equality between two columns (a key the join could have
 * hashed on). Disjunctions (a = b OR a = lower(b)) have no single key and are left out.
 */
function loopJoinsOnKeys(node: PlanNode, out: string[] = []): string[] {
  if (/NESTED_LOOP_JOIN|BLOCKWISE_NL_JOIN/.test(node.name)) {
    const cond = JSON.stringify(node.extra_info ?? {});
    if (/\(\w+ = \w+\)/.test(cond) && !/ OR /.test(cond)) out.push(`${node.name} ${cond}`);
  }
  for (const c of node.children ?? []) loopJoinsOnKeys(c, out);
  return out;
}

describe('rule query plans', () => {
  it('no rule joins on equality keys through a nested loop', async () => {
    const store = await openStore();
    const runId = await seedRun(store, {
      people: [{ id: 'ann', name: 'Ann', status: 'active', logins: { prov: ['ann'] } }],
      identities: [{ ref: 'svc', kind: 'service_account', name: 'deployer', human: false, owner: 'ann', created_at: daysAgo(400), last_used_at: daysAgo(1) }],
      credentials: [{ ref: 'k1', kind: 'access_key', name: 'AKIA-1', identity_ref: 'svc', created_at: daysAgo(30), last_used_at: daysAgo(1), expires_at: daysAhead(60) }],
      entitlements: [
        { ref: 'e1', identity_ref: 'svc', identity_name: 'deployer', resource_ref: 'repo/web', permission: 'admin', level: 'admin' },
        { ref: 'e2', identity_ref: 'svc', identity_name: 'deployer', resource_ref: 'repo/api', permission: 'write', level: 'write', attributes: { summary: 'true' } },
      ],
      grants: [
        { provider: 'prov', tenant: 't1', identity: 'svc', resource: 'repo/web', permission: '*', max_level: 'write', owner: 'ann', expires_at: daysAhead(30) },
        { provider: 'prov', tenant: '*', identity: 'deploy*', resource: 'repo/*', permission: '*', max_level: 'read', owner: 'ann', expires_at: daysAhead(30) },
      ],
    });
    const bad: string[] = [];
    await store.transaction(async () => {
      await prepareRelations(store, { runId, policy: POLICY }, NOW);
      for (const rule of RULES) {
        const row = await store.one<{ explain_value: string }>(`EXPLAIN (FORMAT json) ${rule.sql}`);
        for (const root of JSON.parse(row!.explain_value) as PlanNode[]) for (const j of loopJoinsOnKeys(root)) bad.push(`${rule.id}: ${j}`);
      }
    });
    expect(bad).toEqual([]);
  });
});
