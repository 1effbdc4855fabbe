// Remediation of GitLab credentials: revoke a project/group access token or a personal access token, revoke a deploy
// token, remove a deploy key. Every one is verified by reading the target back without the ETag cache (a cached
// body is never evidence that access is gone). Removing a deploy key can be rolled back: its public key, title and
// push flag are kept in the before-state (a public key is not a secret) and re-added.
import type { ActionSpec, ConnectorContext, Remediation, Target, TargetState } from '../types.js';
import { NotReversibleError } from '../types.js';
import { createClient } from './client.js';
import { statusOf } from './collect.js';
import { parseRef, type ParsedRef } from './map.js';
import type { GitLabOptions } from './options.js';

export const ACTIONS: ActionSpec[] = [
  { operation: 'revoke-access-token', kind: 'revoke', subject: 'credential', kinds: ['access_token', 'pat'], reversible: false,
    description: 'Revoke a project or group access token (DELETE /projects/:id/access_tokens/:token_id, /groups/:id/access_tokens/:token_id; its bot user loses its membership) or a personal access token (DELETE /personal_access_tokens/:id). Irreversible.' },
  { operation: 'revoke-deploy-token', kind: 'revoke', subject: 'credential', kinds: ['deploy_token'], reversible: false,
    description: 'Revoke a project or group deploy token (DELETE /projects/:id/deploy_tokens/:token_id, /groups/:id/deploy_tokens/:token_id). Irreversible.' },
  { operation: 'remove-deploy-key', kind: 'delete', subject: 'credential', kinds: ['deploy_key'], reversible: true,
    description: 'Remove a deploy key from a project (DELETE /projects/:id/deploy_keys/:key_id); rollback re-adds the same public key with its title and push access (under a new id).' },
];

const OP_REF: Record<string, ParsedRef['type'][]> = {
  'revoke-access-token': ['project_access_token', 'group_access_token', 'personal_access_token'],
  'revoke-deploy-token': ['project_deploy_token', 'group_deploy_token'],
  'remove-deploy-key': ['deploy_key'],
};

export function gitlabRemediation(): Remediation<GitLabOptions> {
  const apiFor = (ctx: ConnectorContext<GitLabOptions>, t: Target) =>
    createClient({ options: ctx.options, env: ctx.env, http: { ...ctx.http(t.tenant), cache: null }, signal: ctx.signal }).api();

  const target = (t: Target, operation?: string): ParsedRef => {
    const p = parseRef(t.ref);
    if (!p) throw new Error(`not a GitLab ref this connector can act on: ${t.ref}`);
    if (operation && !OP_REF[operation]?.includes(p.type)) throw new Error(`operation ${operation} does not apply to ${t.ref} (${p.type})`);
    return p;
  };
  const gone = (evidence: Record<string, unknown>): TargetState => ({ exists: false, active: false, last_used_at: null, state: evidence });
  const get404 = async <T>(fn: () => Promise<T>): Promise<T | null> => {
    try { return await fn(); } catch (e) { if (statusOf(e) === 404) return null; throw e; }
  };
  const date = (v: unknown) => (typeof v === 'string' && v ? new Date(v) : null);

  async function read(ctx: ConnectorContext<GitLabOptions>, t: Target): Promise<TargetState> {
    const p = target(t);
    const api = apiFor(ctx, t);
    switch (p.type) {
      case 'project_access_token': case 'group_access_token': {
        const res = p.type === 'project_access_token' ? api.ProjectAccessTokens : api.GroupAccessTokens;
        const x = await get404(() => res.show(p.path, p.id)) as { name: string; active: boolean; revoked: boolean; last_used_at: string | null; scopes: string[]; expires_at: string | null } | null;
        if (!x) return gone({ checked: p.type, resource: p.path, token_id: p.id });
        return { exists: true, active: x.active && !x.revoked, last_used_at: date(x.last_used_at), state: { name: x.name, revoked: x.revoked, active: x.active, scopes: x.scopes, expires_at: x.expires_at } };
      }
      case 'personal_access_token': {
        const x = await get404(() => api.PersonalAccessTokens.show({ tokenId: p.id })) as { name: string; active: boolean; revoked: boolean; last_used_at: string | null; user_id: number; scopes: string[] } | null;
        if (!x) return gone({ checked: 'personal access token', token_id: p.id });
        return { exists: true, active: x.active && !x.revoked, last_used_at: date(x.last_used_at), state: { name: x.name, revoked: x.revoked, active: x.active, user_id: x.user_id, scopes: x.scopes } };
      }
      case 'project_deploy_token': case 'group_deploy_token': {
        const where = p.type === 'project_deploy_token' ? { projectId: p.path } : { groupId: p.path };
        const x = await get404(() => api.DeployTokens.show(p.id, where)) as { name: string; username: string; revoked?: boolean; expired?: boolean; scopes: string[] } | null;
        if (!x) return gone({ checked: p.type, resource: p.path, token_id: p.id });
        return { exists: true, active: !x.revoked && !x.expired, last_used_at: null, state: { name: x.name, username: x.username, revoked: !!x.revoked, expired: !!x.expired, scopes: x.scopes } };
      }
      case 'deploy_key': {
        const x = await get404(() => api.DeployKeys.show(p.path, p.id)) as { title: string; key: string; can_push?: boolean; expires_at: string | null } | null;
        if (!x) return gone({ checked: 'deploy key', resource: p.path, key_id: p.id });
        const expired = !!x.expires_at && Date.parse(x.expires_at) <= Date.now();
        // The public key is kept so rollback can re-add it: a public key is not a secret.
        return { exists: true, active: !expired, last_used_at: null, state: { title: x.title, key: x.key, can_push: !!x.can_push, expires_at: x.expires_at } };
      }
    }
  }

  return {
    actions: ACTIONS,
    read,
    async execute(ctx, operation, t) {
      const p = target(t, operation);
      const api = apiFor(ctx, t);
      switch (p.type) {
        case 'project_access_token': await api.ProjectAccessTokens.revoke(p.path, p.id); break;
        case 'group_access_token': await api.GroupAccessTokens.revoke(p.path, p.id); break;
        case 'personal_access_token': await api.PersonalAccessTokens.remove({ tokenId: p.id }); break;
        case 'project_deploy_token': await api.DeployTokens.remove(p.id, { projectId: p.path }); break;
        case 'group_deploy_token': await api.DeployTokens.remove(p.id, { groupId: p.path }); break;
        case 'deploy_key': await api.DeployKeys.remove(p.path, p.id); break;
      }
      return { operation, ref: t.ref, status: 204 };
    },
    async verify(ctx, operation, t) {
      target(t, operation);
      const after = await read(ctx, t);
      return { ok: !after.exists || !after.active, evidence: { read_at: new Date().toISOString(), exists: after.exists, active: after.active, ...after.state } };
    },
    async rollback(ctx, operation, t, before) {
      const p = target(t, operation);
      if (!before.exists) return { operation, ref: t.ref, restored: false, reason: 'it did not exist before' };
      if (p.type !== 'deploy_key') throw new NotReversibleError(`${operation} cannot be undone on GitLab (a revoked token stays revoked): ${t.ref}`);
      const s = before.state as { title: string; key: string; can_push: boolean; expires_at: string | null };
      const created = await apiFor(ctx, t).DeployKeys.create(p.path, s.title, s.key, { canPush: s.can_push, ...(s.expires_at ? { expiresAt: s.expires_at } : {}) }) as { id: number };
      return { operation, ref: t.ref, restored: true, new_key_id: created.id };
    },
  };
}
