import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'standing-privilege',
  title: 'Admin access with no end',
  subject: 'entitlement',
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'high', owner: 'high' },
  description: 'Admin-level access is approved by a grant with no expiry, and the provider does not end it either (it is not just-in-time).',
  why: 'Standing admin access is always available to whoever steals the credential; just-in-time access limits the window to when it is needed.',
  fix: 'Give the grant an expiry and move the access to a just-in-time mechanism (PIM eligibility, a time-bound binding, an assumable role with a session limit).',
  standards: { owasp_nhi: ['NHI5:2025 Overprivileged NHI'], nist_csf: ['PR.AA-05'] },
  sql: `
    SELECT e.provider, e.tenant, e.source, e.ref AS subject_ref, e.identity_ref, e.resource_ref, e.permission, e.level, e.privileged,
      o.owner,
      format('{} holds standing {} access ({}) on {}: its grant {} has no expiry.', coalesce(e.identity_name, e.identity_ref), e.level, e.permission, e.resource_ref, array_to_string(s.valid_grants, ', ')) AS reason,
      json_object('valid_grants', s.valid_grants) AS evidence
    FROM cur_entitlements e
    JOIN ent_state s ON s.source = e.source AND s.tenant = e.tenant AND s.ref = e.ref
    LEFT JOIN owner_resolution o ON o.source = e.source AND o.tenant = e.tenant AND o.ref = e.identity_ref
    WHERE lvl_rank(e.level) >= 3 AND s.covered_standing AND e.expires_at IS NULL`,
};
