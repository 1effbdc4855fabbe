// The GitHub connector: members, roles, collaborators, teams, deploy keys, Actions secrets, App installations,
// fine-grained PATs, SAML credential authorizations, open secret-scanning alerts and Actions settings (the workflow
// token's default permissions, the OIDC subject template) of each organisation, through
// Octokit on the shared HTTP layer. See docs/connectors/github.md for permissions, calls and rate-limit behaviour.
import type { z } from 'zod';
import type { Connector, ConnectorContext } from '../types.js';
import { UserError } from '../../errors.js';
import { createClient, listAll, readPrivateKey, readToken } from './client.js';
import { collectOrg } from './collect.js';
import { GitHubOptions } from './options.js';
import { githubRemediation } from './remediate.js';

const installations = new WeakMap<object, Promise<Map<string, number>>>();

/** The App's installations by organisation login, looked up once per run (as the App, with its JWT). */
function appInstallations(ctx: ConnectorContext<GitHubOptions>): Promise<Map<string, number>> {
  let p = installations.get(ctx);
  if (!p) {
    p = (async () => {
      const client = createClient({ options: ctx.options, env: ctx.env, http: { ...ctx.http('*'), cache: null }, signal: ctx.signal });
      const list = await listAll<{ id: number; account: { login: string; type?: string } | null; target_type?: string }>(client, 'GET /app/installations', { maxPages: ctx.options.max_pages });
      return new Map(list.filter((i) => i.account && (i.target_type ?? i.account.type) === 'Organization').map((i) => [i.account!.login.toLowerCase(), i.id]));
    })();
    installations.set(ctx, p);
  }
  return p;
}

async function installationFor(ctx: ConnectorContext<GitHubOptions>, org: string): Promise<number | undefined> {
  const app = ctx.options.app;
  if (!app) return undefined;
  if (app.installation_id) return app.installation_id;
  const id = (await appInstallations(ctx)).get(org.toLowerCase());
  if (!id) throw new UserError(`the GitHub App ${app.app_id} is not installed on organisation ${org}`);
  return id;
}

export const connector: Connector<GitHubOptions> = {
  id: 'github',
  provider: 'github',
  description: 'GitHub organisations (github.com and Enterprise Server): members, roles, collaborators, teams, deploy keys, Actions secrets, App installations, fine-grained PATs, SAML credential authorizations, secret-scanning alerts, default workflow token permissions and OIDC subject templates.',
  // Logins, organisation, team and repository names are case-insensitive on GitHub (and secret names are upper-cased).
  identifierCase: { insensitive: /^/, rule: 'logins, organisation, team and repository names are case-insensitive' },
  collects: {
    identities: ['user', 'machine_user', 'bot', 'team', 'app', 'service_account', 'workload'],
    credentials: ['deploy_key', 'stored_secret', 'fine_grained_pat', 'pat', 'ssh_key', 'oauth_authorization'],
    entitlements: true,
  },
  options: GitHubOptions as unknown as z.ZodType<GitHubOptions>,
  async validate(ctx) {
    // Fail fast on a missing credential, before any request.
    if (ctx.options.app) readPrivateKey(ctx.options, ctx.env);
    else readToken(ctx.options, ctx.env);
  },
  async tenants(ctx) {
    if (ctx.source.tenants.length) return ctx.source.tenants;
    if (!ctx.options.app) throw new UserError(`source ${ctx.source.name}: list the organisations in \`tenants\` (a token cannot discover them safely)`);
    return [...(await appInstallations(ctx)).keys()].sort();
  },
  async collect(ctx, tenant, sink) {
    await collectOrg(ctx, tenant, sink, await installationFor(ctx, tenant));
  },
  remediation: githubRemediation(installationFor),
};
