// Logs go to stderr: plain lines for people and CI, or JSON lines with --json-logs. Never log secret values:
// redact() strips anything that looks like a credential before it is written.
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions { json?: boolean; quiet?: boolean; verbose?: boolean; write?: (line: string) => void }

const SECRETISH = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g, /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, /\b(A3T|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}\b/g,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}/g, /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // key: value pairs whose value looks like a secret (a digit in 8+ characters, or 20+), not an ordinary word.
  /(authorization|x-api-key|password|secret|token)(["']?\s*[:=]\s*["']?)((?=[^"'\s,}]*\d)[^"'\s,}]{8,}|[^"'\s,}]{20,})/gi,
];

export function redact(text: string): string {
  let out = text;
  for (const re of SECRETISH) {
    out = out.replace(re, (...m: string[]) => (m.length > 5 && m[2] !== undefined && /[:=]/.test(m[2]) ? `${m[1]}${m[2]}[redacted]` : '[redacted]'));
  }
  return out;
}

export function createLogger(opts: LoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) => {
    if (opts.quiet && level !== 'error') return;
    if (level === 'debug' && !opts.verbose) return;
    const all = { ...base, ...fields };
    if (opts.json) {
      write(redact(JSON.stringify({ time: new Date().toISOString(), level, msg, ...all })));
    } else {
      const extra = Object.entries(all).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      write(redact(`${level === 'info' ? '' : level.toUpperCase() + ': '}${msg}${extra ? ' ' + extra : ''}`));
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
