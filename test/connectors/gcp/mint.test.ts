// Issue 17: who may obtain credentials as a GCP service account, and impersonation chains to an admin account.
import { describe, expect, it } from 'vitest';
import { impersonationChains, isMintRole, memberBreadth } from '../../../src/connectors/gcp/mint.js';
import { seedEstate } from '../../../src/sim/gcp/seed.js';
import { policy, saEmail } from '../../../src/sim/gcp/estate.js';
import { collectGcp, rows, startSim } from './harness.js';

const lv = (m: Record<string, string>) => (r: string) => (m[r] as never) ?? null;

describe('gcp mint edges (pure)', () => {
  it('a depth-2 chain to an admin account is found; a broken chain (middle link missing) is not', () => {
    const links = [{ from: 'user:a', to: 'sa/runner' }, { from: 'sa/runner', to: 'sa/admin' }];
    expect(impersonationChains(links, lv({ 'sa/admin': 'owner', 'sa/runner': 'read' }))).toEqual([
      { origin: 'user:a', target: 'sa/admin', path: ['user:a', 'sa/runner', 'sa/admin'], depth: 2 }]);
    expect(impersonationChains([links[0]!, { from: 'sa/other', to: 'sa/admin' }], lv({ 'sa/admin': 'owner' }))).toEqual([]);
    // A direct link is the mint edge itself, not a chain; a chain ending at a non-admin account is none.
    expect(impersonationChains([{ from: 'user:a', to: 'sa/admin' }], lv({ 'sa/admin': 'owner' }))).toEqual([]);
    expect(impersonationChains(links, lv({ 'sa/admin': 'write' }))).toEqual([]);
  });

  it('depth is bounded at 4 and cycles end', () => {
    const chain = ['o', 's1', 's2', 's3', 's4', 's5'];
    const links = chain.slice(1).map((to, i) => ({ from: chain[i]!, to }));
    expect(impersonationChains(links, lv({ s4: 'admin' })).map((c) => [c.origin, c.depth])).toContainEqual(['o', 4]);
    expect(impersonationChains(links, lv({ s5: 'admin' })).map((c) => [c.origin, c.depth])).not.toContainEqual(['o', 5]);
    expect(impersonationChains([{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }], lv({}))).toEqual([]);
  });

  it('impersonation roles and member breadth', () => {
    expect(isMintRole('roles/iam.serviceAccountTokenCreator', null)).toBe(true);
    expect(isMintRole('projects/p/roles/custom', ['iam.serviceAccounts.getAccessToken'])).toBe(true);
    expect(isMintRole('roles/editor', ['iam.serviceAccounts.actAs'])).toBe(false);
    expect(isMintRole('roles/logging.logWriter', ['logging.logEntries.create'])).toBe(false);
    expect(memberBreadth('public', 'allUsers')).toBe('anyone');
    expect(memberBreadth('public', 'allAuthenticatedUsers')).toBe('issuer_wide');
    expect(memberBreadth('domain', 'domain:acme.example')).toBe('wildcard_subject');
    expect(memberBreadth('principalSet', 'principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/*')).toBe('wildcard_subject');
    expect(memberBreadth('user', 'user:a@acme.example')).toBe('pinned');
  });
});

describe('gcp mint edges through the simulator', () => {
  it('reads each service account\'s policy: tokenCreator bindings are mint edges, and a depth-2 chain to an owner account is a derived entitlement', async () => {
    const estate = seedEstate();
    const ops = estate.projects.find((p) => p.projectId === 'acme-ops')!;
    const sa = (id: string) => `serviceAccount:${saEmail('acme-ops', id)}`;
    ops.policy.bindings.push({ role: 'roles/owner', members: [sa('ops-admin')] });
    ops.serviceAccounts.push(
      { accountId: 'ops-admin', uniqueId: '130000000000000000009', keys: [], policy: policy([{ role: 'roles/iam.serviceAccountTokenCreator', members: [sa('ops-runner')] }]) },
      { accountId: 'ops-runner', uniqueId: '130000000000000000008', keys: [], policy: policy([{ role: 'roles/iam.serviceAccountTokenCreator', members: ['group:ops@acme.example', 'allAuthenticatedUsers'] }]) },
    );
    const sim = await startSim(estate);
    const { store, runId } = await collectGcp(sim);
    const mint = await rows(store, 'entitlements', runId, "json_exists(attributes, '$.mint')");
    const ref = (id: string) => `projects/acme-ops/serviceAccounts/${saEmail('acme-ops', id)}`;
    const edge = (identity: string, target: string) => mint.find((e) => e.identity_ref === identity && e.resource_ref === target);
    expect(JSON.parse(edge(ref('ops-runner'), ref('ops-admin'))!.attributes as string).mint).toMatchObject({ mechanism: 'impersonation', breadth: 'pinned', target_ref: ref('ops-admin') });
    expect(JSON.parse(edge('allAuthenticatedUsers', ref('ops-runner'))!.attributes as string).mint.breadth).toBe('issuer_wide');
    const chain = edge('group:ops@acme.example', ref('ops-admin'))!;
    expect(chain).toMatchObject({ permission: 'impersonation-chain', level: 'owner', via: 'inherited', path: `group:ops@acme.example -> ${ref('ops-runner')} -> ${ref('ops-admin')}` });
    expect(JSON.parse(chain.attributes as string).chain.depth).toBe(2);
    // The runner itself reaches the owner account in one link: its mint edge, no chain row.
    expect(mint.filter((e) => e.identity_ref === ref('ops-runner') && e.permission === 'impersonation-chain')).toEqual([]);
  });
});
