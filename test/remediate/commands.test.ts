import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command as planCommand } from '../../src/commands/plan.js';
import { command as applyCommand } from '../../src/commands/apply.js';
import { command as rollbackCommand } from '../../src/commands/rollback.js';
import type { CommandIO } from '../../src/commands/types.js';
import { silentLogger } from '../../src/log.js';
import { openStore, tempDir } from '../helpers/index.js';
import { readState } from './fake-provider.js';
import { makeEstate, scan, STALE_KEY1, UNGRANTED_ADMIN } from './harness.js';

function io(): CommandIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), log: silentLogger, env: {}, interactive: false };
}

describe('plan, apply and rollback commands', () => {
  it('plan writes the plan and summary; apply is a dry run without --enforce; rollback restores', async () => {
    const dir = tempDir();
    const { loaded, stateFile } = await makeEstate(dir, { remediation: { mode: 'enforce' } });
    const store = await openStore(dir);
    await scan(store, loaded, [STALE_KEY1, UNGRANTED_ADMIN]);
    const runId = await scan(store, loaded, [STALE_KEY1, UNGRANTED_ADMIN]);
    store.close();
    const config = join(dir, 'nhi-recon.yaml');
    for (const c of [planCommand, applyCommand, rollbackCommand]) expect(c.examples.length).toBeGreaterThan(0);

    const p = io();
    expect(await planCommand.run({ config }, p)).toBe(0);
    expect(p.lines).toContain('2 action(s) planned, 0 held back');
    const planFile = p.lines.find((l) => l.startsWith('plan: '))!.slice(6);
    expect(planFile.startsWith(join(dir, 'plans'))).toBe(true);
    expect(readdirSync(join(dir, 'plans')).sort()).toEqual([expect.stringMatching(/\.json$/), expect.stringMatching(/\.md$/)]);

    const dry = io();
    expect(await applyCommand.run({ config, plan: planFile }, dry)).toBe(0);
    expect(dry.lines.at(-1)).toContain('dry run: 2 would be executed');
    expect(readState(stateFile).calls).toEqual([]);

    const real = io();
    expect(await applyCommand.run({ config, plan: planFile, enforce: true }, real)).toBe(0);
    expect(real.lines.at(-1)).toBe('2 executed, 2 verified, 0 unverified, 0 failed, 0 skipped');
    expect(readState(stateFile).keys.find((k) => k.ref === 'key-1')!.status).toBe('inactive');

    const rb = io();
    expect(await rollbackCommand.run({ config, ref: runId }, rb)).toBe(0);
    expect(rb.lines.at(-1)).toBe('2 restored, 0 could not be restored, 0 had nothing to undo');
    expect(readState(stateFile).keys.find((k) => k.ref === 'key-1')!.status).toBe('active');
  });

  it('plan exits 4 when a breaker trips, and apply of that plan does nothing', async () => {
    const dir = tempDir();
    const { loaded, stateFile } = await makeEstate(dir, { remediation: { mode: 'enforce', max_actions: 0 } });
    const store = await openStore(dir);
    await scan(store, loaded, [STALE_KEY1]);
    await scan(store, loaded, [STALE_KEY1]);
    store.close();
    const config = join(dir, 'nhi-recon.yaml');
    const p = io();
    expect(await planCommand.run({ config }, p)).toBe(4);
    const planFile = p.lines.find((l) => l.startsWith('plan: '))!.slice(6);
    expect(existsSync(planFile)).toBe(true);
    const a = io();
    expect(await applyCommand.run({ config, plan: planFile, enforce: true }, a)).toBe(4);
    expect(a.lines.at(-1)).toContain('no action taken');
    expect(readState(stateFile).calls).toEqual([]);
  });
});
