// Secrets never leak. Recognisable fake tokens and keys are put in the environment, in the config, in import payloads
// (a `password` column, a token inside attributes) and — through the AWS simulator — into a real rotation, whose new
// secret access key passes through the tool. Then the database (every text column, and the raw file bytes), every
// report, plan and log, and stdout/stderr are searched: zero hits. A visible marker planted beside them is found, so
// the search itself is proven to work.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli.js';
import { createLogger } from '../../src/log.js';
import { Store } from '../../src/store/store.js';
import { collectStage, reconcileStage, reportStage } from '../../src/pipeline/scan.js';
import { loadConfig } from '../../src/config/load.js';
import { DEMO_PROVIDERS } from '../../src/commands/demo.js';
import type { DemoParts } from '../../src/sim/demo-types.js';
import { onCleanup, tempDir } from '../helpers/index.js';

const rnd = (n: number) => randomBytes(n).toString('hex');
const CANARY = {
  github: `ghp_NHICANARY${rnd(13)}`,
  githubPat: `github_pat_NHICANARY${rnd(20)}`,
  awsSecret: `NHIcanaryAWS${rnd(14)}`,
  azure: `nhi~canary.azure.${rnd(12)}`,
  gcp: `ya29.nhicanarygcp${rnd(14)}`,
  pem: `-----BEGIN PRIVATE KEY-----\nNHICANARYPEM${rnd(24)}\n-----END PRIVATE KEY-----`,
  payloadPassword: `nhicanarypassword${rnd(10)}`,
  payloadToken: `ghp_NHICANARYPAYLOAD${rnd(12)}`,
  inlineConfig: `nhicanaryinline${rnd(10)}`,
};
const MARKER = `nhi-visible-marker-${rnd(6)}`;

interface Capture { out: string[]; err: string[] }

async function cli(argv: string[], env: NodeJS.ProcessEnv, cap: Capture): Promise<number> {
  return main(argv, {
    out: (l) => cap.out.push(l), env, interactive: false,
    log: createLogger({ json: argv.includes('--json-logs'), verbose: true, write: (l) => cap.err.push(l) }),
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((p) => statSync(p).isFile());
}

/** Every hit of any needle: raw bytes of every file, every text column of the database, and the captured streams. */
async function search(dir: string, db: string, needles: string[], streams: string[], inputs: string[] = []): Promise<string[]> {
  const hits: string[] = [];
  // Everything the tool wrote (the database, its WAL, reports, plans); the inputs that carry the canaries are skipped.
  for (const f of filesUnder(dir).filter((p) => !inputs.some((i) => p.startsWith(i)))) {
    const bytes = readFileSync(f);
    for (const n of needles) if (bytes.includes(n)) hits.push(`${f}: ${n.slice(0, 24)}`);
  }
  for (const s of streams) for (const n of needles) if (s.includes(n)) hits.push(`stream: ${n.slice(0, 24)}`);
  // DuckDB compresses strings on disk, so the file bytes alone prove nothing: ask the database too.
  const store = await Store.open(db, { readOnly: true });
  try {
    const cols = await store.all<{ t: string; c: string }>(`SELECT table_name AS t, column_name AS c FROM information_schema.columns
      WHERE table_schema = 'main' AND (data_type = 'VARCHAR' OR data_type = 'JSON')`);
    for (const { t, c } of cols) {
      for (const n of needles) {
        const k = Number(await store.value(`SELECT count(*) FROM "${t}" WHERE contains("${c}"::VARCHAR, $1)`, [n]));
        if (k) hits.push(`db ${t}.${c}: ${n.slice(0, 24)}`);
      }
    }
  } finally { store.close(); }
  return hits;
}

/** Leave the parent's environment as it was. */
function withEnv(vars: Record<string, string>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  onCleanup(() => { for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v; });
}

const ENV = {
  GITHUB_TOKEN: CANARY.github, GH_TOKEN: CANARY.githubPat, AWS_SECRET_ACCESS_KEY: CANARY.awsSecret, AWS_SESSION_TOKEN: CANARY.awsSecret + 'S',
  AZURE_CLIENT_SECRET: CANARY.azure, GOOGLE_OAUTH_ACCESS_TOKEN: CANARY.gcp, NHI_PRIVATE_KEY: CANARY.pem,
};

describe('secrets never leak', () => {
  it('a full scan of every available simulator, with canaries in env, payloads and config: zero hits', { timeout: 300_000 }, async () => {
    const dir = tempDir();
    const inv = join(dir, 'inventory');
    mkdirSync(inv);
    writeFileSync(join(inv, 'identities.csv'), `ref,kind,name,human,token\nsvc-1,service_account,${MARKER},false,${CANARY.payloadToken}\n`);
    writeFileSync(join(inv, 'credentials.ndjson'), JSON.stringify({ ref: 'cred-1', kind: 'stored_secret', name: 'db', identity_ref: 'svc-1',
      password: CANARY.payloadPassword, attributes: { note: `rotated; old value ${CANARY.payloadToken}`, nested: { private_key: CANARY.pem, secret_value: CANARY.payloadPassword } } }) + '\n');
    writeFileSync(join(inv, 'entitlements.csv'), 'identity_ref,resource_ref,permission,level\nsvc-1,db,admin,admin\n');

    const parts: (DemoParts & { name: string })[] = [];
    const demos: Record<string, () => Promise<{ startDemo(): Promise<DemoParts> }>> = {
      github: () => import('../../src/sim/github/demo.js'), aws: () => import('../../src/sim/aws/demo.js'),
      azure: () => import('../../src/sim/azure/demo.js'), gcp: () => import('../../src/sim/gcp/demo.js'),
      workspace: () => import('../../src/sim/workspace/demo.js'),
      okta: () => import('../../src/sim/okta/demo.js'),
      kubernetes: () => import('../../src/sim/kubernetes/demo.js'),
      gitlab: () => import('../../src/sim/gitlab/demo.js'),
    };
    expect(Object.keys(demos).sort()).toEqual([...DEMO_PROVIDERS].sort());
    for (const [name, load] of Object.entries(demos)) {
      const p = await (await load()).startDemo();
      parts.push({ name, ...p });
      onCleanup(() => p.close());
    }
    const authority = {
      grants: [{ id: 'g-1', provider: 'acme', identity: 'svc-1', max_level: 'read' }, ...parts.flatMap((p) => p.authority.grants)],
      owners: parts.flatMap((p) => p.authority.owners),
      people: mergePeople(parts.flatMap((p) => p.authority.people)),
    };
    for (const k of ['grants', 'owners', 'people'] as const) writeFileSync(join(dir, `${k}.yaml`), stringify({ [k]: authority[k] }));
    const config = {
      database: 'db.duckdb',
      sources: [{ name: 'inv', type: 'file', options: { path: 'inventory', provider: 'acme', tenant: 'acme' } }, ...parts.flatMap((p) => p.sources)],
      authority: { grants: 'grants.yaml', owners: 'owners.yaml', people: 'people.yaml' },
      reports: { out_dir: 'reports', formats: ['json', 'csv', 'ocsf', 'markdown', 'html'] },
    };
    writeFileSync(join(dir, 'nhi-recon.yaml'), stringify(config));
    const simEnv = Object.assign({}, ...parts.map((p) => p.env)) as Record<string, string>;
    const env = { ...process.env, ...ENV, ...simEnv };
    withEnv({ ...ENV, ...simEnv });
    const cap: Capture = { out: [], err: [] };
    const cfg = join(dir, 'nhi-recon.yaml');
    for (const flags of [['--json-logs'], []]) {
      const code = await cli(['scan', '--config', cfg, '--verbose', ...flags], env, cap);
      expect([0, 1, 3], cap.err.join('\n')).toContain(code);
    }
    // A config that writes a credential inline is refused without echoing it.
    writeFileSync(join(dir, 'inline.yaml'), stringify({ ...config, sources: [{ name: 'gh', type: 'github', options: { token: CANARY.inlineConfig } }] }));
    expect(await cli(['validate', '--config', join(dir, 'inline.yaml')], env, cap)).toBe(2);
    // (src/log.ts redact() reads "token: credentials" as a secret and masks the word: the field is still named.)
    expect(cap.err.join('\n')).toMatch(/inline\.yaml:\d+ sources\[0\]\.options\.token: /);

    const needles = [...Object.values(CANARY), ...Object.values(simEnv).filter((v) => v.length >= 8)];
    const hits = await search(dir, join(dir, 'db.duckdb'), needles, [...cap.out, ...cap.err], [inv, join(dir, 'inline.yaml')]);
    expect(hits).toEqual([]);
    // The search works: the visible marker planted beside the canaries is found in the database and the reports.
    const found = await search(dir, join(dir, 'db.duckdb'), [MARKER], []);
    expect(found.some((h) => h.startsWith('db identities.name')), JSON.stringify(found) + cap.err.filter((l) => /WARN|ERROR|inv/.test(l)).slice(0, 20).join('\n')).toBe(true);
    expect(found.some((h) => h.includes('report.json'))).toBe(true);
    console.log(`secrets: ${needles.length} canaries, ${parts.length + 1} sources (${['file', ...parts.map((p) => p.name)].join(', ')}), 0 hits`);
  });

  it('other doors: a URL with user-info in the config, secret-named columns at any depth, a non-inventory file, a token in an error: zero hits', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const c = (tag: string) => `CANARY${tag}${rnd(6)}`;
    const D = {
      url: c('urlpw'), db_password: c('dbpw'), aws_secret_access_key: c('aws'), secret_access_key: c('sak'), secret_key: c('sk'),
      github_token: c('ght'), private_key_pem: c('pem'), passphrase: c('pp'), pwd: c('pwd'), value: c('val'), nested_password: c('np'),
      camel: c('camel'), header: c('hdr'), json: c('json'), errToken: `ghp_NHICANARYERR${rnd(12)}`,
    };
    const inv = join(dir, 'inventory');
    mkdirSync(inv);
    const cols = ['db_password', 'aws_secret_access_key', 'secret_access_key', 'secret_key', 'github_token', 'private_key_pem', 'passphrase', 'pwd', 'value'] as const;
    writeFileSync(join(inv, 'identities.csv'), `ref,kind,name,${cols.join(',')},attributes\n`
      + `svc-1,service_account,${MARKER},${cols.map((k) => D[k]).join(',')},"{""credentials"":{""nested_password"":""${D.nested_password}""}}"\n`);
    writeFileSync(join(inv, 'credentials.ndjson'), JSON.stringify({ ref: 'cred-1', kind: 'stored_secret', identity_ref: 'svc-1', DbPassword: D.camel,
      attributes: { deep: { deeper: { nested_password: D.nested_password } }, list: [{ value: D.value }] } }) + '\n');
    // Files that are not inventories at all: an AWS credentials file and broken JSON whose parse error would quote it.
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'aws-credentials.csv'), `[default] aws_secret_access_key=${D.header}\n`);
    writeFileSync(join(other, 'identities.json'), `[{"ref": "x", "kind": "user", "note": ${D.json}}]`);
    writeFileSync(join(other, 'identities.ndjson'), `{"ref": "y", "note": ${D.json}}\n`);
    const config = {
      database: 'db.duckdb',
      sources: [
        { name: 'inv', type: 'file', options: { path: 'inventory', provider: 'acme', tenant: 'acme' } },
        { name: 'other1', type: 'file', options: { files: ['other/aws-credentials.csv'], provider: 'acme', tenant: 'o1' } },
        { name: 'other2', type: 'file', options: { files: ['other/identities.json'], provider: 'acme', tenant: 'o2' } },
        { name: 'other3', type: 'file', options: { files: ['other/identities.ndjson'], provider: 'acme', tenant: 'o3' } },
        // An error that quotes a path shaped like a token.
        { name: 'missing', type: 'file', options: { files: [`exports/${D.errToken}.csv`], provider: 'acme', tenant: 'm' } },
      ],
      authority: { grants: 'grants.yaml' },
      reports: { out_dir: 'reports', formats: ['json', 'csv', 'ocsf', 'markdown', 'html'] },
    };
    writeFileSync(join(dir, 'grants.yaml'), stringify({ grants: [{ id: 'g-1', provider: 'acme', identity: 'svc-1', max_level: 'read' }] }));
    writeFileSync(join(dir, 'nhi-recon.yaml'), stringify(config));
    const cap: Capture = { out: [], err: [] };
    for (const flags of [['--json-logs'], []]) {
      const code = await cli(['scan', '--config', join(dir, 'nhi-recon.yaml'), '--verbose', ...flags], process.env, cap);
      expect(code, cap.err.join('\n')).toBe(3);
    }
    // A URL with user-info in any connector's options is refused (exit 2) naming file, line and field, not the URL.
    writeFileSync(join(dir, 'url.yaml'), stringify({ ...config, sources: [{ name: 'gh', type: 'github', options: { base_url: `http://admin:${D.url}@127.0.0.1:9/api`, token_env: 'GITHUB_TOKEN' } }] }));
    for (const cmd of ['validate', 'scan']) expect(await cli([cmd, '--config', join(dir, 'url.yaml')], process.env, cap)).toBe(2);
    expect(cap.err.join('\n')).toMatch(/url\.yaml:\d+ sources\[0\]\.options\.base_url: .*credentials/);
    // The non-inventory files are named, with line and what was wrong.
    const err = cap.err.join('\n');
    expect(err).toMatch(/aws-credentials\.csv:1: missing column\(s\) ref, kind: the header has 1 column; expected ref, kind/);
    expect(err).toMatch(/identities\.json:1: invalid JSON: syntax error at column 39/);
    expect(err).toMatch(/identities\.ndjson:1: invalid JSON: syntax error at column 22/);

    const hits = await search(dir, join(dir, 'db.duckdb'), Object.values(D), [...cap.out, ...cap.err], [inv, other, join(dir, 'url.yaml'), join(dir, 'nhi-recon.yaml')]); // inputs the test wrote, not outputs
    expect(hits).toEqual([]);
    const found = await search(dir, join(dir, 'db.duckdb'), [MARKER], []);
    expect(found.some((h) => h.startsWith('db identities.name'))).toBe(true);
    // The secret-named columns are still there, by name: only their values are gone.
    const store = await Store.open(join(dir, 'db.duckdb'), { readOnly: true });
    try {
      const attrs = JSON.parse(String(await store.value(`SELECT attributes::VARCHAR FROM identities WHERE ref = 'svc-1' LIMIT 1`))) as Record<string, unknown>;
      for (const k of cols) expect(attrs[k]).toBe('[redacted]');
      const errors = await store.all<{ source: string; error: string }>(`SELECT source, error FROM source_runs WHERE error IS NOT NULL ORDER BY source`);
      expect(errors.map((e) => e.source)).toEqual(expect.arrayContaining(['missing', 'other1', 'other2', 'other3']));
    } finally { store.close(); }
  });

  it('an AWS access-key rotation: the new secret goes to the sink and nowhere else', { timeout: 300_000 }, async () => {
    const { generateEstate } = await import('../../src/sim/aws/estate.js');
    const { startAwsSim } = await import('../../src/sim/aws/server.js');
    const { applyPlan, planActions } = await import('../../src/remediate/index.js');
    const estate = generateEstate({ users: 6, roles: 1, groups: 1, policies: 2, secrets: 1 });
    const sim = await startAwsSim(estate);
    onCleanup(() => sim.close());
    // A pass-through proxy in front of the simulator records every secret access key it hands out.
    const minted: string[] = [];
    const proxy = await startProxy(sim.url, (body) => { for (const m of body.matchAll(/<SecretAccessKey>([^<]+)<\/SecretAccessKey>/g)) minted.push(m[1]!); });
    onCleanup(() => new Promise<void>((r) => proxy.server.close(() => r())));

    const dir = tempDir();
    writeFileSync(join(dir, 'grants.yaml'), stringify({ grants: [{ id: 'g-all', provider: 'aws', identity: '*', owner: 'alice', granted_at: '2024-01-01' }] }));
    const rotate = (rule: string) => ({ rule, provider: 'aws', operation: 'rotate-access-key' });
    writeFileSync(join(dir, 'nhi-recon.yaml'), stringify({
      database: 'db.duckdb',
      sources: [{ name: 'aws', type: 'aws', options: { endpoint: proxy.url, sts_endpoint: proxy.url, credential_report: { poll_seconds: 0 }, rotation_sink: { type: 'secretsmanager', endpoint: proxy.url } } }],
      authority: { grants: ['grants.yaml'] },
      reports: { out_dir: 'reports', formats: ['json', 'csv', 'ocsf', 'markdown', 'html'] },
      remediation: { max_actions: 25, max_fraction: 1, min_consecutive_runs: 1,
        actions: [rotate('unrotated-credential'), rotate('stale-credential'), rotate('non-expiring-credential'), rotate('orphaned-identity')] },
    }));
    const loaded = await loadConfig(join(dir, 'nhi-recon.yaml'));
    const env = { ...process.env, ...ENV, AWS_ACCESS_KEY_ID: estate.baseAccessKeyId };
    const lines: string[] = [];
    const log = createLogger({ json: true, verbose: true, write: (l) => lines.push(l) });
    const store = await Store.open(loaded.config.database);
    let verified = 0;
    try {
      const { run } = await collectStage(store, loaded, { log, env });
      await reconcileStage(store, loaded, run.run_id);
      const plan = await planActions(store, loaded, { log });
      const rotations = plan.actions.filter((a) => a.operation === 'rotate-access-key');
      expect(rotations.length, JSON.stringify(plan.held.slice(0, 5))).toBeGreaterThan(0);
      const res = await applyPlan(store, loaded, plan, { enforce: true, log, env });
      verified = res.verified;
      await reportStage(store, loaded, run.run_id, { formats: loaded.config.reports.formats, outDir: loaded.config.reports.out_dir });
      // The next scan collects the rotated keys' metadata.
      const { run: r2 } = await collectStage(store, loaded, { log, env });
      await reconcileStage(store, loaded, r2.run_id);
    } finally { store.close(); }
    expect(verified).toBeGreaterThan(0);
    expect(minted.length).toBeGreaterThan(0);
    const hits = await search(dir, join(dir, 'db.duckdb'), [...minted, CANARY.awsSecret], lines);
    expect(hits).toEqual([]);
    console.log(`secrets: ${minted.length} rotated AWS secret key(s) and the env canary searched, 0 hits`);
  });
});

/** Simulators share people (alice appears in several): one record each, with all their logins, as the demo does. */
function mergePeople(people: Record<string, unknown>[]): Record<string, unknown>[] {
  const byId = new Map<string, Record<string, unknown>>();
  for (const p of people) {
    const prev = byId.get(String(p.id));
    if (!prev) { byId.set(String(p.id), { ...p, logins: { ...(p.logins as object) } }); continue; }
    const logins = prev.logins as Record<string, string[]>;
    for (const [k, v] of Object.entries((p.logins ?? {}) as Record<string, string[] | string>)) logins[k] = [...new Set([...(logins[k] ?? []), ...(Array.isArray(v) ? v : [v])])];
  }
  return [...byId.values()];
}

/** An HTTP pass-through to `target` that shows each response body to `seen` (the simulator speaks plain HTTP). */
async function startProxy(target: string, seen: (body: string) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      try {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'connection' && k !== 'content-length')) as Record<string, string>;
        const r = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        const body = Buffer.from(await r.arrayBuffer());
        seen(body.toString('utf8'));
        const out: Record<string, string> = {};
        r.headers.forEach((v, k) => { if (k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'content-length') out[k] = v; });
        res.writeHead(r.status, out).end(body);
      } catch (e) { res.writeHead(502).end(String(e)); }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${addr.port}` };
}
