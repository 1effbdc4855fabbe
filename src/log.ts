// Logs go to stderr: plain lines for people and CI, or JSON lines with --json-logs. Never log secret values:
// redact() strips anything that looks like a credential before it is written.
import { terminalSafe } from './reports/escape.js';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions { json?: boolean; quiet?: boolean; verbose?: boolean; write?: (line: string) => void }

// An AWS access key id (AKIA…) is an identifier, not a secret: it names the key in journals, findings and leak
// matching, and is kept. Its secret access key is caught by name (`aws_secret_access_key=…`).
const SECRETISH = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, 
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}/g, /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // key: value pairs whose value looks like a secret (a digit in 8+ characters, or 20+), not an ordinary word.
  // (Not inside an ARN or a path: `…:secret:name` names a resource type, and what follows is a name.)
  /(?<![:/A-Za-z0-9_.-])(authorization|x-api-key|password|secret|token)(["']?\s*[:=]\s*["']?)((?=[^"'\s,}]*\d)[^"'\s,}]{8,}|[^"'\s,}]{20,})/gi,
];

/**
 * More shapes, each replaced whole (D5): URL user-info, Slack and GitLab tokens, any JWT (header.payload), a PEM
 * private key cut off before its END line, and Bearer/Basic credentials.
 */
const SHAPES: [RegExp, string][] = [
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@:]*:[^\s/?#@]*@/gi, '$1[redacted]@'],
  [/\bxox[abprse]-[A-Za-z0-9-]{10,}/g, '[redacted]'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/g, '[redacted]'],
  [/\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*)?/g, '[redacted]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[A-Za-z0-9+/=\s]|\\[nr])*/g, '[redacted]'],
  [/\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1$2[redacted]'],
];

/** A name (snake_case, camelCase, dotted) whose value is a secret, by the words in it; names of metadata about a secret excluded. */
const SECRET_WORD = /password|passwd|passphrase|secret|token|pwd|credential|key/;
export const METADATA_NAME = /(^|_)(id|ids|name|names|arn|arns|at|type|types|kind|count|fingerprint|thumbprint|status|state|enabled|expired|expires|expiry|expiration|url|uri|env|file|path|dir|hint|length|version|ref|refs|date|last_used|last_changed|last_rotated|rotation|algorithm|usage|scope|scopes|source|slot|selection|policy|vault|keys|tokens)$/; // plural key/token names hold lists or counts; a secret value in them is caught by its shape

export function normaliseName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

export function isSecretName(name: string): boolean {
  const n = normaliseName(name);
  if (/(^|_)public(_|$)|^public/.test(n) || METADATA_NAME.test(n)) return false;
  return SECRET_WORD.test(n);
}

// `secret-named = value`, `"secret_named": "value"` and `SecretName value`: the value goes when it looks like a secret.
// (Not inside an ARN or a path, `…:secret:name`, where the word is a resource type and what follows is a name.)
const NAMED_VALUE = /(?<![:/A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|pwd|credential|key)[A-Za-z0-9_.-]*)(["']?\s*[:=]\s*["']?|\s+)((?=[^"'\s,;:}]*\d)[^"'\s,;:}]{8,}|[^"'\s,;:}]{20,})/gi;

export function redact(text: string): string {
  let out = text;
  for (const re of SECRETISH) {
    out = out.replace(re, (...m: string[]) => (m.length > 5 && m[2] !== undefined && /[:=]/.test(m[2]) ? `${m[1]}${m[2]}[redacted]` : '[redacted]'));
  }
  for (const [re, to] of SHAPES) out = out.replace(re, to);
  out = out.replace(NAMED_VALUE, (all, name: string, sep: string, value: string) =>
    (isSecretName(name) && value !== '[redacted]' && !/^\[redacted\]/.test(value) ? `${name}${sep}[redacted]` : all));
  return out;
}

export function createLogger(opts: LoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) => {
    if (opts.quiet && level !== 'error') return;
    if (level === 'debug' && !opts.verbose) return;
    const all = { ...base, ...fields };
    if (opts.json) {
      write(terminalSafe(redact(JSON.stringify({ time: new Date().toISOString(), level, msg, ...all }))));
    } else {
      const extra = Object.entries(all).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      // Messages quote provider-side names: a terminal escape or bidi override in one is shown, not obeyed.
      write(terminalSafe(redact(`${level === 'info' ? '' : level.toUpperCase() + ': '}${msg}${extra ? ' ' + extra : ''}`)));
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  };
}

export const silentLogger: Logger = createLogger({ write: () => undefined });
