// The IAM credential report: one CSV row per user (and the <root_account> row) with password, MFA, access key and
// signing certificate facts. Columns are read by header name (AWS has added columns before). Cell values:
// 'N/A' = does not apply / never, 'no_information' = AWS does not know (never read it as "never used"),
// 'not_supported' = the field does not exist for this row (root password fields).
import { parseDate } from '../../model/index.js';

export type Cell = { kind: 'date'; value: Date } | { kind: 'na' } | { kind: 'unknown' } | { kind: 'unsupported' } | { kind: 'text'; value: string };

export interface ReportRow {
  user: string; arn: string; isRoot: boolean;
  get(column: string): string | undefined;
  date(column: string): Cell;
  bool(column: string): boolean | null;
}

export interface CredentialReport { generatedAt: Date | null; rows: ReportRow[]; byArn: Map<string, ReportRow> }

export class CredentialReportError extends Error {}

export function parseCredentialReport(csv: string, generatedAt: Date | null = null): CredentialReport {
  const lines = csv.replace(/\r\n?/g, '\n').split('\n').filter((l) => l.trim() !== '');
  if (!lines.length) throw new CredentialReportError('the credential report is empty');
  const header = lines[0]!.split(',').map((h) => h.trim());
  const col = new Map(header.map((h, i) => [h, i]));
  for (const need of ['user', 'arn']) if (!col.has(need)) throw new CredentialReportError(`the credential report has no "${need}" column`);
  const rows: ReportRow[] = [];
  for (const [n, line] of lines.slice(1).entries()) {
    let f = line.split(',');
    if (f.length > header.length) {
      // IAM names may contain commas and the report does not quote: the extra commas sit in user and arn alike.
      const k = (f.length - header.length) / 2;
      if (!Number.isInteger(k) || col.get('user') !== 0 || col.get('arn') !== 1) throw new CredentialReportError(`credential report line ${n + 2}: ${f.length} fields for ${header.length} columns`);
      f = [f.slice(0, k + 1).join(','), f.slice(k + 1, 2 * k + 2).join(','), ...f.slice(2 * k + 2)];
    } else if (f.length < header.length) {
      throw new CredentialReportError(`credential report line ${n + 2}: ${f.length} fields for ${header.length} columns (truncated?)`);
    }
    const get = (c: string) => { const i = col.get(c); return i === undefined ? undefined : f[i]!.trim(); };
    const row: ReportRow = {
      user: get('user')!, arn: get('arn')!, isRoot: get('user') === '<root_account>',
      get,
      date(c) {
        const v = get(c);
        if (v === undefined || v === '' || v === 'N/A') return { kind: 'na' };
        if (v === 'no_information') return { kind: 'unknown' };
        if (v === 'not_supported') return { kind: 'unsupported' };
        const d = parseDate(v);
        if (d === null || d === 'invalid') return { kind: 'text', value: v };
        return { kind: 'date', value: d };
      },
      bool(c) {
        const v = get(c);
        if (v === 'true') return true;
        if (v === 'false') return false;
        return null;
      },
    };
    rows.push(row);
  }
  return { generatedAt, rows, byArn: new Map(rows.map((r) => [r.arn, r])) };
}

/** A date cell as a Date, or null for N/A; 'unknown' when AWS has no information. */
export function dateOrNull(c: Cell): Date | null | 'unknown' {
  if (c.kind === 'date') return c.value;
  if (c.kind === 'unknown') return 'unknown';
  return null;
}
