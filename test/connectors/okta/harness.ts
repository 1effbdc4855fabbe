// Shared set-up of the okta tests: a simulator over a seeded org and a config pointing the real connector (the Okta
// SDK) at it.
import { collectRun, onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { startOktaSim, type OktaSim, type OktaSimOptions } from '../../../src/sim/okta/server.js';
import { seedEstate, type OktaEstate } from '../../../src/sim/okta/estate.js';
import type { Store } from '../../../src/store/store.js';

export const TOKEN = 'sim-okta-ssws-token';
export const ENV = { OKTA_TOKEN: TOKEN };
export const ORG = 'acme.okta.com';

export async function startSim(estate: OktaEstate = seedEstate(), opts: OktaSimOptions = {}): Promise<OktaSim> {
  const sim = await startOktaSim(estate, { token: TOKEN, pageSize: 2, ...opts });
  onCleanup(() => sim.close());
  return sim;
}

export function source(sim: OktaSim, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'okta', type: 'okta', retries: 3, timeout_seconds: 2, ...extra,
    options: { org_url: sim.url, tenant_name: ORG, token_env: 'OKTA_TOKEN', page_size: 2, own_apps: ['ops-*'], ...options } };
}

export async function collectOkta(sim: OktaSim, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
  const dir = tempDir();
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [source(sim, extra, options)], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env: ENV });
  return { store, runId, outcomes };
}

export async function rows(store: Store, table: string, runId: string, where = 'true'): Promise<Record<string, unknown>[]> {
  return store.all(`SELECT * FROM ${table} WHERE run_id = $1 AND ${where} ORDER BY ref`, [runId]);
}

export const attrs = (r: Record<string, unknown>) => JSON.parse(r.attributes as string) as Record<string, any>;
