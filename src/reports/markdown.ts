// The Markdown summary, sized for a CI job summary (CI systems cap one at about 1 MiB): it leads with what changed since the
// previous run, warns first when collection was incomplete, and lists at most a few dozen rows per section — the
// full list is in the JSON/CSV/HTML reports. Every provider-side string is escaped: a repository or role name must
// not be able to inject Markdown or HTML into the summary page.
import { describeGuardDecision, streamFindings } from './data.js';
import { truncate, visible } from './escape.js';
import { withSink } from './atomic.js';
import type { FindingRow, ReportContext, Reporter } from './types.js';

const TABLE_ROWS = 50;
const OWNER_ROWS = 20;

/** One value in the summary, at most this long: a job summary must stay small (CI job summaries are capped at 1 MiB). */
export const MD_VALUE_MAX = 200;
/** The whole summary stops (with a note) past this many bytes. */
export const MD_MAX_BYTES = 1_000_000;

const URLISH = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s<>"'`|]+|\bwww\.[^\s<>"'`|]+)/gi;

export function mdEscape(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = visible(truncate(String(value).replace(/[\r\n\t]+/g, ' '), MD_VALUE_MAX));
  // A URL-shaped value is shown in a code span: rendered Markdown never turns a provider-side name into a link.
  return text.split(URLISH).map((part, i) => (i % 2 === 1
    ? `\`${part.replace(/`/g, "'").replace(/\|/g, '\\|')}\``
    : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]|#!~])/g, '\\$1'))).join('');
}

const SEV_ICON: Record<string, string> = { critical: '🟥', high: '🟧', medium: '🟨', low: '🟦', info: '⬜' };
const dateOf = (iso: string) => iso.slice(0, 10);

function findingLine(f: FindingRow): string {
  return `| ${SEV_ICON[f.severity] ?? ''} ${mdEscape(f.severity)} | ${mdEscape(f.rule_id)} | ${mdEscape(f.subject_ref)} | ${mdEscape(f.owner)} | ${f.days_open} | ${mdEscape(f.reason)} |`;
}

const FINDING_HEAD = ['| Severity | Rule | Subject | Owner | Days open | Why |', '|---|---|---|---|---:|---|'];

export const markdownReporter: Reporter = {
  id: 'markdown',
  fileName: 'summary.md',
  async write(ctx: ReportContext, file: string) {
    const d = ctx.data;
    const c = d.counts;
    let rows = 0;
    await withSink(file, async (sink) => {
      let bytes = 0;
      let cut = false;
      const line = async (s = '') => {
        if (cut) return;
        const text = s + '\n';
        bytes += Buffer.byteLength(text);
        if (bytes > MD_MAX_BYTES) {
          cut = true;
          await sink.write('\n_The summary stops here: it is limited to 1 MB (a CI job summary). Everything is in report.json and findings.csv._\n');
          return;
        }
        await sink.write(text);
      };
      await line(`## nhi-recon — run #${d.run.seq} (${d.run.started_at.toISOString().replace('.000Z', 'Z')})`);
      await line();
      const since = d.previous ? `Since run #${d.previous.seq} (${dateOf(d.previous.started_at.toISOString())})` : 'First reported run';
      await line(`**${since}: ${c.new} new, ${c.regressed} regressed, ${c.resolved} resolved.** ${c.open} open in total${c.suppressed ? `, ${c.suppressed} muted by exceptions` : ''}.`);
      await line();
      if (!d.complete) {
        const bad = d.tenants.filter((t) => t.status !== 'complete');
        await line(`> [!WARNING]`);
        if (d.run.authority_status === 'failed') await line(`> The authoritative records did not load (${mdEscape(d.run.authority_error)}): no action may be taken on this run.`);
        if (d.tenants.length === 0) await line(`> No tenant was collected in this run: it saw nothing, and nothing in it is resolved.`);
        if (bad.length) await line(`> Collection was incomplete for ${bad.length} of ${d.tenants.length} tenants (${bad.map((t) => `${mdEscape(t.source)}/${mdEscape(t.tenant)}: ${t.status}`).join(', ')}). Their earlier findings were carried open, not resolved.`);
        await line();
      }
      if (d.guards.length) {
        await line('### Plausibility guards');
        await line();
        for (const g of d.guards) await line(`- ${mdEscape(describeGuardDecision(g))}`);
        await line();
      }
      await line('| Open | Critical | High | Medium | Low | Info | Muted | Carried |');
      await line('|---:|---:|---:|---:|---:|---:|---:|---:|');
      const s = c.by_severity;
      await line(`| ${c.open} | ${s.critical ?? 0} | ${s.high ?? 0} | ${s.medium ?? 0} | ${s.low ?? 0} | ${s.info ?? 0} | ${c.suppressed} | ${c.carried} |`);
      await line();

      const common = { includeResolved: true, now: ctx.now, rules: ctx.rules };
      const changed: FindingRow[] = [];
      const resolved: FindingRow[] = [];
      const changedTotal = c.new + c.regressed;
      for await (const f of streamFindings(ctx.store, d.run, { ...common, scope: 'changed', limit: TABLE_ROWS })) changed.push(f);
      if (changed.length) {
        await line(`### New and regressed findings`);
        await line();
        for (const h of FINDING_HEAD) await line(h);
        for (const f of changed) { await line(findingLine(f).replace(/^\| /, `| ${f.status === 'regressed' ? '↩ ' : ''}`)); rows++; }
        if (changedTotal > changed.length) await line(`\n_…and ${changedTotal - changed.length} more in report.json / findings.csv._`);
        await line();
      }
      if (c.resolved) {
        for await (const f of streamFindings(ctx.store, d.run, { ...common, scope: 'resolved', limit: TABLE_ROWS })) resolved.push(f);
        await line(`### Resolved since the previous run`);
        await line();
        await line('| Rule | Subject | Open for (days) | Remediated |');
        await line('|---|---|---:|---|');
        for (const f of resolved) {
          const how = f.action_state === 'verified' ? `✅ ${mdEscape(f.action_operation)}, verified` : f.action_id ? `${mdEscape(f.action_operation)} (${mdEscape(f.action_state)})` : 'outside nhi-recon';
          await line(`| ${mdEscape(f.rule_id)} | ${mdEscape(f.subject_ref)} | ${f.days_open} | ${how} |`);
          rows++;
        }
        if (c.resolved > resolved.length) await line(`\n_…and ${c.resolved - resolved.length} more._`);
        await line();
      }
      if (d.actions.length) {
        await line(`### Remediation in this run`);
        await line();
        const icon: Record<string, string> = { verified: '✅', rolled_back: '↩️', failed: '❌', unverified: '⚠️', skipped: '⏭️', done: '⏳', intent: '⏳' };
        for (const a of d.actions.slice(0, TABLE_ROWS)) {
          await line(`- ${icon[a.state] ?? '•'} **${mdEscape(a.state)}** — ${mdEscape(a.operation)} on ${mdEscape(a.target_ref)}${a.finding_id ? ` (finding ${mdEscape(a.finding_id)}, ${mdEscape(a.rule_id)})` : ''}${a.reason ? `: ${mdEscape(a.reason)}` : ''}`);
        }
        if (d.actions.length > TABLE_ROWS) await line(`- …and ${d.actions.length - TABLE_ROWS} more in report.json.`);
        await line();
      }
      const l = d.lifecycle;
      await line(`### Lifecycle completion (expired grants)`);
      await line();
      await line(l.removed
        ? `Access was removed a median of **${l.median_days} days** after its grant expired (worst ${l.worst_days} days, ${l.removed} removals).`
        : 'No expired grant has been removed yet.');
      if (l.still_open) await line(`${l.still_open} expired grant(s) still active; the oldest expired ${l.oldest_open_days} days ago.`);
      await line();

      if (ctx.byOwner && d.owners.length) {
        await line(`### By owner`);
        await line();
        await line('| Owner | Owner status | Open | Critical | High |');
        await line('|---|---|---:|---:|---:|');
        for (const o of d.owners) await line(`| ${o.owner ? mdEscape(o.owner) : '**(no owner)**'} | ${mdEscape(o.owner_status)} | ${o.open} | ${o.by_severity.critical ?? 0} | ${o.by_severity.high ?? 0} |`);
        await line();
        let current: string | null | undefined;
        const openOf = new Map(d.owners.map((o) => [o.owner, o.open]));
        const more = async () => {
          const total = openOf.get(current ?? null) ?? 0;
          if (current !== undefined && total > OWNER_ROWS) await line(`\n_…and ${total - OWNER_ROWS} more in findings.csv._`);
        };
        for await (const f of streamFindings(ctx.store, d.run, { ...common, scope: 'open', orderBy: 'owner', perOwnerLimit: OWNER_ROWS })) {
          if (f.owner !== current) {
            await more();
            current = f.owner;
            await line(`\n#### ${current ? mdEscape(current) : '(no owner)'}\n`);
            for (const h of FINDING_HEAD) await line(h);
          }
          await line(findingLine(f));
          rows++;
        }
        await more();
        await line();
      }

      await line(`<details><summary>Collection: ${d.tenants.filter((t) => t.status === 'complete').length} of ${d.tenants.length} tenants complete</summary>`);
      await line();
      await line('| Source | Provider | Tenant | Status | API calls | Cached | Rows | Error |');
      await line('|---|---|---|---|---:|---:|---:|---|');
      for (const t of d.tenants) await line(`| ${mdEscape(t.source)} | ${mdEscape(t.provider)} | ${mdEscape(t.tenant)} | ${t.status === 'complete' ? '✅' : '⚠️'} ${mdEscape(t.status)} | ${t.api_calls} | ${t.cached_calls} | ${t.rows} | ${mdEscape(t.error)} |`);
      await line();
      await line('</details>');
    });
    return rows;
  },
};
