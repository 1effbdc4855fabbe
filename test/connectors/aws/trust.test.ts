// Issue 17: role trust policies become mint edges whose breadth is computed from the Principal and Condition.
import { describe, expect, it } from 'vitest';
import { trustEdges } from '../../../src/connectors/aws/trust.js';
import { mapIam } from '../../../src/connectors/aws/map.js';

const ACCT = '111122223333';
const ROLE = `arn:aws:iam::${ACCT}:role/deploy`;
const GH = `arn:aws:iam::${ACCT}:oidc-provider/token.actions.githubusercontent.com`;
const known = (a: string) => (a === `arn:aws:iam::${ACCT}:user/ci` ? { ref: a, name: 'ci' } : null);
const edges = (...Statement: unknown[]) => trustEdges({ Statement }, { account: ACCT, partition: 'aws', roleArn: ROLE, knownPrincipal: known });
const web = (Condition?: unknown) => ({ Effect: 'Allow', Principal: { Federated: GH }, Action: 'sts:AssumeRoleWithWebIdentity', ...(Condition ? { Condition } : {}) });
const breadth = (es: ReturnType<typeof edges>) => es.map((e) => e.mint.breadth);

describe('aws trust policies as mint edges', () => {
  it('GitHub OIDC: a pinned sub is pinned, a branch wildcard is a wildcard subject, an owner wildcard or no sub is issuer-wide', () => {
    const pinned = edges(web({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/web:ref:refs/heads/main', 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }));
    expect(pinned).toHaveLength(1);
    expect(pinned[0]).toMatchObject({ subjectRef: 'oidc:token.actions.githubusercontent.com#repo:acme/web:ref:refs/heads/main', pipeline: 'acme/web',
      mint: { mechanism: 'oidc', breadth: 'pinned', missing: [], audience: 'sts.amazonaws.com', target_ref: ROLE, issuer: 'token.actions.githubusercontent.com' } });
    expect(breadth(edges(web({ StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/web:*' }, StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } })))).toEqual(['wildcard_subject']);
    expect(breadth(edges(web({ StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } })))).toEqual(['issuer_wide']);
    const none = edges(web({ StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }));
    expect(none[0]).toMatchObject({ subjectRef: 'oidc:token.actions.githubusercontent.com', mint: { breadth: 'issuer_wide', missing: ['sub'] } });
    // IAM checks the audience against the provider's client-id list: a missing aud test is no gap of the trust.
    expect(edges(web({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/web:ref:refs/heads/main' } }))[0]!.mint.missing).toEqual([]);
    expect(edges(web())[0]!.mint.missing).toEqual(['sub']);
  });

  it('GitHub OIDC: a customised subject without a repository claim is the same for every repository of the owner: a wildcard subject missing repository', () => {
    const sub = (v: string, op = 'StringEquals') => edges(web({ [op]: { 'token.actions.githubusercontent.com:sub': v } }))[0]!;
    // Templates ["repository_owner"] and ["repository_owner_id", "environment"]: every repository of acme presents these.
    expect(sub('repository_owner:acme')).toMatchObject({ pipeline: null, mint: { breadth: 'wildcard_subject', missing: ['repository'], subject: 'repository_owner:acme' } });
    expect(sub('repository_owner_id:123:environment:prod')).toMatchObject({ mint: { breadth: 'wildcard_subject', missing: ['repository'] } });
    expect(sub('repository_owner:acme:*', 'StringLike').mint).toMatchObject({ breadth: 'wildcard_subject', missing: ['repository'] });
    // No owner claim either: any organisation that customises its template the same way presents this subject.
    expect(sub('environment:prod').mint).toMatchObject({ breadth: 'issuer_wide', missing: ['repository'] });
    // Near misses: a customised template that includes the repository (repo, repository_id) pins it.
    expect(sub('repository_owner:acme:repo:acme/web:environment:prod').mint).toMatchObject({ breadth: 'pinned', missing: [] });
    expect(sub('repository_owner_id:123:repository_id:456:ref:refs/heads/main').mint).toMatchObject({ breadth: 'pinned', missing: [] });
    expect(sub('repo:acme/web:environment:prod').mint).toMatchObject({ breadth: 'pinned', missing: [] });
    expect(sub('repo:acme/web:pull_request').mint).toMatchObject({ breadth: 'pinned', missing: [] });
    // A value the template format does not explain is left as the trust states it.
    expect(sub('something-else').mint).toMatchObject({ breadth: 'pinned', missing: [] });
  });

  it('a "*" under StringEquals is a literal, not a wildcard; negated and IfExists tests do not constrain', () => {
    expect(breadth(edges(web({ StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/web:*' } })))).toEqual(['pinned']);
    expect(breadth(edges(web({ StringNotLike: { 'token.actions.githubusercontent.com:sub': 'repo:evil/*' } })))).toEqual(['issuer_wide']);
    expect(breadth(edges(web({ StringLikeIfExists: { 'token.actions.githubusercontent.com:sub': 'repo:acme/web:*' } })))).toEqual(['issuer_wide']);
    expect(breadth(edges(web({ 'ForAnyValue:StringLike': { 'token.actions.githubusercontent.com:sub': 'repo:acme/web:*' } })))).toEqual(['wildcard_subject']);
  });

  it('GitLab and EKS issuers: the subject claim under the provider host', () => {
    const gl = `arn:aws:iam::${ACCT}:oidc-provider/gitlab.com`;
    const eks = `arn:aws:iam::${ACCT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`;
    const st = (f: string, c: unknown) => ({ Effect: 'Allow', Principal: { Federated: f }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: c });
    expect(edges(st(gl, { StringLike: { 'gitlab.com:sub': 'project_path:acme/*:ref_type:branch:ref:main' } }))[0]!.mint.breadth).toBe('wildcard_subject');
    expect(edges(st(gl, { StringEquals: { 'gitlab.com:sub': 'project_path:acme/infra:ref_type:branch:ref:main' } }))[0]).toMatchObject({ pipeline: 'acme/infra', mint: { breadth: 'pinned' } });
    expect(edges(st(eks, { StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub': 'system:serviceaccount:prod:app' } }))[0]!.mint.breadth).toBe('pinned');
    expect(edges(st(eks, { StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com' } }))[0]!.mint.breadth).toBe('issuer_wide');
  });

  it('cross-account: ExternalId absent is missing, present is not; another account root is any_account', () => {
    const other = (Condition?: unknown) => ({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole', ...(Condition ? { Condition } : {}) });
    expect(edges(other())[0]).toMatchObject({ subjectRef: 'aws-account:999988887777', mint: { breadth: 'any_account', missing: ['sts:ExternalId'] } });
    expect(edges(other({ StringEquals: { 'sts:ExternalId': 'acme-7f3a' } }))[0]!.mint.missing).toEqual([]);
    const role = edges({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:role/vendor' }, Action: 'sts:AssumeRole' });
    expect(role[0]).toMatchObject({ subjectRef: 'arn:aws:iam::999988887777:role/vendor', subjectKind: 'workload', mint: { breadth: 'pinned', missing: ['sts:ExternalId'] } });
  });

  it('"*" is anyone unless an organisation, account or principal condition narrows it; NotPrincipal is anyone', () => {
    expect(edges({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })[0]).toMatchObject({ subjectRef: '*', subjectKind: 'public', mint: { breadth: 'anyone' } });
    expect(edges({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } })[0]!.mint.breadth).toBe('any_account');
    expect(edges({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/ci-*` } } })[0]!.mint.breadth).toBe('wildcard_subject');
    expect(edges({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/ci' } } })[0]!.mint.breadth).toBe('anyone');
    expect(edges({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' })[0]!.mint.breadth).toBe('anyone');
  });

  it('same account: a named principal is pinned to its identity; the account root, services, Deny and TagSession-only statements are no edges', () => {
    expect(edges({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:user/ci` }, Action: 'sts:AssumeRole' })[0]).toMatchObject({ subjectRef: `arn:aws:iam::${ACCT}:user/ci`, subjectKind: null, mint: { breadth: 'pinned', missing: [] } });
    expect(edges({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'sts:AssumeRole' })).toEqual([]);
    expect(edges({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' })).toEqual([]);
    expect(edges({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' })).toEqual([]);
    expect(edges({ Effect: 'Allow', Principal: '*', Action: 'sts:TagSession' })).toEqual([]);
    expect(edges({ Effect: 'Allow', Principal: '*', Action: 'sts:*' })[0]!.mint.breadth).toBe('anyone');
  });

  it('SAML: the issuer is pinned; a SAML:sub pattern is a wildcard subject', () => {
    const saml = `arn:aws:iam::${ACCT}:saml-provider/okta`;
    const e = edges({ Effect: 'Allow', Principal: { Federated: saml }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } });
    expect(e[0]).toMatchObject({ subjectRef: `saml:${saml}`, mint: { mechanism: 'saml', breadth: 'pinned', missing: [] } });
    expect(edges({ Effect: 'Allow', Principal: { Federated: saml }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringLike: { 'SAML:sub': '*@acme.example' } } })[0]!.mint.breadth).toBe('wildcard_subject');
  });

  it('mapIam emits the trusted subject once and an entitlement per role at the role\'s own level', () => {
    const ids: any[] = [];
    const ents: any[] = [];
    const trust = { Statement: [web({ StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' } })] };
    const role = (name: string) => ({ RoleName: name, RoleId: `AROA${name}`, Arn: `arn:aws:iam::${ACCT}:role/${name}`, Path: '/', CreateDate: '2024-01-01T00:00:00Z', AssumeRolePolicyDocument: trust, RolePolicyList: [], AttachedManagedPolicies: [], Tags: [{ Key: 'owner', Value: 'alice' }] });
    const eff = (level: string) => ({ level, privileged: level === 'admin', classification: level === 'admin' ? 'administrator' : 'read', escalationPaths: [], evidence: [] });
    mapIam({
      account: ACCT, partition: 'aws', report: null, extraKeys: new Map(), policies: new Map(), privileges: new Map(),
      principals: new Map([[`arn:aws:iam::${ACCT}:role/admin`, eff('admin')], [`arn:aws:iam::${ACCT}:role/reader`, eff('read')]]) as never,
      details: { UserDetailList: [], GroupDetailList: [], Policies: [], RoleDetailList: [role('admin'), role('reader')] } as never,
    }, { identity: (r) => ids.push(r), credential: () => undefined, entitlement: (r) => ents.push(r), partial: () => undefined, http: undefined as never });
    const subj = 'oidc:token.actions.githubusercontent.com#repo:acme/*';
    expect(ids.filter((i) => i.ref === subj)).toHaveLength(1);
    expect(ids.find((i) => i.ref === subj)).toMatchObject({ kind: 'workload', human: false, owner: 'alice' });
    const mint = ents.filter((e) => e.attributes?.mint);
    expect(mint.map((e) => [e.resource_ref.split('/').pop(), e.level, e.privileged, e.permission])).toEqual([['admin', 'admin', true, 'sts:AssumeRoleWithWebIdentity'], ['reader', 'read', false, 'sts:AssumeRoleWithWebIdentity']]);
    expect(mint[0].attributes.mint.breadth).toBe('wildcard_subject');
  });
});

describe('aws trust: role sessions', () => {
  it('a role session principal of the same account is that role', () => {
    const es = trustEdges({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:sts::${ACCT}:assumed-role/admin/alice@example.com` }, Action: 'sts:AssumeRole' }] },
      { account: ACCT, partition: 'aws', roleArn: ROLE, knownPrincipal: (a) => (/assumed-role\/admin\//.test(a) ? { ref: `arn:aws:iam::${ACCT}:role/admin`, name: 'admin' } : null) });
    expect(es).toMatchObject([{ subjectRef: `arn:aws:iam::${ACCT}:role/admin`, subjectKind: null, mint: { breadth: 'pinned', subject: `arn:aws:sts::${ACCT}:assumed-role/admin/alice@example.com` } }]);
  });
});
