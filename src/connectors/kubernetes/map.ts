// Kubernetes → canonical: refs, the level of an RBAC role from its rules, binding subjects as identities, legacy
// token Secrets as credentials, and workload-identity annotations as mint edges to the cloud identity they reach.
import { MintFacts, type CredentialInput, type IdentityInput, type Level } from '../../model/index.js';

/**
 * Refs. A namespace name is a DNS label (no ':' and no '/'), so a service account `k8s:<cluster>/<ns>/<name>` never
 * collides with a user (`…/user:<name>`), a group (`…/group:<name>`) or a namespace scope (`…/ns:<ns>`).
 */
export const refs = {
  cluster: (c: string) => `k8s:${c}`,
  namespace: (c: string, ns: string) => `k8s:${c}/ns:${ns}`,
  serviceAccount: (c: string, ns: string, name: string) => `k8s:${c}/${ns}/${name}`,
  user: (c: string, name: string) => `k8s:${c}/user:${name}`,
  group: (c: string, name: string) => `k8s:${c}/group:${name}`,
  tokenSecret: (c: string, ns: string, name: string) => `k8s:${c}/${ns}/secret/${name}`,
  binding: (c: string, kind: 'RoleBinding' | 'ClusterRoleBinding', ns: string | undefined, name: string) =>
    kind === 'RoleBinding' ? `k8s:${c}/rolebinding/${ns}/${name}` : `k8s:${c}/clusterrolebinding/${name}`,
};

export interface PolicyRule { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

export interface RbacLevel { level: Level; privileged: boolean; reasons: string[] }

const READ_VERBS = new Set(['get', 'list', 'watch']);
const lower = (xs: string[] | undefined) => (xs ?? []).map((x) => x.toLowerCase());
const anyVerb = (verbs: string[], wanted: string[]) => verbs.includes('*') || wanted.some((w) => verbs.includes(w));
const inGroup = (r: PolicyRule, g: string) => (r.apiGroups ?? []).some((x) => x === '*' || x === g);
// RBAC's resource match: '*', the exact resource (or resource/subresource), or '*' + '/<subresource>'.
const hasResource = (r: PolicyRule, res: string) => {
  const sub = res.includes('/') ? res.slice(res.indexOf('/') + 1) : null;
  return (r.resources ?? []).some((x) => x === '*' || x === res || (sub !== null && x === `*/${sub}`));
};

/**
 * The level of a set of RBAC rules (a Role's or ClusterRole's), the most any one rule gives:
 * - owner: a rule with '*' verbs on '*' resources in '*' API groups (cluster-admin);
 * - admin and privileged: reading Secrets (get/list/watch return values), exec/attach into pods, impersonate,
 *   bind/escalate on roles, writing role bindings, minting service-account tokens (each grants more than itself);
 * - write: any verb other than get/list/watch; read: only those; none: no rule.
 */
export function rbacLevel(rules: PolicyRule[]): RbacLevel {
  const rank: Record<Level, number> = { none: 0, read: 1, write: 2, admin: 3, owner: 4 };
  let level = 'none' as Level;
  const reasons = new Set<string>();
  const bump = (l: Level) => { if (rank[l] > rank[level]) level = l; };
  for (const r of rules) {
    const verbs = lower(r.verbs);
    if (!verbs.length) continue;
    const resources = r.resources ?? [];
    if (!resources.length) {
      if ((r.nonResourceURLs ?? []).length) bump(verbs.every((v) => READ_VERBS.has(v)) ? 'read' : 'write');
      continue;
    }
    if (verbs.includes('*') && resources.includes('*') && (r.apiGroups ?? []).includes('*')) { bump('owner'); reasons.add('all verbs on all resources'); continue; }
    const core = inGroup(r, '');
    const rbac = inGroup(r, 'rbac.authorization.k8s.io');
    if (core && hasResource(r, 'secrets') && anyVerb(verbs, ['get', 'list', 'watch'])) reasons.add('reads secrets');
    // WebSocket exec and attach were authorised as `get` on older API servers, `create` on newer ones: both count.
    if (core && (hasResource(r, 'pods/exec') || hasResource(r, 'pods/attach')) && anyVerb(verbs, ['create', 'get'])) reasons.add('execs into pods');
    const named = (set: string[]) => resources.some((x) => x === '*' || set.includes(x.split('/')[0]!));
    if (anyVerb(verbs, ['impersonate']) && ((core && named(['users', 'groups', 'serviceaccounts'])) || (inGroup(r, 'authentication.k8s.io') && named(['uids', 'userextras'])))) reasons.add('impersonates');
    if (rbac && (hasResource(r, 'roles') || hasResource(r, 'clusterroles')) && anyVerb(verbs, ['bind', 'escalate'])) reasons.add('binds or escalates roles');
    if (rbac && (hasResource(r, 'rolebindings') || hasResource(r, 'clusterrolebindings')) && anyVerb(verbs, ['create', 'update', 'patch'])) reasons.add('writes role bindings');
    if (core && hasResource(r, 'serviceaccounts/token') && anyVerb(verbs, ['create'])) reasons.add('mints service-account tokens');
    bump(verbs.every((v) => READ_VERBS.has(v)) ? 'read' : 'write');
  }
  const privileged = reasons.size > 0;
  if (privileged && level !== 'owner') level = 'admin';
  return { level, privileged, reasons: [...reasons].sort() };
}

/** A role whose definition could not be read: judged from its name, towards more access, never less. */
export function levelFromName(kind: string, name: string): RbacLevel {
  if (kind === 'ClusterRole' && name === 'cluster-admin') return { level: 'owner', privileged: true, reasons: ['estimated from the name'] };
  if (/admin|edit|owner|secret|exec|imperson|bind|escalat|token/i.test(name)) return { level: 'admin', privileged: true, reasons: ['estimated from the name'] };
  if (/view|read/i.test(name)) return { level: 'read', privileged: false, reasons: ['estimated from the name'] };
  return { level: 'write', privileged: false, reasons: ['estimated from the name'] };
}

export interface Subject { kind: string; name: string; namespace?: string; apiGroup?: string }

/** Subjects that stand for everyone: the anonymous user is the public; every authenticated identity is a group. */
const PUBLIC = new Set(['system:unauthenticated', 'system:anonymous']);
const EVERYONE = new Set(['system:authenticated', 'system:unauthenticated', 'system:anonymous', 'system:serviceaccounts']);

/** `system`: a name the API server reserves (system: users and groups, kube-system accounts). */
export interface SubjectIdentity { ref: string; identity: IdentityInput; system: boolean }

/**
 * The identity a binding subject names. A User named `system:serviceaccount:<ns>:<name>` is that service account;
 * a ServiceAccount subject without a namespace takes the binding's.
 */
export function subjectIdentity(cluster: string, s: Subject, bindingNamespace: string | undefined): SubjectIdentity | null {
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace || bindingNamespace;
    if (!ns) return null;
    return saSubject(cluster, ns, s.name);
  }
  if (s.kind === 'User') {
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(s.name);
    if (m) return saSubject(cluster, m[1]!, m[2]!);
    const ref = refs.user(cluster, s.name);
    const pub = PUBLIC.has(s.name);
    return { ref, system: s.name.startsWith('system:'),
      identity: { ref, kind: pub ? 'public' : 'user', name: s.name, login: pub ? null : s.name, human: null, last_used_known: false, attributes: { subject_kind: 'User' } } };
  }
  if (s.kind === 'Group') {
    const ref = refs.group(cluster, s.name);
    const pub = PUBLIC.has(s.name);
    return { ref, system: s.name.startsWith('system:'),
      identity: { ref, kind: pub ? 'public' : 'group', name: s.name, human: null, last_used_known: false,
        attributes: { subject_kind: 'Group', ...(EVERYONE.has(s.name) ? { everyone: true } : {}) } } };
  }
  return null;
}

function saSubject(cluster: string, ns: string, name: string): SubjectIdentity {
  const ref = refs.serviceAccount(cluster, ns, name);
  return { ref, system: ns === 'kube-system', identity: saIdentity(cluster, ns, name, null) };
}

export interface SaObject {
  metadata: { name?: string; namespace?: string; uid?: string; creationTimestamp?: Date | string; labels?: Record<string, string>; annotations?: Record<string, string> };
  automountServiceAccountToken?: boolean;
  secrets?: unknown[];
  imagePullSecrets?: unknown[];
}

const OWNER_KEYS = ['owner', 'nhi-recon/owner', 'app.kubernetes.io/owner', 'team'];
const dateOf = (v: Date | string | undefined | null) => (v ? new Date(v) : null);

/** A service account identity; `sa` null when only a binding or a token names it (the list did not show it). */
export function saIdentity(cluster: string, ns: string, name: string, sa: SaObject | null): IdentityInput {
  const ref = refs.serviceAccount(cluster, ns, name);
  const tags = { ...(sa?.metadata.labels ?? {}), ...(sa?.metadata.annotations ?? {}) };
  const ownerKey = OWNER_KEYS.find((k) => tags[k]);
  return {
    ref, kind: 'service_account', name: `${ns}/${name}`, login: `system:serviceaccount:${ns}:${name}`, human: false,
    owner: ownerKey ? tags[ownerKey]! : null, owner_source: ownerKey ? 'tag' : null,
    created_at: dateOf(sa?.metadata.creationTimestamp),
    // The API records no use of a service account.
    last_used_known: false,
    attributes: {
      namespace: ns, uid: sa?.metadata.uid ?? null, listed: sa !== null,
      automount: sa?.automountServiceAccountToken ?? null, image_pull_secret_count: sa?.imagePullSecrets?.length ?? 0,
      workload_identity: sa ? workloadAnnotations(sa.metadata.annotations) : {},
    },
  };
}

/** The workload-identity annotations Kubernetes' cloud integrations read. */
export const WORKLOAD_IDENTITY = {
  aws: 'eks.amazonaws.com/role-arn',
  gcp: 'iam.gke.io/gcp-service-account',
  azure: 'azure.workload.identity/client-id',
} as const;

function workloadAnnotations(a: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...Object.values(WORKLOAD_IDENTITY), 'azure.workload.identity/tenant-id', 'eks.amazonaws.com/audience']) if (a?.[key]) out[key] = a[key];
  return out;
}

/** The GCP connector's ref of a service account (src/connectors/gcp/map.ts saRef), so the edge joins its identity. */
export function gcpServiceAccountRef(email: string): string {
  const m = /^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(email);
  return `projects/${m ? m[1] : '-'}/serviceAccounts/${email}`;
}

export interface MintEdge { key: string; value: string; facts: MintFacts }

/**
 * Workload-identity links of one service account: each annotation names the cloud identity its pods obtain tokens as.
 * Targets are refs the cloud connectors use for those identities: an IAM role ARN (aws), a service account
 * `projects/<p>/serviceAccounts/<email>` (gcp), and `azure:<tenant>/app/<client-id>` (the app or managed identity
 * client id; the service principal's object id is not in the annotation).
 */
export function mintEdges(ns: string, name: string, annotations: Record<string, string> | undefined, azureTenant: string | undefined): { edges: MintEdge[]; invalid: string[] } {
  const edges: MintEdge[] = [];
  const invalid: string[] = [];
  const a = annotations ?? {};
  const subject = `system:serviceaccount:${ns}:${name}`;
  const edge = (key: string, provider: string, target: string, audience: string | null, extra: Record<string, unknown> = {}) => {
    edges.push({ key, value: a[key]!, facts: MintFacts.parse({
      mechanism: 'service_account_link', issuer: null, subject, audience, breadth: 'pinned', missing: [],
      // Keyed by the annotation, as the service account states it (names, never secrets).
      target_provider: provider, target_ref: target, conditions: { [key]: a[key]!, ...extra },
    }) });
  };
  const arn = a[WORKLOAD_IDENTITY.aws]?.trim();
  if (arn) {
    if (/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn)) edge(WORKLOAD_IDENTITY.aws, 'aws', arn, a['eks.amazonaws.com/audience'] || 'sts.amazonaws.com');
    else invalid.push(`${WORKLOAD_IDENTITY.aws}=${arn}`);
  }
  const email = a[WORKLOAD_IDENTITY.gcp]?.trim();
  if (email) {
    if (/^[^@\s]+@[^@\s]+$/.test(email)) edge(WORKLOAD_IDENTITY.gcp, 'gcp', gcpServiceAccountRef(email), null);
    else invalid.push(`${WORKLOAD_IDENTITY.gcp}=${email}`);
  }
  const client = a[WORKLOAD_IDENTITY.azure]?.trim();
  if (client) {
    const tenant = a['azure.workload.identity/tenant-id']?.trim() || azureTenant || '-';
    if (/^[0-9a-f-]{36}$/i.test(client)) edge(WORKLOAD_IDENTITY.azure, 'azure', `azure:${tenant}/app/${client.toLowerCase()}`, 'api://AzureADTokenExchange', { 'azure.workload.identity/tenant-id': tenant === '-' ? null : tenant });
    else invalid.push(`${WORKLOAD_IDENTITY.azure}=${client}`);
  }
  return { edges, invalid };
}

export interface SecretMeta {
  name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: Date | string;
  labels?: Record<string, string>; annotations?: Record<string, string>;
}

/**
 * A legacy service-account token Secret (metadata only). It never expires; Kubernetes 1.29+ labels its last use
 * (`kubernetes.io/legacy-token-last-used`, a date) and marks it invalid (`…-invalid-since`) before cleaning it up.
 */
export function tokenCredential(cluster: string, m: SecretMeta, saUid: string | null | undefined): CredentialInput {
  const ns = m.namespace!;
  const name = m.name!;
  const saName = m.annotations?.['kubernetes.io/service-account.name'] ?? null;
  const tokenSaUid = m.annotations?.['kubernetes.io/service-account.uid'] ?? null;
  const lastUsed = m.labels?.['kubernetes.io/legacy-token-last-used'] ?? null;
  const invalidSince = m.labels?.['kubernetes.io/legacy-token-invalid-since'] ?? null;
  const used = lastUsed && /^\d{4}-\d{2}-\d{2}$/.test(lastUsed) ? new Date(`${lastUsed}T00:00:00Z`) : null;
  // A token issued to an earlier account of the same name no longer authenticates.
  const orphaned = saUid !== undefined && tokenSaUid !== null && saUid !== tokenSaUid;
  return {
    ref: refs.tokenSecret(cluster, ns, name), kind: 'sa_token', name: `${ns}/${name}`,
    identity_ref: saName ? refs.serviceAccount(cluster, ns, saName) : null,
    created_at: dateOf(m.creationTimestamp), expires_at: null, expiry_supported: true,
    last_used_at: used, last_used_known: used !== null,
    status: invalidSince || orphaned ? 'inactive' : 'active',
    attributes: {
      namespace: ns, secret_name: name, uid: m.uid ?? null, resource_version: m.resourceVersion ?? null,
      service_account: saName, service_account_uid: tokenSaUid, account_uid_matches: saUid === undefined ? null : !orphaned,
      legacy_token_last_used: lastUsed, invalid_since: invalidSince,
    },
  };
}
