// Property-based tests over the config file: a valid config with any one field replaced by a hostile value, random
// YAML documents, and raw bytes. Each loads, or fails with exit 2 naming the file (and the line and field where there
// is one); through the real CLI none ends in an internal error or a stack trace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { main } from '../../src/cli.js';
import { createLogger } from '../../src/log.js';
import { InputError } from '../../src/errors.js';
import { tempDir } from '../helpers/index.js';
import { hostileString, hostileValue, resolvesOrUserError, RUNS, TIMEOUT } from './hostile.js';

function validConfig(dir: string): Record<string, unknown> {
  writeFileSync(join(dir, 'grants.yaml'), 'grants: []\n');
  return {
    database: 'x.duckdb',
    memory_limit: '512MB',
    sources: [{ name: 'inv', type: 'file', concurrency: 4, retries: 2, timeout_seconds: 10, tenants: ['t1'], options: { path: 'inventory', provider: 'acme' } }],
    authority: { grants: 'grants.yaml', required: true },
    policy: { stale_days: 90, providers: { aws: { stale_days: 30 } }, disabled_rules: [] },
    reports: { out_dir: 'out', formats: ['json'], fail_on: 'high' },
    protected: [{ ref: 'break-glass-*', reason: 'emergency' }],
    remediation: { mode: 'report', max_actions: 5, actions: [{ rule: 'stale-credential', operation: 'disable' }] },
  };
}

/** Every path (keys and indexes) into a plain object, so a property can aim a hostile value at any one of them. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return [prefix, ...v.flatMap((x, i) => paths(x, [...prefix, i]))];
  if (v && typeof v === 'object') return [prefix, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...prefix, k]))];
  return [prefix];
}

function setIn(obj: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  if (!path.length) return value as Record<string, unknown>;
  let cur: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { out: () => undefined, log: createLogger({ write: (l) => err.push(l) }), interactive: false });
  return { code, err: err.join('\n') };
}

describe('hostile config files', () => {
  it('a valid config with one field made hostile: loads, or an error naming file, line and field', { timeout: TIMEOUT }, async () => {
    const dir = tempDir();
    const base = validConfig(dir);
    const all = paths(base).filter((p) => p.length > 0);
    const file = join(dir, 'nhi-recon.yaml');
    expect((await resolvesOrUserError(loadConfig((writeFileSync(file, stringify(base)), file)), [file])).ok).toBe(true);
    const tally = { inputs: 0, loaded: 0, rejected: 0 };
    await fc.assert(fc.asyncProperty(fc.constantFrom(...all), hostileValue, fc.boolean(), async (path, value, asKey) => {
      tally.inputs++;
      // Either replace a value, or add an unknown key beside it.
      const mutated = asKey && path.length > 1 ? setIn(base, [...path.slice(0, -1), `x_${(JSON.stringify(value) ?? 'u').slice(0, 20)}`], 1) : setIn(base, path, value);
      writeFileSync(file, stringify(mutated));
      const res = await resolvesOrUserError(loadConfig(file), [file]);
      if (res.ok) { tally.loaded++; return; }
      tally.rejected++;
      if (res.error instanceof InputError) {
        for (const i of res.error.issues) {
          if (i.field) expect(i.line, `a field error has a line: ${JSON.stringify(i)}`).toBeGreaterThanOrEqual(1);
        }
      }
    }), { numRuns: RUNS(150) });
    expect(tally.rejected).toBeGreaterThan(tally.inputs / 4);
    console.log(`config fuzz (mutations): ${JSON.stringify(tally)}`);
  });

  it('random YAML documents and raw bytes: loads or exit 2, never a crash', { timeout: TIMEOUT }, async () => {
    const dir = tempDir();
    const file = join(dir, 'nhi-recon.yaml');
    const doc = fc.oneof(
      fc.dictionary(fc.oneof(hostileString, fc.constantFrom('sources', 'authority', 'policy', 'reports', 'database', 'version', 'remediation')), hostileValue, { maxKeys: 4 }).map((o) => stringify(o)),
      fc.anything().map((v) => { try { return stringify(v) ?? ''; } catch { return ''; } }),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.constantFrom('', '---\n...\n', '%YAML 9.9\n---\n', 'a: &a [*a]\n', 'sources: !!js/function "x"\n', '{{{{', '\t- tab', 'a: 1\na: 2\n', '\u0000\u0001'),
    );
    let n = 0;
    await fc.assert(fc.asyncProperty(doc, async (text) => {
      n++;
      writeFileSync(file, text);
      await resolvesOrUserError(loadConfig(file), [file]);
    }), { numRuns: RUNS(150) });
    console.log(`config fuzz (documents): ${n}`);
  });

  it('through the CLI: validate exits 0 or 2, with no internal error and no stack trace', { timeout: TIMEOUT }, async () => {
    const dir = tempDir();
    const base = validConfig(dir);
    const all = paths(base).filter((p) => p.length > 0);
    const file = join(dir, 'nhi-recon.yaml');
    await fc.assert(fc.asyncProperty(fc.constantFrom(...all), hostileValue, async (path, value) => {
      writeFileSync(file, stringify(setIn(base, path, value)));
      const r = await cli(['validate', '--config', file]);
      expect([0, 2], r.err).toContain(r.code);
      expect(r.err).not.toMatch(/internal error|\n\s+at [\w.<]+ \(/);
      // The error names the config, or the record file the config points at.
      if (r.code === 2) expect(r.err).toContain(dir);
    }), { numRuns: RUNS(30) });
  });

  it('a config that is not a mapping is refused, not read as the defaults', async () => {
    const dir = tempDir();
    const file = join(dir, 'nhi-recon.yaml');
    for (const text of ['5\n', 'true\n', '- a\n- b\n', '"sources"\n']) {
      writeFileSync(file, text);
      const res = await resolvesOrUserError(loadConfig(file), [file]);
      expect(res.ok ? '' : res.error.message).toMatch(/nhi-recon\.yaml:1: expected a mapping of settings/);
    }
  });

  it('a huge config is refused before it is parsed', async () => {
    const dir = tempDir();
    const file = join(dir, 'nhi-recon.yaml');
    writeFileSync(file, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const res = await resolvesOrUserError(loadConfig(file), [file]);
    expect(res.ok ? '' : res.error.message).toMatch(/nhi-recon\.yaml: config is 2048 KB; a config file is limited to 1024 KB/);
  });
});
