// A connector that streams the synthetic estate: the connector → store path without any network, for ingest and
// memory benchmarks. Registered only inside benchmark processes.
import { z } from 'zod';
import type { Connector } from '../src/connectors/types.js';
import { DEFAULT_SPEC, estateRecords, tenantName, type EstateSpec } from '../src/sim/estate.js';

export const syntheticConnector: Connector<EstateSpec> = {
  id: 'synthetic',
  provider: 'synthetic',
  description: 'Seeded synthetic estate (benchmarks only).',
  collects: { identities: ['service_account'], credentials: ['sa_key'], entitlements: true },
  options: z.any() as unknown as z.ZodType<EstateSpec>,
  async tenants(ctx) { return Array.from({ length: (ctx.options ?? DEFAULT_SPEC).tenants }, (_, i) => tenantName(i)); },
  async collect(ctx, tenant, sink) {
    let n = 0;
    for (const r of estateRecords(ctx.options, tenant)) {
      if (r.type === 'identity') sink.identity(r.record);
      else if (r.type === 'credential') sink.credential(r.record);
      else sink.entitlement(r.record);
      // Yield now and then so concurrent tenants interleave, as network-bound connectors do.
      if (++n % 5000 === 0) await new Promise((res) => setImmediate(res));
    }
  },
};
