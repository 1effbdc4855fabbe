// Issue 17: workload identity pool members judged with their pool's providers (issuer, mapping, attribute condition,
// state), pure and through the simulator and the federation-trust-too-broad rule.
import { describe, expect, it } from 'vitest';
import { judgeWifMember, parseWifMember, type WifPool, type WifProvider } from '../../../src/connectors/gcp/wif.js';
import { seedEstate } from '../../../src/sim/gcp/seed.js';
import { policy, saEmail, type SimProvider } from '../../../src/sim/gcp/estate.js';
import { collectStage, reconcileStage } from '../../../src/pipeline/scan.js';
import { silentLogger } from '../../../src/log.js';
import { openStore, tempDir, writeConfig } from '../../helpers/index.js';
import { ENV, rows, source, startSim } from './harness.js';

const POOL = 'projects/1001/locations/global/workloadIdentityPools/gh';
const GH = 'https://token.actions.githubusercontent.com';
const MAPPING = { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository', 'attribute.repository_owner': 'assertion.repository_owner' };
const gh = (extra: Partial<WifProvider> = {}): WifProvider => ({ name: `${POOL}/providers/github`, oidc: { issuerUri: GH }, attributeMapping: MAPPING, ...extra });
const pool = (...providers: WifProvider[]): WifPool => ({ name: POOL, state: 'ACTIVE', providers });
const judge = (member: string, p: WifPool | null) => judgeWifMember(parseWifMember(`principalSet://iam.googleapis.com/${POOL}/${member}`) ?? parseWifMember(`principal://iam.googleapis.com/${POOL}/${member}`)!, p);

describe('gcp workload identity members (pure)', () => {
  it('parses the four member forms and nothing else', () => {
    expect(parseWifMember(`principalSet://iam.googleapis.com/${POOL}/*`)).toMatchObject({ kind: 'principalSet', project: '1001', pool: 'gh', poolName: POOL, select: { by: 'all' } });
    expect(parseWifMember(`principalSet://iam.googleapis.com/${POOL}/attribute.repository/acme/web`)?.select).toEqual({ by: 'attribute', attribute: 'repository', value: 'acme/web' });
    expect(parseWifMember(`principalSet://iam.googleapis.com/${POOL}/group/admins`)?.select).toEqual({ by: 'group', value: 'admins' });
    expect(parseWifMember(`principal://iam.googleapis.com/${POOL}/subject/repo:acme/web:ref:refs/heads/main`)?.select).toEqual({ by: 'subject', value: 'repo:acme/web:ref:refs/heads/main' });
    expect(parseWifMember('principalSet://iam.googleapis.com/locations/global/workforcePools/staff/*')).toBeNull();
    expect(parseWifMember('serviceAccount:a@p.iam.gserviceaccount.com')).toBeNull();
  });

  it('whole pool, GitHub provider without condition: anyone on GitHub Actions (issuer-wide)', () => {
    expect(judge('*', pool(gh())).edge).toMatchObject({ issuer: GH, breadth: 'issuer_wide', missing: ['attribute_condition'], subject: null });
  });

  it('near miss: whole pool with a condition pinning the repository is pinned', () => {
    expect(judge('*', pool(gh({ attributeCondition: "assertion.repository == 'acme/web'" }))).edge).toMatchObject({ breadth: 'pinned', missing: [] });
    expect(judge('*', pool(gh({ attributeCondition: "attribute.repository in ['acme/web', 'acme/api'] && assertion.ref == 'refs/heads/main'" }))).edge?.breadth).toBe('pinned');
    expect(judge('*', pool(gh({ attributeCondition: "assertion.sub.startsWith('repo:acme/web:')" }))).edge?.breadth).toBe('pinned');
  });

  it('a condition pinning only the owner: every repository of it (wildcard subject, missing repository)', () => {
    expect(judge('*', pool(gh({ attributeCondition: "assertion.repository_owner == 'acme'" }))).edge).toMatchObject({ breadth: 'wildcard_subject', missing: ['repository'], subject: "assertion.repository_owner == acme" });
    expect(judge('*', pool(gh({ attributeCondition: "assertion.repository.startsWith('acme/')" }))).edge?.breadth).toBe('wildcard_subject');
    // 'acme' alone also matches acme-evil/…: no owner pin.
    expect(judge('*', pool(gh({ attributeCondition: "assertion.repository.startsWith('acme')" }))).edge).toMatchObject({ breadth: 'issuer_wide', missing: ['repository_owner', 'repository'] });
  });

  it('a condition not read as narrowing is not taken as narrowing, and the edge says so', () => {
    const j = judge('*', pool(gh({ attributeCondition: "assertion.repository.matches('^acme/web$')" })));
    expect(j.edge).toMatchObject({ breadth: 'issuer_wide', missing: ['repository_owner', 'repository'] });
    expect(j.assumptions.join(' ')).toMatch(/not read as narrowing/);
    // A disjunction is as broad as its broadest branch.
    expect(judge('*', pool(gh({ attributeCondition: "assertion.repository == 'acme/web' || assertion.repository_owner == 'acme'" }))).edge?.breadth).toBe('wildcard_subject');
    // A pinned branch AND an unread one stays pinned: the unread part can only narrow further.
    expect(judge('*', pool(gh({ attributeCondition: "assertion.repository == 'acme/web' && size(assertion.x) > 0" }))).edge?.breadth).toBe('pinned');
  });

  it('attribute.repository pins a repository only when mapped from assertion.repository', () => {
    expect(judge('attribute.repository/acme/web', pool(gh())).edge).toMatchObject({ breadth: 'pinned', subject: 'attribute.repository (assertion.repository) == acme/web' });
    // Near miss: mapped from the owner claim, the "repository" attribute names an owner.
    expect(judge('attribute.repository/acme', pool(gh({ attributeMapping: { ...MAPPING, 'attribute.repository': 'assertion.repository_owner' } }))).edge)
      .toMatchObject({ breadth: 'wildcard_subject', missing: ['repository'] });
    // Mapped by an expression we do not read: not a repository pin.
    const computed = judge('attribute.repository/acme/web', pool(gh({ attributeMapping: { ...MAPPING, 'attribute.repository': "assertion.repository.split('/')[0]" } })));
    expect(computed.edge?.breadth).toBe('issuer_wide');
    expect(computed.assumptions.join(' ')).toMatch(/not read as a repository or owner pin/);
    // Not mapped at all: no token carries it, the member admits nobody.
    const unmapped = judge('attribute.repository/acme/web', pool(gh({ attributeMapping: { 'google.subject': 'assertion.sub' } })));
    expect(unmapped.edge).toBeNull();
    expect(unmapped.nobody).toMatch(/maps no attribute\.repository/);
  });

  it('a principal subject mapped from sub pins the repository', () => {
    expect(judge('subject/repo:acme/web:ref:refs/heads/main', pool(gh())).edge?.breadth).toBe('pinned');
  });

  it('disabled or deleted providers and pools admit nobody; the broadest live provider decides', () => {
    expect(judge('*', pool(gh({ disabled: true }))).nobody).toMatch(/no active provider/);
    expect(judge('*', pool(gh({ state: 'DELETED' }))).nobody).toMatch(/no active provider/);
    expect(judge('*', { ...pool(gh()), disabled: true }).nobody).toMatch(/is disabled/);
    expect(judge('*', { ...pool(gh()), state: 'DELETED' }).nobody).toMatch(/is deleted/);
    expect(judge('*', null).nobody).toMatch(/does not exist/);
    const two = judge('*', pool(gh({ attributeCondition: "assertion.repository == 'acme/web'" }), gh({ name: `${POOL}/providers/old` })));
    expect(two.edge).toMatchObject({ provider: `${POOL}/providers/old`, breadth: 'issuer_wide' });
    expect(judge('*', pool(gh({ attributeCondition: "assertion.repository == 'acme/web'" }), gh({ name: `${POOL}/providers/old`, disabled: true }))).edge?.breadth).toBe('pinned');
  });

  it('GitLab.com: namespace only vs project', () => {
    const gl = (cond: string): WifProvider => ({ name: `${POOL}/providers/gl`, oidc: { issuerUri: 'https://gitlab.com' }, attributeMapping: { 'google.subject': 'assertion.sub' }, attributeCondition: cond });
    expect(judge('*', pool(gl("assertion.namespace_path == 'acme'"))).edge).toMatchObject({ breadth: 'wildcard_subject', missing: ['project_path'] });
    expect(judge('*', pool(gl("assertion.project_path == 'acme/web'"))).edge?.breadth).toBe('pinned');
  });

  it('AWS provider: any principal of the account unless a condition names the role', () => {
    const aws = (cond?: string): WifProvider => ({ name: `${POOL}/providers/aws`, aws: { accountId: '123456789012' }, ...(cond ? { attributeCondition: cond } : {}) });
    expect(judge('*', pool(aws())).edge).toMatchObject({ breadth: 'any_account', missing: ['attribute_condition'], issuer: 'arn:aws:iam::123456789012:root' });
    expect(judge('*', pool(aws("attribute.aws_role == 'arn:aws:sts::123456789012:assumed-role/deployer'"))).edge?.breadth).toBe('pinned');
    // The default AWS mapping defines attribute.aws_role.
    expect(judge('attribute.aws_role/arn:aws:sts::123456789012:assumed-role/deployer', pool(aws())).edge?.breadth).toBe('pinned');
  });

  it('an issuer not known as shared is taken as the organisation\'s own, and says so', () => {
    const own = judge('*', pool({ name: `${POOL}/providers/eks`, oidc: { issuerUri: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC' }, attributeMapping: { 'google.subject': 'assertion.sub' } }));
    expect(own.edge).toMatchObject({ breadth: 'wildcard_subject', missing: ['attribute_condition'] });
    expect(own.assumptions.join(' ')).toMatch(/taken as the organisation's own/);
  });
});

describe('gcp workload identity through the simulator and the rule', () => {
  it('an admin account trusted by a whole GitHub pool without condition is critical; a conditioned pool, an unmapped attribute and a disabled provider are not findings', async () => {
    const estate = seedEstate();
    const web = estate.projects.find((p) => p.projectId === 'acme-web')!;
    const provider = (id: string, extra: Partial<SimProvider> = {}): SimProvider => ({ id, oidc: { issuerUri: GH }, attributeMapping: MAPPING, ...extra });
    web.workloadIdentityPools = [
      { id: 'gh-legacy', providers: [provider('github')] },
      { id: 'gh-pinned', providers: [provider('github', { attributeCondition: "assertion.repository == 'acme/web' && assertion.ref == 'refs/heads/main'" })] },
      { id: 'gh-off', providers: [provider('github', { disabled: true }), provider('old', { state: 'DELETED' })] },
    ];
    const member = (pool: string, sel: string) => `principalSet://iam.googleapis.com/projects/1001/locations/global/workloadIdentityPools/${pool}/${sel}`;
    const sa = (id: string) => `serviceAccount:${saEmail('acme-web', id)}`;
    web.policy.bindings.push({ role: 'roles/owner', members: [sa('gh-admin'), sa('gh-deploy')] });
    web.serviceAccounts.push(
      { accountId: 'gh-admin', uniqueId: '110000000000000000010', keys: [], policy: policy([{ role: 'roles/iam.workloadIdentityUser', members: [member('gh-legacy', '*'), member('gh-off', '*')] }]) },
      { accountId: 'gh-deploy', uniqueId: '110000000000000000011', keys: [], policy: policy([{ role: 'roles/iam.workloadIdentityUser', members: [member('gh-pinned', '*'), member('gh-legacy', 'attribute.ref/main')] }]) },
    );
    const sim = await startSim(estate);
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [source(sim)], authority: { required: false } });
    const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: ENV });
    const runId = run.run_id;
    expect(outcomes.every((o) => o.status === 'complete')).toBe(true);
    // Pools and providers are listed with deleted ones shown, paged (page size 2).
    expect(sim.log).toContain('GET /v1/projects/1001/locations/global/workloadIdentityPools');
    expect(sim.log).toContain('GET /v1/projects/1001/locations/global/workloadIdentityPools/gh-off/providers');
    const ents = await rows(store, 'entitlements', runId, "identity_ref LIKE 'principalSet://%'");
    const attrs = (m: string) => JSON.parse(ents.find((e) => e.identity_ref === m)!.attributes as string);
    expect(attrs(member('gh-legacy', '*')).mint).toMatchObject({ mechanism: 'workload_identity', issuer: GH, breadth: 'issuer_wide', missing: ['attribute_condition'] });
    expect(attrs(member('gh-pinned', '*')).mint).toMatchObject({ breadth: 'pinned', subject: expect.stringContaining('assertion.repository == acme/web') });
    // attribute.ref is not mapped by the provider: no token carries it.
    expect(attrs(member('gh-legacy', 'attribute.ref/main')).mint).toBeUndefined();
    expect(attrs(member('gh-legacy', 'attribute.ref/main')).workload_identity).toMatchObject({ admits_nobody: true, reason: expect.stringMatching(/maps no attribute\.ref/) });
    expect(attrs(member('gh-off', '*')).workload_identity).toMatchObject({ admits_nobody: true, reason: expect.stringMatching(/no active provider/) });
    // The existing seed's repository-pinned member stays a pinned edge.
    expect(JSON.parse((await rows(store, 'entitlements', runId, "identity_ref LIKE '%/github/attribute.repository/acme/web'"))[0]!.attributes as string).mint.breadth).toBe('pinned');

    await reconcileStage(store, loaded, runId);
    const fed = await store.all<{ subject_ref: string; severity: string; reason: string }>("SELECT subject_ref, severity, reason FROM findings WHERE rule_id = 'federation-trust-too-broad' ORDER BY subject_ref");
    expect(fed.map((f) => f.subject_ref).sort()).toEqual([`projects/acme-web/serviceAccounts/${saEmail('acme-web', 'gh-admin')}|roles/iam.workloadIdentityUser|${member('gh-legacy', '*')}`]);
    expect(fed[0]).toMatchObject({ severity: 'critical' });
    expect(fed[0]!.reason).toMatch(/anyone holding a token of https:\/\/token\.actions\.githubusercontent\.com without attribute_condition/);
  });

  it('pools that cannot be read leave the member judged alone, say so, and make the tenant partial', async () => {
    const estate = seedEstate();
    const web = estate.projects.find((p) => p.projectId === 'acme-web')!;
    const elsewhere = 'principalSet://iam.googleapis.com/projects/9999/locations/global/workloadIdentityPools/gh/*';
    web.serviceAccounts[0]!.policy = policy([{ role: 'roles/iam.workloadIdentityUser', members: [elsewhere] }]);
    const sim = await startSim(estate);
    const dir = tempDir();
    const store = await openStore(dir);
    const loaded = await writeConfig(dir, { sources: [source(sim)], authority: { required: false } });
    const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger, env: ENV });
    expect(outcomes.find((o) => o.tenant === 'acme-web')).toMatchObject({ status: 'partial' });
    expect(outcomes.filter((o) => o.tenant !== 'acme-web').every((o) => o.status === 'complete')).toBe(true);
    const [e] = await rows(store, 'entitlements', run.run_id, `identity_ref = '${elsewhere}'`);
    const mint = JSON.parse(e!.attributes as string).mint;
    expect(mint).toMatchObject({ breadth: 'wildcard_subject', issuer: null });
    expect(mint.conditions.assumptions.join(' ')).toMatch(/providers of projects\/9999\/locations\/global\/workloadIdentityPools\/gh unreadable \(HTTP 403/);
  });
});
