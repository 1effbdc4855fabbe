import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'unverified-publisher-write',
  title: 'Unverified publisher holds write access or more',
  subject: 'identity',
  severity: { none: 'low', read: 'low', write: 'high', admin: 'critical', owner: 'critical' },
  description: 'An enabled third-party integration whose publisher the provider reports as not verified holds at least one scope at write level or above. Integrations whose provider does not say whether the publisher is verified (verified_publisher null) are not judged, nor first-party ones.',
  why: 'Consent phishing works through unverified apps that look like real vendors; with write access such an app can send mail, change files or add credentials in the organisation\'s name.',
  fix: 'Check who the publisher really is. Remove the app unless a vendor review clears it; prefer apps from verified publishers, and restrict user consent to verified publishers in the provider\'s consent settings.',
  standards: { owasp_nhi: ['NHI3:2025 Vulnerable Third-Party NHI', 'NHI5:2025 Overprivileged NHI'], nist_csf: ['GV.SC-06', 'GV.SC-07', 'PR.AA-05'] },
  sql: `
    WITH writes AS (
      SELECT source, tenant, identity_ref, max(lvl_rank(level)) AS rank, bool_or(privileged) AS privileged,
        list(permission ORDER BY permission) FILTER (WHERE lvl_rank(level) >= 2) AS write_scopes
      FROM cur_integration_scopes GROUP BY ALL)
    SELECT i.provider, i.tenant, i.source, i.ref AS subject_ref, i.ref AS identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(w.rank) AS level, coalesce(w.privileged, false) AS privileged, o.owner,
      format('Integration {} (app {}) from unverified publisher {} holds {} access: {}.', coalesce(i.name, i.ref), i.app_id, coalesce(i.publisher, '(unnamed)'),
        rank_lvl(w.rank), array_to_string(w.write_scopes[1:10], ', ') || CASE WHEN len(w.write_scopes) > 10 THEN format(' and {} more', len(w.write_scopes) - 10) ELSE '' END) AS reason,
      json_object('app_id', i.app_id, 'publisher', i.publisher, 'verified_publisher', i.verified_publisher, 'write_scopes', w.write_scopes) AS evidence
    FROM cur_integrations i
    JOIN writes w ON w.source = i.source AND w.tenant = i.tenant AND w.identity_ref = i.ref
    LEFT JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    WHERE i.third_party AND i.verified_publisher = false AND NOT coalesce(i.disabled, false) AND w.rank >= 2`,
};
