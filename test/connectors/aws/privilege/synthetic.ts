// A generated account export whose expected classification is known by construction: each principal gets one
// profile from PROFILES. Used by the scale test and to measure analysis time on large accounts:
//   npx tsx test/connectors/aws/privilege/measure.ts 5000
import type { AuthorizationDetails, Classification } from '../../../../src/connectors/aws/privilege/index.js';

export const ACCOUNT = '111122223333';
const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

function policy(name: string, document: object) {
  return {
    PolicyName: name, Arn: arn('policy', name), DefaultVersionId: 'v1', AttachmentCount: 1, Path: '/',
    PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: encodeURIComponent(JSON.stringify(document)) }],
  };
}

const ADMIN = { PolicyName: 'AdministratorAccess', Arn: 'arn:aws:iam::aws:policy/AdministratorAccess', DefaultVersionId: 'v1', AttachmentCount: 1, Path: '/', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }] };

const POLICIES = [
  ADMIN,
  policy('s3-read', doc({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' })),
  policy('ec2-write', doc({ Effect: 'Allow', Action: ['ec2:StartInstances', 'ec2:StopInstances', 'ec2:Describe*'], Resource: '*' })),
  policy('self-keys', doc({ Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys'], Resource: `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` })),
  policy('lambda-deployer', doc(
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } },
    { Effect: 'Allow', Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'], Resource: '*' },
  )),
  policy('passrole-lambda-only-with-ec2', doc(
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } },
    { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' },
  )),
  policy('all-but-iam', doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:*', Resource: '*' })),
  policy('passrole-star', doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' })),
  policy('run-instances', doc({ Effect: 'Allow', Action: ['ec2:RunInstances', 'ec2:DescribeInstances'], Resource: '*' })),
];

interface Profile { name: string; expected: Classification; attach: string[]; group?: string; users?: boolean }

export const PROFILES: Profile[] = [
  { name: 'admin', expected: 'administrator', attach: ['AdministratorAccess'] },
  { name: 'reader', expected: 'read', attach: ['s3-read'] },
  { name: 'operator', expected: 'write', attach: ['ec2-write', 's3-read'] },
  { name: 'selfkeys', expected: 'write', attach: ['self-keys'], users: true },
  { name: 'deployer', expected: 'escalation', attach: ['lambda-deployer'] },
  { name: 'lambda-only', expected: 'write', attach: ['passrole-lambda-only-with-ec2'] },
  // Everything but IAM still reaches administrator by changing the code of a Lambda function that runs as one.
  { name: 'all-but-iam', expected: 'escalation', attach: ['all-but-iam'] },
  { name: 'split', expected: 'escalation', attach: ['passrole-star'], group: 'launchers', users: true },
];

/** `count` users and `count` roles, profiles assigned round-robin; plus the two service roles the paths need. */
export function syntheticAccount(count: number): { details: AuthorizationDetails; expected: Map<string, Classification> } {
  const expected = new Map<string, Classification>();
  const managed = (names: string[]) => names.map((n) => ({ PolicyName: n, PolicyArn: POLICIES.find((p) => p.PolicyName === n)!.Arn }));
  const UserDetailList: any[] = []; const RoleDetailList: any[] = [];
  const userProfiles = PROFILES; const roleProfiles = PROFILES.filter((p) => !p.users);
  const launchers: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = userProfiles[i % userProfiles.length]!;
    const name = `u-${p.name}-${i}`;
    UserDetailList.push({ UserName: name, Arn: arn('user', name), Path: '/', CreateDate: '2024-01-01 00:00:00+00:00', GroupList: p.group ? [p.group] : [], AttachedManagedPolicies: managed(p.attach), UserPolicyList: [], Tags: [] });
    if (p.group) launchers.push(name);
    expected.set(arn('user', name), p.expected);
  }
  for (let i = 0; i < count; i++) {
    const p = roleProfiles[i % roleProfiles.length]!;
    const name = `r-${p.name}-${i}`;
    RoleDetailList.push({
      RoleName: name, Arn: arn('role', name), Path: '/', CreateDate: '2024-01-01 00:00:00+00:00',
      AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::999988887777:root` }, Action: 'sts:AssumeRole' }))),
      InstanceProfileList: [], RolePolicyList: [], AttachedManagedPolicies: managed(p.attach), Tags: [], RoleLastUsed: {},
    });
    expected.set(arn('role', name), p.expected);
  }
  // The administrator roles that Lambda functions and EC2 instances run as: what the escalation paths reach.
  for (const [name, service, profile] of [['lambda-admin', 'lambda.amazonaws.com', false], ['ec2-admin', 'ec2.amazonaws.com', true]] as const) {
    RoleDetailList.push({
      RoleName: name, Arn: arn('role', name), Path: '/', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }),
      InstanceProfileList: profile ? [{ InstanceProfileName: name }] : [], RolePolicyList: [], AttachedManagedPolicies: managed(['AdministratorAccess']), Tags: [],
    });
    expected.set(arn('role', name), 'administrator');
  }
  const GroupDetailList = [{ GroupName: 'launchers', Arn: arn('group', 'launchers'), Path: '/', GroupPolicyList: [], AttachedManagedPolicies: managed(['run-instances']) }];
  expected.set(arn('group', 'launchers'), 'write');
  return { details: { UserDetailList, GroupDetailList, RoleDetailList, Policies: POLICIES }, expected };
}
