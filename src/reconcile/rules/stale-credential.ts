import { staleReasonSql, type Rule } from '../rule.js';

export const rule: Rule = {
  id: 'stale-credential',
  title: 'Credential not used for a long time',
  subject: 'credential',
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'high', owner: 'high' },
  description: 'An active credential has not been used for `stale_days`, or was never used and is older than `grace_days`. Credentials whose last use the provider does not report are not judged. Standby credentials (a root or break-glass password), whose intended state is unused, are not judged.',
  why: 'A credential nobody uses can be revoked at no cost; while it lives it is only a liability.',
  fix: 'Deactivate it (reversible); delete it after a quiet period if nothing complains.',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding', 'NHI7:2025 Long-Lived Secrets'], nist_csf: ['PR.AA-05'] },
  reason_sql: staleReasonSql,
  sql: `
    SELECT c.provider, c.tenant, c.source, c.ref AS subject_ref, c.identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, CASE WHEN c.kind = 'stored_secret' THEN 1 ELSE 0 END)) AS level,
      coalesce(a.privileged, c.kind = 'stored_secret') AS privileged, coalesce(c.owner, o.owner) AS owner,
      lazy_reason('u', replace(c.kind, '_', ' ') || ' ' || c.name) AS reason,
      json_object('last_used_at', iso(c.last_used_at), 'created_at', iso(c.created_at), 'stale_days', p.stale_days, 'grace_days', p.grace_days, 'kind', c.kind) AS evidence
    FROM cur_credentials c CROSS JOIN params x
    JOIN policy p ON p.provider = c.provider
    LEFT JOIN identity_access a ON a.source = c.source AND a.tenant = c.tenant AND a.identity_ref = c.identity_ref
    LEFT JOIN owner_resolution o ON o.source = c.source AND o.tenant = c.tenant AND o.ref = c.identity_ref
    WHERE c.status = 'active' AND NOT coalesce(c.standby, false) AND coalesce(c.last_used_known, true) AND c.kind NOT IN ('mfa_device')
      AND ((c.last_used_at IS NOT NULL AND c.last_used_at < x.now - to_days(p.stale_days))
        OR (c.last_used_at IS NULL AND c.created_at < x.now - to_days(p.grace_days)))`,
};
