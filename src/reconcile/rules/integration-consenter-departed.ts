import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'integration-consenter-departed',
  title: 'Integration consented to by a person who has left',
  subject: 'identity',
  severity: { none: 'low', read: 'medium', write: 'high', admin: 'critical', owner: 'critical' },
  description: 'An enabled integration was consented to or installed by a person the people directory marks as departed (the consenting login of the integration or of any of its scopes, matched by login on the same provider, person id or email), and it still holds its access.',
  why: 'Nobody is left who knows why the app was connected or what it reads; consent given by a departed person is access without an accountable owner, and often the first thing an attacker with their old session re-uses.',
  fix: 'Find a current owner for the app. If it is still needed, have them review and re-consent (and record a register entry); otherwise revoke the consent or uninstall the app.',
  standards: { owasp_nhi: ['NHI3:2025 Vulnerable Third-Party NHI', 'NHI1:2025 Improper Offboarding'], nist_csf: ['GV.SC-10', 'PR.AA-01', 'PR.AA-05'] },
  sql: `
    WITH consenters AS (
      SELECT source, tenant, ref AS integration_ref, provider, consented_by AS login FROM cur_integrations WHERE consented_by IS NOT NULL
      UNION
      SELECT source, tenant, identity_ref, provider, consented_by FROM cur_integration_scopes WHERE consented_by IS NOT NULL),
    departed AS (
      SELECT c.source, c.tenant, c.integration_ref,
        list(DISTINCT c.login ORDER BY c.login) AS logins, list(DISTINCT coalesce(p.name, l.person_id) ORDER BY coalesce(p.name, l.person_id)) AS people,
        min(l.departed_at) AS departed_at
      FROM consenters c
      JOIN owner_lookup l ON (l.provider IS NULL OR l.provider = c.provider) AND (l.key = c.login OR l.key = lower(c.login))
      LEFT JOIN cur_people p ON p.person_id = l.person_id
      WHERE l.status = 'departed'
      GROUP BY ALL)
    SELECT i.provider, i.tenant, i.source, i.ref AS subject_ref, i.ref AS identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, o.owner,
      format('Integration {} (app {}, publisher {}) was consented to by {} ({}), who departed{}, and still holds {} access.',
        coalesce(i.name, i.ref), i.app_id, coalesce(i.publisher, 'unknown'), array_to_string(d.people, ', '), array_to_string(d.logins, ', '),
        CASE WHEN d.departed_at IS NULL THEN '' ELSE ' on ' || strftime(d.departed_at, '%Y-%m-%d') END, rank_lvl(coalesce(a.rank, 0))) AS reason,
      json_object('app_id', i.app_id, 'publisher', i.publisher, 'third_party', i.third_party, 'consented_by', d.logins, 'people', d.people,
        'departed_at', iso(d.departed_at)) AS evidence
    FROM cur_integrations i
    JOIN departed d ON d.source = i.source AND d.tenant = i.tenant AND d.integration_ref = i.ref
    LEFT JOIN identity_access a ON a.source = i.source AND a.tenant = i.tenant AND a.identity_ref = i.ref
    LEFT JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    WHERE NOT coalesce(i.disabled, false) AND coalesce(a.rank, 0) > 0`,
};
