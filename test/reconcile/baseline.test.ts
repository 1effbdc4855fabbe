// baseline refuses what is not evidence and, without --allow-partial, a run with an incomplete tenant.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Store } from '../../src/store/store.js';
import { reconcile } from '../../src/reconcile/engine.js';
import { writeBaseline } from '../../src/review/baseline.js';
import { NOW, POLICY, daysAgo, seedRun } from './harness.js';

let store: Store; let dir: string;
beforeEach(async () => { dir = mkdtempSync(join(tmpdir(), 'nhi-baseline-')); store = await Store.open(join(dir, 'b.duckdb')); });
afterEach(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });

const seed = (status: 'complete' | 'partial') => ({
  identities: [{ ref: 'svc', kind: 'service_account', name: 'deployer', human: false, owner: 'alice', created_at: daysAgo(100) }],
  entitlements: [{ ref: 'e1', identity_ref: 'svc', identity_name: 'deployer', resource_ref: 'repo/web', permission: 'write', level: 'write' }],
  people: [{ id: 'alice', status: 'active', logins: { prov: ['alice'] } }],
  sourceRuns: [{ tenant: 't1', status }],
});

describe('baseline', () => {
  it('refuses a collected but unreconciled run (not evidence)', async () => {
    const runId = await seedRun(store, seed('complete'));
    await expect(writeBaseline(store, { outDir: join(dir, 'd'), draftGrantDays: 90, now: NOW })).rejects.toThrow(/no reconciled run/);
    await expect(writeBaseline(store, { outDir: join(dir, 'd'), draftGrantDays: 90, run: runId, now: NOW })).rejects.toThrow(/unreconciled.*cannot be used to draft a baseline/);
  });

  it('refuses a partial run unless allowed, then marks its drafts partial', async () => {
    const runId = await seedRun(store, seed('partial'));
    await reconcile(store, { runId, now: NOW, policy: POLICY });
    await expect(writeBaseline(store, { outDir: join(dir, 'd'), draftGrantDays: 90, now: NOW })).rejects.toThrow(/did not collect every tenant completely \(src\/t1\).*--allow-partial/);
    const r = await writeBaseline(store, { outDir: join(dir, 'd'), draftGrantDays: 90, allowPartial: true, now: NOW });
    expect(r.grants).toBe(1);
    const g = parse(readFileSync(join(dir, 'd', 'grants.draft.yaml'), 'utf8')).grants[0];
    expect(g).toMatchObject({ status: 'draft', identity: 'svc', resource: 'repo/web', permission: 'write', max_level: 'write', owner: 'alice', expires_at: '2026-08-30',
      provenance: { signal: 'provider', partial: true } });
  });
});
