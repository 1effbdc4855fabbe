// Findings as intervals: every run reads exactly the findings it had; a finding that does not change is stored once;
// reconciling a run again (the newest or an older one) leaves what every other run reads untouched.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { NOW, POLICY, seedRun, type Seed } from '../reconcile/harness.js';
import { reconcile } from '../../src/reconcile/engine.js';
import { RULES } from '../../src/reconcile/rules/index.js';
import { createRun } from '../../src/store/runs.js';
import { FINDING_COLUMNS, mergeFindings } from '../../src/store/finding-spans.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
async function open(): Promise<Store> {
  const d = mkdtempSync(join(tmpdir(), 'nhi-fspan-'));
  dirs.push(d);
  return Store.open(join(d, 'f.duckdb'));
}
const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
const ents = (refs: string[]): Seed => ({
  identities: [{ ref: 'sa', kind: 'service_account', name: 'sa', owner: 'nobody' }],
  entitlements: refs.map((ref) => ({ ref, identity_ref: 'sa', resource_ref: `res-${ref}`, permission: 'p', level: 'write' })),
});
async function night(store: Store, seed: Seed, n: number): Promise<string> {
  const runId = await seedRun(store, seed, day(n));
  await reconcile(store, { runId, now: day(n), policy: POLICY });
  return runId;
}
type Row = { finding_id: string; rule_id: string; status: string; subject_ref: string; first_seen: Date; last_seen: Date; resolved_at: Date | null };
const read = (store: Store, runId: string) => store.all<Row & Record<string, unknown>>(
  `SELECT finding_id, rule_id, status, subject_ref, first_seen, last_seen, resolved_at FROM findings WHERE run_id = $1 AND rule_id = 'ungranted-access' ORDER BY subject_ref`, [runId]);
const spans = async (store: Store) => Number(await store.value('SELECT count(*) FROM findings_spans'));

describe('findings as intervals', () => {
  it('an unchanged finding is stored once however many nights see it; each night reads new, then open, with its own last_seen', async () => {
    const store = await open();
    const runs = [];
    for (let n = 0; n < 4; n++) runs.push(await night(store, ents(['e1', 'e2']), n));
    const afterTwo = await spans(store);
    runs.push(await night(store, ents(['e1', 'e2']), 4));
    expect(await spans(store)).toBe(afterTwo);
    const first = await read(store, runs[0]!);
    expect(first.map((f) => f.status)).toEqual(['new', 'new']);
    for (let n = 1; n < 5; n++) {
      const rows = await read(store, runs[n]!);
      expect(rows.map((f) => f.status)).toEqual(['open', 'open']);
      expect(rows.every((f) => f.last_seen.getTime() === day(n).getTime() && f.first_seen.getTime() === day(0).getTime())).toBe(true);
    }
    expect(Number(await store.value('SELECT count(*) FROM findings_stage'))).toBe(0);
    store.close();
  });

  it('resolved shows once, in the run that resolved it; regressed after; first_seen kept', async () => {
    const store = await open();
    const r0 = await night(store, ents(['e1', 'e2']), 0);
    const r1 = await night(store, ents(['e1']), 1);
    const r2 = await night(store, ents(['e1']), 2);
    const r3 = await night(store, ents(['e1', 'e2']), 3);
    expect((await read(store, r0)).map((f) => `${f.subject_ref}:${f.status}`)).toEqual(['e1:new', 'e2:new']);
    expect((await read(store, r1)).map((f) => `${f.subject_ref}:${f.status}`)).toEqual(['e1:open', 'e2:resolved']);
    expect((await read(store, r2)).map((f) => `${f.subject_ref}:${f.status}`)).toEqual(['e1:open']);
    const back = await read(store, r3);
    expect(back.map((f) => `${f.subject_ref}:${f.status}`)).toEqual(['e1:open', 'e2:regressed']);
    expect(back[1]!.first_seen.getTime()).toBe(day(0).getTime());
    store.close();
  });

  it('reconciling the newest run again, or an older one, changes nothing any run reads', async () => {
    const store = await open();
    const seeds = [ents(['e1', 'e2']), ents(['e1']), ents(['e1', 'e3']), ents(['e3'])];
    const runs: string[] = [];
    for (let n = 0; n < seeds.length; n++) runs.push(await night(store, seeds[n]!, n));
    const snapshot = async () => Promise.all(runs.map(async (r) => (await store.all(`SELECT * FROM findings WHERE run_id = $1 ORDER BY finding_id`, [r])).map((x) => JSON.stringify(x))));
    const before = await snapshot();
    await reconcile(store, { runId: runs[3]!, now: day(3), policy: POLICY });
    expect(await snapshot()).toEqual(before);
    await reconcile(store, { runId: runs[1]!, now: day(1), policy: POLICY });
    expect(await snapshot()).toEqual(before);
    // and the next night still continues the intervals
    const r4 = await night(store, seeds[3]!, 4);
    expect((await read(store, r4)).map((f) => `${f.subject_ref}:${f.status}`)).toEqual(['e3:open']);
    store.close();
  });

  it('a finding that only ages keeps one version: each night reads its own day count, computed as the rule would', async () => {
    const store = await open();
    const seed: Seed = { identities: [{ ref: 'old', kind: 'service_account', name: 'old', owner: 'nobody', last_used_at: new Date(NOW.getTime() - 100 * 86_400_000).toISOString(), last_used_known: true }] };
    const runs = [await night(store, seed, 0), await night(store, seed, 1), await night(store, seed, 2)];
    const reasons = [];
    for (const r of runs) reasons.push(await store.value(`SELECT reason FROM findings WHERE run_id = $1 AND rule_id = 'stale-identity'`, [r]));
    expect(reasons).toEqual([0, 1, 2].map((n) => `service account old was last used ${100 + n} days ago (${new Date(NOW.getTime() - 100 * 86_400_000).toISOString().slice(0, 10)}), over the 90-day limit.`));
    expect(Number(await store.value(`SELECT count(*) FROM findings_spans WHERE rule_id = 'stale-identity'`))).toBe(1);
    // the stored text never holds a count that would go stale: this rule stores its code and argument (the sentence,
    // day count included, is written when read: test/reconcile/lazy-reason.test.ts)
    const stored = String(await store.value(`SELECT reason FROM findings_spans WHERE rule_id = 'stale-identity'`));
    expect(stored.startsWith('\u{E001}')).toBe(true);
    expect(stored).not.toMatch(/days/);
    store.close();
  });

  it('the reconciler\'s scratch rows are never evidence: a rule failing midway, or rows a killed reconcile left, show in no run and are cleared', async () => {
    const store = await open();
    const r0 = await night(store, ents(['e1', 'e2']), 0);
    const before = await read(store, r0);
    // A reconcile killed after some rules wrote their rows (no finally ran): rows for a run of its own and for r0.
    const r1 = await seedRun(store, ents(['e1']), day(1));
    await store.run(`INSERT INTO findings_work SELECT * REPLACE ($1 AS run_id, 'zz-left-by-a-kill' AS finding_id) FROM findings WHERE run_id = $2`, [r1, r0]);
    await store.run(`INSERT INTO findings_work SELECT * REPLACE ('yy-left-by-a-kill' AS finding_id) FROM findings WHERE run_id = $1`, [r0]);
    expect(Number(await store.value(`SELECT count(*) FROM findings WHERE finding_id LIKE '%-left-by-a-kill'`))).toBe(0);
    expect(await read(store, r0)).toEqual(before);
    // A reconcile whose later rule fails: the run stays unreconciled, no finding of it is stored, the scratch is empty.
    const ungranted = RULES.find((r) => r.id === 'ungranted-access')!;
    const boom = { ...ungranted, id: 'zz-boom', sql: `SELECT q.* REPLACE (error('rule broke') AS reason) FROM (${ungranted.sql}) q` };
    await expect(reconcile(store, { runId: r1, now: day(1), policy: POLICY, rules: [...RULES, boom] })).rejects.toThrow(/rule zz-boom failed: .*rule broke/);
    expect(await store.value(`SELECT reconciled_at FROM runs WHERE run_id = $1`, [r1])).toBeNull();
    expect(Number(await store.value(`SELECT count(*) FROM findings WHERE run_id = $1`, [r1]))).toBe(0);
    expect(Number(await store.value(`SELECT count(*) FROM findings_work`))).toBe(0);
    expect(await read(store, r0)).toEqual(before);
    // The next reconcile of the run is whole, and nothing a kill left is in it.
    await reconcile(store, { runId: r1, now: day(1), policy: POLICY });
    expect((await read(store, r1)).map((f) => `${f.subject_ref}:${f.status}`)).toEqual(['e1:open', 'e2:resolved']);
    expect(Number(await store.value(`SELECT count(*) FROM findings WHERE finding_id LIKE '%-left-by-a-kill'`))).toBe(0);
    expect(Number(await store.value(`SELECT count(*) FROM findings_work`))).toBe(0);
    store.close();
  });
  it('a night that changes a few findings does not rewrite the stored ones: the first night writes full row groups first', async () => {
    // A parallel insert left a thread's partial row group ahead of a full one; the next checkpoint, finding a few rows
    // appended after them, merged all of them — the whole findings table rewritten beside itself for 266 changes.
    const store = await open();
    const n = 150_000;
    const stage = async (runId: string, changedEvery: number) => {
      const cols = FINDING_COLUMNS.map((c) => ({
        finding_id: `'f-' || i`, rule_id: `'rule-' || (i % 30)`, severity: `'high'`, status: changedEvery ? `'open'` : `'new'`, provider: `'syn'`, tenant: `'t'`, source: `'syn'`,
        subject_type: `'identity'`, subject_ref: `'sa-' || i`, reason: changedEvery ? `CASE WHEN i % ${changedEvery} = 0 THEN 'changed ' ELSE '' END || 'reason ' || i` : `'reason ' || i`,
        evidence: `'{}'`, first_seen: `TIMESTAMP '2026-01-01'`, carried: 'false',
      } as Record<string, string>)[c] ?? 'NULL');
      await store.run(`INSERT INTO findings_stage (run_id, ${FINDING_COLUMNS.join(', ')}) SELECT '${runId}', ${cols.join(', ')} FROM range(${n}) t(i)`);
    };
    const groups = () => store.all<{ rg: number; rows: number; blocks: string }>(`SELECT row_group_id AS rg, sum(count)::INT AS rows,
      string_agg(DISTINCT block_id::VARCHAR, ',' ORDER BY block_id::VARCHAR) AS blocks FROM pragma_storage_info('findings_spans')
      WHERE column_id = 0 AND segment_type <> 'VALIDITY' AND persistent GROUP BY ALL ORDER BY rg`);
    const r1 = await createRun(store, { now: day(0) });
    await stage(r1.run_id, 0);
    await mergeFindings(store, r1.run_id, day(0));
    await store.run('CHECKPOINT');
    const first = await groups();
    expect(first.map((g) => g.rows)).toEqual([122_880, n - 122_880]);
    const r2 = await createRun(store, { now: day(1) });
    await stage(r2.run_id, 500);
    expect(await mergeFindings(store, r2.run_id, day(1))).toMatchObject({ opened: n / 500, closed: n / 500 });
    await store.run('CHECKPOINT');
    const second = await groups();
    // The full row group is where it was, in the same blocks; the changes went after it.
    expect(second[0]).toEqual(first[0]);
    expect(second.reduce((a, g) => a + g.rows, 0)).toBe(n + n / 500);
    expect(Number(await store.value(`SELECT count(*) FROM findings WHERE run_id = '${r2.run_id}' AND reason LIKE 'changed %'`))).toBe(n / 500);
    store.close();
  });
});
