import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'orphaned-identity',
  title: 'Machine identity or secret with no accountable owner',
  subject: 'identity',
  severity: { none: 'low', read: 'medium', write: 'medium', admin: 'high', owner: 'high' },
  description: 'A non-human identity (or a stored secret) has no owner record, its owner is not in the people directory, its owner has departed, or its owners disagree. Provider-managed identities (created and scoped by the provider itself, e.g. service-linked roles) are not judged.',
  why: 'Machine identities have no HR offboarding: without an active owner nobody rotates, reviews or removes them.',
  fix: 'Assign an active owner in the owner records (or the provider tag the tool reads); if nobody claims it, disable it and see what breaks.',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding'], nist_csf: ['PR.AA-01', 'GV.RR-02'] },
  reason_sql: `CASE code WHEN 'i' THEN format('{} has no owner.', arg) WHEN 's' THEN format('Stored secret {} has no owner tag.', arg) END`,
  sql: `
    SELECT i.provider, i.tenant, i.source, i.ref AS subject_ref, i.ref AS identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, o.owner,
      CASE o.owner_status
        WHEN 'none' THEN lazy_reason('i', replace(i.kind, '_', ' ') || ' ' || i.name)
        WHEN 'disputed' THEN format('{} {} has disputed owners: {}.', replace(i.kind, '_', ' '), i.name, array_to_string(o.candidates, ', '))
        WHEN 'departed' THEN format('{} {} is owned by {}, who departed on {}.', replace(i.kind, '_', ' '), i.name, o.owner, coalesce(strftime(o.owner_departed_at, '%Y-%m-%d'), 'an unknown date'))
        ELSE format('{} {} is owned by {}, who is not in the people directory.', replace(i.kind, '_', ' '), i.name, o.owner) END AS reason,
      json_object('owner_status', o.owner_status, 'owner_source', o.owner_source, 'candidates', o.candidates, 'person_id', o.person_id) AS evidence
    FROM cur_identities i
    JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    LEFT JOIN identity_access a ON a.source = i.source AND a.tenant = i.tenant AND a.identity_ref = i.ref
    WHERE (i.human = false OR (i.human IS NULL AND i.kind <> 'user')) AND i.kind NOT IN ('group', 'team', 'public') AND NOT coalesce(i.disabled, false)
      AND NOT coalesce(i.provider_managed, false) AND o.owner_status <> 'active'
    UNION ALL
    -- Stored secrets have no identity of their own: their owner is whatever the store's tags or labels name.
    SELECT c.provider, c.tenant, c.source, c.ref, c.identity_ref, NULL, NULL, 'read', true, c.owner,
      CASE WHEN c.owner IS NULL THEN lazy_reason('s', c.name)
           WHEN l.status = 'departed' THEN format('Stored secret {} is owned by {}, who departed on {}.', c.name, c.owner, coalesce(strftime(l.departed_at, '%Y-%m-%d'), 'an unknown date'))
           ELSE format('Stored secret {} is owned by {}, who is not in the people directory.', c.name, c.owner) END,
      json_object('owner_status', CASE WHEN c.owner IS NULL THEN 'none' ELSE coalesce(l.status, 'unknown') END, 'owner_source', 'tag', 'person_id', l.person_id)
    FROM cur_credentials c
    LEFT JOIN (SELECT DISTINCT ON (key) * FROM owner_lookup ORDER BY key, person_id) l ON l.key = c.owner OR l.key = lower(c.owner)
    WHERE c.kind = 'stored_secret' AND c.identity_ref IS NULL AND c.status = 'active' AND coalesce(l.status, 'none') <> 'active'`,
};
