// The gitlab source's `options` block. The token is referenced by an environment variable, never inline.
import { z } from 'zod';

export const SCOPES = ['members', 'access_tokens', 'personal_access_tokens', 'deploy_tokens', 'deploy_keys', 'variables'] as const;
export type Scope = (typeof SCOPES)[number];

export const GitLabOptions = z.strictObject({
  base_url: z.string().url().default('https://gitlab.com').describe('GitLab instance URL (gitlab.com or a self-managed host), without /api/v4.'),
  token_env: z.string().min(1).describe('Environment variable holding the token (read_api for collection; api to remediate).'),
  personal_access_tokens: z.enum(['auto', 'instance', 'enterprise', 'skip']).default('auto').describe(
    "How members' personal access tokens are listed: 'instance' (GET /personal_access_tokens, needs an administrator on self-managed), 'enterprise' (GET /groups/:id/manage/personal_access_tokens, gitlab.com group Owner, enterprise users only), 'auto' (enterprise on gitlab.com, instance elsewhere), 'skip'. When not permitted the tenant is marked partial, never \"no tokens\"."),
  skip: z.array(z.enum(SCOPES)).default([]).describe('Scopes deliberately not collected (the tenant is not marked partial for them).'),
  max_pages: z.number().int().min(1).default(1000).describe('Stop a listing after this many pages (100 items each) and mark the tenant partial.'),
});
export type GitLabOptions = z.infer<typeof GitLabOptions>;
