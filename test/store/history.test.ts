// Collected records as intervals: each run reads exactly what it observed, an unchanged estate writes nothing, and
// only a complete collection ends an interval.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Store } from '../../src/store/store.js';
import { seedRun, type Seed } from '../reconcile/harness.js';
import { createRun } from '../../src/store/runs.js';
import { mergeStagedRecords } from '../../src/store/history.js';
import { recordHistory } from '../../src/commands/history.js';
import { vacuum } from '../../src/commands/vacuum.js';
import { statSync } from 'node:fs';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
async function open(): Promise<Store> {
  const d = mkdtempSync(join(tmpdir(), 'nhi-hist-'));
  dirs.push(d);
  return Store.open(join(d, 'h.duckdb'));
}

const ident = (ref: string, extra: Record<string, unknown> = {}, tenant = 't1') => ({ ref, kind: 'service_account', name: ref, tenant, ...extra });
const ent = (ref: string, identity_ref: string, level = 'read', tenant = 't1') => ({ ref, identity_ref, resource_ref: 'res', permission: 'p', level, tenant });

async function refs(store: Store, table: string, runId: string): Promise<string[]> {
  return (await store.all<{ ref: string }>(`SELECT ref FROM ${table} WHERE run_id = $1 ORDER BY ref`, [runId])).map((r) => r.ref);
}
const spans = async (store: Store, t = 'identities') => Number(await store.value(`SELECT count(*) FROM ${t}_spans`));

describe('record history as intervals', () => {
  it('stores an unchanged estate once, however many runs observe it, and each run reads it whole', async () => {
    const store = await open();
    const seed: Seed = { identities: [ident('a'), ident('b')], entitlements: [ent('e1', 'a'), ent('e2', 'b', 'admin')] };
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await seedRun(store, seed));
    expect(await spans(store)).toBe(2);
    expect(await spans(store, 'entitlements')).toBe(2);
    for (const r of runs) {
      expect(await refs(store, 'identities', r)).toEqual(['a', 'b']);
      expect(await refs(store, 'entitlements', r)).toEqual(['e1', 'e2']);
    }
    expect(Number(await store.value('SELECT count(*) FROM identities_stage'))).toBe(0);
    store.close();
  });

  it('a changed record ends one interval and opens another; each run reads the version it saw', async () => {
    const store = await open();
    const r1 = await seedRun(store, { identities: [ident('a', { owner: 'alice' }), ident('b')] });
    const r2 = await seedRun(store, { identities: [ident('a', { owner: 'bob' }), ident('b')] });
    const owner = async (run: string) => store.value(`SELECT owner FROM identities WHERE run_id = $1 AND ref = 'a'`, [run]);
    expect(await owner(r1)).toBe('alice');
    expect(await owner(r2)).toBe('bob');
    expect(await spans(store)).toBe(3);
    const hist = await store.all<{ owner: string; from_seq: number; to_seq: number | null }>(`SELECT owner, from_seq, to_seq FROM identities_spans WHERE ref = 'a' ORDER BY from_seq`);
    expect(hist).toEqual([{ owner: 'alice', from_seq: 1, to_seq: 2 }, { owner: 'bob', from_seq: 2, to_seq: null }]);
    store.close();
  });

  it('a record a complete collection no longer holds is confirmed absent from that run on', async () => {
    const store = await open();
    const r1 = await seedRun(store, { identities: [ident('a'), ident('b')] });
    const r2 = await seedRun(store, { identities: [ident('a')] });
    expect(await refs(store, 'identities', r1)).toEqual(['a', 'b']);
    expect(await refs(store, 'identities', r2)).toEqual(['a']);
    expect(await store.value(`SELECT to_seq FROM identities_spans WHERE ref = 'b'`)).toBe(2);
    store.close();
  });

  it('a tenant collected incompletely ends nothing: its run reads only what it brought, the next complete run finds the rest unchanged', async () => {
    const store = await open();
    const full = [ident('a'), ident('b'), ident('x', {}, 't2')];
    const r1 = await seedRun(store, { identities: full });
    const r2 = await seedRun(store, { identities: [ident('a'), ident('x', {}, 't2')], sourceRuns: [{ tenant: 't1', status: 'failed' }, { tenant: 't2', status: 'complete' }] });
    expect(await refs(store, 'identities', r2)).toEqual(['a', 'x']);
    expect(await store.value(`SELECT count(*) FROM identities_spans WHERE to_seq IS NOT NULL AND NOT point`)).toBe(0);
    const r3 = await seedRun(store, { identities: full });
    expect(await refs(store, 'identities', r3)).toEqual(['a', 'b', 'x']);
    expect(await refs(store, 'identities', r1)).toEqual(['a', 'b', 'x']);
    // 3 intervals + 1 point row (run 2's partial sight of t1); run 3 added nothing.
    expect(await spans(store)).toBe(4);
    store.close();
  });

  it('a complete collection that answered empty ends every interval of its tenant; a failed one that answered empty ends none', async () => {
    const store = await open();
    await seedRun(store, { identities: [ident('a'), ident('x', {}, 't2')] });
    const failed = await seedRun(store, { identities: [], sourceRuns: [{ tenant: 't1', status: 'failed' }, { tenant: 't2', status: 'failed' }] });
    expect(await refs(store, 'identities', failed)).toEqual([]);
    expect(Number(await store.value(`SELECT count(*) FROM identities_spans WHERE to_seq IS NOT NULL`))).toBe(0);
    const empty = await seedRun(store, { identities: [], sourceRuns: [{ tenant: 't1', status: 'complete' }, { tenant: 't2', status: 'failed' }] });
    expect(await refs(store, 'identities', empty)).toEqual([]);
    expect(await store.value(`SELECT to_seq FROM identities_spans WHERE ref = 'a'`)).toBe(3);
    expect(await store.value(`SELECT to_seq FROM identities_spans WHERE ref = 'x'`)).toBe(null);
    store.close();
  });

  it('keeps duplicates as duplicates and closes exactly the copy that went', async () => {
    const store = await open();
    const r1 = await seedRun(store, { entitlements: [ent('e', 'a'), ent('e', 'a')] });
    const r2 = await seedRun(store, { entitlements: [ent('e', 'a')] });
    expect(await refs(store, 'entitlements', r1)).toEqual(['e', 'e']);
    expect(await refs(store, 'entitlements', r2)).toEqual(['e']);
    store.close();
  });

  it('a run whose merge never happened still reads whole from its stage, and a later merge keeps it so', async () => {
    const store = await open();
    await seedRun(store, { identities: [ident('a')] });
    // Rows written and source runs recorded, but the process stopped before the merge.
    const run = await createRun(store);
    const w = await store.writer('identities');
    w.append({ run_id: run.run_id, source: 'src', provider: 'prov', tenant: 't1', ref: 'a', kind: 'service_account', name: 'a' });
    w.append({ run_id: run.run_id, source: 'src', provider: 'prov', tenant: 't1', ref: 'c', kind: 'service_account', name: 'c' });
    w.close();
    await store.run(`INSERT INTO source_runs (run_id, source, provider, tenant, status) VALUES ($1, 'src', 'prov', 't1', 'complete')`, [run.run_id]);
    expect(await refs(store, 'identities', run.run_id)).toEqual(['a', 'c']);
    const m = await mergeStagedRecords(store);
    // 'a' differs from run 1's (written raw here, without the model's defaults): one interval ends, two open.
    expect(m).toMatchObject({ runs: 1, opened: 2, closed: 1 });
    expect(await refs(store, 'identities', run.run_id)).toEqual(['a', 'c']);
    store.close();
  });

  it('upgrades a database of snapshots without losing what any run observed', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nhi-hist-'));
    dirs.push(d);
    const file = join(d, 'old.duckdb');
    // A database as migration 10 left it: records in plain per-run tables.
    let store = await Store.open(file);
    const r1 = await seedRun(store, { identities: [ident('a'), ident('b')] });
    const r2 = await seedRun(store, { identities: [ident('a')] });
    store.close();
    const db = await DuckDBInstance.create(file);
    const c = await db.connect();
    for (const t of ['identities', 'credentials', 'entitlements']) {
      await c.run(`CREATE TABLE ${t}_old AS SELECT * FROM ${t}`);
      await c.run(`DROP VIEW ${t}`);
      await c.run(`ALTER TABLE ${t}_old RENAME TO ${t}`);
      await c.run(`DROP TABLE ${t}_spans`);
      await c.run(`DROP TABLE ${t}_stage`);
    }
    // Nor the later steps on these tables (a views rewrite, the narrow stage).
    await c.run(`DELETE FROM schema_migrations WHERE version IN (11, 15, 16)`);
    await c.run(`DROP TABLE record_merges`);
    await c.run(`DROP TABLE stage_slots`);
    c.closeSync(); db.closeSync();
    store = await Store.open(file);
    expect(await refs(store, 'identities', r1)).toEqual(['a', 'b']);
    expect(await refs(store, 'identities', r2)).toEqual(['a']);
    const r3 = await seedRun(store, { identities: [ident('a')] });
    const r4 = await seedRun(store, { identities: [ident('a')] });
    expect(await refs(store, 'identities', r3)).toEqual(['a']);
    expect(await refs(store, 'identities', r4)).toEqual(['a']);
    // 3 point rows from the snapshots, then one interval for runs 3 and 4.
    expect(await spans(store)).toBe(4);
    store.close();
  });

  it('upgrades rows a stopped collection left in the wide stage of migration 11: each keeps its run, source and tenant', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nhi-hist-'));
    dirs.push(d);
    const file = join(d, 'wide.duckdb');
    let store = await Store.open(file);
    const r1 = await seedRun(store, { identities: [ident('a'), ident('x', {}, 't2')] });
    const run = await createRun(store);
    store.close();
    // The stage as migration 11 made it (every record column on every row), holding a collection that never merged.
    const db = await DuckDBInstance.create(file);
    const c = await db.connect();
    for (const t of ['identities', 'credentials', 'entitlements']) {
      await c.run(`DROP VIEW ${t}`);
      await c.run(`DROP TABLE ${t}_stage`);
      await c.run(`CREATE TABLE ${t}_stage AS SELECT r.run_id, s.* EXCLUDE (h, from_seq, to_seq, point) FROM ${t}_spans s, runs r WHERE false`);
    }
    await c.run(`DROP TABLE stage_slots`);
    await c.run(`DELETE FROM schema_migrations WHERE version = 16`);
    await c.run(`INSERT INTO identities_stage (run_id, source, provider, tenant, ref, kind, name) VALUES
      ($1, 'src', 'prov', 't1', 'a', 'service_account', 'a'), ($1, 'src', 'prov', 't1', 'b', 'service_account', 'b'), ($1, 'src', 'prov', 't2', 'y', 'service_account', 'y')`, [run.run_id]);
    await c.run(`INSERT INTO source_runs (run_id, source, provider, tenant, status) VALUES ($1, 'src', 'prov', 't1', 'complete'), ($1, 'src', 'prov', 't2', 'partial')`, [run.run_id]);
    c.closeSync(); db.closeSync();
    store = await Store.open(file);
    expect(await refs(store, 'identities', run.run_id)).toEqual(['a', 'b', 'y']);
    expect(await store.all(`SELECT tenant, ref FROM identities WHERE run_id = $1 ORDER BY ref`, [run.run_id])).toEqual([
      { tenant: 't1', ref: 'a' }, { tenant: 't1', ref: 'b' }, { tenant: 't2', ref: 'y' }]);
    await mergeStagedRecords(store);
    expect(await refs(store, 'identities', run.run_id)).toEqual(['a', 'b', 'y']);
    // t1 was collected completely (its intervals continue from it); t2 partially: x is not ended, y seen once.
    expect(await refs(store, 'identities', r1)).toEqual(['a', 'x']);
    expect(await store.value(`SELECT to_seq FROM identities_spans WHERE ref = 'x'`)).toBe(null);
    expect(await store.value(`SELECT point FROM identities_spans WHERE ref = 'y'`)).toBe(true);
    expect(Number(await store.value('SELECT count(*) FROM identities_stage'))).toBe(0);
    expect(Number(await store.value('SELECT count(*) FROM stage_slots'))).toBe(0);
    store.close();
  });

  it('a stage row is never without its collection: one slot per run, source, provider and tenant, kept until the merge', async () => {
    const store = await open();
    const run = await createRun(store);
    const w = await store.writer('identities');
    const base = { run_id: run.run_id, source: 'src', provider: 'prov', tenant: 't1' };
    w.append({ ref: 'a', kind: 'service_account', name: 'a' }, base);
    w.append({ ref: 'b', kind: 'service_account', name: 'b' }, { ...base });
    // The row's own columns win over base, as for every other column.
    w.append({ ref: 'c', kind: 'service_account', name: 'c', tenant: 't2' }, base);
    // A tenant name that would collide with another under a naive joined key.
    w.append({ ref: 'd', kind: 'service_account', name: 'd', source: 'src\u0000prov', provider: 't1', tenant: 'x' }, base);
    expect(() => w.append({ ref: 'e', kind: 'service_account', name: 'e', tenant: null }, base)).toThrow(/tenant must not be empty/);
    w.close();
    expect(await store.all(`SELECT source, tenant, ref FROM identities WHERE run_id = $1 ORDER BY ref`, [run.run_id])).toEqual([
      { source: 'src', tenant: 't1', ref: 'a' }, { source: 'src', tenant: 't1', ref: 'b' }, { source: 'src', tenant: 't2', ref: 'c' },
      { source: 'src\u0000prov', tenant: 'x', ref: 'd' }]);
    expect(Number(await store.value('SELECT count(*) FROM stage_slots'))).toBe(3);
    store.close();
  });

  it('the first fold of a collection writes the intervals in full row groups, first to last, in the order collected', async () => {
    // The stage is read through its slots now: the fold must still write full row groups first, in collection order —
    // a partial row group ahead of a full one is what later checkpoints merge and rewrite (docs/benchmarks.md, seventh pass).
    const store = await open();
    const run = await createRun(store);
    const n = 150_000;
    await store.transaction(async () => {
      const w = await store.writer('entitlements');
      const base = { run_id: run.run_id, source: 'src', provider: 'prov', tenant: 't1' };
      for (let i = 0; i < n; i++) w.append({ ref: `e-${String(i).padStart(6, '0')}`, identity_ref: `sa-${i % 5000}`, resource_ref: 'res', permission: 'p', level: 'read' }, base);
      w.close();
      await store.run(`INSERT INTO source_runs (run_id, source, provider, tenant, status) VALUES ($1, 'src', 'prov', 't1', 'complete')`, [run.run_id]);
      await mergeStagedRecords(store, run.run_id);
    });
    await store.run('CHECKPOINT');
    const groups = await store.all<{ rows: number }>(`SELECT sum(count)::INT AS rows FROM pragma_storage_info('entitlements_spans')
      WHERE column_id = 0 AND segment_type <> 'VALIDITY' AND persistent GROUP BY row_group_id ORDER BY row_group_id`);
    expect(groups.map((g) => g.rows)).toEqual([122_880, n - 122_880]);
    // In collection order: the first row group holds the first 122,880 records collected.
    expect(await store.value(`SELECT max(ref) FROM (SELECT ref FROM entitlements_spans LIMIT 122880)`)).toBe('e-122879');
    store.close();
  });

  it('says when a record was present, last seen by a complete collection, and confirmed absent — and what an incomplete sighting proves', async () => {
    const store = await open();
    await seedRun(store, { identities: [ident('a'), ident('b')] });
    await seedRun(store, { identities: [ident('a'), ident('b')] });
    await seedRun(store, { identities: [ident('a')] });
    await seedRun(store, { identities: [ident('c')], sourceRuns: [{ tenant: 't1', status: 'partial' }] });
    const h = await recordHistory(store, '*');
    const byRef = Object.fromEntries(h.intervals.map((r) => [r.ref, r]));
    const runs = await store.all<{ run_id: string; started_at: Date }>('SELECT run_id, started_at FROM runs ORDER BY seq');
    expect(byRef.b).toMatchObject({ state: 'removed', first_run: runs[0]!.run_id, ended_run: runs[2]!.run_id, last_seen: runs[1]!.started_at.toISOString() });
    // a: still open; its last complete sighting is run 3 (run 4 was partial for its tenant).
    expect(byRef.a).toMatchObject({ state: 'present', last_seen: runs[2]!.started_at.toISOString(), ended_run: null });
    expect(byRef.c).toMatchObject({ state: 'observed once (incomplete collection)', first_run: runs[3]!.run_id, last_seen: null });
    store.close();
  });

  it('vacuum gives back the space of dropped intervals and keeps what every kept run observed', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nhi-hist-'));
    dirs.push(d);
    const file = join(d, 'v.duckdb');
    const store = await Store.open(file);
    const many = Array.from({ length: 40_000 }, (_, i) => ident(`id-${i}`, { name: `a fairly long name for identity number ${i * 7919}` }));
    const r1 = await seedRun(store, { identities: many }, new Date('2026-01-01T00:00:00Z'));
    const r2 = await seedRun(store, { identities: [ident('keep')] }, new Date('2026-02-01T00:00:00Z'));
    const r3 = await seedRun(store, { identities: [ident('keep')] }, new Date('2026-06-01T00:00:00Z'));
    const findings = Number(await store.value('SELECT count(*) FROM findings'));
    store.close();
    const res = await vacuum(file, { recordsOlderThanDays: 30, now: new Date('2026-06-02T00:00:00Z') });
    expect(res.dropped_intervals).toBe(40_000);
    expect(res.after_bytes).toBeLessThan(res.before_bytes);
    expect(statSync(file).mode & 0o077).toBe(0);
    const again = await Store.open(file);
    expect(await refs(again, 'identities', r2)).toEqual(['keep']);
    expect(await refs(again, 'identities', r3)).toEqual(['keep']);
    // r1's records ended (run 2) over 30 days ago: dropped by request; the run itself and its findings stay.
    expect(await refs(again, 'identities', r1)).toEqual([]);
    expect(Number(await again.value('SELECT count(*) FROM runs'))).toBe(3);
    expect(Number(await again.value('SELECT count(*) FROM findings'))).toBe(findings);
    again.close();
  });
});
