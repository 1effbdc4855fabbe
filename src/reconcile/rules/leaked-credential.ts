import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'leaked-credential',
  title: 'Exposed credential still active',
  subject: 'credential',
  severity: { none: 'critical', read: 'critical', write: 'critical', admin: 'critical', owner: 'critical' },
  description: 'A leak signal names a credential that is still active (an open secret-scanning alert, or the provider\'s own quarantine mark), or an open exposure matches no collected credential at all.',
  why: 'A published secret is used by scanners within minutes; until it is revoked the exposure is live. An exposed secret nobody can tie to a credential is still live somewhere.',
  fix: 'Revoke or deactivate the credential now, rotate its consumers to a new one, then review its use since the exposure. For an unmatched exposure: find the secret\'s issuer, revoke it there, then close the alert.',
  standards: { owasp_nhi: ['NHI2:2025 Secret Leakage'], nist_csf: ['PR.AA-01', 'RS.MI-01'] },
  // Exposure records (cur_exposures) are matched to credentials of ANY source on the canonical fingerprint (an
  // identifier that is not itself secret, e.g. an access key id): the finding is then about the credential, with the
  // exposure as evidence. An open exposure that matches no collected credential is a finding about the exposure
  // itself (resource: where it was exposed). One that matches only inactive credentials is no longer live.
  sql: `
    WITH x AS (SELECT * FROM cur_exposures WHERE status = 'active'),
    hits AS (
      SELECT c.source, c.tenant, c.ref,
        string_agg(x.leak_signal, '; ' ORDER BY x.ref) AS signals,
        list(json_object('ref', x.ref, 'source', x.source, 'tenant', x.tenant, 'exposed_in', json_extract_string(x.attributes, '$.exposed_in'),
                         'leak_signal', x.leak_signal) ORDER BY x.ref) AS exposures,
        list(DISTINCT json_object('source', x.source, 'tenant', x.tenant)) AS depends_on
      FROM x JOIN cur_credentials c ON c.fingerprint = x.fingerprint
      GROUP BY ALL)
    SELECT c.provider, c.tenant, c.source, c.ref AS subject_ref, c.identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, coalesce(c.owner, o.owner) AS owner,
      format('{} {} is exposed ({}) and still active.', replace(c.kind, '_', ' '), c.name, concat_ws('; ', c.leak_signal, h.signals)) AS reason,
      json_object('leak_signal', c.leak_signal, 'exposures', to_json(coalesce(h.exposures, [])), 'depends_on', to_json(coalesce(h.depends_on, [])), 'last_used_at', iso(c.last_used_at), 'kind', c.kind) AS evidence
    FROM cur_credentials c
    LEFT JOIN hits h ON h.source = c.source AND h.tenant = c.tenant AND h.ref = c.ref
    LEFT JOIN identity_access a ON a.source = c.source AND a.tenant = c.tenant AND a.identity_ref = c.identity_ref
    LEFT JOIN owner_resolution o ON o.source = c.source AND o.tenant = c.tenant AND o.ref = c.identity_ref
    WHERE (c.leak_signal IS NOT NULL OR h.ref IS NOT NULL) AND c.status = 'active'
    UNION ALL
    SELECT x.provider, x.tenant, x.source, x.ref, NULL, json_extract_string(x.attributes, '$.exposed_in'), NULL, 'none', false, x.owner,
      format('{} is exposed ({}) and matches no collected credential: it may still be live.', x.name, coalesce(x.leak_signal, 'open exposure')),
      json_object('leak_signal', x.leak_signal, 'exposed_in', json_extract_string(x.attributes, '$.exposed_in'), 'created_at', iso(x.created_at),
                  'kind', x.kind, 'key_identifier_known', x.fingerprint IS NOT NULL)
    FROM x
    WHERE x.fingerprint IS NULL OR NOT EXISTS (SELECT 1 FROM cur_credentials c WHERE c.fingerprint = x.fingerprint)`,
};
