// A small account builder for rule cases: users, groups, roles (with trust policies, instance profiles, tags) and
// customer-managed policies (with stored versions), as get-account-authorization-details returns them.
import type { AuthorizationDetails } from '../../../../src/connectors/aws/privilege/index.js';

export const ACCT = '123456789012';
export const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
export const allow = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
export const deny = (Action: string | string[], Resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Deny', Action, Resource, ...extra });
export const trustService = (service: string, extra: object = {}) => doc({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...extra });
export const trustArn = (arn: string, extra: object = {}) => doc({ Effect: 'Allow', Principal: { AWS: arn }, Action: 'sts:AssumeRole', ...extra });
export const arn = (kind: string, name: string) => `arn:aws:iam::${ACCT}:${kind}/${name}`;
const ADMIN_POLICY = { PolicyName: 'AdministratorAccess', Arn: 'arn:aws:iam::aws:policy/AdministratorAccess', DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: doc(allow('*')) }] };

export interface Spec { inline?: object[]; managed?: string[]; groups?: string[]; boundary?: string; tags?: Record<string, string> }
export interface RoleSpec extends Spec { trust?: object; instanceProfile?: boolean }
/** A policy: one document (its only version) or several versions, the first the default. */
export type PolicySpec = object | { versions: object[] };

export function account(spec: { users?: Record<string, Spec>; roles?: Record<string, RoleSpec>; groups?: Record<string, Spec>; policies?: Record<string, PolicySpec> }): AuthorizationDetails {
  const pArn = (n: string) => n.startsWith('arn:') ? n : n === 'AdministratorAccess' ? ADMIN_POLICY.Arn : `arn:aws:iam::${ACCT}:policy/${n}`;
  const managed = (s: Spec) => (s.managed ?? []).map((n) => ({ PolicyName: n.split('/').pop(), PolicyArn: pArn(n) }));
  const inline = (s: Spec) => (s.inline ?? []).map((d, i) => ({ PolicyName: `inline-${i + 1}`, PolicyDocument: d }));
  const boundary = (s: Spec) => s.boundary ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: pArn(s.boundary) } : undefined;
  const tags = (s: Spec) => Object.entries(s.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  const versions = (p: PolicySpec) => 'versions' in p ? (p as { versions: object[] }).versions : [p];
  return {
    UserDetailList: Object.entries(spec.users ?? {}).map(([name, s]) => ({ UserName: name, Arn: arn('user', name), Path: '/', GroupList: s.groups ?? [], AttachedManagedPolicies: managed(s), UserPolicyList: inline(s), PermissionsBoundary: boundary(s), Tags: tags(s) })),
    GroupDetailList: Object.entries(spec.groups ?? {}).map(([name, s]) => ({ GroupName: name, Arn: arn('group', name), Path: '/', AttachedManagedPolicies: managed(s), GroupPolicyList: inline(s) })),
    RoleDetailList: Object.entries(spec.roles ?? {}).map(([name, s]) => ({
      RoleName: name, Arn: arn('role', name), Path: '/', AttachedManagedPolicies: managed(s), RolePolicyList: inline(s),
      PermissionsBoundary: boundary(s), Tags: tags(s), InstanceProfileList: s.instanceProfile ? [{ InstanceProfileName: name }] : [],
      AssumeRolePolicyDocument: s.trust ?? trustService('ec2.amazonaws.com'),
    })),
    Policies: [ADMIN_POLICY, ...Object.entries(spec.policies ?? {}).map(([name, p]) => ({
      PolicyName: name, Arn: pArn(name), DefaultVersionId: 'v1',
      PolicyVersionList: versions(p).map((d, i) => ({ VersionId: `v${i + 1}`, IsDefaultVersion: i === 0, Document: d })),
    }))],
  };
}
