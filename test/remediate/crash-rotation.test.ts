// Issue 14 class 4 (D4): SIGKILL of a real `apply` child in the middle of rotate-access-key — after CreateAccessKey,
// while the Secrets Manager sink call hangs — then a re-run. The key the killed run created is named in the journal,
// the re-run removes it and rotates again: one active key afterwards, the one in the sink, and every id unredacted.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applyPlan, planActions, writePlan } from '../../src/remediate/index.js';
import { collectStage, reconcileStage } from '../../src/pipeline/scan.js';
import { generateEstate } from '../../src/sim/aws/estate.js';
import { startAwsSim } from '../../src/sim/aws/server.js';
import { Store } from '../../src/store/store.js';
import { silentLogger as log } from '../../src/log.js';
import { onCleanup, tempDir, writeConfig } from '../helpers/index.js';

const CHILD = fileURLToPath(new URL('./fixtures/apply-aws-child.ts', import.meta.url));
const ACCT = '111111111111';
const user = (n: string) => `arn:aws:iam::${ACCT}:user/${n}`;

describe('crash mid-rotation', () => {
  it('a SIGKILL while the sink call hangs, then a re-run: no orphaned key, exactly one active key, the one in the sink', async () => {
    const estate = generateEstate({ users: 6, roles: 1, groups: 1, policies: 2, secrets: 0 });
    const acct = estate.accounts.get(ACCT)!;
    const sim = await startAwsSim(estate);
    onCleanup(() => sim.close());
    const dir = tempDir();
    writeFileSync(join(dir, 'grants.yaml'), stringify({ grants: [{ id: 'g-all', provider: 'aws', tenant: ACCT, identity: `arn:aws:iam::${ACCT}:*`, owner: 'alice', approver: 'bob', ticket: 'SEC-1', granted_at: '2024-01-01' }] }));
    const env = { AWS_ACCESS_KEY_ID: estate.baseAccessKeyId, AWS_SECRET_ACCESS_KEY: 'simulated-secret-key-for-tests' };
    const loaded = await writeConfig(dir, {
      database: 'test.duckdb',
      sources: [{ name: 'aws-prod', type: 'aws', options: { endpoint: sim.url, sts_endpoint: sim.url, credential_report: { poll_seconds: 0 }, rotation_sink: { type: 'secretsmanager', endpoint: sim.url } } }],
      authority: { grants: ['grants.yaml'] },
      protected: [{ provider: 'aws', ref: `${user('person-')}*`, reason: 'people' }, { provider: 'aws', ref: `${user('svc-3')}*`, reason: 'one rotation is enough here' }],
      remediation: { mode: 'enforce', max_actions: 5, max_fraction: 0.5, min_consecutive_runs: 2, actions: [{ rule: 'stale-credential', provider: 'aws', operation: 'rotate-access-key' }] },
    });
    let store = await Store.open(loaded.config.database);
    for (let i = 0; i < 2; i++) { const { run } = await collectStage(store, loaded, { log, env }); await reconcileStage(store, loaded, run.run_id); }
    const plan = await planActions(store, loaded, { log });
    expect(plan.actions.map((a) => [a.operation, a.target.ref.replace(/#access-key:.*/, '')])).toEqual([['rotate-access-key', user('svc-5')]]);
    const { planFile } = writePlan(plan, join(dir, 'plans'));
    store.close();

    const svc5 = acct.users.get('svc-5')!;
    const oldKey = svc5.keys[0]!.id;
    sim.faults.add({ match: 'secretsmanager:', kind: 'hang', times: 1 });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, planFile], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    onCleanup(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    const deadline = Date.now() + 60_000;
    while (!(sim.faults.injected > 0) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(sim.faults.injected).toBe(1); // CreateAccessKey answered, the sink call hangs: kill now
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(svc5.keys.filter((k) => k.status === 'Active')).toHaveLength(2); // the state the review found: two active keys
    const orphan = svc5.keys[1]!.id;

    store = await Store.open(loaded.config.database);
    onCleanup(() => store.close());
    const row = await store.one<{ state: string; progress: string }>(`SELECT state, progress FROM actions`);
    expect(row!.state).toBe('intent');
    expect(JSON.parse(row!.progress)).toMatchObject({ step: 'created', new_access_key_id: orphan, old_access_key_id: oldKey });

    const res = await applyPlan(store, loaded, plan, { enforce: true, log, env });
    expect(res.failed).toBe(0);
    const active = svc5.keys.filter((k) => k.status === 'Active');
    expect(active).toHaveLength(1);
    expect(svc5.keys.map((k) => k.id)).not.toContain(orphan);
    expect(svc5.keys.find((k) => k.id === oldKey)!.status).toBe('Inactive');
    const done = await store.one<{ state: string; result: string; verification: string }>(`SELECT state, result, verification FROM actions`);
    expect(done!.state).toBe('verified');
    const result = JSON.parse(done!.result);
    expect(result).toMatchObject({ old_access_key_id: oldKey, new_access_key_id: active[0]!.id, sink_secret_arn: expect.stringMatching(/:secret:nhi-recon\/111111111111\/svc-5\/access-key/) });
    expect(JSON.parse(done!.verification)).toMatchObject({ ok: true, evidence: { replacement_access_key_id: active[0]!.id } });
    expect(sim.calls.get('iam:CreateAccessKey')).toBe(2);
  });
});
