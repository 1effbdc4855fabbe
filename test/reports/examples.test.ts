// The CI examples are linted: the GitHub workflow against SchemaStore's workflow schema (a fixture copied from
// SchemaStore), the GitLab job for the structure GitLab requires, and both for the steps the nightly job promises.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv } from 'ajv';

const read = (rel: string) => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
const schema = JSON.parse(read('../fixtures/schemas/github-workflow.json')) as Record<string, unknown>;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe('examples/github-actions-nightly.yml', () => {
  const text = read('../../examples/github-actions-nightly.yml');
  const wf = parse(text) as Record<string, any>;

  it('is a valid GitHub Actions workflow', () => {
    const validate = validator();
    const ok = validate(wf);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects a broken workflow (so the check above means something)', () => {
    const validate = validator();
    const broken = structuredClone(wf);
    delete broken.jobs.scan['runs-on'];
    expect(validate(broken)).toBe(false);
    expect(validate({ ...wf, on: { schedule: [{ cron: 'every night' }] } })).toBe(false);
  });

  it('restores the database, scans with --fail-on high, publishes the summary and the reports, ships OCSF (commented)', () => {
    const steps = wf.jobs.scan.steps as { uses?: string; run?: string; if?: string; with?: Record<string, string> }[];
    const restore = steps.findIndex((s) => s.uses?.startsWith('actions/cache/restore@'));
    const scan = steps.findIndex((s) => /nhi-recon scan .*--fail-on high/.test(s.run ?? ''));
    expect(restore).toBeGreaterThanOrEqual(0);
    expect(scan).toBeGreaterThan(restore);
    expect(steps.some((s) => /reports\/summary\.md >> "\$GITHUB_STEP_SUMMARY"/.test(s.run ?? '') && s.if === 'always()')).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === 'reports/' && s.if === 'always()')).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith('actions/cache/save@'))).toBe(true);
    expect(text).toMatch(/^\s*# .*findings\.ocsf\.jsonl/m);
    expect(wf.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(wf.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });
});

describe('examples/gitlab-ci-nightly.yml', () => {
  const text = read('../../examples/gitlab-ci-nightly.yml');
  const ci = parse(text) as Record<string, any>;
  const job = ci['nhi-recon-nightly'];

  it('is a scheduled job with the database in the cache and the reports as artifacts', () => {
    expect(Object.keys(ci)).toEqual(['nhi-recon-nightly']);
    expect(job.rules[0].if).toMatch(/\$CI_PIPELINE_SOURCE == "schedule"/);
    expect(job.cache).toMatchObject({ paths: ['state/'], when: 'always' });
    expect(job.artifacts).toMatchObject({ when: 'always', paths: ['reports/'] });
    expect((job.script as string[]).some((l) => /nhi-recon scan .*--fail-on high/.test(l))).toBe(true);
    expect((job.script as string[]).some((l) => l.includes('reports/summary.md'))).toBe(true);
    expect(text).toMatch(/^\s*# .*findings\.ocsf\.jsonl/m);
    for (const key of Object.keys(job)) {
      expect(['image', 'rules', 'resource_group', 'timeout', 'id_tokens', 'variables', 'cache', 'before_script', 'script', 'artifacts']).toContain(key);
    }
  });
});
