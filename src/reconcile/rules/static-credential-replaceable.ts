import type { Rule } from '../rule.js';

export const rule: Rule = {
  id: 'static-credential-replaceable',
  title: 'Long-lived cloud key in a pipeline that could use federation',
  subject: 'credential',
  severity: { none: 'medium', read: 'medium', write: 'medium', admin: 'high', owner: 'high' },
  description: 'A CI secret holds a long-lived cloud credential (its name says so, or it is tied to a cloud key by key id or by the key\'s pipeline tag) for a pipeline whose cloud could trust the pipeline\'s own OIDC token instead. The finding carries the trust the fix needs. Once a federation for the pipeline exists, the cloud key stopped being used while the federated target is still used, the key itself is reported as ready to retire (evidence.retirement_ready), which is what an enforce action may act on.',
  why: 'A static key copied into CI lives until someone rotates it, is readable by every workflow that can reach the secret, and leaks with the pipeline. A federated trust issues credentials that expire in an hour and only to the pinned pipeline.',
  fix: 'Create the trust in evidence.proposed_trust (for the account or project of the key), switch the pipeline to request credentials with its OIDC token, watch the key fall idle while the trusted target is used, then disable and delete the key and the CI secret.',
  standards: { owasp_nhi: ['NHI7:2025 Long-Lived Secrets', 'NHI2:2025 Secret Leakage'], nist_csf: ['PR.AA-01', 'PR.AA-05'] },
  // The CI connectors judge what a secret holds (attributes.ci: pipeline, cloud, proposed_trust); cloud connectors tie
  // their keys (attributes.ci.pipeline from a tag, or the key id as fingerprint) and their trusts (a mint edge whose
  // attributes.ci.pipeline is the subject it pins) to pipelines. This rule joins those facts, never names a provider.
  sql: `
    WITH s AS (
      SELECT c.*, json_extract_string(c.attributes, '$.ci.pipeline') AS pipeline, json_extract_string(c.attributes, '$.ci.cloud') AS cloud, CAST(json_extract(c.attributes, '$.ci.proposed_trust') AS VARCHAR) AS proposed
      FROM cur_credentials c
      WHERE c.kind = 'stored_secret' AND c.status = 'active' AND json_exists(c.attributes, '$.ci')),
    link AS (
      SELECT s.source AS s_source, s.tenant AS s_tenant, s.ref AS s_ref, s.pipeline, k.source, k.provider, k.tenant, k.ref, k.name, k.identity_ref,
        k.last_used_at, k.last_used_known
      FROM s JOIN cur_credentials k ON k.kind IN ('access_key', 'sa_key', 'client_secret') AND k.status = 'active' AND k.ref <> s.ref
        AND ((s.fingerprint IS NOT NULL AND k.fingerprint = s.fingerprint)
          OR (s.pipeline IS NOT NULL AND json_extract_string(k.attributes, '$.ci.pipeline') = s.pipeline AND (s.cloud IS NULL OR k.provider = s.cloud)))),
    fed AS (
      SELECT json_extract_string(m.attributes, '$.ci.pipeline') AS pipeline, m.source, m.provider, m.tenant, m.ref, m.target_ref, m.breadth, t.last_used_at AS target_used
      FROM cur_mint_edges m LEFT JOIN cur_identities t ON t.source = m.source AND t.tenant = m.tenant AND t.ref = m.target_ref
      WHERE json_extract_string(m.attributes, '$.ci.pipeline') IS NOT NULL),
    agg AS (
      SELECT l.*, p.grace_days, x.now,
        list(json_object('ref', f.ref, 'target_ref', f.target_ref, 'breadth', f.breadth, 'target_last_used_at', iso(f.target_used)) ORDER BY f.ref) FILTER (WHERE f.ref IS NOT NULL) AS federation,
        bool_or(f.target_used >= x.now - to_days(p.grace_days) AND f.target_used > coalesce(l.last_used_at, TIMESTAMP '1970-01-01')) AS target_in_use,
        max(f.target_used) AS target_used
      FROM link l CROSS JOIN params x JOIN policy p ON p.provider = l.provider
      LEFT JOIN fed f ON f.pipeline = l.pipeline AND f.provider = l.provider AND f.tenant = l.tenant
      GROUP BY ALL),
    judged AS (
      -- The key fell idle (known: unused for grace_days, or never used) while the federated target is in use since.
      SELECT *, coalesce(target_in_use, false) AND last_used_known AND (last_used_at IS NULL OR last_used_at < now - to_days(grace_days)) AS retirement_ready
      FROM agg),
    per_secret AS (
      SELECT j.s_source, j.s_tenant, j.s_ref, list(json_object('ref', j.ref, 'source', j.source, 'tenant', j.tenant, 'name', j.name, 'last_used_at', iso(j.last_used_at),
          'retirement_ready', j.retirement_ready, 'federation', to_json(coalesce(j.federation, []))) ORDER BY j.ref) AS keys,
        list(DISTINCT j.tenant) AS tenants, bool_or(j.retirement_ready) AS ready, bool_or(len(coalesce(j.federation, [])) > 0) AS federated,
        max(lvl_rank(coalesce(rank_lvl(a.rank), 'none'))) AS rank, bool_or(coalesce(a.privileged, false)) AS privileged
      FROM judged j LEFT JOIN identity_access a ON a.source = j.source AND a.tenant = j.tenant AND a.identity_ref = j.identity_ref
      GROUP BY ALL)
    SELECT s.provider, s.tenant, s.source, s.ref AS subject_ref, s.identity_ref, s.pipeline AS resource_ref, NULL AS permission,
      rank_lvl(coalesce(ps.rank, 2)) AS level, coalesce(ps.privileged, false) AS privileged, s.owner,
      format('CI secret {}{} holds a long-lived {} credential{}; {}.', s.name, CASE WHEN s.pipeline IS NOT NULL THEN format(' of pipeline {}', s.pipeline) ELSE '' END,
        coalesce(s.cloud, 'cloud'), CASE WHEN ps.keys IS NOT NULL THEN format(' ({})', array_to_string(list_transform(ps.keys, x -> json_extract_string(x, '$.name')), ', ')) ELSE '' END,
        CASE WHEN s.pipeline IS NULL THEN 'it reaches several pipelines, each of which could obtain short-lived credentials by OIDC instead'
             WHEN coalesce(ps.federated, false) THEN 'a federated trust for the pipeline already exists, so the key can be retired once unused'
             ELSE 'the pipeline could obtain short-lived credentials by OIDC instead (evidence.proposed_trust)' END) AS reason,
      json_object('pipeline', s.pipeline, 'cloud', s.cloud,
        -- The trust names the account or project of the key when exactly one is tied to the secret.
        'proposed_trust', CASE WHEN s.proposed IS NULL THEN NULL WHEN len(ps.tenants) = 1 THEN json(replace(s.proposed, '{target_tenant}', ps.tenants[1])) ELSE json(s.proposed) END,
        'linked_keys', to_json(coalesce(ps.keys, [])), 'federation_exists', coalesce(ps.federated, false), 'retirement_ready', coalesce(ps.ready, false)) AS evidence
    FROM s LEFT JOIN per_secret ps ON ps.s_source = s.source AND ps.s_tenant = s.tenant AND ps.s_ref = s.ref
    WHERE s.cloud IS NOT NULL OR ps.s_ref IS NOT NULL
    UNION ALL
    -- The key itself, only once it is ready to retire: what an enforce action (disable first) may act on.
    SELECT j.provider, j.tenant, j.source, j.ref, j.identity_ref, j.pipeline, NULL, rank_lvl(coalesce(a.rank, 0)), coalesce(a.privileged, false), o.owner,
      format('{} is stored as CI secret of pipeline {}, which now obtains credentials through a federated trust ({} last used {}); the key {}: it can be retired.',
        j.name, j.pipeline, json_extract_string(j.federation[1], '$.target_ref'), coalesce(strftime(j.target_used, '%Y-%m-%d'), 'recently'),
        CASE WHEN j.last_used_at IS NULL THEN 'was never used' ELSE format('was last used {}', strftime(j.last_used_at, '%Y-%m-%d')) END),
      json_object('pipeline', j.pipeline, 'secret_ref', j.s_ref, 'secret_source', j.s_source, 'federation', to_json(j.federation), 'retirement_ready', true,
        'last_used_at', iso(j.last_used_at), 'quiet_days', j.grace_days, 'depends_on', to_json([json_object('source', j.s_source, 'tenant', j.s_tenant)]))
    FROM (SELECT DISTINCT ON (source, tenant, ref) * FROM judged WHERE retirement_ready ORDER BY source, tenant, ref, s_ref) j
    LEFT JOIN identity_access a ON a.source = j.source AND a.tenant = j.tenant AND a.identity_ref = j.identity_ref
    LEFT JOIN owner_resolution o ON o.source = j.source AND o.tenant = j.tenant AND o.ref = j.identity_ref`,
};
