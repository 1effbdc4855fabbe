// OpenAPI (3.0, and Swagger 2.0 definitions) → JSON Schema for the simulator contract tests, shared so each provider's
// test states only its own reading of its description. Ajv with formats, strict off (descriptions carry keywords Ajv
// does not know), all errors.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export function contractAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, discriminator: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

type Node = Record<string, unknown>;

export interface ConvertOptions {
  /**
   * A provider's reading of one schema node before the generic conversion (e.g. what its generator's output means):
   * gets the node as published and returns the node to convert. Called for every schema node, properties included.
   */
  read?: (node: Node) => Node;
}

/**
 * OpenAPI → JSON Schema: `nullable: true` becomes a null alternative; a `oneOf` with a `discriminator` mapping becomes
 * "the branch the discriminator value names" (if/then per mapping entry; an unmapped value is refused); `example(s)`
 * and `discriminator` are dropped (they do not constrain a value).
 */
export function openApiToJsonSchema(v: unknown, opts: ConvertOptions = {}): unknown {
  if (Array.isArray(v)) return v.map((x) => openApiToJsonSchema(x, opts));
  if (!v || typeof v !== 'object') return v;
  const src = opts.read ? opts.read(v as Node) : v as Node;
  const disc = src.discriminator as { propertyName: string; mapping?: Record<string, string> } | undefined;
  if (disc?.mapping && Array.isArray(src.oneOf)) {
    const { oneOf: _oneOf, discriminator: _d, ...rest } = src;
    const p = disc.propertyName;
    return openApiToJsonSchema({ ...rest, type: 'object', required: [p], properties: { [p]: { enum: Object.keys(disc.mapping) } },
      allOf: Object.entries(disc.mapping).map(([value, ref]) => ({ if: { properties: { [p]: { const: value } } }, then: { $ref: ref } })) }, { ...opts, read: undefined });
  }
  const o: Node = {};
  for (const [k, x] of Object.entries(src)) {
    if (k === 'discriminator' || k === 'example' || k === 'examples') continue;
    o[k] = k === 'properties' || k === 'definitions'
      ? Object.fromEntries(Object.entries(x as object).map(([p, y]) => [p, openApiToJsonSchema(y, opts)]))
      : openApiToJsonSchema(x, opts);
  }
  if (o.nullable === true) {
    delete o.nullable;
    if (typeof o.type === 'string') return { ...o, type: [o.type, 'null'], ...(Array.isArray(o.enum) ? { enum: [...o.enum, null] } : {}) };
    return { anyOf: [o, { type: 'null' }] };
  }
  delete o.nullable;
  return o;
}

/** Points local refs (`#/components/schemas/…` or `#/definitions/…`) into the schema registered under `id`. */
export function refsInto(v: unknown, id: string, prefix = '#/components/schemas/'): object {
  return JSON.parse(JSON.stringify(v).replaceAll(`"${prefix}`, `"${id}${prefix}`)) as object;
}
