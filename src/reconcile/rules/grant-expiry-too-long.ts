import { ev, type Rule } from '../rule.js';

export const rule: Rule = {
  id: 'grant-expiry-too-long',
  title: 'Grant that never ends, or ends too late for its level',
  subject: 'grant',
  severity: { none: 'low', read: 'low', write: 'low', admin: 'medium', owner: 'medium' },
  description: 'An approved grant in force has no expiry, or expires further out than `policy.max_grant_days` allows for the level it approves (a grant with no max_level is judged as owner level).',
  why: 'Every grant should end unless it is renewed by review; the higher the level, the shorter it may run before someone looks at it again.',
  fix: 'Give the grant an expiry within the limit for its level (review apply `extend-until` does), or lower its max_level.',
  standards: { owasp_nhi: ['NHI5:2025 Overprivileged NHI'], nist_csf: ['PR.AA-05'] },
  reason_sql: `CASE WHEN ${ev('expires_at')} IS NULL
    THEN format('Grant {} ({} access for {} on {}) has no expiry; {} access may be granted for at most {} days.', subject_ref, arg, identity_ref, resource_ref, ${ev('judged_level')}, ${ev('max_grant_days')})
    ELSE format('Grant {} ({} access for {} on {}) runs until {}, {} days from now; {} access may be granted for at most {} days.', subject_ref, arg, identity_ref, resource_ref,
      substr(${ev('expires_at')}, 1, 10), nhi_days_until(${ev('expires_at')}, now), ${ev('judged_level')}, ${ev('max_grant_days')}) END`,
  sql: `
    SELECT g.provider, g.tenant, NULL AS source, g.grant_id AS subject_ref, g.identity AS identity_ref, g.resource AS resource_ref, g.permission,
      coalesce(g.max_level, 'owner') AS level, false AS privileged, g.owner,
      -- The approved level as the grant states it ('any' when it states none): the level column holds the judged one.
      lazy_reason('e', coalesce(g.max_level, 'any')) AS reason,
      json_object('grant_id', g.grant_id, 'file', g.file, 'line', g.line, 'expires_at', iso(g.expires_at), 'max_grant_days', l.max_days, 'judged_level', l.level) AS evidence
    FROM cur_grants g
    JOIN grant_limits l ON l.level = coalesce(g.max_level, 'owner')
    -- A day's slack: date-only expiries are midnight UTC.
    WHERE g.expires_at IS NULL OR g.expires_at > (SELECT now FROM params) + to_days(l.max_days) + INTERVAL 1 DAY`,
};
