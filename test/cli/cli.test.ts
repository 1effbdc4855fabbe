import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createLogger } from '../../src/log.js';
import { tempDir } from '../helpers/index.js';
import { COMMANDS } from '../../src/commands/index.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), log: createLogger({ write: (l) => err.push(l) }), interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('cli', () => {
  it('every command has an example in its help', () => {
    for (const c of COMMANDS) expect(c.examples.length, c.command).toBeGreaterThan(0);
  });

  it('demo runs the whole pipeline offline and writes every report format', async () => {
    const dir = tempDir();
    const r = await run(['demo', '--dir', dir, '--providers', 'none']);
    expect(r.code).toBe(0);
    // The file-imported SaaS estate alone holds every kind but the two about cloud federation and CI pipelines (the
    // full demo, with the simulators, holds all: test/e2e/demo.test.ts).
    expect(r.out).toMatch(/finding kinds present: 27 of 30 \(absent: federation-trust-too-broad, static-credential-replaceable, default-workflow-token-write\)/);
    for (const f of ['report.json', 'findings.csv', 'findings.ocsf.jsonl', 'summary.md', 'report.html']) {
      const p = join(dir, 'reports', f);
      expect(existsSync(p), f).toBe(true);
      expect(statSync(p).mode & 0o077, `${f} is owner-only`).toBe(0);
    }
    expect(statSync(join(dir, 'demo.duckdb')).mode & 0o077).toBe(0);
    // Second run: same findings are now open, not new, and the lifecycle shows it.
    const again = await run(['demo', '--dir', dir, '--providers', 'none']);
    expect(again.out).toMatch(/lifecycle: \d+ open/);
  });

  it('exit codes: 2 for a bad config, 1 for findings at --fail-on, 3 for an incomplete source', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'policy:\n  stale_dayz: 3\n');
    const bad = await run(['scan', '--config', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad.yaml:2 policy: unknown field(s) "stale_dayz"');

    const inv = join(dir, 'inv');
    (await import('node:fs')).mkdirSync(inv);
    writeFileSync(join(inv, 'identities.csv'), 'ref,kind,name,human,created_at,last_used_at\nsvc,service_account,svc,false,2020-01-01,2020-01-02\n');
    writeFileSync(join(inv, 'entitlements.csv'), 'identity_ref,resource_ref,permission,level\nsvc,db,admin,admin\n');
    // One grant that covers nobody here (an empty grant file is refused by the authority guard: D8).
    writeFileSync(join(dir, 'grants.yaml'), 'grants:\n  - { id: g-other, provider: file, identity: someone-else }\n');
    writeFileSync(join(dir, 'ok.yaml'), `database: db.duckdb\nsources:\n  - { name: inv, type: file, options: { path: inv } }\nauthority: { grants: grants.yaml }\nreports: { out_dir: out, formats: [json] }\n`);
    const findings = await run(['scan', '--config', join(dir, 'ok.yaml'), '--fail-on', 'high']);
    expect(findings.code).toBe(1);
    const clean = await run(['scan', '--config', join(dir, 'ok.yaml'), '--fail-on', 'none']);
    expect(clean.code).toBe(0);

    writeFileSync(join(inv, 'credentials.csv'), 'ref\nx\n'); // missing the kind column: the tenant fails
    const incomplete = await run(['scan', '--config', join(dir, 'ok.yaml')]);
    expect(incomplete.code).toBe(3);
    expect(incomplete.err).toContain('credentials.csv:1: missing column(s) kind');
  });

  it('query is read-only and cannot touch files', async () => {
    const dir = tempDir();
    await run(['demo', '--dir', dir, '--providers', 'none']);
    const db = join(dir, 'demo.duckdb');
    const ok = await run(['query', '--db', db, '--json', 'SELECT count(*)::INT AS n FROM findings']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).n).toBeGreaterThan(0);
    const write = await run(['query', '--db', db, 'DELETE FROM findings']);
    expect(write.code).toBe(2);
    const file = await run(['query', '--db', db, `COPY findings TO '${join(dir, 'x.csv')}'`]);
    expect(file.code).toBe(2);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });

  it('capabilities are derived from the connectors', async () => {
    const r = await run(['capabilities', '--json']);
    const caps = JSON.parse(r.out) as { id: string }[];
    expect(caps.map((c) => c.id)).toEqual(expect.arrayContaining(['file', 'github', 'aws', 'azure', 'gcp']));
  });

  it('a second run against a locked database refuses clearly', async () => {
    const dir = tempDir();
    const { Store } = await import('../../src/store/store.js');
    const db = join(dir, 'x.duckdb');
    const holder = await Store.open(db);
    try {
      // DuckDB locks per process; a second process is what CI would be. Spawn one.
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import('${new URL('../../src/cli.ts', import.meta.url).pathname}').then(m => m.main(['query', '--db', '${db}', 'SELECT 1'])).then(c => process.exit(c))`], { encoding: 'utf8' });
      expect(r.status).toBe(5);
      expect(r.stderr).toMatch(/another nhi-recon run is using the database/);
    } finally { holder.close(); }
    void readFileSync;
  });
});
