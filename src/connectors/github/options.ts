// The github source's `options` block. Credentials are referenced (an env var or a key file), never inline.
import { z } from 'zod';

export const SCOPES = [
  'members', 'org_roles', 'invitations', 'outside_collaborators', 'teams', 'collaborators', 'deploy_keys', 'actions_secrets',
  'environment_secrets', 'app_installations', 'fine_grained_pats', 'credential_authorizations', 'secret_scanning',
  'workflow_permissions', 'actions_oidc',
] as const;
export type Scope = (typeof SCOPES)[number];

export const GitHubApp = z.strictObject({
  app_id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(Number).describe('The GitHub App id.'),
  private_key_file: z.string().optional().describe('PEM file of the App private key.'),
  private_key_env: z.string().optional().describe('Environment variable holding the App private key (PEM).'),
  installation_id: z.number().int().positive().optional().describe('Installation to use; default: discovered per organisation.'),
}).refine((a) => !!a.private_key_file !== !!a.private_key_env, { message: 'give exactly one of private_key_file or private_key_env' });

export const GitHubOptions = z.strictObject({
  base_url: z.string().url().default('https://api.github.com').describe('API base URL; for GitHub Enterprise Server https://HOST/api/v3.'),
  token_env: z.string().optional().describe('Environment variable holding a token (classic PAT with read:org, repo; or a fine-grained token).'),
  app: GitHubApp.optional().describe('GitHub App authentication (needed for fine-grained PATs).'),
  skip: z.array(z.enum(SCOPES)).default([]).describe('Scopes deliberately not collected (the tenant is not marked partial for them).'),
  machine_users: z.array(z.string()).default([]).describe('Login globs of machine users (e.g. "*-bot", "svc-*"): recorded as non-human.'),
  match_leaked_tokens: z.boolean().default(false).describe(
    'Opt-in: request secret-scanning alerts WITH their secret values, only to compare their last eight characters with SAML-authorized tokens (the value is dropped at once and never cached or stored). Off: alerts are listed with hide_secret=true and counted, but cannot be tied to a credential.'),
  max_pages: z.number().int().min(1).default(1000).describe('Stop a listing after this many pages (100 items each) and mark the tenant partial.'),
}).refine((o) => !!o.token_env !== !!o.app, { message: 'give exactly one of token_env or app' });
export type GitHubOptions = z.infer<typeof GitHubOptions>;
