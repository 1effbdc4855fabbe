// Extracts the response schemas of the routes the Okta simulator serves from Okta's published OpenAPI description
// (github.com/okta/okta-management-openapi-spec, dist/<version>/management-oneOfInheritance-noExamples.yaml, ~2.3 MB),
// keeps only the schemas reachable from our routes, and writes test/fixtures/okta/openapi-routes.json.
//   node --import tsx scripts/extract-okta-schemas.ts [path/to/management.yaml]
// Without a path it downloads the pinned release below from GitHub.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ROUTES, ERROR_SCHEMA } from '../src/sim/okta/routes.js';

const VERSION = '2026.06.3';
const FILE = `dist/${VERSION}/management-oneOfInheritance-noExamples.yaml`;
const URL_ = `https://raw.githubusercontent.com/okta/okta-management-openapi-spec/master/${FILE}`;
const OUT = new URL('../test/fixtures/okta/openapi-routes.json', import.meta.url);

type Json = Record<string, unknown>;

async function loadDescription(arg?: string): Promise<Json> {
  const text = arg ? readFileSync(arg, 'utf8') : await (await fetch(URL_)).text();
  return parse(text, { maxAliasCount: -1 }) as Json;
}

async function main(): Promise<void> {
  const doc = await loadDescription(process.argv[2]);
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
  const routes: Record<string, { status: number; schema: unknown; scopes: string[] }> = {};
  for (const r of ROUTES) {
    const op = paths[r.path]?.[r.method.toLowerCase()];
    if (!op) throw new Error(`${r.method} ${r.path} is not in Okta's OpenAPI description`);
    let resp = (op.responses as Record<string, Json>)[String(r.status)];
    if (!resp) throw new Error(`${r.method} ${r.path} has no ${r.status} response`);
    if (typeof resp.$ref === 'string') resp = components.responses[(resp.$ref as string).split('/').pop()!] as Json;
    const schema = (resp.content as Record<string, { schema: unknown }> | undefined)?.['application/json']?.schema ?? null;
    walk(schema);
    // The OAuth scopes the description names for the call: the least privileges the docs list are checked against these.
    const scopes = ((op.security as { oauth2?: string[] }[] | undefined) ?? []).flatMap((s) => s.oauth2 ?? []);
    routes[`${r.method} ${r.path}`] = { status: r.status, schema, scopes };
  }
  walk({ $ref: `#/components/schemas/${ERROR_SCHEMA}` });
  const schemas: Json = {};
  for (const n of [...needed].sort()) schemas[n] = components.schemas[n];
  const info = doc.info as Json;
  writeFileSync(OUT, JSON.stringify({ source: `okta/okta-management-openapi-spec ${FILE} (${String(info.version)})`, routes, components: { schemas } }, null, 1) + '\n');
  console.log(`wrote ${Object.keys(routes).length} routes and ${needed.size} schemas to ${OUT.pathname}`);
}

await main();
