import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'leaked-credential',
  title: 'Exposed credential still active',
  subject: 'credential',
  severity: { none: 'critical', read: 'critical', write: 'critical', admin: 'critical', owner: 'critical' },
  description: 'A leak signal names a credential that is still active: an open secret-scanning alert, or the provider\'s own quarantine mark.',
  why: 'A published secret is used by scanners within minutes; until it is revoked the exposure is live.',
  fix: 'Revoke or deactivate the credential now, rotate its consumers to a new one, then review its use since the exposure.',
  standards: { owasp_nhi: ['NHI2:2025 Secret Leakage'], nist_csf: ['PR.AA-01', 'RS.MI-01'] },
  sql: `
    SELECT c.provider, c.tenant, c.source, c.ref AS subject_ref, c.identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, coalesce(c.owner, o.owner) AS owner,
      format('{} {} is exposed ({}) and still active.', replace(c.kind, '_', ' '), c.name, c.leak_signal) AS reason,
      json_object('leak_signal', c.leak_signal, 'last_used_at', iso(c.last_used_at), 'kind', c.kind) AS evidence
    FROM cur_credentials c
    LEFT JOIN identity_access a ON a.source = c.source AND a.tenant = c.tenant AND a.identity_ref = c.identity_ref
    LEFT JOIN owner_resolution o ON o.source = c.source AND o.tenant = c.tenant AND o.ref = c.identity_ref
    WHERE c.leak_signal IS NOT NULL AND c.status = 'active'`,
};
