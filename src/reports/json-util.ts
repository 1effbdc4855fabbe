// JSON output that stays exact for 64-bit integers: evidence and verification are embedded as the JSON text DuckDB
// stored (never parsed into JS numbers), and any bigint that reaches a serializer becomes a number only when exact.
import { randomBytes } from 'node:crypto';

// The marker carries a random nonce of this process: a collected value (a name, a tag) that happens to start with a
// fixed marker would otherwise be spliced into the report as raw JSON, a way to inject fields into what a SIEM reads.
const NONCE = randomBytes(12).toString('hex');
const RAW = `\u0000raw-${NONCE}:`;

/** A placeholder that `stringifyWithRaw` replaces by the given JSON text verbatim. */
export function raw(jsonText: string | null | undefined): string {
  return `${RAW}${jsonText ?? 'null'}`;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

/** A serialised placeholder string value (never a key: a key is followed by ':'). */
const RAW_LITERAL = new RegExp(`"\\\\u0000raw-${NONCE}:(?:[^"\\\\]|\\\\.)*"(?!:)`, 'g');

/** JSON.stringify that splices raw JSON texts in place of their placeholders (see raw()). */
export function stringifyWithRaw(value: unknown, indent?: number): string {
  let text: string;
  // Without a replacer JSON.stringify takes V8's fast path (a replacer call per key was most of the OCSF and JSON
  // reporters' CPU time); only a value holding a bigint, which it refuses, goes through the replacer.
  try {
    text = JSON.stringify(value, null, indent);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    text = JSON.stringify(value, replacer, indent);
  }
  if (!text.includes(`"\\u0000raw-${NONCE}:`)) return text;
  // The placeholder was serialised as a JSON string: parsing that literal gives it back exactly, raw text included.
  return text.replace(RAW_LITERAL, (lit) => (JSON.parse(lit) as string).slice(RAW.length));
}
