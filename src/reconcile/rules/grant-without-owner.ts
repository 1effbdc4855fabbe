import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'grant-without-owner',
  title: 'Approved access nobody answers for',
  subject: 'grant',
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'medium', owner: 'medium' },
  description: 'An approved grant that is in force names no owner: nobody is asked to review it, and nobody is accountable when it is misused. Draft grants are reported by unreviewed-grant instead.',
  why: 'Access reviews go to owners; a grant without one is never reviewed and never removed when its purpose ends.',
  fix: 'Add an `owner` (a person id, email or login from the people directory) to the grant record, or transfer it in a review decision (`transfer-to`).',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding'], nist_csf: ['GV.RR-02', 'PR.AA-05'] },
  reason_sql: `format('Grant {} approves {} {} on {} but names no owner.', subject_ref, identity_ref, permission, resource_ref)`,
  sql: `
    SELECT g.provider, g.tenant, NULL AS source, g.grant_id AS subject_ref, g.identity AS identity_ref, g.resource AS resource_ref, g.permission,
      coalesce(g.max_level, 'owner') AS level, false AS privileged, NULL AS owner,
      lazy_reason('g', '') AS reason,
      json_object('grant_id', g.grant_id, 'file', g.file, 'line', g.line, 'ticket', g.ticket, 'approver', g.approver) AS evidence
    FROM cur_grants g
    WHERE g.owner IS NULL AND (g.expires_at IS NULL OR g.expires_at > (SELECT now FROM params))`,
};
