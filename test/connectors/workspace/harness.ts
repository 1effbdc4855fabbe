// Shared set-up of the workspace tests: a simulator over the seeded customer, a service-account key authorised for
// domain-wide delegation (written to a temp folder, named by an env var), the delegation export, and a config
// pointing the real connector at it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectRun, onCleanup, openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { startWorkspaceSim, type WorkspaceSim, type WorkspaceSimOptions } from '../../../src/sim/workspace/server.js';
import { ADMIN, generateKey, keyFileJson, seedEstate, type KeyPair } from '../../../src/sim/workspace/seed.js';
import { delegationExport, type Estate } from '../../../src/sim/workspace/estate.js';
import type { Store } from '../../../src/store/store.js';

let key: KeyPair | undefined;
/** One RSA key per test file: generating one costs more than a whole collection. */
export const testKey = () => (key ??= generateKey());

export const estateWithKey = (now = new Date()): Estate => seedEstate(now, testKey().publicKeyPem);

export interface Harness { sim: WorkspaceSim; env: Record<string, string>; dwdFile: string; dir: string }

export async function startSim(estate: Estate = estateWithKey(), opts: WorkspaceSimOptions = {}): Promise<Harness> {
  const sim = await startWorkspaceSim(estate, { pageSize: 3, ...opts });
  onCleanup(() => sim.close());
  const dir = tempDir();
  const keyFile = join(dir, 'sa-key.json');
  writeFileSync(keyFile, keyFileJson(testKey(), `${sim.url}/token`), { mode: 0o600 });
  const dwdFile = join(dir, 'dwd.yaml');
  writeFileSync(dwdFile, delegationExport(estate));
  return { sim, env: { WS_KEY_FILE: keyFile }, dwdFile, dir };
}

export function source(h: Harness, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'ws', type: 'workspace', retries: 3, timeout_seconds: 2, ...extra,
    options: { key_file_env: 'WS_KEY_FILE', subject: ADMIN, api_endpoint: h.sim.url, token_url: `${h.sim.url}/token`, page_size: 3,
      domain_wide_delegation_file: h.dwdFile, first_party_client_ids: ['3333-*'], ...options } };
}

export async function collectWs(h: Harness, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Promise<{ store: Store; runId: string; outcomes: Awaited<ReturnType<typeof collectRun>>['outcomes'] }> {
  const dir = tempDir();
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [source(h, extra, options)], authority: { required: false } });
  const { runId, outcomes } = await collectRun(store, loaded, { env: h.env });
  return { store, runId, outcomes };
}

export async function rows(store: Store, table: string, runId: string, where = 'true'): Promise<Record<string, unknown>[]> {
  return store.all(`SELECT * FROM ${table} WHERE run_id = $1 AND ${where} ORDER BY tenant, ref`, [runId]);
}

export const attrs = (r: Record<string, unknown>) => JSON.parse(r.attributes as string) as Record<string, any>;
