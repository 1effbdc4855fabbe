// Every rule, in report order. test/reconcile/rules.test.ts checks this list against the files in this folder.
import type { Rule } from '../rule.js';
import { rule as leakedCredential } from './leaked-credential.js';
import { rule as departedPersonAccess } from './departed-person-access.js';
import { rule as usedAfterExpiry } from './used-after-expiry.js';
import { rule as ungrantedAccess } from './ungranted-access.js';
import { rule as expiredGrant } from './expired-grant.js';
import { rule as overPrivileged } from './over-privileged.js';
import { rule as standingPrivilege } from './standing-privilege.js';
import { rule as orphanedIdentity } from './orphaned-identity.js';
import { rule as staleIdentity } from './stale-identity.js';
import { rule as staleCredential } from './stale-credential.js';
import { rule as unrotatedCredential } from './unrotated-credential.js';
import { rule as nonExpiringCredential } from './non-expiring-credential.js';
import { rule as unfulfilledGrant } from './unfulfilled-grant.js';
import { rule as expiredException } from './expired-exception.js';
import { rule as unapprovedIntegration } from './unapproved-integration.js';
import { rule as integrationScopeUnapproved } from './integration-scope-unapproved.js';
import { rule as thirdPartyTenantWideAccess } from './third-party-tenant-wide-access.js';
import { rule as staleIntegration } from './stale-integration.js';
import { rule as integrationConsenterDeparted } from './integration-consenter-departed.js';
import { rule as unverifiedPublisherWrite } from './unverified-publisher-write.js';
import { rule as integrationCredentialAge } from './integration-credential-age.js';
import { rule as federationTrustTooBroad } from './federation-trust-too-broad.js';
import { rule as staticCredentialReplaceable } from './static-credential-replaceable.js';
import { rule as defaultWorkflowTokenWrite } from './default-workflow-token-write.js';
import { rule as unreviewedGrant } from './unreviewed-grant.js';
import { rule as grantWithoutOwner } from './grant-without-owner.js';
import { rule as grantExpiryTooLong } from './grant-expiry-too-long.js';
import { rule as reviewOverdue } from './review-overdue.js';
import { rule as breakGlassUsed } from './break-glass-used.js';
import { rule as moverAccess } from './mover-access.js';

export const RULES: Rule[] = [
  leakedCredential, departedPersonAccess, usedAfterExpiry, ungrantedAccess, expiredGrant, overPrivileged, standingPrivilege,
  orphanedIdentity, staleIdentity, staleCredential, unrotatedCredential, nonExpiringCredential, unfulfilledGrant, expiredException,
  // Integrations (third-party apps): judged against the integration register.
  unapprovedIntegration, integrationScopeUnapproved, thirdPartyTenantWideAccess, unverifiedPublisherWrite, integrationConsenterDeparted,
  staleIntegration, integrationCredentialAge,
  federationTrustTooBroad, staticCredentialReplaceable, defaultWorkflowTokenWrite,
  breakGlassUsed, unreviewedGrant, grantWithoutOwner, grantExpiryTooLong, reviewOverdue, moverAccess,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
