// The workspace source's `options` block. Credentials only by reference: an env var naming a service-account key
// file (used with domain-wide delegation as `subject`, a Workspace admin), or an env var holding an access token.
import { z } from 'zod';

export const WorkspaceOptions = z.strictObject({
  customer: z.string().regex(/^(my_customer|C[0-9a-z]+)$/, 'my_customer or a customer id (C0…)').default('my_customer')
    .describe('Customer whose users are listed when `tenants` is empty (the tenant is then its customer id, read from the first user).'),
  key_file_env: z.string().optional().describe('Name of an environment variable holding the path of a service-account key file authorised for domain-wide delegation.'),
  subject: z.email().optional().describe('The Workspace admin the service account acts as (domain-wide delegation); required with key_file_env.'),
  access_token_env: z.string().optional().describe('Name of an environment variable holding an OAuth access token of a Workspace admin (already carrying the scopes).'),
  api_endpoint: z.url().optional().describe('Base URL of the Admin SDK instead of https://admin.googleapis.com (the simulator, a private endpoint).'),
  token_url: z.url().optional()
    .describe('Where the signed assertion is exchanged for a token, instead of https://oauth2.googleapis.com/token. Only for the simulator or a private endpoint: the assertion is good at Google for an hour.'),
  first_party_client_ids: z.array(z.string().min(1)).default([])
    .describe("Globs over OAuth client ids the organisation owns (its own GCP projects' clients and service accounts): those integrations are not third-party."),
  domain_wide_delegation_file: z.string().optional()
    .describe('An export of Admin console → Security → API controls → Domain-wide delegation (YAML/JSON list or CSV with client_id, scopes, optional name, service_account). No API lists these grants.'),
  tokens: z.boolean().default(true).describe("List each user's OAuth tokens (tokens.list, one call per user)."),
  page_size: z.number().int().min(1).max(500).default(500).describe('users.list maxResults (the API allows at most 500).'),
  max_pages: z.number().int().min(1).default(1000).describe('A users listing still paging after this many pages is treated as broken: the tenant ends partial.'),
}).refine((o) => !(o.key_file_env && o.access_token_env), { message: 'give `key_file_env` (with `subject`) or `access_token_env`, not both' })
  .refine((o) => !o.key_file_env || o.subject, { message: '`subject` (a Workspace admin email) is required with `key_file_env`: domain-wide delegation acts as that admin', path: ['subject'] });
export type WorkspaceOptions = z.infer<typeof WorkspaceOptions>;

/** Scopes the connector asks for: read users, and read (and, in enforce mode, delete) their OAuth tokens. */
export const READ_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.user.security',
] as const;
