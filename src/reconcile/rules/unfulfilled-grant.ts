import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'unfulfilled-grant',
  title: 'Approved access that does not exist',
  subject: 'grant',
  severity: { none: 'info', read: 'info', write: 'info', admin: 'info', owner: 'info' },
  description: 'A valid grant that names an exact identity and resource matches no entitlement in a tenant that was collected completely: provisioning never completed, or the access was removed without closing the grant.',
  why: 'Grants that do not match reality make reviews meaningless, and an open approval can be used later to justify access nobody needs.',
  fix: 'Provision the access if it is still needed; otherwise end the grant in the system of record.',
  standards: { owasp_nhi: [], nist_csf: ['PR.AA-05'] },
  sql: `
    SELECT g.provider, g.tenant, NULL AS source, g.grant_id AS subject_ref, g.identity AS identity_ref, g.resource AS resource_ref, g.permission,
      coalesce(g.max_level, 'none') AS level, false AS privileged, g.owner,
      format('Grant {} approves {} {} on {} but no such access exists.', g.grant_id, g.identity, g.permission, g.resource) AS reason,
      json_object('grant_id', g.grant_id, 'file', g.file, 'line', g.line, 'ticket', g.ticket, 'expires_at', iso(g.expires_at)) AS evidence
    FROM cur_grants g
    WHERE NOT g.is_glob
      AND (g.expires_at IS NULL OR g.expires_at > (SELECT now FROM params))
      -- Only where the grant's tenant was collected completely: absence elsewhere proves nothing.
      AND EXISTS (SELECT 1 FROM cur_source_runs r WHERE r.provider = g.provider AND (g.tenant = '*' OR r.tenant = g.tenant) AND r.status = 'complete')
      AND NOT EXISTS (SELECT 1 FROM cur_source_runs r WHERE r.provider = g.provider AND (g.tenant = '*' OR r.tenant = g.tenant OR r.tenant = '*') AND r.status <> 'complete')
      AND NOT EXISTS (SELECT 1 FROM ent_grants m WHERE m.grant_id = g.grant_id)`,
};
