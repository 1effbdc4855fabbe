// Findings as validity intervals, like collected records (history.ts): a finding that stays the same night after night
// is stored once. `findings` is a view with the columns it always had, so every run still reads its own findings:
//   - status: the status a span started with in its first run (new, regressed, open …), 'open' in the runs after;
//   - last_seen: the run's own reconcile time for a finding seen in that run (stored NULL), else the stored time
//     (a carried or resolved finding keeps the time it was last seen);
//   - resolved findings are point rows, visible in the run that resolved them only.
// A finding whose reason, evidence, severity, owner or carried/suppressed state changes starts a new span; the run's
// rows are written to findings_stage by the reconciler and folded in when its reconcile commits.
import type { Store } from './store.js';
import { sqlString } from './store.js';

export const FINDING_COLUMNS = ['finding_id', 'rule_id', 'severity', 'status', 'provider', 'tenant', 'source', 'subject_type', 'subject_ref',
  'identity_ref', 'resource_ref', 'permission', 'level', 'owner', 'owner_status', 'reason', 'evidence', 'first_seen', 'last_seen',
  'resolved_at', 'carried', 'suppressed_by'] as const;

/** Everything that, changed, makes another span (status and a live last_seen follow from the run). */
const CONTENT = FINDING_COLUMNS.filter((c) => c !== 'status');
const hashOf = (a: string) => `hash(${CONTENT.map((c) => `${a}.${c}`).join(', ')})`;

/**
 * Renders the day-count placeholders rules write (U+E000, 's' since / 'u' until, a 26-character timestamp) as the
 * number of days between that time and `now`, with the same arithmetic as days_between; two per text at most.
 */
export function renderMacroSql(): string[] {
  const at = `strpos(txt, chr(57344))`;
  const ts = `TRY_CAST(substr(txt, ${at} + 2, 26) AS TIMESTAMP)`;
  return [
    `CREATE OR REPLACE MACRO nhi_render1(txt, now) AS CASE WHEN txt IS NULL OR ${at} = 0 THEN txt ELSE
       left(txt, ${at} - 1) || coalesce(CAST(CASE substr(txt, ${at} + 1, 1)
         WHEN 's' THEN CAST(floor(epoch(now) - epoch(${ts})) / 86400 AS INTEGER)
         WHEN 'u' THEN CAST(floor(epoch(${ts}) - epoch(now)) / 86400 AS INTEGER) END AS VARCHAR), '?') || substr(txt, ${at} + 28) END`,
    `CREATE OR REPLACE MACRO nhi_render(txt, now) AS nhi_render1(nhi_render1(txt, now), now)`,
  ];
}

/**
 * A lazily rendered reason, as stored: U+E001, a one-character code the rule chose, then its argument (what the
 * sentence needs that the finding's other columns and its evidence do not hold, usually the subject's name). The
 * findings view renders it with nhi_reason, the rules' render expressions (reconcile/engine.ts defines them; this
 * placeholder only lets the view bind before the first reconcile). A stored sentence never starts with U+E001.
 */
export const LAZY_REASON_MARK = 'chr(57345)';
export const REASON_MACRO_PARAMS = ['rule_id', 'code', 'arg', 'subject_ref', 'identity_ref', 'resource_ref', 'permission', 'level', 'owner', 'evidence', 'now'] as const;
export function reasonMacroPlaceholderSql(): string {
  return `CREATE MACRO IF NOT EXISTS nhi_reason(${REASON_MACRO_PARAMS.join(', ')}) AS NULL::VARCHAR`;
}

/**
 * A finding row's reason as read (`a`: its table's prefix, e.g. 's.'): a lazy one rendered by its rule at `now`, a
 * stored sentence as `stored` gives it (the view renders its day counts).
 */
export function lazyReasonSql(a: string, now: string, stored = (r: string) => `nhi_render(${r}, ${now})`): string {
  const args = REASON_MACRO_PARAMS.map((p) => p === 'code' ? `substr(${a}reason, 2, 1)` : p === 'arg' ? `substr(${a}reason, 3)` : p === 'now' ? now : `${a}${p}`);
  // A rendered sentence that begins with the mark (an argument that did: a collected name) has it replaced, so no
  // reason as read — nor a copy of one stored again, as a carried finding's is — is ever taken for a code.
  return `CASE WHEN starts_with(${a}reason, ${LAZY_REASON_MARK}) THEN regexp_replace(nhi_reason(${args.join(', ')}), '^' || ${LAZY_REASON_MARK}, chr(65533))
    ELSE ${stored(`${a}reason`)} END`;
}

export function findingsViewSql(): string {
  const cols = FINDING_COLUMNS.map((c) =>
    c === 'status' ? `CASE WHEN r.seq = s.from_seq THEN s.status ELSE 'open' END AS status`
      : c === 'last_seen' ? `coalesce(s.last_seen, m.now) AS last_seen`
      : c === 'reason' ? `${lazyReasonSql('s.', 'm.now')} AS reason` : `s.${c}`);
  const stageCols = FINDING_COLUMNS.map((c) => (c === 'reason' ? `${lazyReasonSql('', 'last_seen')} AS reason` : c));
  return `CREATE OR REPLACE VIEW findings AS
    SELECT r.run_id, ${cols.join(', ')}
    FROM findings_spans s JOIN runs r ON s.from_seq <= r.seq AND (s.to_seq IS NULL OR r.seq < s.to_seq)
    JOIN finding_merges m ON m.run_id = r.run_id
    UNION ALL
    SELECT run_id, ${stageCols.join(', ')} FROM findings_stage`;
}

/** Migration 13: stage and span tables; every stored finding kept as a point row of its run; the view in place. */
export function migrationFindingSpansSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS findings_stage AS SELECT * FROM findings WHERE false`,
    `CREATE TABLE IF NOT EXISTS findings_spans AS SELECT * EXCLUDE (run_id), 0::UBIGINT AS h, 0 AS from_seq, 0 AS to_seq, false AS point FROM findings WHERE false`,
    `CREATE TABLE IF NOT EXISTS finding_merges (
      run_id VARCHAR NOT NULL, seq INTEGER NOT NULL,
      now TIMESTAMP,                   -- the reconcile time: last_seen of every finding seen in the run
      mode VARCHAR NOT NULL,           -- intervals | points
      opened BIGINT, closed BIGINT, point BIGINT, merged_at TIMESTAMP NOT NULL)`,
    `INSERT INTO findings_spans SELECT f.* EXCLUDE (run_id), ${hashOf('f')}, r.seq, r.seq + 1, true FROM findings f JOIN runs r USING (run_id)`,
    `INSERT INTO finding_merges SELECT DISTINCT f.run_id, r.seq, NULL::TIMESTAMP, 'points', NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, now() FROM findings f JOIN runs r USING (run_id)`,
    `DROP TABLE findings`,
    ...renderMacroSql(),
    reasonMacroPlaceholderSql(),
    findingsViewSql(),
  ];
}

/** Migration 17: reasons a rule renders when they are read (the placeholder macro, then the view that calls it). */
export function migrationLazyReasonSql(): string[] {
  return [reasonMacroPlaceholderSql(), findingsViewSql()];
}

const lit = (s: string) => sqlString(s);

/** DuckDB's row group (rows): the unit its checkpoint rewrites and merges. */
const ROW_GROUP = 122_880;

/**
 * Runs an INSERT into a span table on one thread when it writes fewer than four row groups. A parallel insert leaves
 * each thread's rows in a row group of its own: a thread with less than a row group lands ahead of a full one, and
 * the next checkpoint that finds a few rows appended after them merges the three into two — rewriting the whole
 * table beside itself (a 100k-record estate's file grew 57% on its second night, docs/history.md). Written in order,
 * the only partial row group is the last, which DuckDB merges only once its appends double it. Larger inserts stay
 * parallel: there a merge can reach three row groups of many, and one thread cost a 1M fold 4 s.
 */
async function insertSpans(store: Store, sql: string, rows: number): Promise<void> {
  if (rows <= 0 || rows >= 4 * ROW_GROUP) return store.run(sql);
  const threads = String(await store.value(`SELECT current_setting('threads')`));
  await store.run(`SET threads = 1`);
  try { await store.run(sql); } finally { await store.run(`SET threads = ${threads}`); }
}

/**
 * Takes a run's findings out of the intervals before it is reconciled again. The newest merged run is undone exactly
 * (its spans removed, the spans it ended reopened); an older one is cut out of the spans that cover it, so the runs
 * after it read what they read before.
 */
export async function unmergeFindings(store: Store, runId: string): Promise<void> {
  await store.transaction(async () => {
    const m = await store.one<{ seq: number; mode: string }>(`SELECT seq, mode FROM finding_merges WHERE run_id = ${lit(runId)}`);
    if (m) {
      const s = Number(m.seq);
      const newest = Number(await store.value(`SELECT coalesce(max(seq), 0) FROM finding_merges`)) === s;
      if (newest && m.mode === 'intervals') {
        await store.run(`DELETE FROM findings_spans WHERE from_seq = ${s}`);
        await store.run(`UPDATE findings_spans SET to_seq = NULL WHERE NOT point AND to_seq = ${s}`);
      } else {
        // The runs after s keep their view: a span reaching past s continues from s + 1 with status 'open' (what
        // those runs read), and ends at s on the near side.
        const crossing = `NOT point AND from_seq <= ${s} AND (to_seq IS NULL OR to_seq > ${s + 1})`;
        await insertSpans(store, `INSERT INTO findings_spans SELECT * REPLACE ('open' AS status, ${s + 1} AS from_seq) FROM findings_spans
          WHERE ${crossing}`, Number(await store.value(`SELECT count(*) FROM findings_spans WHERE ${crossing}`)));
        await store.run(`UPDATE findings_spans SET to_seq = ${s} WHERE NOT point AND from_seq < ${s} AND (to_seq IS NULL OR to_seq > ${s})`);
        await store.run(`DELETE FROM findings_spans WHERE from_seq = ${s}`);
      }
      await store.run(`DELETE FROM finding_merges WHERE run_id = ${lit(runId)}`);
    }
    await store.run(`DELETE FROM findings_stage WHERE run_id = ${lit(runId)}`);
  });
}

/**
 * Folds a run's staged findings into the intervals (in the caller's transaction when there is one). `from` is the
 * table holding them: findings_stage, or the reconciler's temp table reconcile_work (folded straight from there, not copied).
 */
export async function mergeFindings(store: Store, runId: string, now: Date, from: 'findings_stage' | 'reconcile_work' = 'findings_stage'): Promise<{ opened: number; closed: number; point: number }> {
  return store.transaction(async () => {
    const seq = Number(await store.value(`SELECT seq FROM runs WHERE run_id = ${lit(runId)}`));
    const newest = Number(await store.value(`SELECT coalesce(max(seq), 0) FROM finding_merges`));
    const nowLit = `${lit(now.toISOString())}::TIMESTAMPTZ::TIMESTAMP`;
    const run = lit(runId);
    const count = async () => Number(await store.value(`SELECT count(*) FROM findings_spans`));
    // A live finding's last_seen is the run's own time: stored as NULL so that it does not make a new span every run.
    const stagedCols = FINDING_COLUMNS.map((c) => (c === 'last_seen' ? `CASE WHEN f.last_seen = ${nowLit} THEN NULL ELSE f.last_seen END AS last_seen` : `f.${c}`));
    // The staged rows as stored, with their content hash: read from the stage where needed, never copied whole (a
    // copy of a million findings doubled the reconcile's memory).
    const staged = (where = 'true') => `(SELECT q.*, ${hashOf('q')} AS h FROM (SELECT ${stagedCols.join(', ')} FROM ${from} f WHERE f.run_id = ${run} AND ${where}) q)`;
    let closed = 0, opened = 0;
    const before = await count();
    // How many rows each insert writes, at most (to choose how it is written: insertSpans).
    const sizes = await store.one<{ staging: bigint; resolved: bigint }>(`SELECT count(*) AS staging, count(*) FILTER (WHERE status = 'resolved') AS resolved FROM ${from} WHERE run_id = ${run}`);
    const staging = Number(sizes?.staging ?? 0), resolved = Number(sizes?.resolved ?? 0);
    if (seq > newest) {
      // Same finding, same content, continuing ('open' in this run): the span simply goes on.
      await store.run(`CREATE OR REPLACE TEMP TABLE fm_same AS SELECT s.rowid AS rid, n.finding_id FROM findings_spans s
        JOIN (SELECT finding_id, status, h FROM ${staged(`f.status = 'open'`)}) n
        ON n.finding_id = s.finding_id AND n.h = s.h AND n.status = 'open' WHERE s.to_seq IS NULL AND NOT s.point`);
      const same = Number(await store.value(`SELECT count(*) FROM fm_same`));
      closed = Number(await store.value(`SELECT count(*) FROM findings_spans WHERE to_seq IS NULL AND NOT point AND rowid NOT IN (SELECT rid FROM fm_same)`));
      if (closed) await store.run(`UPDATE findings_spans SET to_seq = ${seq} WHERE to_seq IS NULL AND NOT point AND rowid NOT IN (SELECT rid FROM fm_same)`);
      // Hashed only for the rows that are not continuing (the filter is applied before the hash, not after it).
      await insertSpans(store, `INSERT INTO findings_spans SELECT n.* EXCLUDE (h), n.h, ${seq}, NULL, false
        FROM ${staged(`f.status <> 'resolved' AND f.finding_id NOT IN (SELECT finding_id FROM fm_same)`)} n`, staging - same);
      await store.run(`DROP TABLE fm_same`);
      opened = (await count()) - before;
    }
    // Resolved findings, and every finding of a run reconciled out of order: visible in this run only.
    await insertSpans(store, `INSERT INTO findings_spans SELECT n.* EXCLUDE (h), n.h, ${seq}, ${seq + 1}, true
      FROM ${staged(seq > newest ? `f.status = 'resolved'` : 'true')} n`, seq > newest ? resolved : staging);
    const point = (await count()) - before - opened;
    // The stage is emptied with the fold; the reconciler's temp table is dropped whole right after it (deleting its
    // rows first cost a pass over all of them).
    if (from === 'findings_stage') await store.run(`DELETE FROM ${from} WHERE run_id = ${run}`);
    await store.run(`INSERT INTO finding_merges VALUES (${run}, ${seq}, ${nowLit}, '${seq > newest ? 'intervals' : 'points'}', ${opened}, ${closed}, ${point}, now())`);
    return { opened, closed, point };
  });
}
