// CI/CD variable values never leave the connector: the simulator serves recognisable values (GitLab's API returns
// `value`), and after collect (twice: the second revalidates with ETags), reconcile and every report format, the
// database (raw bytes, its WAL and every text column), the reports and the logs hold none of them. The variables'
// names are found, so the search itself works.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { collectStage, reconcileStage, reportStage } from '../../../src/pipeline/scan.js';
import { REPORT_FORMATS } from '../../../src/reports/types.js';
import { ADMIN_TOKEN, generateEstate } from '../../../src/sim/gitlab/estate.js';
import { setup } from './helpers.js';

const files = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((p) => statSync(p).isFile());

describe('gitlab CI/CD variable values (canary)', () => {
  it('never reach the database bytes, its WAL, any text column, the reports or the logs', async () => {
    const estate = generateEstate({ projects: 5, seed: 17 });
    const canaries: string[] = [];
    const names: string[] = [];
    for (const [i, p] of estate.projects.entries()) {
      const value = `NHICANARYGL${randomBytes(12).toString('hex')}`;
      const name = `NHI_VISIBLE_NAME_${i}`;
      canaries.push(value); names.push(name);
      p.variables.push({ key: name, value, variable_type: i % 2 ? 'file' : 'env_var', protected: false, masked: false, hidden: false, raw: true, environment_scope: '*', description: null });
    }
    const groupValue = `NHICANARYGROUP${randomBytes(12).toString('hex')}`;
    canaries.push(groupValue);
    estate.groups[1]!.variables.push({ key: 'GROUP_DEPLOY', value: groupValue, variable_type: 'env_var', protected: true, masked: true, hidden: false, raw: false, environment_scope: '*', description: null });
    const t = await setup({ estate });
    const lines: string[] = [];
    const log = createLogger({ verbose: true, json: true, write: (l) => lines.push(l) });

    // The simulator really hands the values out, as GitLab does.
    const direct = await fetch(`${t.sim.url}/api/v4/projects/acme%2Fproj-000/variables`, { headers: { 'private-token': ADMIN_TOKEN } });
    expect(await direct.text()).toContain(canaries[0]);

    const walSeen: string[] = [];
    for (let pass = 0; pass < 2; pass++) {
      const { run, outcomes } = await collectStage(t.store, t.loaded, { log, env: t.env });
      expect(outcomes[0]!.status).toBe('complete');
      // While the store is open the WAL may hold the run: search it now as well.
      for (const f of files(t.dir)) { const b = readFileSync(f); for (const c of canaries) if (b.includes(c)) walSeen.push(`${f}`); }
      await reconcileStage(t.store, t.loaded, run.run_id);
      await reportStage(t.store, t.loaded, run.run_id, { formats: [...REPORT_FORMATS], outDir: join(t.dir, 'reports') });
    }
    expect(walSeen).toEqual([]);

    const hits: string[] = [];
    const cols = await t.store.all<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'main' AND (data_type = 'VARCHAR' OR data_type = 'JSON')`);
    let namesFound = 0;
    for (const { t: table, c } of cols) {
      for (const n of canaries) if (Number(await t.store.value(`SELECT count(*) FROM "${table}" WHERE contains("${c}"::VARCHAR, $1)`, [n]))) hits.push(`db ${table}.${c}`);
      namesFound += Number(await t.store.value(`SELECT count(*) FROM "${table}" WHERE contains("${c}"::VARCHAR, $1)`, [names[0]]));
    }
    expect(namesFound).toBeGreaterThan(0);
    for (const f of files(t.dir)) { const b = readFileSync(f); for (const c of canaries) if (b.includes(c)) hits.push(f); }
    for (const l of lines) for (const c of canaries) if (l.includes(c)) hits.push(`log: ${l.slice(0, 80)}`);
    expect(hits).toEqual([]);
    const reports = files(join(t.dir, 'reports'));
    expect(reports.length).toBeGreaterThanOrEqual(REPORT_FORMATS.length);
    expect(reports.some((f) => readFileSync(f, 'utf8').includes(names[0]!))).toBe(true);
  });
});
