// Remediation of GitHub access: every operation acts on a ref the mapping produced, and every one is verified by
// reading the target back without the ETag cache (a cached body is never evidence that access is gone).
import type { ActionSpec, ConnectorContext, Remediation, Target, TargetState } from '../types.js';
import { NotReversibleError } from '../types.js';
import { createClient, listAll, type Client } from './client.js';
import { statusOf } from './collect.js';
import { parseRef, type ParsedRef } from './map.js';
import type { GitHubOptions } from './options.js';

export const ACTIONS: ActionSpec[] = [
  { operation: 'remove-repo-collaborator', kind: 'revoke', subject: 'entitlement', reversible: true,
    description: "Remove a user's direct access to a repository (DELETE /repos/{owner}/{repo}/collaborators/{username}); rollback re-adds (an outside user is re-invited)." },
  { operation: 'remove-outside-collaborator', kind: 'revoke', subject: 'identity', kinds: ['user', 'machine_user', 'bot'], reversible: false,
    description: 'Remove an outside collaborator from every repository of the organisation (DELETE /orgs/{org}/outside_collaborators/{username}).' },
  { operation: 'remove-team-repo-access', kind: 'revoke', subject: 'entitlement', reversible: true,
    description: "Remove a team's access to a repository (DELETE /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}); rollback restores the permission." },
  { operation: 'delete-deploy-key', kind: 'delete', subject: 'credential', kinds: ['deploy_key'], reversible: true,
    description: 'Delete a deploy key (DELETE /repos/{owner}/{repo}/keys/{key_id}); rollback re-adds the same public key (under a new id).' },
  { operation: 'revoke-fine-grained-pat', kind: 'revoke', subject: 'credential', kinds: ['fine_grained_pat'], reversible: false,
    description: "Revoke a fine-grained PAT's access to the organisation (POST /orgs/{org}/personal-access-tokens/{pat_id}, action revoke). Needs App auth." },
  { operation: 'remove-credential-authorization', kind: 'revoke', subject: 'credential', kinds: ['pat', 'ssh_key', 'oauth_authorization'], reversible: false,
    description: 'Remove a SAML SSO credential authorization (DELETE /orgs/{org}/credential-authorizations/{credential_id}); the credential loses access to the organisation.' },
  { operation: 'delete-secret', kind: 'delete', subject: 'credential', kinds: ['stored_secret'], reversible: false,
    description: 'Delete an Actions secret at organisation, repository or environment level (its value cannot be restored).' },
  { operation: 'suspend-app-installation', kind: 'disable', subject: 'identity', kinds: ['app'], reversible: true,
    description: "Suspend a GitHub App installation (PUT /app/installations/{installation_id}/suspended); rollback unsuspends (DELETE). GitHub accepts this only with the JWT of the App that owns the installation: with token auth, or for another App's installation, it is refused (uninstall those in the organisation's settings)." },
];

const OP_REF: Record<string, ParsedRef['type'][]> = {
  'remove-repo-collaborator': ['collaborator'],
  'remove-outside-collaborator': ['user'],
  'remove-team-repo-access': ['team_repo'],
  'delete-deploy-key': ['deploy_key'],
  'revoke-fine-grained-pat': ['fine_grained_pat'],
  'remove-credential-authorization': ['credential_authorization'],
  'delete-secret': ['org_secret', 'repo_secret', 'env_secret'],
  'suspend-app-installation': ['app_installation'],
};

const API_PERMISSION: Record<string, string> = { read: 'pull', triage: 'triage', write: 'push', maintain: 'maintain', admin: 'admin' };

export type InstallationFor = (ctx: ConnectorContext<GitHubOptions>, org: string) => Promise<number | undefined>;

export function githubRemediation(installationFor: InstallationFor): Remediation<GitHubOptions> {
  const clientFor = async (ctx: ConnectorContext<GitHubOptions>, org: string): Promise<Client> =>
    createClient({ options: ctx.options, env: ctx.env, http: { ...ctx.http(org), cache: null }, signal: ctx.signal, installationId: await installationFor(ctx, org) });

  const target = (t: Target, operation?: string): ParsedRef => {
    const p = parseRef(t.ref);
    if (!p) throw new Error(`not a GitHub ref this connector can act on: ${t.ref}`);
    if (operation && !OP_REF[operation]?.includes(p.type)) throw new Error(`operation ${operation} does not apply to ${t.ref} (${p.type})`);
    return p;
  };

  /**
   * The App's own JWT client, only for an installation of that App: GitHub lets an App suspend its own installations
   * and nobody else's, so anything else is refused here, before any call, with what to do instead.
   */
  const appJwtClient = async (ctx: ConnectorContext<GitHubOptions>, installationId: number, before: TargetState): Promise<Client> => {
    const app = ctx.options.app;
    const slug = String(before.state.app_slug ?? 'unknown');
    if (!app) {
      throw new Error(`refused: suspending App installation ${installationId} (${slug}) needs the JWT of the App that owns it; this source authenticates with a token. Uninstall or suspend it in the organisation's settings (Settings → GitHub Apps), or configure \`app\` auth as that App.`);
    }
    if (Number(before.state.app_id) !== app.app_id) {
      throw new Error(`refused: App installation ${installationId} belongs to App ${String(before.state.app_id)} (${slug}), not to the configured App ${app.app_id}; GitHub lets only the owning App suspend it. Uninstall or suspend it in the organisation's settings (Settings → GitHub Apps).`);
    }
    return createClient({ options: ctx.options, env: ctx.env, http: { ...ctx.http('*'), cache: null }, signal: ctx.signal });
  };

  const gone = (evidence: Record<string, unknown>): TargetState => ({ exists: false, active: false, last_used_at: null, state: evidence });

  async function read(ctx: ConnectorContext<GitHubOptions>, t: Target): Promise<TargetState> {
    const p = target(t);
    const c = await clientFor(ctx, p.org);
    const maxPages = ctx.options.max_pages;
    const get404 = async <T>(fn: () => Promise<T>): Promise<T | null> => {
      try { return await fn(); } catch (e) { if (statusOf(e) === 404) return null; throw e; }
    };
    switch (p.type) {
      case 'collaborator': {
        const list = await listAll<{ login: string; role_name?: string }>(c, 'GET /repos/{owner}/{repo}/collaborators', { params: { owner: p.org, repo: p.repo, affiliation: 'direct' }, maxPages });
        const hit = list.find((x) => x.login.toLowerCase() === p.login.toLowerCase());
        return hit ? { exists: true, active: true, last_used_at: null, state: { login: hit.login, repo: p.repo, permission: hit.role_name ?? null } }
          : gone({ checked: 'direct collaborators', repo: p.repo, login: p.login });
      }
      case 'user': {
        const list = await listAll<{ login: string }>(c, 'GET /orgs/{org}/outside_collaborators', { params: { org: p.org }, maxPages });
        const hit = list.some((x) => x.login.toLowerCase() === p.login.toLowerCase());
        return hit ? { exists: true, active: true, last_used_at: null, state: { login: p.login, outside_collaborator: true } }
          : gone({ checked: 'outside collaborators', login: p.login });
      }
      case 'team_repo': {
        const r = await get404(() => c.request('GET /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', {
          org: p.org, team_slug: p.slug, owner: p.org, repo: p.repo, headers: { accept: 'application/vnd.github.v3.repository+json' } }));
        if (!r) return gone({ checked: 'team repository access', team: p.slug, repo: p.repo });
        const data = r.data as { role_name?: string } | undefined;
        return { exists: true, active: true, last_used_at: null, state: { team: p.slug, repo: p.repo, permission: data?.role_name ?? null } };
      }
      case 'deploy_key': {
        const r = await get404(() => c.request('GET /repos/{owner}/{repo}/keys/{key_id}', { owner: p.org, repo: p.repo, key_id: p.id }));
        if (!r) return gone({ checked: 'deploy key', repo: p.repo, key_id: p.id });
        const k = r.data as { title: string; key: string; read_only: boolean; last_used?: string | null; enabled?: boolean; added_by?: string | null };
        // The public key is kept so rollback can re-add it: a public key is not a secret.
        return { exists: true, active: k.enabled !== false, last_used_at: k.last_used ? new Date(k.last_used) : null,
          state: { title: k.title, key: k.key, read_only: k.read_only, added_by: k.added_by ?? null } };
      }
      case 'fine_grained_pat': {
        const list = await listAll<{ id: number; token_name: string; token_expired: boolean; token_last_used_at: string | null; owner: { login: string } }>(
          c, 'GET /orgs/{org}/personal-access-tokens', { params: { org: p.org }, maxPages });
        const hit = list.find((x) => x.id === p.id);
        return hit ? { exists: true, active: !hit.token_expired, last_used_at: hit.token_last_used_at ? new Date(hit.token_last_used_at) : null,
          state: { token_name: hit.token_name, owner: hit.owner.login } } : gone({ checked: 'fine-grained PAT grants', pat_id: p.id });
      }
      case 'credential_authorization': {
        const list = await listAll<{ credential_id: number; login: string; credential_type: string; credential_accessed_at?: string | null }>(
          c, 'GET /orgs/{org}/credential-authorizations', { params: { org: p.org }, maxPages });
        const hit = list.find((x) => x.credential_id === p.id);
        return hit ? { exists: true, active: true, last_used_at: hit.credential_accessed_at ? new Date(hit.credential_accessed_at) : null,
          state: { login: hit.login, credential_type: hit.credential_type } } : gone({ checked: 'credential authorizations', credential_id: p.id });
      }
      case 'org_secret': case 'repo_secret': case 'env_secret': {
        const r = await get404(() => p.type === 'org_secret'
          ? c.request('GET /orgs/{org}/actions/secrets/{secret_name}', { org: p.org, secret_name: p.name })
          : p.type === 'repo_secret'
            ? c.request('GET /repos/{owner}/{repo}/actions/secrets/{secret_name}', { owner: p.org, repo: p.repo, secret_name: p.name })
            : c.request('GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', { owner: p.org, repo: p.repo, environment_name: p.env, secret_name: p.name }));
        if (!r) return gone({ checked: 'secret', ref: t.ref });
        const s = r.data as { updated_at?: string; visibility?: string };
        return { exists: true, active: true, last_used_at: null, state: { name: p.name, updated_at: s.updated_at ?? null, visibility: s.visibility ?? null } };
      }
      case 'app_installation': {
        // The configured App reads its own installation with its JWT: once suspended, the installation token that
        // the organisation listing needs is refused, so this is the only read-back that still works.
        if (ctx.options.app) {
          const jwt = createClient({ options: ctx.options, env: ctx.env, http: { ...ctx.http('*'), cache: null }, signal: ctx.signal });
          const own = await get404(() => jwt.request('GET /app/installations/{installation_id}', { installation_id: p.id }));
          const i = own?.data as { id: number; app_id: number; app_slug: string; suspended_at: string | null; repository_selection?: string; account?: { login?: string } | null } | undefined;
          if (i && (i.account?.login ?? p.org).toLowerCase() === p.org.toLowerCase()) {
            return { exists: true, active: !i.suspended_at, last_used_at: null,
              state: { installation_id: i.id, app_id: i.app_id, app_slug: i.app_slug, suspended_at: i.suspended_at, repository_selection: i.repository_selection ?? null, read_as: 'app' } };
          }
        }
        const list = await listAll<{ id: number; app_id: number; app_slug: string; suspended_at: string | null; repository_selection?: string }>(
          c, 'GET /orgs/{org}/installations', { params: { org: p.org }, key: 'installations', maxPages });
        const hit = list.find((x) => x.id === p.id);
        return hit ? { exists: true, active: !hit.suspended_at, last_used_at: null,
          state: { installation_id: hit.id, app_id: hit.app_id, app_slug: hit.app_slug, suspended_at: hit.suspended_at, repository_selection: hit.repository_selection ?? null } }
          : gone({ checked: 'App installations', installation_id: p.id });
      }
      default:
        throw new Error(`no read for ${t.ref}`);
    }
  }

  return {
    actions: ACTIONS,
    read,
    async execute(ctx, operation, t, before) {
      const p = target(t, operation);
      const c = await clientFor(ctx, p.org);
      let res: { status: number };
      switch (p.type) {
        case 'collaborator': res = await c.request('DELETE /repos/{owner}/{repo}/collaborators/{username}', { owner: p.org, repo: p.repo, username: p.login }); break;
        case 'user': res = await c.request('DELETE /orgs/{org}/outside_collaborators/{username}', { org: p.org, username: p.login }); break;
        case 'team_repo': res = await c.request('DELETE /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', { org: p.org, team_slug: p.slug, owner: p.org, repo: p.repo }); break;
        case 'deploy_key': res = await c.request('DELETE /repos/{owner}/{repo}/keys/{key_id}', { owner: p.org, repo: p.repo, key_id: p.id }); break;
        case 'fine_grained_pat': res = await c.request('POST /orgs/{org}/personal-access-tokens/{pat_id}', { org: p.org, pat_id: p.id, action: 'revoke' }); break;
        case 'credential_authorization': res = await c.request('DELETE /orgs/{org}/credential-authorizations/{credential_id}', { org: p.org, credential_id: p.id }); break;
        case 'org_secret': res = await c.request('DELETE /orgs/{org}/actions/secrets/{secret_name}', { org: p.org, secret_name: p.name }); break;
        case 'repo_secret': res = await c.request('DELETE /repos/{owner}/{repo}/actions/secrets/{secret_name}', { owner: p.org, repo: p.repo, secret_name: p.name }); break;
        case 'env_secret': res = await c.request('DELETE /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}', { owner: p.org, repo: p.repo, environment_name: p.env, secret_name: p.name }); break;
        case 'app_installation': res = await (await appJwtClient(ctx, p.id, before)).request('PUT /app/installations/{installation_id}/suspended', { installation_id: p.id }); break;
        default: throw new Error(`no operation ${operation} for ${t.ref}`);
      }
      return { operation, ref: t.ref, status: res.status };
    },
    async verify(ctx, operation, t) {
      target(t, operation);
      const after = await read(ctx, t);
      return { ok: !after.exists || !after.active, evidence: { read_at: new Date().toISOString(), exists: after.exists, active: after.active, ...after.state } };
    },
    async rollback(ctx, operation, t, before) {
      const p = target(t, operation);
      if (!before.exists) return { operation, ref: t.ref, restored: false, reason: 'it did not exist before' };
      const c = await clientFor(ctx, p.org);
      if (p.type === 'collaborator') {
        const permission = API_PERMISSION[String(before.state.permission)] ?? String(before.state.permission ?? 'pull');
        const r = await c.request('PUT /repos/{owner}/{repo}/collaborators/{username}', { owner: p.org, repo: p.repo, username: p.login, permission });
        // 201: GitHub sent an invitation (outside users must accept it); 204: access restored directly.
        return { operation, ref: t.ref, status: r.status, invited: r.status === 201, permission };
      }
      if (p.type === 'team_repo') {
        const permission = API_PERMISSION[String(before.state.permission)] ?? String(before.state.permission ?? 'pull');
        const r = await c.request('PUT /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}', { org: p.org, team_slug: p.slug, owner: p.org, repo: p.repo, permission });
        return { operation, ref: t.ref, status: r.status, permission };
      }
      if (p.type === 'app_installation') {
        if (before.state.suspended_at) return { operation, ref: t.ref, restored: false, reason: `it was already suspended before (since ${String(before.state.suspended_at)})` };
        const r = await (await appJwtClient(ctx, p.id, before)).request('DELETE /app/installations/{installation_id}/suspended', { installation_id: p.id });
        return { operation, ref: t.ref, status: r.status, unsuspended: true };
      }
      if (p.type === 'deploy_key') {
        const s = before.state as { title: string; key: string; read_only: boolean };
        const r = await c.request('POST /repos/{owner}/{repo}/keys', { owner: p.org, repo: p.repo, title: s.title, key: s.key, read_only: s.read_only });
        return { operation, ref: t.ref, status: r.status, new_key_id: (r.data as { id: number }).id };
      }
      throw new NotReversibleError(`${operation} cannot be undone on GitHub: ${t.ref}`);
    },
  };
}
