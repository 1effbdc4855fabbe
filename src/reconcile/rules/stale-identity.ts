import { staleReasonSql, type Rule } from '../rule.js';

export const rule: Rule = {
  id: 'stale-identity',
  title: 'Identity not used for a long time',
  subject: 'identity',
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'high', owner: 'high' },
  description: 'An enabled identity has not been used for `stale_days`, or was never used and is older than `grace_days`. Identities whose last use the provider does not report are not judged. Provider-managed identities are not judged (the provider removes them with the service); their leaked credentials still are. Integrations are reported as stale-integration instead.',
  why: 'Unused identities keep their access and credentials for nobody\'s benefit but an attacker\'s.',
  fix: 'Confirm with the owner, then disable the identity; delete it after a quiet period.',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding'], nist_csf: ['PR.AA-05'] },
  reason_sql: staleReasonSql,
  sql: `
    SELECT i.provider, i.tenant, i.source, i.ref AS subject_ref, i.ref AS identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, o.owner,
      lazy_reason('u', replace(i.kind, '_', ' ') || ' ' || i.name) AS reason,
      json_object('last_used_at', iso(i.last_used_at), 'created_at', iso(i.created_at), 'stale_days', p.stale_days, 'grace_days', p.grace_days) AS evidence
    FROM cur_identities i CROSS JOIN params x
    JOIN policy p ON p.provider = i.provider
    LEFT JOIN identity_access a ON a.source = i.source AND a.tenant = i.tenant AND a.identity_ref = i.ref
    LEFT JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    WHERE NOT coalesce(i.disabled, false) AND NOT coalesce(i.provider_managed, false) AND coalesce(i.last_used_known, true) AND i.kind NOT IN ('group', 'team', 'public')
      AND ((i.last_used_at IS NOT NULL AND i.last_used_at < x.now - to_days(p.stale_days))
        OR (i.last_used_at IS NULL AND i.created_at < x.now - to_days(p.grace_days)))
      -- Integrations are reported by stale-integration, which also counts their credentials' and scopes' use.
      AND NOT json_exists(coalesce(i.attributes, '{}'), '$.integration')`,
};
