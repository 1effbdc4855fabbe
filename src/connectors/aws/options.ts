// The aws source's `options` block. Credentials are never written here: they come from the SDK's standard chain
// (env, profile, SSO, instance/workload identity) or from environment variables whose *names* are configured.
import { z } from 'zod';

const Url = z.string().url();
const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1');

export const AwsOptions = z.strictObject({
  endpoint: Url.optional().describe('IAM endpoint override (a simulator, a VPC endpoint). IAM only: STS and Organizations use their own overrides below, else the SDK default.'),
  sts_endpoint: Url.optional().describe('STS endpoint override. STS is called only to find the credentials\' account (not when exactly one account is configured in `tenants` without `organization`) and to assume the organisation role.'),
  organizations_endpoint: Url.optional().describe('Organizations endpoint override.'),
  region: Region.default('us-east-1').describe('Region for IAM/STS/Organizations signing (IAM is global).'),
  partition: z.enum(['aws', 'aws-us-gov', 'aws-cn']).default('aws').describe('ARN partition of the accounts.'),
  profile: z.string().optional().describe('Named profile of the shared AWS config, for the SDK default chain.'),
  access_key_id_env: z.string().default('AWS_ACCESS_KEY_ID').describe('Env var holding the access key id; unset means the SDK default chain.'),
  secret_access_key_env: z.string().default('AWS_SECRET_ACCESS_KEY').describe('Env var holding the secret access key.'),
  session_token_env: z.string().default('AWS_SESSION_TOKEN').describe('Env var holding the session token, if any.'),
  organization: z.strictObject({
    role_name: z.string().min(1).describe('Role assumed in each member account (e.g. NhiReconAudit).'),
    external_id_env: z.string().optional().describe('Env var holding the external id the role requires.'),
    session_name: z.string().default('nhi-recon'),
  }).optional().describe('List accounts through AWS Organizations and assume role_name in each; each account is a tenant.'),
  offline: z.strictObject({
    authorization_details_file: z.string().describe('`aws iam get-account-authorization-details` JSON export.'),
    credential_report_file: z.string().optional().describe('Credential report CSV (`aws iam get-credential-report`, base64-decoded).'),
    account_id: z.string().regex(/^\d{12}$/).optional().describe('Account id; read from the ARNs in the export when absent.'),
  }).optional().describe('Read exported files instead of calling AWS (the way auditors hand over data).'),
  credential_report: z.strictObject({
    max_wait_seconds: z.number().min(0).max(900).default(120),
    poll_seconds: z.number().min(0).max(60).default(2),
  }).default({ max_wait_seconds: 120, poll_seconds: 2 }).describe('How long to wait for GenerateCredentialReport.'),
  secrets_manager: z.strictObject({
    regions: z.array(Region).min(1).describe('Regions whose Secrets Manager secrets are collected.'),
    endpoint: Url.optional().describe('Secrets Manager endpoint override.'),
  }).optional().describe('Collect Secrets Manager secret metadata (never values).'),
  rotation_sink: z.strictObject({
    type: z.literal('secretsmanager'),
    region: Region.optional().describe('Region of the sink; defaults to `region`.'),
    endpoint: Url.optional(),
    name_template: z.string().default('nhi-recon/{account}/{user}/access-key').describe('Secret name; {account} and {user} are replaced.'),
  }).optional().describe('Where rotate-access-key puts the new key. Without it, rotation is refused.'),
});
export type AwsOptions = z.infer<typeof AwsOptions>;
