// `nhi-recon review apply DECISIONS`: validates an owner's decisions against the run their packet came from and
// appends them to the decisions log (authority.decisions), which the authority loader reads as grants and owner
// records with provenance review. The user's grant files are never edited.
import { appendFileSync, existsSync } from 'node:fs';
import { readRecords } from '../io/records.js';
import { formatOf } from '../io/records.js';
import { InputError, UserError, type InputIssue } from '../errors.js';
import type { Store } from '../store/store.js';
import { getRun } from '../store/runs.js';
import { DecisionRow, type DecisionRecord } from '../authority/decisions.js';
import { reviewItems, type ReviewItem } from './open.js';
import type { GrantLevel } from '../reconcile/review-setup.js';

export interface ApplyOptions { decisionsFile: string; logFile: string; maxGrantDays: Record<GrantLevel, number>; now?: Date }
export interface ApplyResult { decided: number; undecided: number; byDecision: Record<string, number>; warnings: string[] }

const DAY = 86_400_000;

export async function applyDecisions(store: Store, opts: ApplyOptions): Promise<ApplyResult> {
  const now = opts.now ?? new Date();
  if (!['ndjson'].includes(safeFormat(opts.logFile))) throw new UserError(`decisions log ${opts.logFile}: use a .ndjson or .jsonl file (the log is appended to, one decision per line)`);
  const issues: InputIssue[] = [];
  const rows: { line: number; row: DecisionRow }[] = [];
  if (!existsSync(opts.decisionsFile)) throw new UserError(`decisions file ${opts.decisionsFile} does not exist`);
  for await (const rec of readRecords(opts.decisionsFile, { key: 'decisions', requiredColumns: ['item', 'decision', 'reviewer'] })) {
    const parsed = DecisionRow.safeParse(Object.fromEntries(Object.entries(rec.value).filter(([, v]) => v !== undefined)));
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push({ file: rec.file, line: rec.line, field: i.path.join('.') || undefined, message: i.code === 'invalid_value' ? `expected one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}` : i.message });
    } else rows.push({ line: rec.line, row: parsed.data });
  }
  // Items are checked against the run each row names (the packet's run): ids are per run.
  const items = new Map<string, Map<string, ReviewItem>>();
  const itemsOf = async (runId: string) => {
    let m = items.get(runId);
    if (!m) {
      if (!(await getRun(store, runId))) return undefined;
      m = new Map((await reviewItems(store, runId)).map((i) => [i.item, i]));
      items.set(runId, m);
    }
    return m;
  };
  const teams = new Map((await store.all<{ run_id: string; person_id: string; team: string | null; email: string | null } & Record<string, unknown>>(
    'SELECT run_id, person_id, team, email FROM people')).map((p) => [`${p.run_id}\u0000${p.person_id}`, p.team]));
  const records: DecisionRecord[] = [];
  const result: ApplyResult = { decided: 0, undecided: 0, byDecision: {}, warnings: [] };
  const at = (line: number, field: string | undefined, message: string) => issues.push({ file: opts.decisionsFile, line, field, message });
  for (const { line, row } of rows) {
    if (!row.decision) { result.undecided++; continue; }
    if (!row.run_id) { at(line, 'run_id', 'is required (the run the packet was opened from)'); continue; }
    const m = await itemsOf(row.run_id);
    if (!m) { at(line, 'run_id', `run ${row.run_id} does not exist in this database`); continue; }
    const it = m.get(row.item);
    if (!it) { at(line, 'item', `unknown item "${row.item}" in run ${row.run_id}`); continue; }
    if (!row.reviewer) { at(line, 'reviewer', 'is required for a decision'); continue; }
    const date = row.date ?? now;
    if (date.getTime() > now.getTime() + DAY) { at(line, 'date', `${date.toISOString().slice(0, 10)} is in the future`); continue; }
    const level = (it.level === 'none' ? 'read' : it.level) as GrantLevel;
    const limit = opts.maxGrantDays[level];
    let expires: Date | null = null;
    if (row.decision === 'extend-until') {
      if (!row.until) { at(line, 'until', 'is required for extend-until'); continue; }
      if (row.until.getTime() <= now.getTime()) { at(line, 'until', `${row.until.toISOString().slice(0, 10)} is not in the future`); continue; }
      if (row.until.getTime() > now.getTime() + limit * DAY) { at(line, 'until', `${row.until.toISOString().slice(0, 10)} is beyond policy.max_grant_days.${level} (${limit} days)`); continue; }
      expires = row.until;
    } else if (row.decision === 'transfer-to') {
      if (!row.transfer_to) { at(line, 'transfer_to', 'is required for transfer-to'); continue; }
      expires = new Date(now.getTime() + limit * DAY);
    } else if (row.decision === 'certify') {
      expires = new Date(now.getTime() + limit * DAY);
    }
    if (row.decision === 'revoke' && !it.grant_ids.length) result.warnings.push(`${row.item}: no grant covers it; it will be reported as ungranted-access`);
    const owner = row.owner ?? (it.owner_key === '(unowned)' ? undefined : it.owner_key);
    records.push({
      item: it.item, decision: row.decision, run_id: it.run_id, provider: it.provider, tenant: it.tenant, identity: it.identity, resource: it.resource,
      permission: it.permission, level: it.level as DecisionRecord['level'], grant_ids: it.grant_ids, owner,
      owner_team: owner ? teams.get(`${it.run_id}\u0000${owner}`) ?? undefined : undefined,
      transfer_to: row.transfer_to, reviewer: row.reviewer, date, expires_at: expires, comment: row.comment,
      source_file: opts.decisionsFile, source_line: line,
    });
  }
  if (issues.length) throw new InputError(issues);
  if (records.length) {
    const text = records.map((r) => JSON.stringify(Object.fromEntries(Object.entries({ ...r, date: r.date!.toISOString(), expires_at: r.expires_at?.toISOString() ?? null })
      .filter(([, v]) => v !== undefined && v !== null)))).join('\n') + '\n';
    // The log is append-only: an earlier decision stays as history; the latest per item is the one in force.
    appendFileSync(opts.logFile, text, { mode: 0o600 });
  }
  for (const r of records) result.byDecision[r.decision] = (result.byDecision[r.decision] ?? 0) + 1;
  result.decided = records.length;
  return result;
}

function safeFormat(file: string): string {
  try { return formatOf(file); } catch { return 'unknown'; }
}
