import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'unreviewed-grant',
  title: 'Access known only from a draft grant',
  subject: 'entitlement',
  severity: { none: 'low', read: 'low', write: 'low', admin: 'low', owner: 'low' },
  description: 'An entitlement is matched by no approved grant, only by a draft one (written by `nhi-recon baseline` from what the estate shows). It is known access nobody has reviewed yet; ungranted-access is not reported for it, and the draft does not approve it for any other rule.',
  why: 'Bootstrapping grants from reality turns day one into a review list instead of an alarm, but a draft is a proposal: until an owner certifies it, nobody is accountable for the access.',
  fix: 'Send the owner their review packet (`nhi-recon review open`), then apply their decisions (`nhi-recon review apply`): certified access becomes an approved grant, revoked access is reported as ungranted and removed through the usual plan.',
  standards: { owasp_nhi: ['NHI5:2025 Overprivileged NHI'], nist_csf: ['PR.AA-05', 'GV.RR-02'] },
  sql: `
    SELECT e.provider, e.tenant, e.source, e.ref AS subject_ref, e.identity_ref, e.resource_ref, e.permission, e.level, e.privileged,
      o.owner,
      format('{} holds {} on {} ({}); only draft grant(s) {} cover it and nobody has reviewed it yet.', coalesce(e.identity_name, e.identity_ref), e.permission, e.resource_ref, e.level,
             array_to_string(d.draft_grants, ', ')) AS reason,
      json_object('draft_grants', d.draft_grants, 'draft_covers', d.draft_covers, 'signal', d.draft_signal, 'partial', d.draft_partial, 'via', e.via) AS evidence
    FROM cur_entitlements e
    JOIN ent_state s ON s.source = e.source AND s.tenant = e.tenant AND s.ref = e.ref
    JOIN ent_drafts d ON d.source = e.source AND d.tenant = e.tenant AND d.ref = e.ref
    LEFT JOIN owner_resolution o ON o.source = e.source AND o.tenant = e.tenant AND o.ref = e.identity_ref
    WHERE s.n_match = 0 AND e.level <> 'none'
      AND NOT EXISTS (SELECT 1 FROM cur_identities pm WHERE pm.source = e.source AND pm.tenant = e.tenant AND pm.ref = e.identity_ref AND pm.provider_managed)`,
};
