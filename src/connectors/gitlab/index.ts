// The GitLab connector (gitlab.com and self-managed): members and roles, project and group access tokens with their
// bot users, members' personal access tokens, deploy tokens and keys, and CI/CD variable metadata of each top-level
// group and everything under it, through @gitbeaker/rest on the shared HTTP layer. See docs/connectors/gitlab.md.
import type { z } from 'zod';
import type { Connector } from '../types.js';
import { UserError } from '../../errors.js';
import { readToken } from './client.js';
import { collectGroup } from './collect.js';
import { GitLabOptions } from './options.js';
import { gitlabRemediation } from './remediate.js';

export const connector: Connector<GitLabOptions> = {
  id: 'gitlab',
  provider: 'gitlab',
  description: 'GitLab top-level groups (gitlab.com and self-managed) with their subgroups and projects: members and roles, project and group access tokens (bot users), members\' personal access tokens, deploy tokens, deploy keys, CI/CD variable metadata.',
  // Usernames and group/project paths are case-insensitive on GitLab (lookups ignore case; the stored case is kept).
  identifierCase: { insensitive: /^/, rule: 'usernames and group and project paths are case-insensitive' },
  collects: {
    identities: ['user', 'bot', 'service_account'],
    credentials: ['access_token', 'pat', 'deploy_token', 'deploy_key', 'stored_secret'],
    entitlements: true,
  },
  options: GitLabOptions as unknown as z.ZodType<GitLabOptions>,
  async validate(ctx) {
    readToken(ctx.options, ctx.env);
  },
  async tenants(ctx) {
    if (!ctx.source.tenants.length) throw new UserError(`source ${ctx.source.name}: list the top-level groups (full paths) in \`tenants\``);
    return ctx.source.tenants;
  },
  async collect(ctx, tenant, sink) {
    await collectGroup(ctx, tenant, sink);
  },
  remediation: gitlabRemediation(),
};
