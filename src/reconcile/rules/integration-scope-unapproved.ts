import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'integration-scope-unapproved',
  title: 'Integration scope beyond what the register approves',
  subject: 'entitlement',
  severity: { none: 'low', read: 'medium', write: 'high', admin: 'critical', owner: 'critical' },
  description: 'An approved integration (one with a register entry in force) holds a scope that none of its entries in force approves: the scope matches none of the entries\' `approved_scopes` globs, or it does but its level is above the entry\'s `max_level`. Expired entries approve nothing. Integrations with no entry in force are reported once, as unapproved-integration, not scope by scope.',
  why: 'Apps ask for more scopes over time (an update, a re-consent) and a user clicks accept; each scope beyond the reviewed ones is access the vendor review never covered.',
  fix: 'Ask the vendor or the app\'s owner why it needs the scope. If it does, widen the register entry (approved_scopes, max_level) with a ticket; otherwise remove the scope (revoke the consent or the permission grant) and re-consent with the approved set.',
  standards: { owasp_nhi: ['NHI3:2025 Vulnerable Third-Party NHI', 'NHI5:2025 Overprivileged NHI'], nist_csf: ['GV.SC-07', 'PR.AA-05'] },
  sql: `
    WITH globs AS (
      SELECT source, tenant, ref, entry_id, max_level, unnest(approved_scopes) AS glob FROM integration_entries WHERE in_force),
    scope_state AS (
      SELECT s.source, s.tenant, s.ref,
        bool_or(g.glob IS NOT NULL) AS glob_ok,
        bool_or(g.glob IS NOT NULL AND (g.max_level IS NULL OR lvl_rank(s.level) <= lvl_rank(g.max_level))) AS approved,
        list(DISTINCT g.entry_id) FILTER (WHERE g.glob IS NOT NULL) AS matched_entries,
        min(lvl_rank(g.max_level)) FILTER (WHERE g.glob IS NOT NULL AND g.max_level IS NOT NULL) AS max_rank
      FROM cur_integration_scopes s
      -- Matched inside (hash join, then GLOB): a LEFT JOIN whose ON adds the GLOB to the keys runs as a nested loop.
      LEFT JOIN (SELECT DISTINCT s2.source, s2.tenant, s2.identity_ref, s2.permission AS perm, g.entry_id, g.max_level, g.glob
                 FROM cur_integration_scopes s2 JOIN globs g ON g.source = s2.source AND g.tenant = s2.tenant AND g.ref = s2.identity_ref
                 WHERE s2.permission GLOB g.glob) g
        ON g.source = s.source AND g.tenant = s.tenant AND g.identity_ref = s.identity_ref AND g.perm = s.permission
      GROUP BY ALL),
    entries AS (
      SELECT source, tenant, ref, list(DISTINCT entry_id ORDER BY entry_id) AS entries, list(DISTINCT entry_owner) FILTER (WHERE entry_owner IS NOT NULL) AS owners,
        flatten(list(approved_scopes)) AS all_globs
      FROM integration_entries WHERE in_force GROUP BY ALL)
    SELECT s.provider, s.tenant, s.source, s.ref AS subject_ref, s.identity_ref, s.resource_ref, s.permission, s.level, s.privileged,
      coalesce(x.owners[1], o.owner) AS owner,
      CASE WHEN st.glob_ok
        THEN format('Integration {} (app {}) holds scope {} at level {}, above the {} its register entr{} {} approve.', coalesce(i.name, i.ref), i.app_id, s.permission, s.level,
               coalesce(rank_lvl(st.max_rank), 'level'), CASE WHEN len(st.matched_entries) = 1 THEN 'y' ELSE 'ies' END, array_to_string(list_sort(st.matched_entries), ', '))
        ELSE format('Integration {} (app {}) holds scope {} ({}{}), which its register entr{} {} do{} not approve.', coalesce(i.name, i.ref), i.app_id, s.permission, s.level,
               CASE WHEN s.tenant_wide THEN ', tenant-wide' ELSE '' END, CASE WHEN len(x.entries) = 1 THEN 'y' ELSE 'ies' END, array_to_string(x.entries, ', '),
               CASE WHEN len(x.entries) = 1 THEN 'es' ELSE '' END) END AS reason,
      json_object('app_id', i.app_id, 'publisher', i.publisher, 'third_party', i.third_party, 'tenant_wide', s.tenant_wide, 'consent', s.consent,
        'register_entries', x.entries, 'approved_scopes', x.all_globs) AS evidence
    FROM cur_integration_scopes s
    JOIN scope_state st ON st.source = s.source AND st.tenant = s.tenant AND st.ref = s.ref
    JOIN cur_integrations i ON i.source = s.source AND i.tenant = s.tenant AND i.ref = s.identity_ref
    JOIN register_judged j ON j.source = i.source AND j.tenant = i.tenant AND j.ref = i.ref
    JOIN entries x ON x.source = i.source AND x.tenant = i.tenant AND x.ref = i.ref
    LEFT JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    WHERE NOT coalesce(i.disabled, false) AND s.level <> 'none' AND NOT st.approved`,
};
