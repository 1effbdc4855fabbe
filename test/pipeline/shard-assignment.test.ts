// Shard assignment: every (source, tenant) lands in exactly one of N shards, the same one on every machine and in
// every release (a change would split a tenant across two shards mid-rollout), and adding tenants moves no other.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseShard, shardOf } from '../../src/pipeline/collect.js';
import { UserError } from '../../src/errors.js';
import { collectRun, openStore, tempDir, writeConfig } from '../helpers/index.js';
import { SOURCE, PROVIDER, cli, writeInventory } from './estate.js';

describe('shardOf', () => {
  it('is pinned: these assignments must never change between releases', () => {
    expect(shardOf('aws-org', '123456789012', 4)).toBe(3);
    expect(shardOf('github', 'acme', 3)).toBe(3);
    expect(shardOf('azure', '00000000-0000-0000-0000-000000000001', 8)).toBe(6);
    expect(shardOf('inv', 'acct-01', 3)).toBe(1);
    expect(shardOf('gcp', 'projects/prod-1', 16)).toBe(11);
  });

  it('puts every tenant in exactly one shard 1..N, deterministically', () => {
    fc.assert(fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 1000 }), (source, tenant, n) => {
      const k = shardOf(source, tenant, n);
      return Number.isInteger(k) && k >= 1 && k <= n && shardOf(source, tenant, n) === k;
    }), { numRuns: 2000 });
  });

  it('spreads tenants evenly enough that no shard is a straggler', () => {
    const tenants = Array.from({ length: 4000 }, (_, i) => `${100000000000 + i * 7919}`);
    for (const n of [2, 4, 8]) {
      const counts = new Array<number>(n).fill(0);
      for (const t of tenants) counts[shardOf('aws', t, n) - 1]!++;
      const mean = tenants.length / n;
      for (const c of counts) expect(Math.abs(c - mean) / mean, `N=${n}: ${counts.join(',')}`).toBeLessThan(0.1);
    }
  });

  it('depends on the source name too: the same tenant id under two sources is assigned independently', () => {
    const ids = Array.from({ length: 64 }, (_, i) => `t${i}`);
    expect(ids.some((t) => shardOf('a', t, 4) !== shardOf('b', t, 4))).toBe(true);
  });
});

describe('parseShard', () => {
  it('reads I/N and refuses anything else with a usage error', () => {
    expect(parseShard('1/1')).toEqual({ index: 1, total: 1 });
    expect(parseShard('3/8')).toEqual({ index: 3, total: 8 });
    for (const bad of ['0/3', '4/3', '1/0', '3', '1/3/5', 'a/b', ' 1/3', '-1/3', '1.5/3']) {
      expect(() => parseShard(bad), bad).toThrow(UserError);
    }
  });

  it('the CLI exits 2 on a bad --shard before touching any source', async () => {
    const dir = tempDir();
    const r = await cli(['collect', '--db', join(dir, 'x.duckdb'), '--shard', '4/3']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--shard 4/3: I must be between 1 and N');
  });
});

describe('collect --shard over a real source', () => {
  it('for several N, the shards partition the tenants: each collected exactly once, none lost', async () => {
    const dir = tempDir();
    const tenants = Array.from({ length: 40 }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);
    writeInventory(join(dir, 'inventory'), tenants);
    const loaded = await writeConfig(dir, {
      database: 'x.duckdb',
      sources: [{ name: SOURCE, type: 'file', tenants, options: { path: 'inventory', provider: PROVIDER } }],
      authority: { required: false },
    });
    const store = await openStore(dir);
    for (const n of [1, 2, 3, 5, 7]) {
      const seen: string[] = [];
      for (let i = 1; i <= n; i++) {
        const { runId, outcomes } = await collectRun(store, loaded, { shard: { index: i, total: n } });
        expect(outcomes.every((o) => o.status === 'complete')).toBe(true);
        const got = outcomes.map((o) => o.tenant);
        expect(got.every((t) => shardOf(SOURCE, t, n) === i)).toBe(true);
        // The rows follow the tenants: nothing of another shard's tenants is collected.
        const rowTenants = await store.all<{ tenant: string }>('SELECT DISTINCT tenant FROM identities WHERE run_id = $1 ORDER BY 1', [runId]);
        expect(rowTenants.map((r) => r.tenant)).toEqual([...got].sort());
        seen.push(...got);
      }
      expect([...seen].sort(), `N=${n}`).toEqual(tenants);
    }
  });

  it('an explicit --tenant list collects exactly those tenants', async () => {
    const dir = tempDir();
    const tenants = ['a', 'b', 'c', 'd'];
    writeInventory(join(dir, 'inventory'), tenants);
    const loaded = await writeConfig(dir, {
      database: 'x.duckdb',
      sources: [{ name: SOURCE, type: 'file', options: { path: 'inventory', provider: PROVIDER } }],
      authority: { required: false },
    });
    const store = await openStore(dir);
    const { outcomes } = await collectRun(store, loaded, { tenants: ['b', 'd'] });
    expect(outcomes.map((o) => o.tenant).sort()).toEqual(['b', 'd']);
  });
});
