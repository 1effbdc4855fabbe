// A small, fully specified cluster: each case is there on purpose (see the comments); tests and the demo both use it.
// Also the kubeconfig that points the real client at one or more simulated clusters.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BOOTSTRAP_LABEL, builder, emptyEstate, group, sa, user, type ClusterEstate } from './estate.js';

const days = (now: Date, n: number) => new Date(now.getTime() + n * 86_400_000).toISOString();
const DEFAULTS = { [BOOTSTRAP_LABEL]: 'rbac-defaults' };

/** The AWS demo account's runtime role (src/sim/aws/demo.ts): the IRSA link joins that identity. */
export const IRSA_ROLE_ARN = 'arn:aws:iam::123456789012:role/app-runtime';
export const GKE_SERVICE_ACCOUNT = 'metrics@acme-ops.iam.gserviceaccount.com';
export const AZURE_CLIENT_ID = '6f1c2d3e-4a5b-4c6d-8e7f-000000000abc';
export const AZURE_TENANT_ID = '11111111-2222-4333-8444-555555555555';

/** The value the seeded legacy token Secrets hold: recognisable, so a test can prove it never crosses the wire. */
export function tokenValue(name: string): string { return `eyJhbGciOiJSUzI1NiJ9.NHICANARYK8S-${name}.c2lnbmF0dXJl`; }

export function seedEstate(now = new Date()): ClusterEstate {
  const d = (n: number) => days(now, n);
  const e = emptyEstate();
  const b = builder(e);
  // The API server's own default policy: provider-managed accounts, never findings of their own.
  const clusterAdmin = b.clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], d(-900), DEFAULTS);
  b.clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }], d(-900), DEFAULTS);
  b.clusterRole('system:controller:namespace-controller', [{ apiGroups: ['*'], resources: ['*'], verbs: ['delete', 'deletecollection', 'get', 'list'] }], d(-900), DEFAULTS);
  b.clusterRoleBinding('cluster-admin', 'cluster-admin', [group('system:masters')], d(-900), DEFAULTS);
  b.clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')], d(-900), DEFAULTS);
  b.sa('kube-system', 'namespace-controller', d(-900));
  b.clusterRoleBinding('system:controller:namespace-controller', 'system:controller:namespace-controller', [sa('kube-system', 'namespace-controller')], d(-900), DEFAULTS);
  void clusterAdmin;

  // A CI deployer with cluster-admin and a legacy long-lived token: the demo's headline case.
  const deployer = b.sa('ci', 'deployer', d(-700), { owner: 'alice' });
  b.clusterRoleBinding('ci-deployer-admin', 'cluster-admin', [sa('ci', 'deployer')], d(-700));
  b.tokenSecret(deployer, 'deployer-token', d(-700), tokenValue('deployer'));

  // Reads Secrets in one namespace (privileged), and links to the AWS demo role (IRSA).
  const api = b.sa('payments', 'api', d(-400), { 'eks.amazonaws.com/role-arn': IRSA_ROLE_ARN });
  b.role('payments', 'secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }], d(-400));
  b.roleBinding('payments', 'api-secrets', { kind: 'Role', name: 'secret-reader' }, [sa('payments', 'api')], d(-400));
  // A token its account recreated since: the uid no longer matches, so it authenticates nothing.
  b.tokenSecret({ metadata: { ...api.metadata, uid: '00000000-0000-4000-8000-0000000000ff' } }, 'api-token-old', d(-500), tokenValue('api-old'));
  // A token Kubernetes saw used, and one it has marked invalid ahead of clean-up.
  b.tokenSecret(api, 'api-token', d(-300), tokenValue('api'), { 'kubernetes.io/legacy-token-last-used': d(-3).slice(0, 10) });
  b.tokenSecret(api, 'api-token-retired', d(-200), tokenValue('api-retired'), { 'kubernetes.io/legacy-token-invalid-since': d(-10).slice(0, 10) });

  // Near miss: reads pods, nothing more.
  b.sa('payments', 'worker', d(-300));
  b.role('payments', 'pod-reader', [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] }], d(-300));
  b.roleBinding('payments', 'worker-pods', { kind: 'Role', name: 'pod-reader' }, [sa('payments', 'worker')], d(-300));

  // Reads metrics cluster-wide (read), linked to a GCP service account (GKE workload identity).
  b.sa('monitoring', 'prometheus', d(-600), { 'iam.gke.io/gcp-service-account': GKE_SERVICE_ACCOUNT });
  b.clusterRole('metrics-reader', [{ apiGroups: [''], resources: ['nodes', 'pods', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] }, { nonResourceURLs: ['/metrics'], verbs: ['get'] }], d(-600));
  b.clusterRoleBinding('prometheus', 'metrics-reader', [sa('monitoring', 'prometheus')], d(-600));

  // Execs into pods in one namespace through a ClusterRole bound by a RoleBinding; linked to an Azure identity.
  b.sa('ci', 'runner', d(-250), { 'azure.workload.identity/client-id': AZURE_CLIENT_ID, 'azure.workload.identity/tenant-id': AZURE_TENANT_ID });
  b.clusterRole('pod-exec', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }], d(-250));
  b.roleBinding('ci', 'runner-exec', { kind: 'ClusterRole', name: 'pod-exec' }, [sa('ci', 'runner')], d(-250));

  // Impersonation and role binding: both give more than themselves.
  b.sa('default', 'impersonator', d(-200));
  b.clusterRole('impersonator', [{ apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] }], d(-200));
  b.clusterRoleBinding('impersonator', 'impersonator', [sa('default', 'impersonator')], d(-200));
  b.sa('default', 'binder', d(-200));
  b.clusterRole('role-binder', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create', 'get', 'list'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['view'] }], d(-200));
  b.roleBinding('default', 'binder', { kind: 'ClusterRole', name: 'role-binder' }, [sa('default', 'binder')], d(-200));

  // Near misses: writes config maps (write, not privileged); creates Secrets but cannot read them back.
  b.sa('default', 'config-writer', d(-150));
  b.role('default', 'config-writer', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update', 'patch', 'delete'] }], d(-150));
  b.role('default', 'secret-creator', [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }], d(-150));
  b.roleBinding('default', 'config-writer', { kind: 'Role', name: 'config-writer' }, [sa('default', 'config-writer'), user('system:serviceaccount:default:binder')], d(-150));
  b.roleBinding('default', 'secret-creator', { kind: 'Role', name: 'secret-creator' }, [sa('default', 'config-writer')], d(-150));

  // People and groups.
  b.clusterRole('view', [{ apiGroups: ['', 'apps'], resources: ['pods', 'services', 'configmaps', 'deployments'], verbs: ['get', 'list', 'watch'] }], d(-900));
  b.clusterRole('admin', [{ apiGroups: [''], resources: ['*'], verbs: ['*'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: ['*'] }], d(-900));
  b.clusterRoleBinding('alice-view', 'view', [user('alice@acme.example')], d(-100));
  b.roleBinding('payments', 'platform-admins', { kind: 'ClusterRole', name: 'admin' }, [group('platform-admins')], d(-365));
  // A binding to a role that does not exist grants nothing.
  b.roleBinding('payments', 'dangling', { kind: 'Role', name: 'no-such-role' }, [user('mallory@acme.example')], d(-50));

  // Secrets that are not service-account tokens: never listed (the field selector) and their values never read.
  b.secret('payments', 'db-password', 'Opaque', { password: 'NHICANARYK8S-db-password' }, d(-800));
  b.secret('kube-system', 'bootstrap-token-abcdef', 'bootstrap.kubernetes.io/token', { 'token-id': 'abcdef', 'token-secret': 'NHICANARYK8S-bootstrap' }, d(-30));
  return e;
}

export interface KubeContext { name: string; server: string; ca: string | null; token: string }

/** A kubeconfig with one cluster, user and context per entry (certificate authority inline, bearer token). */
export function writeKubeconfig(dir: string, contexts: KubeContext[], current = contexts[0]?.name): string {
  const file = join(dir, 'kubeconfig');
  const doc = {
    apiVersion: 'v1', kind: 'Config', 'current-context': current,
    clusters: contexts.map((c) => ({ name: `${c.name}-cluster`, cluster: { server: c.server,
      ...(c.ca ? { 'certificate-authority-data': Buffer.from(c.ca).toString('base64') } : { 'insecure-skip-tls-verify': true }) } })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: { token: c.token } })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: `${c.name}-cluster`, user: `${c.name}-user` } })),
  };
  writeFileSync(file, stringify(doc), { mode: 0o600 });
  return file;
}
