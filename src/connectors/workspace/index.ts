// The workspace connector: Google Workspace users' OAuth tokens per client (Admin SDK Directory API) and domain-wide
// delegation grants (from an Admin console export), as integrations with scope entitlements. See readme.md and
// docs/connectors/workspace.md.
import type { z } from 'zod';
import type { Connector } from '../types.js';
import { WorkspaceOptions } from './options.js';
import { collectTenant, discoverTenants } from './collect.js';
import { createClients } from './clients.js';
import { loadDelegations } from './delegation.js';
import { remediation } from './remediate.js';

export const connector: Connector<WorkspaceOptions> = {
  id: 'workspace',
  provider: 'workspace',
  description: "Google Workspace: users' OAuth tokens per client and domain-wide delegation grants (an Admin console export), as integrations with their scopes.",
  // Emails are case-insensitive; OAuth client ids are compared exactly.
  identifierCase: { insensitive: /@/, rule: 'user emails (in token and user refs) are case-insensitive; client ids are case-sensitive' },
  collects: {
    identities: ['app'],
    credentials: ['oauth_token'],
    entitlements: true,
  },
  options: WorkspaceOptions as unknown as z.ZodType<WorkspaceOptions>,
  async validate(ctx) {
    // A broken delegation export is a user error (exit 2), found before any call; then the credential chain.
    if (ctx.options.domain_wide_delegation_file) await loadDelegations(ctx.options.domain_wide_delegation_file, ctx.source.tenants);
    await createClients(ctx, ctx.http('validate'));
  },
  tenants: (ctx) => discoverTenants(ctx),
  collect: (ctx, tenant, sink) => collectTenant(ctx, tenant, sink),
  remediation,
};
