// Shared test helpers: temporary folders, a store, and a config written to disk and loaded the way the CLI does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../src/config/load.js';
import { Store } from '../../src/store/store.js';
import { createRun, setRunStage } from '../../src/store/runs.js';
import { collect, type CollectOptions, type TenantOutcome } from '../../src/pipeline/collect.js';
import { silentLogger } from '../../src/log.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

/** Run fn after the current test, even when it fails. */
export function onCleanup(fn: () => void | Promise<void>): void { cleanups.push(fn); }

export function tempDir(prefix = 'nhi-recon-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function openStore(dir = tempDir()): Promise<Store> {
  const store = await Store.open(join(dir, 'test.duckdb'));
  onCleanup(() => store.close());
  return store;
}

/** Writes `config` as nhi-recon.yaml in dir and loads it through the real loader. */
export async function writeConfig(dir: string, config: Record<string, unknown>): Promise<LoadedConfig> {
  const file = join(dir, 'nhi-recon.yaml');
  writeFileSync(file, stringify(config));
  return loadConfig(file);
}

/** One collection run into the store, committed as the CLI does it. */
export async function collectRun(store: Store, loaded: LoadedConfig, opts: Partial<CollectOptions> = {}): Promise<{ runId: string; outcomes: TenantOutcome[] }> {
  const run = await createRun(store);
  const outcomes = await store.transaction(() => collect(store, loaded, { runId: run.run_id, log: silentLogger, ...opts }));
  const status = outcomes.every((o) => o.status === 'complete') ? 'complete' : 'partial';
  await setRunStage(store, run.run_id, 'collect', status);
  return { runId: run.run_id, outcomes };
}
