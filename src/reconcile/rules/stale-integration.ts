import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'stale-integration',
  title: 'Integration not used for a long time',
  subject: 'identity',
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'high', owner: 'high' },
  description: 'An enabled integration (first- or third-party) has not been used for `stale_days`, or was never used and is older than `grace_days`. Its last use is the latest of the integration\'s own sign-in, its credentials\' and its scopes\' last use. Integrations whose last use the provider does not report are not judged. Integrations are reported here, not as stale-identity, so the finding carries the app and publisher.',
  why: 'An app nobody uses keeps its consent and its tokens: the vendor (or whoever compromises it) can still read the data long after the business stopped needing it.',
  fix: 'Confirm with the app\'s owner, then revoke the consent or uninstall the app, and remove its register entry.',
  standards: { owasp_nhi: ['NHI3:2025 Vulnerable Third-Party NHI', 'NHI1:2025 Improper Offboarding'], nist_csf: ['GV.SC-10', 'PR.AA-05'] },
  sql: `
    WITH uses AS (
      SELECT i.source, i.tenant, i.ref,
        greatest(i.last_used_at,
          (SELECT max(c.last_used_at) FROM cur_credentials c WHERE c.source = i.source AND c.tenant = i.tenant AND c.identity_ref = i.ref),
          (SELECT max(s.last_used_at) FROM cur_integration_scopes s WHERE s.source = i.source AND s.tenant = i.tenant AND s.identity_ref = i.ref)) AS last_use
      FROM cur_integrations i)
    SELECT i.provider, i.tenant, i.source, i.ref AS subject_ref, i.ref AS identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, o.owner,
      CASE WHEN u.last_use IS NULL
        THEN format('{} integration {} (app {}, publisher {}) was added {} days ago and has never been used.', CASE WHEN i.third_party THEN 'Third-party' ELSE 'First-party' END,
               coalesce(i.name, i.ref), i.app_id, coalesce(i.publisher, 'unknown'), days_since(i.created_at))
        ELSE format('{} integration {} (app {}, publisher {}) was last used {} days ago ({}), over the {}-day limit.', CASE WHEN i.third_party THEN 'Third-party' ELSE 'First-party' END,
               coalesce(i.name, i.ref), i.app_id, coalesce(i.publisher, 'unknown'), days_since(u.last_use), strftime(u.last_use, '%Y-%m-%d'), p.stale_days) END AS reason,
      json_object('app_id', i.app_id, 'publisher', i.publisher, 'third_party', i.third_party, 'last_used_at', iso(u.last_use), 'created_at', iso(i.created_at),
        'stale_days', p.stale_days, 'grace_days', p.grace_days) AS evidence
    FROM cur_integrations i CROSS JOIN params x
    JOIN uses u ON u.source = i.source AND u.tenant = i.tenant AND u.ref = i.ref
    JOIN policy p ON p.provider = i.provider
    LEFT JOIN identity_access a ON a.source = i.source AND a.tenant = i.tenant AND a.identity_ref = i.ref
    LEFT JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    WHERE NOT coalesce(i.disabled, false) AND NOT coalesce(i.provider_managed, false) AND coalesce(i.last_used_known, true)
      AND ((u.last_use IS NOT NULL AND u.last_use < x.now - to_days(p.stale_days))
        OR (u.last_use IS NULL AND i.created_at < x.now - to_days(p.grace_days)))`,
};
