// The okta source's `options` block. Credentials only by reference: an env var holding an SSWS API token, or an env
// var holding the private key of an OAuth service app (private_key_jwt), never the values themselves.
import { z } from 'zod';

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const OktaOAuth = z.strictObject({
  client_id: z.string().min(1).describe('Client id of the OAuth service app nhi-recon signs in as.'),
  private_key_env: EnvName.describe('Env var holding its private key (PEM or JWK JSON).'),
  key_id: z.string().optional().describe('The key id (kid) registered for that key.'),
  scopes: z.array(z.string()).default(['okta.apiTokens.read', 'okta.apps.read', 'okta.appGrants.read', 'okta.roles.read', 'okta.users.read'])
    .describe('Scopes requested; add okta.apps.manage and okta.apiTokens.manage for remediation.'),
});

export const OktaOptions = z.strictObject({
  org_url: z.url().describe('The org URL, e.g. https://acme.okta.com (the simulator: its http://127.0.0.1 address).'),
  tenant_name: z.string().min(1).optional().describe('Name recorded as the tenant; default: the org URL\'s host (acme.okta.com).'),
  token_env: EnvName.optional().describe('Env var holding an SSWS API token (its owner\'s admin role applies).'),
  oauth: OktaOAuth.optional().describe('OAuth 2.0 service-app authentication with a private key JWT (scoped, preferred).'),
  own_apps: z.array(z.string()).default([]).describe('Globs over app id, client id or label of service apps the organisation built itself; every other service app is recorded as third-party.'),
  api_tokens: z.boolean().default(true).describe('Collect API tokens (okta.apiTokens.read).'),
  service_apps: z.boolean().default(true).describe('Collect OAuth service apps with grants, secrets, keys and admin roles.'),
  page_size: z.number().int().min(1).max(200).default(200).describe('`limit` of paged listings.'),
  max_pages: z.number().int().min(1).default(1000).describe('A listing still paging after this many pages is treated as broken: the tenant ends partial.'),
}).refine((o) => !!o.token_env !== !!o.oauth, { message: 'give exactly one of token_env or oauth' });
export type OktaOptions = z.infer<typeof OktaOptions>;

/** The tenant an org is recorded under. */
export function tenantOf(o: OktaOptions): string {
  return o.tenant_name ?? new URL(o.org_url).host.toLowerCase();
}
