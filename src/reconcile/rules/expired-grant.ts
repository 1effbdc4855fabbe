import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'expired-grant',
  title: 'Access outlived its grant',
  subject: 'entitlement',
  severity: { none: 'low', read: 'medium', write: 'high', admin: 'critical', owner: 'critical' },
  description: 'Every grant that matches this entitlement has expired, yet the access still exists.',
  why: 'An expiry is a promise that access ends; access that survives it shows that de-provisioning did not happen.',
  fix: 'Remove the permission in the provider, or, if it is still needed, renew the grant through review with a new expiry.',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding'], nist_csf: ['PR.AA-05'] },
  sql: `
    SELECT e.provider, e.tenant, e.source, e.ref AS subject_ref, e.identity_ref, e.resource_ref, e.permission, e.level, e.privileged,
      o.owner,
      format('{} still holds {} on {} although grant {} expired on {}.', coalesce(e.identity_name, e.identity_ref), e.permission, e.resource_ref, s.last_expired_grant, strftime(s.last_expiry, '%Y-%m-%d')) AS reason,
      json_object('grant_id', s.last_expired_grant, 'grant_expires_at', iso(s.last_expiry), 'days_since_expiry', days_between(s.last_expiry, (SELECT now FROM params))) AS evidence
    FROM cur_entitlements e
    JOIN ent_state s ON s.source = e.source AND s.tenant = e.tenant AND s.ref = e.ref
    LEFT JOIN owner_resolution o ON o.source = e.source AND o.tenant = e.tenant AND o.ref = e.identity_ref
    WHERE s.n_match > 0 AND s.n_valid = 0 AND s.last_expiry IS NOT NULL AND e.level <> 'none'`,
};
