// Reports are streams: their one large piece of working memory is the sort of a run's findings (report order), which
// DuckDB spills to its temp directory past memory_limit. A buffer pool as large as the store's limit (sized for the
// reconciler) only makes the process's peak RSS larger without making a report faster — at 1M findings the CSV's
// COPY alone took the process to 1.19 GB under a 1 GB limit, and to 0.6 GB under 256 MB in the same time — so report
// queries run under a lower limit, and the store's own comes back afterwards.
import type { Store } from '../store/store.js';

/** The memory_limit report queries run under (when the store's own is higher). */
export const REPORT_MEMORY_LIMIT = '256MB';

const UNITS: Record<string, number> = {
  b: 1, byte: 1, bytes: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** Bytes of a DuckDB memory size ('256MB', '953.6 MiB'); undefined when it is not one. */
export function memoryBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** Runs fn with memory_limit lowered to `limit` if the store's is higher; the store's own limit is restored after. */
export async function withReportMemoryLimit<T>(store: Store, fn: () => Promise<T>, limit = REPORT_MEMORY_LIMIT): Promise<T> {
  const current = String(await store.value(`SELECT current_setting('memory_limit')`));
  const have = memoryBytes(current);
  const want = memoryBytes(limit);
  if (have === undefined || want === undefined || have <= want) return fn();
  // current_setting shows a tenth of a unit (2GB reads 1.8 GiB): the store's own limit comes back exactly when that
  // is what was set, any other one as read.
  const own = memoryBytes(store.memoryLimit);
  const back = own !== undefined && Math.abs(own - have) < 0.1 * unitOf(current) ? store.memoryLimit : current;
  await store.run(`SET memory_limit = '${want}B'`);
  try {
    return await fn();
  } finally {
    await store.run(`SET memory_limit = '${back}'`);
  }
}

/** Bytes of the unit a memory size is shown in. */
function unitOf(shown: string): number {
  return UNITS[(/([a-z]+)\s*$/i.exec(shown)?.[1] ?? 'b').toLowerCase()] ?? 1;
}
