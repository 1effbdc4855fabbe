// Extracts, from Google's published discovery document of the Admin SDK Directory API (admin directory_v1), the
// methods the Workspace simulator serves (src/sim/workspace/server.ts ROUTES) and the schemas reachable from their
// responses, into test/fixtures/workspace/directory_v1.json for test/sim/workspace/contract.test.ts.
//   node --import tsx scripts/extract-workspace-schemas.ts [path/to/admin.directory_v1.json]
// Without a path it reads Google's discovery service (https://admin.googleapis.com/$discovery/rest?version=directory_v1);
// the same document is kept in googleapis/discovery-artifact-manager as discoveries/admin.directory_v1.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { ROUTES } from '../src/sim/workspace/server.js';

const URL_ = 'https://admin.googleapis.com/$discovery/rest?version=directory_v1';
const OUT = new URL('../test/fixtures/workspace/directory_v1.json', import.meta.url);

type Json = Record<string, any>;

async function loadDescription(arg?: string): Promise<{ doc: Json; from: string }> {
  if (arg) return { doc: JSON.parse(readFileSync(arg, 'utf8')) as Json, from: arg.split('/').slice(-2).join('/') };
  const res = await fetch(URL_);
  if (!res.ok) throw new Error(`${URL_}: HTTP ${res.status}`);
  return { doc: (await res.json()) as Json, from: URL_ };
}

function methodsOf(resources: Json, out = new Map<string, Json>()): Map<string, Json> {
  for (const r of Object.values(resources ?? {})) {
    for (const m of Object.values((r as Json).methods ?? {})) out.set((m as Json).id, m as Json);
    methodsOf((r as Json).resources, out);
  }
  return out;
}

async function main(): Promise<void> {
  const { doc, from } = await loadDescription(process.argv[2]);
  const all = methodsOf(doc.resources);
  const needed = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') { if (!needed.has(x)) { needed.add(x); walk(doc.schemas[x]); } } else walk(x);
    }
  };
  const methods: Json = {};
  for (const r of ROUTES) {
    const m = all.get(r.id);
    if (!m) throw new Error(`${r.id} is not in the discovery document`);
    if (r.response) walk({ $ref: r.response });
    methods[r.id] = {
      httpMethod: m.httpMethod, path: m.path,
      parameters: Object.fromEntries(Object.entries(m.parameters ?? {}).map(([k, p]) => [k, { location: (p as Json).location, required: !!(p as Json).required, type: (p as Json).type }])),
      response: m.response?.$ref ?? null, scopes: m.scopes ?? [],
    };
  }
  const schemas: Json = {};
  for (const n of [...needed].sort()) schemas[n] = doc.schemas[n];
  writeFileSync(OUT, JSON.stringify({
    source: `Google discovery document ${doc.id} revision ${doc.revision} (${from})`, rootUrl: doc.rootUrl,
    global_parameters: Object.keys(doc.parameters ?? {}).sort(), methods, schemas,
  }, null, 1) + '\n');
  console.log(`wrote ${Object.keys(methods).length} methods and ${needed.size} schemas to ${OUT.pathname}`);
}

await main();
