// Text that reaches a person (a terminal, a Markdown summary, a spreadsheet, a page) must show what it is: control
// characters (terminal escape sequences, BEL) and Unicode bidi overrides (`svc-rtl\u202Egnp.exe` displays as
// `svc-rtlexe.png`) come from provider-side names an attacker controls. They are shown as visible escapes (D19).

/** C0 controls except tab/newline/CR, DEL, C1 controls, and the bidi/format characters that reorder or hide text. */
export const CONTROL_OR_BIDI = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
/** The same set as a DuckDB regular expression (RE2 syntax), for reports written by COPY. */
export const CONTROL_OR_BIDI_SQL = '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F\\x{061C}\\x{200B}-\\x{200F}\\x{202A}-\\x{202E}\\x{2060}-\\x{2064}\\x{2066}-\\x{2069}\\x{FEFF}]';

/** Each such character as `\u{202E}`: visible, and unambiguous about what was there. */
export function visible(text: string): string {
  return text.replace(CONTROL_OR_BIDI, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}}`);
}

/**
 * A line for a terminal: each such character as `\u202e` — visible text, and inside a JSON string the same character
 * (the CLI's JSON output stays valid JSON). Applied to everything the CLI prints, as the last line of defence for
 * text a command did not pass through visible().
 */
export function terminalSafe(line: string): string {
  return line.replace(CONTROL_OR_BIDI, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value cut to `max` characters (a 100,000-character name must not make a summary unreadable or oversized). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Deeply applies visible() to every string of a plain value (for rows rendered by a browser script). */
export function visibleDeep<T>(v: T): T {
  if (typeof v === 'string') return visible(v) as T;
  if (Array.isArray(v)) return v.map(visibleDeep) as T;
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visibleDeep(x)])) as T;
  return v;
}
