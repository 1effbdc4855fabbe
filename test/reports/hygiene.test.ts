// Regression test for report text hygiene (review D19): control characters, bidi overrides, huge values and URLs in
// provider-side names never pass raw into Markdown, CSV, HTML or terminal output, and summary.md stays under 1 MiB.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, tempDir, writeConfig } from '../helpers/index.js';
import { writeReports } from '../../src/reports/index.js';
import { insertFinding, insertRun, insertSourceRun } from './seed.js';
import { cli } from '../pipeline/estate.js';
import { textTable } from '../../src/reports/table.js';
import { createLogger } from '../../src/log.js';

const RAW = /[\u0007\u001b\u202e\u2066]/;

describe('report text hygiene (D19)', () => {
  it('escapes control and bidi characters, caps long values and the summary, and never links a URL-shaped name', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    await insertRun(store, { run_id: 'r1', seq: 1, started_at: '2026-12-01T00:00:00Z', status: 'complete' });
    await insertSourceRun(store, 'r1', { source: 's', provider: 'saas', tenant: 't', status: 'complete' });
    const long = 'x'.repeat(100_000);
    const hostile = ['svc-\u001b[31mred\u0007', 'svc-rtl\u202egnp.exe', `svc-${long}`, 'svc-iso\u2066x'];
    for (const [i, name] of hostile.entries()) {
      for (let k = 0; k < 12; k++) {
        await insertFinding(store, 'r1', { finding_id: `f-${i}-${k}`, rule_id: 'orphaned-identity', severity: 'high', status: 'new', provider: 'saas', tenant: 't', source: 's',
          subject_type: 'identity', subject_ref: `${name}-${k}`, owner: i === 2 ? long : 'https://evil.example/phish', reason: `${name} has no owner.`, first_seen: '2026-12-01T00:00:00Z', last_seen: '2026-12-01T00:00:00Z' });
      }
    }
    const out = join(dir, 'out');
    await writeReports(store, { runId: 'r1', formats: ['json', 'csv', 'markdown', 'html'], outDir: out, byOwner: true });
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(statSync(join(out, 'summary.md')).size).toBeLessThan(1024 * 1024);
    expect(md).not.toMatch(RAW);
    expect(md).toContain('\\u{202E}');
    expect(md).not.toMatch(/x{201}/); // no value longer than the cap
    expect(md).toContain('`https://evil.example/phish`');
    expect(md).not.toMatch(/(^|[^`])https:\/\/evil/m);
    for (const f of ['findings.csv', 'report.html']) expect(readFileSync(join(out, f), 'utf8'), f).not.toMatch(RAW);
    // The JSON report keeps the exact value (machines read it; JSON escapes controls itself).
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toContain('\\u001b[31m');
    store.close();
  });

  it('terminal tables and `query` output show escapes, not the characters', async () => {
    expect(textTable(['a'], [['x\u001b[2Jy\u202e']]).join('\n')).not.toMatch(RAW);
    const dir = tempDir();
    const loaded = await writeConfig(dir, { database: 'test.duckdb' });
    const store = await openStore(dir);
    store.close();
    void loaded;
    for (const json of [[], ['--json']]) {
      const r = await cli(['query', '--config', join(dir, 'nhi-recon.yaml'), ...json, "SELECT chr(27) || '[31mred' || chr(8238) AS v"]);
      expect(r.code).toBe(0);
      expect(r.out).not.toMatch(RAW);
      expect(r.out).toMatch(/u\{?001[bB]|\\u001b/);
    }
  });
});

describe('everything the CLI prints (D19, the last line of defence)', () => {
  it('a collected name with a terminal escape and a bidi override is shown escaped by scan, history and the logs; --json stays exact JSON', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'inv'));
    const name = 'svc-\u001b[2K\u001b[1Aok\u202egnp.exe';
    // The name is the identity's display name; its ref stays plain so the pattern below can find it.
    writeFileSync(join(dir, 'inv', 'identities.csv'), `ref,kind,name,created_at\nsvc-x,service_account,"${name}",2023-01-01\n`);
    writeFileSync(join(dir, 'inv', 'entitlements.csv'), 'identity_ref,resource_ref,permission,level\nsvc-x,db,admin,admin\n');
    writeFileSync(join(dir, 'inv', 'credentials.csv'), 'ref,kind,identity_ref,created_at\n');
    await writeConfig(dir, { database: 'test.duckdb', sources: [{ name: 'saas', type: 'file', options: { path: 'inv', provider: 'saas', tenant: 'acme' } }], authority: { required: false } });
    const config = join(dir, 'nhi-recon.yaml');
    const scan = await cli(['scan', '--config', config, '--out', join(dir, 'reports')]);
    expect(scan.code, scan.err).toBeLessThan(2);
    const history = await cli(['history', '--config', config, 'svc-x']);
    expect(history.code, history.err).toBe(0);
    expect(history.out).toContain('svc-\\u001b[2K\\u001b[1Aok\\u202egnp.exe');
    const json = await cli(['history', '--config', config, '--json', 'svc-x']);
    expect(JSON.stringify(JSON.parse(json.out))).toContain(JSON.stringify(name).slice(1, -1)); // the same string, exactly
    for (const r of [scan, history, json]) { expect(r.out).not.toMatch(RAW); expect(r.err).not.toMatch(RAW); }
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).warn(`dropped ${name}`);
    createLogger({ json: true, write: (l) => lines.push(l) }).warn(`dropped ${name}`);
    expect(lines.join('\n')).not.toMatch(RAW);
    expect((JSON.parse(lines[1]!) as { msg: string }).msg).toBe(`dropped ${name}`);
  });
});

describe('query sandbox (D14)', () => {
  const setup = async () => {
    const dir = tempDir();
    await writeConfig(dir, { database: 'test.duckdb' });
    (await openStore(dir)).close();
    return (sql: string, ...extra: string[]) => cli(['query', '--config', join(dir, 'nhi-recon.yaml'), ...extra, sql]);
  };

  it('refuses SET, CALL, PRAGMA, ATTACH and temp tables before running them (exit 2, no crash)', async () => {
    const q = await setup();
    for (const sql of ["SET memory_limit='1MB'", "CALL enable_logging(storage='file', storage_path='/tmp/x')", 'PRAGMA threads=1',
      "ATTACH ':memory:' AS m", 'CREATE TEMP TABLE t AS SELECT 1', 'SELECT 1; SET threads = 1', "RESET memory_limit", 'INSTALL httpfs', "SET enable_external_access = true"]) {
      const r = await q(sql);
      expect(r.code, sql).toBe(2);
      expect(r.err, sql).toMatch(/read-only|query failed/);
    }
    expect((await q('SELECT 42 AS answer')).out).toContain('42');
  });

  it('interrupts a query past --timeout (exit 2)', async () => {
    const q = await setup();
    const r = await q('SELECT count(*) FROM range(100000000000) a', '--timeout', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/stopped after 1 s/);
  });
});
