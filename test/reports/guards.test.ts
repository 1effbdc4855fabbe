// Issue 14 class 2: the guards' decisions (a suspect tenant, an accepted drop) appear in every report format.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { openStore, tempDir, writeConfig } from '../helpers/index.js';
import { collectStage, reconcileStage } from '../../src/pipeline/scan.js';
import { writeReports } from '../../src/reports/index.js';
import { REPORT_JSON_SCHEMA } from '../../src/reports/schema.js';
import { silentLogger } from '../../src/log.js';
import { validateOcsfEvent } from './ocsf-validate.js';

function inventory(dir: string, n: number) {
  const ids = Array.from({ length: n }, (_, i) => `svc-${i + 1}`);
  writeFileSync(join(dir, 'inv', 'identities.csv'), 'ref,kind,name\n' + ids.map((r) => `${r},service_account,${r}`).join('\n') + '\n');
}

async function runs() {
  const dir = tempDir();
  mkdirSync(join(dir, 'inv'));
  const store = await openStore(dir);
  const loaded = await writeConfig(dir, { sources: [{ name: 'saas', type: 'file', options: { path: 'inv', provider: 'slack', tenant: 'acme' } }], authority: { required: false } });
  const scan = async (opts: Record<string, unknown> = {}) => {
    const { run } = await collectStage(store, loaded, { log: silentLogger, ...opts });
    await reconcileStage(store, loaded, run.run_id);
    return run.run_id;
  };
  inventory(dir, 10);
  await scan();
  inventory(dir, 1);
  const suspect = await scan();
  const accepted = await scan({ acceptDrop: ['acme'], actor: 'alice' });
  return { store, suspect, accepted };
}

async function reports(store: Awaited<ReturnType<typeof openStore>>, runId: string) {
  const out = tempDir();
  await writeReports(store, { runId, formats: ['json', 'csv', 'ocsf', 'markdown', 'html'], outDir: out });
  const read = (f: string) => readFileSync(join(out, f), 'utf8');
  return {
    json: JSON.parse(read('report.json')),
    csv: parse(read('guards.csv'), { columns: true }) as Record<string, string>[],
    ocsf: read('findings.ocsf.jsonl').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>),
    md: read('summary.md'),
    html: read('report.html'),
  };
}

describe('guard decisions in the reports', () => {
  it('a suspect tenant: JSON section (schema-valid), guards.csv rows, one OCSF event per decision, Markdown and HTML sections', async () => {
    const { store, suspect } = await runs();
    const r = await reports(store, suspect);

    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    expect(ajv.validate(REPORT_JSON_SCHEMA, r.json), JSON.stringify(ajv.errors)).toBe(true);
    expect(r.json.completeness.complete).toBe(false);
    expect(r.json.completeness.tenants[0]).toMatchObject({ tenant: 'acme', status: 'suspect' });
    const decisions = r.json.guards.decisions as Record<string, unknown>[];
    expect(decisions).toEqual(expect.arrayContaining([expect.objectContaining({
      guard: 'collection', decision: 'suspect', source: 'saas', provider: 'slack', tenant: 'acme', collection: 'identities', kind: null, baseline: 10, current: 1,
    })]));

    expect(r.csv.length).toBe(decisions.length);
    expect(r.csv).toEqual(expect.arrayContaining([expect.objectContaining({ guard: 'collection', decision: 'suspect', tenant: 'acme', collection: 'identities', baseline: '10', current: '1' })]));

    const events = r.ocsf.filter((e) => e.finding_info?.analytic?.uid === 'guard-collection');
    expect(events.length).toBe(decisions.length);
    for (const e of events) expect(validateOcsfEvent(e)).toEqual([]);
    expect(events[0]).toMatchObject({ class_uid: 2004, status: 'New', cloud: { provider: 'slack', account: { uid: 'acme' } } });

    expect(r.md).toContain('### Plausibility guards');
    expect(r.md).toMatch(/suspect.*saas\/acme.*identities: 10 → 1/);
    expect(r.html).toContain('id="guards"');
    expect(r.html).toContain('identities: 10 → 1');
  });

  it('an accepted drop: who accepted it and how, in every format', async () => {
    const { store, accepted } = await runs();
    const r = await reports(store, accepted);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    expect(ajv.validate(REPORT_JSON_SCHEMA, r.json), JSON.stringify(ajv.errors)).toBe(true);
    expect(r.json.completeness.complete).toBe(true);
    expect(r.json.guards.decisions.every((d: Record<string, unknown>) => d.decision === 'accepted' && d.accepted_by === 'alice' && d.accepted_via === '--accept-drop acme')).toBe(true);
    expect(r.csv.length).toBeGreaterThan(0);
    expect(r.csv.every((d) => d.decision === 'accepted' && d.accepted_by === 'alice')).toBe(true);
    const events = r.ocsf.filter((e) => e.finding_info?.analytic?.uid === 'guard-collection');
    expect(events.length).toBe(r.json.guards.decisions.length);
    for (const e of events) expect(validateOcsfEvent(e)).toEqual([]);
    expect(events[0]).toMatchObject({ status: 'Resolved', activity_name: 'Close' });
    expect(r.md).toMatch(/accepted by alice \(--accept-drop acme\)/);
    expect(r.html).toContain('accepted by alice');
  });
});
