// Mapping of one account's IAM facts (authorization details, credential report, privilege analysis) to the
// canonical identities, credentials and entitlements. Rules read only these columns, so every provider nuance
// (who is human, what "N/A" means, which level a policy confers) is settled here.
import { LEVEL_RANK, parseDate, type CredentialInput, type EntitlementInput, type IdentityInput, type Level } from '../../model/index.js';
import type { TenantSink } from '../types.js';
import type { AuthorizationDetails, PrincipalAnalysis } from './analysis.js';
import { dateOrNull, type CredentialReport, type ReportRow } from './credential-report.js';
import type { PrincipalPrivilege, PrivilegePath } from './privilege/result.js';
import { trustEdges } from './trust.js';

export interface ExtraKey { id: string; status: string; created: Date; lastUsed: Date | null; lastUsedKnown: boolean; region?: string | null; service?: string | null }

export interface IamSnapshot {
  account: string;
  partition: string;
  /** Documents decoded to objects. */
  details: AuthorizationDetails;
  report: CredentialReport | null;
  /** Keys read live with ListAccessKeys (every user with a key, and users newer than the report), by user ARN: they replace the report's key columns. */
  extraKeys: Map<string, ExtraKey[]>;
  /** Principal analysis (effective permissions) by ARN, and the level each policy confers on its own. */
  principals: Map<string, PrincipalAnalysis>;
  policies: Map<string, PrincipalAnalysis>;
  /** Each principal's effective privilege with every path (privilege/result.ts), by ARN. */
  privileges: Map<string, PrincipalPrivilege>;
}

const QUARANTINE = /AWSCompromisedKeyQuarantine/;
const OWNER_TAG = /^(owner|owner[-_]?email|technical[-_]?owner|contact)$/i;
/** A user tag naming the CI pipeline (owner/repo) whose secret holds the user's key: ties the key to the pipeline. */
const PIPELINE_TAG = /^(nhi-recon:)?ci[-_:]?pipeline$/i;
const ciOf = (tags: Record<string, string>): { ci: { pipeline: string } } | Record<string, never> => {
  for (const [k, v] of Object.entries(tags)) if (PIPELINE_TAG.test(k) && v) return { ci: { pipeline: v } };
  return {};
};

/** Policy documents arrive URL-encoded from the API and as objects from exports; always hand out objects. */
export function decodeDocument(doc: unknown): Record<string, unknown> | null {
  if (doc === undefined || doc === null || doc === '') return null;
  if (typeof doc === 'object') return doc as Record<string, unknown>;
  const text = String(doc);
  try { return JSON.parse(text.trim().startsWith('{') ? text : decodeURIComponent(text)) as Record<string, unknown>; } catch {
    return JSON.parse(decodeURIComponent(text.replace(/\+/g, '%20'))) as Record<string, unknown>;
  }
}

/** Decodes every policy document in a details object (in place) and returns it. */
export function decodeDetails(d: Partial<AuthorizationDetails>): AuthorizationDetails {
  const inl = (l: any[] | undefined) => (l ?? []).map((p) => ({ ...p, PolicyDocument: decodeDocument(p.PolicyDocument) }));
  return {
    UserDetailList: (d.UserDetailList ?? []).map((u) => ({ ...u, UserPolicyList: inl(u.UserPolicyList), GroupList: u.GroupList ?? [], AttachedManagedPolicies: u.AttachedManagedPolicies ?? [] })),
    GroupDetailList: (d.GroupDetailList ?? []).map((g) => ({ ...g, GroupPolicyList: inl(g.GroupPolicyList), AttachedManagedPolicies: g.AttachedManagedPolicies ?? [] })),
    RoleDetailList: (d.RoleDetailList ?? []).map((r) => ({ ...r, AssumeRolePolicyDocument: decodeDocument(r.AssumeRolePolicyDocument), RolePolicyList: inl(r.RolePolicyList), AttachedManagedPolicies: r.AttachedManagedPolicies ?? [] })),
    Policies: (d.Policies ?? []).map((p) => ({ ...p, PolicyVersionList: (p.PolicyVersionList ?? []).map((v: any) => ({ ...v, Document: decodeDocument(v.Document) })) })),
  };
}

const date = (v: unknown): Date | null => { const d = parseDate(v); return d instanceof Date ? d : null; };
const tagsOf = (t: any[] | undefined): Record<string, string> => Object.fromEntries((t ?? []).map((x) => [x.Key, x.Value]));
const ownerTag = (tags: Record<string, string>): string | null => {
  for (const [k, v] of Object.entries(tags)) if (OWNER_TAG.test(k) && v) return v;
  return null;
};
/** Classes in order of power: a policy's own class is capped at its principal's (a boundary or deny caps it). */
const CLASS_RANK: Record<string, number> = { none: 0, read: 1, write: 2, 'permissions-management': 3, escalation: 4, administrator: 5 };
const capClass = (own: string | null | undefined, principal: string | null | undefined): string | null =>
  own == null ? null : principal == null || CLASS_RANK[own]! <= CLASS_RANK[principal]! ? own : principal;
/** The contract's policy key: a managed policy's ARN, or `inline:<owner ARN>#<policy name>`. */
const policyKey = (g: { policyType: 'managed' | 'inline'; key: string }) => (g.policyType === 'inline' ? `inline:${g.key}` : g.key);
const pathsThrough = (priv: PrincipalPrivilege | undefined, key: string): PrivilegePath[] =>
  (priv?.paths ?? []).filter((p) => p.steps.some((st) => st.policy === key));

const maxDate = (...ds: (Date | null | undefined)[]): Date | null => ds.reduce<Date | null>((m, d) => (d && (!m || d > m) ? d : m), null);

/**
 * Synthetic principals, one per policy, so the analysis can tell what each policy confers on its own. Managed
 * policies are keyed by ARN, inline ones by "<owner ARN>#<policy name>".
 */
export function policyProbes(account: string, partition: string, d: AuthorizationDetails): { details: AuthorizationDetails; keys: Map<string, string> } {
  const users: any[] = [];
  const keys = new Map<string, string>();
  const add = (key: string, attached: any[], inline: any[]) => {
    if (keys.has(key)) return;
    const name = `nhi-recon-policy-probe-${users.length}`;
    const arn = `arn:${partition}:iam::${account}:user/${name}`;
    users.push({ UserName: name, UserId: `AIDAPROBE${users.length}`, Arn: arn, Path: '/', CreateDate: '2020-01-01T00:00:00Z', GroupList: [], AttachedManagedPolicies: attached, UserPolicyList: inline, Tags: [] });
    keys.set(key, arn);
  };
  for (const p of [...d.UserDetailList, ...d.GroupDetailList, ...d.RoleDetailList]) {
    for (const a of p.AttachedManagedPolicies ?? []) add(a.PolicyArn, [a], []);
    const owner = p.Arn as string;
    for (const i of p.UserPolicyList ?? p.GroupPolicyList ?? p.RolePolicyList ?? []) add(`${owner}#${i.PolicyName}`, [], [i]);
  }
  return { details: { UserDetailList: users, GroupDetailList: [], RoleDetailList: [], Policies: d.Policies }, keys };
}

interface Grantable { permission: string; policyType: 'managed' | 'inline'; policyName: string; policyArn?: string; key: string; via: 'direct' | 'group'; group?: { name: string; arn: string } }

export function mapIam(s: IamSnapshot, sink: TenantSink): { identities: number; credentials: number; entitlements: number } {
  const counts = { identities: 0, credentials: 0, entitlements: 0 };
  const idn = (r: IdentityInput) => { sink.identity(r); counts.identities++; };
  const cred = (r: CredentialInput) => { sink.credential(r); counts.credentials++; };
  const ent = (r: EntitlementInput) => { sink.entitlement(r); counts.entitlements++; };
  const { details: d, report, account } = s;
  const groups = new Map(d.GroupDetailList.map((g) => [g.GroupName as string, g]));
  // Principals of this account by ARN, and by type and name (a trust may name a role without its path).
  const principalArns = new Map<string, { ref: string; name: string }>();
  for (const u of d.UserDetailList) { principalArns.set(u.Arn, { ref: u.Arn, name: u.UserName }); principalArns.set(`user/${u.UserName}`, { ref: u.Arn, name: u.UserName }); }
  for (const r of d.RoleDetailList) { principalArns.set(r.Arn, { ref: r.Arn, name: r.RoleName }); principalArns.set(`role/${r.RoleName}`, { ref: r.Arn, name: r.RoleName }); }
  // A role session (arn:aws:sts::ACCT:assumed-role/ROLE/SESSION) is that role acting under one session name.
  const knownPrincipal = (a: string) => principalArns.get(a) ?? (() => {
    const sess = /:assumed-role\/([^/]+)\/[^/]+$/.exec(a);
    if (sess) return principalArns.get(`role/${sess[1]}`) ?? null;
    const m = /:(user|role)\/(?:.*\/)?([^/]+)$/.exec(a);
    return m ? principalArns.get(`${m[1]}/${m[2]}`) ?? null : null;
  })();
  const trustSubjects = new Set<string>();

  const entitlementsOf = (principalArn: string, principalName: string, principalType: 'user' | 'role', own: any, viaGroups: any[]) => {
    const grants: Grantable[] = [];
    const ownInline = own.UserPolicyList ?? own.RolePolicyList ?? [];
    for (const a of own.AttachedManagedPolicies ?? []) grants.push({ permission: a.PolicyArn, policyType: 'managed', policyName: a.PolicyName, policyArn: a.PolicyArn, key: a.PolicyArn, via: 'direct' });
    for (const i of ownInline) grants.push({ permission: `inline-policy:${i.PolicyName}`, policyType: 'inline', policyName: i.PolicyName, key: `${principalArn}#${i.PolicyName}`, via: 'direct' });
    for (const g of viaGroups) {
      const grp = { name: g.GroupName as string, arn: g.Arn as string };
      for (const a of g.AttachedManagedPolicies ?? []) grants.push({ permission: a.PolicyArn, policyType: 'managed', policyName: a.PolicyName, policyArn: a.PolicyArn, key: a.PolicyArn, via: 'group', group: grp });
      for (const i of g.GroupPolicyList ?? []) grants.push({ permission: `inline-policy:${grp.name}/${i.PolicyName}`, policyType: 'inline', policyName: i.PolicyName, key: `${grp.arn}#${i.PolicyName}`, via: 'group', group: grp });
    }
    const eff = s.principals.get(principalArn);
    const priv = s.privileges.get(principalArn);
    const summaryRef = `${principalArn}|effective-permissions`;
    for (const g of grants) {
      const alone = s.policies.get(g.key);
      // A policy cannot confer more than the principal effectively holds (a deny or boundary elsewhere caps it).
      let level: Level = alone?.level ?? 'none';
      if (eff && LEVEL_RANK[eff.level] < LEVEL_RANK[level]) level = eff.level;
      const privileged = (alone?.privileged ?? false) && (eff ? eff.privileged : true);
      // Paths and evidence come from the principal's real analysis (its groups, boundary, denies), never from the
      // policy judged alone: that probe neither sees a combination nor a cap, and its wording names the probe.
      const paths = pathsThrough(priv, policyKey(g));
      const families = new Set(paths.map((p) => p.family));
      ent({
        ref: `${principalArn}|${g.permission}${g.group ? `|via:${g.group.arn}` : ''}`,
        identity_ref: principalArn, identity_name: principalName, resource_ref: account, permission: g.permission, level, privileged,
        via: g.via, path: g.group ? `group:${g.group.name}` : null,
        attributes: {
          principal_type: principalType, principal_name: principalName, policy_type: g.policyType, policy_name: g.policyName,
          ...(g.policyArn ? { policy_arn: g.policyArn } : {}), ...(g.group ? { group_name: g.group.name, group_arn: g.group.arn } : {}),
          classification: capClass(alone?.classification, eff?.classification), principal_class: eff?.classification ?? null, effective_ref: eff ? summaryRef : null,
          paths, escalation_paths: (eff?.escalationPaths ?? []).filter((p) => families.has(p.path)),
        },
      });
    }
    // One summary per principal, always: its class and every path, from the combined analysis. Rules read `summary`
    // (generic) to judge it against the approved pieces rather than as one more policy.
    if (eff) {
      ent({
        ref: summaryRef, identity_ref: principalArn, identity_name: principalName, resource_ref: account,
        permission: 'effective-permissions', level: eff.level, privileged: eff.privileged, via: 'policy', path: null,
        attributes: {
          principal_type: principalType, principal_name: principalName, policy_type: 'effective', summary: true,
          class: priv?.class ?? eff.classification, paths: priv?.paths ?? [], limits: priv?.limits ?? [],
          classification: eff.classification, escalation_paths: eff.escalationPaths, evidence: eff.evidence, policies: grants.map((g) => g.permission),
        },
      });
    }
  };

  // Root: always exists and is all-powerful by nature, so it gets no entitlement row (that would be a finding in every
  // account); its password and keys, which are what goes wrong with root, come from the report.
  const rootArn = `arn:${s.partition}:iam::${account}:root`;
  const rootRow = report?.rows.find((r) => r.isRoot);
  idn({
    ref: rootArn, kind: 'user', name: 'root', login: null, human: true, created_at: rootRow ? dateOf(rootRow, 'user_creation_time') : null,
    last_used_at: rootRow ? lastUsedOf(rootRow).at : null, last_used_known: rootRow ? lastUsedOf(rootRow).known : false,
    attributes: { root: true, mfa_active: rootRow?.bool('mfa_active') ?? null },
  });
  if (rootRow) {
    const pw = rootRow.date('password_last_used');
    // AWS recommends never using the root password (N/A or no_information is the goal): standby, never "stale".
    cred({ ref: `${rootArn}#password`, kind: 'password', name: 'root password', identity_ref: rootArn, last_used_at: pw.kind === 'date' ? pw.value : null, last_used_known: pw.kind !== 'unknown', expiry_supported: false, standby: true, attributes: { root: true } });
    keysFromReport(rootRow, rootArn, 'root', false);
  }

  for (const u of d.UserDetailList) {
    const arn = u.Arn as string;
    const row = report?.byArn.get(arn);
    const tags = tagsOf(u.Tags);
    const quarantine = (u.AttachedManagedPolicies ?? []).find((a: any) => QUARANTINE.test(a.PolicyArn));
    const eff = s.principals.get(arn);
    const live = s.extraKeys.get(arn);
    const extra = live ?? [];
    const password = row?.bool('password_enabled') === true;
    const hasKeys = live ? live.some((k) => k.status === 'Active') : row ? [1, 2].some((n) => row.bool(`access_key_${n}_active`) === true) : false;
    // Without a report row (offline without CSV, or a user newer than the report) use is unknown unless its keys were read.
    const lu = row ? lastUsedOf(row) : extra.length ? { at: maxDate(...extra.map((k) => k.lastUsed)), known: extra.every((k) => k.lastUsedKnown) } : { at: null, known: false };
    const owner = ownerTag(tags);
    idn({
      ref: arn, kind: 'user', name: u.UserName, login: u.UserName,
      // A console password means a person signs in; keys without a console are the mark of a service user.
      human: password ? true : hasKeys ? false : null,
      owner, owner_source: owner ? 'tag' : null, created_at: date(u.CreateDate),
      last_used_at: lu.at, last_used_known: lu.known,
      attributes: {
        user_id: u.UserId, path: u.Path, tags, groups: u.GroupList, permissions_boundary: u.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
        password_enabled: row ? password : null, mfa_active: row?.bool('mfa_active') ?? null, in_credential_report: !!row,
        classification: eff?.classification ?? null, escalation_paths: eff?.escalationPaths ?? [], quarantined: !!quarantine || !!eff?.quarantined,
      },
    });
    const leak = quarantine || eff?.quarantined
      ? `AWS attached ${quarantine ? String(quarantine.PolicyArn).split('/').pop() : 'an AWSCompromisedKeyQuarantine policy'} to user ${u.UserName}: AWS found one of its access keys exposed`
      : null;
    if (row) {
      if (password) {
        const used = row.date('password_last_used');
        const changed = dateOrNull(row.date('password_last_changed'));
        cred({
          ref: `${arn}#login-profile`, kind: 'password', name: `${u.UserName} console password`, identity_ref: arn,
          created_at: changed instanceof Date ? changed : null, last_rotated_at: changed instanceof Date ? changed : null,
          last_used_at: used.kind === 'date' ? used.value : null, last_used_known: used.kind !== 'unknown',
          expires_at: (() => { const n = dateOrNull(row.date('password_next_rotation')); return n instanceof Date ? n : null; })(),
          // An expiry comes only from the account password policy, not from the credential: its absence is no finding.
          expiry_supported: false, attributes: { user_name: u.UserName },
        });
      }
      if (row.bool('mfa_active')) {
        cred({ ref: `${arn}#mfa`, kind: 'mfa_device', name: `${u.UserName} MFA`, identity_ref: arn, last_used_known: false, expiry_supported: false, attributes: { user_name: u.UserName } });
      }
      // The live key list, when read, is the truth about status and ids; the report's columns only fill in use.
      if (!live) keysFromReport(row, arn, u.UserName, leak, ciOf(tags));
      for (const n of [1, 2]) {
        const rot = row.date(`cert_${n}_last_rotated`);
        if (rot.kind !== 'date') continue;
        cred({
          ref: `${arn}#signing-certificate:${iso(rot.value)}`, kind: 'certificate', name: `${u.UserName} signing certificate ${n}`, identity_ref: arn,
          created_at: rot.value, last_rotated_at: rot.value, last_used_known: false, status: row.bool(`cert_${n}_active`) ? 'active' : 'inactive',
          // The report does not carry the certificate's own validity: unknown, so no expiry finding is made from it.
          expiry_supported: false, attributes: { user_name: u.UserName, slot: n, expiry_unknown: true },
        });
      }
    }
    for (const k of extra) {
      cred({
        ref: `${arn}#access-key:${iso(k.created)}`, kind: 'access_key', name: k.id, identity_ref: arn, created_at: k.created, last_rotated_at: k.created,
        last_used_at: k.lastUsed, last_used_known: k.lastUsedKnown, expiry_supported: false, status: k.status === 'Active' ? 'active' : 'inactive',
        leak_signal: k.status === 'Active' ? leak : null, fingerprint: k.id,
        attributes: { user_name: u.UserName, access_key_id: k.id, source: 'ListAccessKeys', last_used_region: k.region ?? null, last_used_service: k.service ?? null, ...ciOf(tags) },
      });
    }
    entitlementsOf(arn, u.UserName, 'user', u, (u.GroupList ?? []).map((g: string) => groups.get(g)).filter(Boolean));
  }

  for (const r of d.RoleDetailList) {
    const arn = r.Arn as string;
    const tags = tagsOf(r.Tags);
    const owner = ownerTag(tags);
    const eff = s.principals.get(arn);
    const trust = (r.AssumeRolePolicyDocument ?? {}) as { Statement?: any };
    const principals = trustPrincipals(trust);
    const serviceLinked = String(r.Path ?? '').startsWith('/aws-service-role/');
    const sso = /^AWSReservedSSO_/.test(r.RoleName) && String(r.Path ?? '').startsWith('/aws-reserved/sso.amazonaws.com/');
    idn({
      ref: arn, kind: 'role', name: r.RoleName, login: null,
      // SSO permission-set roles are how people reach the account; every other role is a workload's.
      human: sso ? null : false, owner, owner_source: owner ? 'tag' : null, created_at: date(r.CreateDate),
      last_used_at: date(r.RoleLastUsed?.LastUsedDate), last_used_known: r.RoleLastUsed !== undefined,
      // Service-linked roles are created, scoped and deleted by AWS services (IAM refuses to edit them): owner, grant
      // and staleness are not judged here. Identity Center's reserved roles are not: their permission sets are the
      // customer's choice, and an administrator permission set is exactly what a person must see.
      provider_managed: serviceLinked,
      attributes: {
        role_id: r.RoleId, path: r.Path, tags, service_linked: serviceLinked, sso_permission_set: sso, trusted: principals,
        permissions_boundary: r.PermissionsBoundary?.PermissionsBoundaryArn ?? null, last_used_region: r.RoleLastUsed?.Region ?? null,
        classification: eff?.classification ?? null, escalation_paths: eff?.escalationPaths ?? [],
      },
    });
    entitlementsOf(arn, r.RoleName, 'role', r, []);
    // Trust edges: who may obtain credentials as this role. AWS services (Service principals) are the provider's own
    // and not judged here; service-linked roles trust only them.
    if (!serviceLinked) {
      for (const t of trustEdges(trust, { account, partition: s.partition, roleArn: arn, knownPrincipal })) {
        if (t.subjectKind && !trustSubjects.has(t.subjectRef)) {
          trustSubjects.add(t.subjectRef);
          // Whoever owns the trusting role answers for the trust; the subject itself has no owner in this account.
          idn({ ref: t.subjectRef, kind: t.subjectKind, name: t.subjectName, login: null, human: t.subjectKind === 'public' ? null : false, owner, owner_source: owner ? 'tag' : null,
            last_used_known: false, attributes: { trusted_subject: true, issuer: t.mint.issuer, ...(t.pipeline ? { ci: { pipeline: t.pipeline } } : {}) } });
        }
        ent({
          ref: `${arn}|trust|${t.subjectRef}|${t.permission}`, identity_ref: t.subjectRef, identity_name: t.subjectName, resource_ref: arn,
          permission: t.permission, level: eff?.level ?? 'none', privileged: eff?.privileged ?? false, via: 'direct', path: 'trust-policy',
          last_used_at: null,
          attributes: { mint: t.mint, role_name: r.RoleName, role_class: eff?.classification ?? null, ...(t.pipeline ? { ci: { pipeline: t.pipeline } } : {}) },
        });
      }
    }
  }

  for (const g of d.GroupDetailList) {
    // Groups hold no access themselves; their members' entitlements carry via=group and the group's name.
    idn({ ref: g.Arn, kind: 'group', name: g.GroupName, human: null, created_at: date(g.CreateDate), last_used_known: false, attributes: { group_id: g.GroupId, path: g.Path } });
  }
  return counts;

  function keysFromReport(row: ReportRow, identityArn: string, userName: string, leak: string | null | false, extra: Record<string, unknown> = {}) {
    for (const n of [1, 2]) {
      const rot = row.date(`access_key_${n}_last_rotated`);
      if (rot.kind !== 'date') continue; // no key in this slot
      const used = row.date(`access_key_${n}_last_used_date`);
      const active = row.bool(`access_key_${n}_active`) === true;
      cred({
        ref: `${identityArn}#access-key:${iso(rot.value)}`, kind: 'access_key', name: `${userName} access key ${n}`, identity_ref: identityArn,
        // The report's "last_rotated" is the key's creation time: a key is rotated by replacing it.
        created_at: rot.value, last_rotated_at: rot.value,
        last_used_at: used.kind === 'date' ? used.value : null, last_used_known: used.kind !== 'unknown',
        // IAM access keys cannot carry an expiry: age is judged by unrotated-credential instead.
        expiry_supported: false, status: active ? 'active' : 'inactive', leak_signal: active && leak ? leak : null,
        attributes: {
          user_name: userName, slot: n, last_used_region: row.get(`access_key_${n}_last_used_region`) ?? null,
          last_used_service: row.get(`access_key_${n}_last_used_service`) ?? null, ...(row.isRoot ? { root: true } : {}), ...extra,
        },
      });
    }
  }
}

function dateOf(row: ReportRow, col: string): Date | null { const c = row.date(col); return c.kind === 'date' ? c.value : null; }

/** A user's last use: the latest of password and key use; unknown when AWS says no_information for a used channel. */
function lastUsedOf(row: ReportRow): { at: Date | null; known: boolean } {
  const cols = ['password_last_used', 'access_key_1_last_used_date', 'access_key_2_last_used_date'];
  let at: Date | null = null;
  let unknown = false;
  for (const c of cols) {
    const v = row.date(c);
    if (v.kind === 'date') at = maxDate(at, v.value);
    else if (v.kind === 'unknown') unknown = true;
  }
  // A known later use settles it; an unknown one leaves "last used" open only when nothing later is known.
  return { at, known: at !== null || !unknown };
}

function trustPrincipals(doc: { Statement?: any }): { services: string[]; aws: string[]; federated: string[] } {
  const out = { services: [] as string[], aws: [] as string[], federated: [] as string[] };
  const stmts = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  for (const st of stmts) {
    if (st.Effect !== 'Allow' || !st.Principal) continue;
    const p = st.Principal === '*' ? { AWS: '*' } : st.Principal;
    const list = (v: unknown) => (Array.isArray(v) ? v : v ? [v] : []).map(String);
    out.services.push(...list(p.Service));
    out.aws.push(...list(p.AWS));
    out.federated.push(...list(p.Federated));
  }
  return out;
}

export function iso(d: Date): string { return d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }
