// The gcp connector: service accounts and their keys, allow policies (projects, folders, organisation, secrets) with
// conditions and deny-policy subtraction, and Secret Manager metadata, across projects listed or discovered under a
// folder or organisation. See readme.md and docs/connectors/gcp.md.
import type { z } from 'zod';
import type { Connector } from '../types.js';
import { GcpOptions } from './options.js';
import { collectTenant, discoverTenants } from './collect.js';
import { createClients } from './clients.js';
import { remediation } from './remediate.js';

export const connector: Connector<GcpOptions> = {
  id: 'gcp',
  provider: 'gcp',
  description: 'Google Cloud: service accounts and keys, IAM allow and deny policies across projects, folders and the organisation, Secret Manager metadata.',
  // Google account and service-account emails are case-insensitive; resource names (secrets, projects) are not.
  identifierCase: { insensitive: /@/, rule: 'emails (user:, group:, serviceAccount: members and service accounts) are case-insensitive; resource names are case-sensitive' },
  collects: {
    identities: ['service_account', 'user', 'group', 'workload', 'public'],
    credentials: ['sa_key', 'stored_secret'],
    entitlements: true,
  },
  options: GcpOptions as unknown as z.ZodType<GcpOptions>,
  async validate(ctx) {
    // Resolves the credential chain (env var, key file, ADC) before anything is collected; throws a UserError.
    const c = await createClients(ctx, ctx.http('validate'));
    await c.close();
  },
  tenants: (ctx) => discoverTenants(ctx),
  collect: (ctx, tenant, sink) => collectTenant(ctx, tenant, sink),
  remediation,
};
