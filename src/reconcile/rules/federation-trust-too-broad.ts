import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'federation-trust-too-broad',
  title: 'Trust that lets too many subjects obtain credentials',
  subject: 'entitlement',
  severity: { none: 'low', read: 'medium', write: 'high', admin: 'high', owner: 'high' },
  // Anyone at all, or anyone holding a token of the issuer, becoming an admin is the worst case there is.
  severity_sql: `CASE WHEN q.evidence->>'$.breadth' IN ('anyone', 'issuer_wide') AND (lvl_rank(q.level) >= 3 OR q.privileged) THEN 'critical' END`,
  description: 'A mint edge (a role trust, an impersonation permission, a workload-identity or federated credential) admits more subjects than one named workload: anyone at all, anyone holding a token of the issuer, a subject pattern with wildcards, or a whole other account; or it lacks a condition a safe trust of its kind carries (a subject claim, an external id). The connector that knows the provider judges the breadth; this rule reads it.',
  why: 'A trust is a credential nobody holds: whoever matches it mints tokens of the target. A wildcard subject lets every repository, branch or namespace of the pattern become the target; a missing subject lets every customer of the issuer do so.',
  fix: 'Pin the trust to the one subject that needs it (a repository and branch or environment, a namespace and service account, one principal), add the missing condition (an external id for a third party\'s account), or remove the trust.',
  standards: { owasp_nhi: ['NHI5:2025 Overprivileged NHI', 'NHI8:2025 Environment Isolation'], nist_csf: ['PR.AA-05', 'PR.AA-01'] },
  sql: `
    SELECT m.provider, m.tenant, m.source, m.ref AS subject_ref, m.identity_ref, m.resource_ref, m.permission, m.level, m.privileged,
      coalesce(o.owner, ow.owner) AS owner,
      format('{} may obtain credentials as {} ({} access) through a {} trust that admits {}{}.',
        coalesce(m.identity_name, m.identity_ref), coalesce(m.target_ref, m.resource_ref), m.level, replace(m.mechanism, '_', ' '),
        CASE m.breadth WHEN 'anyone' THEN 'anyone at all'
                       WHEN 'issuer_wide' THEN format('anyone holding a token of {}', coalesce(m.issuer, 'the issuer'))
                       WHEN 'wildcard_subject' THEN format('every subject matching {}', coalesce(m.mint_subject, 'a pattern'))
                       WHEN 'any_account' THEN format('any principal of {}', coalesce(m.mint_subject, 'another account'))
                       ELSE format('{}', coalesce(m.mint_subject, m.identity_ref)) END,
        CASE WHEN len(coalesce(m.missing, [])) > 0 THEN format(' without {}', array_to_string(m.missing, ', ')) ELSE '' END) AS reason,
      json_object('breadth', m.breadth, 'mechanism', m.mechanism, 'issuer', m.issuer, 'subject', m.mint_subject, 'missing', coalesce(m.missing, []),
                  'target_provider', m.target_provider, 'target_ref', m.target_ref, 'conditions', m.attributes->'$.mint.conditions',
                  'audience', m.attributes->>'$.mint.audience', 'chain', m.attributes->'$.chain') AS evidence
    FROM cur_mint_edges m
    -- Whoever owns the target answers for who may become it; the subject's own owner otherwise.
    LEFT JOIN owner_resolution o ON o.source = m.source AND o.tenant = m.tenant AND o.ref = m.target_ref
    LEFT JOIN owner_resolution ow ON ow.source = m.source AND ow.tenant = m.tenant AND ow.ref = m.identity_ref
    WHERE m.breadth IN ('anyone', 'issuer_wide', 'wildcard_subject') OR len(coalesce(m.missing, [])) > 0`,
};
