// Extracts, from Google's published discovery document of the IAM API (iam v1), the methods the GCP simulator's
// workload identity routes and service-account policy route implement (src/sim/gcp/wif.ts IAM_ROUTES) and the schemas
// reachable from their responses, into test/fixtures/gcp/iam_v1.json for test/sim/gcp/contract.test.ts. Prose
// (description, enumDescriptions) is dropped: the contract is the shapes, not the wording.
//   node --import tsx scripts/extract-gcp-iam-schemas.ts [path/to/iam.v1.json [label]]
// Without a path it reads Google's discovery service (https://iam.googleapis.com/$discovery/rest?version=v1); the same
// document is kept in googleapis/google-api-dotnet-client as DiscoveryJson/iam.v1.json and in
// googleapis/google-api-go-client as iam/v1/iam-api.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { IAM_ROUTES } from '../src/sim/gcp/wif.js';

const URL_ = 'https://iam.googleapis.com/$discovery/rest?version=v1';
const OUT = new URL('../test/fixtures/gcp/iam_v1.json', import.meta.url);

type Json = Record<string, any>;

async function loadDescription(arg?: string, label?: string): Promise<{ doc: Json; from: string }> {
  if (arg) return { doc: JSON.parse(readFileSync(arg, 'utf8')) as Json, from: label ?? arg.split('/').slice(-2).join('/') };
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

/** The schema without its prose, keys sorted so a re-extraction diffs cleanly. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v as Json).filter(([k]) => k !== 'description' && k !== 'enumDescriptions')
    .sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(x as Json).sort(([a], [b]) => a.localeCompare(b)).map(([pk, pv]) => [pk, shape(pv)])) : shape(x)]));
}

async function main(): Promise<void> {
  const { doc, from } = await loadDescription(process.argv[2], process.argv[3]);
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
  for (const r of IAM_ROUTES) {
    const m = all.get(r.id);
    if (!m) throw new Error(`${r.id} is not in the discovery document`);
    if (m.response?.$ref) walk({ $ref: m.response.$ref });
    methods[r.id] = {
      httpMethod: m.httpMethod, path: m.path,
      parameters: Object.fromEntries(Object.entries(m.parameters ?? {}).sort(([a], [b]) => a.localeCompare(b))
        .map(([k, p]) => [k, { location: (p as Json).location, required: !!(p as Json).required, type: (p as Json).type, ...((p as Json).pattern ? { pattern: (p as Json).pattern } : {}) }])),
      response: m.response?.$ref ?? null, scopes: m.scopes ?? [],
    };
  }
  const schemas: Json = {};
  for (const n of [...needed].sort()) {
    if (!doc.schemas[n]) throw new Error(`schema ${n} is not in the discovery document`);
    schemas[n] = shape(doc.schemas[n]);
  }
  writeFileSync(OUT, JSON.stringify({
    source: `Google discovery document ${doc.id} revision ${doc.revision} (${from})`, rootUrl: doc.rootUrl,
    global_parameters: Object.keys(doc.parameters ?? {}).sort(), methods, schemas,
  }, null, 1) + '\n');
  console.log(`wrote ${Object.keys(methods).length} methods and ${needed.size} schemas to ${OUT.pathname}`);
}

await main();
