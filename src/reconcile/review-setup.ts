// Relations the review rules read (#18): draft grants matched to entitlements, the per-level grant limits, the review
// cadence and the break-glass identities. Built after derivedSql, once per reconciliation, like the grant matching.
import { sqlString } from '../store/store.js';

export const GRANT_LEVELS = ['read', 'write', 'admin', 'owner'] as const;
export type GrantLevel = (typeof GRANT_LEVELS)[number];

export interface ReviewPolicy {
  /** Longest a grant may run (expiry − now), per the level it allows; a grant with no max_level is judged as owner. */
  max_grant_days: Record<GrantLevel, number>;
  /** An approved grant whose last review (else its granted_at) is older than this is overdue. */
  review_every_days: number;
  /** Identity refs or names (globs) of break-glass identities: any recorded use is a finding. */
  break_glass: string[];
  /** A break-glass use this recent (or after the previous reconciled run) is reported. */
  break_glass_window_days: number;
}

export const DEFAULT_REVIEW_POLICY: ReviewPolicy = {
  max_grant_days: { read: 365, write: 365, admin: 90, owner: 90 },
  review_every_days: 180,
  break_glass: [],
  break_glass_window_days: 7,
};

export function reviewSetupSql(p: ReviewPolicy, runId: string): string[] {
  const limits = GRANT_LEVELS.map((l) => `(${sqlString(l)}, ${Math.trunc(p.max_grant_days[l])})`).join(', ');
  const patterns = p.break_glass.map((g) => `(${sqlString(g)})`).join(', ');
  const cols = `e.source, e.tenant, e.ref, e.permission AS e_perm, e.level AS e_level, d.grant_id, d.permission, d.max_level, d.provenance`;
  return [
    `CREATE OR REPLACE TEMP TABLE grant_limits AS SELECT * FROM (VALUES ${limits}) t(level, max_days)`,
    `CREATE OR REPLACE TEMP TABLE review_policy AS SELECT ${Math.trunc(p.review_every_days)} AS review_every_days, ${Math.trunc(p.break_glass_window_days)} AS break_glass_window_days,
       (SELECT max(r.started_at) FROM runs r WHERE r.reconciled_at IS NOT NULL AND r.seq < (SELECT seq FROM runs WHERE run_id = ${sqlString(runId)})) AS previous_run_at`,
    `CREATE OR REPLACE TEMP TABLE break_glass_patterns (pattern VARCHAR)`,
    ...(patterns ? [`INSERT INTO break_glass_patterns VALUES ${patterns}`] : []),
    // Entitlements a valid draft grant matches (same matching as approved grants: tenant, identity ref or name,
    // resource). Exact drafts — all of baseline's — join by hash; only glob drafts are tested pattern by pattern.
    `CREATE OR REPLACE TEMP TABLE ent_drafts AS
       WITH e AS (SELECT source, provider, tenant, ref, identity_ref, coalesce(identity_name, identity_ref) AS identity_name, resource_ref, permission, level FROM cur_entitlements),
       d AS (SELECT * FROM cur_draft_grants WHERE (expires_at IS NULL OR expires_at > (SELECT now FROM params)) AND (granted_at IS NULL OR granted_at <= (SELECT now FROM params))),
       m AS (
         SELECT ${cols} FROM e JOIN d ON NOT d.is_glob AND d.provider = e.provider AND d.identity = e.identity_ref AND d.resource = e.resource_ref WHERE d.tenant = '*' OR d.tenant = e.tenant
         UNION
         SELECT ${cols} FROM e JOIN d ON NOT d.is_glob AND d.provider = e.provider AND d.identity = e.identity_name AND d.resource = e.resource_ref WHERE d.tenant = '*' OR d.tenant = e.tenant
         UNION
         SELECT ${cols} FROM e JOIN d ON d.is_glob AND d.provider = e.provider
           WHERE (d.tenant = '*' OR e.tenant GLOB d.tenant) AND (e.identity_ref GLOB d.identity OR e.identity_name GLOB d.identity) AND e.resource_ref GLOB d.resource)
       SELECT source, tenant, ref, list(DISTINCT grant_id ORDER BY grant_id) AS draft_grants,
         bool_or((permission = '*' OR e_perm GLOB permission) AND (max_level IS NULL OR lvl_rank(e_level) <= lvl_rank(max_level))) AS draft_covers,
         bool_or(coalesce(json_extract_string(provenance, '$.partial'), 'false') = 'true') AS draft_partial,
         min(json_extract_string(provenance, '$.signal')) AS draft_signal
       FROM m GROUP BY ALL`,
  ];
}
