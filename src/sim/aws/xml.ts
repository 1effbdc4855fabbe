// awsQuery response writing: every list is a sequence of <member> elements, dates are ISO 8601 in UTC,
// and each answer is wrapped as <ActionResponse><ActionResult>…</ActionResult><ResponseMetadata/></ActionResponse>.
import { randomUUID } from 'node:crypto';

export const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function isoSeconds(d: Date): string { return d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }

/** Serialises a plain value: objects become elements, arrays <member> lists, undefined is left out. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    let out = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      out += `<${k}>${toXml(v)}</${k}>`;
    }
    return out;
  }
  return esc(String(value));
}

export function queryResponse(action: string, result: Record<string, unknown> | null, ns: string): string {
  const body = result === null ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  return `<${action}Response xmlns="${ns}">${body}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryError(code: string, message: string, ns: string, type: 'Sender' | 'Receiver' = 'Sender'): string {
  return `<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${esc(code)}</Code><Message>${esc(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
