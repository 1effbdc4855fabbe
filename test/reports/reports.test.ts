import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { openStore, tempDir } from '../helpers/index.js';
import { writeReports, parseFormats } from '../../src/reports/index.js';
import { REPORT_JSON_SCHEMA } from '../../src/reports/schema.js';
import { CSV_COLUMNS } from '../../src/reports/csv.js';
import { mdEscape } from '../../src/reports/markdown.js';
import { BIG_ID, HOSTILE, insertFinding, insertRun, seedHistory } from './seed.js';
import { validateOcsfEvent } from './ocsf-validate.js';

const NOW = new Date('2024-03-15T12:00:00Z');

async function seeded() {
  const store = await openStore();
  await seedHistory(store);
  const out = tempDir();
  const { files } = await writeReports(store, { runId: 'run-3', formats: ['json', 'csv', 'ocsf', 'markdown', 'html'], outDir: out, now: NOW });
  return { store, out, files };
}

describe('writeReports', () => {
  it('writes every format owner-only and leaves no temp files behind', async () => {
    const { out, files } = await seeded();
    expect(files.map((f) => f.format)).toEqual(['json', 'csv', 'ocsf', 'markdown', 'html']);
    expect(readdirSync(out).sort()).toEqual(['findings.csv', 'findings.ocsf.jsonl', 'guards.csv', 'manifest.json', 'report.html', 'report.json', 'summary.md']);
    for (const f of files) expect(statSync(f.path).mode & 0o777).toBe(0o600);
  });

  it('JSON: matches the documented schema, separates muted findings, carries days open, completeness and actions', async () => {
    const { out } = await seeded();
    const text = readFileSync(join(out, 'report.json'), 'utf8');
    const report = JSON.parse(text);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const valid = ajv.validate(REPORT_JSON_SCHEMA, report);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(report.schema_version).toBe('1.1.0');
    expect(report.previous_run.run_id).toBe('run-2');
    expect(report.findings.map((f: { finding_id: string }) => f.finding_id).sort()).toEqual(['f-expired-1', 'f-expired-6', 'f-leak-5', 'f-orphan-4', 'f-ungranted-2']);
    expect(report.suppressed.map((f: { finding_id: string; suppressed_by: string }) => [f.finding_id, f.suppressed_by])).toEqual([['f-stale-3', 'EX-1']]);
    const byId = Object.fromEntries(report.findings.map((f: { finding_id: string }) => [f.finding_id, f]));
    expect(byId['f-ungranted-2'].first_seen).toBe('2024-03-01T00:00:00.000Z');
    expect(byId['f-ungranted-2'].days_open).toBe(14);
    expect(byId['f-ungranted-2'].carried).toBe(true);
    expect(byId['f-expired-6'].days_open).toBe(7); // resolved: first seen 03-08, resolved 03-15
    expect(byId['f-leak-5'].remediation).toMatchObject({ action_id: 'act-2', state: 'verified', verified: true });
    expect(report.summary).toMatchObject({ open: 4, new: 0, regressed: 1, resolved: 1, suppressed: 1, carried: 1 });
    expect(report.summary.by_severity).toMatchObject({ critical: 2, high: 1, medium: 1, low: 0 });
    expect(report.completeness.complete).toBe(false);
    expect(report.completeness.tenants.find((t: { provider: string }) => t.provider === 'github')).toMatchObject({ status: 'partial', error: 'rate budget exhausted after 3 retries' });
    // Lifecycle: grants expired 02-01 and 03-01, access removed 03-08 and 03-15 → 36 and 14 days; f-expired-1 regressed and is open 43 days after expiry.
    expect(report.lifecycle).toEqual({ removed: 2, median_days: 25, worst_days: 36, still_open: 1, oldest_open_days: 43 });
    expect(report.trend.map((t: { seq: number; open: number }) => [t.seq, t.open])).toEqual([[1, 4], [2, 4], [3, 4]]);
    expect(report.actions.map((a: { action_id: string; state: string }) => [a.action_id, a.state])).toEqual([['act-2', 'verified'], ['act-3', 'failed']]);
    // 64-bit integers inside evidence survive byte for byte (never parsed into a JS number on the way out).
    expect(text).toContain(`"key_id":${BIG_ID}`);
  });

  it('JSON: include_resolved=false leaves resolved findings out', async () => {
    const store = await openStore();
    await seedHistory(store);
    const out = tempDir();
    await writeReports(store, { runId: 'run-3', formats: ['json'], outDir: out, now: NOW, includeResolved: false });
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.findings.every((f: { status: string }) => f.status !== 'resolved')).toBe(true);
    expect(report.findings).toHaveLength(4);
  });

  it('CSV: one row per finding with the documented columns, formula cells defused', async () => {
    const store = await openStore();
    await seedHistory(store);
    await insertFinding(store, 'run-3', {
      finding_id: 'f-hostile', rule_id: 'ungranted-access', severity: 'high', status: 'new', provider: 'github', tenant: 'acme', source: 'github-acme',
      subject_type: 'identity', subject_ref: HOSTILE, owner: '@evil', reason: '+cmd|calc', first_seen: '2024-03-15T00:00:00', last_seen: '2024-03-15T00:00:00',
    });
    const out = tempDir();
    const { files } = await writeReports(store, { runId: 'run-3', formats: ['csv'], outDir: out, now: NOW });
    const rows = parse(readFileSync(join(out, 'findings.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(files[0]!.rows).toBe(7);
    expect(rows).toHaveLength(7); // every finding of the run, muted ones marked
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    const hostile = rows.find((r) => r.finding_id === 'f-hostile')!;
    expect(hostile.subject_ref).toBe(`'${HOSTILE}`);
    expect(hostile.owner).toBe(`'@evil`);
    expect(hostile.reason).toBe(`'+cmd|calc`);
    expect(rows.find((r) => r.finding_id === 'f-stale-3')!.suppressed_by).toBe('EX-1');
    expect(rows.find((r) => r.finding_id === 'f-leak-5')!.remediation_state).toBe('verified');
    expect(rows.find((r) => r.finding_id === 'f-leak-5')!.evidence).toContain(BIG_ID);
    expect(rows.find((r) => r.finding_id === 'f-ungranted-2')!.days_open).toBe('14');
  });

  it('OCSF: one Detection Finding per finding and one Remediation Activity per action, each valid against the class', async () => {
    const { out } = await seeded();
    const lines = readFileSync(join(out, 'findings.ocsf.jsonl'), 'utf8').trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(5 + 1 + 2);
    for (const e of events) expect(validateOcsfEvent(e), JSON.stringify(e).slice(0, 200)).toEqual([]);
    const findings = events.filter((e) => e.class_uid === 2004);
    expect(findings).toHaveLength(6);
    const info = (id: string) => findings.find((e) => (e.finding_info as { uid: string }).uid === id)!;
    expect(info('f-expired-6')).toMatchObject({ activity_id: 3, status_id: 4, type_uid: 200403 });
    expect(info('f-stale-3')).toMatchObject({ status_id: 3, status: 'Suppressed' });
    expect(info('f-leak-5')).toMatchObject({ severity_id: 5, activity_id: 2, cloud: { provider: 'github', account: { uid: 'acme' } } });
    const remediation = events.filter((e) => e.class_uid === 7001);
    expect(remediation.map((e) => [e.command_uid, (e.metadata as { correlation_uid: string }).correlation_uid, e.status_id])).toEqual([['act-2', 'f-leak-5', 1], ['act-3', 'f-orphan-4', 2]]);
    // BIGINT-safe: the 2^53+1 id in evidence and in the action's verification is written exactly.
    expect(lines.filter((l) => l.includes(`"key_id":${BIG_ID}`))).toHaveLength(2);
  });

  it('OCSF validator rejects a missing required attribute, an unknown attribute and an unsafe integer', () => {
    const ok = { activity_id: 1, category_uid: 2, category_name: 'Findings', class_uid: 2004, class_name: 'Detection Finding', type_uid: 200401, severity_id: 1,
      time: 1, metadata: { version: '1.1.0', product: { name: 'x', vendor_name: 'x' }, profiles: ['cloud'] }, cloud: { provider: 'AWS' }, finding_info: { uid: 'u', title: 't' } };
    expect(validateOcsfEvent(ok)).toEqual([]);
    expect(validateOcsfEvent({ ...ok, finding_info: { uid: 'u' } })).toContain('$.finding_info.title: required');
    expect(validateOcsfEvent({ ...ok, bogus: 1 })).toContain('$.bogus: not an attribute of this class');
    expect(validateOcsfEvent({ ...ok, time: 2 ** 53 + 2 })[0]).toMatch(/epoch milliseconds/);
    expect(validateOcsfEvent({ ...ok, type_uid: 200402 })).toContain('$.type_uid: must be class_uid * 100 + activity_id');
  });

  it('Markdown: leads with what changed since the previous run and escapes provider-controlled text', async () => {
    const { out } = await seeded();
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    const lines = md.split('\n').filter((l) => l.trim());
    expect(lines[0]).toMatch(/^## nhi-recon — run #3/);
    expect(lines[1]).toBe('**Since run #2 (2024-03-08): 0 new, 1 regressed, 1 resolved.** 4 open in total, 1 muted by exceptions.');
    expect(md).toContain('> [!WARNING]');
    expect(md).toContain('github-acme/acme: partial');
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('✅ **verified** — delete\\_deploy\\_key');
    expect(md).toContain('median of **25 days**');
    expect(mdEscape('a|b\nc')).toBe('a\\|b c');
  });

  it('Markdown --by-owner: one section per accountable owner, unowned first', async () => {
    const store = await openStore();
    await seedHistory(store);
    const out = tempDir();
    await writeReports(store, { runId: 'run-3', formats: ['markdown', 'json'], outDir: out, now: NOW, byOwner: true });
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    const sections = [...md.matchAll(/^#### (.+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(['(no owner)', 'alice', 'bob']);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.owners.map((o: { owner: string | null; open: number }) => [o.owner, o.open])).toEqual([[null, 1], ['bob', 2], ['alice', 1]]);
  });

  it('HTML: self-contained, CSP-pinned, hostile names inert, row limit stated', async () => {
    const store = await openStore();
    await seedHistory(store);
    const out = tempDir();
    await writeReports(store, { runId: 'run-3', formats: ['html'], outDir: out, now: NOW, htmlRowLimit: 3 });
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toContain('<script>alert(1)');
    const data = JSON.parse(html.match(/<script type="application\/json" id="findings-data">([\s\S]*?)<\/script>/)![1]!);
    expect(data).toHaveLength(3);
    expect(html).toContain('The table holds the 3 most severe of 6 findings');
    expect(html).toMatch(/<svg role="img" aria-label="Trend across runs: open findings"/);
  });

  it('rejects an unknown run and unknown formats with a user error', async () => {
    const store = await openStore();
    await insertRun(store, { run_id: 'run-x', seq: 1, started_at: '2024-01-01T00:00:00', status: 'complete' });
    await expect(writeReports(store, { runId: 'nope', formats: ['json'], outDir: tempDir() })).rejects.toThrow(/run nope is not in the database/);
    expect(() => parseFormats(['json,pdf'], ['json'])).toThrow(/unknown report format "pdf"/);
    expect(parseFormats(['md', 'json'], [])).toEqual(['markdown', 'json']);
    expect(parseFormats(undefined, ['csv'])).toEqual(['csv']);
  });
});
