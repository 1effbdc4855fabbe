import { ev, type Rule } from '../rule.js';

export const rule: Rule = {
  id: 'unrotated-credential',
  title: 'Credential older than the rotation limit',
  subject: 'credential',
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'high', owner: 'high' },
  description: 'An active credential was last rotated (or, if never, created) more than `max_credential_age_days` ago. Credentials of integrations are reported as integration-credential-age instead.',
  why: 'The longer a secret lives the more copies of it exist in laptops, logs and CI caches; rotation bounds the damage of a leak nobody noticed.',
  fix: 'Rotate it: create the new secret, move its consumers, then deactivate the old one; automate rotation where the store supports it.',
  standards: { owasp_nhi: ['NHI7:2025 Long-Lived Secrets', 'NHI4:2025 Insecure Authentication'], nist_csf: ['PR.AA-01', 'PR.DS-01'] },
  reason_sql: `format('{} {} was {} {} days ago ({}), over the {}-day limit.', replace(${ev('kind')}, '_', ' '), arg,
    CASE WHEN ${ev('last_rotated_at')} IS NULL THEN 'created and never rotated' ELSE 'last rotated' END,
    nhi_days_since(coalesce(${ev('last_rotated_at')}, ${ev('created_at')}), now), substr(coalesce(${ev('last_rotated_at')}, ${ev('created_at')}), 1, 10),
    ${ev('max_credential_age_days')})`,
  sql: `
    SELECT c.provider, c.tenant, c.source, c.ref AS subject_ref, c.identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, CASE WHEN c.kind = 'stored_secret' THEN 1 ELSE 0 END)) AS level,
      coalesce(a.privileged, c.kind = 'stored_secret') AS privileged, coalesce(c.owner, o.owner) AS owner,
      lazy_reason('r', c.name) AS reason,
      json_object('last_rotated_at', iso(c.last_rotated_at), 'created_at', iso(c.created_at), 'max_credential_age_days', p.max_age_days, 'kind', c.kind) AS evidence
    FROM cur_credentials c CROSS JOIN params x
    JOIN policy p ON p.provider = c.provider
    LEFT JOIN identity_access a ON a.source = c.source AND a.tenant = c.tenant AND a.identity_ref = c.identity_ref
    LEFT JOIN owner_resolution o ON o.source = c.source AND o.tenant = c.tenant AND o.ref = c.identity_ref
    WHERE c.status = 'active' AND c.kind NOT IN ('mfa_device', 'oauth_authorization')
      AND coalesce(c.last_rotated_at, c.created_at) < x.now - to_days(p.max_age_days)
      -- An integration's credentials are reported by integration-credential-age, with the app and publisher.
      AND NOT EXISTS (SELECT 1 FROM cur_integrations ig WHERE ig.source = c.source AND ig.tenant = c.tenant AND ig.ref = c.identity_ref)`,
};
