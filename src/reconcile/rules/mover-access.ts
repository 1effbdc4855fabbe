import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'mover-access',
  title: 'Grant owner moved to another team',
  subject: 'grant',
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'medium', owner: 'medium' },
  description: 'The person accountable for an approved grant (its owner) is on a different team now than when the grant was approved: the team recorded on the grant (`owner_team`, which review apply writes), else the team the people directory gave them in the first run whose authority held the grant.',
  why: 'Movers keep the access of their old role: the grant was approved for work they may no longer do, and their new team may not know they answer for it.',
  fix: 'Have the owner (or the old team) review the grant: certify it for the new role, transfer it to someone on the old team, or revoke it.',
  standards: { owasp_nhi: ['NHI1:2025 Improper Offboarding'], nist_csf: ['PR.AA-05', 'GV.RR-02'] },
  sql: `
    WITH now_p AS (
      SELECT g.grant_id, any_value(g.run_id) AS run_id, min(l.person_id) AS person_id FROM cur_grants g
      JOIN owner_lookup l ON l.key = g.owner OR l.key = lower(g.owner) GROUP BY ALL),
    -- The first authority run (by sequence, up to this one) whose grants held this grant id.
    first_run AS (
      SELECT gh.grant_id, arg_min(gh.run_id, r.seq) AS run_id FROM grants gh JOIN runs r USING (run_id)
      WHERE gh.grant_id IN (SELECT grant_id FROM now_p) AND r.seq <= (SELECT seq FROM runs WHERE run_id = (SELECT any_value(run_id) FROM cur_grants))
      GROUP BY ALL)
    SELECT g.provider, g.tenant, NULL AS source, g.grant_id AS subject_ref, g.identity AS identity_ref, g.resource AS resource_ref, g.permission,
      coalesce(g.max_level, 'owner') AS level, false AS privileged, g.owner,
      format('Grant {} ({} on {}) was approved while its owner {} was on team {}; they are on team {} now.', g.grant_id, g.identity, g.resource,
             coalesce(cp.name, cp.person_id), coalesce(g.owner_team, pp.team), cp.team) AS reason,
      json_object('grant_id', g.grant_id, 'person_id', cp.person_id, 'team_then', coalesce(g.owner_team, pp.team), 'team_now', cp.team,
                  'team_then_from', CASE WHEN g.owner_team IS NOT NULL THEN 'grant' ELSE 'history' END, 'first_run', f.run_id) AS evidence
    FROM cur_grants g
    JOIN now_p n ON n.grant_id = g.grant_id
    JOIN cur_people cp ON cp.person_id = n.person_id
    LEFT JOIN first_run f ON f.grant_id = g.grant_id
    LEFT JOIN people pp ON pp.run_id = f.run_id AND pp.person_id = n.person_id
    WHERE (g.expires_at IS NULL OR g.expires_at > (SELECT now FROM params)) AND cp.status = 'active'
      AND cp.team IS NOT NULL AND coalesce(g.owner_team, pp.team) IS NOT NULL AND coalesce(g.owner_team, pp.team) <> cp.team`,
};
