import { describe, expect, it } from 'vitest';
import { buildContext } from '../../../src/pipeline/collect.js';
import { connector } from '../../../src/connectors/github/index.js';
import type { ConnectorContext, Target, SubjectType } from '../../../src/connectors/types.js';
import { NotReversibleError } from '../../../src/connectors/types.js';
import type { GitHubOptions } from '../../../src/connectors/github/options.js';
import { generateEstate } from '../../../src/sim/github/estate.js';
import { silentLogger } from '../../../src/log.js';
import { setup } from './helpers.js';

const remediation = connector.remediation!;

function target(subject: SubjectType, ref: string, kind: string | null = null): Target {
  return { provider: 'github', tenant: 'acme', source: 'gh', subject, ref, kind, identity_ref: null, resource_ref: null, permission: null, attributes: null };
}

async function context(app = false) {
  const estate = generateEstate({ repos: 6, seed: 21 });
  const org = estate.orgs[0]!;
  const repo = org.repos[0]!;
  repo.collaborators = { [org.members[3]!.login]: 'maintain', [org.outside[0]!]: 'write' };
  repo.deployKeys = [{ id: 501, title: 'deploy', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNpbXVsYXRlZCBrZXkgMDAwMDAwMDAwMDAwMDAwMA== ci', read_only: true,
    created_at: '2024-01-01T00:00:00Z', added_by: 'acme-dev1', last_used: null }];
  repo.secrets = [{ name: 'REPO_TOKEN', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }];
  repo.environments = [{ id: 1, name: 'prod env', created_at: '2024-01-01T00:00:00Z', secrets: [{ name: 'ENV_TOKEN', created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' }] }];
  org.teams[0]!.repos[repo.name] = 'admin';
  const t = await setup({ estate, app });
  const source = t.loaded.config.sources[0]!;
  const ctx = buildContext(source, t.loaded.sourceOptions.get('gh') as GitHubOptions, {
    runId: 'r1', log: silentLogger, now: new Date(), env: t.env, signal: new AbortController().signal, cache: null,
  }) as ConnectorContext<GitHubOptions>;
  return { ...t, ctx, org, repo };
}

async function roundTrip(ctx: ConnectorContext<GitHubOptions>, operation: string, tg: Target) {
  const before = await remediation.read(ctx, tg);
  expect(before.exists).toBe(true);
  const result = await remediation.execute(ctx, operation, tg, before);
  expect(result).toMatchObject({ status: expect.any(Number) });
  const v = await remediation.verify(ctx, operation, tg);
  expect(v.ok).toBe(true);
  expect(v.evidence).toMatchObject({ exists: false });
  return before;
}

describe('github connector: remediation', () => {
  it('declares every operation of the issue', () => {
    expect(remediation.actions.map((a) => a.operation).sort()).toEqual([
      'delete-deploy-key', 'delete-secret', 'remove-credential-authorization', 'remove-outside-collaborator',
      'remove-repo-collaborator', 'remove-team-repo-access', 'revoke-fine-grained-pat', 'suspend-app-installation',
    ]);
  });

  it('removes a repository collaborator, verifies, and rolls back', async () => {
    const { ctx, org, repo } = await context();
    const login = org.members[3]!.login;
    const tg = target('entitlement', `github:acme/${repo.name}/collaborator/${login}`);
    const before = await roundTrip(ctx, 'remove-repo-collaborator', tg);
    expect(before.state).toMatchObject({ permission: 'maintain' });
    expect(repo.collaborators[login]).toBeUndefined();
    await remediation.rollback!(ctx, 'remove-repo-collaborator', tg, before);
    expect(repo.collaborators[login]).toBe('maintain');
    expect((await remediation.read(ctx, tg)).exists).toBe(true);
  });

  it('removes an outside collaborator from the organisation', async () => {
    const { ctx, org, repo } = await context();
    const login = org.outside[0]!;
    const tg = target('identity', `github:acme/user/${login}`, 'user');
    const before = await roundTrip(ctx, 'remove-outside-collaborator', tg);
    expect(org.outside).not.toContain(login);
    expect(repo.collaborators[login]).toBeUndefined();
    await expect(remediation.rollback!(ctx, 'remove-outside-collaborator', tg, before)).rejects.toBeInstanceOf(NotReversibleError);
  });

  it("removes a team's access to a repository and restores it", async () => {
    const { ctx, org, repo } = await context();
    const team = org.teams[0]!;
    const tg = target('entitlement', `github:acme/${repo.name}/team/${team.slug}`);
    const before = await roundTrip(ctx, 'remove-team-repo-access', tg);
    expect(before.state).toMatchObject({ permission: 'admin' });
    await remediation.rollback!(ctx, 'remove-team-repo-access', tg, before);
    expect(team.repos[repo.name]).toBe('admin');
  });

  it('deletes a deploy key and can re-add its public key', async () => {
    const { ctx, repo } = await context();
    const tg = target('credential', `github:acme/${repo.name}/deploy_key/501`, 'deploy_key');
    const before = await roundTrip(ctx, 'delete-deploy-key', tg);
    expect(repo.deployKeys).toHaveLength(0);
    const rb = await remediation.rollback!(ctx, 'delete-deploy-key', tg, before);
    expect(rb).toMatchObject({ status: 201 });
    expect(repo.deployKeys.map((k) => k.key)).toEqual([before.state.key]);
  });

  it('deletes organisation, repository and environment secrets', async () => {
    const { ctx, org, repo } = await context();
    await roundTrip(ctx, 'delete-secret', target('credential', 'github:acme/secret/NPM_TOKEN', 'stored_secret'));
    await roundTrip(ctx, 'delete-secret', target('credential', `github:acme/${repo.name}/secret/REPO_TOKEN`, 'stored_secret'));
    await roundTrip(ctx, 'delete-secret', target('credential', `github:acme/${repo.name}/env/prod%20env/secret/ENV_TOKEN`, 'stored_secret'));
    expect(org.secrets.map((s) => s.name)).toEqual(['DEPLOY_TOKEN']);
    expect(repo.secrets).toEqual([]);
    expect(repo.environments[0]!.secrets).toEqual([]);
  });

  it('removes a SAML credential authorization', async () => {
    const { ctx, org } = await context();
    const id = org.credentialAuthorizations![0]!.credential_id;
    await roundTrip(ctx, 'remove-credential-authorization', target('credential', `github:acme/credential_authorization/${id}`, 'pat'));
    expect(org.credentialAuthorizations!.map((c) => c.credential_id)).not.toContain(id);
  });

  it("revokes a fine-grained PAT's access (App auth)", async () => {
    const { ctx, org } = await context(true);
    const id = org.pats[0]!.id;
    await roundTrip(ctx, 'revoke-fine-grained-pat', target('credential', `github:acme/fine_grained_pat/${id}`, 'fine_grained_pat'));
    expect(org.pats.map((p) => p.id)).not.toContain(id);
  });

  it('refuses an operation on a ref it does not apply to, and reads a missing target as gone', async () => {
    const { ctx, repo } = await context();
    await expect(remediation.execute(ctx, 'delete-deploy-key', target('credential', 'github:acme/secret/NPM_TOKEN'), { exists: true, active: true, last_used_at: null, state: {} }))
      .rejects.toThrow(/does not apply/);
    expect(await remediation.read(ctx, target('credential', `github:acme/${repo.name}/deploy_key/999`))).toMatchObject({ exists: false, active: false });
  });
});
