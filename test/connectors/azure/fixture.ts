// Test side of the seeded Azure estate (src/sim/azure/seed.ts): start the simulator and point the connector at it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S1, S2, T, contosoEstate } from '../../../src/sim/azure/seed.js';
import { startAzureSim, type AzureSim, type AzureSimOptions } from '../../../src/sim/azure/server.js';
import { onCleanup } from '../../helpers/index.js';

export { AKS_ISSUER, DAY, GITHUB_ISSUER, MI_RESOURCE, MS, S1, S2, T, id, iso } from '../../../src/sim/azure/seed.js';
export const testEstate = contosoEstate;

/** Starts the simulator for the test and returns the config source pointing the connector at it. */
export async function startSim(dir: string, opts: Partial<AzureSimOptions> = {}): Promise<{ sim: AzureSim; source: Record<string, unknown>; env: Record<string, string> }> {
  const sim = await startAzureSim({ estate: testEstate(), pageSize: 3, ...opts });
  onCleanup(() => sim.close());
  const ca = join(dir, 'azure-sim-ca.pem');
  writeFileSync(ca, sim.ca);
  return {
    sim,
    env: { AZ_SIM_TOKEN: sim.token },
    source: {
      name: 'az', type: 'azure', tenants: [S1, S2], retries: 3, timeout_seconds: 5,
      options: { tenant_id: T, arm_endpoint: sim.armEndpoint, graph_endpoint: sim.graphEndpoint, keyvault_dns_suffix: '127.0.0.1', ca_file: ca, token_env: 'AZ_SIM_TOKEN' },
    },
  };
}
