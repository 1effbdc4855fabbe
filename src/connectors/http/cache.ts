// ETag cache over the store's http_cache table. Keyed by source, caller and URL: a 304 confirms a stored body only
// for the same URL asked by the same caller. Loaded once per source, written back in one batch at the end.
import { createHash } from 'node:crypto';
import type { Store } from '../../store/store.js';

export interface CachedResponse { etag: string; headers?: Record<string, string>; body: string }

export class HttpCache {
  private readonly entries = new Map<string, CachedResponse>();
  private readonly dirty = new Map<string, CachedResponse & { caller: string; url: string }>();

  constructor(readonly source: string) {}

  static async load(store: Store, source: string): Promise<HttpCache> {
    const cache = new HttpCache(source);
    const rows = await store.serial(() => store.all<{ caller: string; url: string; etag: string; headers: string | null; body: string }>(
      'SELECT caller, url, etag, headers, body FROM http_cache WHERE source = $1', [source]));
    for (const r of rows) {
      cache.entries.set(key(r.caller, r.url), { etag: r.etag, headers: r.headers ? JSON.parse(r.headers) : undefined, body: r.body });
    }
    return cache;
  }

  get(caller: string, url: string): CachedResponse | undefined {
    return this.entries.get(key(caller, url));
  }

  put(caller: string, url: string, value: CachedResponse): void {
    this.entries.set(key(caller, url), value);
    this.dirty.set(key(caller, url), { ...value, caller, url });
  }

  get size(): number { return this.entries.size; }

  /**
   * Writes new and changed entries; call inside the run's transaction. Sources finish at different times while others
   * still collect: saves run one at a time (they share the staging table and the connection).
   */
  async save(store: Store): Promise<void> {
    if (this.dirty.size === 0) return;
    await store.serial(() => this.write(store));
  }

  private async write(store: Store): Promise<void> {
    await store.run('CREATE TEMP TABLE IF NOT EXISTS http_cache_new AS SELECT * FROM http_cache LIMIT 0');
    await store.run('DELETE FROM http_cache_new');
    const w = await store.conn.createAppender('http_cache_new');
    const now = new Date();
    const { timestampValue } = await import('@duckdb/node-api');
    for (const e of this.dirty.values()) {
      w.appendVarchar(this.source); w.appendVarchar(e.caller); w.appendVarchar(e.url); w.appendVarchar(e.etag);
      w.appendNull(); w.appendVarchar(JSON.stringify(e.headers ?? {})); w.appendVarchar(e.body);
      w.appendTimestamp(timestampValue(BigInt(now.getTime()) * 1000n)); w.endRow();
    }
    w.flushSync(); w.closeSync();
    await store.run('DELETE FROM http_cache WHERE (source, caller, url) IN (SELECT source, caller, url FROM http_cache_new)');
    await store.run('INSERT INTO http_cache SELECT * FROM http_cache_new');
    this.dirty.clear();
  }
}

function key(caller: string, url: string): string { return `${caller}\u0000${url}`; }

/** A stable, non-reversible name for "who is calling", derived from whatever identifies the caller. */
export function callerKey(...parts: (string | undefined)[]): string {
  return createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 16);
}
