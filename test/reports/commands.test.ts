import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, writeConfig } from '../helpers/index.js';
import { Store } from '../../src/store/store.js';
import { silentLogger } from '../../src/log.js';
import type { CommandIO } from '../../src/commands/types.js';
import { reportCommand, failsOn } from '../../src/commands/report.js';
import { runsCommand } from '../../src/commands/runs.js';
import { diffCommand } from '../../src/commands/diff.js';
import { explainCommand, findRule } from '../../src/commands/explain.js';
import { RULES } from '../../src/reconcile/rules/index.js';
import { seedHistory } from './seed.js';

function io(): CommandIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l: string) => lines.push(l), log: silentLogger, env: {}, interactive: false };
}

async function project(): Promise<{ dir: string; config: string }> {
  const dir = tempDir();
  const loaded = await writeConfig(dir, { database: 'nhi.duckdb', reports: { out_dir: 'out' } });
  const store = await Store.open(loaded.config.database);
  await seedHistory(store);
  store.close();
  return { dir, config: loaded.file! };
}

describe('commands', () => {
  it('every command has at least one example', () => {
    for (const c of [reportCommand, runsCommand, diffCommand, explainCommand]) expect(c.examples.length).toBeGreaterThan(0);
  });

  it('report writes the requested formats for the latest run and gates on --fail-on', async () => {
    const { dir, config } = await project();
    const o = io();
    const code = await reportCommand.run({ config, format: ['markdown', 'json'], 'by-owner': true, 'fail-on': 'critical' }, o);
    // Two critical findings are open, but run 3 has an incomplete tenant: incomplete outranks findings (D10).
    expect(code).toBe(3);
    expect(existsSync(join(dir, 'out', 'summary.md'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'report.json'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'report.html'))).toBe(false);
    expect(o.lines.some((l) => /2\s+bob$/.test(l))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')).run.seq).toBe(3);
    const older = io();
    expect(await reportCommand.run({ config, run: '1', format: ['json'], out: join(dir, 'old') }, older)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'old', 'report.json'), 'utf8')).run.seq).toBe(1);
  });

  it('failsOn compares against the severity threshold', () => {
    const counts = { open: 1, new: 0, regressed: 0, resolved: 0, suppressed: 0, carried: 0, by_severity: { critical: 0, high: 0, medium: 1, low: 0, info: 0 }, by_rule: {}, by_provider: {} };
    expect(failsOn(counts, 'high')).toBe(false);
    expect(failsOn(counts, 'medium')).toBe(true);
    expect(failsOn(counts, 'none')).toBe(false);
    expect(() => failsOn(counts, 'severe')).toThrow(/--fail-on/);
  });

  it('runs lists the history newest first with completeness and counts', async () => {
    const { config } = await project();
    const o = io();
    expect(await runsCommand.run({ config }, o)).toBe(0);
    expect(o.lines[0]).toMatch(/^#\s+run\s+started \(UTC\)\s+status/);
    expect(o.lines[1]).toMatch(/^3\s+run-3\s+2024-03-15 00:00\s+partial\s+3\/4 !\s+4\s+2\s+1\s+0\s+1\s+1\s+1\s+1\/2 verified$/);
    expect(o.lines).toHaveLength(4);
    const j = io();
    await runsCommand.run({ config, json: true, limit: 1 }, j);
    expect(JSON.parse(j.lines.join('\n'))).toMatchObject([{ seq: 3, open: 4, incomplete_tenants: 1, actions: 2, verified: 1 }]);
  });

  it('diff shows new, resolved and regressed findings between two runs', async () => {
    const { config } = await project();
    const j = io();
    expect(await diffCommand.run({ config, a: '2', b: '3', json: true }, j)).toBe(0);
    const d = JSON.parse(j.lines.join('\n'));
    expect(d.new).toEqual([]);
    expect(d.regressed.map((r: { finding_id: string }) => r.finding_id)).toEqual(['f-expired-1']);
    expect(d.resolved.map((r: { finding_id: string }) => r.finding_id)).toEqual(['f-expired-6']);
    expect(d.still_open).toBe(4);
    const t = io();
    await diffCommand.run({ config, a: '1', b: '2' }, t);
    expect(t.lines[0]).toBe('Run #1 → run #2: 2 new, 0 regressed, 1 resolved, 3 still open.');
    expect(t.lines.join('\n')).toMatch(/New \(2\):\n\s+severity\s+rule/);
    await expect(diffCommand.run({ config, a: '3', b: '1' }, io())).rejects.toThrow(/give the earlier run first/);
  });

  it('explain prints meaning, why and the manual fix from the rule metadata', async () => {
    const o = io();
    expect(await explainCommand.run({ rule: 'expired-grant' }, o)).toBe(0);
    const text = o.lines.join('\n');
    const rule = findRule('expired-grant');
    expect(o.lines[0]).toBe(`expired-grant — ${rule.title}`);
    expect(text).toContain('What it means:');
    expect(text).toContain('Why it matters:');
    expect(text).toContain('How to fix it by hand:');
    expect(text.replace(/\s+/g, ' ')).toContain(rule.fix.replace(/\s+/g, ' '));
    const all = io();
    await explainCommand.run({}, all);
    expect(all.lines.filter((l) => /^\S+\s{2,}\S/.test(l))).toHaveLength(RULES.length);
    await expect(explainCommand.run({ rule: 'expired' }, io())).rejects.toThrow(/no rule "expired"; did you mean expired-grant/);
  });
});
