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
};

export async function loadConnector(id: string): Promise<Connector<any>> {
  const loader = CONNECTORS[id];
  if (!loader) throw new UserError(`unknown connector type "${id}"; known: ${Object.keys(CONNECTORS).join(', ')}`);
  const mod = await loader();
  if (mod.connector.id !== id) throw new Error(`connector folder ${id} exports id ${mod.connector.id}`);
  return mod.connector;
}
