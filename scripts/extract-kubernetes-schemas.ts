// Extracts the response schemas of the routes the Kubernetes simulator serves from Kubernetes' published OpenAPI v3
// documents (kubernetes/kubernetes api/openapi-spec/v3/api__v1_openapi.json and
// apis__rbac.authorization.k8s.io__v1_openapi.json), keeping only the schemas reachable from those routes and the
// Status error, and writes test/fixtures/kubernetes/openapi-schemas.json. Descriptions and x-kubernetes-* extension
// keys are dropped (they do not constrain a value); everything else is kept as published.
//   node --import tsx scripts/extract-kubernetes-schemas.ts [dir holding the two files]
// Without a directory, the two files are downloaded at COMMIT from raw.githubusercontent.com.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_SCHEMA, ROUTES } from '../src/sim/kubernetes/routes.js';

const COMMIT = '001a778fa11f78082f945366a80e46d518b21309';
const OUT = new URL('../test/fixtures/kubernetes/openapi-schemas.json', import.meta.url);
const DOCUMENTS = ['api__v1', 'apis__rbac.authorization.k8s.io__v1'] as const;

type Json = Record<string, unknown>;

function load(dir: string | undefined): Record<string, Json> {
  const tmp = dir ? null : mkdtempSync(join(tmpdir(), 'k8s-openapi-'));
  try {
    const out: Record<string, Json> = {};
    for (const d of DOCUMENTS) {
      const file = join(dir ?? tmp!, `${d}_openapi.json`);
      if (!dir) execFileSync('curl', ['-fsSL', '-o', file, `https://raw.githubusercontent.com/kubernetes/kubernetes/${COMMIT}/api/openapi-spec/v3/${d}_openapi.json`], { stdio: 'inherit' });
      out[d] = JSON.parse(readFileSync(file, 'utf8')) as Json;
    }
    return out;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** A schema without documentation: `description` and `x-kubernetes-*` keys removed at every depth. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'description' && !k.startsWith('x-kubernetes-')).map(([k, x]) => [k, strip(x)]));
}

function main(): void {
  const docs = load(process.argv[2]);
  const schemaOf = (name: string): unknown => {
    for (const d of DOCUMENTS) {
      const s = ((docs[d]!.components as Json).schemas as Json)[name];
      if (s) return s;
    }
    throw new Error(`schema ${name} is in neither document`);
  };
  const needed = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith('#/components/schemas/')) {
        const name = x.slice('#/components/schemas/'.length);
        if (!needed.has(name)) { needed.add(name); walk(schemaOf(name)); }
      } else walk(x);
    }
  };
  const routes: Record<string, { status: number; schema: unknown }> = {};
  for (const r of ROUTES) {
    const op = ((docs[r.document]!.paths as Record<string, Record<string, Json>>)[r.path] ?? {})[r.method.toLowerCase()];
    if (!op) throw new Error(`${r.method} ${r.path} is not in ${r.document}_openapi.json`);
    const resp = (op.responses as Record<string, Json>)[String(r.status)];
    if (!resp) throw new Error(`${r.method} ${r.path} has no ${r.status} response`);
    const schema = (resp.content as Record<string, { schema: unknown }>)['application/json']!.schema;
    walk(schema);
    routes[`${r.method} ${r.path}`] = { status: r.status, schema };
  }
  walk({ $ref: `#/components/schemas/${ERROR_SCHEMA}` });
  const schemas: Json = {};
  for (const n of [...needed].sort()) schemas[n] = strip(schemaOf(n));
  const version = (docs.api__v1!.info as Json).version;
  writeFileSync(OUT, JSON.stringify({ source: `kubernetes/kubernetes@${COMMIT} api/openapi-spec/v3/{${DOCUMENTS.join(',')}}_openapi.json (${String(version)})`, routes, components: { schemas } }, null, 1) + '\n');
  console.log(`wrote ${Object.keys(routes).length} routes and ${needed.size} schemas to ${OUT.pathname}`);
}

main();
