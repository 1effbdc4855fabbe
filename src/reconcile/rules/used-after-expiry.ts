import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'used-after-expiry',
  title: 'Access used after its grant expired',
  subject: 'entitlement',
  severity: { none: 'medium', read: 'high', write: 'critical', admin: 'critical', owner: 'critical' },
  description: 'A credential or entitlement was used after the grant that covered it expired: the lapse was exercised, not just left open.',
  why: 'Use after expiry is evidence, not risk: someone or something relied on access it no longer had approval for.',
  fix: 'Investigate the use (who, from where, what was done), remove the access, and rotate the credentials involved.',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding'], nist_csf: ['PR.AA-05', 'DE.CM-03'] },
  sql: `
    SELECT e.provider, e.tenant, e.source, e.ref AS subject_ref, e.identity_ref, e.resource_ref, e.permission, e.level, e.privileged,
      o.owner,
      format('{} used {} on {} on {}, after grant {} expired on {}.', coalesce(e.identity_name, e.identity_ref), e.permission, e.resource_ref, strftime(e.last_used_at, '%Y-%m-%d'), s.last_expired_grant, strftime(s.last_expiry, '%Y-%m-%d')) AS reason,
      json_object('grant_id', s.last_expired_grant, 'grant_expires_at', iso(s.last_expiry), 'last_used_at', iso(e.last_used_at), 'via', 'entitlement') AS evidence
    FROM cur_entitlements e
    JOIN ent_state s ON s.source = e.source AND s.tenant = e.tenant AND s.ref = e.ref
    LEFT JOIN owner_resolution o ON o.source = e.source AND o.tenant = e.tenant AND o.ref = e.identity_ref
    WHERE s.n_match > 0 AND s.n_valid = 0 AND e.last_used_at > s.last_expiry
    UNION ALL
    -- A credential used after every grant of its identity expired.
    SELECT c.provider, c.tenant, c.source, c.ref, c.identity_ref, NULL, NULL, rank_lvl(a.rank), a.privileged,
      coalesce(c.owner, o.owner),
      format('Credential {} of {} was used on {}, after the last grant of its identity ({}) expired on {}.', c.name, c.identity_ref, strftime(c.last_used_at, '%Y-%m-%d'), g.grant_id, strftime(g.expiry, '%Y-%m-%d')),
      json_object('grant_id', g.grant_id, 'grant_expires_at', iso(g.expiry), 'last_used_at', iso(c.last_used_at), 'via', 'credential')
    FROM cur_credentials c
    -- Identities with an entitlement whose matched grants have all expired, and no valid grant on any entitlement.
    -- The few with an expired one are found first; only they are looked up for a valid one (grouping every
    -- entitlement by identity, to keep the few, cost 8 s at 10M entitlements with none to find).
    JOIN (SELECT x.* FROM (
            SELECT e.source, e.tenant, e.identity_ref, max(s.last_expiry) AS expiry, arg_max(s.last_expired_grant, s.last_expiry) AS grant_id
            FROM cur_entitlements e JOIN ent_state s ON s.source = e.source AND s.tenant = e.tenant AND s.ref = e.ref
            WHERE s.last_expiry IS NOT NULL AND s.n_valid = 0
            GROUP BY ALL) x
          WHERE NOT EXISTS (SELECT 1 FROM cur_entitlements e JOIN ent_state s ON s.source = e.source AND s.tenant = e.tenant AND s.ref = e.ref
                            WHERE s.n_valid > 0 AND e.source = x.source AND e.tenant = x.tenant AND e.identity_ref = x.identity_ref)) g
      ON g.source = c.source AND g.tenant = c.tenant AND g.identity_ref = c.identity_ref
    LEFT JOIN identity_access a ON a.source = c.source AND a.tenant = c.tenant AND a.identity_ref = c.identity_ref
    LEFT JOIN owner_resolution o ON o.source = c.source AND o.tenant = c.tenant AND o.ref = c.identity_ref
    WHERE c.last_used_at > g.expiry`,
};
