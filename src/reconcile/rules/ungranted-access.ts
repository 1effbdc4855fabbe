import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'ungranted-access',
  title: 'Access that no grant approves',
  subject: 'entitlement',
  severity: { none: 'low', read: 'medium', write: 'high', admin: 'critical', owner: 'critical' },
  description: 'An entitlement exists in the provider, but no grant record matches its identity and resource at all (a draft grant from `baseline` counts as known: unreviewed-grant reports it). Provider-managed identities are not judged: the provider grants their access. Scopes of integrations the integration register judges (third-party ones, and first-party ones it lists) are judged by integration-scope-unapproved instead.',
  why: 'Access nobody approved is either a provisioning shortcut that bypassed review or an attacker\'s foothold; either way nobody is accountable for it.',
  fix: 'Find who needs this access. If it is needed, record a grant (with owner, approver, ticket and an expiry) and re-run; otherwise remove the permission in the provider.',
  standards: { owasp_nhi: ['NHI5:2025 Overprivileged NHI'], nist_csf: ['PR.AA-05', 'PR.AA-01'] },
  sql: `
    SELECT e.provider, e.tenant, e.source, e.ref AS subject_ref, e.identity_ref, e.resource_ref, e.permission, e.level, e.privileged,
      o.owner,
      format('{} holds {} on {} ({} via {}) and no grant approves it.', coalesce(e.identity_name, e.identity_ref), e.permission, e.resource_ref, e.level, e.via) AS reason,
      json_object('via', e.via, 'path', e.path, 'identity_name', e.identity_name) AS evidence
    FROM cur_entitlements e
    JOIN ent_state s ON s.source = e.source AND s.tenant = e.tenant AND s.ref = e.ref
    LEFT JOIN owner_resolution o ON o.source = e.source AND o.tenant = e.tenant AND o.ref = e.identity_ref
    WHERE s.n_match = 0 AND e.level <> 'none'
      -- The provider grants a provider-managed identity its access; no grant record can exist for it.
      AND NOT EXISTS (SELECT 1 FROM cur_identities pm WHERE pm.source = e.source AND pm.tenant = e.tenant AND pm.ref = e.identity_ref AND pm.provider_managed)
      -- A scope of an integration the register judges is approved (or not) by the register, not by grants.
      AND NOT EXISTS (SELECT 1 FROM register_judged j WHERE j.source = e.source AND j.tenant = e.tenant AND j.ref = e.identity_ref AND json_exists(e.attributes, '$.scope'))
      -- Matched by a draft grant: known access awaiting review, reported by unreviewed-grant instead.
      AND NOT EXISTS (SELECT 1 FROM ent_drafts d WHERE d.source = e.source AND d.tenant = e.tenant AND d.ref = e.ref)`,
};
