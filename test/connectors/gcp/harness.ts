// Shared set-up of the gcp tests: a simulator over a seeded estate and a config pointing the real connector at it.
import { onCleanup, openStore, tempDir, writeConfig, collectRun } from '../../helpers/index.js';
import { startGcpSim, type GcpSim, type GcpSimOptions } from '../../../src/sim/gcp/server.js';
import { seedEstate } from '../../../src/sim/gcp/seed.js';
import type { Estate } from '../../../src/sim/gcp/estate.js';
import type { Store } from '../../../src/store/store.js';

export const TOKEN = 'sim-gcp-token';
export const ENV = { GCP_TOKEN: TOKEN };

export async function startSim(estate: Estate = seedEstate(), opts: GcpSimOptions = {}): Promise<GcpSim> {
  const sim = await startGcpSim(estate, { token: TOKEN, pageSize: 2, ...opts });
  onCleanup(() => sim.close());
  return sim;
}

export function source(sim: GcpSim, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'gcp', type: 'gcp', retries: 3, timeout_seconds: 2, ...extra,
    options: { folder: '200', api_endpoint: sim.url, access_token_env: 'GCP_TOKEN', page_size: 2, ...options } };
}

export async function collectGcp(sim: GcpSim, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Promise<{ store: Store; runId: string; outcomes: Awaited<ReturnType<typeof collectRun>>['outcomes'] }> {
  const dir = tempDir();
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [source(sim, extra, options)], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env: ENV });
  return { store, runId, outcomes: outcomes.sort((a, b) => a.tenant.localeCompare(b.tenant)) };
}

export async function rows(store: Store, table: string, runId: string, where = 'true'): Promise<Record<string, unknown>[]> {
  return store.all(`SELECT * FROM ${table} WHERE run_id = $1 AND ${where} ORDER BY tenant, ref`, [runId]);
}
