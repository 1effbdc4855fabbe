// Reasons rendered when read (Rule.reason_sql): a rule stores a code and an argument instead of the sentence, and the
// findings view writes the sentence. These tests try to make it lie: every sentence of every such rule against the
// sentence the rule wrote when it stored them whole, a reader in a new process, sentences stored by an older
// version, and collected names that begin with the lazy mark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { RULES } from '../../src/reconcile/rules/index.js';
import { reconcileSeed } from './harness.js';
import { REASON_CASES } from './lazy-reason-cases.js';

const MARK = '\uE001';
let dir: string;
let file: string;
let store: Store;
const read: { runId: string; findingId: string; reason: string }[] = [];

beforeAll(async () => { dir = mkdtempSync(join(tmpdir(), 'nhi-lazy-')); file = join(dir, 'lazy.duckdb'); store = await Store.open(file); });
afterAll(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

async function stored(findingId: string): Promise<string> {
  return String(await store.value(`SELECT reason FROM findings_spans WHERE finding_id = $1 ORDER BY from_seq DESC LIMIT 1`, [findingId]));
}

describe('every lazily rendered sentence reads as the rule wrote it whole', () => {
  it('covers every rule that has a reason_sql', () => {
    const lazy = RULES.filter((r) => r.reason_sql).map((r) => r.id).sort();
    expect(lazy.length).toBeGreaterThan(0);
    expect([...new Set(REASON_CASES.map((c) => c.rule))].sort()).toEqual(lazy);
  });

  it.each(REASON_CASES)('$rule: $name', async (c) => {
    const { runId, findings } = await reconcileSeed(store, c.seed);
    const f = findings.filter((x) => x.rule_id === c.rule && x.subject_ref === c.subject && x.status !== 'resolved');
    expect(f.map((x) => x.reason)).toEqual([c.reason]);
    // Stored as a code and argument only where the case says so (the others keep their sentence).
    expect((await stored(f[0]!.finding_id)).startsWith(MARK)).toBe(c.lazy);
    read.push({ runId, findingId: f[0]!.finding_id, reason: c.reason });
  });
});

describe('who reads them', () => {
  it('a new process reads the same sentences (the render is part of the database)', async () => {
    expect(read.length).toBe(REASON_CASES.length);
    store.close();
    store = await Store.open(file);
    for (const r of read) {
      expect(await store.value(`SELECT reason FROM findings WHERE run_id = $1 AND finding_id = $2`, [r.runId, r.findingId])).toBe(r.reason);
    }
  });

  it('a sentence stored whole (by an older version) is read as stored, its day count rendered', async () => {
    const r = read[0]!;
    const placeholder = 'was created \uE000s2025-04-27 00:00:00.000000 days ago';
    await store.run(`UPDATE findings_spans SET reason = $1 WHERE finding_id = $2`, [placeholder, r.findingId]);
    expect(await store.value(`SELECT reason FROM findings WHERE run_id = $1 AND finding_id = $2`, [r.runId, r.findingId])).toBe('was created 400 days ago');
  });

  it('a staged row (a run not yet folded) renders with its own last_seen', async () => {
    const r = read.find((x) => x.reason.includes('was last used 200 days ago') && x.reason.startsWith('service account'))!;
    await store.run(`INSERT INTO findings_stage SELECT 'run-staged', * EXCLUDE (h, from_seq, to_seq, point) REPLACE (TIMESTAMP '2026-06-11 00:00:00' AS last_seen)
      FROM findings_spans WHERE finding_id = $1 AND from_seq = (SELECT seq FROM runs WHERE run_id = $2)`, [r.findingId, r.runId]);
    expect(await store.value(`SELECT reason FROM findings WHERE run_id = 'run-staged'`)).toBe(r.reason.replace('200 days', '210 days'));
    await store.run(`DELETE FROM findings_stage WHERE run_id = 'run-staged'`);
  });
});

describe('collected text cannot pose as a code and argument', () => {
  it('a rule that stores sentences replaces a leading lazy mark in one', async () => {
    const { findings } = await reconcileSeed(store, {
      identities: [{ ref: 'svc', kind: 'service_account', name: 'x', human: false, owner: 'alice', created_at: '2025-01-01T00:00:00Z', last_used_at: '2026-05-31T00:00:00Z' }],
      people: [{ id: 'alice', name: 'Alice', status: 'active', logins: { prov: ['alice'] } }],
      entitlements: [{ ref: 'e1', identity_ref: 'svc', identity_name: `${MARK}nevil`, resource_ref: 'repo/web', permission: 'write', level: 'write' }],
    });
    const f = findings.find((x) => x.rule_id === 'ungranted-access')!;
    expect(f.reason).toBe('\uFFFDnevil holds write on repo/web (write via direct) and no grant approves it.');
    expect(await stored(f.finding_id)).not.toMatch(/^\uE001/);
  });

  it('a rendered sentence that would begin with the mark (a name that does) reads with it replaced, and is carried so', async () => {
    const seed = {
      identities: [{ ref: 'svc-m', kind: 'service_account', name: 'm', human: false, owner: 'alice', created_at: '2025-01-01T00:00:00Z', last_used_at: '2026-05-31T00:00:00Z' }],
      people: [{ id: 'alice', name: 'Alice', status: 'active', logins: { prov: ['alice'] } }],
      entitlements: [{ ref: 'e-mark', identity_ref: 'svc-m', identity_name: `${MARK}nevil`, resource_ref: 'repo/web', permission: 'write', level: 'admin' }],
      grants: [{ id: 'G-m', provider: 'prov', identity: 'svc-m', resource: 'repo/web', permission: 'write', max_level: 'write', owner: 'alice', expires_at: '2026-07-01T00:00:00Z' }],
    };
    const expected = '\uFFFDnevil holds write (admin) on repo/web, above the write its grant(s) G-m allow.';
    const first = await reconcileSeed(store, seed);
    const f1 = first.findings.find((x) => x.rule_id === 'over-privileged' && x.subject_ref === 'e-mark')!;
    expect(f1.reason).toBe(expected);
    expect((await stored(f1.finding_id)).startsWith(MARK)).toBe(true);
    // The tenant collected partially and the entitlement not seen: the finding is carried, its reason copied as read.
    const second = await reconcileSeed(store, { ...seed, entitlements: [], sourceRuns: [{ tenant: 't1', status: 'partial' }] });
    const f2 = second.findings.find((x) => x.rule_id === 'over-privileged' && x.subject_ref === 'e-mark')!;
    expect(f2.carried).toBe(true);
    expect(f2.reason).toBe(expected);
  });
});
