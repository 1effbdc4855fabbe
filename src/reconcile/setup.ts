// The shared relations every rule reads, built once per reconciliation. Rules stay small because grant matching,
// ownership and the people mapping are worked out here, once, with hash joins on canonical keys.
import { sqlString } from '../store/store.js';
import { LAZY_REASON_MARK } from '../store/finding-spans.js';

export interface Thresholds { stale_days: number; grace_days: number; max_credential_age_days: number; max_credential_lifetime_days: number }

/**
 * What grant matching needs to know of a grant alone, worked out once per grant rather than once per matched
 * entitlement (13M matched rows at 10M entitlements, each testing a regular expression): in force now, and naming
 * one identity rather than a pattern.
 */
const GRANT_FLAGS = `(expires_at IS NULL OR expires_at > (SELECT now FROM params)) AND (granted_at IS NULL OR granted_at <= (SELECT now FROM params)) AS g_valid,
         NOT regexp_matches(identity, '[*?\\[]') AS g_names`;

export function setupSql(runId: string, authorityRunId: string, now: Date, defaults: Thresholds, perProvider: Record<string, Partial<Thresholds>>): string[] {
  const run = sqlString(runId);
  const arun = sqlString(authorityRunId);
  const policyRows = Object.entries(perProvider).map(([p, t]) =>
    `(${sqlString(p)}, ${t.stale_days ?? 'NULL'}, ${t.grace_days ?? 'NULL'}, ${t.max_credential_age_days ?? 'NULL'}, ${t.max_credential_lifetime_days ?? 'NULL'})`);
  return [
    `CREATE OR REPLACE TEMP MACRO lvl_rank(l) AS CASE l WHEN 'owner' THEN 4 WHEN 'admin' THEN 3 WHEN 'write' THEN 2 WHEN 'read' THEN 1 ELSE 0 END`,
    `CREATE OR REPLACE TEMP MACRO rank_lvl(r) AS CASE r WHEN 4 THEN 'owner' WHEN 3 THEN 'admin' WHEN 2 THEN 'write' WHEN 1 THEN 'read' ELSE 'none' END`,
    `CREATE OR REPLACE TEMP MACRO iso(t) AS strftime(t, '%Y-%m-%dT%H:%M:%SZ')`,
    `CREATE OR REPLACE TEMP MACRO days_between(a, b) AS CAST(floor(epoch(b) - epoch(a)) / 86400 AS INTEGER)`,
    // Days from a time to the run's now (or from now to a time) inside a reason: written as a placeholder the findings
    // view renders with the time of the run that reads it (store/finding-spans.ts), so a reason that only counts days
    // does not make a new finding version every night.
    `CREATE OR REPLACE TEMP MACRO days_since(t) AS CASE WHEN t IS NULL THEN NULL ELSE chr(57344) || 's' || strftime(t, '%Y-%m-%d %H:%M:%S.%f') END`,
    `CREATE OR REPLACE TEMP MACRO days_until(t) AS CASE WHEN t IS NULL THEN NULL ELSE chr(57344) || 'u' || strftime(t, '%Y-%m-%d %H:%M:%S.%f') END`,
    // A reason stored as its rule's code and argument, rendered when read (Rule.reason_sql).
    `CREATE OR REPLACE TEMP MACRO lazy_reason(code, arg) AS ${LAZY_REASON_MARK} || code || arg`,
    `CREATE OR REPLACE TEMP TABLE params AS SELECT ${sqlString(now.toISOString())}::TIMESTAMPTZ::TIMESTAMP AS now`,
    // The run's records, read once out of the interval views into temp tables (which DuckDB spills past its memory
    // limit): every rule reads them, and through the views each read paid the interval join again, while the planner,
    // estimating the views' filters, built hash tables on the wrong side (at 10M entitlements a rule ran out of memory).
    `CREATE OR REPLACE TEMP TABLE cur_identities AS SELECT * FROM identities WHERE run_id = ${run}`,
    // Exposure records (kind exposed_secret) are evidence about credentials, not credentials: lifecycle rules never
    // see them; leaked-credential reads them from cur_exposures.
    `CREATE OR REPLACE TEMP TABLE cur_credentials AS SELECT * FROM credentials WHERE run_id = ${run} AND kind <> 'exposed_secret'`,
    `CREATE OR REPLACE TEMP TABLE cur_exposures AS SELECT * FROM credentials WHERE run_id = ${run} AND kind = 'exposed_secret'`,
    `CREATE OR REPLACE TEMP TABLE cur_entitlements AS SELECT * FROM entitlements WHERE run_id = ${run}`,
    // Integrations (third-party apps' service principals, consents, installations): identities carrying
    // attributes.integration (model IntegrationFacts); their scopes are entitlements carrying attributes.scope.
    `CREATE OR REPLACE TEMP TABLE cur_integrations AS
       SELECT i.*, i.attributes->>'$.integration.app_id' AS app_id, i.attributes->>'$.integration.kind' AS integration_kind,
         i.attributes->>'$.integration.publisher' AS publisher,
         TRY_CAST(i.attributes->>'$.integration.verified_publisher' AS BOOLEAN) AS verified_publisher,
         coalesce(TRY_CAST(i.attributes->>'$.integration.third_party' AS BOOLEAN), false) AS third_party,
         TRY_CAST(i.attributes->>'$.integration.multi_tenant' AS BOOLEAN) AS multi_tenant,
         i.attributes->>'$.integration.consented_by' AS consented_by
       FROM cur_identities i WHERE json_exists(i.attributes, '$.integration')`,
    `CREATE OR REPLACE TEMP TABLE cur_integration_scopes AS
       SELECT e.*, coalesce(TRY_CAST(e.attributes->>'$.scope.tenant_wide' AS BOOLEAN), false) AS tenant_wide,
         e.attributes->>'$.scope.consent' AS consent, e.attributes->>'$.scope.consented_by' AS consented_by
       FROM cur_entitlements e WHERE json_exists(e.attributes, '$.scope')`,
    // Mint edges (model MintFacts): who may obtain credentials as whom, and how broadly the trust admits.
    `CREATE OR REPLACE TEMP TABLE cur_mint_edges AS
       SELECT e.*, e.attributes->>'$.mint.mechanism' AS mechanism, e.attributes->>'$.mint.breadth' AS breadth,
         e.attributes->>'$.mint.issuer' AS issuer, e.attributes->>'$.mint.subject' AS mint_subject,
         e.attributes->>'$.mint.target_provider' AS target_provider, e.attributes->>'$.mint.target_ref' AS target_ref,
         CAST(e.attributes->'$.mint.missing' AS VARCHAR[]) AS missing
       FROM cur_entitlements e WHERE json_exists(e.attributes, '$.mint')`,
    `CREATE OR REPLACE TEMP VIEW cur_source_runs AS SELECT * FROM source_runs WHERE run_id = ${run}`,
    // A draft grant (proposed by `baseline`, not reviewed) never approves anything: every grant rule reads approved
    // grants only; drafts are read from cur_draft_grants (unreviewed-grant, and ungranted-access's silence).
    `CREATE OR REPLACE TEMP VIEW cur_grants AS SELECT * FROM grants WHERE run_id = ${arun} AND coalesce(status, 'approved') <> 'draft'`,
    `CREATE OR REPLACE TEMP VIEW cur_draft_grants AS SELECT * FROM grants WHERE run_id = ${arun} AND status = 'draft'`,
    `CREATE OR REPLACE TEMP VIEW cur_owners AS SELECT * FROM owners WHERE run_id = ${arun}`,
    `CREATE OR REPLACE TEMP VIEW cur_people AS SELECT * FROM people WHERE run_id = ${arun}`,
    `CREATE OR REPLACE TEMP VIEW cur_person_logins AS SELECT * FROM person_logins WHERE run_id = ${arun}`,
    `CREATE OR REPLACE TEMP VIEW cur_exceptions AS SELECT * FROM exceptions WHERE run_id = ${arun}`,
    // The integration register: approved apps with their scope globs. An entry past its expiry approves nothing
    // (in_force false); rules still see it, to say so in the finding's reason.
    `CREATE OR REPLACE TEMP VIEW cur_register AS
       SELECT r.* EXCLUDE (approved_scopes), CAST(r.approved_scopes AS VARCHAR[]) AS approved_scopes,
         (r.expires_at IS NULL OR r.expires_at > (SELECT now FROM params)) AND (r.approved_at IS NULL OR r.approved_at <= (SELECT now FROM params)) AS in_force
       FROM integration_register r WHERE r.run_id = ${arun}`,
    // Each integration × the register entries naming it (provider, tenant glob, app id glob), in force or not.
    `CREATE OR REPLACE TEMP VIEW integration_entries AS
       SELECT i.source, i.tenant, i.ref, r.entry_id, r.in_force, r.approved_scopes, r.max_level, r.owner AS entry_owner, r.ticket, r.expires_at AS entry_expires_at
       FROM cur_integrations i JOIN cur_register r
         ON r.provider = i.provider AND (r.tenant = '*' OR i.tenant GLOB r.tenant) AND i.app_id GLOB r.app_id`,
    // Integrations the register judges: every third-party one, and first-party ones the register lists. Their scopes
    // are judged against the register, not grants (ungranted-access and over-privileged leave them alone).
    `CREATE OR REPLACE TEMP VIEW register_judged AS
       SELECT i.source, i.tenant, i.ref FROM cur_integrations i
       WHERE i.third_party OR EXISTS (SELECT 1 FROM integration_entries x WHERE x.source = i.source AND x.tenant = i.tenant AND x.ref = i.ref)`,

    // Thresholds per provider present in the run, falling back to the defaults.
    `CREATE OR REPLACE TEMP TABLE policy_overrides (provider VARCHAR, stale_days INTEGER, grace_days INTEGER, max_age_days INTEGER, max_lifetime_days INTEGER)`,
    ...(policyRows.length ? [`INSERT INTO policy_overrides VALUES ${policyRows.join(', ')}`] : []),
    `CREATE OR REPLACE TEMP TABLE policy AS
       WITH providers AS (SELECT DISTINCT provider FROM cur_identities UNION SELECT DISTINCT provider FROM cur_credentials
                          UNION SELECT DISTINCT provider FROM cur_entitlements UNION SELECT DISTINCT provider FROM cur_grants)
       SELECT p.provider,
         coalesce(o.stale_days, ${defaults.stale_days}) AS stale_days,
         coalesce(o.grace_days, ${defaults.grace_days}) AS grace_days,
         coalesce(o.max_age_days, ${defaults.max_credential_age_days}) AS max_age_days,
         coalesce(o.max_lifetime_days, ${defaults.max_credential_lifetime_days}) AS max_lifetime_days
       FROM providers p LEFT JOIN policy_overrides o USING (provider)`,

    // Glob grants, each keyed by the longest literal prefix of its identity or resource pattern (see entGrantsSql).
    `CREATE OR REPLACE TEMP TABLE glob_grants AS
       WITH p AS (SELECT *, regexp_extract(identity, '^[^*?\\[]*') AS id_prefix, regexp_extract(resource, '^[^*?\\[]*') AS res_prefix
                  FROM cur_grants WHERE is_glob)
       SELECT *,
         CASE WHEN length(id_prefix) > 0 AND length(id_prefix) >= length(res_prefix) THEN 'id' WHEN length(res_prefix) > 0 THEN 'res' ELSE 'any' END AS mode,
         least(CASE WHEN length(id_prefix) > 0 AND length(id_prefix) >= length(res_prefix) THEN length(id_prefix) ELSE length(res_prefix) END, 24) AS plen,
         left(CASE WHEN length(id_prefix) > 0 AND length(id_prefix) >= length(res_prefix) THEN id_prefix ELSE res_prefix END, 24) AS pkey,
         ${GRANT_FLAGS}
       FROM p`,
  ];
}

export interface GlobBucket { mode: 'id' | 'res' | 'any'; plen: number }

/**
 * Entitlement × matching grant. Exact grants join by hash on (provider, identity, resource), once by identity ref and
 * once by identity name. Glob grants join by hash on (provider, the first plen characters) of the field their literal
 * prefix comes from — one join per distinct prefix length — and only then test GLOB, so thousands of glob grants
 * never turn the join into entitlements × globs. Globs with no literal prefix at all fall back to provider equality.
 */
export function entGrantsSql(buckets: GlobBucket[]): string {
  // Only the grant columns the grant state needs: wide ones (provenance, file, justification…) made this the
  // costliest step at a million entitlements.
  const cols = `e.eid, e.permission AS e_perm, e.level AS e_level, g.grant_id, g.permission, g.max_level, g.expires_at, g.g_valid, g.g_names`;
  const globCols = cols;
  const globMatch = `(g.tenant = '*' OR e.tenant GLOB g.tenant) AND (e.identity_ref GLOB g.identity OR e.identity_name GLOB g.identity) AND e.resource_ref GLOB g.resource`;
  const parts = [
    `SELECT ${cols} FROM e JOIN exact g ON g.provider = e.provider AND g.identity = e.identity_ref AND g.resource = e.resource_ref
      WHERE g.tenant = '*' OR g.tenant = e.tenant`,
    `SELECT ${cols} FROM e JOIN exact g ON g.provider = e.provider AND g.identity = e.identity_name AND g.resource = e.resource_ref
      WHERE (g.tenant = '*' OR g.tenant = e.tenant) AND e.identity_name <> e.identity_ref`,
  ];
  for (const b of buckets) {
    const on = `g.mode = '${b.mode}' AND g.plen = ${b.plen} AND g.provider = e.provider`;
    if (b.mode === 'id') {
      parts.push(`SELECT ${globCols} FROM e JOIN glob_grants g ON ${on} AND g.pkey = left(e.identity_ref, ${b.plen}) WHERE ${globMatch}`);
      // A pair the identity_ref join above already yields (its prefix matches too, and the GLOB test is the same) is
      // left out here, so the parts never overlap and are concatenated without a de-duplicating UNION.
      parts.push(`SELECT ${globCols} FROM e JOIN glob_grants g ON ${on} AND g.pkey = left(e.identity_name, ${b.plen}) WHERE ${globMatch} AND g.pkey <> left(e.identity_ref, ${b.plen})`);
    } else if (b.mode === 'res') {
      parts.push(`SELECT ${globCols} FROM e JOIN glob_grants g ON ${on} AND g.pkey = left(e.resource_ref, ${b.plen}) WHERE ${globMatch}`);
    } else {
      parts.push(`SELECT ${globCols} FROM e JOIN glob_grants g ON ${on} WHERE ${globMatch}`);
    }
  }
  return `CREATE OR REPLACE TEMP TABLE ent_grants AS
       -- An entitlement is named by its row in cur_entitlements (eid), not by (source, tenant, ref): the matched rows
       -- are grouped and joined back by one integer instead of three strings (at 10M entitlements, 13M rows).
       WITH e AS (SELECT rowid AS eid, provider, tenant, identity_ref, coalesce(identity_name, identity_ref) AS identity_name, resource_ref, permission, level FROM cur_entitlements),
       exact AS (SELECT *, ${GRANT_FLAGS} FROM cur_grants WHERE NOT is_glob),
       matched AS (${parts.join('\n         UNION ALL\n         ')})
       -- Kept: what the grant state and unfulfilled-grant read. The matched strings (identity, resource, permission…)
       -- are reduced to the booleans below, so the table is half as wide (at 10M entitlements it filled the memory).
       SELECT m.eid, m.grant_id, m.max_level, m.expires_at,
         m.g_valid AS valid,
         (m.permission = '*' OR m.e_perm GLOB m.permission) AS perm_ok,
         (m.max_level IS NULL OR lvl_rank(m.e_level) <= lvl_rank(m.max_level)) AS level_ok,
         m.g_names AS names_identity
       FROM matched m`;
}

/** The relations built on grant matching: per-entitlement grant state, identity access, people and ownership. */
export function derivedSql(): string[] {
  return [
    // The grant state of each entitlement, in three steps that DuckDB can spill: an aggregate over the matched rows
    // alone (plain aggregates; a list(DISTINCT) over 13M rows held them all in memory and failed at 10M entitlements),
    // the grant list only for the few entitlements with more than one valid grant, then every entitlement joined to it.
    `CREATE OR REPLACE TEMP TABLE ent_grant_agg AS
       SELECT g.eid,
         count(*) AS n_match,
         count(*) FILTER (WHERE g.valid) AS n_valid,
         bool_or(g.valid AND g.perm_ok AND g.level_ok) AS covered,
         bool_or(g.valid AND g.perm_ok AND g.level_ok AND g.expires_at IS NULL) AS covered_standing,
         bool_or(g.valid AND g.perm_ok AND g.level_ok AND g.names_identity) AS covered_by_name,
         max(g.expires_at) FILTER (WHERE NOT g.valid AND g.expires_at <= (SELECT now FROM params)) AS last_expiry,
         arg_max(g.grant_id, g.expires_at) FILTER (WHERE NOT g.valid AND g.expires_at <= (SELECT now FROM params)) AS last_expired_grant,
         min(g.grant_id) FILTER (WHERE g.valid) AS vg_min,
         max(g.grant_id) FILTER (WHERE g.valid) AS vg_max,
         max(lvl_rank(g.max_level)) FILTER (WHERE g.valid AND g.perm_ok) AS max_granted_rank,
         bool_or(g.valid AND NOT g.perm_ok) AS perm_mismatch
       FROM ent_grants g GROUP BY g.eid`,
    // Sorted, so a reason naming them reads the same every night.
    `CREATE OR REPLACE TEMP TABLE ent_grant_lists AS
       SELECT g.eid, list_sort(list(DISTINCT g.grant_id)) AS valid_grants
       FROM ent_grants g SEMI JOIN (SELECT eid FROM ent_grant_agg WHERE vg_min <> vg_max) m ON m.eid = g.eid
       WHERE g.valid GROUP BY g.eid`,
    // Keyed for the rules by (source, tenant, ref), not eid: joined by the integer, a rule that keeps a few states
    // (used-after-expiry) probed every entitlement, where the strings' range, pushed into the scan, skipped most
    // (10M entitlements: 1.2–1.4 s by the strings, 2.8–3.1 s by eid).
    `CREATE OR REPLACE TEMP TABLE ent_state AS
       SELECT e.source, e.tenant, e.ref,
         coalesce(a.n_match, 0) AS n_match,
         coalesce(a.n_valid, 0) AS n_valid,
         coalesce(a.covered, false) AS covered,
         coalesce(a.covered_standing, false) AS covered_standing,
         coalesce(a.covered_by_name, false) AS covered_by_name,
         a.last_expiry, a.last_expired_grant,
         CASE WHEN a.vg_min IS NULL THEN NULL WHEN a.vg_min = a.vg_max THEN [a.vg_min] ELSE l.valid_grants END AS valid_grants,
         a.max_granted_rank, a.perm_mismatch
       FROM cur_entitlements e
       LEFT JOIN ent_grant_agg a ON a.eid = e.rowid
       LEFT JOIN ent_grant_lists l ON l.eid = e.rowid`,
    `DROP TABLE ent_grant_lists`,
    `DROP TABLE ent_grant_agg`,

    // The highest access each identity holds, used to weigh findings about it and its credentials.
    `CREATE OR REPLACE TEMP TABLE identity_access AS
       SELECT source, tenant, identity_ref, max(lvl_rank(level)) AS rank, bool_or(privileged) AS privileged, count(*) AS n_entitlements
       FROM cur_entitlements GROUP BY ALL`,

    // People by login, per provider.
    `CREATE OR REPLACE TEMP TABLE person_by_login AS
       SELECT l.provider, l.login, p.person_id, p.status, p.departed_at, p.name
       FROM cur_person_logins l JOIN cur_people p USING (person_id)`,

    // Who owns each identity: owner records first (by ref or name), then what the provider records. More than one
    // distinct owner record is a dispute: reported, never acted on automatically.
    `CREATE OR REPLACE TEMP TABLE owner_resolution AS
       WITH rec AS (
         SELECT i.source, i.tenant, i.ref, list(DISTINCT o.owner ORDER BY o.owner) AS owners
         FROM cur_identities i JOIN cur_owners o
           ON o.provider = i.provider AND (o.tenant = '*' OR o.tenant = i.tenant) AND (o.identity = i.ref OR o.identity = i.name)
         GROUP BY ALL),
       resolved AS (
         SELECT i.source, i.tenant, i.ref, i.provider,
           CASE WHEN len(r.owners) = 1 THEN r.owners[1] WHEN r.owners IS NULL THEN i.owner END AS owner,
           CASE WHEN len(r.owners) >= 1 THEN 'owner_record' WHEN i.owner IS NOT NULL THEN coalesce(i.owner_source, 'provider') END AS owner_source,
           coalesce(len(r.owners) > 1, false) AS disputed,
           r.owners AS candidates
         FROM cur_identities i LEFT JOIN rec r USING (source, tenant, ref))
       SELECT r.*,
         coalesce(p1.person_id, p2.person_id, p3.person_id) AS person_id,
         CASE WHEN r.disputed THEN 'disputed'
              WHEN r.owner IS NULL THEN 'none'
              ELSE coalesce(p1.status, p2.status, p3.status, 'unknown') END AS owner_status,
         coalesce(p1.departed_at, p2.departed_at, p3.departed_at) AS owner_departed_at
       FROM resolved r
       LEFT JOIN cur_people p1 ON p1.person_id = r.owner
       LEFT JOIN (SELECT DISTINCT ON (email) * FROM cur_people WHERE email IS NOT NULL ORDER BY email, person_id) p2 ON p1.person_id IS NULL AND lower(p2.email) = lower(r.owner)
       LEFT JOIN (SELECT DISTINCT ON (provider, login) * FROM person_by_login ORDER BY provider, login, person_id) p3 ON p1.person_id IS NULL AND p2.person_id IS NULL AND p3.provider = r.provider AND p3.login = r.owner`,

    // A person record for any owner string (id, email or login) — used for credentials whose owner is a tag.
    `CREATE OR REPLACE TEMP TABLE owner_lookup AS
       SELECT person_id AS key, NULL AS provider, person_id, status, departed_at FROM cur_people
       UNION ALL SELECT lower(email), NULL, person_id, status, departed_at FROM cur_people WHERE email IS NOT NULL
       UNION ALL SELECT login, provider, person_id, status, departed_at FROM person_by_login`,
  ];
}
