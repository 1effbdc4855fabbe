// The few lines a person reads after a run.
import type { ReconcileSummary } from '../reconcile/engine.js';
import { SEVERITIES } from '../model/index.js';

export function formatSummary(runId: string, s: ReconcileSummary): string {
  const sev = [...SEVERITIES].reverse().filter((k) => s.bySeverity[k]).map((k) => `${s.bySeverity[k]} ${k}`).join(', ') || 'none';
  const rules = Object.entries(s.byRule).sort((a, b) => b[1] - a[1]).map(([r, n]) => `  ${String(n).padStart(6)}  ${r}`).join('\n');
  const st = ['new', 'open', 'regressed', 'resolved'].filter((k) => s.byStatus[k]).map((k) => `${s.byStatus[k]} ${k}`).join(', ');
  return [`run ${runId}: ${s.findings} open finding(s) — ${sev}`, st ? `  lifecycle: ${st}` : '', s.suppressed ? `  ${s.suppressed} muted by exceptions` : '',
    s.carried ? `  ${s.carried} carried open from incomplete tenants` : '', rules].filter(Boolean).join('\n');
}
