// The okta connector: API tokens (with their owners and network restriction) and OAuth service apps (their granted
// scopes, client secrets, JWKS keys and admin roles) of one Okta org, through the Okta SDK on the shared HTTP layer.
// See readme.md and docs/connectors/okta.md.
import type { z } from 'zod';
import type { Connector } from '../types.js';
import { UserError } from '../../errors.js';
import { OktaOptions, tenantOf } from './options.js';
import { readSecret } from './client.js';
import { collectTenant } from './collect.js';
import { remediation } from './remediate.js';

export const connector: Connector<OktaOptions> = {
  id: 'okta',
  provider: 'okta',
  description: 'Okta orgs: API tokens (owner, expiry, network restriction), OAuth service apps with their granted scopes, client secrets, JWKS keys and admin roles.',
  // Okta logins are case-insensitive; object ids (00u…, 0oa…, 00T…) are case-sensitive.
  identifierCase: { insensitive: /@/, rule: 'logins (email-like) are case-insensitive; Okta object ids are case-sensitive' },
  collects: {
    identities: ['app', 'user'],
    credentials: ['api_token', 'client_secret', 'app_key'],
    entitlements: true,
  },
  options: OktaOptions as unknown as z.ZodType<OktaOptions>,
  async validate(ctx) {
    // Fail fast on a missing credential, before any request.
    readSecret(ctx);
  },
  async tenants(ctx) {
    const t = tenantOf(ctx.options);
    const extra = ctx.source.tenants.filter((x) => x.toLowerCase() !== t.toLowerCase());
    if (extra.length) throw new UserError(`okta source ${ctx.source.name}: one source collects one org (${t}); tenants ${extra.join(', ')} need sources of their own`);
    return [t];
  },
  collect: (ctx, tenant, sink) => collectTenant(ctx, tenant, sink),
  remediation,
};
