// Placeholder until the aws connector lands: registered so the registry and config validation know the id.
import { z } from 'zod';
import type { Connector } from '../types.js';

export const connector: Connector<Record<string, unknown>> = {
  id: 'aws',
  provider: 'aws',
  description: 'not yet implemented',
  collects: { identities: [], credentials: [], entitlements: false },
  options: z.record(z.string(), z.unknown()),
  async tenants() { throw new Error('the aws connector is not implemented yet'); },
  async collect() { throw new Error('the aws connector is not implemented yet'); },
};
