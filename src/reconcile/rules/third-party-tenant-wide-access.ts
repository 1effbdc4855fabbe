import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'third-party-tenant-wide-access',
  title: 'Third party holds tenant-wide or admin access',
  subject: 'entitlement',
  severity: { none: 'low', read: 'medium', write: 'high', admin: 'critical', owner: 'critical' },
  description: 'A third-party integration holds a scope that reaches the whole tenant (every mailbox, the directory, all repositories) or an admin-level scope. It is reported whether or not the register approves the scope (the evidence names the approving entries): it is a standing exposure to a vendor, to be reviewed, reduced, or accepted by an exception with an expiry. First-party integrations and disabled ones are not judged.',
  why: 'A breach at the vendor becomes a breach of the whole tenant: tenant-wide OAuth grants to SaaS apps are how one compromised integration reaches every customer\'s data.',
  fix: 'Reduce the scope to the users, mailboxes or repositories the app needs (selected repositories, resource-specific consent, a narrower role). If tenant-wide access is really needed, record the decision as an exception with an expiry and review it at each renewal.',
  standards: { owasp_nhi: ['NHI3:2025 Vulnerable Third-Party NHI', 'NHI5:2025 Overprivileged NHI'], nist_csf: ['GV.SC-07', 'PR.AA-05'] },
  sql: `
    WITH approvals AS (
      SELECT s.source, s.tenant, s.ref, list(DISTINCT g.entry_id ORDER BY g.entry_id) AS entries
      FROM cur_integration_scopes s
      JOIN (SELECT source, tenant, ref, entry_id, max_level, unnest(approved_scopes) AS glob FROM integration_entries WHERE in_force) g
        ON g.source = s.source AND g.tenant = s.tenant AND g.ref = s.identity_ref AND s.permission GLOB g.glob
           AND (g.max_level IS NULL OR lvl_rank(s.level) <= lvl_rank(g.max_level))
      GROUP BY ALL)
    SELECT s.provider, s.tenant, s.source, s.ref AS subject_ref, s.identity_ref, s.resource_ref, s.permission, s.level, s.privileged, o.owner,
      format('Third-party integration {} (app {}, publisher {}) holds {} scope {} ({}{}){}.', coalesce(i.name, i.ref), i.app_id, coalesce(i.publisher, 'unknown'),
        CASE WHEN s.tenant_wide THEN 'tenant-wide' ELSE 'admin' END, s.permission, s.level,
        CASE WHEN s.consent IS NOT NULL THEN ', ' || s.consent || ' consent' ELSE '' END,
        CASE WHEN ap.entries IS NULL THEN '' ELSE ', approved by register entr' || CASE WHEN len(ap.entries) = 1 THEN 'y ' ELSE 'ies ' END || array_to_string(ap.entries, ', ') END) AS reason,
      json_object('app_id', i.app_id, 'publisher', i.publisher, 'verified_publisher', i.verified_publisher, 'tenant_wide', s.tenant_wide,
        'consent', s.consent, 'consented_by', s.consented_by, 'approved_by', ap.entries) AS evidence
    FROM cur_integration_scopes s
    JOIN cur_integrations i ON i.source = s.source AND i.tenant = s.tenant AND i.ref = s.identity_ref
    LEFT JOIN approvals ap ON ap.source = s.source AND ap.tenant = s.tenant AND ap.ref = s.ref
    LEFT JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    WHERE i.third_party AND NOT coalesce(i.disabled, false) AND s.level <> 'none' AND (s.tenant_wide OR lvl_rank(s.level) >= 3)`,
};
