// The HTML report: one self-contained file (no CDN, no network, works from a CI artifact) with the headline numbers,
// server-rendered SVG charts, trends across runs, per-tenant completeness and a sortable, filterable findings table.
// Findings travel as a JSON data block and are rendered with textContent only, and a CSP with hashes pins the one
// inline script and style, so a hostile resource name cannot run script in the reader's browser.
import { createHash } from 'node:crypto';
import { describeGuardDecision, streamEffectiveAccess, streamFindings } from './data.js';
import { visibleDeep } from './escape.js';
import { withSink } from './atomic.js';
import { stringifyWithRaw } from './json-util.js';
import { barChart, esc, lineChart } from './svg.js';
import { toolVersion } from './version.js';
import type { FindingRow, ReportContext, Reporter } from './types.js';

export const SEVERITY_COLOR: Record<string, string> = { critical: '#b42318', high: '#e8590c', medium: '#d4a000', low: '#1c7ed6', info: '#868e96' };
const PALETTE = ['#5c7cfa', '#20c997', '#f76707', '#ae3ec9', '#1098ad', '#f03e3e', '#74b816', '#e64980', '#495057', '#fab005'];

const STYLE = `
:root{--fg:#1d2430;--mut:#5f6b7a;--bg:#f6f7f9;--card:#fff;--line:#e3e6ea;--acc:#3b5bdb}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2430;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#c5cbd3}
main{padding:20px 28px;max-width:1400px;margin:auto}section{margin:0 0 26px}h2{font-size:16px;margin:0 0 10px}
.banner{border-radius:8px;padding:10px 14px;margin:0 0 18px;background:#fff4e6;border:1px solid #ffc078}.banner.ok{background:#ebfbee;border-color:#8ce99a}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}.card b{display:block;font-size:24px}.card span{color:var(--mut);font-size:12px}
.card.crit b{color:#b42318}.card.high b{color:#e8590c}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:14px}
.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}.chart.wide{grid-column:span 2}
figcaption{font-weight:600;margin-bottom:6px}.lbl{font-size:12px;fill:var(--fg)}.val{font-size:11px;fill:var(--mut)}.grid{stroke:var(--line)}
.legend{font-size:12px;color:var(--mut)}.key{margin-right:14px}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:8px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#eef1f4;font-size:12px;white-space:nowrap}
th[data-key]{cursor:pointer;user-select:none}th[data-key]:after{content:' \\2195';color:#adb5bd}th.asc:after{content:' \\2191';color:var(--fg)}th.desc:after{content:' \\2193';color:var(--fg)}
td.ref{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all;max-width:380px}
.sev{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px}.sev-critical{background:#b42318}.sev-high{background:#e8590c}.sev-medium{background:#d4a000}.sev-low{background:#1c7ed6}.sev-info{background:#868e96}
.st-complete{color:#2b8a3e}.st-partial,.st-failed{color:#c92a2a;font-weight:600}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 10px}.filters input,.filters select{padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:#fff}
.filters input{min-width:260px}#shown-count{color:var(--mut);align-self:center}
tr.finding{cursor:pointer}tr.finding:hover{background:#f1f3f5}tr.detail td{background:#fafbfc}pre{margin:4px 0;white-space:pre-wrap;word-break:break-all;font-size:12px}
.muted{color:var(--mut)}footer{color:var(--mut);font-size:12px;padding:0 28px 24px;max-width:1400px;margin:auto}
`;

const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('findings-data').textContent);
  var SEV = {critical:0, high:1, medium:2, low:3, info:4};
  var tbody = document.querySelector('#findings tbody');
  var state = {key:'severity', dir:1, open:{}};
  var f = {q:document.getElementById('q'), severity:document.getElementById('f-severity'), rule:document.getElementById('f-rule'),
    provider:document.getElementById('f-provider'), status:document.getElementById('f-status'), owner:document.getElementById('f-owner')};
  function uniq(k){var s={};data.forEach(function(r){s[r[k]==null?'':r[k]]=1});return Object.keys(s).sort();}
  function fill(sel,k){uniq(k).forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v===''?'(none)':v;sel.appendChild(o);});}
  fill(f.rule,'rule_id');fill(f.provider,'provider');fill(f.owner,'owner');
  function view(r){return r.suppressed_by?'muted':r.status;}
  function pretty(t){var out='',ind=0,str=false,esc=false;for(var i=0;i<t.length;i++){var c=t[i];
    if(str){out+=c;if(esc)esc=false;else if(c==='\\\\')esc=true;else if(c==='"')str=false;continue;}
    if(c==='"'){str=true;out+=c;}else if(c==='{'||c==='['){ind++;out+=c+'\\n'+'  '.repeat(ind);}
    else if(c==='}'||c===']'){ind--;out+='\\n'+'  '.repeat(ind)+c;}else if(c===','){out+=',\\n'+'  '.repeat(ind);}
    else if(c===':'){out+=': ';}else if(c!==' '&&c!=='\\n'){out+=c;}}return out;}
  function cmp(a,b){var k=state.key,x=a[k],y=b[k];
    if(k==='severity'){x=SEV[x];y=SEV[y];}
    if(x==null)x='';if(y==null)y='';
    var r=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y));
    if(r===0&&k!=='severity')r=SEV[a.severity]-SEV[b.severity];
    return r*state.dir;}
  function cell(tr,text,cls){var td=document.createElement('td');td.textContent=text==null?'':String(text);if(cls)td.className=cls;tr.appendChild(td);return td;}
  function render(){
    var q=f.q.value.trim().toLowerCase();
    var rows=data.filter(function(r){
      if(f.severity.value&&r.severity!==f.severity.value)return false;
      if(f.rule.value&&r.rule_id!==f.rule.value)return false;
      if(f.provider.value&&(r.provider||'')!==f.provider.value)return false;
      if(f.owner.value&&(r.owner||'')!==f.owner.value)return false;
      if(f.status.value==='open'){if(r.status==='resolved'||r.suppressed_by)return false;}
      else if(f.status.value&&view(r)!==f.status.value)return false;
      if(q){var hay=[r.subject_ref,r.identity_ref,r.resource_ref,r.reason,r.rule_id,r.owner,r.tenant,r.finding_id,r.permission].join(' ').toLowerCase();if(hay.indexOf(q)<0)return false;}
      return true;});
    rows.sort(cmp);
    tbody.textContent='';
    rows.forEach(function(r){
      var tr=document.createElement('tr');tr.className='finding';tr.setAttribute('data-id',r.finding_id);
      var s=cell(tr,'');var b=document.createElement('span');b.className='sev sev-'+r.severity;b.textContent=r.severity;s.appendChild(b);
      cell(tr,r.rule_id);cell(tr,view(r));cell(tr,r.provider);cell(tr,r.tenant);cell(tr,r.subject_ref,'ref');cell(tr,r.owner||'(none)');
      cell(tr,r.days_open);cell(tr,r.remediation||'');cell(tr,r.reason);
      tbody.appendChild(tr);
      if(state.open[r.finding_id])tbody.appendChild(detail(r));
      tr.addEventListener('click',function(){state.open[r.finding_id]=!state.open[r.finding_id];render();});
    });
    document.getElementById('shown-count').textContent='showing '+rows.length+' of '+data.length;
  }
  function detail(r){var tr=document.createElement('tr');tr.className='detail';var td=document.createElement('td');td.colSpan=10;
    var lines=[['Finding',r.finding_id],['Title',r.title],['Identity',r.identity_ref],['Resource',r.resource_ref],['Permission',r.permission?r.permission+(r.level?' ('+r.level+')':''):''],
      ['First seen',r.first_seen],['Last seen',r.last_seen],['Resolved',r.resolved_at],['Owner status',r.owner_status],['Muted by',r.suppressed_by],['Carried (tenant incomplete)',r.carried?'yes':'']];
    lines.forEach(function(l){if(l[1]==null||l[1]==='')return;var d=document.createElement('div');var k=document.createElement('b');k.textContent=l[0]+': ';d.appendChild(k);d.appendChild(document.createTextNode(String(l[1])));td.appendChild(d);});
    var pre=document.createElement('pre');pre.className='evidence';pre.textContent=pretty(r.evidence);td.appendChild(pre);tr.appendChild(td);return tr;}
  Object.keys(f).forEach(function(k){f[k].addEventListener(k==='q'?'input':'change',render);});
  Array.prototype.forEach.call(document.querySelectorAll('#findings th[data-key]'),function(th){
    th.addEventListener('click',function(){var k=th.getAttribute('data-key');state.dir=state.key===k?-state.dir:1;state.key=k;
      Array.prototype.forEach.call(document.querySelectorAll('#findings th'),function(h){h.classList.remove('asc','desc');});
      th.classList.add(state.dir>0?'asc':'desc');render();});});
  render();
})();
`;

const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** JSON safe to embed in a <script type="application/json"> block. */
function scriptJson(text: string): string {
  return text.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function remediationText(f: FindingRow): string {
  if (!f.action_id) return '';
  if (f.action_state !== 'verified') return `${f.action_operation}: ${f.action_state}`;
  // A verified removal whose finding is still (or again) open means the access came back: say so, not "remediated".
  // (Verified after this run last saw the access: removed since, confirmed by the next run.)
  const seenAfter = f.action_verified_at !== null && f.last_seen > f.action_verified_at;
  return f.status !== 'resolved' && seenAfter
    ? `${f.action_operation}: verified ${f.action_verified_at!.slice(0, 10)}, but the access is back`
    : `${f.action_operation}: remediated and verified`;
}

const POWERFUL = new Set(['administrator', 'escalation', 'permissions-management']);
const EFFECTIVE_ROWS = 500;
interface PathView { family: string; summary: string; target?: { kind: string; ref: string }; via?: string[]; assumptions?: string[]; steps?: { action: string; resource: string; policy: string; statement: string }[] }

function htmlRow(f: FindingRow): string {
  return stringifyWithRaw(visibleDeep({
    finding_id: f.finding_id, rule_id: f.rule_id, title: f.title, severity: f.severity, status: f.status, provider: f.provider, tenant: f.tenant,
    subject_ref: f.subject_ref, identity_ref: f.identity_ref, resource_ref: f.resource_ref, permission: f.permission, level: f.level,
    owner: f.owner, owner_status: f.owner_status, reason: f.reason, first_seen: f.first_seen, last_seen: f.last_seen, resolved_at: f.resolved_at,
    days_open: f.days_open, carried: f.carried, suppressed_by: f.suppressed_by, remediation: remediationText(f),
    // The evidence goes to the page as text (shown verbatim), so 64-bit ids stay exact.
    evidence: f.evidence_json,
  }));
}

function card(label: string, value: unknown, cls = ''): string {
  return `<div class="card ${cls}"><b>${esc(value ?? '—')}</b><span>${esc(label)}</span></div>`;
}

export const htmlReporter: Reporter = {
  id: 'html',
  fileName: 'report.html',
  async write(ctx: ReportContext, file: string) {
    const d = ctx.data;
    const c = d.counts;
    const l = d.lifecycle;
    let rows = 0;
    await withSink(file, async (sink) => {
      const csp = `default-src 'none'; script-src ${sha(SCRIPT)}; style-src ${sha(STYLE)}; img-src data:; base-uri 'none'; form-action 'none'`;
      await sink.write(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
        + `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}"><meta name="referrer" content="no-referrer">`
        + `<title>nhi-recon report — run #${d.run.seq}</title><style>${STYLE}</style></head><body>`);
      await sink.write(`<header><h1>nhi-recon — access that exists vs. access that was approved</h1>`
        + `<p>Run #${d.run.seq} · ${esc(d.run.run_id)} · started ${esc(d.run.started_at.toISOString())} · status ${esc(d.run.status)}`
        + `${d.previous ? ` · compared with run #${d.previous.seq}` : ''}</p></header><main>`);

      const bad = d.tenants.filter((t) => t.status !== 'complete');
      if (d.complete) await sink.write(`<div class="banner ok" id="completeness">Collection complete: ${d.tenants.length} of ${d.tenants.length} tenants, authoritative records loaded.</div>`);
      else await sink.write(`<div class="banner" id="completeness"><b>Incomplete run.</b> `
        + (d.tenants.length === 0 ? 'No tenant was collected in this run: it saw nothing, and nothing in it is resolved. ' : '')
        + (bad.length ? `${bad.length} of ${d.tenants.length} tenants were not fully collected (${bad.map((t) => `${esc(t.source)}/${esc(t.tenant)}: ${esc(t.status)}`).join(', ')}); their earlier findings were carried open, not resolved. ` : '')
        + (d.run.authority_status === 'failed' ? `The authoritative records did not load: ${esc(d.run.authority_error)}. ` : '')
        + `No remediation acts on an incomplete tenant.</div>`);

      if (d.guards.length) {
        await sink.write(`<section id="guards"><h2>Plausibility guards</h2><p>A tenant or grant set that suddenly holds far less than before is held as suspect (its findings carried, nothing acted on) until a person accepts the drop.</p><ul>`
          + d.guards.map((g) => `<li>${esc(describeGuardDecision(g))}</li>`).join('') + `</ul></section>`);
      }
      await sink.write(`<section id="headline"><h2>Headline</h2><div class="cards">`
        + card('open findings', c.open) + card('critical', c.by_severity.critical ?? 0, 'crit') + card('high', c.by_severity.high ?? 0, 'high')
        + card(`new since run #${d.previous?.seq ?? '—'}`, c.new) + card('regressed', c.regressed) + card('resolved this run', c.resolved)
        + card('muted by exceptions', c.suppressed)
        + card('median days expired grant stayed active', l.median_days) + card('worst days expired grant stayed active', l.worst_days)
        + card('expired grants still active', l.still_open)
        + `</div></section>`);

      const bars = (obj: Record<string, number>, color: (k: string, i: number) => string) =>
        Object.entries(obj).filter(([, v]) => v > 0).map(([k, v], i) => ({ label: k, value: v, color: color(k, i) }));
      const labels = d.trend.map((t) => `#${t.seq}`);
      await sink.write(`<section id="charts"><h2>Open findings</h2><div class="charts">`
        + barChart('By severity', bars(c.by_severity, (k) => SEVERITY_COLOR[k] ?? '#868e96'))
        + barChart('By kind (rule)', bars(c.by_rule, (_k, i) => PALETTE[i % PALETTE.length]!))
        + barChart('By provider', bars(c.by_provider, (_k, i) => PALETTE[(i + 3) % PALETTE.length]!))
        + lineChart('Trend across runs: open findings', labels, [
          { name: 'open', color: '#3b5bdb', values: d.trend.map((t) => t.open) },
          { name: 'critical + high', color: '#e8590c', values: d.trend.map((t) => t.critical + t.high) },
          { name: 'resolved in run', color: '#2b8a3e', values: d.trend.map((t) => t.resolved) },
        ])
        + lineChart('Lifecycle completion: days an expired grant stayed active before removal', labels, [
          { name: 'median', color: '#1098ad', values: d.trend.map((t) => t.lifecycle_median_days) },
          { name: 'worst', color: '#b42318', values: d.trend.map((t) => t.lifecycle_worst_days) },
        ], ' days')
        + `</div></section>`);

      await sink.write(`<section id="tenants"><h2>Collection completeness per tenant</h2><table><thead><tr><th>Source</th><th>Provider</th><th>Tenant</th><th>Status</th><th>API calls</th><th>Cached (304)</th><th>Rate budget used</th><th>Rows</th><th>Error</th></tr></thead><tbody>`
        + (d.tenants.map((t) => `<tr><td>${esc(t.source)}</td><td>${esc(t.provider)}</td><td class="ref">${esc(t.tenant)}</td><td class="st-${esc(t.status)}">${esc(t.status)}</td><td>${t.api_calls}</td><td>${t.cached_calls}</td><td>${t.rate_budget_used}</td><td>${t.rows}</td><td>${esc(t.error ?? '')}</td></tr>`).join('')
          || `<tr><td colspan="9" class="muted">No collection recorded for this run.</td></tr>`)
        + `</tbody></table></section>`);

      if (d.owners.length) {
        await sink.write(`<section id="owners"><h2>By accountable owner</h2><table><thead><tr><th>Owner</th><th>Owner status</th><th>Open</th><th>Critical</th><th>High</th><th>Medium</th><th>Low</th></tr></thead><tbody>`
          + d.owners.map((o) => `<tr><td>${o.owner ? esc(o.owner) : '<b>(no owner)</b>'}${o.person_id && o.aliases?.length ? `<br><span class="muted">as ${o.aliases.map(esc).join(', ')}</span>` : ''}</td><td>${esc(o.owner_status ?? '')}</td><td>${o.open}</td><td>${o.by_severity.critical ?? 0}</td><td>${o.by_severity.high ?? 0}</td><td>${o.by_severity.medium ?? 0}</td><td>${o.by_severity.low ?? 0}</td></tr>`).join('')
          + `</tbody></table></section>`);
      }

      const total = (ctx.includeResolved ? c.resolved : 0) + c.open + c.suppressed;
      await sink.write(`<section id="findings-section"><h2>Findings</h2><div class="filters">`
        + `<input id="q" type="search" placeholder="Search subject, identity, reason, owner…" aria-label="search">`
        + `<select id="f-severity" aria-label="severity"><option value="">all severities</option>${['critical', 'high', 'medium', 'low', 'info'].map((s) => `<option>${s}</option>`).join('')}</select>`
        + `<select id="f-status" aria-label="status"><option value="">all statuses</option><option value="open">open (any)</option><option>new</option><option>regressed</option><option>resolved</option><option value="muted">muted</option></select>`
        + `<select id="f-rule" aria-label="rule"><option value="">all kinds</option></select>`
        + `<select id="f-provider" aria-label="provider"><option value="">all providers</option></select>`
        + `<select id="f-owner" aria-label="owner"><option value="">all owners</option></select>`
        + `<span id="shown-count"></span></div>`
        + `<table id="findings"><thead><tr><th data-key="severity" class="asc">Severity</th><th data-key="rule_id">Kind</th><th data-key="status">Status</th><th data-key="provider">Provider</th><th data-key="tenant">Tenant</th><th data-key="subject_ref">Subject</th><th data-key="owner">Owner</th><th data-key="days_open">Days open</th><th data-key="remediation">Remediation</th><th>Why</th></tr></thead><tbody></tbody></table>`);
      // Rows beyond the limit stay in report.json / findings.csv: a browser should not be handed a million rows.
      await sink.write(`<script type="application/json" id="findings-data">[`);
      const common = { includeResolved: ctx.includeResolved, now: ctx.now, rules: ctx.rules };
      let first = true;
      for (const scope of ['report', 'suppressed'] as const) {
        const left = ctx.htmlRowLimit - rows;
        if (left <= 0) break;
        for await (const f of streamFindings(ctx.store, d.run, { ...common, scope, limit: left })) {
          await sink.write((first ? '' : ',') + scriptJson(htmlRow(f)));
          first = false;
          rows++;
        }
      }
      await sink.write(`]</script>`);
      if (total > rows) await sink.write(`<p class="muted" id="row-limit">The table holds the ${rows} most severe of ${total} findings; the full list is in report.json and findings.csv.</p>`);
      await sink.write(`</section>`);

      // Effective access: identities whose combined access reaches administrator, escalation or permission management,
      // each path spelled out (steps with the policy statement that allows them, the target, what must hold).
      let shown = 0;
      let more = 0;
      for await (const e of streamEffectiveAccess(ctx.store, d.run.run_id)) {
        if (!e.class || !POWERFUL.has(e.class)) continue;
        if (shown >= EFFECTIVE_ROWS) { more++; continue; }
        if (shown === 0) await sink.write(`<section id="effective-access"><h2>Effective access: who can become administrator, and how</h2>`);
        shown++;
        const paths = JSON.parse(e.paths_json) as PathView[];
        const limits = JSON.parse(e.limits_json) as string[];
        await sink.write(`<details class="principal"><summary><b>${esc(e.identity_name ?? e.identity_ref)}</b> — ${esc(e.class)} · ${paths.length} path${paths.length === 1 ? '' : 's'} · <span class="ref">${esc(e.identity_ref)}</span></summary>`
          + (limits.length ? `<p class="muted">Limited by: ${limits.map(esc).join('; ')}</p>` : '')
          + `<ol>${paths.map((p) => `<li><b>${esc(p.family)}</b>: ${esc(p.summary)} → <i>${esc(p.target?.kind)}</i> <span class="ref">${esc(p.target?.ref)}</span>`
            + (p.via?.length ? `<br>after assuming ${p.via.map(esc).join(' → ')}` : '')
            + `<ul>${(p.steps ?? []).map((s) => `<li><code>${esc(s.action)}</code> on <span class="ref">${esc(s.resource)}</span> — allowed by <span class="ref">${esc(s.policy)}</span> statement ${esc(s.statement)}</li>`).join('')}</ul>`
            + (p.assumptions?.length ? `<p class="muted">Assumes: ${p.assumptions.map(esc).join(' ')}</p>` : '') + `</li>`).join('')}</ol></details>`);
      }
      if (shown) await sink.write(`${more ? `<p class="muted">…and ${more} more in report.json (effective_access).</p>` : ''}</section>`);

      if (d.actions.length) {
        await sink.write(`<section id="actions"><h2>Remediation journal of this run</h2><table><thead><tr><th>State</th><th>Operation</th><th>Target</th><th>Finding</th><th>Intent</th><th>Verified</th><th>Reason</th></tr></thead><tbody>`
          + d.actions.map((a) => `<tr><td>${esc(a.state)}</td><td>${esc(a.operation)}</td><td class="ref">${esc(a.target_ref)}</td><td class="ref">${esc(a.finding_id ?? '')}</td><td>${esc(a.intent_at ?? '')}</td><td>${esc(a.verified_at ?? '')}</td><td>${esc(a.reason ?? '')}</td></tr>`).join('')
          + `</tbody></table></section>`);
      }
      await sink.write(`</main><footer>Generated ${esc(d.generatedAt)} by nhi-recon ${esc(toolVersion())}. Self-contained: no network access is needed to view this file.</footer>`);
      await sink.write(`<script>${SCRIPT}</script></body></html>\n`);
    });
    return rows;
  },
};

