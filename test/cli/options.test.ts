// Regression tests for D18 (a repeated option crashed with exit 70) and D22 / --json-logs (SDK warnings bypassed
// --quiet and were not JSON).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/index.js';
import { cli } from '../pipeline/estate.js';

const CHILD = fileURLToPath(new URL('./fixtures/warn-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('repeated options (D18)', () => {
  for (const argv of [['report', '--out', 'a', '--out', 'b'], ['runs', '--db', 'x', '--db', 'y'], ['validate', '--config', 'a.yaml', '--config', 'b.yaml'], ['scan', '--fail-on', 'high', '--fail-on', 'low']]) {
    it(`${argv.join(' ')} exits 2 naming the option`, async () => {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`--${argv[1]!.slice(2)} was given 2 times`));
    });
  }
  it('options that take several values still do', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'nhi-recon.yaml'), 'database: db.duckdb\nauthority: { required: false }\n');
    const r = await cli(['validate', '--config', join(dir, 'nhi-recon.yaml'), '--format', 'json', '--format', 'csv']);
    expect(r.code).toBe(0);
  });
});

describe('process warnings (D22, --json-logs)', () => {
  const run = (...flags: string[]) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'nhi-recon.yaml'), 'database: db.duckdb\nauthority: { required: false }\n');
    return spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'validate', '--config', join(dir, 'nhi-recon.yaml'), ...flags], { cwd: REPO, encoding: 'utf8' });
  };
  it('--quiet: nothing on stderr, not even an SDK warning', () => {
    const r = run('--quiet');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
  it('--json-logs: every stderr line is JSON, the warning included', () => {
    const r = run('--json-logs');
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    expect(lines.some((l) => JSON.parse(l).warning === 'NodeVersionSupportWarning')).toBe(true);
  });
});
