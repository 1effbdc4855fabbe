// The one DuckDB file every stage reads and writes. Opening it migrates it; holding it is the run lock.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { MIGRATIONS } from './migrations.js';
import { RecordWriter } from './writer.js';
import { TABLES, type TableName } from './schema.js';
import { UserError } from '../errors.js';
import { RECORD_TABLES, stageColumns, stageTable, type RecordTable } from './history.js';

export interface StoreOptions {
  readOnly?: boolean;
  /** DuckDB memory_limit, e.g. '1GB'. Past it DuckDB spills to temp_directory instead of failing. */
  memoryLimit?: string;
  threads?: number;
}

export type Row = Record<string, unknown>;

/** NHI_PROFILE=1 prints every statement's duration on stderr (for benchmarks, never in normal runs). */
const PROFILE = process.env.NHI_PROFILE === '1';

export class Store {
  /** The memory_limit the store was opened with, exactly (DuckDB's current_setting rounds it to a tenth of a unit). */
  memoryLimit = '2GB';

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly readOnly: boolean,
  ) {}

  static async open(path: string, opts: StoreOptions = {}): Promise<Store> {
    const file = path === ':memory:' ? path : resolve(path);
    if (file !== ':memory:') {
      // DuckDB creates the WAL and spill files itself, later, with the process umask: make every file this process
      // creates from here on owner-only, so no moment exists where the inventory (or its WAL) is world-readable.
      restrictUmask();
      if (opts.readOnly && !existsSync(file)) throw new UserError(`database ${file} does not exist: run \`nhi-recon scan\` or \`collect\` first`);
      mkdirSync(dirname(file), { recursive: true });
    }
    const config: Record<string, string> = {
      // Never reach the network for extensions: json, parquet and icu are built in.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      threads: String(opts.threads ?? 2),
      memory_limit: opts.memoryLimit ?? '2GB',
      // Hand freed memory back to the system: the default flush threshold (128 MB) let a reconcile hold a few hundred
      // MB more resident than it used, and without the allocator's background thread freed pages were returned only
      // when a thread allocated again — a 10M reconcile peaked at 2.9–3.1 GB under a 2 GB limit, 2.4–2.5 GB with both
      // (docs/benchmarks.md, sixth pass).
      allocator_flush_threshold: '4MB',
      allocator_background_threads: 'true',
      // A transaction's appended rows are written to the file a row group at a time (DuckDB's default buffers five per
      // table first): a collection of 1M records held ~120 MB more until its commit, and was no faster for it.
      write_buffer_row_group_count: '1',
    };
    if (opts.readOnly) config.access_mode = 'READ_ONLY';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file, config);
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock|Conflicting/i.test(msg)) {
        throw new UserError(`another nhi-recon run is using the database ${file}; wait for it to finish (DuckDB allows one writer at a time)`, 5);
      }
      throw new UserError(`cannot open database ${file}: ${msg}`);
    }
    const conn = await instance.connect();
    // TIMESTAMP columns hold UTC; the session zone only matters for casts and now(), so pin it.
    await conn.run(`SET TimeZone = 'UTC'`);
    const store = new Store(file, instance, conn, Boolean(opts.readOnly));
    store.memoryLimit = config.memory_limit!;
    if (file !== ':memory:' && !opts.readOnly) {
      // The database holds an inventory of who can do what: owner-only, like a credentials file.
      for (const f of [file, `${file}.wal`]) if (existsSync(f)) chmodSync(f, 0o600);
      const tmp = `${file}.tmp`;
      await conn.run(`SET temp_directory = '${tmp.replaceAll("'", "''")}'`);
    }
    if (!opts.readOnly) {
      await store.migrate();
      await store.failAbandonedRuns();
    }
    return store;
  }

  async migrate(): Promise<void> {
    await this.conn.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)');
    // Every migration not yet recorded is applied, in order — not only those above the highest: versions are reserved
    // ahead by parallel work, so a database may have met version 10 before version 9 existed.
    const applied = new Set((await this.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await this.transaction(async () => {
        for (const sql of m.sql) await this.conn.run(sql);
        await this.conn.run('INSERT INTO schema_migrations VALUES ($1, $2, now())', [m.version, m.description]);
      });
    }
    if ((await this.value(`SELECT value FROM meta WHERE key = 'database_id'`)) == null) {
      await this.conn.run(`INSERT INTO meta VALUES ('database_id', $1)`, [randomUUID()]);
    }
  }

  /** We hold the file lock, so any run still marked running belongs to a process that died: mark it failed. */
  private async failAbandonedRuns(): Promise<void> {
    await this.conn.run(`UPDATE runs SET status = 'failed', state = 'failed', finished_at = now(), error = coalesce(error, 'the process ended before the run committed') WHERE status = 'running' OR state = 'collecting'`);
  }

  async databaseId(): Promise<string> {
    return String(await this.value(`SELECT value FROM meta WHERE key = 'database_id'`));
  }

  async run(sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>): Promise<void> {
    const t0 = PROFILE ? performance.now() : 0;
    await this.conn.run(sql, params);
    if (PROFILE) process.stderr.write(`[sql ${(performance.now() - t0).toFixed(0)} ms] ${sql.replace(/\s+/g, ' ').slice(0, 140)}\n`);
  }

  /** Rows as plain objects: timestamps become Date, integers become number (they never exceed 2^53 here). */
  async all<T extends Row = Row>(sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map((r) => normaliseRow(r) as T);
  }

  async one<T extends Row = Row>(sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async value(sql: string, params?: DuckDBValue[] | Record<string, DuckDBValue>): Promise<unknown> {
    const row = await this.one(sql, params);
    return row ? Object.values(row)[0] : undefined;
  }

  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Runs fn after every earlier serial() call has finished. For work of concurrent callers (sources collecting at once)
   * that spans several statements and an appender: one DuckDB connection must not interleave them.
   */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The next stage slot this process hands out (Store.writer). */
  private nextSlot = 1;

  private txDepth = 0;
  /** Run fn in one transaction; nested calls join the outer one. Any error rolls everything back. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.txDepth > 0) return fn();
    this.txDepth++;
    await this.conn.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.conn.run('COMMIT');
      return out;
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      this.txDepth--;
    }
  }

  async writer(table: TableName, batchRows = 10_000): Promise<RecordWriter> {
    // Collected records are written to the run's stage and merged into intervals when the collection commits.
    if (!(RECORD_TABLES as readonly string[]).includes(table)) return new RecordWriter(await this.conn.createAppender(table), TABLES[table].columns, batchRows);
    const t = table as RecordTable;
    // Slots are numbered in this process (all writers share the counter) above every slot in the table.
    this.nextSlot = Math.max(this.nextSlot, Number(await this.value('SELECT coalesce(max(slot), 0) + 1 FROM stage_slots')));
    const slots = { appender: await this.conn.createAppender('stage_slots'), next: () => this.nextSlot++ };
    return new RecordWriter(await this.conn.createAppender(stageTable(t)), stageColumns(t), batchRows, slots);
  }

  close(): void {
    try { this.conn.closeSync(); } catch { /* already closed */ }
    try { this.instance.closeSync(); } catch { /* already closed */ }
  }
}

function restrictUmask(): void {
  try { const was = process.umask(0o077); process.umask(was | 0o077); } catch { /* worker threads cannot set the umask; the chmod below still applies */ }
}

function normaliseRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) {
    out[k] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

/** Quote a value as a SQL string literal, for the few places (COPY targets, PRAGMAs) that take no parameters. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
