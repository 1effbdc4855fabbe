// The ETag cache is written back by every source at the end of its collection, and sources collect concurrently in
// one transaction: two saves at once must each store exactly their own entries (they shared one staging table, so a
// save could delete or duplicate the other's rows, or leave the transaction aborted).
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { HttpCache } from '../../../src/connectors/http/cache.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('HttpCache', () => {
  it('saves of several sources at once, in one transaction, each store exactly their own entries', async () => {
    const d = mkdtempSync(join(tmpdir(), 'nhi-cache-'));
    dirs.push(d);
    const store = await Store.open(join(d, 'c.duckdb'));
    const sources = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (let round = 0; round < 3; round++) {
      const caches = await Promise.all(sources.map((s) => HttpCache.load(store, s)));
      caches.forEach((c, i) => { for (let k = 0; k < 50 + i * 7; k++) c.put(`caller-${k % 3}`, `https://api.example/${sources[i]}/${k}`, { etag: `"${round}-${k}"`, body: `{"k":${k}}` }); });
      await store.transaction(() => Promise.all(caches.map((c) => c.save(store))));
      const rows = await store.all<{ source: string; n: number; etags: number }>(
        `SELECT source, count(*)::INT AS n, count(DISTINCT etag)::INT AS etags FROM http_cache GROUP BY source ORDER BY source`);
      expect(rows).toEqual(sources.map((s, i) => ({ source: s, n: 50 + i * 7, etags: 50 + i * 7 })));
      expect(Number(await store.value(`SELECT count(*) FROM http_cache WHERE etag NOT LIKE '"${round}-%'`))).toBe(0);
    }
    store.close();
  });
});
