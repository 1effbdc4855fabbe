// The entry point the scan/report pipeline calls: summarise the run once, then let each requested reporter write its
// file into a private staging folder (0600, fsync); the whole set then replaces the old one as one unit, with a
// manifest naming the run (src/reports/atomic.ts). A new format is a new module in REPORTERS.
import { join, resolve } from 'node:path';
import type { Store } from '../store/store.js';
import { RULES } from '../reconcile/rules/index.js';
import { UserError } from '../errors.js';
import { loadReportData } from './data.js';
import { writeSetAtomic } from './atomic.js';
import { withReportMemoryLimit } from './memory.js';
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
  // Report queries stream and spill; a reconcile-sized buffer pool would only raise the peak RSS (see memory.ts).
  return withReportMemoryLimit(store, () => writeReportsUnder(store, opts));
}

async function writeReportsUnder(
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
  // One unit: every requested format of this run, or (after a crash) the previous set, never a mix. Files of formats
  // not written this time belong to an older run and are removed with the swap.
  const formats = [...new Set(opts.formats)];
  const entries = formats.flatMap((format) => {
    const r = REPORTERS[format];
    return [{ format, name: r.fileName, write: r.write, primary: true }, ...(r.companions ?? []).map((c) => ({ format, name: c.fileName, write: c.write, primary: false }))];
  });
  const rows = await writeSetAtomic(outDir,
    entries.map((e) => ({ name: e.name, produce: (tmp: string) => e.write(ctx, tmp) })),
    Object.values(REPORTERS).flatMap((r) => [r.fileName, ...(r.companions ?? []).map((c) => c.fileName)]),
    (written) => ({
      // Which run this folder's reports describe, and each file's digest, so an uploader can check the set is whole.
      tool: 'nhi-recon', run_id: data.run.run_id, run_seq: data.run.seq, complete: data.complete,
      generated_at: data.generatedAt,
      files: written.map((w, i) => ({ format: entries[i]!.format, ...w })),
    }));
  const files: WrittenReport[] = entries.flatMap((e, i) => (e.primary ? [{ format: e.format, path: join(outDir, e.name), rows: rows[i]! }] : []));
  return { files, data };
}

export { REPORT_FORMATS, type ReportFormat } from './types.js';
