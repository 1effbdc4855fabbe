// The registry of connectors by id (= folder name). Each loads lazily, so a provider's SDK is imported only when a
// source of that type is configured. test/connectors/registry.test.ts checks this list against the folders on disk.
import type { Connector } from './types.js';
import { UserError } from '../errors.js';

type Loader = () => Promise<{ connector: Connector<any> }>;

export const CONNECTORS: Record<string, Loader> = {
  file: () => import('./file/index.js'),
  github: () => import('./github/index.js'),
  aws: () => import('./aws/index.js'),
  azure: () => import('./azure/index.js'),
  gcp: () => import('./gcp/index.js'),
  workspace: () => import('./workspace/index.js'),
  okta: () => import('./okta/index.js'),
  kubernetes: () => import('./kubernetes/index.js'),
  gitlab: () => import('./gitlab/index.js'),
};

export async function loadConnector(id: string): Promise<Connector<any>> {
  const loader = CONNECTORS[id];
  if (!loader) throw new UserError(`unknown connector type "${id}"; known: ${Object.keys(CONNECTORS).join(', ')}`);
  const mod = await loader();
  if (mod.connector.id !== id) throw new Error(`connector folder ${id} exports id ${mod.connector.id}`);
  return mod.connector;
}

/**
 * Test-only: registers an extra connector (an in-memory fake provider) under `id`; returns a function that removes it.
 * Production code never calls this; the folder/registry meta-test checks CONNECTORS before any test registers.
 */
export function registerConnector(id: string, loader: Loader): () => void {
  if (Object.hasOwn(CONNECTORS, id)) throw new Error(`connector "${id}" is already registered`);
  CONNECTORS[id] = loader;
  return () => { delete CONNECTORS[id]; };
}
