import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { POLICY, reconcileSeed } from './harness.js';
import { CASES } from './cases.js';
import { RULES } from '../../src/reconcile/rules/index.js';

describe('rule catalogue', () => {
  it('lists exactly the rule files, each named after its id, with docs and standards', () => {
    const files = readdirSync(new URL('../../src/reconcile/rules/', import.meta.url)).filter((f) => f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
    expect(RULES.map((r) => r.id).sort()).toEqual(files.sort());
    for (const r of RULES) {
      expect(r.description.length, r.id).toBeGreaterThan(20);
      expect(r.why.length, r.id).toBeGreaterThan(20);
      expect(r.fix.length, r.id).toBeGreaterThan(20);
    }
  });

  it('has a firing case and a near case that does not fire for every rule', () => {
    for (const r of RULES) {
      expect(CASES.some((c) => c.rule === r.id && c.fires.length > 0), `${r.id} fires`).toBe(true);
      expect(CASES.some((c) => c.rule === r.id && c.fires.length === 0), `${r.id} near case`).toBe(true);
    }
  });
});

// One database for all cases: each case is its own run and findings are read by run id.
let store: Store;
let dir: string;
beforeAll(async () => { dir = mkdtempSync(join(tmpdir(), 'nhi-rules-')); store = await Store.open(join(dir, 'rules.duckdb')); });
afterAll(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

describe.each(CASES)('$rule: $name', (c) => {
  it(c.fires.length ? `reports ${c.fires.join(', ')}` : 'does not fire', async () => {
    const policy = { ...POLICY, providers: { strict: { stale_days: 30 } } };
    const { findings } = await reconcileSeed(store, c.seed, undefined, policy);
    // Cases share one database, so an earlier case's finding may be carried (not fired) into this run: skip those.
    const mine = findings.filter((f) => f.rule_id === c.rule && f.status !== 'resolved' && !f.carried);
    expect(mine.map((f) => f.subject_ref).sort()).toEqual([...c.fires].sort());
    for (const f of mine) {
      expect(f.reason).toMatch(/\.$/);
      expect(() => JSON.parse(f.evidence)).not.toThrow();
      if (c.severity) expect(f.severity).toBe(c.severity);
      if (c.reason) expect(f.reason).toMatch(c.reason);
    }
  });
});
