// Entra permissions → canonical level and `privileged`. Graph permission names follow one convention
// (`<Resource>.<Verb>[.<Extent>]`, e.g. Mail.ReadWrite, Directory.ReadWrite.All), so the level is read from the name by
// a short ordered table; the first row that matches decides. Unknown names are judged `write` until classified, so
// nothing unfamiliar is under-rated.
import type { Level } from '../../model/index.js';

export interface PermissionMapping { level: Level; privileged: boolean; reason: string }

/** The table, in order. `privileged` is true for admin and above (permission management, credential minting). */
export const SCOPE_LEVELS: { pattern: RegExp; level: Level; reason: string }[] = [
  // Exchange Web Services as any user: every mailbox, read and write.
  { pattern: /^full_access_as_app$/i, level: 'admin', reason: 'full access to every mailbox (Exchange full_access_as_app)' },
  // Writing the directory, role assignments, app role assignments or any app (add a secret to it) manages access.
  { pattern: /^(Directory|RoleManagement|AppRoleAssignment|Application)\.ReadWrite\.(All|Directory)$/i, level: 'admin', reason: 'writes the directory, role or permission assignments, or any app\'s credentials' },
  { pattern: /^RoleManagement\.ReadWrite\./i, level: 'admin', reason: 'manages role assignments' },
  { pattern: /\.FullControl(\.|$)/i, level: 'admin', reason: 'full control (including permissions) over the resource' },
  { pattern: /(ReadWrite|\.Write|\.Send|\.Manage|\.Create|\.Delete|AccessAsUser|\.Import|\.Export)(\.|$)/i, level: 'write', reason: 'reads and writes' },
  { pattern: /^(openid|profile|email|offline_access)$/i, level: 'read', reason: 'sign-in and profile only' },
  { pattern: /\.Read(Basic)?(\.|$)/i, level: 'read', reason: 'read only' },
];

/** Level of a Graph (or other resource's) permission by its value: an app role's `value` or a delegated scope. */
export function permissionLevel(permission: string): PermissionMapping {
  const row = SCOPE_LEVELS.find((r) => r.pattern.test(permission));
  const level: Level = row?.level ?? 'write';
  const reason = row?.reason ?? 'not in the classification table: judged write';
  return { level, privileged: level === 'admin' || level === 'owner', reason };
}

/** The permission of an app role assignment without a specific role (the all-zero app role id): access to the app. */
export const DEFAULT_ACCESS = '00000000-0000-0000-0000-000000000000';

/**
 * Directory roles by template id (published, identical in every tenant). Global Administrator and Privileged Role
 * Administrator can grant anything, so they are `owner`; the roles that manage users, apps, authentication,
 * security or a workload are `admin`; reader roles `read`; any other role is `write`.
 */
const DIRECTORY_ROLE_LEVELS: Record<string, Level> = {
  '62e90394-69f5-4237-9190-012177145e10': 'owner', // Global Administrator
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'owner', // Privileged Role Administrator
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': 'admin', // Privileged Authentication Administrator
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'admin', // Application Administrator
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'admin', // Cloud Application Administrator
  '194ae4cb-b126-40b2-bd5b-6091b380977d': 'admin', // Security Administrator
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'admin', // User Administrator
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'admin', // Authentication Administrator
  '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2': 'admin', // Hybrid Identity Administrator
  'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9': 'admin', // Conditional Access Administrator
  'fdd7a751-b60b-444a-984c-02652fe8fa1c': 'admin', // Groups Administrator
  '29232cdf-9323-42fd-ade2-1d097af3e4de': 'admin', // Exchange Administrator
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c': 'admin', // SharePoint Administrator
  '3a2c62db-5318-420d-8d74-23affee5d9d5': 'admin', // Intune Administrator
  '9360feb5-f418-4baa-8175-e2a00bac4301': 'write', // Directory Writers
  '88d8e3e3-8f55-4a1e-953a-9b9898b8876b': 'read', // Directory Readers
  'f2ef992c-3afb-46b9-b7cf-a126ee74c451': 'read', // Global Reader
};

export function directoryRoleLevel(roleTemplateId: string, displayName: string): PermissionMapping {
  const known = DIRECTORY_ROLE_LEVELS[roleTemplateId.toLowerCase()];
  const level: Level = known ?? (/reader(s)?$/i.test(displayName) ? 'read' : /administrator$/i.test(displayName) ? 'admin' : 'write');
  const reason = known ? `directory role ${displayName}` : `directory role ${displayName} (by its name)`;
  return { level, privileged: level === 'admin' || level === 'owner', reason };
}
