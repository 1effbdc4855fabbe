import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'integration-credential-age',
  title: 'Integration credential too old or without expiry',
  subject: 'credential',
  severity: { none: 'low', read: 'medium', write: 'medium', admin: 'high', owner: 'high' },
  description: 'An active credential of an integration (a client secret, an API or OAuth token, a certificate, whose holder is the integration identity) was created or last rotated more than `max_credential_age_days` ago, or never expires (or lives longer than `max_credential_lifetime_days`) where the provider supports an expiry. Integration credentials are reported here, with the app and publisher, not as unrotated-credential or non-expiring-credential.',
  why: 'A long-lived app secret is copied into the vendor\'s systems, config files and CI; when the vendor is breached, an old non-expiring secret is what the attacker walks away with.',
  fix: 'Rotate it: add a new secret with an expiry, have the app\'s owner (or the vendor) switch to it, then delete the old one. Prefer certificate or federated credentials over shared secrets.',
  standards: { owasp_nhi: ['NHI3:2025 Vulnerable Third-Party NHI', 'NHI7:2025 Long-Lived Secrets'], nist_csf: ['PR.AA-01', 'GV.SC-07'] },
  sql: `
    SELECT c.provider, c.tenant, c.source, c.ref AS subject_ref, c.identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, coalesce(c.owner, o.owner) AS owner,
      format('{} {} of integration {} (app {}, publisher {}) {}.', replace(c.kind, '_', ' '), c.name, coalesce(i.name, i.ref), i.app_id, coalesce(i.publisher, 'unknown'),
        concat_ws(' and ',
          CASE WHEN c.aged THEN format('was {} {} days ago ({}), over the {}-day limit', CASE WHEN c.last_rotated_at IS NULL THEN 'created and never rotated' ELSE 'last rotated' END,
            days_since(coalesce(c.last_rotated_at, c.created_at)), strftime(coalesce(c.last_rotated_at, c.created_at), '%Y-%m-%d'), p.max_age_days) END,
          CASE WHEN c.expires_at IS NULL AND coalesce(c.expiry_supported, true) THEN 'never expires'
               WHEN c.long_lived THEN format('has a lifetime of {} days (expires {}), over the {}-day limit', days_between(coalesce(c.created_at, x.now), c.expires_at), strftime(c.expires_at, '%Y-%m-%d'), p.max_lifetime_days) END)) AS reason,
      json_object('app_id', i.app_id, 'publisher', i.publisher, 'third_party', i.third_party, 'kind', c.kind, 'created_at', iso(c.created_at),
        'last_rotated_at', iso(c.last_rotated_at), 'expires_at', iso(c.expires_at), 'max_credential_age_days', p.max_age_days,
        'max_credential_lifetime_days', p.max_lifetime_days) AS evidence
    FROM (SELECT c.*,
            coalesce(c.last_rotated_at, c.created_at) < x.now - to_days(p.max_age_days) AS aged,
            c.expires_at > coalesce(c.created_at, x.now) + to_days(p.max_lifetime_days) AS long_lived
          FROM cur_credentials c CROSS JOIN params x JOIN policy p ON p.provider = c.provider) c
    CROSS JOIN params x
    JOIN policy p ON p.provider = c.provider
    JOIN cur_integrations i ON i.source = c.source AND i.tenant = c.tenant AND i.ref = c.identity_ref
    LEFT JOIN identity_access a ON a.source = c.source AND a.tenant = c.tenant AND a.identity_ref = c.identity_ref
    LEFT JOIN owner_resolution o ON o.source = c.source AND o.tenant = c.tenant AND o.ref = c.identity_ref
    WHERE c.status = 'active' AND c.kind NOT IN ('mfa_device', 'oauth_authorization') AND NOT coalesce(i.disabled, false)
      AND (c.aged OR (c.expires_at IS NULL AND coalesce(c.expiry_supported, true)) OR coalesce(c.long_lived, false))`,
};
