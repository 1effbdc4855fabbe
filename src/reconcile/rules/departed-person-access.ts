import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'departed-person-access',
  title: 'A departed person still has access',
  subject: 'identity',
  severity: { none: 'medium', read: 'high', write: 'critical', admin: 'critical', owner: 'critical' },
  description: 'The people directory marks a person as departed, yet an account of theirs still holds access, or a credential they created or own is still active.',
  why: 'Former employees\' tokens and keys are the classic path back in: they keep working because nobody ties them to the person who left.',
  fix: 'Disable the account and revoke or rotate every credential the person created or owns; move anything still needed to an owned machine identity.',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding'], nist_csf: ['PR.AA-05', 'PR.AA-01'] },
  sql: `
    SELECT i.provider, i.tenant, i.source, i.ref AS subject_ref, i.ref AS identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, p.person_id AS owner,
      format('{} ({}) departed on {} but their {} account {} still holds {} entitlement(s).', coalesce(p.name, p.person_id), p.login,
             coalesce(strftime(p.departed_at, '%Y-%m-%d'), 'an unknown date'), i.provider, i.name, a.n_entitlements) AS reason,
      json_object('person_id', p.person_id, 'login', p.login, 'departed_at', iso(p.departed_at), 'entitlements', a.n_entitlements) AS evidence
    FROM cur_identities i
    JOIN person_by_login p ON p.provider = i.provider AND (p.login = i.login OR p.login = i.name)
    JOIN identity_access a ON a.source = i.source AND a.tenant = i.tenant AND a.identity_ref = i.ref
    WHERE p.status = 'departed' AND NOT coalesce(i.disabled, false) AND a.n_entitlements > 0
    UNION ALL
    SELECT c.provider, c.tenant, c.source, c.ref, c.identity_ref, NULL, NULL,
      rank_lvl(coalesce(a.rank, 0)), coalesce(a.privileged, false), p.person_id,
      format('{} {} was {} by {}, who departed on {}, and is still active.', replace(c.kind, '_', ' '), c.name,
             CASE WHEN p.login = c.created_by THEN 'created' ELSE 'owned' END, coalesce(p.name, p.person_id), coalesce(strftime(p.departed_at, '%Y-%m-%d'), 'an unknown date')),
      json_object('person_id', p.person_id, 'login', p.login, 'departed_at', iso(p.departed_at), 'created_by', c.created_by, 'credential_owner', c.owner)
    FROM cur_credentials c
    JOIN (SELECT DISTINCT ON (provider, login) * FROM person_by_login WHERE status = 'departed' ORDER BY provider, login, person_id) p
      ON p.provider = c.provider AND (p.login = c.created_by OR p.login = c.owner)
    LEFT JOIN identity_access a ON a.source = c.source AND a.tenant = c.tenant AND a.identity_ref = c.identity_ref
    WHERE c.status = 'active'`,
};
