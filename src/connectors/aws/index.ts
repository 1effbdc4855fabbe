// The AWS connector: IAM users, roles and groups, their access keys, passwords, MFA and signing certificates, their
// effective permissions (through the privilege analysis), and Secrets Manager secrets — for one account or every
// account of an organisation (each account a tenant of its own), or offline from exported files. See readme.md.
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import type { z } from 'zod';
import type { Connector, ConnectorContext, TenantSink } from '../types.js';
import { UserError } from '../../errors.js';
import { AwsOptions } from './options.js';
import { accountSession, callerAccount, configuredAccount, describeAwsError, organizationsClient, setupHttp, takeSetupCalls } from './clients.js';
import { fetchAuthorizationDetails, fetchCredentialReport, fetchKeysOf, readOffline } from './iam.js';
import { loadAnalysis, type AuthorizationDetails } from './analysis.js';
import { mapIam, policyProbes, type ExtraKey } from './map.js';
import type { CredentialReport } from './credential-report.js';
import { collectSecrets } from './secrets.js';
import { remediation } from './remediate.js';

type Ctx = ConnectorContext<AwsOptions>;

export const connector: Connector<AwsOptions> = {
  id: 'aws',
  provider: 'aws',
  description: 'AWS IAM (users, roles, groups, keys, passwords, effective permissions) and Secrets Manager, per account or across an organisation.',
  // IAM user, role, group and policy names are unique without regard to case ("not distinguished by case"); ARN
  // prefixes are lower case anyway. Secrets Manager names are case-sensitive, so only IAM ARNs and bare names fold
  // (a bare name that is a secret's folds too: a protected entry then covers more, never less).
  identifierCase: { insensitive: /^(?:arn:aws[a-z-]*:iam::|[^:/]+$)/, rule: 'IAM user, role, group and policy names (and so IAM ARNs) are case-insensitive; Secrets Manager secret names are case-sensitive' },
  collects: {
    identities: ['user', 'role', 'group'],
    credentials: ['access_key', 'password', 'mfa_device', 'certificate', 'stored_secret'],
    entitlements: true,
  },
  options: AwsOptions as unknown as z.ZodType<AwsOptions>,

  async validate(ctx) {
    if (ctx.options.offline) {
      readOffline(ctx.options.offline);
      return;
    }
    // With the account configured, the first IAM call checks the credentials (and checkAccount their account).
    if (configuredAccount(ctx)) return;
    try {
      await callerAccount(ctx, setupHttp(ctx));
    } catch (e) {
      throw new UserError(`aws source ${ctx.source.name}: the credentials do not work: ${describeAwsError(e)}. Provide them through the AWS default chain (env, profile, SSO, instance role) or ${ctx.options.access_key_id_env}/${ctx.options.secret_access_key_env}.`);
    }
  },

  async tenants(ctx) {
    if (ctx.options.offline) return [readOffline(ctx.options.offline).account];
    if (ctx.options.organization) {
      const org = organizationsClient(ctx, setupHttp(ctx));
      const ids: string[] = [];
      let NextToken: string | undefined;
      do {
        let r;
        try { r = await org.send(new ListAccountsCommand({ NextToken }), { abortSignal: ctx.signal }); } catch (e) { throw new Error(describeAwsError(e)); }
        for (const a of r.Accounts ?? []) if (a.Id && (a.State ?? a.Status) === 'ACTIVE') ids.push(a.Id);
        NextToken = r.NextToken;
      } while (NextToken);
      // Configured tenants narrow the organisation; they never add accounts outside it.
      return ctx.source.tenants.length ? ids.filter((id) => ctx.source.tenants.includes(id)) : ids;
    }
    if (ctx.source.tenants.length) return ctx.source.tenants;
    try { return [await callerAccount(ctx, setupHttp(ctx))]; } catch (e) { throw new Error(describeAwsError(e)); }
  },

  async collect(ctx, tenant, sink) {
    takeSetupCalls(ctx, sink.http);
    try {
      await collectAccount(ctx, tenant, sink);
    } catch (e) {
      // The service, call and AWS's error code (sts:AssumeRole: AccessDenied) are the actionable part of the reason.
      throw new Error(`account ${tenant}: ${describeAwsError(e)}`);
    }
  },

  remediation,
};

async function collectAccount(ctx: Ctx, tenant: string, sink: TenantSink): Promise<void> {
    if (ctx.options.offline) return collectOffline(ctx, tenant, sink);
    const session = await accountSession(ctx, tenant, sink.http);
    const details = await fetchAuthorizationDetails(session.iam, ctx.signal);
    let report: CredentialReport | null = null;
    try {
      report = await fetchCredentialReport(session.iam, ctx.options, ctx.signal);
    } catch (e) {
      // Principals and permissions are complete; passwords, keys and use are not: partial, never "no keys".
      sink.partial(`account ${tenant}: credential report unavailable, so access keys, passwords and last use are missing: ${describeAwsError(e)}`);
    }
    checkAccount(tenant, details, report);
    const extraKeys = new Map<string, ExtraKey[]>();
    if (report) {
      // The report may be up to 4 hours old: a key deactivated, deleted or created since is invisible in it. Key status
      // and ids are therefore read live (ListAccessKeys) for every user the report shows with a key, and for users newer
      // than the report; last use comes from the report where it covers the key, else from GetAccessKeyLastUsed.
      for (const u of details.UserDetailList) {
        const row = report.byArn.get(u.Arn);
        if (row && ![1, 2].some((n) => row.date(`access_key_${n}_last_rotated`).kind === 'date')) continue;
        try { extraKeys.set(u.Arn, await fetchKeysOf(session.iam, u.UserName, ctx.signal, row)); } catch (e) {
          sink.partial(`account ${tenant}: cannot list the access keys of ${u.UserName}: ${describeAwsError(e)}`);
        }
      }
    }
    await emitIam(ctx, tenant, details, report, extraKeys, sink);
    const sm = ctx.options.secrets_manager;
    if (sm) {
      for (const region of sm.regions) {
        try {
          await collectSecrets(session.secrets(region, sm.endpoint), region, ctx.options.partition, sink, sink.http.concurrency, ctx.signal);
        } catch (e) {
          sink.partial(`account ${tenant}: Secrets Manager in ${region} not collected: ${describeAwsError(e)}`);
        }
      }
    }
}

/**
 * The collected ARNs must be the tenant's: without STS (account configured) this is what catches credentials of
 * another account, whose estate would otherwise be recorded under the configured account's name.
 */
function checkAccount(tenant: string, details: AuthorizationDetails, report: CredentialReport | null): void {
  const arns = [...details.UserDetailList, ...details.RoleDetailList, ...details.GroupDetailList, ...details.Policies].map((x) => String(x.Arn ?? ''));
  for (const r of report?.rows ?? []) arns.push(r.arn);
  for (const arn of arns) {
    const m = /^arn:[^:]+:iam::(\d{12}):/.exec(arn);
    if (m && m[1] !== tenant) throw new Error(`the credentials belong to account ${m[1]}, not ${tenant} (the account configured for this source): nothing was recorded`);
  }
}

async function collectOffline(ctx: Ctx, tenant: string, sink: TenantSink): Promise<void> {
  const { details, report, account } = readOffline(ctx.options.offline!);
  if (account !== tenant) throw new Error(`the export holds account ${account}, not ${tenant}`);
  if (!report) sink.partial(`account ${tenant}: offline without a credential report: access keys, passwords and user last use are not known`);
  await emitIam(ctx, tenant, details, report, new Map(), sink);
}

async function emitIam(ctx: Ctx, account: string, details: AuthorizationDetails, report: CredentialReport | null, extraKeys: Map<string, ExtraKey[]>, sink: TenantSink): Promise<void> {
  const analyze = await loadAnalysis();
  const principals = analyze(details);
  const probes = policyProbes(account, ctx.options.partition, details);
  const probed = analyze(probes.details);
  const policies = new Map([...probes.keys].flatMap(([k, arn]) => { const a = probed.get(arn); return a ? [[k, a] as const] : []; }));
  // Each principal's effective privilege with every path, from the same combined analysis (groups, boundary, denies).
  const privileges = new Map([...principals].map(([arn, a]) => [arn, a.privilege]));
  const counts = mapIam({ account, partition: ctx.options.partition, details, report, extraKeys, principals, policies, privileges }, sink);
  ctx.log.debug(`aws ${account}: ${counts.identities} identities, ${counts.credentials} credentials, ${counts.entitlements} entitlements`);
}
