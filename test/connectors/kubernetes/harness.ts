// Shared set-up of the kubernetes tests: simulated clusters over seeded estates, a kubeconfig with one context per
// cluster, and a config pointing the real connector (and @kubernetes/client-node) at them.
import { collectRun, onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { startK8sSim, type K8sSim, type K8sSimOptions } from '../../../src/sim/kubernetes/server.js';
import { seedEstate, writeKubeconfig } from '../../../src/sim/kubernetes/seed.js';
import type { ClusterEstate } from '../../../src/sim/kubernetes/estate.js';
import type { Store } from '../../../src/store/store.js';

export const TOKEN = 'sim-k8s-token-0123456789';

export async function startSim(estate: ClusterEstate = seedEstate(), opts: Partial<K8sSimOptions> = {}): Promise<K8sSim> {
  const sim = await startK8sSim(estate, { token: TOKEN, maxPageSize: 3, ...opts });
  onCleanup(() => sim.close());
  return sim;
}

/** A kubeconfig naming each simulator as a context (prod, staging, …), the first being current. */
export function kubeconfig(sims: Record<string, K8sSim>, tokens: Record<string, string> = {}): string {
  return writeKubeconfig(tempDir(), Object.entries(sims).map(([name, s]) => ({ name, server: s.url, ca: s.ca, token: tokens[name] ?? TOKEN })));
}

export function source(file: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'k8s', type: 'kubernetes', retries: 2, timeout_seconds: 5, ...extra, options: { kubeconfig: file, page_size: 3, ...options } };
}

export async function collectK8s(file: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Promise<{ store: Store; runId: string; outcomes: Awaited<ReturnType<typeof collectRun>>['outcomes'] }> {
  const dir = tempDir();
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [source(file, extra, options)], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env: {} });
  return { store, runId, outcomes: outcomes.sort((a, b) => a.tenant.localeCompare(b.tenant)) };
}

export async function rows(store: Store, table: string, runId: string, where = 'true'): Promise<Record<string, unknown>[]> {
  return store.all(`SELECT * FROM ${table} WHERE run_id = $1 AND ${where} ORDER BY tenant, ref`, [runId]);
}

export const attrs = (r: Record<string, unknown>) => JSON.parse(r.attributes as string) as Record<string, any>;
