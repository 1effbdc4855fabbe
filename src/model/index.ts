// The canonical records every connector maps to and every rule reads.
// Provider knowledge stops at the connector's mapping; from here on only these columns exist.
import { z } from 'zod';

export const LEVELS = ['none', 'read', 'write', 'admin', 'owner'] as const;
export type Level = (typeof LEVELS)[number];
export const Level = z.enum(LEVELS);
export const LEVEL_RANK: Record<Level, number> = { none: 0, read: 1, write: 2, admin: 3, owner: 4 };

export const IDENTITY_KINDS = [
  'user', 'service_account', 'role', 'app', 'bot', 'machine_user', 'group', 'team', 'workload', 'public',
] as const;
export const IdentityKind = z.enum(IDENTITY_KINDS);
export type IdentityKind = z.infer<typeof IdentityKind>;

export const CREDENTIAL_KINDS = [
  'access_key', 'pat', 'fine_grained_pat', 'deploy_key', 'ssh_key', 'sa_key', 'client_secret', 'certificate',
  'app_key', 'oauth_authorization', 'stored_secret', 'password', 'mfa_device',
  // A secret found exposed (a secret-scanning alert): evidence of a leak, not a credential with a lifecycle. Its
  // `fingerprint` is the exposed key's identifier when that is not itself secret (an access key id), so the leak can be
  // matched to the credential of any source; `attributes.exposed_in` names where it was exposed (a repository ref).
  'exposed_secret',
  // A provider API token (Okta API token), a user's OAuth token for a client (Google Workspace), a project/group access
  // token (GitLab), a deploy token (GitLab), a legacy service-account token Secret (Kubernetes).
  'api_token', 'oauth_token', 'access_token', 'deploy_token', 'sa_token',
] as const;
export const CredentialKind = z.enum(CREDENTIAL_KINDS);
export type CredentialKind = z.infer<typeof CredentialKind>;

export const CredentialStatus = z.enum(['active', 'inactive', 'expired', 'revoked']);
export type CredentialStatus = z.infer<typeof CredentialStatus>;

export const Via = z.enum(['direct', 'group', 'team', 'inherited', 'role', 'policy']);
export type Via = z.infer<typeof Via>;

/** How an owner was resolved, from most to least trustworthy. */
export const OwnerSource = z.enum(['owner_record', 'provider', 'tag', 'creator', 'codeowners', 'login_mapping']);
export type OwnerSource = z.infer<typeof OwnerSource>;

const Attributes = z.record(z.string(), z.unknown());

export const Identity = z.object({
  ref: z.string().min(1),
  kind: IdentityKind,
  name: z.string(),
  /** The provider's login for this identity (GitHub login, IAM user name, UPN, Google account), used to map people. */
  login: z.string().nullable().default(null),
  human: z.boolean().nullable().default(null),
  owner: z.string().nullable().default(null),
  owner_source: OwnerSource.nullable().default(null),
  created_at: z.date().nullable().default(null),
  last_used_at: z.date().nullable().default(null),
  /** False when the provider cannot tell us when it was last used; null last_used_at then means unknown, not never. */
  last_used_known: z.boolean().default(true),
  disabled: z.boolean().default(false),
  attributes: Attributes.nullable().default(null),
  /**
   * Created, owned and scoped by the provider itself (a service-linked role, a service agent, a first-party app):
   * nobody in the organisation can own, grant or remove it, so ownership, grant and staleness rules do not judge it.
   */
  provider_managed: z.boolean().default(false),
});
export type Identity = z.infer<typeof Identity>;
export type IdentityInput = z.input<typeof Identity>;

export const Credential = z.object({
  ref: z.string().min(1),
  kind: CredentialKind,
  name: z.string(),
  identity_ref: z.string().nullable().default(null),
  /** Login of whoever created it, where the provider records one (maps to a person). */
  created_by: z.string().nullable().default(null),
  owner: z.string().nullable().default(null),
  created_at: z.date().nullable().default(null),
  last_used_at: z.date().nullable().default(null),
  last_used_known: z.boolean().default(true),
  expires_at: z.date().nullable().default(null),
  /** False when the store cannot carry an expiry at all: then "no expiry" is not a finding. */
  expiry_supported: z.boolean().default(true),
  last_rotated_at: z.date().nullable().default(null),
  status: CredentialStatus.default('active'),
  /** Evidence of exposure from the provider (an open secret-scanning alert, a quarantine policy), else null. */
  leak_signal: z.string().nullable().default(null),
  fingerprint: z.string().nullable().default(null),
  attributes: Attributes.nullable().default(null),
  /** Kept for emergencies (a break-glass or root password): non-use is its intended state, so it is never stale. */
  standby: z.boolean().default(false),
});
export type Credential = z.infer<typeof Credential>;
export type CredentialInput = z.input<typeof Credential>;

export const Entitlement = z.object({
  ref: z.string().min(1),
  identity_ref: z.string().min(1),
  /** Denormalised so grants may name an identity by ref or by name without a second join. */
  identity_name: z.string().nullable().default(null),
  resource_ref: z.string().min(1),
  permission: z.string().min(1),
  level: Level,
  privileged: z.boolean().default(false),
  via: Via.default('direct'),
  path: z.string().nullable().default(null),
  /** A provider-side end of the access (PIM schedule end, conditional binding expiry): just-in-time when set. */
  expires_at: z.date().nullable().default(null),
  last_used_at: z.date().nullable().default(null),
  attributes: Attributes.nullable().default(null),
});
export type Entitlement = z.infer<typeof Entitlement>;
export type EntitlementInput = z.input<typeof Entitlement>;

/**
 * An integration (a third-party app's consent, service principal or installation) is an identity whose
 * `attributes.integration` holds these facts; its scopes are entitlements whose `attributes.scope` holds ScopeFacts,
 * with the level normalised by the connector. Rules read them through the `cur_integrations` view, never by provider.
 */
export const IntegrationFacts = z.object({
  /** What an integration register entry names: the vendor app / OAuth client id (Entra appId, Google client id, …). */
  app_id: z.string().min(1),
  /** The provider's kind of integration ('service_principal', 'oauth_client', 'app_installation', 'service_app', …). */
  kind: z.string().min(1),
  publisher: z.string().nullable().default(null),
  /** Verified by the provider's publisher programme; null when the provider does not say. */
  verified_publisher: z.boolean().nullable().default(null),
  /** Made by someone outside the organisation (a vendor's app), as opposed to the organisation's own app. */
  third_party: z.boolean(),
  multi_tenant: z.boolean().nullable().default(null),
  /** Login of the person who consented or installed it, when one person did (per-user consent). */
  consented_by: z.string().nullable().default(null),
});
export type IntegrationFacts = z.infer<typeof IntegrationFacts>;

export const ScopeFacts = z.object({
  /** The scope reaches the whole tenant (every mailbox, the directory, all repositories), not one user's data. */
  tenant_wide: z.boolean(),
  /** How it was granted: tenant-wide admin consent, one user's consent, an application permission, an installation. */
  consent: z.enum(['admin', 'user', 'application', 'installation']),
  consented_by: z.string().nullable().default(null),
});
export type ScopeFacts = z.infer<typeof ScopeFacts>;

/**
 * A mint edge: "the entitlement's identity may obtain credentials as `target_ref`" (a role trust, an impersonation
 * permission, a workload-identity link, a federated credential). The entitlement's resource_ref is the target; its
 * `attributes.mint` holds these facts, judged by the connector that knows the provider's semantics.
 */
export const MintFacts = z.object({
  /** job_token: the token a CI platform mints for every run of a pipeline (its identity), with the pipeline's default access. */
  mechanism: z.enum(['assume_role', 'oidc', 'saml', 'impersonation', 'workload_identity', 'federated_credential', 'service_account_link', 'job_token']),
  /** Token issuer (OIDC/SAML provider URL or ARN), null when not federated. */
  issuer: z.string().nullable().default(null),
  /** The subject pattern the trust admits (a `sub` claim, a principal, a namespace/service account), null when any. */
  subject: z.string().nullable().default(null),
  audience: z.string().nullable().default(null),
  /**
   * Who the trust admits: anyone at all; any principal of any/another account; anyone holding a token of the issuer;
   * a subject pattern with wildcards; or one pinned subject.
   */
  breadth: z.enum(['anyone', 'any_account', 'issuer_wide', 'wildcard_subject', 'pinned']),
  /** Conditions a safe trust of this kind carries that this one lacks ('sts:ExternalId', 'sub', 'aud', …). */
  missing: z.array(z.string()).default([]),
  target_provider: z.string().min(1),
  target_ref: z.string().min(1),
  /** The trust's raw conditions (never secret), as the provider states them. */
  conditions: z.record(z.string(), z.unknown()).nullable().default(null),
});
export type MintFacts = z.infer<typeof MintFacts>;

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export const FindingStatus = z.enum(['new', 'open', 'resolved', 'regressed']);
export type FindingStatus = z.infer<typeof FindingStatus>;

/** `suspect`: collected without error, but implausibly smaller than the tenant's last complete collection (held until accepted). */
export const SourceStatus = z.enum(['complete', 'partial', 'failed', 'suspect']);
export type SourceStatus = z.infer<typeof SourceStatus>;

export const ActionKind = z.enum(['disable', 'revoke', 'delete', 'rotate']);
export type ActionKind = z.infer<typeof ActionKind>;

/** Parse any reasonable date form to a UTC Date; offsets are honoured, never dropped. */
export function parseDate(value: unknown): Date | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid' : value;
  if (typeof value === 'number') {
    // Epoch seconds or milliseconds.
    const ms = value < 1e11 ? value * 1000 : value;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? 'invalid' : d;
  }
  if (typeof value !== 'string') return 'invalid';
  const s = value.trim();
  if (s === '' || /^(n\/a|null|none|never|no_information|not_supported)$/i.test(s)) return null;
  // Accept ISO 8601 and the "2023-03-09 10:41:45+00:00" form (boto3). A bare date or a time
  // without an offset is read as UTC, never as the machine's local time.
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|z|[+-]\d{2}:?\d{2}|UTC)?)?$/.exec(s);
  if (!m) return 'invalid';
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', off] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) return 'invalid';
  let iso = `${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}`;
  if (!off || off === 'UTC' || off === 'z' || off === 'Z') iso += 'Z';
  else iso += off.includes(':') ? off : `${off.slice(0, 3)}:${off.slice(3)}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'invalid';
  // Reject impossible calendar dates (2024-02-30) that Date would silently roll over.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCDate() !== day) return 'invalid';
  return date;
}

/** A zod date that takes strings, numbers or Dates and reports impossible values clearly. */
export const LooseDate = z.preprocess((v, ctx) => {
  const d = parseDate(v);
  if (d === 'invalid') {
    ctx.addIssue({ code: 'custom', message: `not a valid date: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return d;
}, z.date().nullable());
