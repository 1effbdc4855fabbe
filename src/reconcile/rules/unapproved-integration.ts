import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'unapproved-integration',
  title: 'Integration the register does not approve',
  subject: 'identity',
  severity: { none: 'low', read: 'medium', write: 'high', admin: 'critical', owner: 'critical' },
  description: 'A third-party integration (an app consented to or installed in the tenant) matches no integration register entry in force, or a first-party integration the register lists only in entries that have expired. An expired entry approves nothing; the reason names it. First-party integrations the register does not list are judged by grants like any other identity. Disabled integrations are not judged.',
  why: 'A third-party app holds standing access to the organisation\'s data on a vendor\'s infrastructure; one nobody approved was never assessed, has no owner and will not be offboarded when the vendor relationship ends.',
  fix: 'Find who consented or installed it. If it is needed, add a register entry (app id, approved scopes, owner, ticket, expiry) after a vendor review; otherwise revoke the consent or uninstall the app.',
  standards: { owasp_nhi: ['NHI3:2025 Vulnerable Third-Party NHI'], nist_csf: ['GV.SC-04', 'GV.SC-07', 'PR.AA-05'] },
  sql: `
    WITH entries AS (
      SELECT source, tenant, ref, bool_or(in_force) AS any_in_force,
        list(entry_id ORDER BY entry_id) FILTER (WHERE NOT in_force) AS expired_entries,
        max(entry_expires_at) FILTER (WHERE NOT in_force) AS last_expiry
      FROM integration_entries GROUP BY ALL)
    SELECT i.provider, i.tenant, i.source, i.ref AS subject_ref, i.ref AS identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, o.owner,
      CASE WHEN x.expired_entries IS NOT NULL AND len(x.expired_entries) > 0
        THEN format('{} integration {} (app {}, publisher {}) is approved only by register entr{} {}, which expired on {} and approve{} nothing.',
          CASE WHEN i.third_party THEN 'Third-party' ELSE 'First-party' END, coalesce(i.name, i.ref), i.app_id, coalesce(i.publisher, 'unknown'),
          CASE WHEN len(x.expired_entries) = 1 THEN 'y' ELSE 'ies' END, array_to_string(x.expired_entries, ', '),
          strftime(x.last_expiry, '%Y-%m-%d'), CASE WHEN len(x.expired_entries) = 1 THEN 's' ELSE '' END)
        ELSE format('Third-party integration {} (app {}, publisher {}) holds {} access and no integration register entry approves it.',
          coalesce(i.name, i.ref), i.app_id, coalesce(i.publisher, 'unknown'), rank_lvl(coalesce(a.rank, 0))) END AS reason,
      json_object('app_id', i.app_id, 'publisher', i.publisher, 'verified_publisher', i.verified_publisher, 'third_party', i.third_party,
        'integration_kind', i.integration_kind, 'consented_by', i.consented_by, 'expired_entries', x.expired_entries,
        'scopes', (SELECT list(s.permission ORDER BY s.permission) FROM cur_integration_scopes s WHERE s.source = i.source AND s.tenant = i.tenant AND s.identity_ref = i.ref)) AS evidence
    FROM cur_integrations i
    JOIN register_judged j ON j.source = i.source AND j.tenant = i.tenant AND j.ref = i.ref
    LEFT JOIN entries x ON x.source = i.source AND x.tenant = i.tenant AND x.ref = i.ref
    LEFT JOIN identity_access a ON a.source = i.source AND a.tenant = i.tenant AND a.identity_ref = i.ref
    LEFT JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    WHERE NOT coalesce(i.disabled, false) AND NOT coalesce(x.any_in_force, false)`,
};
