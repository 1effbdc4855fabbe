// AWS Secrets Manager metadata per configured region: ListSecrets (one paged sweep carries dates, rotation and
// tags) and GetResourcePolicy per secret (its readers). GetSecretValue is never called: values are never read.
import { GetResourcePolicyCommand, ListSecretsCommand, type SecretListEntry, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pLimit from 'p-limit';
import type { CredentialInput, EntitlementInput } from '../../model/index.js';
import type { TenantSink } from '../types.js';

const OWNER_TAG = /^(owner|owner[-_]?email|technical[-_]?owner|contact)$/i;
const READ_ACTION = 'secretsmanager:getsecretvalue';

export async function collectSecrets(client: SecretsManagerClient, region: string, partition: string, sink: TenantSink, concurrency: number, signal: AbortSignal): Promise<{ secrets: number; readers: number }> {
  const list: SecretListEntry[] = [];
  let NextToken: string | undefined;
  do {
    const r = await client.send(new ListSecretsCommand({ MaxResults: 100, NextToken, IncludePlannedDeletion: true }), { abortSignal: signal });
    list.push(...(r.SecretList ?? []));
    NextToken = r.NextToken;
  } while (NextToken);
  const limit = pLimit(Math.max(1, concurrency));
  let readers = 0;
  await Promise.all(list.map((s) => limit(async () => {
    sink.credential(mapSecret(s, region));
    if (!s.ARN) return;
    let policy: string | undefined;
    try {
      policy = (await client.send(new GetResourcePolicyCommand({ SecretId: s.ARN }), { abortSignal: signal })).ResourcePolicy;
    } catch (e) {
      // The secret is known; only who may read it is not: the tenant is incomplete, not failed.
      sink.partial(`secrets manager ${region}: cannot read the resource policy of ${s.Name}: ${(e as Error).name}: ${(e as Error).message}`);
      return;
    }
    for (const r of readersOf(policy, s.ARN, partition)) { sink.entitlement({ ...r, attributes: { ...r.attributes, region, secret_name: s.Name } }); readers++; }
  })));
  return { secrets: list.length, readers };
}

export function mapSecret(s: SecretListEntry, region: string): CredentialInput {
  const tags = Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const owner = Object.entries(tags).find(([k, v]) => OWNER_TAG.test(k) && v)?.[1] ?? null;
  return {
    ref: s.ARN!, kind: 'stored_secret', name: s.Name ?? s.ARN!, identity_ref: null, owner,
    created_at: s.CreatedDate ?? null,
    // Only a rotation counts: LastChangedDate also moves when a tag or the description changes.
    last_rotated_at: s.LastRotatedDate ?? null,
    // LastAccessedDate has day precision and is absent when the secret was never retrieved in this region.
    last_used_at: s.LastAccessedDate ?? null, last_used_known: true,
    // A secret carries no expiry in Secrets Manager (a rotation schedule is not one): age is unrotated-credential's job.
    expires_at: null, expiry_supported: false,
    status: s.DeletedDate ? 'inactive' : 'active',
    attributes: {
      region, owner_source: owner ? 'tag' : null, tags, description: s.Description ?? null,
      rotation_enabled: s.RotationEnabled ?? false, rotation_lambda_arn: s.RotationLambdaARN ?? null,
      rotation_days: s.RotationRules?.AutomaticallyAfterDays ?? null, rotation_schedule: s.RotationRules?.ScheduleExpression ?? null,
      next_rotation: s.NextRotationDate?.toISOString() ?? null, last_changed: s.LastChangedDate?.toISOString() ?? null,
      last_accessed_precision: 'day', owning_service: s.OwningService ?? null, deleted_at: s.DeletedDate?.toISOString() ?? null,
      primary_region: s.PrimaryRegion ?? null, versions: Object.keys(s.SecretVersionsToStages ?? {}).length,
    },
  };
}

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);
const matches = (pattern: string, action: string) => new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(action);

/** Principals a secret's resource policy allows to read its value, as privileged read entitlements. */
export function readersOf(policyText: string | undefined, secretArn: string, partition: string): EntitlementInput[] {
  if (!policyText) return [];
  const doc = JSON.parse(policyText) as { Statement?: unknown };
  const stmts = (Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : []) as any[];
  const canRead = (st: any) => (st.Action !== undefined ? arr(st.Action).some((a) => matches(a, READ_ACTION)) : !arr(st.NotAction).some((a) => matches(a, READ_ACTION)));
  const principals = (st: any): string[] => {
    if (st.Principal === '*') return ['*'];
    return arr(st.Principal?.AWS).map((p) => (/^\d{12}$/.test(p) ? `arn:${partition}:iam::${p}:root` : p));
  };
  // Unconditional explicit denies win over any allow for the same principal.
  const denied = new Set<string>();
  for (const st of stmts) if (st.Effect === 'Deny' && !st.Condition && canRead(st)) for (const p of principals(st)) denied.add(p);
  const out = new Map<string, EntitlementInput>();
  for (const st of stmts) {
    if (st.Effect !== 'Allow' || !canRead(st) || st.NotPrincipal) continue;
    for (const p of principals(st)) {
      if (denied.has(p) || denied.has('*')) continue;
      const name = p === '*' ? 'anyone (*)' : p.split(/[/:]/).pop() ?? p;
      out.set(p, {
        ref: `${secretArn}|reader|${p}`, identity_ref: p, identity_name: name, resource_ref: secretArn, permission: 'secretsmanager:GetSecretValue',
        // Reading a secret exposes it: privileged although it is "read".
        level: 'read', privileged: true, via: 'policy', path: 'resource-policy',
        attributes: { statement_sid: st.Sid ?? null, conditional: !!st.Condition, condition: st.Condition ?? null, actions: arr(st.Action ?? st.NotAction) },
      });
    }
  }
  return [...out.values()];
}
