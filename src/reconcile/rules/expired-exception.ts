import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'expired-exception',
  title: 'An exception (mute) has expired',
  subject: 'exception',
  severity: { none: 'low', read: 'low', write: 'low', admin: 'low', owner: 'low' },
  description: 'An entry of the exceptions file is past its expiry: the findings it muted are reported again, and the exception should be renewed through review or removed.',
  why: 'Exceptions that silently live forever become the blind spot of the program.',
  fix: 'Review the muted findings; renew the exception with a new expiry and ticket, or remove it and fix the findings.',
  standards: { owasp_nhi: [], nist_csf: ['GV.PO-01'] },
  sql: `
    SELECT '*' AS provider, '*' AS tenant, NULL AS source, x.exception_id AS subject_ref, NULL AS identity_ref, NULL AS resource_ref, NULL AS permission,
      'none' AS level, false AS privileged, x.owner,
      format('Exception {} ({}) expired on {}.', x.exception_id, x.reason, strftime(x.expires_at, '%Y-%m-%d')) AS reason,
      json_object('exception_id', x.exception_id, 'file', x.file, 'line', x.line, 'ticket', x.ticket, 'expires_at', iso(x.expires_at),
                  'finding_id', x.finding_id, 'rule', x.rule_id, 'match', x.match_ref) AS evidence
    FROM cur_exceptions x
    WHERE x.expires_at <= (SELECT now FROM params)`,
};
