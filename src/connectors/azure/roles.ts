// Azure role definitions → canonical level and `privileged`, from what the role's permissions allow (never from its
// display name). Built-in and custom roles go through the same test, so a custom "Owner lookalike" maps like Owner.
import type { Level } from '../../model/index.js';

export interface RolePermission { actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }

export interface RoleMapping {
  level: Level;
  privileged: boolean;
  /** Why, in words, for the entitlement's attributes and the docs. */
  reasons: string[];
}

/** Azure permission patterns: `*` matches any run of characters; comparison is case-insensitive. */
function covers(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}

/** Whether any permission block allows `action` (allowed by `allow`, not removed by `deny` of the same block). */
function allows(perms: RolePermission[], action: string, data: boolean): boolean {
  return perms.some((p) => {
    const allow = (data ? p.dataActions : p.actions) ?? [];
    const deny = (data ? p.notDataActions : p.notActions) ?? [];
    return allow.some((a) => covers(a, action)) && !deny.some((d) => covers(d, action));
  });
}

// Probe actions. A role that allows these can do what the comment says, whatever its patterns look like.
const MANAGE_ACCESS = 'Microsoft.Authorization/roleAssignments/write';
const ANY_WRITE = 'Microsoft.NhiReconProbe/things/write'; // an arbitrary provider: only a tenant-wide wildcard covers it
const SECRET_ACTIONS = [
  'Microsoft.Storage/storageAccounts/listKeys/action',
  'Microsoft.Web/sites/config/list/action',
  'Microsoft.KeyVault/vaults/write', // may add itself to a vault's access policy
  'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write',
  'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
];
const SECRET_DATA_ACTIONS = [
  'Microsoft.KeyVault/vaults/secrets/getSecret/action',
  'Microsoft.KeyVault/vaults/keys/decrypt/action',
  'Microsoft.KeyVault/vaults/keys/unwrap/action',
  'Microsoft.KeyVault/vaults/keys/sign/action',
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
];

const isReadOnly = (pattern: string) => /\/read$/i.test(pattern);

export function mapRole(perms: RolePermission[]): RoleMapping {
  const reasons: string[] = [];
  const manage = allows(perms, MANAGE_ACCESS, false);
  const everything = allows(perms, ANY_WRITE, false);
  const writes = perms.some((p) => (p.actions ?? []).some((a) => !isReadOnly(a)) || (p.dataActions ?? []).some((a) => !isReadOnly(a) && !/\/(getSecret|readMetadata)\/action$/i.test(a)));
  const reads = perms.some((p) => (p.actions ?? []).length > 0 || (p.dataActions ?? []).length > 0);
  const secretActions = SECRET_ACTIONS.filter((a) => allows(perms, a, false));
  const secretData = SECRET_DATA_ACTIONS.filter((a) => allows(perms, a, true));

  let level: Level;
  if (manage && everything) { level = 'owner'; reasons.push('all actions including role assignment writes'); }
  else if (manage) { level = 'admin'; reasons.push('can write role assignments (permission management)'); }
  else if (writes) { level = 'write'; reasons.push(everything ? 'all actions except permission management' : 'write, delete or action permissions'); }
  else if (reads) { level = 'read'; reasons.push('read-only permissions'); }
  else { level = 'none'; reasons.push('no actions'); }

  if (secretActions.length) reasons.push(`exposes secrets or mints credentials: ${secretActions.join(', ')}`);
  if (secretData.length) reasons.push(`reads secret material: ${secretData.join(', ')}`);
  const privileged = level === 'owner' || level === 'admin' || manage || secretActions.length > 0 || secretData.length > 0;
  return { level, privileged, reasons };
}

export interface AccessPolicyPermissions { secrets?: string[]; keys?: string[]; certificates?: string[]; storage?: string[] }

/** A Key Vault access policy (the pre-RBAC model) → level and privileged. Reading a secret value is privileged. */
export function mapAccessPolicy(p: AccessPolicyPermissions): RoleMapping & { permission: string } {
  const norm = (xs?: string[]) => [...new Set((xs ?? []).map((x) => x.toLowerCase()))].sort();
  const secrets = norm(p.secrets), keys = norm(p.keys), certs = norm(p.certificates), storage = norm(p.storage);
  const all = [...secrets, ...keys, ...certs, ...storage];
  const readOnly = (x: string) => x === 'get' || x === 'list' || x === 'getissuers' || x === 'listissuers';
  const reasons: string[] = [];
  const level: Level = all.length === 0 ? 'none' : all.every(readOnly) ? 'read' : 'write';
  const readsSecrets = secrets.includes('get') || secrets.includes('all');
  const usesKeys = keys.some((k) => ['decrypt', 'unwrapkey', 'sign', 'all'].includes(k));
  const storageKeys = storage.some((s) => ['get', 'getsas', 'all', 'listsas', 'regeneratekey'].includes(s));
  if (readsSecrets) reasons.push('can read secret values (secrets/get)');
  if (usesKeys) reasons.push('can use keys (decrypt/unwrapKey/sign)');
  if (storageKeys) reasons.push('can read storage account keys or SAS definitions');
  reasons.push(level === 'read' ? 'get/list only' : level === 'write' ? 'can change vault objects' : 'no permissions');
  const part = (name: string, xs: string[]) => (xs.length ? `${name}:${xs.join(',')}` : null);
  const permission = ['accessPolicy', [part('secrets', secrets), part('keys', keys), part('certificates', certs), part('storage', storage)].filter(Boolean).join(';') || 'none'].join('/');
  return { level, privileged: readsSecrets || usesKeys || storageKeys, reasons, permission };
}
