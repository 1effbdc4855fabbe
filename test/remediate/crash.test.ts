// A real child process applying a plan is killed with SIGKILL at the worst moments: right after an intent was
// committed (the call not yet made) and right after the provider call (its outcome not yet journaled). A re-run must
// then complete every action exactly once: no duplicate call, no lost action.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyPlan, planActions, readPlan, writePlan } from '../../src/remediate/index.js';
import { silentLogger as log } from '../../src/log.js';
import { Store } from '../../src/store/store.js';
import { onCleanup, openStore, tempDir } from '../helpers/index.js';
import { readState } from './fake-provider.js';
import { makeEstate, scan, STALE_KEY1, UNGRANTED_ADMIN } from './harness.js';

const CHILD = fileURLToPath(new URL('./fixtures/apply-child.ts', import.meta.url));
const KEY2 = { ...STALE_KEY1, ref: 'key-2', identity_ref: 'svc-2' };

async function killedMidApply(dir: string, planFile: string, point: 'intent' | 'execute', nth: number): Promise<void> {
  const marker = join(dir, `marker-${point}-${nth}`);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, planFile, point, String(nth), marker], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  onCleanup(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const exited = new Promise<NodeJS.Signals | number | null>((res) => child.on('exit', (code, sig) => res(sig ?? code)));
  const deadline = Date.now() + 30_000;
  while (!existsSync(marker)) {
    if (child.exitCode !== null) throw new Error(`child ended before pausing: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`child never paused: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(existsSync(marker + '.finished')).toBe(false);
}

async function prepared() {
  const dir = tempDir();
  const { loaded, stateFile } = await makeEstate(dir);
  let store = await openStore(dir);
  const findings = [UNGRANTED_ADMIN, STALE_KEY1, KEY2];
  await scan(store, loaded, findings);
  await scan(store, loaded, findings);
  const plan = await planActions(store, loaded, { log });
  expect(plan.actions.map((a) => a.target.ref)).toEqual(['svc-4|AdministratorAccess', 'key-1', 'key-2']);
  const { planFile } = writePlan(plan, join(dir, 'plans'));
  store.close(); // the child needs the database lock
  const reopen = async () => { store = await Store.open(loaded.config.database); onCleanup(() => store.close()); return store; };
  return { dir, loaded, stateFile, plan, planFile, reopen, findings };
}

describe('crash mid-apply', () => {
  for (const point of ['intent', 'execute'] as const) {
    it(`a SIGKILL after the ${point === 'intent' ? 'intent is journaled' : 'provider call'} of the 2nd action, then a re-run: each action exactly once`, async () => {
      const { dir, loaded, stateFile, plan, planFile, reopen } = await prepared();
      await killedMidApply(dir, planFile, point, 2);

      const calledBefore = readState(stateFile).calls.map((c) => c.ref);
      expect(calledBefore).toEqual(point === 'intent' ? ['svc-4|AdministratorAccess'] : ['svc-4|AdministratorAccess', 'key-1']);
      const store = await reopen();
      const journalled = await store.all(`SELECT target_ref, state FROM actions ORDER BY intent_at, target_ref`);
      expect(journalled).toEqual([{ target_ref: 'svc-4|AdministratorAccess', state: 'verified' }, { target_ref: 'key-1', state: 'intent' }]);

      const res = await applyPlan(store, loaded, readPlan(planFile), { enforce: true, log });
      expect(res.exitCode).toBe(0);
      expect(res.recovered).toBe(point === 'execute' ? 1 : 0);
      // Exactly one call per action across both processes.
      expect(readState(stateFile).calls.map((c) => c.ref)).toEqual(['svc-4|AdministratorAccess', 'key-1', 'key-2']);
      const rows = await store.all(`SELECT action_id, target_ref, state, before_state FROM actions ORDER BY target_ref`);
      expect(rows.map((r) => [r.target_ref, r.state])).toEqual([['key-1', 'verified'], ['key-2', 'verified'], ['svc-4|AdministratorAccess', 'verified']]);
      expect(new Set(rows.map((r) => r.action_id))).toEqual(new Set(plan.actions.map((a) => a.action_id)));
      // The before-state written with the intent survived the kill, so rollback still works.
      expect(JSON.parse(rows[0]!.before_state as string)).toMatchObject({ read: { active: true } });
    });
  }

  it('an interrupted action from an abandoned plan is settled by the next apply, never repeated', async () => {
    const { dir, loaded, stateFile, planFile, reopen, findings } = await prepared();
    await killedMidApply(dir, planFile, 'execute', 2); // key-1 was deactivated, its outcome never written
    const store = await reopen();
    await scan(store, loaded, findings); // the next night: a new run and a new plan
    const next = await planActions(store, loaded, { log });
    expect(next.held.find((h) => h.target_ref === 'key-1')!.rail).toMatch(/^(in-progress|already-inactive)$/);
    const res = await applyPlan(store, loaded, next, { enforce: true, log });
    expect(res.recovered).toBe(1);
    const k1 = await store.all(`SELECT state, reason FROM actions WHERE target_ref = 'key-1'`);
    expect(k1).toMatchObject([{ state: 'verified', reason: 'recovered after an interrupted apply: the call had taken effect' }]);
    const calls = readState(stateFile).calls.map((c) => c.ref);
    expect(calls.filter((r) => r === 'key-1')).toHaveLength(1);
    expect(calls).toContain('key-2');
  });
});
