// Streaming writes through DuckDB's Appender with typed values (the fastest path measured here: ~170k rows/s).
import { timestampValue, type DuckDBAppender } from '@duckdb/node-api';
import type { Column } from './schema.js';

export class RecordWriter {
  private pending = 0;
  rows = 0;
  private closed = false;

  constructor(private readonly appender: DuckDBAppender, private readonly columns: Column[], private readonly batchRows: number) {}

  /** Appends one row; columns missing from `row` are taken from `base` (run_id, source … without a spread per row). */
  append(row: Record<string, unknown>, base?: Record<string, unknown>): void {
    if (this.closed) throw new Error('writer is closed');
    const a = this.appender;
    for (const col of this.columns) {
      let v = row[col.name];
      if (v === undefined && base) v = base[col.name];
      if (v === null || v === undefined) {
        if (col.notNull) throw new Error(`column ${col.name} must not be empty`);
        a.appendNull();
        continue;
      }
      switch (col.type) {
        case 'VARCHAR': a.appendVarchar(String(v)); break;
        case 'JSON': a.appendVarchar(typeof v === 'string' ? v : JSON.stringify(v)); break;
        case 'BOOLEAN': a.appendBoolean(Boolean(v)); break;
        case 'INTEGER': a.appendInteger(Number(v)); break;
        case 'BIGINT': a.appendBigInt(BigInt(Math.trunc(Number(v)))); break;
        case 'DOUBLE': a.appendDouble(Number(v)); break;
        case 'TIMESTAMP': {
          const d = v instanceof Date ? v : new Date(String(v));
          if (Number.isNaN(d.getTime())) throw new Error(`column ${col.name}: not a date: ${String(v)}`);
          a.appendTimestamp(timestampValue(BigInt(d.getTime()) * 1000n));
          break;
        }
      }
    }
    a.endRow();
    this.rows++;
    if (++this.pending >= this.batchRows) this.flush();
  }

  flush(): void {
    if (this.pending === 0) return;
    this.appender.flushSync();
    this.pending = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.appender.closeSync();
    this.closed = true;
  }
}
