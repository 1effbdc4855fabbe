// Extracts the response schemas of the routes the GitHub simulator serves from GitHub's published OpenAPI description
// (@octokit/openapi, GitHub Enterprise Cloud flavour, which also holds the SAML credential-authorization routes).
// The package is ~385 MB unpacked, so it is never a dependency: this script packs it into a temporary folder, keeps
// only the schemas reachable from our routes, and writes test/fixtures/github/openapi-routes.json.
//   node --import tsx scripts/extract-github-schemas.ts [path/to/ghec.json]
// The four App routes of issue #16 were first vendored by hand; the fixture was re-extracted by this script (with the
// four Actions routes of issue #17: workflow permissions and OIDC subject templates), so every entry now comes from it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES, ERROR_SCHEMA } from '../src/sim/github/routes.js';

const VERSION = '23.0.2';
const OUT = new URL('../test/fixtures/github/openapi-routes.json', import.meta.url);

type Json = Record<string, unknown>;

function loadDescription(arg?: string): Json {
  if (arg) return JSON.parse(readFileSync(arg, 'utf8')) as Json;
  const dir = mkdtempSync(join(tmpdir(), 'gh-openapi-'));
  try {
    execFileSync('npm', ['pack', `@octokit/openapi@${VERSION}`, '--silent'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    execFileSync('tar', ['xzf', `octokit-openapi-${VERSION}.tgz`, 'package/generated/ghec.json'], { cwd: dir });
    return JSON.parse(readFileSync(join(dir, 'package/generated/ghec.json'), 'utf8')) as Json;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const doc = loadDescription(process.argv[2]);
  const components = doc.components as { schemas: Json; responses: Json };
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const needed = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith('#/components/schemas/')) {
        const name = x.slice('#/components/schemas/'.length);
        if (!needed.has(name)) { needed.add(name); walk(components.schemas[name]); }
      } else walk(x);
    }
  };
  const routes: Record<string, { status: number; schema: unknown }> = {};
  for (const r of ROUTES) {
    const op = paths[r.path]?.[r.method.toLowerCase()];
    if (!op) throw new Error(`${r.method} ${r.path} is not in GitHub's OpenAPI description`);
    let resp = (op.responses as Record<string, Json>)[String(r.status)];
    if (!resp) throw new Error(`${r.method} ${r.path} has no ${r.status} response`);
    if (typeof resp.$ref === 'string') resp = components.responses[(resp.$ref as string).split('/').pop()!] as Json;
    const schema = (resp.content as Record<string, { schema: unknown }> | undefined)?.['application/json']?.schema ?? null;
    walk(schema);
    routes[`${r.method} ${r.path}`] = { status: r.status, schema };
  }
  walk({ $ref: `#/components/schemas/${ERROR_SCHEMA}` });
  const schemas: Json = {};
  for (const n of [...needed].sort()) schemas[n] = components.schemas[n];
  const info = doc.info as Json;
  writeFileSync(OUT, JSON.stringify({ source: `@octokit/openapi@${VERSION} generated/ghec.json (${String(info.version)})`, routes, components: { schemas } }, null, 1) + '\n');
  console.log(`wrote ${Object.keys(routes).length} routes and ${needed.size} schemas to ${OUT.pathname}`);
}

main();
