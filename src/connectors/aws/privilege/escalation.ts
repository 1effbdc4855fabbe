// The known ways an IAM principal escalates to administrator, as data. Sources: Rhino Security Labs' catalogue
// (the 21 original methods and their later additions in Pacu's iam__privesc_scan: CodeStar, SageMaker, layers),
// Bishop Fox's iam-vulnerable (CodeBuild, SageMaker jobs, SSM, EC2 Instance Connect, CloudFormation UpdateStack).
//
// A rule holds when every step holds. A step's action must be allowed on a target of the given kind (or on some
// resource, for "any"). `passRole` adds iam:PassRole on an administrator-capable role the service can assume (with
// iam:PassedToService set to that service); `serviceRole` requires such a role to exist, for paths that hijack a
// resource already running with it (we cannot see functions, stacks or instances in IAM data, so we assume one may
// use any role that trusts the service — and say so in the evidence).

export type TargetKind =
  /** A customer-managed policy attached to some principal (the principal's own first). */
  | 'attached-policy'
  /** Any IAM user (the principal itself first). */
  | 'user'
  /** A group with at least one member (the principal's own groups first). */
  | 'group-with-members'
  /** A role whose policies a customer may change (not service-linked, not IAM Identity Center's). */
  | 'modifiable-role'
  /** Another user that is administrator or can escalate. */
  | 'other-admin-user'
  /** A group whose policies make a member administrator or able to escalate. */
  | 'admin-group'
  /** A modifiable role, other than the principal, that is administrator or can escalate. */
  | 'other-admin-role'
  /** The principal itself (a user or role), or, for a user, one of its groups. */
  | 'self'
  /** Some resource of the action's service (one the principal creates or chooses). */
  | 'any';

export interface Step {
  /** Any one of these actions satisfies the step. */
  anyOf: string[];
  on: TargetKind;
  /** The action attaches a managed policy: iam:PolicyARN is set to an administrator policy when evaluating. */
  attachesPolicy?: boolean;
  /** For an `any` step: it must act on the same resource as step number `same` (CreateFunction then Invoke *that* function). */
  same?: number;
  /** For an `any` step: the ARN template of what it acts on, when the catalogue's is ambiguous (several resource types). */
  resource?: string;
}

export interface ServiceRole { service: string; instanceProfile?: boolean }

/** What a rule's path reaches when no step names an existing target: the resource a step created (by step index). */
export interface CreatedTarget { kind: 'user' | 'role' | 'group' | 'policy'; step: number }

export interface EscalationRule {
  path: string;
  summary: string;
  steps: Step[];
  passRole?: ServiceRole;
  serviceRole?: ServiceRole;
  /** Can assume an administrator-capable role through its trust policy. */
  assumeRole?: boolean;
  /** Depends on which other principals are administrator-capable (solved to a fixpoint). */
  transitive: boolean;
  /** The path's target is a resource a step creates. */
  creates?: CreatedTarget;
  /** What must hold that IAM data cannot show. */
  assumptions?: string[];
  /**
   * The path removes what holds the principal back: its own permissions boundary (when its identity policies alone
   * grant administrator), or its own policy whose Deny is all that stands between it and administrator.
   */
  removes?: 'boundary' | 'deny';
  /** Only principals of these types can use the path (e.g. only a user can be added to a group). */
  principals?: ('user' | 'role' | 'group')[];
}

const iam = (action: string, on: TargetKind, attachesPolicy = false): Step => ({ anyOf: [`iam:${action}`], on, attachesPolicy });
const any = (...anyOf: string[]): Step => ({ anyOf, on: 'any' });
/** An `any` step on the same resource as step `same`. */
const sameAs = (same: number, ...anyOf: string[]): Step => ({ anyOf, on: 'any', same });
const attach = (same: number, ...anyOf: string[]): Step => ({ anyOf, on: 'any', same, attachesPolicy: true });

export const ESCALATION_RULES: EscalationRule[] = [
  { path: 'iam:CreatePolicyVersion', summary: 'can write a new default version of a customer-managed policy attached to a principal', steps: [iam('CreatePolicyVersion', 'attached-policy')], transitive: false },
  { path: 'iam:SetDefaultPolicyVersion', summary: 'can switch an attached customer-managed policy to any of its stored versions', steps: [iam('SetDefaultPolicyVersion', 'attached-policy')], transitive: false },
  { path: 'iam:AttachUserPolicy', summary: 'can attach an administrator or IAM-write policy to a user', steps: [iam('AttachUserPolicy', 'user', true)], transitive: false },
  { path: 'iam:AttachGroupPolicy', summary: 'can attach an administrator or IAM-write policy to a group with members', steps: [iam('AttachGroupPolicy', 'group-with-members', true)], transitive: false },
  { path: 'iam:AttachRolePolicy', summary: 'can attach an administrator or IAM-write policy to a role', steps: [iam('AttachRolePolicy', 'modifiable-role', true)], transitive: false },
  { path: 'iam:PutUserPolicy', summary: 'can write an administrator inline policy onto a user', steps: [iam('PutUserPolicy', 'user')], transitive: false },
  { path: 'iam:PutGroupPolicy', summary: 'can write an administrator inline policy onto a group with members', steps: [iam('PutGroupPolicy', 'group-with-members')], transitive: false },
  { path: 'iam:PutRolePolicy', summary: 'can write an administrator inline policy onto a role', steps: [iam('PutRolePolicy', 'modifiable-role')], transitive: false },
  { path: 'iam:Delete*PermissionsBoundary', summary: 'can remove or replace its own permissions boundary, outside which its policies grant administrator', steps: [{ anyOf: ['iam:DeleteUserPermissionsBoundary', 'iam:PutUserPermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary'], on: 'self' }], removes: 'boundary', principals: ['user', 'role'], transitive: false },
  { path: 'iam:Detach*Policy/Delete*Policy (own Deny)', summary: 'can detach or delete its own policy whose Deny is all that keeps it from administrator', steps: [], removes: 'deny', principals: ['user', 'role'], transitive: false },
  // Principal creation: a new user, role or group the principal names, given power and then used.
  { path: 'iam:CreateUser+iam:AttachUserPolicy+iam:CreateAccessKey', summary: 'can create a user, give it an escalating policy and mint its credentials', steps: [any('iam:CreateUser'), attach(0, 'iam:AttachUserPolicy', 'iam:PutUserPolicy'), sameAs(0, 'iam:CreateAccessKey', 'iam:CreateLoginProfile')], creates: { kind: 'user', step: 0 }, transitive: false },
  { path: 'iam:CreateRole+iam:AttachRolePolicy', summary: 'can create a role that trusts itself, give it an escalating policy and assume it', steps: [any('iam:CreateRole'), attach(0, 'iam:AttachRolePolicy', 'iam:PutRolePolicy')], creates: { kind: 'role', step: 0 }, principals: ['user', 'role', 'group'], transitive: false },
  { path: 'iam:CreateGroup+iam:AttachGroupPolicy+iam:AddUserToGroup', summary: 'can create a group, give it an escalating policy and add itself to it', steps: [any('iam:CreateGroup'), attach(0, 'iam:AttachGroupPolicy', 'iam:PutGroupPolicy'), sameAs(0, 'iam:AddUserToGroup')], creates: { kind: 'group', step: 0 }, principals: ['user', 'group'], transitive: false },
  { path: 'iam:CreatePolicy+iam:Attach*Policy', summary: 'can create an administrator managed policy and attach it to itself', steps: [any('iam:CreatePolicy'), { anyOf: ['iam:AttachUserPolicy', 'iam:AttachRolePolicy', 'iam:AttachGroupPolicy'], on: 'self' }], transitive: false },
  { path: 'iam:CreateAccessKey', summary: 'can create an access key for another user that is administrator-capable', steps: [iam('CreateAccessKey', 'other-admin-user')], transitive: true },
  { path: 'iam:CreateLoginProfile', summary: 'can set a console password for another user that is administrator-capable (if it has none)', steps: [iam('CreateLoginProfile', 'other-admin-user')], transitive: true },
  { path: 'iam:UpdateLoginProfile', summary: 'can reset the console password of another user that is administrator-capable', steps: [iam('UpdateLoginProfile', 'other-admin-user')], transitive: true },
  { path: 'iam:AddUserToGroup', summary: 'can add a user to an administrator-capable group', steps: [iam('AddUserToGroup', 'admin-group')], transitive: true },
  { path: 'iam:UpdateAssumeRolePolicy', summary: 'can rewrite the trust policy of an administrator-capable role to trust itself, then assume it', steps: [iam('UpdateAssumeRolePolicy', 'other-admin-role')], transitive: true },
  { path: 'sts:AssumeRole', summary: 'can assume an administrator-capable role that trusts it', steps: [], assumeRole: true, transitive: true },
  { path: 'iam:PassRole+ec2:RunInstances', summary: 'can launch an instance with an administrator-capable instance profile', steps: [any('ec2:RunInstances', 'ec2:RequestSpotInstances')], passRole: { service: 'ec2.amazonaws.com', instanceProfile: true }, transitive: true },
  { path: 'iam:PassRole+ec2:AssociateIamInstanceProfile', summary: 'can attach an administrator-capable instance profile to an instance it runs code on', steps: [any('ec2:AssociateIamInstanceProfile', 'ec2:ReplaceIamInstanceProfileAssociation')], passRole: { service: 'ec2.amazonaws.com', instanceProfile: true }, assumptions: ['an instance the principal can run code on (or log in to) exists'], transitive: true },
  { path: 'iam:PassRole+autoscaling', summary: 'can launch instances through an Auto Scaling group with an administrator-capable instance profile', steps: [any('autoscaling:CreateAutoScalingGroup', 'autoscaling:UpdateAutoScalingGroup'), any('autoscaling:CreateLaunchConfiguration', 'ec2:CreateLaunchTemplate', 'ec2:CreateLaunchTemplateVersion')], passRole: { service: 'ec2.amazonaws.com', instanceProfile: true }, transitive: true },
  { path: 'iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction', summary: 'can create a Lambda function with an administrator-capable role and invoke it', steps: [any('lambda:CreateFunction'), sameAs(0, 'lambda:InvokeFunction')], passRole: { service: 'lambda.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+lambda:CreateFunction+lambda:CreateFunctionUrlConfig', summary: 'can create a Lambda function with an administrator-capable role, give it a function URL and call it', steps: [any('lambda:CreateFunction'), sameAs(0, 'lambda:CreateFunctionUrlConfig'), sameAs(0, 'lambda:InvokeFunctionUrl')], passRole: { service: 'lambda.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+lambda:CreateFunction+lambda:CreateEventSourceMapping', summary: 'can create a Lambda function with an administrator-capable role and trigger it from an event source', steps: [any('lambda:CreateFunction'), any('lambda:CreateEventSourceMapping')], passRole: { service: 'lambda.amazonaws.com' }, assumptions: ['an event source (a stream or queue) the principal can write to exists'], transitive: true },
  { path: 'iam:PassRole+lambda:CreateFunction+lambda:AddPermission', summary: 'can create a Lambda function with an administrator-capable role and let another account invoke it', steps: [any('lambda:CreateFunction'), sameAs(0, 'lambda:AddPermission')], passRole: { service: 'lambda.amazonaws.com' }, transitive: true },
  { path: 'lambda:UpdateFunctionCode', summary: 'can replace the code of an existing Lambda function, which may run with an administrator-capable role', steps: [any('lambda:UpdateFunctionCode')], serviceRole: { service: 'lambda.amazonaws.com' }, transitive: true },
  { path: 'lambda:UpdateFunctionConfiguration', summary: 'can add a layer to an existing Lambda function, which may run with an administrator-capable role', steps: [any('lambda:UpdateFunctionConfiguration')], serviceRole: { service: 'lambda.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+glue:CreateDevEndpoint', summary: 'can create a Glue development endpoint with an administrator-capable role and log in to it', steps: [any('glue:CreateDevEndpoint')], passRole: { service: 'glue.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+glue:CreateJob', summary: 'can create and run a Glue job with an administrator-capable role', steps: [any('glue:CreateJob'), sameAs(0, 'glue:StartJobRun')], passRole: { service: 'glue.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+glue:CreateJob+glue:CreateTrigger', summary: 'can create a Glue job with an administrator-capable role and a trigger that starts it', steps: [any('glue:CreateJob'), any('glue:CreateTrigger')], passRole: { service: 'glue.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+glue:UpdateJob+glue:StartJobRun', summary: 'can point an existing Glue job at an administrator-capable role and new code, and run it', steps: [any('glue:UpdateJob'), sameAs(0, 'glue:StartJobRun')], passRole: { service: 'glue.amazonaws.com' }, assumptions: ['a Glue job exists'], transitive: true },
  { path: 'glue:UpdateDevEndpoint', summary: 'can set its SSH key on an existing Glue development endpoint, which may run with an administrator-capable role', steps: [any('glue:UpdateDevEndpoint')], serviceRole: { service: 'glue.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+cloudformation:CreateStack', summary: 'can create a CloudFormation stack that runs as an administrator-capable role', steps: [any('cloudformation:CreateStack', 'cloudformation:CreateStackSet')], passRole: { service: 'cloudformation.amazonaws.com' }, transitive: true },
  { path: 'cloudformation:UpdateStack', summary: 'can update an existing CloudFormation stack, which may run as an administrator-capable role', steps: [any('cloudformation:UpdateStack', 'cloudformation:UpdateStackSet')], serviceRole: { service: 'cloudformation.amazonaws.com' }, transitive: true },
  { path: 'cloudformation:CreateChangeSet+cloudformation:ExecuteChangeSet', summary: 'can change an existing CloudFormation stack, which may run as an administrator-capable role', steps: [any('cloudformation:CreateChangeSet'), sameAs(0, 'cloudformation:ExecuteChangeSet')], serviceRole: { service: 'cloudformation.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+datapipeline:CreatePipeline', summary: 'can create, define and activate a Data Pipeline that runs commands as an administrator-capable role', steps: [any('datapipeline:CreatePipeline'), any('datapipeline:PutPipelineDefinition'), sameAs(1, 'datapipeline:ActivatePipeline')], passRole: { service: 'datapipeline.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+sagemaker:CreateNotebookInstance', summary: 'can create a SageMaker notebook with an administrator-capable role and open it', steps: [any('sagemaker:CreateNotebookInstance'), sameAs(0, 'sagemaker:CreatePresignedNotebookInstanceUrl')], passRole: { service: 'sagemaker.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+sagemaker:CreateTrainingJob', summary: 'can run a SageMaker training job with an administrator-capable role', steps: [any('sagemaker:CreateTrainingJob')], passRole: { service: 'sagemaker.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+sagemaker:CreateProcessingJob', summary: 'can run a SageMaker processing job with an administrator-capable role', steps: [any('sagemaker:CreateProcessingJob')], passRole: { service: 'sagemaker.amazonaws.com' }, transitive: true },
  { path: 'sagemaker:CreateNotebookInstanceLifecycleConfig+sagemaker:UpdateNotebookInstance', summary: 'can give an existing SageMaker notebook a start-up script and restart it, running code as its role', steps: [any('sagemaker:CreateNotebookInstanceLifecycleConfig'), any('sagemaker:StopNotebookInstance'), sameAs(1, 'sagemaker:UpdateNotebookInstance'), sameAs(1, 'sagemaker:StartNotebookInstance')], serviceRole: { service: 'sagemaker.amazonaws.com' }, transitive: true },
  { path: 'sagemaker:CreatePresignedNotebookInstanceUrl', summary: 'can open an existing SageMaker notebook, which may run with an administrator-capable role', steps: [any('sagemaker:CreatePresignedNotebookInstanceUrl')], serviceRole: { service: 'sagemaker.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+codebuild:CreateProject', summary: 'can create and start a CodeBuild project with an administrator-capable role', steps: [any('codebuild:CreateProject'), sameAs(0, 'codebuild:StartBuild', 'codebuild:StartBuildBatch')], passRole: { service: 'codebuild.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+codebuild:UpdateProject+codebuild:StartBuild', summary: 'can give an existing CodeBuild project an administrator-capable service role and a buildspec, and start it', steps: [any('codebuild:UpdateProject'), sameAs(0, 'codebuild:StartBuild', 'codebuild:StartBuildBatch')], passRole: { service: 'codebuild.amazonaws.com' }, assumptions: ['a CodeBuild project exists'], transitive: true },
  { path: 'codebuild:StartBuild', summary: 'can start an existing CodeBuild project with an overridden buildspec; the project may run with an administrator-capable role', steps: [any('codebuild:StartBuild', 'codebuild:StartBuildBatch')], serviceRole: { service: 'codebuild.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+codestar:CreateProject', summary: 'can create a CodeStar project with an administrator-capable service role', steps: [any('codestar:CreateProject')], passRole: { service: 'codestar.amazonaws.com' }, transitive: true },
  // Rhino's CreateProjectFromTemplate variant uses an action absent from the service authorization reference (and so
  // from the catalogue); the documented variant below reaches the same CodeStar service role.
  { path: 'codestar:CreateProject+codestar:AssociateTeamMember', summary: 'can create a CodeStar project and make itself its owner, acting through an administrator-capable CodeStar role', steps: [any('codestar:CreateProject'), any('codestar:AssociateTeamMember')], serviceRole: { service: 'codestar.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+ecs:RunTask', summary: 'can register and run an ECS task with an administrator-capable task role', steps: [any('ecs:RegisterTaskDefinition'), sameAs(0, 'ecs:RunTask', 'ecs:StartTask')], passRole: { service: 'ecs-tasks.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+ecs:CreateService', summary: 'can register an ECS task definition with an administrator-capable task role and run it as a service', steps: [any('ecs:RegisterTaskDefinition'), any('ecs:CreateService', 'ecs:UpdateService')], passRole: { service: 'ecs-tasks.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+ecs:RunTask(taskRoleArn override)', summary: 'can run an existing ECS task definition with its task role overridden by an administrator-capable role', steps: [any('ecs:RunTask', 'ecs:StartTask')], passRole: { service: 'ecs-tasks.amazonaws.com' }, assumptions: ['an ECS task definition and a cluster to run it on exist'], transitive: true },
  { path: 'ecs:ExecuteCommand', summary: 'can open a shell in running ECS tasks, which may run with an administrator-capable task role', steps: [any('ecs:ExecuteCommand')], serviceRole: { service: 'ecs-tasks.amazonaws.com' }, assumptions: ['the task was started with ECS Exec enabled'], transitive: true },
  { path: 'iam:PassRole+apprunner:CreateService', summary: 'can create an App Runner service with an administrator-capable instance role', steps: [any('apprunner:CreateService')], passRole: { service: 'tasks.apprunner.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+glue:CreateSession+glue:RunStatement', summary: 'can open a Glue interactive session with an administrator-capable role and run code in it', steps: [any('glue:CreateSession'), sameAs(0, 'glue:RunStatement')], passRole: { service: 'glue.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+ssm:CreateDocument+ssm:StartAutomationExecution', summary: 'can write an SSM Automation runbook and run it with an administrator-capable AutomationAssumeRole', steps: [any('ssm:CreateDocument'), any('ssm:StartAutomationExecution')], passRole: { service: 'ssm.amazonaws.com' }, transitive: true },
  { path: 'iam:PassRole+bedrock-agentcore:CreateCodeInterpreter', summary: 'can create a Bedrock AgentCore code interpreter with an administrator-capable execution role and run code in it', steps: [any('bedrock-agentcore:CreateCodeInterpreter'), { anyOf: ['bedrock-agentcore:StartCodeInterpreterSession'], on: 'any', resource: 'arn:${Partition}:bedrock-agentcore:${Region}:${Account}:code-interpreter-custom/${CodeInterpreterId}' }, sameAs(1, 'bedrock-agentcore:InvokeCodeInterpreter')], passRole: { service: 'bedrock-agentcore.amazonaws.com' }, transitive: true },
  { path: 'ec2:ModifyInstanceAttribute+ec2:StopInstances+ec2:StartInstances', summary: 'can replace the user data of a stopped instance and start it, running code with its instance profile', steps: [any('ec2:ModifyInstanceAttribute'), sameAs(0, 'ec2:StopInstances'), sameAs(1, 'ec2:StartInstances')], serviceRole: { service: 'ec2.amazonaws.com', instanceProfile: true }, transitive: true },
  { path: 'ec2:CreateLaunchTemplateVersion+ec2:ModifyLaunchTemplate', summary: 'can make a new default version of an existing launch template (new user data), which Auto Scaling launches with its instance profile', steps: [any('ec2:CreateLaunchTemplateVersion'), sameAs(0, 'ec2:ModifyLaunchTemplate')], serviceRole: { service: 'ec2.amazonaws.com', instanceProfile: true }, transitive: true },
  { path: 'ssm:SendCommand', summary: 'can run commands on instances, which may carry an administrator-capable instance profile', steps: [any('ssm:SendCommand')], serviceRole: { service: 'ec2.amazonaws.com', instanceProfile: true }, transitive: true },
  { path: 'ssm:StartSession', summary: 'can open a shell on instances, which may carry an administrator-capable instance profile', steps: [any('ssm:StartSession')], serviceRole: { service: 'ec2.amazonaws.com', instanceProfile: true }, transitive: true },
  { path: 'ec2-instance-connect:SendSSHPublicKey', summary: 'can push an SSH key to instances, which may carry an administrator-capable instance profile', steps: [any('ec2-instance-connect:SendSSHPublicKey', 'ec2-instance-connect:SendSerialConsoleSSHPublicKey')], serviceRole: { service: 'ec2.amazonaws.com', instanceProfile: true }, transitive: true },
];

/** Every action the rules name (a test checks each exists in the catalogue, so a rename cannot silently disable one). */
export function ruleActions(): string[] {
  const out = new Set<string>(['iam:PassRole', 'sts:AssumeRole']);
  for (const r of ESCALATION_RULES) for (const s of r.steps) for (const a of s.anyOf) out.add(a);
  return [...out].sort();
}
