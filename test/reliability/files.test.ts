// Safe files: the database, its WAL and spill folder, and every report are owner-only from the moment they exist.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { collectStage, reconcileStage, reportStage } from '../../src/pipeline/scan.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { onCleanup, tempDir } from '../helpers/index.js';
import { writeEstate } from './estate.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('safe files', () => {
  it('database, WAL and reports are owner-only while the run is open and after', async () => {
    const est = writeEstate(tempDir(), 20);
    const loaded = await loadConfig(est.config);
    const store = await Store.open(loaded.config.database);
    onCleanup(() => store.close());
    const { run } = await collectStage(store, loaded, { log: silentLogger });
    // Mid-run: DuckDB has written the WAL itself, after the open; it must not be world-readable either.
    expect(existsSync(`${est.db}.wal`)).toBe(true);
    expect(mode(est.db)).toBe(0o600);
    expect(mode(`${est.db}.wal`) & 0o077).toBe(0);
    await reconcileStage(store, loaded, run.run_id);
    const files = await reportStage(store, loaded, run.run_id, { formats: loaded.config.reports.formats, outDir: loaded.config.reports.out_dir });
    expect(files.length).toBe(5);
    for (const f of files) expect(mode(f), f).toBe(0o600);
    expect(mode(est.reports) & 0o077).toBe(0);
    store.close();
    expect(mode(est.db)).toBe(0o600);
  });
});
