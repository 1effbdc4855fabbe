// Regression tests for the adversarial review's "unfinished run read as evidence" class (D3, D3b, D10, D15, D17, D21):
// a run that is not reconciled, or failed, is never read as clean by runs, report, diff or plan, and reconcile never
// rewrites history.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/index.js';
import { cli, writeAuthority, writeConfigFile, writeInventory, writeBrokenInventory } from './estate.js';
import { Store } from '../../src/store/store.js';
import { createRun, markRunFailed } from '../../src/store/runs.js';
import { recoverReportDir, SWAP_MARKER, TMP_PREFIX, writeSetAtomic } from '../../src/reports/atomic.js';

const TENANTS = ['t1', 't2'];

async function estate(): Promise<{ dir: string; config: string; args: (...a: string[]) => string[] }> {
  const dir = tempDir();
  writeInventory(join(dir, 'inventory'), TENANTS);
  writeAuthority(dir, TENANTS);
  const config = writeConfigFile(dir, TENANTS);
  const args = (...a: string[]) => [...a, ...(['scan', 'report'].includes(a[0]!) && !a.includes('--fail-on') ? ['--fail-on', 'none'] : []), '--config', config, '--db', join(dir, 'merged.duckdb'), '--out', join(dir, 'reports'), '-q'];
  return { dir, config, args };
}

async function withStore<T>(file: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = await Store.open(file);
  try { return await fn(s); } finally { s.close(); }
}

const findingsHash = (file: string, seq: number) => withStore(file, async (s) =>
  String(await s.value(`SELECT coalesce(md5(string_agg(f.finding_id || f.status || f.reason || CAST(f.last_seen AS VARCHAR), ',' ORDER BY f.finding_id)), '')
    FROM findings f JOIN runs r USING (run_id) WHERE r.seq = $1`, [seq])));

describe('run states: an unfinished run is never evidence', () => {
  it('D3: a run collected but never reconciled is shown unreconciled and refused by report, diff and plan', async () => {
    const { dir, args } = await estate();
    expect((await cli(args('scan'))).code).toBe(0);
    // The same state a SIGKILL between the collect commit and the reconcile commit leaves: collect alone.
    expect((await cli(args('collect'))).code).toBe(0);
    const runs = JSON.parse((await cli(args('runs', '--json'))).out) as { seq: number; state: string; evidence: boolean; open: number | null }[];
    const two = runs.find((r) => r.seq === 2)!;
    expect(two.state).toBe('collected');
    expect(two.evidence).toBe(false);
    expect(two.open).toBeNull(); // never "0 open"
    const table = (await cli([...args('runs')].filter((a) => a !== '-q'))).out;
    expect(table).toMatch(/^2\s.*unreconciled/m);

    const rep = await cli(args('report', '--run', '2', '--fail-on', 'low'));
    expect(rep.code).not.toBe(0);
    expect(rep.err).toMatch(/run #2 .*unreconciled/);
    const diff = await cli(args('diff', '1', '2'));
    expect(diff.code).not.toBe(0);
    expect(diff.err).toMatch(/unreconciled/);
    const plan = await cli(args('plan', '--run', '2'));
    expect(plan.code).not.toBe(0);
    // `latest` still names the newest reconciled run, and its report says run 1.
    expect((await cli(args('report', '--format', 'json'))).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'report.json'), 'utf8')).run.seq).toBe(1);
  });

  it('D3b: a failed run is refused by report (non-zero, clear message), never "0 of 0 tenants complete"', async () => {
    const { dir, args } = await estate();
    expect((await cli(args('scan'))).code).toBe(0);
    await withStore(join(dir, 'merged.duckdb'), async (s) => {
      const r = await createRun(s, {});
      await markRunFailed(s, r.run_id, 'source inv: killed');
    });
    const rep = await cli(args('report', '--run', '2'));
    expect(rep.code).toBe(3);
    expect(rep.err).toMatch(/run #2 .*failed/);
  });

  it('D15: `runs` right after a killed collection shows the run failed (abandoned), not running', async () => {
    const { dir, args } = await estate();
    expect((await cli(args('scan'))).code).toBe(0);
    // A process that died mid-collection leaves its run row as committed at start: running, collecting.
    await withStore(join(dir, 'merged.duckdb'), async (s) => { await s.run(`INSERT INTO runs (run_id, seq, started_at, status, state) VALUES ('run-dead', 2, now(), 'running', 'collecting')`); });
    // A read-only open (runs) succeeds only when no writer holds the database: the run's process is gone.
    const runs = JSON.parse((await cli(args('runs', '--json'))).out) as { seq: number; state: string; status: string; evidence: boolean }[];
    const dead = runs.find((r) => r.seq === 2)!;
    expect(dead.state).toBe('failed');
    expect(dead.status).toBe('failed');
    expect(dead.evidence).toBe(false);
  });

  it('D10: report on a partial run exits 3, with or without --fail-on', async () => {
    const { dir, config, args } = await estate();
    void config;
    writeBrokenInventory(join(dir, 'inventory'), TENANTS);
    expect((await cli(args('scan'))).code).toBe(3);
    expect((await cli(args('report', '--fail-on', 'high'))).code).toBe(3);
    expect((await cli(args('report'))).code).toBe(3);
  });

  it('D21: reconcile --run of a reconciled run, or of an unreconciled run behind a reconciled one, is refused and history is unchanged', async () => {
    const { dir, args } = await estate();
    const db = join(dir, 'merged.duckdb');
    expect((await cli(args('scan'))).code).toBe(0);
    const before = await findingsHash(db, 1);
    const again = await cli(args('reconcile', '--run', '1'));
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already reconciled/);
    expect(await findingsHash(db, 1)).toBe(before);

    expect((await cli(args('collect'))).code).toBe(0); // run 2: collected, never reconciled
    expect((await cli(args('scan'))).code).toBe(0); // run 3: reconciled
    const late = await cli(args('reconcile', '--run', '2'));
    expect(late.code).toBe(2);
    expect(late.err).toMatch(/would rewrite the finding history/);
    expect(await findingsHash(db, 2)).toBe('');
  });
});

describe('report sets are written as one unit (D17)', () => {
  it('a writer that fails part-way leaves the previous set whole, and no staging folder behind', async () => {
    const dir = tempDir();
    const write = (run: string, failAt = -1) => writeSetAtomic(dir, ['a.json', 'b.csv', 'c.md'].map((name, i) => ({
      name, produce: async (tmp: string) => { if (i === failAt) throw new Error('killed'); writeFileSync(tmp, `${run}\n`); return 1; },
    })), ['a.json', 'b.csv', 'c.md'], () => ({ run }));
    await write('run-1');
    await expect(write('run-2', 2)).rejects.toThrow('killed');
    for (const f of ['a.json', 'b.csv', 'c.md']) expect(readFileSync(join(dir, f), 'utf8')).toBe('run-1\n');
    expect(readdirSync(dir).filter((e) => e.startsWith(TMP_PREFIX))).toEqual([]);
  });

  it('a swap interrupted after its marker is finished by the next writer; dead writers\' staging folders are removed', async () => {
    const dir = tempDir();
    for (const f of ['a.json', 'b.csv']) writeFileSync(join(dir, f), 'run-1\n');
    // A kill after the marker was renamed into place and a.json was moved: b.csv is still the old run's.
    const stage = `${TMP_PREFIX}999999-abc`;
    mkdirSync(join(dir, stage));
    writeFileSync(join(dir, 'a.json'), 'run-2\n');
    writeFileSync(join(dir, stage, 'b.csv'), 'run-2\n');
    writeFileSync(join(dir, stage, 'manifest.json'), '{"run":"run-2"}');
    writeFileSync(join(dir, SWAP_MARKER), JSON.stringify({ stage, files: ['a.json', 'b.csv', 'manifest.json'], remove: [] }));
    const dead = `${TMP_PREFIX}999998-old`;
    mkdirSync(join(dir, dead));
    writeFileSync(join(dir, dead, 'report.json'), '{}');
    await recoverReportDir(dir);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('run-2\n');
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe('run-2\n');
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'b.csv', 'manifest.json']);
  });

  it('the manifest names the run every file of the set belongs to', async () => {
    const { dir, args } = await estate();
    expect((await cli(args('scan'))).code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'reports', 'manifest.json'), 'utf8'));
    expect(m.run_seq).toBe(1);
    expect(m.files.map((f: { name: string }) => f.name)).toEqual(['report.json']);
  });
});
