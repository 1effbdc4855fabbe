// The reconciler: runs every rule over one run, weighs severity, gives each finding a stable id, and carries the
// lifecycle across runs (new, open, resolved, regressed). A finding of a tenant that was not collected completely in
// this run is never resolved: it is carried open, because absence of evidence is not evidence of removal.
import type { Store } from '../store/store.js';
import { sqlString } from '../store/store.js';
import { RULES } from './rules/index.js';
import type { Rule } from './rule.js';
import { derivedSql, entGrantsSql, setupSql, type GlobBucket, type Thresholds } from './setup.js';
import { LEVELS } from '../model/index.js';
import { DEFAULT_REVIEW_POLICY, reviewSetupSql, type ReviewPolicy } from './review-setup.js';
import { lazyReasonSql, mergeFindings, unmergeFindings, LAZY_REASON_MARK, REASON_MACRO_PARAMS } from '../store/finding-spans.js';

export interface ReconcileOptions {
  runId: string;
  /** The run whose authority snapshot (grants, owners, people, exceptions) to judge against; default runId. */
  authorityRunId?: string;
  now?: Date;
  policy: Thresholds & { providers: Record<string, Partial<Thresholds>>; disabled_rules: string[]; review?: Partial<ReviewPolicy> };
  rules?: Rule[];
}

export interface ReconcileSummary {
  findings: number;
  bySeverity: Record<string, number>;
  byStatus: Record<string, number>;
  byRule: Record<string, number>;
  suppressed: number;
  carried: number;
}

function severitySql(rule: Rule): string {
  // privileged access weighs at least as much as admin.
  const eff = `rank_lvl(greatest(lvl_rank(q.level), CASE WHEN q.privileged THEN 3 ELSE 0 END))`;
  const table = `CASE ${eff} ${LEVELS.map((l) => `WHEN '${l}' THEN '${rule.severity[l]}'`).join(' ')} END`;
  return rule.severity_sql ? `coalesce(${rule.severity_sql}, ${table})` : table;
}

export async function reconcile(store: Store, opts: ReconcileOptions): Promise<ReconcileSummary> {
  const now = opts.now ?? new Date();
  const run = await store.one<{ seq: number; started_at: Date }>('SELECT seq, started_at FROM runs WHERE run_id = $1', [opts.runId]);
  if (!run) throw new Error(`run ${opts.runId} does not exist`);
  const rules = (opts.rules ?? RULES).filter((r) => !opts.policy.disabled_rules.includes(r.id));

  // Two phases. The rules and the lifecycle write the run's findings to reconcile_work, a temp table, one statement at
  // a time: each commits, so DuckDB may spill it to its temp directory past the memory limit (inside one transaction
  // it held every rule's rows, and every temp table, until the commit); a temp table, not a persistent one, because
  // writing to the database file (compressing every column) cost three times the rule itself. Then one transaction
  // folds them into the run's findings and marks the run reconciled: a kill anywhere before that commit leaves the
  // run unreconciled, its findings view unchanged, and no scratch rows (a temp table dies with the process).
  // Nothing the reconcile writes depends on row order (every reader orders or aggregates), and with order preserved a
  // parallel INSERT … SELECT buffers its rows to write them in order: at 10M entitlements that buffering alone ran
  // DuckDB out of memory. Restored afterwards, for the commands sharing the connection.
  await store.run(`SET preserve_insertion_order = false`);
  // The rules are written fact LEFT JOIN lookup (owner_resolution, identity_access…): the lookup is the side to hash.
  // DuckDB's build-side pass, trusting its default estimate for a filter (a fifth of the rows), hashed the rule's whole
  // output instead — reasons and evidence of a million findings — and ran out of memory at 10M entitlements.
  await store.run(`SET disabled_optimizers = 'build_side_probe_side'`);
  try {
    // Defined before any rule writes a lazy reason: the view renders those with it (persistent, so every later reader
    // of this database has it). Every known rule's, enabled or not: earlier runs' findings are read through it too.
    for (const sql of reasonMacroSql([...RULES, ...(opts.rules ?? [])])) await store.run(sql);
    await prepareRelations(store, opts, now);
    const runLit = sqlString(opts.runId);
    const nowLit = `${sqlString(now.toISOString())}::TIMESTAMPTZ::TIMESTAMP`;
    const prev = await store.one<{ run_id: string }>(
      `SELECT run_id FROM runs WHERE reconciled_at IS NOT NULL AND seq < $1 AND status IN ('complete', 'partial') ORDER BY seq DESC LIMIT 1`, [run.seq]);
    const prevLit = prev ? sqlString(prev.run_id) : 'NULL';
    // The previous run's open findings, narrow: all a rule's insert needs to tell open from new and carry first_seen.
    // With its rule: each rule looks up only its own ids (a finding id hashes its rule), not all of them once per rule.
    await store.run(`CREATE OR REPLACE TEMP TABLE prev_open AS SELECT rule_id, finding_id, first_seen FROM findings WHERE run_id = ${prevLit} AND status <> 'resolved'`);
    await store.run(identityFlagsSql);
    // Rows a killed reconcile of an older version left in the persistent scratch table.
    await store.run(`DELETE FROM findings_work`);
    await store.run(`CREATE OR REPLACE TEMP TABLE reconcile_work AS SELECT * FROM findings_stage WHERE false`);
    // One pass per rule into the run's findings (stored at the end): no raw table, no copy. A public identity (anyone on
    // the internet) is always critical.
    for (const rule of rules) {
      try {
        await store.run(ruleInsertSql(rule, runLit, nowLit));
      } catch (e) {
        throw new Error(`rule ${rule.id} failed: ${(e as Error).message}`);
      }
    }
    // An identity rule may report a credential (a token a departed person created): its finding is then a credential
    // finding, so the planner finds its target among the run's credentials. Told once for every rule's rows, after
    // them: tested inside each rule's insert, the lookup hashed every credential of the run once per identity rule
    // (eight of them), even for rules that found nothing.
    await store.run(`UPDATE reconcile_work SET subject_type = 'credential' WHERE rowid IN (
      SELECT w.rowid FROM reconcile_work w SEMI JOIN cur_credentials c ON c.source = w.source AND c.tenant = w.tenant AND c.ref = w.subject_ref
      WHERE w.run_id = ${runLit} AND w.subject_type = 'identity' AND w.subject_ref IS DISTINCT FROM w.identity_ref)`);
    // One row per finding id (a rule may reach one subject twice, e.g. created by one departed person and owned by
    // another): the row with the first reason stays. Only ids that occur twice are windowed, so this costs a count
    // when (as almost always) there are none. Counted by the id's 64-bit hash, not the 32-character id (a quarter of
    // the bytes to group; the step grouped 19M ids at 10M entitlements); a collision only adds a candidate, which the
    // window, partitioned by the id itself, leaves alone. Reasons compare as read (a lazy one rendered, not its code).
    await store.run(`DELETE FROM reconcile_work WHERE rowid IN (
      SELECT rid FROM (SELECT rowid AS rid, row_number() OVER (PARTITION BY finding_id ORDER BY ${lazyReasonSql('', nowLit, (r) => r)}, severity, evidence::VARCHAR, owner) AS n FROM reconcile_work
        WHERE run_id = ${runLit} AND hash(finding_id) IN (SELECT hash(finding_id) FROM reconcile_work WHERE run_id = ${runLit} GROUP BY 1 HAVING count(*) > 1))
      WHERE n > 1)`);
    // New ids seen in an earlier run regressed: they keep their first first_seen. History is read only for them, so
    // the cost of this step follows the churn, not the length of the history.
    if (await store.value(`SELECT EXISTS (SELECT 1 FROM runs WHERE seq < ${run.seq})`)) await store.run(`UPDATE reconcile_work f SET status = 'regressed', first_seen = h.first_seen
      FROM (SELECT finding_id, min(first_seen) AS first_seen FROM (
              SELECT finding_id, first_seen FROM findings_spans WHERE from_seq < ${run.seq}
              UNION ALL SELECT f2.finding_id, f2.first_seen FROM findings_stage f2 JOIN runs r USING (run_id) WHERE r.seq < ${run.seq})
            WHERE finding_id IN (SELECT finding_id FROM reconcile_work WHERE run_id = ${runLit} AND status = 'new') GROUP BY finding_id) h
      WHERE f.run_id = ${runLit} AND f.status = 'new' AND f.finding_id = h.finding_id`);
    // Exceptions still in force mute findings (the finding stays in the data, marked suppressed).
    if (Number(await store.value(`SELECT count(*) FROM cur_exceptions WHERE expires_at > ${nowLit}`)) > 0) {
      await store.run(`UPDATE reconcile_work f SET suppressed_by = x.exception_id
        FROM (SELECT f2.finding_id, min(x.exception_id) AS exception_id
              FROM reconcile_work f2 JOIN cur_exceptions x
                ON x.expires_at > ${nowLit} AND (x.finding_id = f2.finding_id
                   OR (x.finding_id IS NULL AND (x.rule_id IS NULL OR x.rule_id = f2.rule_id) AND f2.subject_ref GLOB x.match_ref))
              WHERE f2.run_id = ${runLit} GROUP BY f2.finding_id) x
        WHERE f.run_id = ${runLit} AND f.finding_id = x.finding_id`);
    }
    // Findings that disappeared: resolved only where this run collected their tenant completely; otherwise carried.
    await store.run(`INSERT INTO reconcile_work
      SELECT ${runLit}, p.finding_id, p.rule_id, p.severity,
        CASE WHEN complete THEN 'resolved' WHEN p.status = 'new' THEN 'open' ELSE p.status END,
        p.provider, p.tenant, p.source, p.subject_type, p.subject_ref, p.identity_ref, p.resource_ref, p.permission, p.level,
        p.owner, p.owner_status, p.reason, p.evidence, p.first_seen, p.last_seen,
        CASE WHEN complete THEN ${nowLit} END, NOT complete, p.suppressed_by
      FROM (SELECT p.*,
              CASE -- a grant finding (unfulfilled-grant) is about a provider's tenant: resolved only where that tenant
                   -- was collected completely, by the same test the rule itself applies.
                   WHEN p.source IS NULL AND p.subject_type = 'grant' THEN
                        EXISTS (SELECT 1 FROM cur_source_runs r WHERE r.provider = p.provider AND (p.tenant = '*' OR r.tenant = p.tenant) AND r.status = 'complete')
                        AND NOT EXISTS (SELECT 1 FROM cur_source_runs r WHERE r.provider = p.provider AND (p.tenant = '*' OR r.tenant = p.tenant OR r.tenant = '*') AND r.status <> 'complete')
                   WHEN p.source IS NULL THEN true  -- exception findings: the authority loaded completely
                   ELSE EXISTS (SELECT 1 FROM cur_source_runs r WHERE r.source = p.source AND r.tenant = p.tenant AND r.status = 'complete')
                        AND NOT EXISTS (SELECT 1 FROM cur_source_runs r WHERE r.source = p.source AND r.tenant = '*' AND r.status <> 'complete')
                        -- Evidence from other sources (evidence.depends_on: [{source, tenant}]) must have been collected
                        -- completely too: a leak seen in one source about a credential of another is not gone because
                        -- the source that showed it failed.
                        AND NOT EXISTS (SELECT 1 FROM (SELECT unnest(coalesce(CAST(json_extract(p.evidence, '$.depends_on') AS JSON[]), [])) AS d) dep
                          WHERE NOT EXISTS (SELECT 1 FROM cur_source_runs r WHERE r.source = json_extract_string(dep.d, '$.source')
                            AND r.tenant = json_extract_string(dep.d, '$.tenant') AND r.status = 'complete'))
              END AS complete
            FROM findings p
            WHERE p.run_id = ${prevLit} AND p.status <> 'resolved'
              -- The ids first, from the narrow lists (usually few): the previous run's rows are read only for them.
              AND p.finding_id IN (SELECT o.finding_id FROM prev_open o ANTI JOIN reconcile_work w ON w.finding_id = o.finding_id AND w.run_id = ${runLit})) p`);
    // The relations the rules read are done with: freed before the fold, which needs the memory.
    await dropRelations(store);
    await store.transaction(async () => {
      // Reconciling a run again replaces its findings (stored as intervals: see store/finding-spans.ts).
      await unmergeFindings(store, opts.runId);
      await mergeFindings(store, opts.runId, now, 'reconcile_work');
      // Committed with the findings: from here on the run is evidence (the state never moves back from reported).
      await store.run(`UPDATE runs SET reconciled_at = ${nowLit}, state = CASE WHEN state = 'reported' THEN state ELSE 'reconciled' END WHERE run_id = ${runLit}`);
    });
  } finally {
    await store.run(`RESET preserve_insertion_order`).catch(() => undefined);
    await store.run(`RESET disabled_optimizers`).catch(() => undefined);
    await dropRelations(store);
    await store.run(`DROP TABLE IF EXISTS temp.main.reconcile_work`).catch(() => undefined);
  }
  return summarise(store, opts.runId);
}

/** The persistent macros that render lazily stored reasons (Rule.reason_sql), one CASE branch per rule that has one. */
export function reasonMacroSql(rules: Rule[]): string[] {
  const seen = new Set<string>();
  const branches = rules.filter((r) => r.reason_sql && !seen.has(r.id) && seen.add(r.id))
    .map((r) => `WHEN ${sqlString(r.id)} THEN (${r.reason_sql})`);
  // An evidence time (iso(), to the second) to the reading run's now, in whole days: the arithmetic of days_between.
  const ts = `try_strptime(t, '%Y-%m-%dT%H:%M:%SZ')`;
  return [
    `CREATE OR REPLACE MACRO nhi_days_since(t, now) AS CAST(floor(epoch(now) - epoch(${ts})) / 86400 AS INTEGER)`,
    `CREATE OR REPLACE MACRO nhi_days_until(t, now) AS CAST(floor(epoch(${ts}) - epoch(now)) / 86400 AS INTEGER)`,
    `CREATE OR REPLACE MACRO nhi_reason(${REASON_MACRO_PARAMS.join(', ')}) AS ${branches.length ? `CASE rule_id ${branches.join(' ')} END` : 'NULL::VARCHAR'}`,
  ];
}

/**
 * What every finding about an identity needs from it (its owner's status, whether it is public), one narrow row per
 * identity: each rule's insert hashes this one table, not the ownership table and the public list apart — thirty rules
 * each hashing all identities twice cost a million-entitlement reconcile a second, mostly in rules that found nothing.
 */
const identityFlagsSql = `CREATE OR REPLACE TEMP TABLE identity_flags AS
  SELECT source, tenant, ref, min(owner_status) AS owner_status, bool_or(public) AS public
  FROM (SELECT source, tenant, ref, owner_status, false AS public FROM owner_resolution
        UNION ALL SELECT source, tenant, ref, NULL, true FROM cur_identities WHERE kind = 'public')
  GROUP BY source, tenant, ref`;

/** One rule's findings into reconcile_work: a stable id, severity, new/open against the previous run, the owner's status. */
function ruleInsertSql(rule: Rule, runLit: string, nowLit: string): string {
  // finding_id: the same rule about the same subject is the same finding, night after night.
  return `INSERT INTO reconcile_work (${STAGE_COLUMNS})
    SELECT ${runLit}, c.finding_id, ${sqlString(rule.id)},
      CASE WHEN o.public AND ${sqlString(rule.id)} <> 'unfulfilled-grant' THEN 'critical' ELSE c.severity END AS severity,
      CASE WHEN p.finding_id IS NOT NULL THEN 'open' ELSE 'new' END AS status,
      c.provider, c.tenant, c.source, c.subject_type, c.subject_ref, c.identity_ref, c.resource_ref, c.permission, c.level,
      c.owner, coalesce(o.owner_status, CASE WHEN c.owner IS NULL THEN 'none' END) AS owner_status, c.reason, c.evidence,
      coalesce(p.first_seen, ${nowLit}) AS first_seen, ${nowLit} AS last_seen, NULL::TIMESTAMP AS resolved_at, false AS carried, NULL::VARCHAR AS suppressed_by
    FROM (SELECT substr(sha256(concat_ws('|', ${sqlString(rule.id)}, q.provider, q.tenant, q.subject_ref)), 1, 32) AS finding_id,
            ${sqlString(rule.subject)} AS subject_type, ${severitySql(rule)} AS severity,
            -- Typed as the findings columns (a rule may return a bare NULL, which would otherwise join as a number).
            q.provider::VARCHAR AS provider, q.tenant::VARCHAR AS tenant, q.source::VARCHAR AS source, q.subject_ref::VARCHAR AS subject_ref,
            q.identity_ref::VARCHAR AS identity_ref, q.resource_ref::VARCHAR AS resource_ref, q.permission::VARCHAR AS permission,
            q.level::VARCHAR AS level, q.owner::VARCHAR AS owner, ${reasonColumnSql(rule)} AS reason, q.evidence::JSON AS evidence
          FROM (${rule.sql}) q) c
    LEFT JOIN identity_flags o ON o.source = c.source AND o.tenant = c.tenant AND o.ref = c.identity_ref
    LEFT JOIN (SELECT finding_id, first_seen FROM prev_open WHERE rule_id = ${sqlString(rule.id)}) p ON p.finding_id = c.finding_id`;
}

/**
 * The reason as stored. Only a rule with a reason_sql stores lazy reasons; a sentence of any other rule that begins
 * with the lazy mark (a collected name can) has that character replaced, so no collected text is ever rendered as a
 * rule's code and argument. (A rule with a reason_sql begins its other sentences with a literal or a validated kind.)
 */
function reasonColumnSql(rule: Rule): string {
  return rule.reason_sql ? `q.reason::VARCHAR`
    : `CASE WHEN starts_with(q.reason::VARCHAR, ${LAZY_REASON_MARK}) THEN chr(65533) || substr(q.reason::VARCHAR, 2) ELSE q.reason::VARCHAR END`;
}

const STAGE_COLUMNS = `run_id, finding_id, rule_id, severity, status, provider, tenant, source, subject_type, subject_ref,
  identity_ref, resource_ref, permission, level, owner, owner_status, reason, evidence, first_seen, last_seen, resolved_at, carried, suppressed_by`;

/** The reconcile's own large temp tables (the rules' inputs and outputs), dropped once the rules are done. */
const RULE_RELATIONS = ['cur_identities', 'cur_credentials', 'cur_exposures', 'cur_entitlements', 'cur_integrations', 'cur_integration_scopes', 'cur_mint_edges', 'prev_open', 'identity_flags', 'ent_grants', 'ent_grant_agg', 'ent_grant_lists', 'ent_state', 'ent_drafts', 'identity_access', 'owner_resolution', 'owner_lookup', 'person_by_login'];
/** Views over those tables: dropped with them, so nothing left in the connection names a table that is gone. */
const RULE_VIEWS = ['integration_entries', 'register_judged'];
async function dropRelations(store: Store): Promise<void> {
  for (const v of RULE_VIEWS) await store.run(`DROP VIEW IF EXISTS temp.main.${v}`);
  for (const t of RULE_RELATIONS) await store.run(`DROP TABLE IF EXISTS temp.main.${t}`);
}

/** The temp relations every rule reads (views, grant matching, ownership, review state) for one run. */
export async function prepareRelations(store: Store, opts: Pick<ReconcileOptions, 'runId' | 'authorityRunId' | 'policy'>, now: Date): Promise<void> {
  for (const sql of setupSql(opts.runId, opts.authorityRunId ?? opts.runId, now, opts.policy, opts.policy.providers)) await store.run(sql);
  const buckets = await store.all<GlobBucket & Record<string, unknown>>('SELECT DISTINCT mode, plen FROM glob_grants ORDER BY ALL');
  await store.run(entGrantsSql(buckets));
  for (const sql of derivedSql()) await store.run(sql);
  for (const sql of reviewSetupSql({ ...DEFAULT_REVIEW_POLICY, ...opts.policy.review }, opts.runId)) await store.run(sql);
}

export async function summarise(store: Store, runId: string): Promise<ReconcileSummary> {
  const rows = await store.all<{ severity: string; status: string; rule_id: string; suppressed: boolean; carried: boolean; n: number }>(
    `SELECT severity, status, rule_id, suppressed_by IS NOT NULL AS suppressed, carried, count(*)::INTEGER AS n FROM findings WHERE run_id = $1 GROUP BY ALL`, [runId]);
  const s: ReconcileSummary = { findings: 0, bySeverity: {}, byStatus: {}, byRule: {}, suppressed: 0, carried: 0 };
  for (const r of rows) {
    s.byStatus[r.status] = (s.byStatus[r.status] ?? 0) + r.n;
    if (r.suppressed) { s.suppressed += r.n; continue; }
    if (r.carried) s.carried += r.n;
    if (r.status === 'resolved') continue;
    s.findings += r.n;
    s.bySeverity[r.severity] = (s.bySeverity[r.severity] ?? 0) + r.n;
    s.byRule[r.rule_id] = (s.byRule[r.rule_id] ?? 0) + r.n;
  }
  return s;
}
