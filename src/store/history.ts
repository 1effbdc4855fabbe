// Collected records as validity intervals. A record is stored once per distinct content, with the run sequence from
// which it was observed (from_seq) and the first complete collection of its tenant that no longer held it unchanged
// (to_seq, exclusive; NULL while it is still there). A nightly run of an unchanged estate therefore writes nothing but
// its run rows, and "present from T1 to T2, confirmed absent at T3 by a complete collection" is a plain query.
//
// The tables `identities`, `credentials` and `entitlements` are views with the columns they always had (run_id first):
// `WHERE run_id = X` reads exactly what run X observed, so every reader, rule and the `query` command is unchanged.
//   - A tenant collected completely in run X: the intervals open at X.seq.
//   - A tenant not collected completely (failed, partial, suspect): only the rows run X itself brought, stored as a
//     point interval [X.seq, X.seq + 1) with `point` set — absence there proves nothing, so no interval of that tenant
//     is closed or extended by it.
//   - Rows a run wrote but that were not merged yet (`*_stage`) are read as they are, so no moment exists where a
//     committed run reads as empty.
import type { Store } from './store.js';
import { TABLES, createTableSql, type Column } from './schema.js';

export const RECORD_TABLES = ['identities', 'credentials', 'entitlements'] as const;
export type RecordTable = (typeof RECORD_TABLES)[number];

export const stageTable = (t: RecordTable): string => `${t}_stage`;
export const spanTable = (t: RecordTable): string => `${t}_spans`;

/** The content columns of a record table: everything but run_id, in the table's order. */
export function contentColumns(t: RecordTable): string[] {
  return TABLES[t].columns.map((c) => c.name).filter((n) => n !== 'run_id');
}

/**
 * The change fingerprint of a row: DuckDB's 64-bit hash over every content column. A changed record whose hash is
 * unchanged would need a 2^-64 coincidence; a DuckDB release that changes hash() only makes one run re-store every
 * record once (old intervals close, identical new ones open) — never a wrong answer.
 */
const fingerprint = (t: RecordTable, alias: string): string => `hash(${contentColumns(t).map((c) => `${alias}.${c}`).join(', ')})`;

export function spanTableSql(t: RecordTable): string {
  const cols = TABLES[t].columns.filter((c) => c.name !== 'run_id').map((c) => `${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
  return `CREATE TABLE IF NOT EXISTS ${spanTable(t)} (\n  ${[...cols, 'h UBIGINT NOT NULL', 'from_seq INTEGER NOT NULL', 'to_seq INTEGER', 'point BOOLEAN NOT NULL'].join(',\n  ')}\n)`;
}

/**
 * The columns a record carries for its collection (run, source, provider, tenant): the same for every row of one tenant
 * in one run, so the stage holds them once per tenant in `stage_slots` and each staged row a small `slot` instead —
 * writing four strings per row was a fifth of the collection's time (docs/benchmarks.md, ninth pass).
 */
export const STAGE_HEAD = ['run_id', 'source', 'provider', 'tenant'] as const;
const isHead = (c: string): boolean => (STAGE_HEAD as readonly string[]).includes(c);

/** The physical columns of a stage table: the slot, then the record's own columns in the table's order. */
export function stageColumns(t: RecordTable): Column[] {
  return [{ name: 'slot', type: 'INTEGER', notNull: true }, ...TABLES[t].columns.filter((c) => !isHead(c.name))];
}

/** Staged rows with their collection's columns, as the view and the fold read them (`rid`: the stage row's rowid). */
export function stagedRowsSql(t: RecordTable): string {
  const cols = contentColumns(t).map((c) => (isHead(c) ? `k.${c}` : `x.${c}`));
  return `(SELECT k.run_id, ${cols.join(', ')}, x.rowid AS rid FROM ${stageTable(t)} x JOIN stage_slots k ON k.slot = x.slot)`;
}

interface SlotRow { slot: number; source: string; provider: string; tenant: string }

/**
 * One run's staged rows with their collection's columns, for the fold: looked up in lists of the run's slots, not
 * joined with stage_slots, so the fold stays a scan of the stage in the order collected (its uncommitted rows give
 * the planner no estimate to choose a join side by); 1M records fold ~0.5 s faster (docs/benchmarks.md, ninth pass).
 */
function runStagedRowsSql(t: RecordTable, run: string, slots: SlotRow[]): string {
  const cols = contentColumns(t);
  if (!slots.length) return `(SELECT ${run} AS run_id, ${cols.map((c) => (isHead(c) ? `NULL::VARCHAR AS ${c}` : `x.${c}`)).join(', ')}, x.rowid AS rid FROM ${stageTable(t)} x WHERE false)`;
  const min = Number(slots[0]!.slot), max = Number(slots[slots.length - 1]!.slot);
  const lookup = (f: 'source' | 'provider' | 'tenant') => {
    const values = new Array<string>(max - min + 1).fill('NULL');
    for (const s of slots) values[Number(s.slot) - min] = `'${String(s[f]).replaceAll("'", "''")}'`;
    return `list_extract([${values.join(', ')}]::VARCHAR[], x.slot - ${min} + 1)`;
  };
  const head = { source: lookup('source'), provider: lookup('provider'), tenant: lookup('tenant') } as Record<string, string>;
  return `(SELECT ${run} AS run_id, ${cols.map((c) => (head[c] ? `${head[c]} AS ${c}` : `x.${c}`)).join(', ')}, x.rowid AS rid
    FROM ${stageTable(t)} x WHERE x.slot BETWEEN ${min} AND ${max} AND ${head.source} IS NOT NULL)`;
}

function spansPartSql(t: RecordTable): string {
  const cols = contentColumns(t);
  return `SELECT r.run_id, ${cols.map((c) => `s.${c}`).join(', ')}
    FROM ${spanTable(t)} s JOIN runs r ON s.from_seq <= r.seq AND (s.to_seq IS NULL OR r.seq < s.to_seq)
    -- The (run, tenant) pairs whose intervals are that run's observation: collected completely, and merged. A join to
    -- this small set, not EXISTS under the OR: DuckDB ran those as delim joins that held every scanned row in memory
    -- (a million-row read took 2.4 s and 800 MB; this way 0.7 s and 360 MB).
    LEFT JOIN (SELECT DISTINCT sr.run_id, sr.source, sr.tenant FROM source_runs sr SEMI JOIN record_merges m ON m.run_id = sr.run_id
               WHERE sr.status = 'complete') ok ON ok.run_id = r.run_id AND ok.source = s.source AND ok.tenant = s.tenant
    WHERE s.point OR ok.run_id IS NOT NULL`;
}

export function recordViewSql(t: RecordTable): string {
  return `CREATE OR REPLACE VIEW ${t} AS
    ${spansPartSql(t)}
    UNION ALL
    SELECT run_id, ${contentColumns(t).join(', ')} FROM ${stagedRowsSql(t)} q`;
}

/** The view as migrations 11 and 15 created it, over a stage that still held every column per row (frozen). */
function legacyRecordViewSql(t: RecordTable): string {
  return `CREATE OR REPLACE VIEW ${t} AS
    ${spansPartSql(t)}
    UNION ALL
    SELECT run_id, ${contentColumns(t).join(', ')} FROM ${stageTable(t)}`;
}

/** Migration 15: the views read the complete, merged (run, tenant) pairs by a join. */
export const migrationViewJoinSql = (): string[] => RECORD_TABLES.map((t) => legacyRecordViewSql(t));

/**
 * Migration 16: stage rows keep a slot instead of their collection's four columns. Rows a killed collection left
 * staged (none after a clean stop: a merge empties the stage) keep their collection through their slot.
 */
export function migrationNarrowStageSql(): string[] {
  const out = [`CREATE TABLE IF NOT EXISTS stage_slots (
    slot INTEGER NOT NULL, run_id VARCHAR NOT NULL, source VARCHAR NOT NULL, provider VARCHAR NOT NULL, tenant VARCHAR NOT NULL)`,
  `INSERT INTO stage_slots SELECT (row_number() OVER (ORDER BY run_id, source, provider, tenant))::INTEGER, * FROM (
    ${RECORD_TABLES.map((t) => `SELECT DISTINCT run_id, source, provider, tenant FROM ${stageTable(t)}`).join(' UNION ')})`];
  for (const t of RECORD_TABLES) {
    const st = stageTable(t);
    const rest = stageColumns(t).slice(1).map((c) => c.name);
    out.push(
      `DROP VIEW IF EXISTS ${t}`,
      createTableSql({ name: `${st}_narrow`, columns: stageColumns(t) }),
      `INSERT INTO ${st}_narrow SELECT k.slot, ${rest.map((c) => `x.${c}`).join(', ')} FROM ${st} x
         JOIN stage_slots k ON k.run_id = x.run_id AND k.source = x.source AND k.provider = x.provider AND k.tenant = x.tenant`,
      `DROP TABLE ${st}`,
      `ALTER TABLE ${st}_narrow RENAME TO ${st}`,
      recordViewSql(t),
    );
  }
  return out;
}

/**
 * Stages rows selected by `selectSql` (record columns by name; run_id is ignored) as run `runLit`'s: a slot for each new
 * (source, provider, tenant), then the rows. For bulk loads in SQL (shard exports); collections write through
 * Store.writer, which allocates slots itself — the two never run in one transaction.
 */
export function stageInsertSql(t: RecordTable, runLit: string, selectSql: string, columns?: string[]): string[] {
  // `columns`: the names of selectSql's columns in order, when it does not name them itself (absent ones stay NULL).
  const fromSql = columns ? `SELECT * FROM (${selectSql}) q(${columns.join(', ')})` : selectSql;
  const rest = stageColumns(t).slice(1).map((c) => c.name).filter((c) => !columns || columns.includes(c));
  return [
    `INSERT INTO stage_slots SELECT ((SELECT coalesce(max(slot), 0) FROM stage_slots) + row_number() OVER (ORDER BY source, provider, tenant))::INTEGER, ${runLit}, n.* FROM (
       SELECT DISTINCT source, provider, tenant FROM (${fromSql}) ANTI JOIN (SELECT * FROM stage_slots WHERE run_id = ${runLit}) USING (source, provider, tenant)) n`,
    `INSERT INTO ${stageTable(t)} (slot, ${rest.join(', ')}) SELECT k.slot, ${rest.map((c) => `x.${c}`).join(', ')} FROM (${fromSql}) x
       JOIN stage_slots k ON k.run_id = ${runLit} AND k.source = x.source AND k.provider = x.provider AND k.tenant = x.tenant`,
  ];
}

/**
 * One row per stored interval of any collected record, in evidence terms: first observed (run, time), last observed by
 * a complete collection, and how it ended — `removed` (a complete collection of its tenant no longer held it),
 * `changed` (held with other content from then on) — or `present`; `observed once` for a sighting by an incomplete
 * collection, which proves nothing about before or after.
 */
export function recordIntervalsViewSql(): string {
  const part = (t: RecordTable, label: string) => `SELECT '${t}' AS collection, s.source, s.provider, s.tenant, s.ref, ${label} AS label, s.from_seq, s.to_seq, s.point, s.h FROM ${spanTable(t)} s`;
  return `CREATE OR REPLACE VIEW record_intervals AS
    WITH s AS (${part('identities', 'coalesce(s.name, s.ref)')} UNION ALL ${part('credentials', 'coalesce(s.name, s.ref)')}
               UNION ALL ${part('entitlements', "s.identity_ref || ' ' || s.permission || ' on ' || s.resource_ref")}),
    seen AS (SELECT r.seq, r.run_id, r.started_at, sr.source, sr.tenant FROM runs r JOIN record_merges m USING (run_id)
             JOIN source_runs sr ON sr.run_id = r.run_id AND sr.status = 'complete')
    SELECT s.collection, s.source, s.provider, s.tenant, s.ref, s.label,
      f.run_id AS first_run, f.started_at AS first_seen,
      CASE WHEN s.point THEN f.run_id ELSE (SELECT arg_max(x.run_id, x.seq) FROM seen x WHERE x.source = s.source AND x.tenant = s.tenant
        AND x.seq >= s.from_seq AND (s.to_seq IS NULL OR x.seq < s.to_seq)) END AS last_complete_run,
      CASE WHEN s.point THEN NULL ELSE (SELECT max(x.started_at) FROM seen x WHERE x.source = s.source AND x.tenant = s.tenant
        AND x.seq >= s.from_seq AND (s.to_seq IS NULL OR x.seq < s.to_seq)) END AS last_seen,
      CASE WHEN s.point THEN NULL ELSE e.run_id END AS ended_run, CASE WHEN s.point THEN NULL ELSE e.started_at END AS ended_at,
      CASE WHEN s.point THEN 'observed once (incomplete collection)' WHEN s.to_seq IS NULL THEN 'present'
           WHEN EXISTS (SELECT 1 FROM s n WHERE n.collection = s.collection AND n.source = s.source AND n.tenant = s.tenant AND n.ref = s.ref
                        AND NOT n.point AND n.from_seq = s.to_seq) THEN 'changed'
           ELSE 'removed' END AS state
    FROM s JOIN runs f ON f.seq = s.from_seq LEFT JOIN runs e ON e.seq = s.to_seq`;
}

/** Migration 11: stage and span tables, every existing snapshot row kept as a point interval, views in place. */
export function migrationToSpansSql(): string[] {
  // Which runs were folded into intervals, and how: until a run is merged its rows are read from its stage, and the
  // intervals open at its sequence are not its observation.
  const out: string[] = [`CREATE TABLE IF NOT EXISTS record_merges (
    run_id VARCHAR NOT NULL, seq INTEGER NOT NULL,
    mode VARCHAR NOT NULL,            -- intervals | points (a run merged after a later one: its rows visible in it only)
    opened BIGINT, closed BIGINT, point BIGINT, merged_at TIMESTAMP NOT NULL)`];
  for (const t of RECORD_TABLES) {
    const cols = contentColumns(t);
    out.push(
      `CREATE TABLE IF NOT EXISTS ${stageTable(t)} AS SELECT * FROM ${t} WHERE false`,
      spanTableSql(t),
      // History from before intervals: each row stays visible in exactly the run that observed it.
      `INSERT INTO ${spanTable(t)} SELECT ${cols.map((c) => `x.${c}`).join(', ')}, ${fingerprint(t, 'x')}, r.seq, r.seq + 1, true
         FROM ${t} x JOIN runs r USING (run_id)`,
      `DROP TABLE ${t}`,
      legacyRecordViewSql(t),
    );
  }
  out.push(recordIntervalsViewSql());
  return out;
}

export interface MergeResult { runs: number; opened: number; closed: number; point: number }

/**
 * Moves staged rows into intervals — of `runId` (even when it staged nothing: an empty complete collection ends every
 * interval of its tenants) and of any run left unmerged — oldest run first, each in one transaction (joining the
 * caller's). A run older than one already merged is stored as point rows: correct for its own run, without rewriting
 * the intervals later runs rely on.
 */
export async function mergeStagedRecords(store: Store, runId?: string): Promise<MergeResult> {
  const total: MergeResult = { runs: 0, opened: 0, closed: 0, point: 0 };
  const pending = await store.all<{ run_id: string; seq: number }>(
    `SELECT DISTINCT s.run_id, r.seq FROM (SELECT DISTINCT k.run_id FROM stage_slots k SEMI JOIN (${RECORD_TABLES.map((t) => `SELECT slot FROM ${stageTable(t)}`).join(' UNION ALL ')}) x ON x.slot = k.slot
       UNION SELECT $1) s
     JOIN runs r USING (run_id) WHERE s.run_id NOT IN (SELECT run_id FROM record_merges) ORDER BY r.seq`, [runId ?? null]);
  for (const p of pending) {
    const res = await store.transaction(() => mergeRun(store, p.run_id, Number(p.seq)));
    total.runs++; total.opened += res.opened; total.closed += res.closed; total.point += res.point;
  }
  return total;
}

async function mergeRun(store: Store, runId: string, seq: number): Promise<Omit<MergeResult, 'runs'>> {
  const merged = Number(await store.value(`SELECT coalesce(max(seq), 0) FROM record_merges WHERE mode = 'intervals'`));
  const run = `'${runId.replaceAll("'", "''")}'`;
  const inOrder = seq > merged;
  // Tenants whose collection in this run was complete: only their absence is evidence of removal.
  await store.run(`CREATE OR REPLACE TEMP TABLE m_complete AS
    SELECT DISTINCT source, tenant FROM source_runs WHERE run_id = ${run} AND status = 'complete' AND ${inOrder ? 'true' : 'false'}`);
  const incomplete = Boolean(await store.value(`SELECT EXISTS (SELECT 1 FROM stage_slots k ANTI JOIN m_complete c USING (source, tenant) WHERE k.run_id = ${run})`));
  const out = { opened: 0, closed: 0, point: 0 };
  const slots = await store.all<SlotRow & Record<string, unknown>>(`SELECT slot, source, provider, tenant FROM stage_slots WHERE run_id = ${run} ORDER BY slot`);
  for (const t of RECORD_TABLES) {
    const st = stageTable(t), sp = spanTable(t);
    // The run's staged rows with their collection's columns (rid: the stage row).
    const staged = runStagedRowsSql(t, run, slots);
    // A staged row as a span row's content and fingerprint (its from/to/point follow).
    const row = `${contentColumns(t).map((c) => `s.${c}`).join(', ')}, ${fingerprint(t, 's')}`;
    await store.run(`CREATE OR REPLACE TEMP TABLE m_old AS
      SELECT rowid AS rid, source, tenant, ref, h, row_number() OVER (PARTITION BY source, tenant, ref, h) AS n
      FROM ${sp} s SEMI JOIN m_complete c USING (source, tenant) WHERE s.to_seq IS NULL AND NOT s.point`);
    const held = Number(await store.value(`SELECT count(*) FROM m_old`));
    let closed = 0;
    const before = Number(await store.value(`SELECT count(*) FROM ${sp}`));
    if (held === 0) {
      // Nothing open in these tenants (their first complete collection): every row opens an interval, and no pairing
      // with old rows is needed.
      await store.run(`INSERT INTO ${sp} SELECT ${row}, ${seq}, NULL, false
        FROM ${staged} s SEMI JOIN m_complete c USING (source, tenant) WHERE s.run_id = ${run}`);
    } else {
      // Equal rows pair off one to one (n numbers duplicates), so a record held twice is still held twice.
      await store.run(`CREATE OR REPLACE TEMP TABLE m_new AS
        SELECT rid, source, tenant, ref, h, row_number() OVER (PARTITION BY source, tenant, ref, h) AS n
        FROM (SELECT s.rid, s.source, s.tenant, s.ref, ${fingerprint(t, 's')} AS h FROM ${staged} s SEMI JOIN m_complete c USING (source, tenant)
              WHERE s.run_id = ${run}) q`);
      // Gone or changed, seen by a complete collection: the interval ends here.
      await store.run(`CREATE OR REPLACE TEMP TABLE m_gone AS SELECT o.rid FROM m_old o ANTI JOIN m_new n USING (source, tenant, ref, h, n)`);
      closed = Number(await store.value(`SELECT count(*) FROM m_gone`));
      if (closed) await store.run(`UPDATE ${sp} SET to_seq = ${seq} WHERE rowid IN (SELECT rid FROM m_gone)`);
      await store.run(`INSERT INTO ${sp} SELECT ${row}, ${seq}, NULL, false
        FROM ${staged} s WHERE s.rid IN (SELECT n.rid FROM m_new n ANTI JOIN m_old o USING (source, tenant, ref, h, n))`);
    }
    const opened = Number(await store.value(`SELECT count(*) FROM ${sp}`)) - before;
    // Tenants not collected completely: what this run saw, visible in this run only. (Asked of the run's few slots
    // first: when every tenant was complete, as on most nights, the stage is not scanned a second time.)
    if (incomplete) await store.run(`INSERT INTO ${sp} SELECT ${row}, ${seq}, ${seq + 1}, true
      FROM ${staged} s ANTI JOIN m_complete c USING (source, tenant) WHERE s.run_id = ${run}`);
    const point = Number(await store.value(`SELECT count(*) FROM ${sp}`)) - before - opened;
    await store.run(`DELETE FROM ${st} WHERE slot IN (SELECT slot FROM stage_slots WHERE run_id = ${run})`);
    out.opened += opened; out.closed += closed; out.point += point;
  }
  await store.run(`DELETE FROM stage_slots WHERE run_id = ${run}`);
  await store.run(`INSERT INTO record_merges VALUES (${run}, ${seq}, '${inOrder ? 'intervals' : 'points'}', ${out.opened}, ${out.closed}, ${out.point}, now())`);
  // The fold's working tables hold a row per record: freed now, not at the end of the session (a scan reconciles next).
  for (const t of ['m_complete', 'm_new', 'm_old', 'm_gone']) await store.run(`DROP TABLE IF EXISTS temp.main.${t}`);
  return out;
}
