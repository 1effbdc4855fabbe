import { describe, expect, it } from 'vitest';
import { buildContext } from '../../../src/pipeline/collect.js';
import { connector } from '../../../src/connectors/gitlab/index.js';
import type { ConnectorContext, Target } from '../../../src/connectors/types.js';
import { NotReversibleError } from '../../../src/connectors/types.js';
import type { GitLabOptions } from '../../../src/connectors/gitlab/options.js';
import { generateEstate, READ_TOKEN, sshKey } from '../../../src/sim/gitlab/estate.js';
import { silentLogger } from '../../../src/log.js';
import { setup } from './helpers.js';

const remediation = connector.remediation!;

function target(ref: string, kind: string): Target {
  return { provider: 'gitlab', tenant: 'acme', source: 'gl', subject: 'credential', ref, kind, identity_ref: null, resource_ref: null, permission: null, attributes: null };
}

async function context(token?: string) {
  const estate = generateEstate({ projects: 6, seed: 21 });
  const p = estate.projects[0]!;
  p.accessTokens[0]!.revoked = false; p.accessTokens[0]!.active = true; p.accessTokens[0]!.expires_at = '2099-01-01';
  p.deployKeys = [{ id: 501, title: 'deploy', key: sshKey(9), created_at: '2024-01-01T00:00:00Z', expires_at: null, can_push: true }];
  p.deployTokens = [{ id: 601, name: 'old-deploy', username: 'gitlab+deploy-token-601', expires_at: null, revoked: false, expired: false, scopes: ['read_repository'] }];
  estate.groups[0]!.accessTokens[0]!.revoked = false; estate.groups[0]!.accessTokens[0]!.active = true; estate.groups[0]!.accessTokens[0]!.expires_at = '2099-01-01';
  const t = await setup({ estate, token });
  const ctx = buildContext(t.loaded.config.sources[0]!, t.loaded.sourceOptions.get('gl') as GitLabOptions, {
    runId: 'r1', log: silentLogger, now: new Date(), env: t.env, signal: new AbortController().signal, cache: null,
  }) as ConnectorContext<GitLabOptions>;
  return { ...t, ctx, estate, p };
}

async function roundTrip(ctx: ConnectorContext<GitLabOptions>, operation: string, tg: Target) {
  const before = await remediation.read(ctx, tg);
  expect(before).toMatchObject({ exists: true, active: true });
  await remediation.execute(ctx, operation, tg, before);
  const v = await remediation.verify(ctx, operation, tg);
  expect(v.ok).toBe(true);
  return { before, v };
}

describe('gitlab connector: remediation', () => {
  it('declares the operations of the issue, only removing a deploy key as reversible', () => {
    expect(remediation.actions.map((a) => [a.operation, a.reversible])).toEqual([['revoke-access-token', false], ['revoke-deploy-token', false], ['remove-deploy-key', true]]);
  });

  it('revokes a project access token, and the read-back shows it revoked (its bot loses the membership)', async () => {
    const { ctx, p } = await context();
    const tok = p.accessTokens[0]!;
    const tg = target(`gitlab:acme/proj-000/-/project_access_token/${tok.id}`, 'access_token');
    const { v } = await roundTrip(ctx, 'revoke-access-token', tg);
    expect(v.evidence).toMatchObject({ exists: true, active: false, revoked: true });
    expect(p.members.some((m) => m.user_id === tok.user_id)).toBe(false);
    await expect(remediation.rollback!(ctx, 'revoke-access-token', tg, await remediation.read(ctx, tg))).rejects.toBeInstanceOf(NotReversibleError);
  });

  it('revokes a group access token and a personal access token', async () => {
    const { ctx, estate } = await context();
    const g = estate.groups[0]!.accessTokens[0]!;
    await roundTrip(ctx, 'revoke-access-token', target(`gitlab:acme/-/group_access_token/${g.id}`, 'access_token'));
    expect(g.revoked).toBe(true);
    const pat = estate.pats[0]!;
    const { v } = await roundTrip(ctx, 'revoke-access-token', target(`gitlab:acme/-/personal_access_token/${pat.id}`, 'pat'));
    expect(v.evidence).toMatchObject({ revoked: true, active: false });
    expect(pat.revoked).toBe(true);
  });

  it('revokes a deploy token: the read-back is a 404', async () => {
    const { ctx, p } = await context();
    const { v } = await roundTrip(ctx, 'revoke-deploy-token', target('gitlab:acme/proj-000/-/project_deploy_token/601', 'deploy_token'));
    expect(v.evidence).toMatchObject({ exists: false });
    expect(p.deployTokens).toEqual([]);
  });

  it('removes a deploy key, verifies it is gone, and rolls back by re-adding the same public key with push access', async () => {
    const { ctx, p } = await context();
    const tg = target('gitlab:acme/proj-000/-/deploy_key/501', 'deploy_key');
    const { before, v } = await roundTrip(ctx, 'remove-deploy-key', tg);
    expect(v.evidence).toMatchObject({ exists: false });
    expect(p.deployKeys).toEqual([]);
    expect(before.state).toMatchObject({ title: 'deploy', key: sshKey(9), can_push: true });
    const r = await remediation.rollback!(ctx, 'remove-deploy-key', tg, before);
    expect(r).toMatchObject({ restored: true, new_key_id: expect.any(Number) });
    expect(p.deployKeys).toMatchObject([{ title: 'deploy', key: sshKey(9), can_push: true }]);
  });

  it('refuses an operation on a ref of another kind, and a read_api token cannot revoke (403 insufficient_scope)', async () => {
    const { ctx, p } = await context(READ_TOKEN);
    await expect(remediation.execute(ctx, 'remove-deploy-key', target('gitlab:acme/proj-000/-/project_deploy_token/601', 'deploy_token'), { exists: true, active: true, last_used_at: null, state: {} }))
      .rejects.toThrow(/does not apply/);
    const tok = p.accessTokens[0]!;
    await expect(remediation.execute(ctx, 'revoke-access-token', target(`gitlab:acme/proj-000/-/project_access_token/${tok.id}`, 'access_token'), { exists: true, active: true, last_used_at: null, state: {} }))
      .rejects.toThrow(/403 insufficient_scope/);
    expect(tok.revoked).toBe(false);
  });
});
