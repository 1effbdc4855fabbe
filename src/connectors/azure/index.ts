// The Azure connector: RBAC role assignments and definitions, PIM schedules and deny assignments per subscription;
// service principals, app registrations, managed identities, users and their credentials from the directory; Key
// Vault metadata per vault. Tenants are the subscriptions, plus the directory (Entra tenant id) as a tenant of its own
// so that a Graph failure marks the directory partial without touching any subscription. See readme.md.
import type { z } from 'zod';
import type { Connector } from '../types.js';
import { UserError } from '../../errors.js';
import { AzureOptions, clientsFor, credentialFor, errorText } from './clients.js';
import { collectDirectory, collectSubscription } from './collect.js';
import { remediation } from './remediate.js';

export { AzureOptions } from './clients.js';

export const connector: Connector<AzureOptions> = {
  id: 'azure',
  provider: 'azure',
  description: 'Azure RBAC and PIM per subscription, Entra ID service principals, apps, managed identities and their credentials, their application permissions, delegated consents, directory roles and federated credentials, and Key Vault metadata.',
  // ARM resource ids, Entra object/app ids (GUIDs), UPNs and Key Vault object names all compare case-insensitively.
  identifierCase: { insensitive: /^/, rule: 'ARM resource ids, Entra ids and user principal names are case-insensitive' },
  collects: {
    identities: ['service_account', 'app', 'workload', 'user', 'group'],
    credentials: ['client_secret', 'certificate', 'stored_secret'],
    entitlements: true,
  },
  options: AzureOptions as unknown as z.ZodType<AzureOptions>,
  async validate(ctx) {
    const cred = await credentialFor(ctx);
    const scope = `${new URL(ctx.options.arm_endpoint).origin}/.default`;
    try {
      const t = await cred.getToken(scope, { abortSignal: ctx.signal });
      if (!t) throw new Error('the credential returned no token');
    } catch (e) {
      throw new UserError(`azure source ${ctx.source.name}: cannot get a token for ${scope} (${errorText(e)}). Log in (az login, workload identity, managed identity) or set token_env / client_id_env + client_secret_env.`);
    }
  },
  async tenants(ctx) {
    let subs = ctx.source.tenants.filter((t) => t.toLowerCase() !== ctx.options.tenant_id.toLowerCase());
    if (!ctx.source.tenants.length) {
      // Discovery: every enabled subscription the credential can see in this tenant.
      const clients = await clientsFor(ctx, ctx.http('*'));
      type Page = { value?: { subscriptionId: string; tenantId?: string; state?: string }[]; nextLink?: string | null };
      let page = await clients.armJson<Page>('/subscriptions?api-version=2022-12-01');
      for (;;) {
        for (const s of page.value ?? []) {
          if ((!s.tenantId || s.tenantId.toLowerCase() === ctx.options.tenant_id.toLowerCase()) && (s.state ?? 'Enabled') !== 'Disabled') subs.push(s.subscriptionId);
        }
        if (!page.nextLink) break;
        const next = new URL(page.nextLink);
        page = await clients.armJson<Page>(`${next.pathname}${next.search}`);
      }
      subs = [...new Set(subs)].sort();
    }
    return ctx.options.directory ? [...subs, ctx.options.tenant_id] : subs;
  },
  async collect(ctx, tenant, sink) {
    if (tenant.toLowerCase() === ctx.options.tenant_id.toLowerCase()) return collectDirectory(ctx, sink);
    return collectSubscription(ctx, tenant, sink);
  },
  remediation,
};
