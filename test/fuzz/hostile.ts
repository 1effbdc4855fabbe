// Hostile values for the property-based suites: wrong types, huge values, unicode and control characters, quotes and
// SQL, glob and YAML metacharacters, and dates in every odd format people and exporters produce.
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { InputError, UserError } from '../../src/errors.js';

export const NASTY_STRINGS = [
  "'; DROP TABLE identities; --", 'Robert"); DELETE FROM runs; --', "O'Brien", "''", '\\', '\\x00', '\u0000', 'a\u0000b',
  '\u202eevil\u202c', 'ℌ𝔢𝔩𝔩𝔬 🔑', 'Ω≈ç√∫', 'ｆｕｌｌｗｉｄｔｈ', '\uFEFFbom', 'é', 'é', '\t', '\r\n', '\n', ' ', '',
  '${jndi:ldap://example.invalid/x}', '<script>alert(1)</script>', '../../etc/passwd', '*', '?', '[', '[!a-z]', '**', '%', '_',
  'NULL', 'null', '~', 'true', 'no', '0x1F', '1e999', '-0', 'NaN', '- a', 'key: value', '#comment', '&anchor', '*alias', '!!binary x',
  '"', ',', '","', '=cmd|" /C calc"!A0', '@SUM(1+1)', 'x'.repeat(10_000), '🔑'.repeat(2_000),
];

export const ODD_DATES: unknown[] = [
  '2024-01-02', '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.123456789Z', '2024-01-02 03:04:05+00:00', '2024-01-02T03:04:05+14:00',
  '2024-01-02T03:04:05-12:00', '2024-01-02T03:04:05+0530', '2024-01-02T03:04:05 UTC', '2024-02-29', '2023-02-29', '2024-02-30',
  '2024-13-01', '2024-00-10', '2024-01-32', '2024-01-02T24:00:00Z', '2024-01-02T23:59:60Z', '0000-01-01', '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', '02/01/2024', '01/02/2024', '2 Jan 2024',
  'Tue, 02 Jan 2024 03:04:05 GMT', 'yesterday', 'never', 'N/A', 'null', 'no_information', 'not_supported', '', ' ', '2024',
  '2024-1-2', '20240102', '2024-01-02T03:04', '1704164645', '1704164645000', 1704164645, 1704164645000, 0, -1, 1e11, 1e300,
  -1e300, 8.64e15, 8.64e15 + 1, 3.5, true, false, null, [], {}, ['2024-01-02'], { date: '2024-01-02' },
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9_.-]{1,12}$/) },
);

export const oddDate: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...ODD_DATES) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()) },
  { weight: 1, arbitrary: fc.integer({ min: -2e9, max: 4e12 }) },
);

/** Any value a YAML or JSON file can hold where a field is expected. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: oddDate },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 64, -(2 ** 63), 1e308, 0.1)) },
  { weight: 1, arbitrary: fc.oneof(fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.array(fc.oneof(hostileString, fc.integer()), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }) },
);

export type Format = 'yaml' | 'json' | 'ndjson' | 'csv';
export const format: fc.Arbitrary<Format> = fc.constantFrom('yaml', 'json', 'ndjson', 'csv');

/** Writes records in one of the formats the loaders read (CSV flattens every value to text, as a spreadsheet would). */
export function writeRecords(file: string, fmt: Format, key: string, records: Record<string, unknown>[]): void {
  if (fmt === 'yaml') writeFileSync(file, stringify({ [key]: records }));
  else if (fmt === 'json') writeFileSync(file, JSON.stringify({ [key]: records }, null, 1));
  else if (fmt === 'ndjson') writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  else {
    const cols = [...new Set(records.flatMap((r) => Object.keys(r)))];
    if (!cols.length) { writeFileSync(file, ''); return; }
    const cell = (v: unknown) => `"${(v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replaceAll('"', '""')}"`;
    writeFileSync(file, [cols.map(cell).join(','), ...records.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n');
  }
}

/**
 * The contract every hostile input is held to: the call resolves, or fails with a user error (exit 2) whose every
 * issue names the file; anything else (a TypeError, a DuckDB error, a stack trace) is a bug.
 */
export async function resolvesOrUserError<T>(p: Promise<T>, files: string[]): Promise<{ ok: true; value: T } | { ok: false; error: UserError }> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`not a user error: ${(e as Error)?.stack ?? String(e)}`);
    expect(e.exitCode).toBe(2);
    expect(e.message.length).toBeGreaterThan(0);
    if (e instanceof InputError) {
      expect(e.issues.length).toBeGreaterThan(0);
      for (const i of e.issues) {
        expect(files, `issue names one of the input files: ${i.file}`).toContain(i.file);
        expect(i.message.length).toBeGreaterThan(0);
      }
    }
    return { ok: false, error: e };
  }
}

/** fast-check runs: a few dozen in npm test, many more under NHI_SOAK. */
export const RUNS = (n: number) => (process.env.NHI_SOAK ? n * 10 : n);

/** Per-test timeout: the soak runs ten times the inputs on a shared 2-core machine. */
export const TIMEOUT = process.env.NHI_SOAK ? 1_800_000 : 120_000;
