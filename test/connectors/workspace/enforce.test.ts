// Inside the existing rails: two scans through the real connector, a plan that revokes the departed person's token
// (and nothing else), apply with --enforce, verification by reading the token back (404), and a second scan that no
// longer sees it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyPlan, planActions } from '../../../src/remediate/index.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger as log } from '../../../src/log.js';
import { openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { source, startSim } from './harness.js';
import { CLIENTS, CUSTOMER_ID } from '../../../src/sim/workspace/seed.js';

describe('workspace enforce mode against the simulator', () => {
  it('revokes a departed person\'s OAuth token, verified by read-back, and leaves everyone else\'s', async () => {
    const h = await startSim();
    const dir = tempDir();
    writeFileSync(join(dir, 'people.yaml'), stringify({ people: [
      { id: 'dave', name: 'Dave Dodd', email: 'dave@acme.example', status: 'departed', departed_at: '2026-01-01', logins: { workspace: ['dave@acme.example'] } },
      { id: 'bob', name: 'Bob Brown', email: 'bob@acme.example', status: 'active', logins: { workspace: ['bob@acme.example'] } },
    ] }));
    const loaded = await writeConfig(dir, {
      database: 'test.duckdb',
      sources: [source(h, { tenants: [CUSTOMER_ID] })],
      authority: { people: 'people.yaml', required: false },
      remediation: { max_actions: 5, max_fraction: 0.5, min_consecutive_runs: 2,
        // A revoke cannot be undone: the rails hold it unless the action rule says so.
        actions: [{ rule: 'departed-person-access', provider: 'workspace', operation: 'revoke-oauth-token', allow_irreversible: true }] },
    });
    const store = await openStore(dir);
    const scan = async () => { const { run } = await collectStage(store, loaded, { log, env: h.env }); await reconcileStage(store, loaded, run.run_id); return run.run_id; };
    await scan();
    const runId = await scan();
    const plan = await planActions(store, loaded, { log });
    expect(plan.blocked).toBeNull();
    const tokenRef = `workspace:${CUSTOMER_ID}/users/dave@acme.example/tokens/${CLIENTS.sketchy}`;
    expect(plan.actions.map((a) => [a.operation, a.target.ref])).toEqual([['revoke-oauth-token', tokenRef]]);
    const res = await applyPlan(store, loaded, plan, { enforce: true, log, env: h.env });
    expect(res).toMatchObject({ executed: 1, verified: 1, unverified: 0, failed: 0 });
    expect(h.sim.estate.users.find((u) => u.primaryEmail === 'dave@acme.example')!.tokens).toEqual([]);
    expect(h.sim.estate.users.find((u) => u.primaryEmail === 'bob@acme.example')!.tokens).toHaveLength(2);
    const journal = await store.all('SELECT operation, state, verification FROM actions WHERE run_id = $1', [runId]);
    expect(journal).toHaveLength(1);
    expect(journal[0]!.state).toBe('verified');
    expect(JSON.parse(journal[0]!.verification as string)).toMatchObject({ ok: true, evidence: { exists: false, client_id: CLIENTS.sketchy } });
    const after = await scan();
    expect(await store.all('SELECT ref FROM credentials WHERE run_id = $1 AND ref = $2', [after, tokenRef])).toEqual([]);
  });
});
