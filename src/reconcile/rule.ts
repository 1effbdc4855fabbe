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
   *   owner, reason (a sentence ending with a period), evidence (JSON object)
   */
  sql: string;
}
