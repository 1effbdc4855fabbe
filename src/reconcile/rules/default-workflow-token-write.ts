import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'default-workflow-token-write',
  title: 'Pipeline token with write access by default',
  subject: 'entitlement',
  // Write by default is medium; a token that may also approve changes for merge (privileged) is high.
  severity: { none: 'low', read: 'low', write: 'medium', admin: 'high', owner: 'high' },
  description: 'A CI platform mints a token for every run of a pipeline (a job token, issued to the run without anyone holding a secret), and its default access to the repository is write: every job that does not declare narrower permissions, including third-party actions it runs, can push code, publish packages and releases, or change issues and pull requests. A job token that may also approve changes for merge is privileged. The connector records the default and where it is set (organisation or repository); a read default is not reported.',
  why: 'A write token handed to every job turns any compromised step (a hijacked action, a poisoned dependency, an injected script) into a write to the repository and its releases. Least privilege means jobs ask for write where they need it; approval by a job defeats required review.',
  fix: 'Set the default job-token permissions to read at the organisation (then repositories cannot choose write), let the jobs that need more declare it in their own permissions, and turn off job approval of changes unless a reviewed workflow needs it.',
  standards: { owasp_nhi: ['NHI5:2025 Overprivileged NHI', 'NHI3:2025 Vulnerable Third-Party NHI'], nist_csf: ['PR.AA-05', 'PR.PS-01'] },
  sql: `
    SELECT m.provider, m.tenant, m.source, m.ref AS subject_ref, m.identity_ref, m.resource_ref, m.permission, m.level, m.privileged,
      NULL AS owner,
      format('Every run of {} receives a token with {} access to {} unless its definition asks for less{}.',
        coalesce(m.mint_subject, m.identity_name, m.identity_ref), m.level, m.resource_ref,
        CASE WHEN m.privileged THEN ', and may approve changes for merge' ELSE '' END) AS reason,
      json_object('mechanism', m.mechanism, 'pipeline', m.mint_subject, 'target_ref', m.target_ref,
                  'set_at', m.attributes->>'$.mint.conditions.set_at', 'conditions', m.attributes->'$.mint.conditions') AS evidence
    FROM cur_mint_edges m
    WHERE m.mechanism = 'job_token' AND lvl_rank(m.level) >= 2
      AND NOT EXISTS (SELECT 1 FROM cur_identities i WHERE i.source = m.source AND i.tenant = m.tenant AND i.ref = m.identity_ref AND coalesce(i.disabled, false))`,
};
