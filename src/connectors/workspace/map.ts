// Google Workspace → canonical model. Pure functions: OAuth scopes to levels, clients to integration identities, user
// tokens to credentials, granted scopes to entitlements. Provider knowledge stops here; rules read the result.
import type { CredentialInput, EntitlementInput, IdentityInput, IntegrationFacts, Level, ScopeFacts } from '../../model/index.js';
import { globMatch } from '../../remediate/rails.js';
import { saRef } from '../gcp/map.js';

const AUTH = 'https://www.googleapis.com/auth/';

// ---------- scopes ----------

export interface ScopeLevel { level: Level; privileged: boolean; short: string }

/** A scope without Google's URL prefix (`gmail.readonly`), the way people and register entries write it. */
export function shortScope(scope: string): string {
  if (scope.startsWith(AUTH)) return scope.slice(AUTH.length);
  if (/^https:\/\/mail\.google\.com\/?$/.test(scope)) return 'mail.google.com';
  return scope;
}

const IDENTITY_ONLY = new Set(['openid', 'email', 'profile', 'userinfo.email', 'userinfo.profile']);
/** Reading mail reads password-reset links and sign-in codes: it mints access elsewhere, so it is privileged. */
const MAIL_CONTENT = new Set(['gmail.readonly', 'gmail.modify', 'mail.google.com']);

/**
 * Level of an OAuth scope, from Google's naming:
 *  - admin: full mail (`https://mail.google.com/`), `cloud-platform`, `iam`, any `admin.*` scope that is not
 *    `.readonly` (manages users, tokens, groups, roles), `gmail.settings.sharing` (forwarding, delegates), `*full_control`;
 *  - read: `…readonly`, `….read-only`, `gmail.metadata`, and the sign-in scopes (openid, email, profile);
 *  - write: everything else (`gmail.modify`, `gmail.send`, `drive`, `calendar`, the app's own Drive files …).
 * Privileged: admin, or reading/changing mail content (`gmail.readonly`, `gmail.modify`, full mail).
 */
export function scopeLevel(scope: string): ScopeLevel {
  const short = shortScope(scope.trim());
  let level: Level;
  if (short === 'mail.google.com' || short === 'cloud-platform' || short === 'iam' || short === 'gmail.settings.sharing' || /full_control$/.test(short)) level = 'admin';
  else if (/^admin\./.test(short)) level = /\.readonly$/.test(short) ? 'read' : 'admin';
  else if (IDENTITY_ONLY.has(short) || short === 'gmail.metadata' || /(^|\.)readonly$|\.read-only$|\.readonly\./.test(short)) level = 'read';
  // Everything else changes the user's data (the app's own Drive files, `drive.file`, included: still a write).
  else level = 'write';
  return { level, privileged: level === 'admin' || MAIL_CONTENT.has(short), short };
}

// ---------- refs ----------

export const tenantRef = (customer: string) => `workspace:${customer}`;
export const clientRef = (customer: string, clientId: string) => `workspace:${customer}/clients/${clientId}`;
export const userRef = (customer: string, email: string) => `workspace:${customer}/users/${email}`;
export const tokenRef = (customer: string, email: string, clientId: string) => `${userRef(customer, email)}/tokens/${clientId}`;

/** A service account's OAuth client id is its numeric unique id; web and installed apps' ids end in .apps.googleusercontent.com. */
export const isServiceAccountClientId = (clientId: string) => /^\d{15,25}$/.test(clientId);

export const isFirstParty = (clientId: string, globs: readonly string[]) => globs.some((g) => globMatch(g, clientId));

// ---------- records ----------

export interface UserInfo { id: string; email: string; suspended: boolean; archived: boolean; isAdmin: boolean; orgUnitPath: string | null }

export interface TokenInfo { clientId: string; displayText: string | null; scopes: string[]; anonymous: boolean; nativeApp: boolean }

export interface DelegationGrant { clientId: string; scopes: string[]; name: string | null; serviceAccount: string | null; customer?: string | null; file: string; line: number }

/** Everything seen of one OAuth client across users and the delegation export: one integration identity. */
export interface ClientSeen {
  clientId: string;
  names: Set<string>;
  holders: string[];
  activeHolders: number;
  anonymous: boolean;
  nativeApp: boolean;
  delegation: DelegationGrant | null;
}

export function integrationIdentity(customer: string, c: ClientSeen, firstPartyGlobs: readonly string[]): IdentityInput {
  const name = [...c.names].sort()[0] ?? c.delegation?.name ?? c.clientId;
  const facts: IntegrationFacts = {
    app_id: c.clientId,
    kind: 'oauth_client',
    publisher: [...c.names].sort()[0] ?? c.delegation?.name ?? null,
    // The Directory API does not say whether Google verified the app's publisher.
    verified_publisher: null,
    third_party: !isFirstParty(c.clientId, firstPartyGlobs),
    multi_tenant: null,
    // Per-user consent by exactly one person; a delegation grant is an admin's tenant-wide consent, by nobody named.
    consented_by: !c.delegation && c.holders.length === 1 ? c.holders[0]! : null,
  };
  const sa = c.delegation && isServiceAccountClientId(c.clientId)
    ? { unique_id: c.clientId, email: c.delegation.serviceAccount, ref: c.delegation.serviceAccount ? saRef(c.delegation.serviceAccount) : null }
    : null;
  return {
    ref: clientRef(customer, c.clientId), kind: 'app', name, login: null, human: false,
    // The Directory API records neither when a client was first authorised nor when it was last used.
    last_used_known: false,
    attributes: {
      integration: facts, client_id: c.clientId, anonymous: c.anonymous, native_app: c.nativeApp,
      users: c.holders.length, active_users: c.activeHolders, domain_wide_delegation: c.delegation !== null,
      ...(c.delegation ? { delegation_source: `${c.delegation.file}:${c.delegation.line}` } : {}),
      ...(sa ? { service_account: sa } : {}),
    },
  };
}

export function tokenCredential(customer: string, user: UserInfo, t: TokenInfo): CredentialInput {
  const app = t.displayText || t.clientId;
  return {
    ref: tokenRef(customer, user.email, t.clientId), kind: 'oauth_token', name: `${app} token for ${user.email}`,
    identity_ref: clientRef(customer, t.clientId), created_by: user.email,
    // A suspended or archived user cannot sign in, so the app cannot use the token until the account is restored.
    status: user.suspended || user.archived ? 'inactive' : 'active',
    // Workspace OAuth grants carry no expiry, creation or last-use time in the Directory API.
    expiry_supported: false, last_used_known: false, fingerprint: null,
    attributes: {
      client_id: t.clientId, user_id: user.id, user_email: user.email, display_text: t.displayText, scopes: t.scopes,
      anonymous: t.anonymous, native_app: t.nativeApp, user_suspended: user.suspended, user_archived: user.archived, user_is_admin: user.isAdmin,
    },
  };
}

/** A user's consent to one scope: the integration may reach that user's data at that level. */
export function userScopeEntitlement(customer: string, user: UserInfo, t: TokenInfo, scope: string): EntitlementInput {
  const s = scopeLevel(scope);
  const app = t.displayText || t.clientId;
  const facts: ScopeFacts = { tenant_wide: false, consent: 'user', consented_by: user.email };
  return {
    ref: `${clientRef(customer, t.clientId)}|${scope}|user:${user.email}`, identity_ref: clientRef(customer, t.clientId), identity_name: app,
    resource_ref: userRef(customer, user.email), permission: scope, level: s.level, privileged: s.privileged, via: 'direct',
    path: `oauth consent by ${user.email}`,
    attributes: { scope: facts, scope_short: s.short, client_id: t.clientId, token_ref: tokenRef(customer, user.email, t.clientId) },
  };
}

/** A domain-wide delegation grant: one entitlement per scope, reaching every user of the tenant. */
export function delegationScopes(customer: string, g: DelegationGrant, name: string): EntitlementInput[] {
  const facts: ScopeFacts = { tenant_wide: true, consent: 'admin', consented_by: null };
  return g.scopes.map((scope) => {
    const s = scopeLevel(scope);
    return {
      ref: `${clientRef(customer, g.clientId)}|${scope}|domain`, identity_ref: clientRef(customer, g.clientId), identity_name: name,
      resource_ref: tenantRef(customer), permission: scope, level: s.level, privileged: s.privileged, via: 'direct',
      path: 'domain-wide delegation',
      attributes: { scope: facts, scope_short: s.short, client_id: g.clientId, delegation_source: `${g.file}:${g.line}` },
    };
  });
}
