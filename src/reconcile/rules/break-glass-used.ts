import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'break-glass-used',
  title: 'Break-glass identity used',
  subject: 'identity',
  severity: { none: 'high', read: 'high', write: 'high', admin: 'high', owner: 'high' },
  description: 'An identity listed in `break_glass` (refs or names, globs allowed) or marked `attributes.break_glass: true` by its connector — or a credential or entitlement of it — was used since the previous reconciled run or within `policy.break_glass_window_days`. Any use is reported, whatever its grants say.',
  why: 'Break-glass access exists for emergencies only; every use must be explained, and an unexplained one is an incident.',
  fix: 'Find the incident or change that justified the use and record it; if there is none, treat it as a compromise: rotate the identity\'s credentials and investigate.',
  standards: { owasp_nhi: ['NHI5:2025 Overprivileged NHI'], nist_csf: ['DE.CM-03', 'PR.AA-05'] },
  sql: `
    -- The break-glass identities first (a handful): their credentials' and entitlements' last use is aggregated for
    -- them alone, not for every identity of the estate and then filtered.
    WITH bg AS (
      SELECT i.source, i.tenant, i.ref, i.last_used_at FROM cur_identities i
      WHERE coalesce(json_extract_string(i.attributes, '$.break_glass'), 'false') = 'true'
         OR EXISTS (SELECT 1 FROM break_glass_patterns b WHERE i.ref GLOB b.pattern OR i.name GLOB b.pattern)),
    used AS (
      SELECT i.source, i.tenant, i.ref, greatest(i.last_used_at, c.last_used_at, en.last_used_at) AS used_at
      FROM bg i
      LEFT JOIN (SELECT x.source, x.tenant, x.identity_ref, max(x.last_used_at) AS last_used_at
                 FROM cur_credentials x SEMI JOIN bg ON bg.source = x.source AND bg.tenant = x.tenant AND bg.ref = x.identity_ref GROUP BY ALL) c
        ON c.source = i.source AND c.tenant = i.tenant AND c.identity_ref = i.ref
      LEFT JOIN (SELECT x.source, x.tenant, x.identity_ref, max(x.last_used_at) AS last_used_at
                 FROM cur_entitlements x SEMI JOIN bg ON bg.source = x.source AND bg.tenant = x.tenant AND bg.ref = x.identity_ref GROUP BY ALL) en
        ON en.source = i.source AND en.tenant = i.tenant AND en.identity_ref = i.ref)
    SELECT i.provider, i.tenant, i.source, i.ref AS subject_ref, i.ref AS identity_ref, NULL AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(a.rank, 0)) AS level, coalesce(a.privileged, false) AS privileged, o.owner,
      format('Break-glass {} {} was used on {}.', replace(i.kind, '_', ' '), coalesce(i.name, i.ref), strftime(u.used_at, '%Y-%m-%d %H:%M UTC')) AS reason,
      json_object('used_at', iso(u.used_at), 'previous_run_at', iso((SELECT previous_run_at FROM review_policy)),
                  'window_days', (SELECT break_glass_window_days FROM review_policy)) AS evidence
    FROM used u
    JOIN cur_identities i ON i.source = u.source AND i.tenant = u.tenant AND i.ref = u.ref
    LEFT JOIN identity_access a ON a.source = i.source AND a.tenant = i.tenant AND a.identity_ref = i.ref
    LEFT JOIN owner_resolution o ON o.source = i.source AND o.tenant = i.tenant AND o.ref = i.ref
    WHERE u.used_at > (SELECT now FROM params) - to_days((SELECT break_glass_window_days FROM review_policy))
       OR u.used_at > (SELECT previous_run_at FROM review_policy)`,
};
