// What most commands start with: the loaded config and the open store, honouring --config and --db.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { Store } from '../store/store.js';
import type { GlobalArgs } from './types.js';

export const DEFAULT_CONFIG = 'nhi-recon.yaml';

export async function loadConfigFor(args: GlobalArgs): Promise<LoadedConfig> {
  const file = args.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null);
  const loaded = await loadConfig(file);
  if (args.db) loaded.config.database = resolve(args.db);
  if (args.out) loaded.config.reports.out_dir = resolve(args.out);
  return loaded;
}

export interface Context { loaded: LoadedConfig; store: Store }

/** Loads the config and opens its database; the caller closes the store. */
export async function openContext(args: GlobalArgs, opts: { readOnly?: boolean } = {}): Promise<Context> {
  const loaded = await loadConfigFor(args);
  const store = await Store.open(loaded.config.database, { readOnly: opts.readOnly, memoryLimit: loaded.config.memory_limit });
  return { loaded, store };
}
