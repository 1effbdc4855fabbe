import { ev, type Rule } from '../rule.js';

/** In reason_sql: the valid grants the evidence names, as the sentence lists them. */
const GRANTS = `array_to_string(CAST(json_extract(evidence, '$.valid_grants') AS VARCHAR[]), ', ')`;

export const rule: Rule = {
  id: 'over-privileged',
  title: 'More access than approved',
  subject: 'entitlement',
  severity: { none: 'low', read: 'medium', write: 'high', admin: 'critical', owner: 'critical' },
  description: 'The entitlement exceeds what its valid grants allow (a higher level or another permission), or it is an admin or wildcard permission on a non-human identity that no grant names. An identity\'s combined access (a summary entitlement) is judged against the approved entitlements it combines: it is a finding only when the combination reaches beyond them. Provider-managed identities are not judged: the provider sets their scope. Scopes of integrations the integration register judges (third-party ones, and first-party ones it lists) are judged by integration-scope-unapproved instead.',
  why: 'Excess privilege turns one leaked machine credential into control of the estate; admin on a machine identity must be a deliberate, named decision.',
  fix: 'Reduce the permission to what the grant allows (or split the identity), or record a grant naming this identity with the level it needs.',
  standards: { owasp_nhi: ['NHI5:2025 Overprivileged NHI'], nist_csf: ['PR.AA-05'] },
  // The granted level and the grants are the evidence's (granted_level, valid_grants).
  reason_sql: `CASE code
    WHEN 'p' THEN format('{} holds {} on {}, a permission its grant(s) {} do not allow.', arg, permission, resource_ref, ${GRANTS})
    WHEN 'a' THEN format('{} holds {} ({}) on {}, above the {} its grant(s) {} allow.', arg, permission, level, resource_ref, coalesce(${ev('granted_level')}, 'access'), ${GRANTS})
    WHEN 'n' THEN format('Non-human identity {} holds {} permission {} on {} and no grant names it.', arg, level, permission, resource_ref)
    ELSE format('{} holds {} access on {} once its entitlements there are combined ({}), above the {} its granted ones give (grant(s) {}).', arg, level, resource_ref, permission,
      CASE code WHEN '4' THEN 'owner' WHEN '3' THEN 'admin' WHEN '2' THEN 'write' WHEN '1' THEN 'read' ELSE 'none' END,
      ${GRANTS}) END`,
  sql: `
    SELECT e.provider, e.tenant, e.source, e.ref AS subject_ref, e.identity_ref, e.resource_ref, e.permission, e.level, e.privileged,
      o.owner,
      -- Every sentence is rendered when read (reason_sql): the identity's name is the argument; a combined summary's
      -- covered level (0-4, what its approved pieces reach) is the code.
      CASE WHEN pc.summary AND s.n_valid > 0 AND NOT s.covered THEN lazy_reason(CAST(coalesce(pc.covered_rank, 0) AS VARCHAR), coalesce(e.identity_name, e.identity_ref))
           WHEN s.n_valid > 0 AND NOT s.covered AND s.perm_mismatch AND s.max_granted_rank IS NULL THEN lazy_reason('p', coalesce(e.identity_name, e.identity_ref))
           WHEN s.n_valid > 0 AND NOT s.covered THEN lazy_reason('a', coalesce(e.identity_name, e.identity_ref))
           ELSE lazy_reason('n', coalesce(e.identity_name, e.identity_ref))
      END AS reason,
      json_object('valid_grants', s.valid_grants, 'granted_level', rank_lvl(s.max_granted_rank), 'human', i.human, 'wildcard', e.permission LIKE '%*%',
                  'analysis', e.attributes) AS evidence
    FROM cur_entitlements e
    JOIN ent_state s ON s.source = e.source AND s.tenant = e.tenant AND s.ref = e.ref
    LEFT JOIN cur_identities i ON i.source = e.source AND i.tenant = e.tenant AND i.ref = e.identity_ref
    LEFT JOIN owner_resolution o ON o.source = e.source AND o.tenant = e.tenant AND o.ref = e.identity_ref
    -- A summary entitlement (attributes.summary: an identity's combined access on a resource) is approved as far as
    -- the approved pieces of the same identity and resource reach: only a combination beyond them is a finding.
    LEFT JOIN (
      SELECT p.source, p.tenant, p.identity_ref, p.resource_ref, true AS summary,
        max(lvl_rank(p.level)) FILTER (WHERE ps.covered) AS covered_rank,
        max(lvl_rank(p.level)) FILTER (WHERE ps.covered_by_name) AS named_rank
      FROM cur_entitlements p JOIN ent_state ps ON ps.source = p.source AND ps.tenant = p.tenant AND ps.ref = p.ref
      -- Only where a summary exists (they are few): grouping every entitlement cost a tenth of the whole reconcile.
      SEMI JOIN (SELECT DISTINCT source, tenant, identity_ref, resource_ref FROM cur_entitlements
                 WHERE json_extract_string(attributes, '$.summary') = 'true') sm
        ON sm.source = p.source AND sm.tenant = p.tenant AND sm.identity_ref = p.identity_ref AND sm.resource_ref = p.resource_ref
      WHERE coalesce(json_extract_string(p.attributes, '$.summary'), '') <> 'true'
      GROUP BY ALL
    -- (The summary test is an equality with pc.summary, not a bare predicate on e: a LEFT JOIN whose ON mixes a
    -- one-sided predicate with the keys runs as a nested loop, quadratic in entitlements.)
    ) pc ON pc.source = e.source AND pc.tenant = e.tenant AND pc.identity_ref = e.identity_ref AND pc.resource_ref = e.resource_ref
      AND pc.summary = (json_extract_string(e.attributes, '$.summary') = 'true')
    WHERE e.level <> 'none' AND NOT coalesce(i.provider_managed, false) AND (
      (s.n_valid > 0 AND NOT s.covered AND NOT coalesce(lvl_rank(e.level) <= pc.covered_rank, false))
      OR ((lvl_rank(e.level) >= 3 OR e.permission LIKE '%*%') AND i.human IS NOT TRUE AND NOT s.covered_by_name AND NOT coalesce(lvl_rank(e.level) <= pc.named_rank, false)))
      -- A scope of an integration the register judges is approved (or not) by the register, not by grants.
      AND NOT EXISTS (SELECT 1 FROM register_judged j WHERE j.source = e.source AND j.tenant = e.tenant AND j.ref = e.identity_ref AND json_exists(e.attributes, '$.scope'))`,
};
