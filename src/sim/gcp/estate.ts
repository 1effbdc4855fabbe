// The simulated GCP estate: an organisation's folders and projects with their allow and deny policies, service
// accounts and keys, role definitions, Policy Analyzer activity and Secret Manager secrets. Plain data, so tests can
// build an estate, mutate it mid-test (a concurrent change) and compare what the connector collected with it.

export interface Binding {
  role: string;
  members: string[];
  condition?: { title?: string; description?: string; expression: string };
}

export interface AllowPolicy { version: number; bindings: Binding[]; etagSeq: number }

export interface DenyRule {
  description?: string;
  deniedPrincipals: string[];
  exceptionPrincipals?: string[];
  deniedPermissions: string[];
  exceptionPermissions?: string[];
  denialCondition?: { title?: string; expression: string };
}

export interface DenyPolicy { id: string; displayName?: string; rules: DenyRule[]; createTime: string }

export interface SimKey {
  id: string;
  validAfterTime: string;
  validBeforeTime: string;
  keyType: 'USER_MANAGED' | 'SYSTEM_MANAGED';
  keyOrigin?: 'GOOGLE_PROVIDED' | 'USER_PROVIDED';
  keyAlgorithm?: string;
  disabled?: boolean;
  disableReason?: string;
  extendedStatus?: { key: string; value?: string }[];
}

export interface SimServiceAccount {
  accountId: string;
  uniqueId: string;
  displayName?: string;
  description?: string;
  disabled?: boolean;
  keys: SimKey[];
  /** The allow policy on the service account itself (who may impersonate it, act as it, mint its keys). */
  policy?: AllowPolicy;
}

export interface SimSecretVersion {
  id: string;
  state: 'ENABLED' | 'DISABLED' | 'DESTROYED';
  createTime: string;
  destroyTime?: string;
  etagSeq: number;
}

export interface SimSecret {
  id: string;
  createTime: string;
  labels?: Record<string, string>;
  replication?: { automatic?: Record<string, never> } | { userManaged: { replicas: { location: string }[] } };
  expireTime?: string;
  rotation?: { nextRotationTime?: string; rotationPeriod?: string };
  topics?: { name: string }[];
  versions: SimSecretVersion[];
  policy: AllowPolicy;
  etagSeq: number;
}

/** A workload identity pool provider: exactly one of oidc, aws and saml is set, as in the API. */
export interface SimProvider {
  id: string;
  displayName?: string;
  description?: string;
  disabled?: boolean;
  state?: 'ACTIVE' | 'DELETED';
  attributeMapping?: Record<string, string>;
  attributeCondition?: string;
  oidc?: { issuerUri: string; allowedAudiences?: string[] };
  aws?: { accountId: string };
  saml?: { idpMetadataXml: string };
}

export interface SimPool { id: string; displayName?: string; description?: string; disabled?: boolean; state?: 'ACTIVE' | 'DELETED'; providers: SimProvider[] }

export interface SimProject {
  projectId: string;
  number: string;
  parent: string;
  displayName?: string;
  createTime: string;
  policy: AllowPolicy;
  denyPolicies: DenyPolicy[];
  serviceAccounts: SimServiceAccount[];
  customRoles: Record<string, string[]>;
  secrets: SimSecret[];
  /** Policy Analyzer's last-authentication activity: keyed by SA email / key resource name; null = API disabled. */
  activity: { serviceAccounts: Record<string, string>; keys: Record<string, string>; observationStart: string } | null;
  /** Whether the Secret Manager API is enabled on the project. */
  secretManagerEnabled: boolean;
  /** Workload identity pools (IAM v1, location global). */
  workloadIdentityPools?: SimPool[];
  /** The caller lacks access to this project: every call under it answers 403. */
  forbidden?: boolean;
}

export interface SimFolder { name: string; parent: string; displayName: string; policy: AllowPolicy; denyPolicies: DenyPolicy[]; forbidden?: boolean }

export interface SimOrganization { name: string; displayName: string; policy: AllowPolicy; denyPolicies: DenyPolicy[]; customRoles: Record<string, string[]> }

export interface Estate {
  organization: SimOrganization;
  folders: SimFolder[];
  projects: SimProject[];
  /** Predefined and basic role definitions: role name → included permissions. */
  roles: Record<string, string[]>;
}

export const NEVER = '9999-12-31T23:59:59Z';

/** A realistic subset of predefined roles, enough to map levels the way real definitions do. */
export const PREDEFINED_ROLES: Record<string, string[]> = {
  'roles/owner': [
    'resourcemanager.projects.get', 'resourcemanager.projects.delete', 'resourcemanager.projects.getIamPolicy',
    'resourcemanager.projects.setIamPolicy', 'iam.serviceAccounts.actAs', 'iam.serviceAccountKeys.create',
    'iam.serviceAccounts.list', 'secretmanager.secrets.list', 'secretmanager.versions.access', 'storage.buckets.delete',
  ],
  'roles/editor': [
    'resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'iam.serviceAccounts.actAs',
    'iam.serviceAccountKeys.create', 'iam.serviceAccounts.list', 'secretmanager.secrets.list', 'storage.buckets.delete',
    'compute.instances.create',
  ],
  'roles/viewer': ['resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'iam.serviceAccounts.list', 'secretmanager.secrets.list', 'storage.buckets.list'],
  'roles/storage.objectViewer': ['storage.objects.get', 'storage.objects.list'],
  'roles/storage.admin': ['storage.buckets.create', 'storage.buckets.delete', 'storage.buckets.getIamPolicy', 'storage.buckets.setIamPolicy', 'storage.objects.get'],
  'roles/iam.serviceAccountKeyAdmin': ['iam.serviceAccountKeys.create', 'iam.serviceAccountKeys.delete', 'iam.serviceAccountKeys.list'],
  'roles/iam.workloadIdentityUser': ['iam.serviceAccounts.get', 'iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.getOpenIdToken', 'iam.serviceAccounts.list'],
  'roles/iam.serviceAccountTokenCreator': ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.signBlob', 'iam.serviceAccounts.signJwt'],
  'roles/secretmanager.secretAccessor': ['secretmanager.versions.access'],
  'roles/secretmanager.viewer': ['secretmanager.secrets.get', 'secretmanager.secrets.list', 'secretmanager.versions.get', 'secretmanager.versions.list'],
  'roles/logging.logWriter': ['logging.logEntries.create'],
  'roles/compute.viewer': ['compute.instances.get', 'compute.instances.list'],
  'roles/cloudsql.client': ['cloudsql.instances.connect', 'cloudsql.instances.get'],
  'roles/run.developer': ['run.services.create', 'run.services.update', 'run.services.get', 'run.services.list'],
};

export function policy(bindings: Binding[]): AllowPolicy {
  return { version: bindings.some((b) => b.condition) ? 3 : 1, bindings, etagSeq: 1 };
}

export function saEmail(project: string, accountId: string): string { return `${accountId}@${project}.iam.gserviceaccount.com`; }

export function findProject(estate: Estate, idOrNumber: string): SimProject | undefined {
  return estate.projects.find((p) => p.projectId === idOrNumber || p.number === idOrNumber);
}

/** The service account named by a path segment (email or unique id) in a project, or in any project for '-'. */
export function findServiceAccount(estate: Estate, project: string, account: string): { project: SimProject; sa: SimServiceAccount } | undefined {
  const projects = project === '-' ? estate.projects : [findProject(estate, project)].filter((p): p is SimProject => !!p);
  for (const p of projects) {
    const sa = p.serviceAccounts.find((s) => saEmail(p.projectId, s.accountId) === account || s.uniqueId === account);
    if (sa) return { project: p, sa };
  }
  return undefined;
}

/** The simulator's etags are base64 of a counter, the way the real API's opaque bytes look on the JSON wire. */
export function etagOf(seq: number): string {
  return Buffer.from(`etag-${seq.toString().padStart(4, '0')}`).toString('base64');
}
