// JSON output that stays exact for 64-bit integers: evidence and verification are embedded as the JSON text DuckDB
// stored (never parsed into JS numbers), and any bigint that reaches a serializer becomes a number only when exact.
const RAW = '\u0000raw:';

/** A placeholder that `stringifyWithRaw` replaces by the given JSON text verbatim. */
export function raw(jsonText: string | null | undefined): string {
  return `${RAW}${jsonText ?? 'null'}`;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

/** JSON.stringify that splices raw JSON texts in place of their placeholders (see raw()). */
export function stringifyWithRaw(value: unknown, indent?: number): string {
  const texts: string[] = [];
  const text = JSON.stringify(value, (k, v) => {
    if (typeof v === 'string' && v.startsWith(RAW)) {
      texts.push(v.slice(RAW.length));
      return `${RAW}${texts.length - 1}`;
    }
    return replacer(k, v);
  }, indent);
  if (!texts.length) return text;
  // The placeholder is serialised as "\u0000raw:N"; swap the whole quoted string for the raw JSON.
  return text.replace(/"\\u0000raw:(\d+)"/g, (_m, i: string) => texts[Number(i)]!);
}
