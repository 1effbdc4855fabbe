// The state of one simulated Kubernetes cluster, held in the API's own JSON shapes (what `kubectl get -o json` shows),
// so the server only pages, filters and negotiates content. Secrets carry real `data`: the connector must never see it.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PolicyRule { apiGroups?: string[]; resources?: string[]; verbs: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }
export interface Subject { kind: 'ServiceAccount' | 'User' | 'Group'; name: string; namespace?: string; apiGroup?: string }
export interface RoleRef { apiGroup: string; kind: 'Role' | 'ClusterRole'; name: string }

export interface ServiceAccount { metadata: ObjectMeta; automountServiceAccountToken?: boolean; secrets?: { name: string }[] }
export interface Role { metadata: ObjectMeta; rules: PolicyRule[] }
export interface Binding { metadata: ObjectMeta; roleRef: RoleRef; subjects?: Subject[] }
export interface Secret { metadata: ObjectMeta; type: string; data?: Record<string, string> }

export interface ClusterEstate {
  serviceAccounts: ServiceAccount[];
  roles: Role[];
  clusterRoles: Role[];
  roleBindings: Binding[];
  clusterRoleBindings: Binding[];
  secrets: Secret[];
  /** The cluster's resourceVersion counter (etcd revision): every write takes the next one. */
  revision: number;
  /** uid counter, so uids are stable for a seeded estate. */
  uidSeq: number;
}

export const TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const BOOTSTRAP_LABEL = 'kubernetes.io/bootstrapping';

export function emptyEstate(): ClusterEstate {
  return { serviceAccounts: [], roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [], secrets: [], revision: 1000, uidSeq: 0 };
}

/** Fresh metadata for an object created now (or at `created`). */
export function meta(e: ClusterEstate, name: string, namespace: string | undefined, created: string, extra: Partial<ObjectMeta> = {}): ObjectMeta {
  e.revision++;
  e.uidSeq++;
  const uid = `00000000-0000-4000-8000-${String(e.uidSeq).padStart(12, '0')}`;
  return { name, ...(namespace ? { namespace } : {}), uid, resourceVersion: String(e.revision), creationTimestamp: created.replace(/\.\d{3}Z$/, 'Z'), ...extra };
}

/** Builders for a seeded estate. */
export function builder(e: ClusterEstate) {
  return {
    sa(ns: string, name: string, created: string, annotations?: Record<string, string>, extra: Partial<ServiceAccount> = {}): ServiceAccount {
      const sa: ServiceAccount = { metadata: meta(e, name, ns, created, annotations ? { annotations } : {}), ...extra };
      e.serviceAccounts.push(sa);
      return sa;
    },
    role(ns: string, name: string, rules: PolicyRule[], created: string): Role {
      const r = { metadata: meta(e, name, ns, created), rules };
      e.roles.push(r);
      return r;
    },
    clusterRole(name: string, rules: PolicyRule[], created: string, labels?: Record<string, string>): Role {
      const r = { metadata: meta(e, name, undefined, created, labels ? { labels } : {}), rules };
      e.clusterRoles.push(r);
      return r;
    },
    roleBinding(ns: string, name: string, roleRef: Omit<RoleRef, 'apiGroup'>, subjects: Subject[], created: string): Binding {
      const b: Binding = { metadata: meta(e, name, ns, created), roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects };
      e.roleBindings.push(b);
      return b;
    },
    clusterRoleBinding(name: string, clusterRole: string, subjects: Subject[], created: string, labels?: Record<string, string>): Binding {
      const b: Binding = { metadata: meta(e, name, undefined, created, labels ? { labels } : {}), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole }, subjects };
      e.clusterRoleBindings.push(b);
      return b;
    },
    /** A legacy token Secret as the token controller fills it: the account's name and uid, and a token, CA and namespace. */
    tokenSecret(sa: ServiceAccount, name: string, created: string, token: string, labels?: Record<string, string>): Secret {
      const ns = sa.metadata.namespace!;
      const s: Secret = {
        metadata: meta(e, name, ns, created, { annotations: { 'kubernetes.io/service-account.name': sa.metadata.name, 'kubernetes.io/service-account.uid': sa.metadata.uid }, ...(labels ? { labels } : {}) }),
        type: TOKEN_TYPE,
        data: { token: Buffer.from(token).toString('base64'), 'ca.crt': Buffer.from('-----BEGIN CERTIFICATE-----\nsim\n-----END CERTIFICATE-----').toString('base64'), namespace: Buffer.from(ns).toString('base64') },
      };
      e.secrets.push(s);
      return s;
    },
    secret(ns: string, name: string, type: string, data: Record<string, string>, created: string): Secret {
      const s: Secret = { metadata: meta(e, name, ns, created), type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
      e.secrets.push(s);
      return s;
    },
  };
}

export const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });
export const user = (name: string): Subject => ({ kind: 'User', name, apiGroup: 'rbac.authorization.k8s.io' });
export const group = (name: string): Subject => ({ kind: 'Group', name, apiGroup: 'rbac.authorization.k8s.io' });
