import { describe, expect, it } from 'vitest';
import { openStore, tempDir } from '../helpers/index.js';
import { writeReports } from '../../src/reports/index.js';
import { REPORT_MEMORY_LIMIT, memoryBytes, withReportMemoryLimit } from '../../src/reports/memory.js';
import { seedHistory } from './seed.js';
import type { Store } from '../../src/store/store.js';

const shown = async (store: Store) => String(await store.value(`SELECT current_setting('memory_limit')`));
const limitOf = async (store: Store) => memoryBytes(await shown(store))!;

describe('report memory limit', () => {
  it('reads DuckDB memory sizes', () => {
    expect(memoryBytes('256MB')).toBe(256e6);
    expect(memoryBytes('953.6 MiB')).toBeCloseTo(953.6 * 2 ** 20);
    expect(memoryBytes('2 GiB')).toBe(2 * 2 ** 30);
    expect(memoryBytes('lots')).toBeUndefined();
  });

  it('report queries run under the report limit, and the store gets its own limit back, also after a failure', async () => {
    const store = await openStore(); // the store's default, 2GB
    const before = await shown(store);
    expect(memoryBytes(before)).toBeGreaterThan(memoryBytes(REPORT_MEMORY_LIMIT)!);
    const inside = await withReportMemoryLimit(store, () => limitOf(store));
    expect(inside).toBeLessThanOrEqual(memoryBytes(REPORT_MEMORY_LIMIT)!);
    expect(await shown(store)).toBe(before);
    await expect(withReportMemoryLimit(store, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await shown(store)).toBe(before);
  });

  it('never raises a limit that is already lower', async () => {
    const store = await openStore();
    await store.run(`SET memory_limit = '64MB'`);
    const before = await limitOf(store);
    expect(await withReportMemoryLimit(store, () => limitOf(store))).toBe(before);
    expect(await limitOf(store)).toBe(before);
  });

  it('writeReports restores the store limit after writing every format', async () => {
    const store = await openStore();
    await seedHistory(store);
    const before = await shown(store);
    await writeReports(store, { runId: 'run-3', formats: ['json', 'csv', 'ocsf', 'markdown', 'html'], outDir: tempDir(), now: new Date('2024-03-15T12:00:00Z') });
    expect(await shown(store)).toBe(before);
  });
});
