// The entry point the scan/report pipeline calls: summarise the run once, then let each requested reporter write its
// file atomically (temp file in a private folder, 0600, fsync, rename). A new format is a new module in REPORTERS.
import { join, resolve } from 'node:path';
import type { Store } from '../store/store.js';
import { RULES } from '../reconcile/rules/index.js';
import { UserError } from '../errors.js';
import { loadReportData } from './data.js';
import { writeAtomic } from './atomic.js';
import { jsonReporter } from './json.js';
import { csvReporter } from './csv.js';
import { ocsfReporter } from './ocsf.js';
import { markdownReporter } from './markdown.js';
import { htmlReporter } from './html.js';
import { REPORT_FORMATS, type ReportContext, type ReportData, type ReportFormat, type ReportOptions, type Reporter } from './types.js';
import type { Rule } from '../reconcile/rule.js';

export const REPORTERS: Record<ReportFormat, Reporter> = {
  json: jsonReporter,
  csv: csvReporter,
  ocsf: ocsfReporter,
  markdown: markdownReporter,
  html: htmlReporter,
};

export interface WrittenReport { format: ReportFormat; path: string; rows: number }

export function parseFormats(values: readonly string[] | undefined, fallback: readonly ReportFormat[]): ReportFormat[] {
  if (!values || values.length === 0) return [...fallback];
  const out: ReportFormat[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    const f = v.trim().toLowerCase() === 'md' ? 'markdown' : v.trim().toLowerCase();
    if (!f) continue;
    if (f === 'all') return [...REPORT_FORMATS];
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UserError(`unknown report format "${v}": use ${REPORT_FORMATS.join(', ')} or all`);
    if (!out.includes(f as ReportFormat)) out.push(f as ReportFormat);
  }
  return out;
}

export async function writeReports(
  store: Store, opts: ReportOptions & { rules?: Rule[] },
): Promise<{ files: WrittenReport[]; data: ReportData }> {
  const now = opts.now ?? new Date();
  const outDir = resolve(opts.outDir);
  const data = await loadReportData(store, opts.runId, now);
  const ctx: ReportContext = {
    store, data, now,
    byOwner: Boolean(opts.byOwner),
    includeResolved: opts.includeResolved ?? true,
    rules: new Map((opts.rules ?? RULES).map((r) => [r.id, r])),
    htmlRowLimit: opts.htmlRowLimit ?? 5000,
  };
  const files: WrittenReport[] = [];
  for (const format of opts.formats) {
    const reporter = REPORTERS[format];
    const path = join(outDir, reporter.fileName);
    const rows = await writeAtomic(path, (tmp) => reporter.write(ctx, tmp));
    files.push({ format, path, rows });
  }
  return { files, data };
}

export { REPORT_FORMATS, type ReportFormat } from './types.js';
