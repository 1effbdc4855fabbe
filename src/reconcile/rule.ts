// A rule is one file under rules/: its metadata and one SQL query with a fixed result contract, so the engine, the
// reports and the SIEM output never special-case a rule.
import type { Level, Severity } from '../model/index.js';

export type SubjectType = 'identity' | 'credential' | 'entitlement' | 'grant' | 'exception';

export interface Rule {
  /** Finding kind; equals the file name. */
  id: string;
  title: string;
  subject: SubjectType;
  /** Severity by the level of access involved; `privileged` access uses at least the `admin` row. */
  severity: Record<Level, Severity>;
  /**
   * Optional SQL expression over the query's row `q` (its columns, e.g. q.evidence) giving a severity that replaces
   * the level table for that row; NULL keeps the table's. For judgements that weigh more than the level alone.
   */
  severity_sql?: string;
  /**
   * Optional: how a lazily stored reason reads. A rule whose reason column gives `lazy_reason(code, arg)` (a
   * one-character code and a string, usually the subject's name) stores that instead of the sentence, and this SQL
   * expression writes the sentence when the finding is read (the findings view). It may use `code`, `arg`, the
   * finding's subject_ref, identity_ref, resource_ref, permission, level, owner, evidence (JSON) and `now` (the time
   * of the run that reads it; day counts: nhi_days_since(iso, now), nhi_days_until(iso, now) of an evidence time),
   * and only persistent functions (no temp macro of the reconcile). Rendered must equal what the rule would have
   * written. Its other (stored) sentences must begin with a literal or a validated value (a kind), never a collected
   * name: a stored sentence that begins with the lazy mark would be read as a code and argument.
   */
  reason_sql?: string;
  /** What the finding means. */
  description: string;
  /** Why it matters. */
  why: string;
  /** How to fix it by hand. */
  fix: string;
  /** Standard controls it maps to. */
  standards: { owasp_nhi: string[]; nist_csf: string[]; cis?: string[] };
  /**
   * The query. It reads the relations (temp tables and views) cur_identities, cur_credentials, cur_exposures (leak evidence), cur_entitlements, cur_integrations,
   * cur_integration_scopes, cur_mint_edges (model IntegrationFacts, ScopeFacts, MintFacts), cur_grants, cur_people,
   * cur_person_logins, owner_resolution, ent_grants and ent_state of the run being reconciled, the `policy` table
   * (per-provider thresholds) and `params` (now). ent_grants names an entitlement by its row in cur_entitlements
   * (`eid`: join ON g.eid = e.rowid). It returns exactly these columns:
   *   provider, tenant, source, subject_ref, identity_ref, resource_ref, permission, level, privileged (bool),
   *   owner, reason (a sentence ending with a period, or lazy_reason(code, arg): see reason_sql), evidence (JSON object)
   */
  sql: string;
}

/** In a reason_sql: an evidence field as text (what iso(), a number or a string was stored as). */
export const ev = (key: string) => `(evidence->>'$.${key}')`;

/** The stale-identity and stale-credential sentence, from `arg` (the subject: its kind and name) and the evidence. */
export const staleReasonSql = `CASE WHEN ${ev('last_used_at')} IS NULL
    THEN format('{} was created {} days ago and has never been used.', arg, nhi_days_since(${ev('created_at')}, now))
    ELSE format('{} was last used {} days ago ({}), over the {}-day limit.', arg, nhi_days_since(${ev('last_used_at')}, now), substr(${ev('last_used_at')}, 1, 10), ${ev('stale_days')}) END`;
