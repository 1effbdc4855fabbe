import { ev, type Rule } from '../rule.js';

export const rule: Rule = {
  id: 'non-expiring-credential',
  title: 'Credential that never expires',
  subject: 'credential',
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'high', owner: 'high' },
  description: 'An active credential has no expiry although its provider supports one, or its lifetime exceeds `max_credential_lifetime_days`. Credentials of integrations are reported as integration-credential-age instead.',
  why: 'An expiry is the one control that still works when everything else is forgotten; a credential without one outlives its purpose by design.',
  fix: 'Replace it with a credential that expires within the policy (or a short-lived token from workload identity federation).',
  standards: { owasp_nhi: ['NHI7:2025 Long-Lived Secrets'], nist_csf: ['PR.AA-01'] },
  reason_sql: `format('{} {} never expires.', replace(${ev('kind')}, '_', ' '), arg)`,
  sql: `
    SELECT c.provider, c.tenant, c.source, c.ref AS subject_ref, c.identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, CASE WHEN c.kind = 'stored_secret' THEN 1 ELSE 0 END)) AS level,
      coalesce(a.privileged, c.kind = 'stored_secret') AS privileged, coalesce(c.owner, o.owner) AS owner,
      CASE WHEN c.expires_at IS NULL THEN lazy_reason('n', c.name)
           ELSE format('{} {} expires on {}, a lifetime of {} days (over the {}-day limit).', replace(c.kind, '_', ' '), c.name, strftime(c.expires_at, '%Y-%m-%d'),
                       days_between(coalesce(c.created_at, x.now), c.expires_at), p.max_lifetime_days) END AS reason,
      json_object('expires_at', iso(c.expires_at), 'created_at', iso(c.created_at), 'max_credential_lifetime_days', p.max_lifetime_days, 'kind', c.kind) AS evidence
    FROM cur_credentials c CROSS JOIN params x
    JOIN policy p ON p.provider = c.provider
    LEFT JOIN identity_access a ON a.source = c.source AND a.tenant = c.tenant AND a.identity_ref = c.identity_ref
    LEFT JOIN owner_resolution o ON o.source = c.source AND o.tenant = c.tenant AND o.ref = c.identity_ref
    WHERE c.status = 'active' AND coalesce(c.expiry_supported, true) AND c.kind NOT IN ('mfa_device', 'password')
      AND (c.expires_at IS NULL OR c.expires_at > coalesce(c.created_at, x.now) + to_days(p.max_lifetime_days))
      -- An integration's credentials are reported by integration-credential-age, with the app and publisher.
      AND NOT EXISTS (SELECT 1 FROM cur_integrations ig WHERE ig.source = c.source AND ig.tenant = c.tenant AND ig.ref = c.identity_ref)`,
};
