// Reads tabular records from YAML, JSON, NDJSON or CSV, remembering the line each record came from so that every
// error can name file and line. Used by the authority loaders and the file connector.
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { InputError } from '../errors.js';

export interface SourcedRecord { file: string; line: number; value: Record<string, unknown> }

export type RecordFormat = 'yaml' | 'json' | 'ndjson' | 'csv';

export function formatOf(file: string): RecordFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.csv') return 'csv';
  throw new InputError([{ file, message: `unknown file type "${ext}": use .yaml, .yml, .json, .ndjson, .jsonl or .csv` }]);
}

/**
 * Whole-file formats are refused above these sizes: stream NDJSON or CSV instead. The YAML parser keeps a node tree
 * of roughly 70x the text (6.7 MB of grants took 470 MB and tens of seconds), so a 100 MB YAML file would exhaust
 * memory long before it failed clearly; JSON.parse is leaner.
 */
export const MAX_DOCUMENT_BYTES = { yaml: 16 * 1024 * 1024, json: 64 * 1024 * 1024 } as const;

/**
 * Streams records. For YAML and JSON the file holds a list, or a mapping with one list under `key`
 * (e.g. `grants:`). CSV needs a header row; `requiredColumns` are checked against it before any row is read.
 */
export async function* readRecords(file: string, opts: { key?: string; requiredColumns?: string[] } = {}): AsyncGenerator<SourcedRecord> {
  for await (const rec of readAnyRecords(file, opts)) {
    refuseDangerousKeys(file, rec.line, rec.value);
    yield rec;
  }
}

/** Keys that would reach an object's prototype when copied (`o[k] = v`): refused wherever they appear (D12). */
const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function refuseDangerousKeys(file: string, line: number | undefined, v: unknown, path = '', seen = new Set<object>()): void {
  // YAML aliases share (or even cycle through) objects: each is checked once.
  if (!v || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (Array.isArray(v)) { v.forEach((x, i) => refuseDangerousKeys(file, line, x, `${path}[${i}]`, seen)); return; }
  for (const k of Object.keys(v)) {
    const at = path ? `${path}.${k}` : k;
    if (DANGEROUS_KEYS.has(k)) throw new InputError([{ file, line, field: at, message: `the key "${k}" is not allowed (it would reach the object's prototype)` }]);
    refuseDangerousKeys(file, line, (v as Record<string, unknown>)[k], at, seen);
  }
}

/**
 * Streams and pipes (a FIFO, /dev/stdin, process substitution) and devices report size 0, so their size is never
 * trusted: every whole-document read stops at the limit, and a non-regular file of any format is cut at
 * NON_REGULAR_MAX_BYTES (D13).
 */
export const NON_REGULAR_MAX_BYTES = 64 * 1024 * 1024;

export class TooLargeError extends Error {}

/** Reads at most `max` bytes of a file of any kind; more is refused (TooLargeError) rather than held in memory. */
export function readCapped(file: string, max: number, encoding: 'utf8' | 'utf16le' = 'utf8'): string {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw new TooLargeError(`larger than ${max} bytes`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString(encoding);
  } finally { closeSync(fd); }
}

/**
 * The encoding of a regular file by its byte order mark: UTF-16LE (PowerShell 5's `Out-File` default) is read as
 * such; UTF-16BE is refused naming the encoding. Without this both decode as UTF-8 into noise and fail later on a
 * missing column or a syntax error at column 1.
 */
export function textEncoding(file: string): 'utf8' | 'utf16le' {
  let head: Buffer;
  try {
    const fd = openSync(file, 'r');
    try { head = Buffer.alloc(2); head = head.subarray(0, readSync(fd, head, 0, 2, 0)); } finally { closeSync(fd); }
  } catch { return 'utf8'; } // unreadable: the reader reports it
  if (head.length < 2) return 'utf8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) throw new InputError([{ file, line: 1, message: 'the file is UTF-16 big-endian encoded; save it as UTF-8' }]);
  return 'utf8';
}

/** A byte counter on a stream: past `max` bytes it fails the stream instead of reading on. */
function capStream(max: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) { total += chunk.length; cb(total > max ? new TooLargeError(`larger than ${max} bytes`) : null, chunk); },
  });
}

function tooLarge(file: string, max: number, what: string): InputError {
  return new InputError([{ file, message: `${what} is larger than ${Math.round(max / 1048576)} MB; refused (use NDJSON or CSV in a regular file for large inputs)` }]);
}

/** The file as a byte stream, capped when it is not a regular file. */
function openStream(file: string, regular: boolean) {
  const s = createReadStream(file);
  return regular ? s : s.pipe(capStream(NON_REGULAR_MAX_BYTES));
}

async function* readAnyRecords(file: string, opts: { key?: string; requiredColumns?: string[] }): AsyncGenerator<SourcedRecord> {
  const format = formatOf(file);
  let size: number;
  let regular: boolean;
  try { const st = statSync(file); size = st.size; regular = st.isFile(); } catch (e) {
    throw new InputError([{ file, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  const encoding = regular ? textEncoding(file) : 'utf8';
  try {
    if (format === 'csv') { yield* readCsv(file, opts.requiredColumns ?? [], regular); return; } // csv-parse reads UTF-16LE by its BOM
    if (format === 'ndjson') { yield* readNdjson(file, regular, encoding); return; }
  } catch (e) {
    if (e instanceof TooLargeError || (e as { cause?: unknown }).cause instanceof TooLargeError) throw tooLarge(file, NON_REGULAR_MAX_BYTES, 'this stream');
    throw e;
  }
  const max = MAX_DOCUMENT_BYTES[format];
  if (size > max) {
    throw new InputError([{ file, message: `file is ${Math.round(size / 1048576)} MB; ${format === 'yaml' ? 'YAML' : 'JSON'} files are limited to ${max / 1048576} MB — use NDJSON or CSV for large inputs` }]);
  }
  let text: string;
  try { text = readCapped(file, max, encoding); } catch (e) {
    if (e instanceof TooLargeError) throw tooLarge(file, max, `${format === 'yaml' ? 'YAML' : 'JSON'} input`);
    throw new InputError([{ file, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  if (format === 'json') yield* readJson(file, text, opts.key);
  else yield* readYaml(file, text, opts.key);
}

function* readYaml(file: string, text: string, key?: string): Generator<SourcedRecord> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw new InputError(doc.errors.map((e) => ({ file, line: e.linePos?.[0]?.line, message: yamlMessage(e) })));
  let list: Node | null = doc.contents;
  if (list === null) return;
  if (isMap(list)) {
    if (!key || !list.has(key)) throw new InputError([{ file, line: 1, message: `expected a list, or a mapping with a "${key}" list` }]);
    list = list.get(key, true) as Node;
  }
  if (!isSeq(list)) throw new InputError([{ file, line: list?.range ? lc.linePos(list.range[0]).line : 1, message: `expected a list of records${key ? ` under "${key}"` : ''}` }]);
  for (const item of list.items) {
    const node = item as Node;
    const line = node?.range ? lc.linePos(node.range[0]).line : 0;
    let value: unknown;
    try {
      value = (node as { toJS?: (d: unknown) => unknown }).toJS?.(doc);
    } catch (e) {
      // The yaml package refuses alias bombs (and other unresolvable aliases) by throwing: that is bad input, not a bug.
      throw new InputError([{ file, line, message: yamlMessage(e as Error) }]);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError([{ file, line, message: 'expected a mapping (key: value pairs) for each record' }]);
    yield { file, line, value: value as Record<string, unknown> };
  }
}

function* readJson(file: string, text: string, key?: string): Generator<SourcedRecord> {
  // A UTF-8 byte order mark (Windows tools write one) may be ignored by a JSON reader (RFC 8259 §8.1): read as a
  // space, so every line and column stays where it was.
  text = text.replace(/^\uFEFF/, ' ');
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) {
    // Node 20's message has no position: JSON is YAML, and the YAML parser reports where it broke.
    // V8's message quotes the text around the error, which may be anything (a secret): say only where it broke.
    const m = /position (\d+)/.exec((e as Error).message);
    const at = jsonPosition(text, m ? Number(m[1]) : jsonErrorOffset(text));
    throw new InputError([{ file, line: at.line, message: `invalid JSON: syntax error at column ${at.column}` }]);
  }
  if (data && typeof data === 'object' && !Array.isArray(data) && key && key in data) data = (data as Record<string, unknown>)[key];
  if (!Array.isArray(data)) throw new InputError([{ file, line: 1, message: `expected a JSON array of records${key ? ` (or an object with a "${key}" array)` : ''}` }]);
  // JSON.parse keeps no positions: find each top-level element's line by a light scan.
  const lines = elementLines(text, data.length);
  for (const [i, value] of data.entries()) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError([{ file, line: lines[i], field: `[${i}]`, message: 'expected an object for each record' }]);
    yield { file, line: lines[i] ?? 0, value: value as Record<string, unknown> };
  }
}

/** Lines on which the elements of the outermost array start (best effort; strings and nesting are respected). */
function elementLines(text: string, count: number): number[] {
  const out: number[] = [];
  let depth = 0, line = 1, inStr = false, esc = false, arrayDepth = -1, expecting = false;
  for (let i = 0; i < text.length && out.length < count; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    if (inStr) { if (esc) esc = false; else if (ch === '\\') esc = true; else if (ch === '"') inStr = false; continue; }
    if (expecting && !/\s/.test(ch)) { out.push(line); expecting = false; }
    if (ch === '"') inStr = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (ch === '[' && arrayDepth === -1 && (depth === 1 || depth === 2)) { arrayDepth = depth; expecting = true; }
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === arrayDepth) expecting = true;
  }
  return out;
}

async function* readNdjson(file: string, regular = true, encoding: 'utf8' | 'utf16le' = 'utf8'): AsyncGenerator<SourcedRecord> {
  const input = openStream(file, regular);
  input.setEncoding(encoding);
  let line = 0;
  for await (let text of ndjsonLines(input)) {
    line++;
    if (line === 1) text = text.replace(/^\uFEFF/, ' '); // a byte order mark, as for JSON
    if (!text.trim()) continue;
    let value: unknown;
    try { value = JSON.parse(text); } catch {
      throw new InputError([{ file, line, message: `invalid JSON: syntax error at column ${jsonPosition(text, jsonErrorOffset(text)).column}` }]);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError([{ file, line, message: 'expected one JSON object per line' }]);
    yield { file, line, value: value as Record<string, unknown> };
  }
}

/**
 * NDJSON's lines end at "\n" (a "\r" before it is dropped). Not readline: on Node 24 (not 20) it also breaks at U+2028
 * and U+2029, which JSON.stringify leaves raw inside strings — a valid record would be cut in two.
 */
async function* ndjsonLines(input: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  const strip = (l: string) => (l.endsWith('\r') ? l.slice(0, -1) : l);
  for await (const chunk of input) {
    let at = chunk.indexOf('\n'); // searched in the chunk only: a long line is not rescanned per chunk
    if (at === -1) { rest += chunk; continue; }
    yield strip(rest + chunk.slice(0, at));
    let from = at + 1;
    while ((at = chunk.indexOf('\n', from)) !== -1) { yield strip(chunk.slice(from, at)); from = at + 1; }
    rest = chunk.slice(from);
  }
  if (rest) yield strip(rest);
}

async function* readCsv(file: string, required: string[], regular = true): AsyncGenerator<SourcedRecord> {
  const parser = openStream(file, regular).pipe(parseCsv({
    // One record past 1 MB is no inventory row (a binary or a device): refused instead of buffered.
    max_record_size: 1024 * 1024,
    columns: (header: string[]) => {
      const cols = header.map((h) => h.trim().replace(/^\uFEFF/, ''));
      const missing = required.filter((r) => !cols.includes(r));
      // The header of a file that is not an inventory may be anything (a credentials file): count it, never quote it.
      if (missing.length) throw new InputError([{ file, line: 1, message: `missing column(s) ${missing.join(', ')}: the header has ${cols.length} column${cols.length === 1 ? '' : 's'}; expected ${required.join(', ')}` }]);
      const dup = cols.find((c, i) => cols.indexOf(c) !== i);
      if (dup) throw new InputError([{ file, line: 1, message: `duplicate column "${dup}" in the header` }]);
      return cols;
    },
    info: true,
    skip_empty_lines: true,
    relax_column_count: false,
    bom: true,
    trim: true,
  }));
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const value: Record<string, unknown> = {};
      // An empty CSV cell is an absent value, not an empty string.
      for (const [k, v] of Object.entries(rec.record)) value[k] = v === '' ? undefined : v;
      yield { file, line: rec.info.lines, value };
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as Error & { lines?: number; code?: string; column?: unknown; index?: number };
    throw new InputError([{ file, line: err.lines, field: typeof err.column === 'string' ? err.column : undefined, message: `invalid CSV: ${csvMessage(err)}` }]);
  }
}

/** csv-parse's messages quote the offending value: keep only what went wrong and where. */
function csvMessage(err: Error & { code?: string; index?: number }): string {
  if (/^Invalid Record Length: /.test(err.message)) return err.message.replace(/^Invalid Record Length: /, 'wrong number of columns: ');
  const what: Record<string, string> = {
    CSV_INVALID_CLOSING_QUOTE: 'characters after a closing quote', INVALID_OPENING_QUOTE: 'a quote inside an unquoted field',
    CSV_QUOTE_NOT_CLOSED: 'a quote that is never closed', CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'characters after a closing quote',
    CSV_MAX_RECORD_SIZE: 'a record too large',
  };
  return `${what[err.code ?? ''] ?? `parse error ${err.code ?? ''}`.trim()}${typeof err.index === 'number' ? ` (field ${err.index + 1})` : ''}`;
}

/** The yaml package's first message line, without the source text a few of its messages quote (after a colon). */
export function yamlMessage(e: Error): string {
  const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  return `invalid YAML: ${first.replace(/:\s.*$/, '')}${pos ? ` (column ${pos.col})` : ''}`;
}

/**
 * A whole JSON file that is not a record list (a Terraform state, a provider export, a plan), read by its byte order
 * mark like the record files. A syntax error names line and column only: V8's message quotes the text around it, and
 * such files can hold secrets (a Terraform state holds access keys in plain text).
 */
export function readJsonFile(file: string): unknown {
  const text = readFileSync(file, textEncoding(file)).replace(/^\uFEFF/, ' ');
  try { return JSON.parse(text); } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const at = jsonPosition(text, m ? Number(m[1]) : jsonErrorOffset(text));
    throw new InputError([{ file, line: at.line, message: `invalid JSON: syntax error at column ${at.column}` }]);
  }
}

/** A whole text file (a CSV export read in one piece), decoded by its byte order mark. */
export function readTextFile(file: string): string {
  return readFileSync(file, textEncoding(file)).replace(/^\uFEFF/, '');
}

function jsonPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Booleans as people write them in CSV and YAML. */
export function parseBool(v: unknown): boolean | null | 'invalid' {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', 'yes', 'y', '1'].includes(s)) return true;
  if (['false', 'no', 'n', '0'].includes(s)) return false;
  if (['unknown', 'null', 'n/a'].includes(s)) return null;
  return 'invalid';
}

/** Offset of the first JSON syntax error (Node 20's JSON.parse does not say where it broke). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++; };
  const fail = (): never => { throw i; };
  const lit = (w: string) => { if (text.startsWith(w, i)) i += w.length; else fail(); };
  const str = () => {
    i++;
    while (i < text.length && text[i] !== '"') { if (text[i] === '\\') i++; else if (text.charCodeAt(i) < 0x20) fail(); i++; }
    if (text[i] !== '"') fail();
    i++;
  };
  const num = () => { const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400)); if (!m) fail(); i += m![0].length; };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) { ws(); if (text[i] !== '"') fail(); str(); ws(); if (text[i] !== ':') fail(); i++; value(); ws(); if (text[i] === ',') { i++; continue; } if (text[i] === '}') { i++; return; } fail(); }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) { value(); ws(); if (text[i] === ',') { i++; continue; } if (text[i] === ']') { i++; return; } fail(); }
    }
    if (c === '"') return str();
    if (c === 't') return lit('true');
    if (c === 'f') return lit('false');
    if (c === 'n') return lit('null');
    return num();
  };
  try { value(); ws(); if (i < text.length) fail(); return text.length; } catch (at) { return typeof at === 'number' ? at : 0; }
}
