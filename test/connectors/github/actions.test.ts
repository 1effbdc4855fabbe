// Issue 17: each repository's workflows (the GITHUB_TOKEN's default access as a job_token mint edge) and the OIDC
// subject template in force, collected with as few calls as the organisation's settings allow.
import { describe, expect, it } from 'vitest';
import { collectRun } from '../../helpers/index.js';
import { generateEstate } from '../../../src/sim/github/estate.js';
import { MintFacts } from '../../../src/model/index.js';
import { FaultPlan } from '../../../src/sim/http.js';
import { refs, setup, truth } from './helpers.js';

type Row = Record<string, any>; // rows are checked field by field below

function estate() {
  const e = generateEstate({ repos: 6, seed: 5 });
  const org = e.orgs[0]!;
  org.repos.forEach((r) => { r.archived = false; });
  org.repos[5]!.archived = true;
  return { e, org };
}

async function collect(t: Awaited<ReturnType<typeof setup>>) {
  const { runId, outcomes } = await collectRun(t.store, t.loaded, { env: t.env });
  const rows = async (table: string): Promise<Row[]> => (await t.store.all<Row>(`SELECT * FROM ${table} WHERE run_id = $1 AND ref LIKE '%/workflows%' ORDER BY ref`, [runId]))
    .map((r) => ({ ...r, attributes: r.attributes ? JSON.parse(r.attributes as string) : null }));
  return { runId, outcome: outcomes[0]!, identities: await rows('identities'), entitlements: await rows('entitlements') };
}

describe('github connector: Actions workflow token and OIDC subject template', () => {
  it('a write default gives each running repository\'s workflows write (privileged with PR approval); a repository overriding to read is read', async () => {
    const { e, org } = estate();
    org.workflowPermissions = { default_workflow_permissions: 'write', can_approve_pull_request_reviews: true };
    org.repos[1]!.workflowPermissions = { default_workflow_permissions: 'read', can_approve_pull_request_reviews: false };
    const t = await setup({ estate: e, options: { skip: ['fine_grained_pats'] } });
    const r = await collect(t);
    expect(r.outcome).toMatchObject({ status: 'complete', error: null });
    expect(await refs(t.store, 'entitlements', r.runId)).toEqual([...truth(e, { pats: false }).entitlements].sort());
    const byRepo = new Map(r.entitlements.map((x) => [x.resource_ref.split('/').pop(), x]));
    // The archived repository's workflows never run: no token.
    expect([...byRepo.keys()].sort()).toEqual(org.repos.slice(0, 5).map((x) => x.name).sort());
    const w = byRepo.get(org.repos[0]!.name)!;
    expect(w).toMatchObject({ identity_ref: `github:acme/${org.repos[0]!.name}/workflows`, resource_ref: `github:acme/${org.repos[0]!.name}`, level: 'write', privileged: true,
      permission: 'default_workflow_permissions:write,can_approve_pull_request_reviews' });
    expect(MintFacts.parse(w.attributes.mint)).toMatchObject({ mechanism: 'job_token', breadth: 'pinned', missing: [], subject: `acme/${org.repos[0]!.name}`,
      target_provider: 'github', conditions: { default_workflow_permissions: 'write', can_approve_pull_request_reviews: true, set_at: 'organization' } });
    expect(byRepo.get(org.repos[1]!.name)).toMatchObject({ level: 'read', privileged: false, permission: 'default_workflow_permissions:read', attributes: { set_at: 'repository' } });
    const ident = r.identities.find((i) => i.ref === w.identity_ref)!;
    expect(ident).toMatchObject({ kind: 'workload', human: false, provider_managed: true, last_used_known: false });
    // One call per running repository, since the organisation's write default lets each one choose.
    expect(t.sim.stats.byRoute['GET /repos/{owner}/{repo}/actions/permissions/workflow']).toBe(5);
  });

  it('a read default without approval needs no per-repository call: every repository inherits it', async () => {
    const { e } = estate();
    const t = await setup({ estate: e, options: { skip: ['fine_grained_pats'] } });
    const r = await collect(t);
    expect(r.outcome).toMatchObject({ status: 'complete' });
    expect(r.entitlements.map((x) => [x.level, x.privileged, x.attributes.set_at])).toEqual(Array(5).fill(['read', false, 'organization']));
    expect(t.sim.stats.byRoute['GET /orgs/{org}/actions/permissions/workflow']).toBe(1);
    expect(t.sim.stats.byRoute['GET /repos/{owner}/{repo}/actions/permissions/workflow']).toBeUndefined();
  });

  it('records the subject template in force: the repository\'s own, GitHub\'s default, or the organisation\'s (with or without a repository claim)', async () => {
    const { e, org } = estate();
    org.oidcSubTemplate = ['repository_owner', 'context'];
    org.repos[0]!.oidcSub = { use_default: false, include_claim_keys: ['repo', 'context'] };
    org.repos[1]!.oidcSub = { use_default: true };
    // A repository opts in to its organisation's template (use_default false, no keys of its own); one that never
    // chose anything keeps GitHub's default, as GitHub documents.
    org.repos[2]!.oidcSub = { use_default: false };
    const t = await setup({ estate: e, options: { skip: ['fine_grained_pats'] } });
    const r = await collect(t);
    const subj = (i: number) => r.identities.find((x) => x.ref === `github:acme/${org.repos[i]!.name}/workflows`)!.attributes.oidc_subject;
    expect(subj(0)).toEqual({ claim_keys: ['repo', 'context'], set_at: 'repository', includes_repository: true, use_immutable_subject: null });
    expect(subj(1)).toEqual({ claim_keys: ['repo', 'context'], set_at: 'default', includes_repository: true, use_immutable_subject: null });
    expect(subj(2)).toEqual({ claim_keys: ['repository_owner', 'context'], set_at: 'organization', includes_repository: false, use_immutable_subject: null });
    expect(subj(3)).toEqual({ claim_keys: ['repo', 'context'], set_at: 'default', includes_repository: true, use_immutable_subject: null });
    expect(t.sim.stats.byRoute['GET /repos/{owner}/{repo}/actions/oidc/customization/sub']).toBe(5);
  });

  it('without the Administration permission the tenant is partial, naming the call and the permission; skipping the scopes makes no call', async () => {
    const { e } = estate();
    const t = await setup({ estate: e, options: { skip: ['fine_grained_pats'] }, sim: { forbid: /^GET \/orgs\/acme\/actions\/permissions\/workflow$/ } });
    const r = await collect(t);
    expect(r.outcome.status).toBe('partial');
    expect(r.outcome.error).toMatch(/default workflow permissions: GET http:\/\/127\.0\.0\.1:\d+\/orgs\/acme\/actions\/permissions\/workflow → 403 .*admin:org/);
    // Nothing is concluded about the token: no entitlement, the template still recorded.
    expect(r.entitlements).toEqual([]);
    expect(r.identities.every((i) => i.attributes.workflow_permissions === null && i.attributes.oidc_subject)).toBe(true);

    const s = await setup({ estate: estate().e, options: { skip: ['fine_grained_pats', 'workflow_permissions', 'actions_oidc'] } });
    const skipped = await collect(s);
    expect(skipped.outcome.status).toBe('complete');
    expect(skipped.identities).toEqual([]);
    expect(Object.keys(s.sim.stats.byRoute).filter((k) => /actions\/(permissions|oidc)/.test(k))).toEqual([]);
  });

  it('a repository answering 404 for its template has none recorded (not applicable); the tenant stays complete', async () => {
    const { e, org } = estate();
    const name = org.repos[0]!.name;
    const faults = new FaultPlan().add({ kind: 'status', status: 404, match: `/repos/acme/${name}/actions/oidc/customization/sub`, times: 1 });
    const t = await setup({ estate: e, options: { skip: ['fine_grained_pats'] }, sim: { faults } });
    const r = await collect(t);
    expect(faults.injected).toBe(1);
    expect(r.outcome).toMatchObject({ status: 'complete', error: null });
    const ident = (n: string) => r.identities.find((x) => x.ref === `github:acme/${n}/workflows`)!;
    expect(ident(name).attributes).toMatchObject({ oidc_subject: null, workflow_permissions: { default_workflow_permissions: 'read', set_at: 'organization' } });
    expect(ident(org.repos[1]!.name).attributes.oidc_subject).toMatchObject({ set_at: 'default' });
  });
});
