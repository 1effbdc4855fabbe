// Shared set-up of the AWS tests: a simulator on 127.0.0.1 and a source block pointing the real SDK at it.
import { startAwsSim, type AwsSim, type AwsSimOptions } from '../../../src/sim/aws/server.js';
import type { SimEstate } from '../../../src/sim/aws/estate.js';
import { onCleanup } from '../../helpers/index.js';

export const SIM_ENV = { AWS_ACCESS_KEY_ID: 'AKIASIMBASE000000001', AWS_SECRET_ACCESS_KEY: 'sim-base-secret-not-real' };

export async function startSim(estate: SimEstate, opts: AwsSimOptions = {}): Promise<AwsSim> {
  const sim = await startAwsSim(estate, opts);
  onCleanup(() => sim.close());
  return sim;
}

export function awsSource(sim: AwsSim, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'aws', type: 'aws', retries: 3, timeout_seconds: 2, ...extra, options: { endpoint: sim.url, sts_endpoint: sim.url, organizations_endpoint: sim.url, credential_report: { max_wait_seconds: 5, poll_seconds: 0 }, ...options } };
}
