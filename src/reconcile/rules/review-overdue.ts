import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'review-overdue',
  title: 'Grant not reviewed within the review cycle',
  subject: 'grant',
  severity: { none: 'low', read: 'low', write: 'low', admin: 'medium', owner: 'medium' },
  description: 'An approved grant in force was last reviewed (`last_reviewed`, or, never reviewed, granted: `granted_at`) longer ago than `policy.review_every_days`. A grant with neither date is not judged (nothing to measure from; grant-expiry-too-long still bounds it).',
  why: 'Access that is not re-certified drifts from need: people move, projects end, and nobody removes what still works.',
  fix: 'Open the owner\'s review packet (`nhi-recon review open --owner X`) and apply the decisions; certification sets `last_reviewed`.',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding'], nist_csf: ['PR.AA-05', 'GV.OV-02'] },
  sql: `
    SELECT g.provider, g.tenant, NULL AS source, g.grant_id AS subject_ref, g.identity AS identity_ref, g.resource AS resource_ref, g.permission,
      coalesce(g.max_level, 'owner') AS level, false AS privileged, g.owner,
      format('Grant {} ({} on {}) was last {} on {}, {} days ago; reviews are due every {} days.', g.grant_id, g.identity, g.resource,
             CASE WHEN g.last_reviewed IS NOT NULL THEN 'reviewed' ELSE 'approved (never reviewed)' END,
             strftime(coalesce(g.last_reviewed, g.granted_at), '%Y-%m-%d'), days_since(coalesce(g.last_reviewed, g.granted_at)),
             (SELECT review_every_days FROM review_policy)) AS reason,
      json_object('grant_id', g.grant_id, 'file', g.file, 'line', g.line, 'last_reviewed', iso(g.last_reviewed), 'granted_at', iso(g.granted_at),
                  'reviewer', g.reviewer, 'review_every_days', (SELECT review_every_days FROM review_policy)) AS evidence
    FROM cur_grants g
    WHERE (g.expires_at IS NULL OR g.expires_at > (SELECT now FROM params))
      AND coalesce(g.last_reviewed, g.granted_at) < (SELECT now FROM params) - to_days((SELECT review_every_days FROM review_policy))`,
};
