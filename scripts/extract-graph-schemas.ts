// Extracts, from Microsoft Graph's published v1.0 metadata (the CSDL that Microsoft's OpenAPI documents are generated
// from: github.com/microsoftgraph/msgraph-metadata, schemas/v1.0-Prod.csdl), the routes the Azure simulator serves
// (src/sim/azure/graph-routes.ts) and the JSON Schemas of their responses, and writes
// test/fixtures/azure/graph-v1.0-routes.json. The full description is megabytes; only what our routes reach is kept.
//   node --import tsx scripts/extract-graph-schemas.ts [path/to/v1.0-Prod.csdl [revision]]
// Without a path it downloads the file from the repository's default branch. Each route is resolved through the model
// (entity set → key → navigation property or bound action); a route the model lacks fails the script.
import { readFileSync, writeFileSync } from 'node:fs';
import { GRAPH_ROUTES } from '../src/sim/azure/graph-routes.js';

const SOURCE = 'https://raw.githubusercontent.com/microsoftgraph/msgraph-metadata/master/schemas/v1.0-Prod.csdl';
const OUT = new URL('../test/fixtures/azure/graph-v1.0-routes.json', import.meta.url);

type Json = Record<string, unknown>;
interface Prop { name: string; type: string; nullable: boolean }
interface TypeDef { name: string; kind: 'entity' | 'complex' | 'enum'; base: string | null; open: boolean; props: Prop[]; navs: Prop[]; members: string[] }
interface Bound { name: string; binding: string; returns: string | null }

const attrs = (line: string): Record<string, string> => Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
const local = (t: string) => t.replace(/^(graph|microsoft\.graph)\./, '');

/** The microsoft.graph schema of the CSDL: types, entity sets, bound actions and functions. */
function parse(csdl: string) {
  const types = new Map<string, TypeDef>();
  const sets = new Map<string, string>();
  const bound: Bound[] = [];
  let cur: TypeDef | null = null;
  let op: Bound | null = null;
  let inGraph = false;
  for (const raw of csdl.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('<Schema ')) { inGraph = attrs(line).Namespace === 'microsoft.graph'; continue; }
    if (!inGraph) continue;
    const a = attrs(line);
    const open = /^<(EntityType|ComplexType|EnumType) /.exec(line);
    if (open) {
      cur = { name: a.Name!, kind: open[1] === 'EntityType' ? 'entity' : open[1] === 'ComplexType' ? 'complex' : 'enum', base: a.BaseType ? local(a.BaseType) : null,
        open: a.OpenType === 'true', props: [], navs: [], members: [] };
      types.set(cur.name, cur);
      if (line.endsWith('/>')) cur = null;
      continue;
    }
    if (/^<\/(EntityType|ComplexType|EnumType)>/.test(line)) { cur = null; continue; }
    if (cur && line.startsWith('<Property ')) cur.props.push({ name: a.Name!, type: a.Type!, nullable: a.Nullable !== 'false' });
    else if (cur && line.startsWith('<NavigationProperty ')) cur.navs.push({ name: a.Name!, type: a.Type!, nullable: a.Nullable !== 'false' });
    else if (cur && line.startsWith('<Member ')) cur.members.push(a.Name!);
    else if (line.startsWith('<EntitySet ')) sets.set(a.Name!, local(a.EntityType!));
    else if (/^<(Action|Function) /.test(line) && a.IsBound === 'true') { op = { name: a.Name!, binding: '', returns: null }; bound.push(op); }
    else if (op && line.startsWith('<Parameter ') && a.Name === 'bindingParameter') op.binding = a.Type!.replace(/graph\./, '');
    else if (op && line.startsWith('<ReturnType ')) op.returns = a.Type!.replace(/graph\./, '');
    else if (/^<\/(Action|Function)>/.test(line)) op = null;
  }
  return { types, sets, bound };
}

function main(): void {
  const arg = process.argv[2];
  const csdlPromise = arg ? Promise.resolve(readFileSync(arg, 'utf8')) : fetch(SOURCE).then((r) => { if (!r.ok) throw new Error(`GET ${SOURCE}: ${r.status}`); return r.text(); });
  void csdlPromise.then((csdl) => {
    const { types, sets, bound } = parse(csdl);
    const needed = new Set<string>();
    const chain = (t: string): TypeDef[] => { const out: TypeDef[] = []; for (let d = types.get(t); d; d = d.base ? types.get(d.base) : undefined) out.push(d); return out; };

    /** JSON Schema of an EDM type reference. */
    const ref = (type: string, nullable: boolean): Json => {
      const coll = /^Collection\((.+)\)$/.exec(type);
      if (coll) return { type: 'array', items: ref(coll[1]!, false) };
      const edm: Record<string, Json> = {
        'Edm.String': { type: 'string' }, 'Edm.Boolean': { type: 'boolean' }, 'Edm.Int32': { type: 'integer' }, 'Edm.Int64': { type: 'integer' },
        'Edm.Double': { type: 'number' }, 'Edm.Guid': { type: 'string', format: 'uuid' }, 'Edm.DateTimeOffset': { type: 'string', format: 'date-time' },
        'Edm.Date': { type: 'string', format: 'date' }, 'Edm.Binary': { type: 'string' }, 'Edm.Stream': { type: 'string' }, 'Edm.Duration': { type: 'string' },
      };
      let s: Json;
      if (edm[type]) s = { ...edm[type] };
      // `graph.x` in the metadata; a bare name where a route resolved to a type of this schema.
      else if (/^(graph|microsoft\.graph)\.[^.]+$/.test(type) || types.has(type)) { const n = local(type); walk(n); s = { $ref: `#/components/schemas/microsoft.graph.${n}` }; }
      else s = {}; // another namespace: not checked
      return nullable ? { anyOf: [s, { type: 'null' }] } : s;
    };
    const schemas: Json = {};
    /** A type's schema: its own and its bases' properties flattened, so that no undeclared property passes. */
    function walk(name: string): void {
      if (needed.has(name)) return;
      needed.add(name);
      const d = types.get(name);
      if (!d) throw new Error(`type ${name} is not in the metadata`);
      if (d.kind === 'enum') { schemas[`microsoft.graph.${name}`] = { type: 'string', enum: d.members }; return; }
      const properties: Json = {};
      for (const t of chain(name).reverse()) {
        for (const p of t.props) properties[p.name] = ref(p.type, p.nullable && !p.type.startsWith('Collection('));
        // Navigation properties appear only when expanded ($expand=owners): allowed, not checked.
        for (const n of t.navs) properties[n.name] = {};
      }
      schemas[`microsoft.graph.${name}`] = { type: 'object', properties, patternProperties: { '^@odata\\.': {} }, additionalProperties: false };
    }

    /** Resolves a route path to the type it addresses ('Collection(x)' or 'x'), and the bound operation if it ends in one. */
    const resolve = (path: string): { type: string; op: Bound | null } => {
      const segs = path.split('/').filter(Boolean);
      const first = sets.get(segs[0]!);
      if (!first) throw new Error(`${path}: no entity set ${segs[0]}`);
      let type = `Collection(${first})`;
      for (const seg of segs.slice(1)) {
        const coll = /^Collection\((.+)\)$/.exec(type)?.[1];
        if (seg === '{id}') { if (!coll) throw new Error(`${path}: a key on a single entity`); type = coll; continue; }
        const owner = coll ?? type;
        const nav = chain(owner).flatMap((t) => t.navs).find((n) => n.name === seg);
        if (nav && !coll) { type = local(nav.type.replace(/^Collection\((.+)\)$/, '$1')); if (nav.type.startsWith('Collection(')) type = `Collection(${type})`; continue; }
        const names = chain(owner).map((t) => (coll ? `Collection(${t.name})` : t.name));
        const op = bound.find((b) => b.name === seg && names.includes(b.binding));
        if (op) return { type: op.returns ? local(op.returns.replace(/^Collection\((.+)\)$/, '$1')) : '', op };
        throw new Error(`${path}: ${seg} is neither a navigation property nor an operation bound to ${owner}`);
      }
      return { type, op: null };
    };

    const routes: Record<string, { status: number; schema: unknown; resolves_to: string }> = {};
    for (const r of GRAPH_ROUTES) {
      const { type, op } = resolve(r.path);
      let schema: unknown = null;
      if (op) {
        if (op.returns) schema = { type: 'object', properties: { value: ref(op.returns, false) }, required: ['value'] };
      } else if (r.method === 'GET') {
        const coll = /^Collection\((.+)\)$/.exec(type)?.[1];
        schema = coll ? { type: 'object', properties: { value: ref(type, false), '@odata.nextLink': { type: 'string' }, '@odata.context': { type: 'string' } }, required: ['value'] } : ref(type, false);
      } else if (r.method === 'POST') schema = ref(/^Collection\((.+)\)$/.exec(type)?.[1] ?? type, false);
      if (r.status === 204) schema = null;
      routes[`${r.method} ${r.path}`] = { status: r.status, schema, resolves_to: op ? `${op.name} bound to ${op.binding}` : type };
    }
    // The derived types a directoryObject collection may hold (getByIds, role members, owners).
    for (const t of ['user', 'group', 'servicePrincipal']) walk(t);
    const sorted: Json = {};
    for (const k of Object.keys(schemas).sort()) sorted[k] = schemas[k];
    writeFileSync(OUT, JSON.stringify({ source: `microsoftgraph/msgraph-metadata schemas/v1.0-Prod.csdl${process.argv[3] ? ` at ${process.argv[3]}` : arg ? '' : ' (default branch)'}`, routes, components: { schemas: sorted } }, null, 1) + '\n');
    console.log(`wrote ${Object.keys(routes).length} routes and ${needed.size} schemas to ${OUT.pathname}`);
  });
}

main();
