// `nhi-recon review open`: one packet per owner (self-contained HTML and CSV) of the non-human identities they answer
// for, their credentials, their access (each an item to decide) and open findings, plus a decisions template
// pre-filled per item with the decision left blank.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { UserError } from '../errors.js';
import { esc } from '../reports/svg.js';
import { csvLine, evidenceRun, identityKey, identityOwners, shortHash } from './common.js';

export const DECISION_COLUMNS = ['item', 'run_id', 'provider', 'tenant', 'identity', 'identity_name', 'resource', 'permission', 'level', 'grant_ids', 'owner',
  'decision', 'until', 'transfer_to', 'reviewer', 'date', 'comment'] as const;

export interface ReviewItem {
  item: string; run_id: string; source: string; provider: string; tenant: string; identity: string; identity_name: string | null;
  resource: string; permission: string; level: string; grant_ids: string[]; state: string; owner_key: string;
}

interface Packet {
  key: string; owner: string | null; person_id: string | null; name: string | null; status: string | null;
  identities: Record<string, unknown>[]; credentials: Record<string, unknown>[]; items: ReviewItem[]; findings: Record<string, unknown>[];
}

export const itemId = (source: string, tenant: string, ref: string) => `A-${shortHash(source, tenant, ref)}`;

/** Every access item of a run (entitlement with a level), with the grants of its authority snapshot that match it. */
export async function reviewItems(store: Store, runId: string): Promise<ReviewItem[]> {
  const owners = await identityOwners(store, runId);
  const rows = await store.all<Record<string, unknown>>(`
    WITH e AS (SELECT * FROM entitlements WHERE run_id = $1 AND level <> 'none'),
    g AS (SELECT * FROM grants WHERE run_id = $1),
    m AS (
      SELECT e.source, e.tenant, e.ref, g.grant_id FROM e JOIN g ON NOT g.is_glob AND g.provider = e.provider AND g.resource = e.resource_ref
        AND (g.identity = e.identity_ref OR g.identity = e.identity_name) AND (g.tenant = '*' OR g.tenant = e.tenant)
      UNION
      SELECT e.source, e.tenant, e.ref, g.grant_id FROM e JOIN g ON g.is_glob AND g.provider = e.provider
        WHERE (g.tenant = '*' OR e.tenant GLOB g.tenant) AND (e.identity_ref GLOB g.identity OR coalesce(e.identity_name, e.identity_ref) GLOB g.identity) AND e.resource_ref GLOB g.resource),
    st AS (SELECT source, tenant, subject_ref, string_agg(DISTINCT rule_id, ' ' ORDER BY rule_id) AS rules FROM findings
           WHERE run_id = $1 AND subject_type = 'entitlement' AND status <> 'resolved' GROUP BY ALL)
    SELECT e.source, e.provider, e.tenant, e.ref, e.identity_ref, e.identity_name, e.resource_ref, e.permission, e.level,
      coalesce(list(DISTINCT m.grant_id ORDER BY m.grant_id) FILTER (WHERE m.grant_id IS NOT NULL), []) AS grant_ids, st.rules
    FROM e LEFT JOIN m ON m.source = e.source AND m.tenant = e.tenant AND m.ref = e.ref
    LEFT JOIN st ON st.source = e.source AND st.tenant = e.tenant AND st.subject_ref = e.ref
    LEFT JOIN identities i ON i.run_id = e.run_id AND i.source = e.source AND i.tenant = e.tenant AND i.ref = e.identity_ref
    WHERE NOT coalesce(i.provider_managed, false)
    GROUP BY ALL ORDER BY e.provider, e.tenant, e.identity_ref, e.resource_ref, e.permission`, [runId]);
  return rows.map((r) => {
    const o = owners.get(identityKey(String(r.source), String(r.tenant), String(r.identity_ref)));
    return {
      item: itemId(String(r.source), String(r.tenant), String(r.ref)), run_id: runId, source: String(r.source), provider: String(r.provider), tenant: String(r.tenant),
      identity: String(r.identity_ref), identity_name: (r.identity_name as string | null) ?? null, resource: String(r.resource_ref), permission: String(r.permission),
      level: String(r.level), grant_ids: (r.grant_ids as string[]) ?? [], state: (r.rules as string | null) ?? 'approved', owner_key: o?.person_id ?? o?.owner ?? '(unowned)',
    };
  });
}

export interface OpenResult { runId: string; packets: { owner: string; dir: string; items: number }[] }

export async function openReviews(store: Store, opts: { outDir: string; owner?: string; run?: string; force?: boolean }): Promise<OpenResult> {
  const run = await evidenceRun(store, opts.run, 'open reviews');
  const owners = await identityOwners(store, run.run_id);
  const items = await reviewItems(store, run.run_id);
  const people = new Map((await store.all<{ person_id: string; name: string | null; email: string | null; status: string } & Record<string, unknown>>(
    'SELECT person_id, name, email, status FROM people WHERE run_id = $1', [run.run_id])).map((p) => [p.person_id, p]));
  const packets = new Map<string, Packet>();
  const packetFor = (key: string, owner: string | null, personId: string | null) => {
    let p = packets.get(key);
    if (!p) {
      const person = personId ? people.get(personId) : undefined;
      p = { key, owner, person_id: personId, name: person?.name ?? null, status: person?.status ?? (owner ? 'unknown' : 'none'), identities: [], credentials: [], items: [], findings: [] };
      packets.set(key, p);
    }
    return p;
  };
  const idents = await store.all<Record<string, unknown>>(`SELECT source, provider, tenant, ref, kind, name, human, created_at, last_used_at, disabled FROM identities
    WHERE run_id = $1 AND human IS NOT TRUE AND kind NOT IN ('group', 'team', 'public', 'user') AND NOT coalesce(provider_managed, false) ORDER BY provider, tenant, ref`, [run.run_id]);
  const byIdentity = new Map<string, Packet>();
  for (const i of idents) {
    const o = owners.get(identityKey(String(i.source), String(i.tenant), String(i.ref)));
    const p = packetFor(o?.person_id ?? o?.owner ?? '(unowned)', o?.owner ?? null, o?.person_id ?? null);
    p.identities.push({ ...i, owner_signal: o?.signal ?? null });
    byIdentity.set(identityKey(String(i.source), String(i.tenant), String(i.ref)), p);
  }
  for (const it of items) {
    const o = owners.get(identityKey(it.source, it.tenant, it.identity));
    packetFor(it.owner_key, o?.owner ?? null, o?.person_id ?? null).items.push(it);
  }
  const creds = await store.all<Record<string, unknown>>(`SELECT source, tenant, ref, kind, name, identity_ref, created_at, last_used_at, expires_at, status FROM credentials
    WHERE run_id = $1 AND kind <> 'exposed_secret' AND identity_ref IS NOT NULL ORDER BY ref`, [run.run_id]);
  for (const c of creds) byIdentity.get(identityKey(String(c.source), String(c.tenant), String(c.identity_ref)))?.credentials.push(c);
  const findings = await store.all<Record<string, unknown>>(`SELECT finding_id, rule_id, severity, source, tenant, subject_type, subject_ref, identity_ref, reason FROM findings
    WHERE run_id = $1 AND status <> 'resolved' AND suppressed_by IS NULL AND identity_ref IS NOT NULL AND source IS NOT NULL ORDER BY severity, rule_id`, [run.run_id]);
  for (const f of findings) byIdentity.get(identityKey(String(f.source), String(f.tenant), String(f.identity_ref)))?.findings.push(f);

  let chosen = [...packets.values()];
  if (opts.owner) {
    const want = opts.owner.toLowerCase();
    chosen = chosen.filter((p) => [p.key, p.owner, p.person_id, p.person_id ? people.get(p.person_id)?.email : null].some((x) => x?.toLowerCase() === want));
    if (!chosen.length) throw new UserError(`no identity or access in run #${run.seq} is owned by "${opts.owner}"; owners there: ${[...packets.keys()].sort().join(', ')}`);
  }
  const out: OpenResult = { runId: run.run_id, packets: [] };
  for (const p of chosen.sort((a, b) => a.key.localeCompare(b.key))) {
    const dir = join(opts.outDir, folderName(p.key));
    if (existsSync(join(dir, 'decisions.csv')) && !opts.force) throw new UserError(`review open does not overwrite ${join(dir, 'decisions.csv')} (it may hold decisions): choose another --out folder, or give --force`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'packet.html'), packetHtml(p, run.run_id));
    writeFileSync(join(dir, 'packet.csv'), packetCsv(p));
    writeFileSync(join(dir, 'decisions.csv'), decisionsTemplate(p));
    out.packets.push({ owner: p.key, dir, items: p.items.length });
  }
  return out;
}

/** A folder name that is safe on every file system and still recognisable. */
function folderName(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._@-]+/g, '_').replace(/^\.+/, '_').slice(0, 60);
  return `${safe}-${shortHash(key).slice(0, 6)}`;
}

function decisionsTemplate(p: Packet): string {
  const lines = [csvLine([...DECISION_COLUMNS])];
  for (const it of p.items) {
    lines.push(csvLine([it.item, it.run_id, it.provider, it.tenant, it.identity, it.identity_name, it.resource, it.permission, it.level, it.grant_ids.join(' '),
      p.person_id ?? p.owner ?? '', '', '', '', '', '', '']));
  }
  return lines.join('\n') + '\n';
}

function packetCsv(p: Packet): string {
  const lines = [csvLine(['section', 'item', 'provider', 'tenant', 'identity', 'resource', 'permission', 'level', 'grants', 'state', 'detail'])];
  for (const it of p.items) lines.push(csvLine(['access', it.item, it.provider, it.tenant, it.identity, it.resource, it.permission, it.level, it.grant_ids.join(' '), it.state, it.identity_name]));
  for (const i of p.identities) lines.push(csvLine(['identity', '', i.provider, i.tenant, i.ref, '', '', '', '', i.disabled ? 'disabled' : 'active', `${i.kind} ${i.name ?? ''}; owner from ${i.owner_signal ?? 'nothing'}`]));
  for (const c of p.credentials) lines.push(csvLine(['credential', '', '', c.tenant, c.identity_ref, c.ref, '', '', '', c.status, `${c.kind} ${c.name ?? ''}; expires ${date(c.expires_at) || 'never'}; last used ${date(c.last_used_at) || 'unknown'}`]));
  for (const f of p.findings) lines.push(csvLine(['finding', f.finding_id, '', f.tenant, f.identity_ref, f.subject_ref, '', '', '', `${f.rule_id} (${f.severity})`, f.reason]));
  return lines.join('\n') + '\n';
}

const date = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v ? String(v).slice(0, 10) : '');

function table(head: string[], rows: unknown[][]): string {
  if (!rows.length) return '<p class="none">None.</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Self-contained: inline style, no script, no external asset; every value escaped. */
function packetHtml(p: Packet, runId: string): string {
  const who = p.name ? `${p.name} (${p.person_id})` : p.owner ?? 'No owner';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Access review: ${esc(who)}</title><style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}.none{color:#777}code{background:#f3f3f3}</style></head><body>
<h1>Access review: ${esc(who)}</h1>
<p>Owner status: ${esc(p.status)}. From run <code>${esc(runId)}</code>. For each access item, write a decision in <code>decisions.csv</code>:
<code>certify</code>, <code>revoke</code>, <code>transfer-to</code> (with <code>transfer_to</code>) or <code>extend-until</code> (with <code>until</code>), and your name as <code>reviewer</code>;
then run <code>nhi-recon review apply decisions.csv</code>.</p>
<h2>Access to decide (${p.items.length})</h2>
${table(['item', 'identity', 'resource', 'permission', 'level', 'grants', 'state'], p.items.map((i) => [i.item, i.identity_name ? `${i.identity_name} (${i.identity})` : i.identity, i.resource, i.permission, i.level, i.grant_ids.join(', ') || 'none', i.state]))}
<h2>Non-human identities (${p.identities.length})</h2>
${table(['identity', 'kind', 'tenant', 'last used', 'owner signal'], p.identities.map((i) => [i.name ? `${i.name} (${i.ref})` : i.ref, i.kind, i.tenant, date(i.last_used_at) || 'unknown', i.owner_signal ?? 'none']))}
<h2>Credentials (${p.credentials.length})</h2>
${table(['credential', 'kind', 'identity', 'created', 'last used', 'expires', 'status'], p.credentials.map((c) => [c.name ?? c.ref, c.kind, c.identity_ref, date(c.created_at), date(c.last_used_at) || 'unknown', date(c.expires_at) || 'never', c.status]))}
<h2>Open findings (${p.findings.length})</h2>
${table(['rule', 'severity', 'subject', 'reason'], p.findings.map((f) => [f.rule_id, f.severity, f.subject_ref, f.reason]))}
</body></html>
`;
}
