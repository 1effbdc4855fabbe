// The simulated Google Workspace customer: users (with their OAuth tokens), admins' privileges, the service accounts
// authorised for domain-wide delegation (with the public half of their keys, to check signed assertions) and the
// delegation grants the Admin console would show.
export interface SimToken { clientId: string; displayText: string; scopes: string[]; anonymous?: boolean; nativeApp?: boolean }

export interface SimUser {
  id: string;
  primaryEmail: string;
  givenName: string;
  familyName: string;
  orgUnitPath?: string;
  isAdmin?: boolean;
  suspended?: boolean;
  archived?: boolean;
  creationTime: string;
  lastLoginTime?: string;
  aliases?: string[];
  tokens: SimToken[];
}

/** What an admin may do through the API: read users; manage their security settings (tokens). */
export interface AdminPrivileges { users: boolean; security: boolean }

export interface SimDelegation { clientId: string; scopes: string[]; name?: string; serviceAccount?: string }

export interface SimServiceAccount { email: string; clientId: string; publicKeyPem: string }

export interface Estate {
  customerId: string;
  domain: string;
  users: SimUser[];
  /** Admins by primary email; a super admin (isAdmin) has every privilege unless listed here. */
  privileges: Record<string, AdminPrivileges>;
  delegations: SimDelegation[];
  serviceAccounts: SimServiceAccount[];
}

export function findUser(estate: Estate, key: string): SimUser | undefined {
  const k = key.toLowerCase();
  return estate.users.find((u) => u.id === key || u.primaryEmail.toLowerCase() === k || (u.aliases ?? []).some((a) => a.toLowerCase() === k));
}

export function privilegesOf(estate: Estate, email: string): AdminPrivileges {
  const listed = estate.privileges[email.toLowerCase()];
  if (listed) return listed;
  const u = findUser(estate, email);
  return u?.isAdmin && !u.suspended ? { users: true, security: true } : { users: false, security: false };
}

/** The delegation grants as the export the connector reads (YAML), one client per entry. */
export function delegationExport(estate: Estate): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ['# Admin console → Security → API controls → Domain-wide delegation', 'domain_wide_delegation:'];
  for (const d of estate.delegations) {
    lines.push(`  - client_id: ${q(d.clientId)}`);
    if (d.name) lines.push(`    name: ${q(d.name)}`);
    if (d.serviceAccount) lines.push(`    service_account: ${q(d.serviceAccount)}`);
    lines.push(`    scopes: [${d.scopes.map(q).join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}
