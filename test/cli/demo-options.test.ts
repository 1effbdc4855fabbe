// D16: `demo` honours the global options it can (--out, --db, --format, --fail-on) and refuses the others with exit 2,
// before any simulator starts. `--providers none` runs only the file import, so no simulator is needed here.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { createLogger } from '../../src/log.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/index.js';

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), log: createLogger({ write: (l) => err.push(l) }), interactive: false });
  return { code, out, err };
}

describe('demo: global options', () => {
  it('writes the database to --db and only the --format reports into --out', async () => {
    const dir = tempDir();
    const reports = join(tempDir(), 'my-reports');
    const db = join(tempDir(), 'elsewhere.duckdb');
    const r = await run(['demo', '--dir', dir, '--providers', 'none', '--out', reports, '--db', db, '--format', 'json', 'markdown']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(readdirSync(reports).sort()).toEqual(['manifest.json', 'report.json', 'summary.md']);
    expect(existsSync(join(dir, 'reports'))).toBe(false);
    expect(existsSync(join(dir, 'demo.duckdb'))).toBe(false);
    const store = await Store.open(db, { readOnly: true });
    try {
      const n = await store.one<{ n: number }>('SELECT count(*)::INT AS n FROM findings');
      expect(n!.n).toBeGreaterThan(0);
    } finally { store.close(); }
    expect(r.out.join('\n')).toContain(db);
  });

  it('--fail-on gates the exit code like scan', async () => {
    const r = await run(['demo', '--dir', tempDir(), '--providers', 'none', '--format', 'json', '--fail-on', 'low']);
    expect(r.code).toBe(1);
  });

  it.each([
    [['--only', 'saas-export'], /--only/],
    [['--config', 'x.yaml'], /--config/],
    [['--fail-on', 'severe'], /--fail-on/],
    [['--format', 'pdf'], /pdf/],
  ])('refuses %j with exit 2 before anything starts', async (extra, msg) => {
    const dir = join(tempDir(), 'demo');
    const r = await run(['demo', '--dir', dir, '--providers', 'none', ...extra]);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toMatch(msg);
    expect(existsSync(dir)).toBe(false);
  });
});
