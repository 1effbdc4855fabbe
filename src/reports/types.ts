// One small interface per output format: the pipeline asks each reporter to write one file and never special-cases a
// format. Everything a reporter needs about the run is computed once (ReportData); findings are streamed, never
// gathered into one array, so a run with a million findings costs a cursor, not a heap.
import type { ActionIdentity } from '../remediate/journal.js';
import type { Store } from '../store/store.js';
import type { RunRow } from '../store/runs.js';
import type { Rule } from '../reconcile/rule.js';

export const REPORT_FORMATS = ['json', 'csv', 'ocsf', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  runId: string;
  formats: readonly ReportFormat[];
  outDir: string;
  /** Group findings by their accountable owner (each team sees its own list). */
  byOwner?: boolean;
  /** Include findings resolved in this run (default true). */
  includeResolved?: boolean;
  /** The report's clock (days open, generated_at). */
  now?: Date;
  /** Most findings rows the HTML table embeds; the rest are counted and left to JSON/CSV. */
  htmlRowLimit?: number;
}

export interface ReportContext {
  store: Store;
  data: ReportData;
  byOwner: boolean;
  includeResolved: boolean;
  now: Date;
  rules: Map<string, Rule>;
  htmlRowLimit: number;
}

export interface Reporter {
  id: ReportFormat;
  /** File name the report is written to inside outDir (stable across runs, so CI steps can name it). */
  fileName: string;
  /** Write the report to `file` (a private temp path; the caller renames it into place). Returns rows written. */
  write(ctx: ReportContext, file: string): Promise<number>;
  /** Further files of the same format, written in the same set (e.g. the guard decisions as their own CSV). */
  companions?: { fileName: string; write(ctx: ReportContext, file: string): Promise<number> }[];
}

/** A decision of the plausibility or authority guard recorded for the run (suspect, or accepted by a person). */
export interface GuardDecisionRow {
  guard: string; decision: string; source: string | null; provider: string | null; tenant: string | null;
  collection: string; kind: string | null; file: string | null; baseline_run_id: string | null; baseline: number | null; current: number;
  reason: string; accepted_by: string | null; accepted_via: string | null; decided_at: string;
}

export interface TenantCompleteness {
  source: string;
  provider: string;
  tenant: string;
  status: string;
  api_calls: number;
  cached_calls: number;
  rate_budget_used: number;
  rows: number;
  error: string | null;
}

export interface Counts {
  open: number;
  new: number;
  regressed: number;
  resolved: number;
  suppressed: number;
  carried: number;
  by_severity: Record<string, number>;
  by_rule: Record<string, number>;
  by_provider: Record<string, number>;
}

export interface Lifecycle {
  /** Expired-grant findings resolved up to this run: how long access outlived its grant before removal. */
  removed: number;
  median_days: number | null;
  worst_days: number | null;
  /** Expired grants whose access still exists at this run, and the longest such overstay. */
  still_open: number;
  oldest_open_days: number | null;
}

export interface TrendPoint {
  run_id: string;
  seq: number;
  started_at: string;
  status: string;
  open: number;
  critical: number;
  high: number;
  new: number;
  resolved: number;
  lifecycle_median_days: number | null;
  lifecycle_worst_days: number | null;
}

export interface OwnerGroup {
  owner: string | null;
  owner_status: string | null;
  open: number;
  by_severity: Record<string, number>;
  /** The person the owner values resolve to through the people directory (null: not a known person). */
  person_id?: string | null;
  /** The owner values (logins, emails, ids) grouped into this row. */
  aliases?: string[];
}

export interface ActionRow extends ActionIdentity {
  state: string;
  reason: string | null;
  intent_at: string | null;
  outcome_at: string | null;
  verified_at: string | null;
  /** The JSON text as stored, never re-parsed (BIGINT-safe). */
  verification_json: string | null;
  result_json: string | null;
  severity: string | null;
}

export interface ReportData {
  run: RunRow;
  previous: RunRow | undefined;
  generatedAt: string;
  complete: boolean;
  tenants: TenantCompleteness[];
  counts: Counts;
  lifecycle: Lifecycle;
  trend: TrendPoint[];
  owners: OwnerGroup[];
  /** Actions journaled for this run (the remediation of its findings). */
  actions: ActionRow[];
  /** The guards' decisions for this run: drops held as suspect, or accepted by a person. */
  guards: GuardDecisionRow[];
}

/** One finding as the reporters see it (streamed). Timestamps are ISO strings; evidence is raw JSON text. */
export interface FindingRow {
  finding_id: string;
  rule_id: string;
  title: string;
  severity: string;
  status: string;
  provider: string | null;
  tenant: string | null;
  source: string | null;
  subject_type: string;
  subject_ref: string;
  identity_ref: string | null;
  resource_ref: string | null;
  permission: string | null;
  level: string | null;
  owner: string | null;
  owner_status: string | null;
  reason: string;
  evidence_json: string;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
  days_open: number;
  carried: boolean;
  suppressed_by: string | null;
  /** The newest remediation action for this finding, if any. */
  action_id: string | null;
  action_state: string | null;
  action_operation: string | null;
  action_verified_at: string | null;
}
