// The scale-out examples are linted: the GitHub Actions matrix workflow against SchemaStore's workflow schema (the
// fixture test/reports uses too), the Kubernetes Indexed Jobs for the fields sharding depends on, and both for the
// commands they run, parsed with the CLI's own shard parser so a typo there cannot pass.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import { parseShard } from '../../src/pipeline/collect.js';
import { COMMANDS } from '../../src/commands/index.js';

const read = (rel: string) => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
const schema = JSON.parse(read('../fixtures/schemas/github-workflow.json')) as Record<string, unknown>;
const validator = () => new Ajv({ allErrors: true, strict: false }).compile(schema);

/** The nhi-recon invocations in a shell script: command name and its flags. */
function invocations(script: string): { command: string; flags: Map<string, string> }[] {
  const out: { command: string; flags: Map<string, string> }[] = [];
  for (const line of script.split('\n')) {
    const m = /nhi-recon(?:@\S+)? (\w+)((?: +--?[\w-]+(?: +(?!--)(?:'[^']*'|"[^"]*"|\S+))?)*)/.exec(line);
    if (!m) continue;
    const flags = new Map<string, string>();
    for (const f of m[2]!.matchAll(/--([\w-]+)(?: +(?!--)('[^']*'|"[^"]*"|\S+))?/g)) flags.set(f[1]!, (f[2] ?? '').replace(/^['"]|['"]$/g, ''));
    out.push({ command: m[1]!, flags });
  }
  return out;
}

const known = new Set(COMMANDS.map((c) => c.command.split(' ')[0]));

describe('examples/shards-github-actions.yml', () => {
  const text = read('../../examples/shards-github-actions.yml');
  const wf = parse(text) as Record<string, any>;
  type Step = { uses?: string; run?: string; if?: string; id?: string; with?: Record<string, unknown> };
  const collect = wf.jobs.collect as { strategy: any; steps: Step[]; env: Record<string, string> };
  const reconcile = wf.jobs.reconcile as { needs: string; if: string; steps: Step[] };

  it('is a valid GitHub Actions workflow, and the schema rejects a broken one', () => {
    const validate = validator();
    expect(validate(wf), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(wf);
    broken.jobs.collect.strategy.matrix = 'shards';
    expect(validator()(broken)).toBe(false);
  });

  it('runs one collect job per shard, 1..N, without cancelling the others when one fails', () => {
    const n = Number(wf.env.SHARDS);
    expect(n).toBeGreaterThan(1);
    expect(collect.strategy.matrix.shard).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(collect.strategy['fail-fast']).toBe(false);
    const runs = collect.steps.flatMap((s) => invocations(s.run ?? ''));
    const c = runs.find((r) => r.command === 'collect')!;
    for (const k of collect.strategy.matrix.shard as number[]) {
      const shard = c.flags.get('shard')!.replace('${{ matrix.shard }}', String(k)).replace('$SHARDS', String(n));
      expect(parseShard(shard)).toEqual({ index: k, total: n });
    }
    // Each shard has its own database; the export goes to the folder the artifact uploads.
    expect(c.flags.get('db')).toBe('$SHARD_DB');
    expect(collect.env.SHARD_DB).toContain('${{ matrix.shard }}');
    const e = runs.find((r) => r.command === 'export')!;
    const upload = collect.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with!.path).toBe(e.flags.get('parquet'));
    expect(upload.with!.name).toContain('${{ matrix.shard }}');
    expect(upload.with!.overwrite).toBe(true);
    expect(runs.map((r) => r.command).every((cmd) => known.has(cmd))).toBe(true);
    // Exit 3 (incomplete tenants) still exports; other failures do not.
    const step = collect.steps.find((s) => /nhi-recon collect/.test(s.run ?? ''))!;
    expect(step.run).toMatch(/-ne 0 \] && \[ "\$code" -ne 3 \]; then exit "\$code"/);
  });

  it('reconciles after every shard, even a failed one, from the downloaded artifacts, and fails on exit 3', () => {
    expect(reconcile.needs).toBe('collect');
    expect(reconcile.if).toMatch(/!cancelled\(\)|always\(\)/);
    const download = reconcile.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    const upload = collect.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(download.with!.pattern).toBe(String(upload.with!.name).replace('${{ matrix.shard }}', '*'));
    const runs = reconcile.steps.flatMap((s) => invocations(s.run ?? ''));
    const r = runs.find((x) => x.command === 'reconcile')!;
    expect(r.flags.get('from')).toBe(`${String(download.with!.path).replace(/\/$/, '')}/**/*.parquet`);
    expect(runs.find((x) => x.command === 'report')!.flags.get('fail-on')).toBe('high');
    const fail = reconcile.steps.at(-1)!;
    expect(fail.if).toContain("steps.reconcile.outputs.exit_code != '0'");
    expect(fail.run).toMatch(/exit 1/);
    // The merged history survives between nights.
    expect(reconcile.steps.some((s) => s.uses?.startsWith('actions/cache/restore@'))).toBe(true);
    expect(reconcile.steps.some((s) => s.uses?.startsWith('actions/cache/save@') && s.if === 'always()')).toBe(true);
  });
});

describe('examples/k8s-indexed-job.yaml', () => {
  const docs = parseAllDocuments(read('../../examples/k8s-indexed-job.yaml')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Record<string, any>;
  });
  const byName = (name: string) => docs.find((d) => d.metadata?.name === name)!;
  const collect = byName('nhi-recon-collect');
  const reconcile = byName('nhi-recon-reconcile');
  const pvc = byName('nhi-recon-data');

  it('holds a shared volume, an Indexed collect Job and a reconcile Job', () => {
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['v1 PersistentVolumeClaim', 'batch/v1 Job', 'batch/v1 Job']);
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    for (const job of [collect, reconcile]) {
      const pod = job.spec.template.spec;
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
      expect(pod.containers[0].volumeMounts.find((m: any) => m.name === 'data').mountPath).toBe('/data');
      expect(job.metadata.labels['app.kubernetes.io/component']).toBe(job.spec.template.metadata.labels['app.kubernetes.io/component']);
    }
  });

  it('collect: completionMode Indexed, completions = parallelism = SHARDS, --shard from $(JOB_COMPLETION_INDEX)', () => {
    const spec = collect.spec;
    expect(spec.completionMode).toBe('Indexed');
    const container = spec.template.spec.containers[0];
    const shards = Number(container.env.find((e: any) => e.name === 'SHARDS').value);
    expect(spec.completions).toBe(shards);
    expect(spec.parallelism).toBe(shards);
    expect(container.env.find((e: any) => e.name === 'JOB_COMPLETION_INDEX').valueFrom.fieldRef.fieldPath)
      .toBe("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    const script = container.args.join('\n') as string;
    expect(script).toContain('index=$(JOB_COMPLETION_INDEX)');
    // Simulate Kubernetes' $(VAR) expansion and the shell for each index: every shard 1..N exactly once.
    const c = invocations(script).find((r) => r.command === 'collect')!;
    const seen = new Set<number>();
    for (let index = 0; index < spec.completions; index++) {
      const shard = index + 1; // shard=$((index + 1))
      expect(script).toContain('shard=$((index + 1))');
      const parsed = parseShard(c.flags.get('shard')!.replace('$shard', String(shard)).replace('$SHARDS', String(shards)));
      expect(parsed.total).toBe(shards);
      seen.add(parsed.index);
    }
    expect([...seen].sort()).toEqual(Array.from({ length: shards }, (_, i) => i + 1));
    // Each index its own database and export folder, cleared before a retry writes it again.
    expect(c.flags.get('db')).toContain('$shard');
    const e = invocations(script).find((r) => r.command === 'export')!;
    expect(e.flags.get('parquet')).toBe('$out');
    expect(script).toMatch(/out="\/data\/exports\/shard-\$shard"/);
    expect(script.indexOf('rm -rf "$out"')).toBeLessThan(script.indexOf('collect --config'));
    expect(spec.podReplacementPolicy).toBe('Failed');
  });

  it('reconcile: merges every export on the volume and never retries an answer (exit 2/3) as a crash', () => {
    const spec = reconcile.spec;
    expect(spec.completionMode ?? 'NonIndexed').toBe('NonIndexed');
    expect(spec.backoffLimit).toBe(0);
    const script = spec.template.spec.containers[0].args.join('\n') as string;
    const runs = invocations(script);
    expect(runs.find((r) => r.command === 'reconcile')!.flags.get('from')).toBe('/data/exports/**/*.parquet');
    expect(runs.find((r) => r.command === 'report')!.flags.get('fail-on')).toBe('high');
    const collectScript = collect.spec.template.spec.containers[0].args.join('\n') as string;
    const exportDir = invocations(collectScript).find((r) => r.command === 'export')!;
    expect(exportDir.flags.get('parquet')).toBe('$out');
    expect(runs.map((r) => r.command).every((cmd) => known.has(cmd))).toBe(true);
  });
});
